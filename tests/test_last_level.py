"""A check's last level reads only what its rules read there (graph/stores/last_level.py), on every store.

Behind a nominee the last level of a depth-4 check is most of its edges, and nearly none of the parties it
reaches there matter to a rule: the store gives only the edges to a listed party, to a person of a listed
enterprise whose listing names someone without an ID number, and to a party an unread row is kept under. The
answers must stay those of the whole level: the same hits, chains, notes and unread rows.
"""
from __future__ import annotations

from datetime import date

import pytest
from county import BLACKLIST_HEADERS, ENTERPRISE_HEADERS, MEMBER_HEADERS, id_number, uscc, write_csv

from graph.ingest import load_file
from graph.queries.check import check
from graph.queries.traversal import node, traverse
from graph.settings import get_settings
from graph.stores.base import GraphReader
from graph.stores.neighbourhood import Neighbourhood, OutermostTrimmed

AS_OF = "2026-06-01"
POSTS = 8  # the nominee's enterprises, each with a head of its own who heads one more enterprise

SUBJECT, NOMINEE = uscc(1), id_number(2)
NAMED_LISTED = uscc(200)         # three hops: a shareholder of the nominee's third enterprise, listed without an ID
NAMED_ONLY = id_number(50)       # four hops: its 监事, whom that listing names by name alone
NAMED_ONLY_NAME = "钱某某"


def post(i: int) -> str:
    return uscc(100 + i)


def head(i: int) -> str:
    return id_number(100 + i)


def headed(i: int) -> str:
    """Four hops from the subject: the enterprise the head of the nominee's i-th enterprise also heads."""
    return uscc(300 + i)


def headed_name(i: int) -> str:
    return f"西吉县尾层{i}号另办商贸有限公司"


LISTED_FAR = headed(0)          # four hops, listed; reached through the heads of posts 0 and 1
UNREAD_FAR = headed(3)          # four hops, named by a blacklist row whose code could not be read
PLAIN_FAR = headed(5)           # four hops, nothing about it: not a party any rule reads


def _files(directory):
    registry, members = [], []

    def enterprise(code, name, who, who_name):
        registry.append([str(len(registry) + 1), code, "", name, "有限责任公司", who_name, "居民身份证", who,
                         "2018-03-01", "存续", "西吉县吉强镇", "西吉县市场监督管理局"])

    def member(code, name, role, who_name, id_type, who, share=""):
        members.append([str(len(members) + 1), code, name, role, who_name, id_type, who, share])

    enterprise(SUBJECT, "西吉县尾层申请人商贸有限公司", id_number(1), "申请甲")
    member(SUBJECT, "西吉县尾层申请人商贸有限公司", "监事", "代办乙", "居民身份证", NOMINEE)
    for i in range(POSTS):
        name = f"西吉县尾层挂名{i}号商贸有限公司"
        enterprise(post(i), name, head(i), f"代表{i}")
        member(post(i), name, "监事", "代办乙", "居民身份证", NOMINEE)
        enterprise(headed(i), headed_name(i), head(i), f"代表{i}")
    # The head of post 1 also holds shares in the listed far enterprise: two chains lead there, the first is kept.
    member(LISTED_FAR, headed_name(0), "股东", "代表1", "居民身份证", head(1), "10%")
    enterprise(NAMED_LISTED, "西吉县尾层股东商贸有限公司", id_number(51), "股东丙")
    member(post(2), "西吉县尾层挂名2号商贸有限公司", "股东", "西吉县尾层股东商贸有限公司", "统一社会信用代码", NAMED_LISTED, "40%")
    member(NAMED_LISTED, "西吉县尾层股东商贸有限公司", "监事", NAMED_ONLY_NAME, "居民身份证", NAMED_ONLY)

    def listing(n, code, name, list_type, who=("", "", "", "")):
        return [str(n), code, name, "依据", "测试", "2026-01-01", "", "县法院", "县财政局", list_type, *who]
    bad_code = UNREAD_FAR[:-1] + ("0" if UNREAD_FAR[-1] != "0" else "1")
    blacklist = [
        listing(1, LISTED_FAR, headed_name(0), "经营异常名录"),
        listing(2, NAMED_LISTED, "西吉县尾层股东商贸有限公司", "失信被执行人", ("监事", NAMED_ONLY_NAME, "", "")),
        listing(3, bad_code, headed_name(3), "黑名单"),  # a wrong check digit: kept unread, under the name too
    ]
    directory.mkdir(parents=True, exist_ok=True)
    return [write_csv(directory / "registry.csv", ENTERPRISE_HEADERS, registry),
            write_csv(directory / "members.csv", MEMBER_HEADERS, members),
            write_csv(directory / "blacklist.csv", BLACKLIST_HEADERS, blacklist)]


@pytest.fixture
def tail_store(store, home, tmp_path):
    for path in _files(tmp_path / "files"):
        load_file(store, path, home=home)
    return store


def _check(store, depth):
    return check(store, settings=get_settings(), key=SUBJECT, as_of=date.fromisoformat(AS_OF), depth=depth)


def test_the_parties_the_rules_read_at_the_last_level(tail_store):
    result = _check(tail_store, 4)
    hits = {h.party.key: h for h in result.hits}
    assert set(hits) == {LISTED_FAR, NAMED_LISTED, NAMED_ONLY}, sorted(hits)
    assert result.verdict == "linked" and not result.truncated
    assert (hits[LISTED_FAR].hops, hits[NAMED_LISTED].hops, hits[NAMED_ONLY].hops) == (4, 3, 4)
    # The chain through the first of the two heads that lead there (in key order), as the whole level gives it.
    assert [(s["source"]["key"], s["target"]["key"]) for s in hits[LISTED_FAR].path] == [
        (NOMINEE, SUBJECT), (NOMINEE, post(0)), (head(0), post(0)), (head(0), LISTED_FAR)]
    assert any("按姓名与登记信息匹配" in n for n in hits[NAMED_ONLY].notes)
    assert [s["target"]["key"] for s in hits[NAMED_ONLY].path][-1] == NAMED_LISTED
    [unread] = [u for u in result.unread if u["party"]["key"] == UNREAD_FAR]
    assert unread["hops"] == 4

    three = _check(tail_store, 3)
    assert {h.party.key for h in three.hits} == {NAMED_LISTED}
    assert not any(u["party"]["key"] == UNREAD_FAR for u in three.unread)


def _level_three(reader):
    reach = traverse(reader, reader.enterprise_by_code(SUBJECT, "uscc"), 3, 50_000, on=AS_OF)
    return [reach.party(n) for n, hops in sorted(reach.hops.items()) if hops == 3]


def test_a_stores_last_level_keeps_every_edge_the_rules_read(tail_store):
    def asked(reader):
        frontier = _level_three(reader)
        return frontier, reader.last_level(frontier), reader.expand(frontier, limit=10_000)
    frontier, last, every = tail_store.read(asked)
    assert last is not None
    assert last.edge_count >= len(every) and last.role_count >= sum(len(e.roles) for e in every)

    def far(e):
        return {n for n in e.nodes if n not in {node(p) for p in frontier}}
    wanted = {("enterprise", LISTED_FAR), ("person", NAMED_ONLY), ("enterprise", UNREAD_FAR)}
    assert {e for e in every if far(e) & wanted} <= set(last.edges)
    assert not any(("enterprise", PLAIN_FAR) in e.nodes for e in last.edges)
    assert len(last.edges) < len(every)


@pytest.mark.parametrize("depth", [3, 4])
def test_the_last_level_admits_what_the_whole_level_admits_with_the_same_chains(tail_store, depth):
    def both(reader):
        subject = reader.enterprise_by_code(SUBJECT, "uscc")
        # The whole level from the store itself: a neighbourhood fetched in one piece (Neo4j) brings only what the
        # rules read at its last level (graph/stores/neighbourhood.py,
        # test_a_neighbourhood_in_one_piece_brings_only_what_the_last_level_reads).
        whole = traverse(reader, subject, depth, 50_000, on=AS_OF)
        sources = [reader] + [n for n in [reader.neighbourhood(subject, depth, 50_000)] if n is not None]
        return [(traverse(s, subject, depth, 50_000, on=AS_OF, for_rules=True), whole) for s in sources]
    for lean, whole in tail_store.read(both):
        assert not lean.truncated and not whole.truncated
        assert len(lean.hops) < len(whole.hops)
        for n, hops in lean.hops.items():
            assert whole.hops[n] == hops and whole.parent.get(n) == lean.parent.get(n), n
        assert [n for n in whole.hops if n in lean.hops] == list(lean.hops)  # the same order
        read = {("enterprise", LISTED_FAR), ("person", NAMED_ONLY), ("enterprise", UNREAD_FAR),
                ("enterprise", NAMED_LISTED)}
        assert {n for n in whole.hops if n in read} <= set(lean.hops)


def _answer(store, depth: int) -> dict:
    answer = _check(store, depth).as_dict()
    answer.pop("check_id", None)
    return answer


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_a_neighbourhood_in_one_piece_brings_only_what_the_last_level_reads(tail_store, monkeypatch):
    """Neo4j fetches a check's neighbourhood in one query; from its third level on, the edges from the outermost
    level outwards come only where the rules read them, and the answers are the level-by-level ones."""
    def fetched(reader):
        subject = reader.enterprise_by_code(SUBJECT, "uscc")
        frontier = _level_three(reader)
        return reader.neighbourhood(subject, 4, 50_000), frontier, reader.last_level(frontier)
    hood, frontier, asked = tail_store.read(fetched)
    assert hood is not None
    found = hood.last_level(frontier)
    assert set(found.edges) == set(asked.edges) and found.role_count == asked.role_count
    with pytest.raises(OutermostTrimmed):  # the whole outermost level is not there to give
        hood.expand(frontier, limit=10_000)
    assert ("enterprise", PLAIN_FAR) not in {n for e in found.edges for n in e.nodes}

    one_piece = {depth: _answer(tail_store, depth) for depth in (3, 4)}
    reader_class = type(tail_store.read(lambda reader: reader))
    monkeypatch.setattr(reader_class, "neighbourhood", lambda self, *args: None)
    monkeypatch.setattr(reader_class, "located", GraphReader.located)
    assert one_piece == {depth: _answer(tail_store, depth) for depth in (3, 4)}


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_a_last_level_that_must_be_read_whole_is_read_from_the_store(tail_store, monkeypatch):
    """When a check's last level cannot be the trimmed one (it would be cut, or the store cannot tell), the
    traversal asks for the whole level: a neighbourhood fetched trimmed sends it to the store, with the same
    answer."""
    expected = {depth: _answer(tail_store, depth) for depth in (3, 4)}
    asked_whole = []
    own_expand = Neighbourhood.expand

    def expand(self, frontier, limit):
        try:
            return own_expand(self, frontier, limit)
        except OutermostTrimmed:
            asked_whole.append(len(frontier))
            raise
    monkeypatch.setattr(Neighbourhood, "last_level", lambda self, frontier: None)
    monkeypatch.setattr(Neighbourhood, "expand", expand)
    assert {depth: _answer(tail_store, depth) for depth in (3, 4)} == expected
    assert len(asked_whole) == 2  # one check at each depth went to the store
