"""Every page at a phone's width (390 px) and at an office screen's (1400 px), in real Chromium, and the pages' guards
and uploads as an official at the counter meets them.

The pages are `PAGES` of api/web/pages.py, the one list the server routes: a page added there is loaded here at both
widths without a word in this file. `SAMPLES` says, for the pages that show data, which address fills them and what
to wait for; any other page is loaded as it is. No page may be wider than the screen
(document.scrollingElement.scrollWidth <= innerWidth). Screenshots of every page at both widths are kept in
artifacts/screenshots/screens/ (git-ignored) for a person to look at.

The browser, the demo county and its server are tests/test_web_browser.py's.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from test_web_browser import ARTIFACTS, Tab, tab  # noqa: F401 (tab: a fixture)

from api.web.pages import PAGES
from graph.model import KINDS

WIDTHS = {"wide": {"width": 1400, "height": 900}, "narrow": {"width": 390, "height": 844}}
SCREENS = ARTIFACTS / "screens"


def samples(demo) -> dict[str, tuple[str, str]]:
    """Page path → (the address that fills it with data, what to wait for)."""
    s = demo.s
    core = s["restricted_enterprise"]["name"].removeprefix("西吉县")
    return {
        "/check": (f"/check?key={s['officer_restricted']['key']}", "#verdict"),
        "/profile": (f"/profile?code={s['name_lookup']['key']}", "#profile .timeline"),
        "/department": ("/department", "#dept-result h2"),
        "/public": (f"/public?q={quote(core[:4])}", "#search-result h2"),
        "/public/enterprise": (f"/public/enterprise?code={s['officer_restricted']['key']}", "#public-profile h2"),
    }


def open_applicant_form(page) -> None:
    page.get_by_label("新申请人（填写名称和人员）").check()
    page.click("#add-person")


def open_pictures(page) -> None:
    page.get_by_role("button", name=re.compile("关系网络图")).click()
    page.locator("#result > .figure svg").wait_for()
    page.locator(".hit").first.get_by_role("button", name="查看关系图").click()
    page.locator(".hit .figure svg").first.wait_for()


def explore_picture(page) -> None:
    """The neighbourhood zoomed in, a node selected (its bar of actions open) and a hit's chain marked."""
    open_pictures(page)
    page.get_by_role("button", name="放大").first.click()
    page.locator("#result > .figure g.node[role=button]").first.focus()
    page.keyboard.press("Enter")
    page.locator("#result > .figure .explore-panel").wait_for()
    page.locator(".hit").first.get_by_role("button", name="在网络图中标出").click()
    page.locator("#result > .figure svg.highlighting").wait_for()


# States of a page beyond its first screen that are as wide as it gets: (name, page path, what to do there).
STATES = (("check-applicant", "/check", open_applicant_form), ("check-pictures", "/check", open_pictures),
          ("check-explored", "/check", explore_picture))


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "index"


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen(tab, demo, width):
    tab.sign_in(demo.admin)
    page = tab.page
    page.set_viewport_size(WIDTHS[width])
    SCREENS.mkdir(parents=True, exist_ok=True)
    filled = samples(demo)
    too_wide = {}
    for p in PAGES:
        address, ready = filled.get(p.path, (p.path, None))
        tab.goto(address)
        if ready:
            page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")
        scroll, inner = _overflow(page)
        if scroll > inner:
            too_wide[address] = scroll
        page.screenshot(path=str(SCREENS / f"{width}-{_slug(p.path)}.png"), full_page=True)
    for name, path, action in STATES:
        address, ready = filled.get(path, (path, None))
        tab.goto(address)
        if ready:
            page.locator(ready).first.wait_for()
        action(page)
        scroll, inner = _overflow(page)
        if scroll > inner:
            too_wide[name] = scroll
        page.screenshot(path=str(SCREENS / f"{width}-{name}.png"), full_page=True)
    assert too_wide == {}, f"wider than the {WIDTHS[width]['width']} px screen: {too_wide}"


def test_a_phone_gets_a_folded_menu_cards_and_a_readable_timeline(tab, demo):
    tab.sign_in(demo.admin)
    page = tab.page
    page.set_viewport_size(WIDTHS["narrow"])
    address, ready = samples(demo)["/profile"]
    tab.goto(address)
    page.locator(ready).wait_for()
    # The header is one row: the brand and 菜单; the navigation opens below it and closes again.
    assert page.locator("#main-nav").is_hidden() and page.locator(".top").bounding_box()["height"] < 60
    toggle = page.get_by_role("button", name="菜单")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="报送数据").is_visible() and page.locator("#sign-out").is_visible()
    page.screenshot(path=str(SCREENS / "narrow-menu-open.png"))
    toggle.click()
    assert page.locator("#main-nav").is_hidden()
    # Tables are cards: no header row to read across, each cell says its column.
    table = page.locator("#profile table.cards").first
    assert table.locator("thead").bounding_box()["height"] <= 1
    cell = table.locator("tbody td").first
    label = cell.get_attribute("data-label")
    assert label and page.evaluate("(td) => getComputedStyle(td, '::before').content", cell.element_handle()) == f'"{label}"'
    # The timeline's year labels do not run into each other, nor off the page.
    boxes = page.evaluate("""() => [...document.querySelectorAll('#profile .timeline .tick')]
        .filter(t => !t.hidden).map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })""")
    assert len(boxes) >= 2, boxes
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:])), f"year labels overlap: {boxes}"
    assert all(0 <= left and right <= WIDTHS["narrow"]["width"] for left, right in boxes)


# --- input guards ---------------------------------------------------------------------------------------------
def _a_long_name_is_told_on_every_page(tab) -> None:
    """Every name field keeps a pasted 227-character name whole and says how long it is, without asking the server
    (a maxlength of 200 cut it silently, and the shortened name then matched nothing)."""
    page = tab.page
    long = "西吉县" + "某" * 220 + "有限公司"
    assert len(long) == 227
    told = "最多 200 个字，您输入了 227 个字"
    before = len(tab.api_calls)
    page.check("input[name=mode][value=applicant]")
    page.fill("#app-name", long)
    page.click("#check-submit")
    assert page.inner_text("#check-error") == f"企业名称{told}：请只输入企业名称"
    page.fill("#app-name", "西吉县新申请人商贸有限公司")
    page.fill("#persons input[data-field=name]", "某" * 227)
    page.fill("#persons input[data-field=id_number]", "640422198001010011")
    page.click("#check-submit")
    assert page.inner_text("#check-error") == f"姓名{told}：请只输入姓名"
    assert [c for c in tab.api_calls[before:] if c[1].startswith("/api/v1/checks")] == []
    for path, field, error, what in (("/profile", "#code", "#profile-error", "企业名称"),
                                     ("/checks", "#subject", "#checks-error", "核查对象")):
        tab.goto(path)
        page.fill(field, long)
        assert len(page.input_value(field)) == 227
        page.press(field, "Enter")
        page.locator(error).wait_for()
        assert page.inner_text(error) == f"{what}{told}：请只输入{what}", path
    tab.goto("/public")
    page.fill("#q", long)
    page.press("#q", "Enter")
    page.locator("#search-error").wait_for()
    assert page.inner_text("#search-error") == f"企业名称{told}：请只输入企业名称"
    tab.goto("/check")


def test_what_is_typed_wrong_is_said_in_the_officials_words(tab, demo):
    tab.sign_in(demo.admin)
    page = tab.page
    error = page.locator("#check-error")
    before = len(tab.api_calls)
    page.fill("#subject", "91640422MA7XXXXXX")  # 17 characters: a code one short, not a name
    page.press("#subject", "Enter")
    assert error.inner_text() == "代码应为 18 位，您输入了 17 位"
    assert [c for c in tab.api_calls[before:] if c[1].startswith("/api/v1/checks")] == []
    # A name pasted past the API's 200 is kept whole, and the page says how long it is instead of asking for it.
    page.fill("#subject", "某" * 227)
    assert len(page.input_value("#subject")) == 227
    page.click("#check-submit")
    assert error.inner_text() == "企业名称最多 200 个字，您输入了 227 个字：请只输入企业名称"
    assert [c for c in tab.api_calls[before:] if c[1].startswith("/api/v1/checks")] == []
    assert page.get_attribute("#app-uscc", "maxlength") == "64"
    assert page.get_attribute("#persons input[data-field=id_number]", "maxlength") == "64"
    tab.shot("30-check-code-too-short")
    _a_long_name_is_told_on_every_page(tab)
    # A prompt is a prompt, not a crash.
    tab.goto("/profile")
    page.click("#profile-form button[type=submit]")
    assert page.inner_text("#profile-error") == "请输入统一社会信用代码或注册号"
    page.fill("#code", "91640422MA7XXXXXXXX")
    page.press("#code", "Enter")
    assert page.inner_text("#profile-error") == "代码应为 18 位，您输入了 19 位"
    # What the server answers outside the API's own words is put in the official's.
    messages = page.evaluate("""async () => {
        const said = async (url) => { try { await CN.getJSON(url); return 'no error'; } catch (e) { return e.message; } };
        return [await said('/api/v1/no-such-thing'), await said('/api/v1/public/search?q=' + '某'.repeat(30000))]; }""")
    assert messages[0] == "系统中没有这项功能，可能是页面已过期：请刷新页面后重试；如仍出现，请联系县市场监督管理局"
    assert messages[1] == "输入的内容太长或含有无法识别的字符，请检查后重试"
    tab.goto("/public")
    page.evaluate("() => document.getElementById('q').removeAttribute('maxlength')")
    page.fill("#q", "某" * 10_000)
    page.press("#q", "Enter")
    assert page.inner_text("#search-error") == "企业名称最多 200 个字，您输入了 10000 个字：请只输入企业名称"


# --- uploads --------------------------------------------------------------------------------------------------
def test_an_upload_rejects_another_departments_row_and_offers_the_rejects_and_templates(tab, demo, tmp_path):
    """县司法局 sends its list with a row the court sent: its own row loads, the court's and a mistyped one are
    listed with 序号 and name beside the line number, and the rejects file comes back as a download."""
    tab.sign_in(demo.department)
    tab.goto("/upload")
    page = tab.page
    headers = ["序号", *(f.header for f in KINDS["blacklist"].fields)]

    def row(serial: str, code: str, name: str, sender: str) -> list[str]:
        values = {"序号": serial, "统一社会信用代码（企业注册号）": code, "企业名称": name, "限制法律依据": "《测试依据》",
                  "法律描述": "测试", "限制期限自": "2026-01-01", "信息发送部门名称": sender, "信息接收部门名称": "县财政局",
                  "信息类型": "黑名单"}
        return [values.get(h, "") for h in headers]

    s = demo.s
    path = tmp_path / "司法局名单.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([headers, row("SF-1", s["clear"]["key"], s["clear"]["name"], "西吉县司法局"),
                                  row("SF-2", s["expired_only"]["key"], s["expired_only"]["name"], "县法院"),
                                  row("SF-3", "911000001000044477", "校验位错误公司", "县司法局")])
    page.set_input_files("#file", str(path))
    page.click("#upload-submit")
    page.locator("#upload-result h2").wait_for()
    assert page.inner_text("#loaded-count") == "1" and page.inner_text("#rejected-count") == "2"
    rows = [r.locator("td").all_inner_texts() for r in page.locator("table.rejects tbody tr").all()]
    assert [r[:4] for r in rows] == [["3", "SF-2", s["expired_only"]["name"], "信息发送部门名称"],
                                     ["4", "SF-3", "校验位错误公司", "统一社会信用代码（企业注册号）"]]
    assert "县法院" in rows[0][4] and "只能报送本部门的记录" in rows[0][4] and "(" not in rows[0][4]
    tab.shot("31-upload-rejects")
    with page.expect_download() as download:
        page.click("#rejects-download")
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith("未载入的行.csv")
    lines = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert lines[0][:4] == ["行号", "字段", "原因", "序号"] and [r[3] for r in lines[1:]] == ["SF-2", "SF-3"]
    # A template per class, with the seed's headers, CSV and Excel.
    page.select_option("#kind", "penalty")
    assert page.inner_text("#template-kind") == "行政处罚"
    with page.expect_download() as download:
        page.click("#template-csv")
    body = download.value.path().read_bytes()
    assert body.startswith("\ufeff".encode()) and download.value.suggested_filename == "行政处罚模板.csv"
    assert next(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == ["序号", *(f.header for f in KINDS["penalty"].fields)]
    with page.expect_download() as download:
        page.click("#template-xlsx")
    with open(download.value.path(), "rb") as fh:
        sheet = load_workbook(fh).active
    assert [c.value for c in sheet[1]] == ["序号", *(f.header for f in KINDS["penalty"].fields)]
    assert re.fullmatch(r"行政处罚模板\.xlsx", download.value.suggested_filename)
