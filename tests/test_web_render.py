"""graph/render.py: the pictures of why — valid SVG, the right labels, masked IDs, escaped names, layouts."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from county import AS_OF, E, NAMES, P, PERSON_NAMES

from graph.identifiers import mask_id_number
from graph.queries.check import check
from graph.render import (NODE_H, chain_layout, chain_picture, chain_svg, neighbourhood_picture, neighbourhood_svg,
                          node_width, spread_layout)
from graph.settings import get_settings

SVG_NS = "{http://www.w3.org/2000/svg}"
ON = date.fromisoformat(AS_OF)


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # valid XML, or this raises
    assert root.tag == f"{SVG_NS}svg"
    return [t.text or "" for t in root.iter() if t.tag in (f"{SVG_NS}text", f"{SVG_NS}title")]


def person(key: str, name: str) -> dict:
    return {"kind": "person", "key": key, "name": name}


def enterprise(key: str, name: str) -> dict:
    return {"kind": "enterprise", "key": key, "name": name}


def listing(**kw) -> dict:
    return {"type": "失信被执行人", "basis": "依据", "description": "", "valid_from": "2026-01-01", "valid_to": None,
            "sender": "县法院", "receivers": ["县财政局"], "status": "active", **kw}


def test_chain_from_a_check_names_everyone_masks_ids_and_draws_left_to_right(county):
    result = check(county, settings=get_settings(), key=E["OFFICER"], as_of=ON).as_dict()
    [hit] = [h for h in result["hits"] if h["rule"] == "officer-restricted"]
    svg = chain_svg(hit, result["subject"])
    labels = " ".join(texts(svg))
    for text in (NAMES["OFFICER"], PERSON_NAMES["RESTRICTED"], "失信被执行人", "县法院", "法定代表人", "被列入", "发送",
                 mask_id_number(P["RESTRICTED"]), "受限"):
        assert text in labels, text
    assert P["RESTRICTED"] not in svg  # printed for the case file: masked whoever asks
    picture = chain_picture(hit, result["subject"])
    pos = chain_layout(picture.graph)
    subject, who = ("enterprise", E["OFFICER"]), ("person", P["RESTRICTED"])
    listing_node = next(n for n in picture.graph if n[0] == "listing")
    department = ("department", "县法院")
    assert pos[subject][0] < pos[who][0] < pos[listing_node][0] < pos[department][0]
    assert picture.graph.nodes[who]["restricted"] and picture.graph.nodes[subject]["subject"]
    assert not picture.graph.nodes[subject]["restricted"]


def test_three_year_bar_chain_runs_subject_head_barred():
    head, subject, barred = person(P["HEAD"], "李四"), enterprise(E["BAR"], NAMES["BAR"]), enterprise(E["SERIOUS"], NAMES["SERIOUS"])
    hit = {"party": barred, "hops": 2, "binding": True, "rule": "three-year-bar",
           "path": [{"source": head, "relation": "法定代表人", "roles": ["法定代表人"], "target": subject},
                    {"source": head, "relation": "法定代表人", "roles": ["法定代表人"], "target": barred}],
           "restrictions": [listing(type="严重违法失信企业名单", sender="县市场监督管理局")]}
    picture = chain_picture(hit, subject)
    layers = {n: a["layer"] for n, a in picture.graph.nodes(data=True)}
    assert [layers[("enterprise", E["BAR"])], layers[("person", P["HEAD"])], layers[("enterprise", E["SERIOUS"])]] == [0, 1, 2]
    assert picture.title == f"关系链：{NAMES['BAR']} → {NAMES['SERIOUS']}"


def test_subject_listed_chain_is_the_subject_and_its_listings():
    subject = enterprise(E["LISTED"], NAMES["LISTED"])
    hit = {"party": subject, "hops": 0, "binding": True, "rule": "subject-listed", "path": [],
           "restrictions": [listing(), listing(type="黑名单", sender="县发改局")]}
    picture = chain_picture(hit, subject)
    kinds = sorted(a["kind"] for _, a in picture.graph.nodes(data=True))
    assert kinds == ["department", "department", "enterprise", "listing", "listing"]
    assert "本身被列入名单" in picture.title
    labels = texts(chain_svg(hit, subject))
    assert "2026-01-01 起，无截止日期" in labels


def test_names_are_escaped_never_markup():
    evil = "<script>alert('x')</script>&\"公司\""
    subject = enterprise(E["CLEAR"], evil)
    hit = {"party": person(P["CLEAN"], "<b>赵六</b>"), "hops": 1, "binding": False, "rule": None,
           "path": [{"source": person(P["CLEAN"], "<b>赵六</b>"), "relation": "股东", "roles": ["股<东>"], "target": subject}],
           "restrictions": [listing(type="<img src=x onerror=alert(1)>", sender="县<法院>")]}
    svg = chain_svg(hit, subject)
    root = ET.fromstring(svg)
    tags = {el.tag.replace(SVG_NS, "") for el in root.iter()}
    assert not tags & {"script", "img", "b", "foreignObject"}
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert not any(a.startswith("on") for el in root.iter() for a in el.attrib)
    joined = " ".join(texts(svg))
    assert "<script>alert('x')</script>" in joined  # shown as text, not run
    assert "<img src=x onerror=alert(1)>"[:10] in joined


def test_long_labels_are_clipped_and_kept_whole_in_the_tooltip():
    name = "西吉县" + "很长的名字" * 8 + "有限公司"
    subject = enterprise(E["CLEAR"], name)
    svg = chain_svg({"party": subject, "hops": 0, "binding": True, "rule": "subject-listed", "path": [],
                     "restrictions": [listing()]}, subject)
    shown = texts(svg)
    assert any(t.endswith("…") and t.startswith("西吉县很长") for t in shown)
    assert any(name in t for t in shown)  # the node's <title>


def test_neighbourhood_shows_parties_roles_listings_and_highlights_the_restricted(county):
    picture = neighbourhood_picture(county, key=E["TWO_HOPS"], as_of=ON, depth=2)
    g = picture.graph
    assert g.nodes[("enterprise", E["TWO_HOPS"])]["subject"]
    assert g.nodes[("enterprise", E["LISTED"])]["restricted"]
    assert not g.nodes[("person", P["SHARED"])]["restricted"]
    assert g.edges[("person", P["SHARED"]), ("enterprise", E["LISTED"])]["label"] == "股东"
    assert any(a["kind"] == "listing" and a["label"] == "经营异常名录" for _, a in g.nodes(data=True))
    assert ("department", "县市场监督管理局") in g
    svg = neighbourhood_svg(picture)
    labels = " ".join(texts(svg))
    assert NAMES["TWO_HOPS"] in labels and NAMES["LISTED"] in labels and mask_id_number(P["SHARED"]) in labels
    assert P["SHARED"] not in svg
    assert picture.data_version == county.data_version() and not picture.truncated


def test_neighbourhood_of_a_person_by_id_and_of_an_enterprise_by_name(county):
    by_id = neighbourhood_picture(county, key=P["RESTRICTED"], as_of=ON, depth=1)
    assert by_id.graph.nodes[("person", P["RESTRICTED"])]["restricted"]
    assert {("enterprise", E["OFFICER"]), ("enterprise", E["SHAREHOLDER_ONLY"])} <= set(by_id.graph)
    by_name = neighbourhood_picture(county, name=NAMES["CHAIN"], as_of=ON, depth=3)
    assert ("enterprise", E["LISTED"]) in by_name.graph  # CHAIN → C1 → C2 → LISTED


def test_expired_listings_do_not_highlight(county):
    g = neighbourhood_picture(county, key=E["EXPIRED"], as_of=ON, depth=1).graph
    assert not g.nodes[("enterprise", E["EXPIRED"])]["restricted"]
    assert not any(a["kind"] == "listing" for _, a in g.nodes(data=True))


def test_neighbourhood_is_capped_with_a_note(county):
    picture = neighbourhood_picture(county, key=E["CHAIN"], as_of=ON, depth=3, max_nodes=3)
    assert picture.graph.number_of_nodes() <= 3 and picture.truncated
    assert any("只画出了最近的" in n for n in picture.notes)
    assert "只画出了最近的" in neighbourhood_svg(picture)


def test_spread_layout_is_deterministic_and_boxes_do_not_overlap():
    import networkx as nx

    g = nx.DiGraph()
    hub = ("person", "hub")
    g.add_node(hub, kind="person", label="中心人物", sub="640422********0000", layer=0)
    for i in range(40):
        n = ("enterprise", f"e{i}")
        g.add_node(n, kind="enterprise", label=f"西吉县第{i}号商贸有限公司", sub=f"9164042200000{i:04d}", layer=1)
        g.add_edge(hub, n, label="股东")
    pos = spread_layout(g)
    assert pos == spread_layout(g)
    nodes = list(g)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            overlap_x = (node_width(g.nodes[a]) + node_width(g.nodes[b])) / 2 - abs(pos[a][0] - pos[b][0])
            overlap_y = NODE_H - abs(pos[a][1] - pos[b][1])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)


def test_each_picture_names_its_own_arrow_marker():
    """A page shows several pictures; url(#id) resolves to the first such id in the page, hidden or not."""
    subject = enterprise(E["LISTED"], NAMES["LISTED"])
    one = chain_svg({"party": subject, "hops": 0, "binding": True, "rule": "subject-listed", "path": [],
                     "restrictions": [listing()]}, subject)
    other = chain_svg({"party": subject, "hops": 0, "binding": True, "rule": "subject-listed", "path": [],
                       "restrictions": [listing(type="黑名单")]}, subject)
    ids = []
    for svg in (one, other):
        root = ET.fromstring(svg)
        [marker] = [m.get("id") for m in root.iter(f"{SVG_NS}marker")]
        refs = {line.get("marker-end") for line in root.iter(f"{SVG_NS}line")}
        assert refs == {f"url(#{marker})"}
        ids.append(marker)
    assert ids[0] != ids[1]
