"""The pictures explored in real Chromium (explore.js): zoom and fit, moving, a node's profile, a node's neighbours added
one hop at a time and bounded, and a hit's chain marked in the neighbourhood picture.

A real `creditnet serve` over the county of tests/county.py (every verdict known), once on each store: the embedded
one, and the Neo4j test server (emptied and loaded with the county here; the shared county of other tests is loaded
again after, as conftest.py does when a test changed it). Screenshots at 1400 and 390 px go to
artifacts/screenshots/ (40-explore-…); at 390 px nothing may stick out sideways.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import pytest

import needs
from county import (AS_OF, BLACKLIST_HEADERS, E, ENTERPRISE_HEADERS, MEMBER_HEADERS, NAMES, P, PERSON_NAMES, id_number,
                    uscc, write_county, write_csv)
from servers import serving
from browser_fixtures import _cli
from test_web_browser import ROOT, Tab
from test_web_browser_records import print_to_pdf

from graph.identifiers import mask_id_number

WIDTHS = (1400, 390)
FIGURE = "#result > .figure"

# A crowd beside the county, as a user trial met it: an enterprise whose 监事 is a nominee sitting in 150 enterprises,
# the last of them (in code order) listed. Its neighbourhood picture is cut at the party bound before that one.
CROWD = 150
CROWD_SUBJECT, CROWD_LISTED = uscc(5000), uscc(5010 + CROWD - 1)
NOMINEE, NOMINEE_NAME = id_number(1, "19660606"), "代办乙"


def write_crowd(directory) -> list:
    directory.mkdir(parents=True, exist_ok=True)
    registry, members = [], []

    def enterprise(code, name, head, head_name):
        registry.append([str(len(registry) + 1), code, "", name, "有限责任公司", head_name, "居民身份证", head, "2018-03-01",
                         "存续", "西吉县吉强镇", "西吉县市场监督管理局"])
        members.append([str(len(members) + 1), code, name, "监事", NOMINEE_NAME, "居民身份证", NOMINEE, ""])

    enterprise(CROWD_SUBJECT, "西吉县人丛申请人商贸有限公司", id_number(2, "19660606"), "人丛甲")
    for i in range(CROWD):
        enterprise(uscc(5010 + i), f"西吉县人丛{i:03d}号商贸有限公司", id_number(100 + i, "19660606"), f"人丛代表{i}")
    listed = [["1", CROWD_LISTED, f"西吉县人丛{CROWD - 1:03d}号商贸有限公司", "依据", "测试", "2026-01-10", "",
               "西吉县市场监督管理局", "县财政局", "经营异常名录", "", "", "", ""]]
    return [write_csv(directory / "registry.csv", ENTERPRISE_HEADERS, registry),
            write_csv(directory / "members.csv", MEMBER_HEADERS, members),
            write_csv(directory / "blacklist.csv", BLACKLIST_HEADERS, listed)]


@dataclass
class Served:
    base: str
    admin: str


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def backend(request) -> str:
    """Module-wide here (one server per store); named `backend` so that conftest.py marks the Neo4j half `neo4j`."""
    if request.param == "neo4j" and not os.environ.get("CREDITNET_TEST_NEO4J_URI"):
        needs.unavailable(needs.NEO4J, "no Neo4j server configured: set CREDITNET_TEST_NEO4J_URI")
    return request.param


@pytest.fixture(scope="module")
def served(tmp_path_factory, chromium, backend):
    work = tmp_path_factory.mktemp(f"explore-{backend}")
    env = {**os.environ, "CREDITNET_HOME": str(work / "home"), "CREDITNET_BACKEND": backend,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    if backend == "neo4j":
        env.update(CREDITNET_NEO4J_URI=os.environ["CREDITNET_TEST_NEO4J_URI"],
                   CREDITNET_NEO4J_USER=os.environ.get("CREDITNET_TEST_NEO4J_USER", "neo4j"),
                   CREDITNET_NEO4J_PASSWORD=os.environ.get("CREDITNET_TEST_NEO4J_PASSWORD", ""))
        _cli(env, "reset", "--yes")
    _cli(env, "load", "--quiet", "--json", *map(str, write_county(work / "county").values()))
    _cli(env, "load", "--quiet", "--json", *map(str, write_crowd(work / "crowd")))
    admin = json.loads(_cli(env, "accounts", "add", "县市场监督管理局", "--role", "admin", "--json"))["key"]
    with serving(env, seconds=90) as base:
        yield Served(base, admin)


@pytest.fixture
def tab(chromium, served):
    t = Tab(chromium, served)
    yield t
    t.close()


def node_id(kind: str, key: str, name: str) -> str:
    return f"person:{mask_id_number(key)}:{name}" if kind == "person" else f"enterprise:{key}"


SHARED = node_id("person", P["SHARED"], PERSON_NAMES["SHARED"])
TWO_HOPS, LISTED = f"enterprise:{E['TWO_HOPS']}", f"enterprise:{E['LISTED']}"


def check_only(tab: Tab, key: str, depth: int) -> None:
    """Check `key` on the county's day at `depth`."""
    page = tab.page
    page.fill("#subject", key)
    page.fill("#as-of", AS_OF)
    page.select_option("#depth", str(depth))
    page.click("#check-submit")
    page.locator("#verdict").wait_for()


def check_and_open(tab: Tab, key: str, depth: int) -> None:
    """Check `key` on the county's day at `depth`, and open the neighbourhood picture."""
    page = tab.page
    check_only(tab, key, depth)
    page.get_by_role("button", name=re.compile("关系网络图")).click()
    page.locator(f"{FIGURE} svg g.node").first.wait_for()


def view_box(tab: Tab) -> list[float]:
    return [float(v) for v in tab.page.get_attribute(f"{FIGURE} svg", "viewBox").split()]


def node(tab: Tab, ident: str):
    return tab.page.locator(f"{FIGURE} svg g.node[data-id='{ident}']")


def shots(tab: Tab, name: str) -> None:
    """The page at 1400 and 390 px wide; at 390 nothing sticks out sideways."""
    page = tab.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        tab.shot(f"{name}-{width}")
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide}px wide at {width}px"
    page.set_viewport_size({"width": 1366, "height": 768})


def test_zoom_move_and_fit(tab, served, backend):
    tab.sign_in(served.admin)
    check_and_open(tab, E["TWO_HOPS"], 2)
    page = tab.page
    whole = view_box(tab)
    svg = page.locator(f"{FIGURE} svg")
    assert svg.bounding_box()["width"] > 1000  # as wide as the page, not left at its drawn size
    page.get_by_role("button", name="放大").click()
    svg.scroll_into_view_if_needed()
    zoomed = view_box(tab)
    assert zoomed[2] == pytest.approx(whole[2] / 1.4, rel=0.01) and zoomed[3] < whole[3]
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)  # the wheel zooms in further, about the pointer
    assert view_box(tab)[2] < zoomed[2]
    before = view_box(tab)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 40, steps=6)
    page.mouse.up()
    moved = view_box(tab)
    assert moved[0] < before[0] and moved[1] < before[1] and moved[2:] == before[2:]  # dragged right: the view goes left
    assert page.locator(".explore-panel").is_hidden()  # a drag is not a click
    page.get_by_role("button", name="缩小").click()
    assert view_box(tab)[2] > moved[2]
    shots(tab, "40-explore-zoomed")
    page.get_by_role("button", name="适应屏幕").click()
    assert view_box(tab) == pytest.approx(whole, abs=0.2)
    # from the keyboard: the picture takes the focus, arrows move it, 0 fits it again
    svg.focus()
    page.keyboard.press("ArrowRight")
    assert view_box(tab)[0] != pytest.approx(whole[0], abs=0.2)
    page.keyboard.press("0")
    assert view_box(tab) == pytest.approx(whole, abs=0.2)


def test_a_node_opens_its_profile(tab, served, backend):
    tab.sign_in(served.admin)
    check_and_open(tab, E["TWO_HOPS"], 2)
    page = tab.page
    node(tab, LISTED).click()
    panel = page.locator(".explore-panel")
    assert NAMES["LISTED"] in panel.inner_text() and "受限" in panel.inner_text()
    node(tab, SHARED).click()  # a person: masked, no profile of their own
    text = panel.inner_text()
    assert mask_id_number(P["SHARED"]) in text and P["SHARED"] not in text and "人员没有企业画像" in text
    assert panel.get_by_role("link", name="查看企业画像").count() == 0
    node(tab, LISTED).focus()
    page.keyboard.press("Enter")  # a node is a button for the keyboard too
    panel.get_by_role("link", name="查看企业画像").click()
    page.wait_for_url(re.compile(r"/profile\?code="))
    assert E["LISTED"] in page.url
    page.locator("#profile h2").first.wait_for()
    assert NAMES["LISTED"] in page.inner_text("#profile")


def test_expanding_adds_neighbours_one_hop_at_a_time_and_bounded(tab, served, backend):
    tab.sign_in(served.admin)
    check_and_open(tab, E["TWO_HOPS"], 1)  # one hop: the shared shareholder, not yet what else they own
    page = tab.page
    assert node(tab, SHARED).count() == 1 and node(tab, LISTED).count() == 0
    before = view_box(tab)
    node(tab, SHARED).click()  # a person, asked about as the picture shows them
    page.get_by_role("button", name=re.compile("展开关联主体")).click()
    node(tab, LISTED).wait_for()
    added = node(tab, LISTED)
    assert "restricted" in added.get_attribute("class") and "added" in added.get_attribute("class")
    assert page.locator(f"{FIGURE} g.edge[data-from='{SHARED}'][data-to='{LISTED}']").count() == 1
    assert page.locator(f"{FIGURE} g.node[data-id='{TWO_HOPS}']").count() == 1  # already drawn: not drawn twice
    grown = view_box(tab)
    assert grown[2] * grown[3] > before[2] * before[3]  # the view takes in what was added
    note = page.locator(f"{FIGURE} .explore-note")
    assert "新画出 1 个" in note.inner_text()
    assert page.get_by_role("button", name="已展开").is_disabled()
    # One expansion adds at most Explore.limit (30 in the page; 1 here, the API's bound is the same code path).
    page.evaluate("() => { Explore.limit = 1; }")
    nodes = page.locator(f"{FIGURE} g.node").count()
    added.click()
    page.get_by_role("button", name=re.compile("展开关联主体")).click()
    page.locator(f"{FIGURE} .explore-note", has_text="这次展开了第 1–1 个").wait_for()
    assert page.locator(f"{FIGURE} g.node").count() <= nodes + 1
    calls = [path for _, path, _ in tab.api_calls if path.startswith("/api/v1/render/neighbours")]
    assert len(calls) == 2 and "limit=1" in calls[1] and "via=" in calls[0]
    assert P["SHARED"] not in calls[0]  # asked by the masked number, as the picture shows it
    html = page.locator(f"{FIGURE} svg").inner_html()
    assert all(p not in html for p in P.values())
    shots(tab, "41-explore-expanded")
    # Printed, the picture is whole (every node inside the page's picture) and the page still prints on one sheet.
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert view_box(tab)[2] >= grown[2]
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")


def test_a_hits_chain_is_marked_in_the_neighbourhood(tab, served, backend):
    tab.sign_in(served.admin)
    page = tab.page
    page.fill("#subject", E["TWO_HOPS"])
    page.fill("#as-of", AS_OF)
    page.select_option("#depth", "2")
    page.click("#check-submit")
    page.locator("#verdict").wait_for()
    assert page.get_attribute("#verdict", "data-verdict") == "linked"
    hit = page.locator(f".hit[data-party='{E['LISTED']}']")
    hit.get_by_role("button", name="在网络图中标出").click()  # opens the picture, then marks the chain
    page.locator(f"{FIGURE} svg.highlighting").wait_for()
    marked = page.locator(f"{FIGURE} g.edge.hl")
    ends = {(e.get_attribute("data-from"), e.get_attribute("data-to")) for e in marked.all()}
    assert {(SHARED, TWO_HOPS), (SHARED, LISTED)} <= ends
    assert any(a == LISTED and b.startswith("listing:") for a, b in ends)  # the listing that restricts it
    assert any(a.startswith("department:") for a, _ in ends)  # and who sent it
    assert all(n.get_attribute("data-id") in {a for a, _ in ends} | {b for _, b in ends}
               for n in page.locator(f"{FIGURE} g.node.hl").all())
    # the legal representative of TWO_HOPS is in the picture but not in the chain: faded, not marked
    others = page.locator(f"{FIGURE} g.node[data-kind='person']:not(.hl)")
    assert others.count() >= 1
    assert float(page.evaluate("(g) => getComputedStyle(g).opacity", others.first.element_handle())) < 0.5
    assert "已在图中标出这条关系链" in page.inner_text(f"{FIGURE} .explore-note")
    shots(tab, "42-explore-chain")


CROWD_NOMINEE = node_id("person", NOMINEE, NOMINEE_NAME)
CROWD_LISTED_ID = f"enterprise:{CROWD_LISTED}"


def test_a_large_network_is_reached_by_expanding_again(tab, served, backend):
    """The picture cut at the party bound: the chain's note says so and what to do, and the nominee, expanded again
    and again (30 at a time), brings in every one of their enterprises, the listed last one too."""
    tab.sign_in(served.admin)
    page = tab.page
    check_only(tab, CROWD_SUBJECT, 2)
    page.locator(f".hit[data-party='{CROWD_LISTED}']").get_by_role("button", name="在网络图中标出").click()
    page.locator(f"{FIGURE} svg.highlighting").wait_for()
    assert page.get_attribute(f"{FIGURE} svg", "data-parties-cut")
    assert node(tab, CROWD_LISTED_ID).count() == 0 and node(tab, CROWD_NOMINEE).count() == 1
    note = page.locator(f"{FIGURE} .explore-note")
    said = note.inner_text()
    assert re.search(r"其中 1 个主体不在图中（关系网较大，图中只画出了最近的 \d+ 个主体）", said), said
    assert f"最后一个画出的主体“{NOMINEE_NAME}”" in said and "展开关联主体" in said and "最多 150 个节点" not in said
    # What to click is for the screen: the printed record leaves it out (the hit itself is printed).
    _, pages = print_to_pdf(tab, "43-explore-chain-note")
    printed = "".join(pages).replace(" ", "")
    assert "西吉县人丛149号商贸有限公司" in printed
    assert "不在图中" not in printed and "展开关联主体" not in printed
    node(tab, CROWD_NOMINEE).click()
    page.get_by_role("button", name=re.compile("展开关联主体")).click()
    note.filter(has_text="第 1–30 个关联主体（共 151 个）").wait_for()  # the subject and the 150 enterprises
    again = page.get_by_role("button", name="再展开 30 个（已画出 30 / 共 151 个）")
    assert again.is_enabled()
    drawn = 30
    while drawn < CROWD + 1:
        page.get_by_role("button", name=re.compile(r"^再展开 \d+ 个")).click()
        drawn = min(drawn + 30, CROWD + 1)
        note.filter(has_text=f"–{drawn} 个关联主体（共 151 个）").wait_for()
    assert page.get_by_role("button", name="已展开").is_disabled()
    listed = node(tab, CROWD_LISTED_ID)
    assert listed.count() == 1 and "restricted" in listed.get_attribute("class")
    offsets = [re.search(r"offset=(\d+)", path) for _, path, _ in tab.api_calls
               if path.startswith("/api/v1/render/neighbours")]
    assert [int(m.group(1)) if m else 0 for m in offsets] == [0, 30, 60, 90, 120, 150]
    # Marked again, the chain is whole.
    page.locator(f".hit[data-party='{CROWD_LISTED}']").get_by_role("button", name="在网络图中标出").click()
    note.filter(has_text="已在图中标出这条关系链（红色）").wait_for()
    assert "hl" in listed.get_attribute("class")
    shots(tab, "43-explore-expanded-again")


def test_the_picture_is_one_tab_stop(tab, served, backend):
    """A picture of over a hundred nodes is one Tab stop: Enter goes into its nodes, the arrows move between them,
    Enter selects, Escape goes back to the picture, and Tab goes on past it to the hits."""
    tab.sign_in(served.admin)
    check_and_open(tab, CROWD_SUBJECT, 2)
    page = tab.page
    svg = page.locator(f"{FIGURE} svg")
    assert page.locator(f"{FIGURE} svg g.node").count() > 100
    assert page.locator(f"{FIGURE} svg [tabindex='0']").count() == 0
    focused = "() => { const a = document.activeElement; return [a.tagName, a.getAttribute('data-id')]; }"
    svg.focus()
    page.keyboard.press("Tab")
    tag, _ = page.evaluate(focused)
    assert tag.lower() not in ("g", "svg")  # past the picture at once
    svg.focus()
    page.keyboard.press("Enter")
    tag, first = page.evaluate(focused)
    assert tag == "g" and first
    page.keyboard.press("ArrowRight")
    _, second = page.evaluate(focused)
    assert second and second != first
    page.keyboard.press("Enter")
    panel = page.locator(f"{FIGURE} .explore-panel")
    assert panel.is_visible() and "已选中" in panel.inner_text()
    page.keyboard.press("Escape")
    assert page.evaluate(focused)[0] == "svg"
    before = view_box(tab)
    page.keyboard.press("ArrowLeft")  # on the picture the arrows move it again
    assert view_box(tab)[0] != pytest.approx(before[0], abs=0.2)
    page.keyboard.press("Enter")  # back in: at the selected node
    assert page.evaluate(focused)[1] == second
