"""Status at a glance, checks that reopen at their own address, and the record that is filed: in headless Chromium
against a real `creditnet serve` over the demo county (the fixtures of tests/test_web_browser.py).

Each page is also photographed 1400 and 390 pixels wide, and must not scroll sideways at 390; the pictures, the
printed records (PDF, through Chrome DevTools' Page.printToPDF) and the exports go to artifacts/screenshots/
(git-ignored), named 3x-…, for a person to look at.
"""
from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook

from pdf_text import pages_text
from test_web_browser import ARTIFACTS, Tab, check, tab  # noqa: F401 (tab: a fixture)
from web_fixtures import unmasked_id_numbers

from graph.identifiers import mask_id_number

WIDTHS = (1400, 390)  # an office screen, a phone


def shots(tab: Tab, name: str) -> None:
    """Photograph the page at each width; at 390 px nothing may stick out sideways."""
    page = tab.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)  # a layout pass after the resize
        tab.shot(f"{name}-{width}")
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide}px wide at {width}px"
    page.set_viewport_size({"width": 1366, "height": 768})


def print_to_pdf(tab: Tab, name: str) -> tuple[bytes, list[str]]:
    """Print the page as Chromium prints it (its own page size from the CSS: A4); keep the PDF; each page's text."""
    cdp = tab.page.context.new_cdp_session(tab.page)
    try:
        data = cdp.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"]
    finally:
        cdp.detach()
    pdf = base64.b64decode(data)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    return pdf, pages_text(pdf)


def core(name: str) -> str:
    """A name as an official types it: no county, no company form."""
    name = name.removeprefix("西吉县")
    for form in ("有限责任公司", "有限公司"):
        name = name.removesuffix(form)
    return name


# --- 1. status at a glance -------------------------------------------------------------------------------------
def test_a_profile_opens_with_its_status(tab, demo):
    tab.sign_in(demo.department)
    page, s = tab.page, demo.s
    person = s["restricted_person"]
    cases = [
        # its own listing names its legal representative: one listing, said once
        (person["listed_via"], "restricted", ["当前受限", "有效名单 1 条", "失信被执行人", person["name"], "同一名单"]),
        # no listing of its own: its legal representative headed an enterprise on the serious list a year ago
        (s["three_year_bar"]["key"], "restricted", ["当前受限", "本企业无有效名单", "未满三年"]),
        (s["expired_only"]["key"], "clear", ["未发现", "不在有效期内的名单 1 条"]),
        (s["clear"]["key"], "clear", ["未发现", "未发现名单记录"]),
    ]
    for code, state, words in cases:
        tab.goto(f"/profile?code={code}")
        banner = page.locator("#profile .standing")
        banner.wait_for()
        assert banner.get_attribute("data-standing") == state, code
        text = banner.inner_text()
        assert all(w in text for w in words), (code, text)
        # at a glance: the first thing under the form, above the registry data
        assert page.locator("#profile > *").first.get_attribute("data-standing") == state
        if code == person["listed_via"]:
            shots(tab, "30-profile-status")


def test_public_records_and_search_results_show_the_status(tab, demo):
    page, s = tab.page, demo.s
    listed = s["restricted_enterprise"]
    tab.goto(f"/public/enterprise?code={listed['key']}")
    banner = page.locator("#public-profile .standing")
    banner.wait_for()
    assert banner.get_attribute("data-standing") == "restricted"
    assert "当前受限" in banner.inner_text() and "有效名单 1 条" in banner.inner_text()
    assert unmasked_id_numbers(page.content()) == []
    shots(tab, "31-public-profile-status")
    # the public record counts the enterprise's own listings, and says so
    tab.goto(f"/public/enterprise?code={s['clear']['key']}")
    page.locator("#public-profile .standing").wait_for()
    assert page.get_attribute("#public-profile .standing", "data-standing") == "clear"
    assert "仅反映本企业自身的名单信息" in page.inner_text("#public-profile .standing")

    for query, key, badge in ((core(listed["name"]), listed["key"], "当前受限 · 有效名单 1 条"),
                              (s["clear"]["key"], s["clear"]["key"], "未发现有效名单")):
        tab.goto("/public")
        page.fill("#q", query)
        page.press("#q", "Enter")
        result = page.locator("#search-result ul.results li", has=page.locator(f"a[href$='{key}']"))
        result.wait_for()
        assert result.locator(".standing-badge").inner_text() == badge
        assert page.locator("ul.suggestions").is_hidden()  # Enter searched: no suggestions left over the results
        if key == listed["key"]:
            shots(tab, "32-public-search-status")


def test_suggestions_say_which_names_are_restricted(tab, demo):
    page, s = tab.page, demo.s
    listed, clear = s["restricted_enterprise"], s["clear"]
    for path, field in (("/public", "#q"), ("/check", "#subject")):  # the public search's answer, the departments'
        if path == "/check":
            tab.sign_in(demo.department)
        else:
            tab.goto(path)
        for enterprise, restricted in ((listed, True), (clear, False)):
            page.fill(field, "")
            page.click(field)
            page.keyboard.type(core(enterprise["name"]), delay=30)
            option = page.locator(f"ul.suggestions li[data-key='{enterprise['key']}']")
            option.wait_for()
            assert ("当前受限" in option.inner_text()) == restricted, (path, enterprise["name"])
            page.keyboard.press("Escape")


# --- 1. one listing through two parties ------------------------------------------------------------------------
def test_one_listing_reached_through_two_parties_reads_as_one(tab, demo):
    tab.sign_in(demo.department)
    page = tab.page
    check(tab, demo.s["officer_restricted"]["key"], "restricted")
    assert page.inner_text("#hits-title") == "命中 2 个主体，涉及 1 条名单"
    group = page.locator(".hit-group")
    assert group.count() == 1 and group.locator(".hit").count() == 2
    head = group.locator(".hit-group-head").inner_text()
    assert head.startswith("同一名单") and "失信被执行人" in head and "只算一条名单" in head
    first, second = group.locator(".hit").all()
    assert "依法禁止" in first.inner_text() and "关联，需人工核查" in second.inner_text()
    # the listing is shown once, in full; the other hit names it
    assert first.locator("table").count() == 1 and second.locator("table").count() == 0
    assert second.locator(".same-listing").inner_text() == "同一名单：失信被执行人，详见第 1 条命中。"
    shots(tab, "33-check-same-listing")
    # hits on different listings stay apart
    check(tab, demo.s["restricted_enterprise"]["key"], "restricted")
    assert page.locator(".hit-group").count() == 0 and re.fullmatch(r"命中 \d+ 条", page.inner_text("#hits-title"))


# --- 2. results that can be reopened and shared ----------------------------------------------------------------
def test_a_check_keeps_its_address_and_reopens_read_only(tab, demo):
    tab.sign_in(demo.department)
    page = tab.page
    s = demo.s["officer_restricted"]
    check(tab, s["key"], "restricted")
    page.wait_for_url(re.compile(r".*/checks/[0-9a-f]{32}$"))
    check_id = page.url.rsplit("/", 1)[1]
    meta = page.inner_text("dl.meta")
    assert check_id in meta
    hits = page.locator(".hit h3").all_inner_texts()
    checks_made = sum(1 for m, p, _ in tab.api_calls if m == "POST" and p == "/api/v1/checks")

    page.reload()  # the answer stays: read from the audit trail, not checked again
    page.locator("#verdict").wait_for()
    assert page.get_attribute("#verdict", "data-verdict") == "restricted"
    assert page.locator(".hit h3").all_inner_texts() == hits
    recorded_meta = page.inner_text("dl.meta")
    for field in ("检查编号", "数据版本", "核查日期", "关联层数"):
        assert re.search(f"{field}\\s+(\\S+)", recorded_meta).group(1) == re.search(f"{field}\\s+(\\S+)", meta).group(1)
    assert "县司法局" in recorded_meta
    notice = page.inner_text(".record-notice")
    assert "核查记录（只读）" in notice and "未重新核查" in notice and "数据版本" in notice
    assert page.locator("#check-form").is_hidden()
    assert sum(1 for m, p, _ in tab.api_calls if m == "POST" and p == "/api/v1/checks") == checks_made
    assert ("GET", f"/api/v1/checks/{check_id}") in [(m, p) for m, p, _ in tab.api_calls]
    assert page.title().startswith("核查记录")
    shots(tab, "34-check-record")

    # the department's recent checks: this one first, and it opens
    tab.goto("/checks")
    rows = page.locator("#checks-result table.records tbody tr")
    rows.first.wait_for()
    assert page.is_disabled("#department") and page.locator("#department option").all_inner_texts() == ["县司法局"]
    assert check_id in rows.first.inner_text() and s["name"] in rows.first.inner_text()
    assert all("县司法局" in r for r in rows.all_inner_texts())
    shots(tab, "35-department-checks")
    rows.first.get_by_role("link").click()
    page.wait_for_url(re.compile(f".*/checks/{check_id}$"))
    page.locator("#verdict").wait_for()


def test_a_check_reopens_only_for_its_department_and_the_admin(chromium, demo):
    admin, department, public = Tab(chromium, demo), Tab(chromium, demo), Tab(chromium, demo)
    try:
        admin.sign_in(demo.admin)
        check(admin, demo.s["clear"]["key"], "clear")
        admin.page.wait_for_url(re.compile(r".*/checks/[0-9a-f]{32}$"))
        theirs = admin.page.url.rsplit("/", 1)[1]
        department.sign_in(demo.department)
        check(department, demo.s["linked_two_hops"]["key"], "linked")
        department.page.wait_for_url(re.compile(r".*/checks/[0-9a-f]{32}$"))
        mine = department.page.url.rsplit("/", 1)[1]

        department.goto(f"/checks/{theirs}")
        refused = department.page.locator("#result .error")
        refused.wait_for()
        assert refused.inner_text() == "只能查看本部门的检查记录" and department.page.locator("#verdict").count() == 0
        department.goto("/checks")
        department.page.locator("#checks-result h2").wait_for()
        assert theirs not in department.page.inner_text("#checks-result")
        # the admin reopens any department's check
        admin.goto(f"/checks/{mine}")
        admin.page.locator("#verdict").wait_for()
        assert admin.page.get_attribute("#verdict", "data-verdict") == "linked"
        assert "县司法局" in admin.page.inner_text(".record-notice")
        # no key, no record: to the sign-in page, and back to the record after it
        public.goto(f"/checks/{mine}")
        public.page.wait_for_url(re.compile(f"/\\?next=%2Fchecks%2F{mine}$"))
        assert public.page.locator("#sign-in").is_visible()
        assert not any(p.startswith("/api/v1/checks") for _, p, _ in public.api_calls)
        public.page.fill("#key", demo.department)  # a colleague of the department, given the link
        public.page.press("#key", "Enter")
        public.page.wait_for_url(re.compile(f".*/checks/{mine}$"))
        public.page.locator("#verdict").wait_for()
    finally:
        for t in (admin, department, public):
            t.close()


def test_the_admin_audit_page_filters_and_exports(chromium, demo):
    department = Tab(chromium, demo)
    try:
        department.sign_in(demo.department)
        check(department, demo.s["restricted_person"]["key"], "restricted")  # a person, by ID number
        department.page.wait_for_url(re.compile(r".*/checks/[0-9a-f]{32}$"))
    finally:
        department.close()
    tab = Tab(chromium, demo)
    try:
        _audit_page(tab, demo)
    finally:
        tab.close()


def _audit_page(tab: Tab, demo) -> None:
    tab.sign_in(demo.admin)
    page = tab.page
    clear = demo.s["clear"]
    person = demo.s["restricted_person"]
    check(tab, clear["key"], "clear")
    tab.goto("/checks")
    rows = page.locator("#checks-result table.records tbody tr")
    rows.first.wait_for()
    assert page.input_value("#department") == "" and not page.is_disabled("#department")  # 全部部门
    departments = {r.split("\t")[6] for r in rows.all_inner_texts()}
    assert {"县司法局", "县市场监督管理局"} <= departments
    # a person checked is listed masked, here and in the export
    masked = mask_id_number(person["key"])
    assert masked in page.inner_text("#checks-result") and unmasked_id_numbers(page.content()) == []
    shots(tab, "36-audit")

    def search(**fields):
        for field, value in fields.items():
            if field in ("department", "verdict"):
                page.select_option("#department" if field == "department" else "#verdict-filter", value)
            else:
                page.fill(f"#{field}", value)
        page.click("#checks-form button[type=submit]")  # the old list goes at once (checks.js)
        page.locator("#checks-result h2").wait_for()
        return page.locator("#checks-result table.records tbody tr").all_inner_texts()

    found = search(department="县司法局")
    assert found and all(r.split("\t")[6] == "县司法局" for r in found)
    assert "department=" in page.url and person["key"] not in page.url
    found = search(department="", subject=core(clear["name"]))
    assert found and all(clear["name"] in r for r in found)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert search(subject="", until=yesterday) == []
    assert page.inner_text("#checks-result .empty") == "没有符合条件的核查记录。"
    found = search(until="", verdict="restricted")
    assert found and all("受限" in r for r in found)

    with page.expect_download() as download:
        page.click("#export-csv")
    path = ARTIFACTS / f"37-{download.value.suggested_filename}"
    download.value.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert exported[0][:3] == ["检查编号", "检查时间（北京时间）", "核查部门"]
    assert len(exported) - 1 == len(found) and {r[9] for r in exported[1:]} == {"受限"}
    # Cell by cell: a check ID's last digits and the next cell's time of day could read as one number across the comma.
    assert masked in text and [n for row in exported for cell in row for n in unmasked_id_numbers(cell)] == []
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = ARTIFACTS / f"37-{download.value.suggested_filename}"
    download.value.save_as(path)
    sheet = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert [r[0] for r in sheet[2:]] == [r[0] for r in exported[1:]]

    # a check's ID typed into the subject field opens that check
    page.fill("#subject", exported[1][0])
    page.click("#checks-form button[type=submit]")
    page.wait_for_url(re.compile(f".*/checks/{exported[1][0]}$"))
    page.locator("#verdict").wait_for()


# --- 4. a one-page record that can be filed --------------------------------------------------------------------
def test_the_printed_record_of_a_two_hit_check_is_one_signed_numbered_page(tab, demo):
    tab.sign_in(demo.department)
    page = tab.page
    check(tab, demo.s["officer_restricted"]["key"], "restricted")
    page.wait_for_url(re.compile(r".*/checks/[0-9a-f]{32}$"))
    check_id = page.url.rsplit("/", 1)[1]
    assert page.locator(".hit").count() == 2
    for button in page.locator(".hit").get_by_role("button", name="查看关系图").all():
        button.click()  # the pictures go on paper too, the neighbourhood's as well
    page.locator(".hit .figure svg").nth(1).wait_for()
    page.get_by_role("button", name=re.compile("关系网络图")).click()
    page.locator("#result > .figure svg").wait_for()
    person = demo.s["restricted_person"]

    for name in ("38-check-record", "39-reopened-record"):
        pdf, pages = print_to_pdf(tab, name)
        assert len(pages) == 1 and len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1, name
        assert re.search(rb"/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]", pdf)  # A4
        text = pages[0]
        assert "第 1 页，共 1 页" in text and "企业信用联合惩戒核查记录" in text
        assert "经办人（签字）" in text and "审核（签字）" in text
        assert f"检查编号 {check_id}" in text and f"/checks/{check_id}" in text
        assert "同一名单" in text
        # on paper the person's ID number is masked, in the text and in the pictures alike
        assert mask_id_number(person["key"]) in text and person["key"] not in text
        assert unmasked_id_numbers(text) == []
        page.emulate_media(media="print")
        shots(tab, f"{name}-print-view")
        page.emulate_media(media="null")  # no emulation: printing prints for print again
        # the same record, reopened from its address, prints the same way (with the pictures of its own chains)
        page.reload()
        page.locator("#verdict").wait_for()
        for button in page.locator(".hit").get_by_role("button", name="查看关系图").all():
            button.click()
        page.locator(".hit .figure svg").nth(1).wait_for()
