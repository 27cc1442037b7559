"""The party limit (CREDITNET_MAX_PARTIES) against nominees and enterprise groups, on every store.

Real registries have professional nominees (代办, 挂名) heading or supervising hundreds of enterprises, and group
holding companies with hundreds of subsidiaries. The limit stops a traversal there, but it never cuts what a
binding rule reads, and an answer it cut says so in the CLI's JSON, the API and the page (never a silent clear).
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from county import (BLACKLIST_HEADERS, ENTERPRISE_HEADERS, MEMBER_HEADERS, id_number, uscc, write_csv)
from typer.testing import CliRunner

from api_fixtures import app_client, auth
from cli.main import app
from graph.ingest import load_file
from graph.queries.check import RULE_OFFICER, RULE_THREE_YEAR_BAR, check
from graph.settings import get_settings

AS_OF = "2026-06-01"
POSTS = 500          # the nominees' enterprises
GROUP = 300          # the group holding's subsidiaries
LIMIT = 100          # the smallest party limit the settings allow

SUBJECT, HOLDING, CLEAN_SUBJECT, HOLDING_HEADED = uscc(1), uscc(2), uscc(3), uscc(4)
HEAD_NOMINEE, SUPERVISOR_NOMINEE, HOLDING_SUPERVISOR, CLEAN_NOMINEE = (id_number(i) for i in (1, 2, 3, 4))
LISTED = uscc(10 + POSTS - 1)  # the nominee's last enterprise: the last the store gives, the last in key order


def _nominee_enterprise(i: int) -> str:
    return uscc(10 + i)


def _files(directory):
    """A county of three subjects:
    - SUBJECT, headed by a nominee who heads 500 enterprises, one of them on the serious-violation list a year
      ago (rule 3), and supervised by another nominee sitting as 监事 in the same 500, who is a 失信被执行人 (rule 2);
    - HOLDING, a group holding company with 300 subsidiaries, whose 监事 is a 失信被执行人 (rule 2) and whose head
      also heads an enterprise on the serious-violation list (rule 3);
    - CLEAN_SUBJECT, supervised by a nominee sitting in 500 enterprises that no list names."""
    people = {HEAD_NOMINEE: "挂名甲", SUPERVISOR_NOMINEE: "代办乙", HOLDING_SUPERVISOR: "监事丙", CLEAN_NOMINEE: "代办丁"}
    registry, members = [], []

    def enterprise(code, name, head, head_name):
        registry.append([str(len(registry) + 1), code, "", name, "有限责任公司", head_name, "居民身份证", head, "2018-03-01",
                         "存续", "西吉县吉强镇", "西吉县市场监督管理局"])

    def member(code, name, role, who_name, id_type, who, share=""):
        members.append([str(len(members) + 1), code, name, role, who_name, id_type, who, share])

    enterprise(SUBJECT, "西吉县申请人商贸有限公司", HEAD_NOMINEE, people[HEAD_NOMINEE])
    member(SUBJECT, "西吉县申请人商贸有限公司", "监事", people[SUPERVISOR_NOMINEE], "居民身份证", SUPERVISOR_NOMINEE)
    for i in range(POSTS):
        code, name = _nominee_enterprise(i), f"西吉县挂名{i:03d}号商贸有限公司"
        enterprise(code, name, HEAD_NOMINEE, people[HEAD_NOMINEE])
        member(code, name, "监事", people[SUPERVISOR_NOMINEE], "居民身份证", SUPERVISOR_NOMINEE)
    enterprise(HOLDING, "西吉县集团控股有限公司", id_number(5), "控股戊")
    enterprise(HOLDING_HEADED, "西吉县控股戊另办商贸有限公司", id_number(5), "控股戊")
    member(HOLDING, "西吉县集团控股有限公司", "监事", people[HOLDING_SUPERVISOR], "居民身份证", HOLDING_SUPERVISOR)
    for i in range(GROUP):
        code, name = uscc(1000 + i), f"西吉县集团{i:03d}号子公司有限公司"
        enterprise(code, name, id_number(100 + i), f"子代表{i}")
        member(code, name, "股东", "西吉县集团控股有限公司", "统一社会信用代码", HOLDING, "100%")
    enterprise(CLEAN_SUBJECT, "西吉县清白商贸有限公司", id_number(6), "清白己")
    member(CLEAN_SUBJECT, "西吉县清白商贸有限公司", "监事", people[CLEAN_NOMINEE], "居民身份证", CLEAN_NOMINEE)
    for i in range(POSTS):
        code, name = uscc(2000 + i), f"西吉县代办{i:03d}号商贸有限公司"
        enterprise(code, name, id_number(400 + i), f"代表{i}")
        member(code, name, "监事", people[CLEAN_NOMINEE], "居民身份证", CLEAN_NOMINEE)

    def listing(n, code, name, list_type, start, person=None):
        who = ["", "", "", ""] if person is None else ["", people[person], "居民身份证", person]
        return [str(n), code, name, "依据", "测试", start, "", "县法院", "县财政局", list_type, *who]
    blacklist = [
        listing(1, LISTED, f"西吉县挂名{POSTS - 1:03d}号商贸有限公司", "严重违法失信企业名单", "2025-06-01"),
        listing(2, uscc(900), "西吉县失信主体公司", "失信被执行人", "2026-01-01", SUPERVISOR_NOMINEE),
        listing(3, uscc(901), "西吉县另一失信公司", "失信被执行人", "2026-01-01", HOLDING_SUPERVISOR),
        listing(4, HOLDING_HEADED, "西吉县控股戊另办商贸有限公司", "严重违法失信企业名单", "2025-06-01"),
    ]
    directory.mkdir(parents=True, exist_ok=True)
    return [write_csv(directory / "registry.csv", ENTERPRISE_HEADERS, registry),
            write_csv(directory / "members.csv", MEMBER_HEADERS, members),
            write_csv(directory / "blacklist.csv", BLACKLIST_HEADERS, blacklist)]


@pytest.fixture
def dense_store(store, home, tmp_path):
    for path in _files(tmp_path / "files"):
        report = load_file(store, path, home=home)
        assert report.rejected == 0, report
    return store


@pytest.fixture
def party_limit(monkeypatch):
    monkeypatch.setenv("CREDITNET_MAX_PARTIES", str(LIMIT))
    get_settings.cache_clear()
    assert get_settings().max_parties == LIMIT
    yield LIMIT
    get_settings.cache_clear()


def _check(store, key, depth=3):
    return check(store, settings=get_settings(), key=key, as_of=date.fromisoformat(AS_OF), depth=depth)


def _binding(result):
    return {(h.party.key, h.rule) for h in result.hits if h.binding}


EXPECTED = {(LISTED, RULE_THREE_YEAR_BAR), (SUPERVISOR_NOMINEE, RULE_OFFICER)}


def test_binding_hits_behind_nominees_are_found_at_the_party_limit(dense_store, party_limit):
    for depth in (1, 2, 3, 4):
        result = _check(dense_store, SUBJECT, depth)
        assert result.verdict == "restricted", depth
        assert _binding(result) == EXPECTED, depth
        [bar] = [h for h in result.hits if h.rule == RULE_THREE_YEAR_BAR]
        assert [s["relation"] for s in bar.path] == ["法定代表人", "法定代表人"]
        # 1,001 parties within two hops: the limit cut links, and the answer says so.
        assert result.truncated
        assert any("关系网过大" in n and str(LIMIT) in n for n in result.notes)


def test_binding_hits_behind_nominees_without_a_limit(dense_store):
    result = _check(dense_store, SUBJECT)
    assert result.verdict == "restricted" and _binding(result) == EXPECTED
    assert not result.truncated and not any("关系网过大" in n for n in result.notes)


def test_a_group_holdings_officers_are_found_past_its_subsidiaries(dense_store, party_limit):
    # 300 subsidiaries sort before any person: the limit fills with them at one hop, and the 监事 still comes in;
    # no party is left for two hops, and the enterprise the head heads is still read (rule 3).
    result = _check(dense_store, HOLDING)
    assert result.verdict == "restricted"
    assert _binding(result) == {(HOLDING_SUPERVISOR, RULE_OFFICER), (HOLDING_HEADED, RULE_THREE_YEAR_BAR)}
    assert result.truncated


def test_the_nominees_themselves_as_subjects(dense_store, party_limit):
    # A person heading 500 enterprises: rule 3 reads every one of them, past the limit.
    result = _check(dense_store, HEAD_NOMINEE)
    assert result.verdict == "restricted" and (LISTED, RULE_THREE_YEAR_BAR) in _binding(result)
    assert result.truncated


def test_an_answer_cut_by_the_limit_is_never_clear_and_says_so_everywhere(dense_store, party_limit, backend, home,
                                                                        fast_keys):
    """Nothing binding found, but the limit cut links: a link beyond it may exist, so the answer is one to review
    (linked, with no hit), never `clear`, on every way of asking."""
    from graph.accounts import Accounts
    result = _check(dense_store, CLEAN_SUBJECT)
    assert result.verdict == "linked" and result.truncated and result.hits == []
    assert "不可视为未发现关联" in result.notes[0]
    [note] = [n for n in result.notes if "CREDITNET_MAX_PARTIES" in n]
    assert "CREDITNET_MAX_PARTIES" in note and "请" in note  # says what the official does about it

    cli = CliRunner().invoke(app, ["check", CLEAN_SUBJECT, "--as-of", AS_OF, "--json"], catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    answer = json.loads(cli.output)
    assert answer["verdict"] == "linked" and answer["truncated"] is True and note in answer["notes"]

    with Accounts(home) as accounts:
        _, key = accounts.add("县发改局")
    with app_client() as client:
        api = client.post("/api/v1/checks", json={"key": CLEAN_SUBJECT, "as_of": AS_OF}, headers=auth(key))
        assert api.status_code == 200, api.text
        body = api.json()
        assert body["verdict"] == "linked" and body["truncated"] is True and note in body["notes"]
