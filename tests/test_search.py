"""The name search (graph/queries/search.py) on both stores: each way of writing a name finds it, bad input is
refused, the CLI, the API and the public search answer with it, and the check uses it where a name is typed."""
from __future__ import annotations

import csv
import json
import random
import sqlite3

import pytest
from typer.testing import CliRunner

from api_fixtures import auth
from county import AS_OF, E, NAMES, P
from cli.main import app
from graph.errors import InvalidRequest, NotFound
from graph.ingest import load_file
from graph.queries.check import Applicant, check
from graph.queries.search import search
from graph.settings import Settings

SETTINGS = Settings()
runner = CliRunner()


def found(store, q, kind="enterprise", limit=10):
    return search(store, q, kind=kind, limit=limit, settings=SETTINGS).candidates


# Each way a clerk writes a registered name, and the reason the answer gives for it.
WRITTEN = [
    (NAMES["OFFICER"], "OFFICER", []),                                  # 西吉县乙建材有限公司 as registered
    ("西吉县乙建材有限责任公司", "OFFICER", ["form differs"]),            # the other company form
    ("乙建材有限公司", "OFFICER", ["no region prefix"]),                 # no county prefix
    ("宁夏回族自治区西吉县乙建材有限公司", "OFFICER", ["region written differently"]),
    ("乙建材", "OFFICER", ["short name"]),                              # short name
    ("西吉县乙材有限公司", "OFFICER", ["1 character differs"]),          # one character missing
    ("西吉县乙建有限公司", "OFFICER", ["part of the name"]),             # the last one missing
    ("西吉县乙建材料有限公司", "OFFICER", ["1 character differs"]),      # one character extra
    ("西吉县乙材建有限公司", "OFFICER", ["characters swapped"]),         # two characters swapped
    ("西吉縣乙建材有限公司", "OFFICER", ["traditional characters"]),     # traditional characters
    ("西吉县 某某商贸（集团）有限公司", "BRACKETS", []),                 # width, brackets, spaces
    ("某某商贸集团", "BRACKETS", ["short name"]),                      # no county and no company form
]


@pytest.mark.parametrize("typed,expected,reasons", WRITTEN)
def test_each_way_of_writing_a_name_finds_it_first(county, typed, expected, reasons):
    candidates = found(county, typed)
    first = candidates[0]
    assert (first.key, first.name) == (E[expected], NAMES[expected]), [c.as_dict() for c in candidates]
    assert first.reasons == reasons and (first.score == 100) == (not [r for r in reasons if r != "traditional characters"])
    assert all(c.score <= first.score for c in candidates[1:])


def test_the_answer_carries_status_and_ranks_by_score(county):
    result = search(county, "甲商贸", settings=SETTINGS, as_of=__import__("datetime").date.fromisoformat(AS_OF)).as_dict()
    assert result["query"] == "甲商贸" and result["normalised"] == "甲商贸"
    first = result["candidates"][0]
    assert first == {"kind": "enterprise", "key": E["LISTED"], "name": NAMES["LISTED"], "score": 95,
                     "reasons": ["short name"], "status": {"registration": "存续", "restricted": True}}
    assert [c["score"] for c in result["candidates"]] == sorted((c["score"] for c in result["candidates"]), reverse=True)
    clear = found(county, NAMES["CLEAR"])[0]
    assert clear.key == E["CLEAR"]
    clear_status = search(county, NAMES["CLEAR"], settings=SETTINGS, limit=1).candidates[0].status
    assert clear_status == {"registration": "存续", "restricted": False}


def test_a_branch_is_not_its_head_office(county):
    # 分公司 is an enterprise of its own: its head office is offered, far below a same-name match.
    first = found(county, "西吉县乙建材有限公司固原分公司")[0]
    assert first.key == E["OFFICER"] and first.score <= 70 and "head office, not the branch" in first.reasons


def test_persons_by_name(county):
    first = found(county, "张三", kind="person")[0]
    assert (first.kind, first.key, first.score) == ("person", P["RESTRICTED"], 100)
    assert first.status == {"registration": None, "restricted": True}
    assert found(county, "張三", kind="person")[0].reasons == ["traditional characters"]


BAD = ["", "   ", "甲", "甲" * 201, "甲商\x00贸", "甲商\t贸", "甲商%", "*商贸", '"甲商贸"', "甲商贸 NEAR(乙", "甲'商贸", "a"]


@pytest.mark.parametrize("q", BAD)
def test_bad_input_is_refused_with_a_reason(county, q):
    with pytest.raises(InvalidRequest) as caught:
        found(county, q)
    assert caught.value.http_status == 422 and caught.value.exit_code == 2 and "(" in caught.value.message


def test_cli_search(county):
    r = runner.invoke(app, ["search", "乙建材", "--json", "--limit", "3"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert set(data) == {"query", "normalised", "candidates"} and len(data["candidates"]) <= 3
    assert data["candidates"][0]["key"] == E["OFFICER"]
    assert set(data["candidates"][0]) == {"kind", "key", "name", "score", "reasons", "status"}
    human = runner.invoke(app, ["search", "乙建材"], catch_exceptions=False)
    assert human.exit_code == 0 and "简称" in human.output and "相似度" in human.output
    for bad in ("甲", "50%", "商贸*"):
        r = runner.invoke(app, ["search", bad, "--json"], catch_exceptions=False)
        assert r.exit_code == 2 and json.loads(r.output)["error"]["code"] == "invalid_request", bad
    assert runner.invoke(app, ["search", "乙建材", "--limit", "0"]).exit_code == 2
    assert runner.invoke(app, ["search", "乙建材", "--kind", "department"]).exit_code == 2
    assert "--kind" in runner.invoke(app, ["search", "--help"]).output


def test_check_by_a_name_not_registered_lists_the_candidates(county):
    with pytest.raises(NotFound) as caught:
        check(county, name="西吉县乙建材料有限公司", settings=SETTINGS)
    candidates = caught.value.details["candidates"]
    assert candidates[0]["key"] == E["OFFICER"] and NAMES["OFFICER"] in caught.value.message
    r = runner.invoke(app, ["check", "--name", "乙建材", "--json"], catch_exceptions=False)
    assert r.exit_code == 3 and json.loads(r.output)["error"]["details"]["candidates"][0]["key"] == E["OFFICER"]


def test_an_applicant_with_the_name_of_a_listed_enterprise_slightly_changed_is_linked(county):
    # 西吉县甲商贸有限公司 is listed; a new applicant 西吉县甲商贸易有限公司 is not registered.
    result = check(county, applicant=Applicant("西吉县甲商贸易有限公司"), settings=SETTINGS,
                   as_of=__import__("datetime").date.fromisoformat(AS_OF))
    assert result.verdict == "linked"
    hit = next(h for h in result.hits if h.rule == "similar-name")
    assert hit.party.key == E["LISTED"] and not hit.binding and hit.restrictions
    assert any(NAMES["LISTED"] in n and "相似" in n for n in result.notes)
    # A very similar name of an enterprise that is not restricted: named in the notes, not a hit.
    near_clear = check(county, applicant=Applicant("西吉县戊餐饮店有限公司"), settings=SETTINGS,
                       as_of=__import__("datetime").date.fromisoformat(AS_OF))
    assert near_clear.verdict == "clear" and any(NAMES["CLEAR"] in n for n in near_clear.notes)
    # A name far from every registered one: nothing said about similar names.
    far = check(county, applicant=Applicant("西吉县新办电子商务有限公司"), settings=SETTINGS)
    assert far.verdict == "clear" and not any("相似" in n for n in far.notes)
    # Registered as typed (or with the other company form): the enterprise itself is checked, no similar names.
    registered = check(county, applicant=Applicant("西吉县甲商贸有限责任公司"), settings=SETTINGS)
    assert registered.subject.key == E["LISTED"] and not any(h.rule == "similar-name" for h in registered.hits)


def test_api_search_for_departments(client, keys):
    r = client.get("/api/v1/search", params={"q": "乙建材"}, headers=auth(keys.fdrc))
    assert r.status_code == 200 and r.json()["candidates"][0]["key"] == E["OFFICER"]
    r = client.get("/api/v1/search", params={"q": "张三", "kind": "person"}, headers=auth(keys.fdrc))
    assert r.status_code == 200 and r.json()["candidates"][0]["key"] == P["RESTRICTED"]
    assert client.get("/api/v1/search", params={"q": "乙建材"}).status_code == 401
    for params in ({"q": "乙"}, {"q": "乙建材%"}, {"q": "x" * 201}, {}, {"q": "乙建材", "limit": 99},
                   {"q": "乙建材", "kind": "department"}, {"q": "乙建\x07材"}):
        r = client.get("/api/v1/search", params=params, headers=auth(keys.fdrc))
        assert r.status_code == 422 and set(r.json()["error"]) == {"code", "message", "details"}, params


def test_public_search_ranks_enterprises_only_and_masks(client):
    body = client.get("/api/v1/public/search", params={"q": "乙建材"}).json()
    assert body["match"] == "name" and body["results"][0]["key"] == E["OFFICER"]
    assert body["results"][0]["score"] == 95 and body["results"][0]["reasons"] == ["short name"]
    # A person's name finds no person: the public search asks for enterprises only.
    persons = client.get("/api/v1/public/search", params={"q": "张三"}).json()
    assert all(r["key"] in E.values() for r in persons["results"]) and P["RESTRICTED"] not in json.dumps(persons)
    for q in ("", "乙", "乙建材*", "NEAR(乙建, 材)"):
        r = client.get("/api/v1/public/search", params={"q": q})
        assert r.status_code == 422, q


@pytest.mark.writes
def test_the_index_follows_every_load(county, home, tmp_path):
    """A registry file that renames an enterprise: the new name is found, the old one no longer (same transaction)."""
    path = tmp_path / "rename.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["统一社会信用代码", "企业名称", "登记状态"])
        w.writerow([E["OFFICER"], "西吉县鹏程新材料有限公司", "存续"])
    load_file(county, path, home=home)
    assert found(county, "鹏程新材料")[0].key == E["OFFICER"]
    assert all(c.key != E["OFFICER"] or c.score < 100 for c in found(county, NAMES["OFFICER"]))
    if county.name == "embedded":
        conn = sqlite3.connect(county.path)
        conn.execute("INSERT INTO enterprise_names (enterprise_names) VALUES ('integrity-check')")
        conn.execute("INSERT INTO person_names (person_names) VALUES ('integrity-check')")
        conn.close()


def test_a_store_made_before_the_index_is_upgraded_and_indexed(tmp_path, county_files):
    """An embedded store file of schema version 3 (no name index, OpenCC-less normalised names) opened by this
    version: migrated, indexed, searchable."""
    from graph.stores.embedded import EmbeddedStore
    from graph.stores.sqlite_schema import SCHEMA_VERSION
    home = tmp_path / "home"
    with EmbeddedStore(home) as s:
        for path in county_files.values():
            load_file(s, path, home=home)
    conn = sqlite3.connect(home / "creditnet.sqlite")
    for index in ("enterprise_names", "person_names"):
        for trigger in ("insert", "delete", "update"):
            conn.execute(f"DROP TRIGGER {index}_{trigger}")
        conn.execute(f"DROP TABLE {index}")
    conn.execute("ALTER TABLE enterprise DROP COLUMN name_chars")
    conn.execute("ALTER TABLE person DROP COLUMN name_chars")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with EmbeddedStore(home) as s:
        assert found(s, "乙建材")[0].key == E["OFFICER"] and found(s, "张三", kind="person")[0].key == P["RESTRICTED"]
        s.reset()
        assert found(s, "乙建材") == []
    conn = sqlite3.connect(home / "creditnet.sqlite")
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    conn.execute("INSERT INTO enterprise_names (enterprise_names) VALUES ('integrity-check')")
    conn.close()


def _variations(names: list[str], rng: random.Random) -> list[str]:
    from graph.names import normalise_name, parse_name
    out = []
    for name in names:
        parts = parse_name(normalise_name(name))
        core = parts.core
        i = rng.randrange(len(core))
        out += [core, core[:i] + core[i + 1:] + parts.form, "".join(parts.regions) + core + "有限责任公司"]
    return [q for q in out if len(q) >= 2]


def test_both_stores_give_the_same_candidates_on_real_names(realdata, neo4j_driver, tmp_path):
    """The real Ningxia registry extract in both stores: the same queries give the same candidates, in the same
    order, with the same scores (a sample of names, three ways each)."""
    from graph.stores.embedded import EmbeddedStore
    from graph.stores.neo4j.store import Neo4jStore
    neo4j = Neo4jStore(neo4j_driver, "neo4j", SETTINGS)
    neo4j.reset()
    with EmbeddedStore(tmp_path / "home") as embedded:
        for s in (embedded, neo4j):
            load_file(s, realdata / "ningxia-2003.csv", home=tmp_path / "home")
        with (realdata / "ningxia-2003.csv").open(encoding="utf-8") as f:
            names = sorted({row["企业名称"] for row in csv.DictReader(f) if row["企业名称"]})
        queries = _variations(random.Random(21).sample(names, 40), random.Random(7))
        same = 0
        for q in queries:
            a = [c.as_dict() for c in found(embedded, q)]
            b = [c.as_dict() for c in found(neo4j, q)]
            assert a == b, q
            same += bool(a)
        assert same >= len(queries) * 0.9  # and they do find something
    neo4j.reset()


def _integrity_check(path) -> None:
    conn = sqlite3.connect(path)
    for index in ("enterprise_names", "person_names"):
        conn.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")  # against its table too
    triggers = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    conn.close()
    assert {f"{i}_{t}" for i in ("enterprise_names", "person_names") for t in ("insert", "delete", "update")} <= triggers


@pytest.mark.writes
def test_a_large_file_rebuilds_the_index_with_the_same_answers(realdata, county_files, tmp_path, monkeypatch):
    """A large file drops the name index's triggers and rebuilds it in one pass at its end: the same candidates
    as the row-by-row triggers, a consistent index, its triggers back; a large file that fails midway leaves the
    index and triggers as they were."""
    from graph.stores import embedded_writer
    from graph.stores.embedded import EmbeddedStore
    names = []
    for extract in ("zhejiang-2002.csv", "ningxia-2003.csv"):
        with (realdata / extract).open(encoding="utf-8") as f:
            names += sorted({row["企业名称"] for row in csv.DictReader(f) if row["企业名称"]})
    queries = _variations(random.Random(21).sample(names, 40), random.Random(7)) + ["乙建材", "张三"]
    answers = []
    for rebuild_rows in (10 ** 9, 1):  # row by row, then every multi-batch file rebuilt
        monkeypatch.setattr(embedded_writer, "NAME_REBUILD_ROWS", rebuild_rows)
        home = tmp_path / f"home-{rebuild_rows}"
        with EmbeddedStore(home) as s:
            for path in county_files.values():
                load_file(s, path, home=home)
            for extract in ("zhejiang-2002.csv", "ningxia-2003.csv"):
                load_file(s, realdata / extract, home=home)
            answers.append([[c.as_dict() for c in found(s, q)] + [c.as_dict() for c in found(s, q, kind="person")]
                            for q in queries])
        _integrity_check(home / "creditnet.sqlite")
    assert answers[0] == answers[1] and sum(map(bool, answers[0])) >= len(queries) * 0.9

    # A large file into a store of the county only (so its triggers are dropped), failing after 1,500 rows.
    import graph.ingest
    home = tmp_path / "home-failed"
    real_write_row, written = graph.ingest.write_row, [0]

    def failing(writer, kind, values):
        written[0] += 1
        if written[0] > 1500:
            raise RuntimeError("disk went away")
        real_write_row(writer, kind, values)
    with EmbeddedStore(home) as s:
        for path in county_files.values():
            load_file(s, path, home=home)
        before = [[c.as_dict() for c in found(s, q)] for q in queries]
        monkeypatch.setattr(graph.ingest, "write_row", failing)
        with pytest.raises(RuntimeError):
            load_file(s, realdata / "zhejiang-2002.csv", home=home)
        assert written[0] > 1500
        assert [[c.as_dict() for c in found(s, q)] for q in queries] == before
    _integrity_check(home / "creditnet.sqlite")


@pytest.mark.writes
def test_a_run_too_common_to_count_counts_again_once_fewer_names_hold_it(county, home, tmp_path):
    """Both stores remember, for a data version, the runs of characters too many names hold to count: a load that
    leaves fewer holders makes such a run count again. (A cap of 1 here; the search's is 200.)"""
    from county import uscc
    first, second = uscc(9901), uscc(9902)

    def holders(*terms):
        return sorted((key, n) for key, _, n in county.read(
            lambda r: r.name_candidates("enterprise", list(terms), 1)))

    def registry(rows):
        path = tmp_path / f"registry-{len(list(tmp_path.iterdir()))}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([["统一社会信用代码", "企业名称", "登记状态"], *rows])
        load_file(county, path, home=home)

    registry([[first, "西吉县琥珀琉璃有限公司", "存续"], [second, "西吉县琥珀玻璃有限公司", "存续"]])
    # 琥珀 is held by two names: too common at a cap of 1, asked twice (the second time from what is remembered);
    # 琥珀琉 by one, counted from the names that hold 珀琉.
    assert holders("琥珀") == holders("琥珀") == []
    assert holders("琥珀", "珀琉", "琥珀琉") == [(first, 2)]
    registry([[second, "西吉县玛瑙玻璃有限公司", "存续"]])
    assert holders("琥珀") == [(first, 1)]
    assert holders("琥珀", "珀琉", "琥珀琉", "玛瑙") == [(first, 3), (second, 1)]


def test_a_branch_typed_without_its_head_offices_form_is_read_as_a_branch():
    from graph.names import normalise_name, parse_name
    parts = parse_name(normalise_name("六盘山农业科技西吉分公司"))
    assert (parts.core, parts.form, parts.branch) == ("六盘山农业科技", "", "西吉分公司")
    parts = parse_name(normalise_name("鹏程建材分公司"))
    assert (parts.core, parts.branch) == ("鹏程建材", "分公司")
    # After the head office's form, as registered, the branch is what follows it.
    parts = parse_name(normalise_name("宁夏六盘山农业科技股份有限公司西吉分公司"))
    assert (parts.regions, parts.core, parts.form, parts.branch) == (("宁夏",), "六盘山农业科技", "股份有限公司", "西吉分公司")


def test_the_traditional_characters_reason_is_given_where_the_writing_differs():
    from graph.name_match import TRADITIONAL, TypedName, person_score, score
    assert TRADITIONAL in score(TypedName.of("西吉縣龍騰運輸有限公司"), "西吉县龙腾运输有限公司")[1]
    assert TRADITIONAL in score(TypedName.of("西吉县龙腾运输有限公司"), "西吉縣龍騰運輸有限公司")[1]
    assert score(TypedName.of("西吉縣龍騰運輸有限公司"), "西吉縣龍騰運輸有限公司") == (100, [])
    assert person_score(TypedName.of("龍建軍"), "龍建軍") == (100, [])
    assert person_score(TypedName.of("龙建军"), "龍建軍") == (100, [TRADITIONAL])


@pytest.mark.parametrize("q", ["鹏程＊", "％％", "鹏程？", "＂鹏程建材＂", "ＮＥＡＲ（", "鹏程｜建材"])
def test_full_width_wildcards_are_refused_as_their_ascii_forms_are(county, q):
    with pytest.raises(InvalidRequest) as caught:
        found(county, q)
    assert caught.value.http_status == 422


def test_a_zero_width_space_is_no_part_of_a_name(county):
    """Pasted with a name, or carried in a registry cell: invisible, so neither refused nor counted."""
    from graph.names import normalise_name
    assert normalise_name("西吉县\u200b乙建材\ufeff有限公司") == normalise_name(NAMES["OFFICER"])
    best = found(county, "西吉县乙\u200b建材有限公司")[0]
    assert (best.key, best.score) == (E["OFFICER"], 100)


@pytest.mark.parametrize("name", ["", "乙", "乙建材%", "NEAR(乙建材", "乙\x01建材", "乙" * 201])
def test_check_by_name_refuses_what_the_search_refuses(county, name):
    with pytest.raises(InvalidRequest) as caught:
        check(county, name=name, settings=SETTINGS)
    assert caught.value.exit_code == 2 and caught.value.http_status == 422
    r = runner.invoke(app, ["check", "--name", name, "--json"], catch_exceptions=False)
    assert r.exit_code == 2 and json.loads(r.output)["error"]["code"] == "invalid_request"


def test_a_branch_named_after_a_listed_enterprise_is_linked_never_clear(county):
    """西吉县甲商贸有限公司 is listed. A new applicant named as its branch — with the head office's full name, or
    typed without its county or form — is linked to it for review; a branch of an enterprise that is not
    restricted is only noted."""
    day = __import__("datetime").date.fromisoformat(AS_OF)
    for name in (NAMES["LISTED"] + "西吉分公司", "甲商贸西吉分公司", "西吉县甲商贸有限责任公司分公司"):
        result = check(county, applicant=Applicant(name), settings=SETTINGS, as_of=day)
        assert result.verdict == "linked", name
        hit = next(h for h in result.hits if h.rule == "head-office-named")
        assert hit.party.key == E["LISTED"] and not hit.binding and hit.restrictions, name
    clear = check(county, applicant=Applicant(NAMES["CLEAR"] + "西吉分公司"), settings=SETTINGS, as_of=day)
    assert clear.verdict == "clear" and any(NAMES["CLEAR"] in n and "分支机构" in n for n in clear.notes)


@pytest.mark.writes
def test_a_registered_branch_of_a_listed_enterprise_is_linked_without_a_members_row(county, home, tmp_path):
    """The registry holds a branch under the listed enterprise's name, and no members file ties the two: checked by
    its code, the branch is linked to its restricted head office, not clear."""
    from county import uscc
    branch = uscc(9911)
    path = tmp_path / "branch.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["统一社会信用代码", "企业名称", "登记状态"], [branch, NAMES["LISTED"] + "西吉分公司", "存续"]])
    load_file(county, path, home=home)
    result = check(county, key=branch, settings=SETTINGS, as_of=__import__("datetime").date.fromisoformat(AS_OF))
    assert result.verdict == "linked"
    assert [(h.rule, h.party.key) for h in result.hits] == [("head-office-named", E["LISTED"])]


def test_a_name_typed_without_its_brackets_is_the_registered_name(county):
    """西吉县 某某商贸（集团）有限公司 typed 西吉县某某商贸集团有限公司: the same name, scored 100; a check by that name
    finds it, and says how."""
    best = found(county, "西吉县某某商贸集团有限公司")[0]
    assert (best.key, best.score) == (E["BRACKETS"], 100)
    result = check(county, name="西吉县某某商贸集团有限公司", settings=SETTINGS)
    assert result.subject.key == E["BRACKETS"] and any("括号" in n for n in result.notes)


@pytest.mark.writes
def test_a_person_of_latin_letters_is_found_by_the_name_as_registered(county, home, tmp_path):
    """A legal representative named from a passport (John Smith) has no Han characters for the index to hold: the
    person search finds the name as registered, and only for departments (persons never reach public output)."""
    path = tmp_path / "members.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["统一社会信用代码", "企业名称", "人员类别", "姓名", "证件类型", "证件号码"],
                                 [E["OFFICER"], NAMES["OFFICER"], "董事", "John Smith", "护照", "E12345678"]])
    load_file(county, path, home=home)
    for typed in ("John  Smith", "JOHN SMITH", "john smith", "ＪＯＨＮ ＳＭＩＴＨ"):
        best = found(county, typed, kind="person")
        assert [(c.key, c.name, c.score) for c in best] == [("护照:E12345678", "John Smith", 100)], typed


@pytest.mark.parametrize("written", ["“西吉县甲商贸有限公司”", "「西吉县甲商贸有限公司」", "《西吉县甲商贸有限公司》",
                                     "西吉县甲商贸有限公司。", "西吉县甲商贸有限公司、", "西吉县“甲商贸”有限公司"])
def test_a_listed_name_between_quotation_marks_or_before_a_full_stop_is_that_enterprise(county, written):
    """As a form has it: the quotation marks and the full stop are no part of the name, and never make a listed
    enterprise a new applicant answered clear."""
    result = check(county, applicant=Applicant(written), settings=SETTINGS,
                   as_of=__import__("datetime").date.fromisoformat(AS_OF))
    assert result.subject.key == E["LISTED"] and result.verdict == "restricted", written


@pytest.mark.parametrize("name", ["%", "甲", "西吉县\x01甲商贸有限公司", "西吉县甲商贸有限公司\x00", "甲" * 201, "NEAR(甲商贸"])
def test_an_applicant_name_is_refused_for_what_a_check_by_name_refuses(name):
    with pytest.raises(InvalidRequest) as caught:
        Applicant.from_dict({"name": name})
    assert caught.value.exit_code == 2 and caught.value.details["field"] == "name"


@pytest.mark.parametrize("name", [
    "西吉县甲商贸有限公司（西吉分公司）",            # the branch part in brackets
    "甲商贸(西吉)分公司",                          # the place in brackets, no county, no form
    "西吉县甲商贸有限公司西吉经营部",               # 经营部 after the head office's form
    "甲商贸将台分店",                              # a place no table knows
    "西吉县甲商贸有限公司营业部"])
def test_new_applicants_written_as_branches_of_a_listed_enterprise_are_linked(county, name):
    result = check(county, applicant=Applicant(name), settings=SETTINGS,
                   as_of=__import__("datetime").date.fromisoformat(AS_OF))
    assert result.verdict == "linked", name
    hit = next(h for h in result.hits if h.rule == "head-office-named")
    assert hit.party.key == E["LISTED"], name
    # Each listing once, though two rules may reach it.
    ids = [r["record_id"] for r in hit.restrictions]
    assert ids and len(ids) == len(set(ids)), name


def test_an_enterprise_called_a_sales_department_is_not_a_branch():
    """西吉县甲商贸经营部 is an enterprise of that name (a 经营部 of its own), not a branch of 西吉县甲商贸有限公司."""
    from graph.names import normalise_name, parse_name
    assert parse_name(normalise_name("西吉县甲商贸经营部")).branch == ""
    assert parse_name(normalise_name("西吉县甲商贸有限公司西吉经营部")).branch == "西吉经营部"


@pytest.mark.writes
def test_registered_branches_and_the_head_office_their_name_names(county, home, tmp_path):
    """Registered branches of the listed enterprise that no members file ties to it are linked to it; a branch of a
    registered enterprise that is not restricted is not linked to a restricted one of a similar name."""
    from county import uscc
    rows = {uscc(9921): "甲商贸将台分店", uscc(9922): "西吉县甲商贸有限公司（兴隆分公司）",
            uscc(9923): "西吉县甲商贸易有限公司", uscc(9924): "西吉县甲商贸易有限公司西吉分公司"}
    path = tmp_path / "branches.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["统一社会信用代码", "企业名称", "登记状态"], *[[k, n, "存续"] for k, n in rows.items()]])
    load_file(county, path, home=home)
    day = __import__("datetime").date.fromisoformat(AS_OF)
    for key in (uscc(9921), uscc(9922)):
        result = check(county, key=key, settings=SETTINGS, as_of=day)
        assert [(h.rule, h.party.key) for h in result.hits] == [("head-office-named", E["LISTED"])], rows[key]
    # 西吉县甲商贸易有限公司 is registered and clear: its branch is its, not the listed 甲商贸's.
    assert check(county, key=uscc(9924), settings=SETTINGS, as_of=day).verdict == "clear"
    new = check(county, applicant=Applicant("西吉县甲商贸易有限公司兴隆分公司"), settings=SETTINGS, as_of=day)
    assert not any(h.rule == "head-office-named" for h in new.hits)


@pytest.mark.parametrize("typed,registered", [("西吉县程远建材有限公司", "西吉县鹏程建材有限公司"),
                                              ("西吉县建材有限公司", "西吉县鹏程建材有限公司")])
def test_a_shared_region_does_not_dilute_a_trade_names_differences(typed, registered):
    from graph.name_match import TypedName, score
    from graph.queries.check import SIMILAR_NAME_SCORE
    assert score(TypedName.of(typed), registered)[0] < SIMILAR_NAME_SCORE
