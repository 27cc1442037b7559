"""Branches read the right way round, whichever way the registry wrote them, on every store.

A member row on enterprise X naming Y with 分支机构 says Y is a branch of X; a row on X naming Y with 隶属企业 says
Y is the enterprise X belongs to (X is the branch). Either way a chain reads "the branch is the 分支机构 of its
head office": the JSON step (source = branch, relation 分支机构, target = head office), the text, the pictures'
arrows (branch → head office) and, on Neo4j, the stored relationship (branch)-[:BRANCH_OF]->(head office).
"""
from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from cli.render import chain_text
from county import AS_OF, BLACKLIST_HEADERS, ENTERPRISE_HEADERS, MEMBER_HEADERS, id_number, uscc
from graph.ingest import load_file
from graph.queries.check import check
from graph.queries.profile import profile
from graph.render import chain_picture, chain_svg, neighbourhood_picture
from graph.settings import get_settings

ON = date.fromisoformat(AS_OF)
HEAD, BRANCH = uscc(701), uscc(702)
HEAD_NAME, BRANCH_NAME = "西吉县宁丰商贸有限公司", "西吉县宁丰商贸有限公司兴隆分公司"
FORMS = ("分支机构", "隶属企业")


def _write(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        out.writerows(rows)
    return path


def branch_files(directory: Path, form: str) -> list[Path]:
    """The registry of a head office and its branch, the tie written as `form`, and the head office listed."""
    directory.mkdir(parents=True, exist_ok=True)
    rep = id_number(701, "19700303")
    enterprises = _write(directory / "enterprise.csv", ENTERPRISE_HEADERS, [
        ["1", HEAD, "", HEAD_NAME, "有限责任公司", "马一", "居民身份证", rep, "2015-01-01", "存续", "西吉县", "西吉县市场监督管理局"],
        ["2", BRANCH, "", BRANCH_NAME, "有限责任公司分公司", "马二", "", "", "2018-01-01", "存续", "西吉县兴隆镇",
         "西吉县市场监督管理局"]])
    if form == "分支机构":  # on the head office's record, naming its branch
        tie = ["1", HEAD, HEAD_NAME, "分支机构", BRANCH_NAME, "统一社会信用代码", BRANCH, ""]
    else:                   # on the branch's record, naming the enterprise it belongs to
        tie = ["1", BRANCH, BRANCH_NAME, "隶属企业", HEAD_NAME, "统一社会信用代码", HEAD, ""]
    members = _write(directory / "member.csv", MEMBER_HEADERS, [tie])
    listing = _write(directory / "blacklist.csv", BLACKLIST_HEADERS, [
        ["1", HEAD, HEAD_NAME, "《企业信息公示暂行条例》第十七条", "未按期公示年报", "2026-01-10", "",
         "县市场监督管理局", "县财政局", "经营异常名录", "", "", "", ""]])
    return [enterprises, members, listing]


@pytest.fixture(params=FORMS)
def branch_store(request, store, home, tmp_path):
    for path in branch_files(tmp_path / "files", request.param):
        load_file(store, path, home=home)
    return store


STEP = {"source": {"kind": "enterprise", "key": BRANCH, "name": BRANCH_NAME}, "relation": "分支机构",
        "roles": ["分支机构"], "target": {"kind": "enterprise", "key": HEAD, "name": HEAD_NAME},
        "until": None}
TEXT = f"{BRANCH_NAME}（{BRANCH}） 是 {HEAD_NAME}（{HEAD}） 的分支机构"


def test_a_branch_checked_reaches_its_head_office_as_its_branch(branch_store):
    r = check(branch_store, settings=get_settings(), key=BRANCH, as_of=ON)
    assert r.verdict == "linked"
    [hit] = r.hits
    assert hit.party.key == HEAD and hit.hops == 1 and not hit.binding
    assert hit.path == [STEP]
    assert chain_text(hit.path) == TEXT


def test_a_head_office_checked_reads_the_same_step(branch_store):
    # Listed itself, it is its own hit; its branch is within reach, and the edge still points branch → head.
    r = check(branch_store, settings=get_settings(), key=HEAD, as_of=ON)
    assert r.verdict == "restricted" and [h.party.key for h in r.hits] == [HEAD] and r.hits[0].path == []
    with branch_store.reader() as reader:
        [edge] = [e for e in reader.members_of(HEAD) if e.member.kind == "enterprise"]
        assert (edge.member.key, edge.enterprise.key, tuple(edge.roles)) == (BRANCH, HEAD, ("分支机构",))
        assert [e for e in reader.members_of(BRANCH) if e.member.kind == "enterprise"] == []


def test_profiles_show_the_branch_under_its_head_office(branch_store):
    head = profile(branch_store, HEAD, ON)["enterprise"]
    assert [(m["party"]["key"], m["roles"]) for m in head["members"] if m["party"]["kind"] == "enterprise"] == \
        [(BRANCH, ["分支机构"])]
    assert head["holds_roles_in"] == []
    branch = profile(branch_store, BRANCH, ON)["enterprise"]
    assert [(m["party"]["key"], m["roles"]) for m in branch["holds_roles_in"]] == [(HEAD, ["分支机构"])]
    assert [m for m in branch["members"] if m["party"]["kind"] == "enterprise"] == []


def _arrow(svg: str, label: str) -> tuple[float, float]:
    """x1 and x2 of the line drawn for the edge labelled `label` (its arrowhead sits at x2)."""
    m = re.search(r'<line x1="([\d.-]+)" y1="[\d.-]+" x2="([\d.-]+)"[^>]*/><text[^>]*>' + re.escape(label) + "</text>",
                  svg)
    assert m, f"no edge labelled {label}"
    return float(m.group(1)), float(m.group(2))


def test_pictures_point_from_the_branch_to_its_head_office(branch_store):
    r = check(branch_store, settings=get_settings(), key=BRANCH, as_of=ON).as_dict()
    [hit] = r["hits"]
    picture = chain_picture(hit, r["subject"])
    b, h = ("enterprise", BRANCH), ("enterprise", HEAD)
    assert picture.graph.has_edge(b, h) and not picture.graph.has_edge(h, b)
    assert picture.graph.edges[b, h]["label"] == "分支机构"
    x1, x2 = _arrow(chain_svg(hit, r["subject"]), "分支机构")
    assert x1 < x2  # the subject (the branch) is drawn on the left, its head office to the right: the arrow points right
    around = neighbourhood_picture(branch_store, key=HEAD, as_of=ON, depth=1).graph
    assert around.has_edge(b, h) and not around.has_edge(h, b)
    assert around.edges[b, h]["label"] == "分支机构"


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_browser_sees_the_branch_pointing_to_its_head_office(branch_store):
    from test_browser_queries import graph_of, saved
    q = saved("everything under this enterprise")
    with branch_store.driver.session(database=branch_store.database) as s:
        records = list(s.run(q.cypher, code=BRANCH))
    [rel] = [r for r in graph_of(records).relationships.values() if r.type == "BRANCH_OF"]
    assert (rel.start_node["uscc"], rel.end_node["uscc"], rel["role"]) == (BRANCH, HEAD, "分支机构")


def test_a_file_read_by_a_second_process_is_turned_the_same(store, home, tmp_path, monkeypatch):
    import graph.loaders.pipeline as pipeline
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)  # every file read and validated in a forked child
    for path in branch_files(tmp_path / "files", "隶属企业"):
        load_file(store, path, home=home)
    assert check(store, settings=get_settings(), key=BRANCH, as_of=ON).hits[0].path == [STEP]
