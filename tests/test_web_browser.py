"""The pages in a real browser: headless Chromium (Debian's package) driven by Playwright against a real
`creditnet serve` over the demo county, as an official at the licence window would use them. The browser and the
demo county are tests/browser_fixtures.py's.

Skipped with the reason when /usr/bin/chromium (or Playwright) is missing, unless CREDITNET_REQUIRE_BROWSER=1
(as in CI), which turns that into a failure. Screenshots, the printed check as PDF and the exported CSV are
kept in artifacts/screenshots/ (git-ignored) for a person to look at.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser_fixtures import Demo

from web_fixtures import unmasked_id_numbers

from graph.identifiers import mask_id_number

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}  # the office screen the pages must be readable on
VERDICT = {"restricted": "受限", "linked": "存在关联，需人工核查", "clear": "未发现关联"}


class Tab:
    """One browser tab at 1366×768 in Chinese, that may reach only the server: anything else is refused and
    remembered, as is every script error and policy violation."""

    def __init__(self, chromium, demo: Demo):
        self.demo = demo
        self.context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai",
                                            accept_downloads=True)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.api_calls: list[tuple[str, str, str | None]] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("pageerror", lambda e: self.errors.append(f"script error: {e}"))
        self.page.on("console", self._console)
        self.page.on("request", self._request)

    def _route(self, route):
        if route.request.url.startswith(self.demo.base + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.errors.append(f"policy: {message.text}")

    def _request(self, request):
        path = request.url[len(self.demo.base):]
        if path.startswith("/api/"):
            self.api_calls.append((request.method, path, request.all_headers().get("authorization")))

    def goto(self, path: str):
        self.page.goto(self.demo.base + path)

    def shot(self, name: str, full_page: bool = True):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    def sign_in(self, key: str):
        """With the keyboard only: the key field has the focus when the page opens."""
        self.goto("/")
        assert self.page.evaluate("() => document.activeElement.id") == "key"
        self.page.keyboard.type(key)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(re.compile(r".*/check$"))

    def fits_the_screen(self):
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= VIEWPORT["width"], f"{self.page.url} is {width}px wide"

    def close(self):
        self.context.close()
        assert self.outside == [], f"requests to other origins: {self.outside}"
        assert self.errors == [], self.errors


@pytest.fixture
def tab(chromium, demo):
    t = Tab(chromium, demo)
    yield t
    t.close()


def svg_text(locator) -> str:
    return " ".join(locator.locator("text, title").all_text_contents())


def check(tab: Tab, subject: str, expected: str) -> None:
    page = tab.page
    page.fill("#subject", subject)
    page.press("#subject", "Enter")  # a form submits from the keyboard
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-verdict") == expected
    assert verdict.inner_text().splitlines()[0] == VERDICT[expected]


def test_sign_in_and_check_a_restricted_a_linked_and_a_clear_subject(tab, demo):
    tab.goto("/")
    tab.shot("01-sign-in")
    tab.sign_in(demo.admin)
    page = tab.page
    assert page.inner_text("#who") == "县市场监督管理局（管理员）"
    for n, (scenario, expected) in enumerate((("restricted_enterprise", "restricted"), ("linked_two_hops", "linked"),
                                              ("clear", "clear")), start=2):
        s = demo.s[scenario]
        check(tab, s["key"], expected)
        meta = page.inner_text("dl.meta")
        assert s["name"] in meta and re.search(r"检查编号\s+[0-9a-f]{32}", meta) and "数据版本" in meta
        hits = page.locator(".hit")
        if expected == "clear":
            assert hits.count() == 0 and page.inner_text("#hits-title") == "未发现受限主体"
        else:
            first = hits.first
            party = first.locator("h3").inner_text().split("（")[0].split(". ", 1)[1]
            assert ("依法禁止" in first.inner_text()) == (expected == "restricted")
            for word in ("信息类型", "限制法律依据", "有效期", "信息发送部门"):
                assert word in first.inner_text()
            first.get_by_role("button", name="查看关系图").click()
            picture = first.locator(".figure svg")
            picture.wait_for()
            assert party in svg_text(picture) and s["name"] in svg_text(picture)
            assert picture.locator("g.restricted").count() >= 1
        tab.fits_the_screen()
        tab.shot(f"0{n}-check-{expected}")


def test_neighbourhood_picture_and_the_printed_record(tab, demo):
    tab.sign_in(demo.admin)
    page = tab.page
    s = demo.s["officer_restricted"]
    check(tab, s["key"], "restricted")
    page.get_by_role("button", name=re.compile("关系网络图")).click()
    picture = page.locator("#result > .figure svg")
    picture.wait_for()
    text = svg_text(picture)
    person = demo.s["restricted_person"]
    assert s["name"] in text and person["name"] in text and mask_id_number(person["key"]) in text
    assert person["key"] not in picture.inner_html()
    assert picture.locator("g.restricted").count() >= 1
    tab.shot("05-neighbourhood")
    page.get_by_role("button", name=re.compile("关系网络图")).click()  # folded away again
    for button in page.locator(".hit").get_by_role("button", name="查看关系图").all():
        button.click()
    page.locator(".hit .figure svg").last.wait_for()
    page.emulate_media(media="print")
    assert page.locator(".top").is_hidden() and page.locator("#check-form").is_hidden()
    record = page.locator(".print-only")
    assert record.is_visible() and "核查记录" in record.inner_text()
    # every arrow points at the marker of its own picture (a hidden picture's marker does not draw)
    assert page.evaluate("""() => [...document.querySelectorAll('svg line[marker-end]')].every(line => {
        const id = line.getAttribute('marker-end').slice(5, -1);
        return line.closest('svg').querySelector('marker[id="' + id + '"]') !== null; })""")
    tab.shot("06-print-view")
    pdf = page.pdf(path=str(ARTIFACTS / "06-check-record.pdf"), format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one page for the case file
    page.emulate_media(media="screen")


def test_a_new_applicant_declaring_a_restricted_person(tab, demo):
    tab.sign_in(demo.admin)
    page = tab.page
    person = demo.s["restricted_person"]
    page.get_by_label("新申请人（填写名称和人员）").check()
    page.fill("#app-name", "西吉县新办测试商贸有限公司")
    row = page.locator("#persons tr").first
    row.get_by_label("第1人 人员类别").select_option("法定代表人")
    row.get_by_label("第1人 姓名").fill(person["name"])
    row.get_by_label("第1人 证件号码").fill(person["key"].lower())  # a lower-case x is the same number
    page.click("#check-submit")
    page.locator("#verdict").wait_for()
    assert page.get_attribute("#verdict", "data-verdict") == "restricted"
    assert "新申请人" in page.inner_text("#result ul.note")
    assert page.locator(f".hit[data-party='{person['key']}']").count() == 1
    tab.shot("07-check-applicant")


def test_profile_with_timeline_and_the_department_list_with_export(tab, demo):
    tab.sign_in(demo.admin)
    page = tab.page
    s = demo.s["name_lookup"]
    tab.goto(f"/profile?code={s['key']}")
    page.locator("#profile h2").first.wait_for()
    text = page.inner_text("#profile")
    for heading in ("人员及出资企业", "名单", "行政许可", "行政处罚", "抽查检查"):
        assert heading in text
    assert s["name"] in text and "变更（" in text
    listings = page.locator("#profile .timeline .bar")
    assert listings.count() >= 1 and listings.count() == page.locator("#profile .timeline .lane-label").count() - 1
    tab.fits_the_screen()
    tab.shot("08-profile")

    tab.goto("/department")
    page.locator("#dept-result h2").first.wait_for()
    page.select_option("#department", "县司法局")
    page.click("#dept-form button[type=submit]")
    page.locator("#dept-result h2", has_text="县司法局").wait_for()
    rows = page.locator("#dept-result table tbody tr")
    assert rows.count() >= 1
    types = [t for t in page.locator("#list-type option").all_inner_texts() if t != "全部"]
    page.select_option("#list-type", types[0])
    page.click("#dept-form button[type=submit]")
    page.locator("#dept-result .hint", has_text=types[0]).wait_for()
    assert all(t == types[0] for t in page.locator("#dept-result table tbody tr td:first-child").all_inner_texts())
    tab.fits_the_screen()
    tab.shot("09-department")
    with page.expect_download() as download:
        page.click("#export-csv")
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()) and path.name.startswith("县司法局应执行名单")
    exported = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert exported[0][0] == "信息类型" and {r[0] for r in exported[1:]} == {types[0]}


def test_a_department_reads_only_its_own_list(tab, demo):
    tab.sign_in(demo.department)
    tab.goto("/department")
    page = tab.page
    page.locator("#dept-result h2", has_text="县司法局").wait_for()
    assert page.is_disabled("#department")
    assert page.locator("#department option").all_inner_texts() == ["县司法局"]


def test_upload_a_file_with_a_bad_row(tab, demo, tmp_path):
    tab.sign_in(demo.admin)
    tab.goto("/upload")
    page = tab.page
    headers = ["序号", "统一社会信用代码（企业注册号）", "企业名称", "限制法律依据", "法律描述", "限制期限自", "限制期限至",
               "信息发送部门名称", "信息接收部门名称", "信息类型", "人员类别", "姓名", "证件类型", "证件号码"]
    good = ["1", "9144030010001686XA", "招商银行股份有限公司", "《测试依据》", "测试", "2026-01-01", "", "县市场监督管理局",
            "县财政局", "黑名单", "", "", "", ""]
    bad = ["2", "911000001000044477", "校验位错误公司", "《测试依据》", "测试", "2026-01-01", "", "县市场监督管理局",
           "县财政局", "黑名单", "", "", "", ""]
    path = tmp_path / "市场监管局黑名单.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([headers, good, bad])
    page.select_option("#kind", "blacklist")
    page.set_input_files("#file", str(path))
    page.click("#upload-submit")
    page.locator("#upload-result h2").wait_for()
    assert page.inner_text("#loaded-count") == "1" and page.inner_text("#rejected-count") == "1"
    [row] = page.locator("table.rejects tbody tr").all()
    cells = row.locator("td").all_inner_texts()
    assert cells[:3] == ["3", "2", "校验位错误公司"]  # the header is row 1, as the clerk counts in Excel; 序号 and name
    assert "校验位应为 3" in cells[4] and "(" not in cells[4]  # the page speaks Chinese only
    tab.shot("10-upload")


def test_sign_out_clears_the_key(tab, demo):
    tab.sign_in(demo.admin)
    page = tab.page
    assert page.evaluate("() => sessionStorage.getItem('creditnet.key')") == demo.admin
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.evaluate("() => sessionStorage.getItem('creditnet.key')") is None
    assert page.evaluate("() => sessionStorage.length") == 0
    tab.goto("/check")  # no key, no page
    page.wait_for_url(re.compile(r"/\?next=%2Fcheck$"))
    assert page.locator("#sign-in").is_visible()


def test_public_pages_show_no_id_number_even_to_a_signed_in_tab(tab, demo):
    tab.sign_in(demo.admin)  # the key is in this tab: the public pages must still not use it
    page = tab.page
    person = demo.s["restricted_person"]
    tab.goto("/public")
    page.fill("#q", person["listed_via"])
    page.press("#q", "Enter")
    page.locator("#search-result ul.results a").first.click()
    page.wait_for_url(re.compile(r"/public/enterprise\?code="))
    page.locator("#public-profile h2").first.wait_for()
    text, html = page.inner_text("body"), page.content()
    assert person["name"] in text and mask_id_number(person["key"]) in text
    assert unmasked_id_numbers(text) == [] and unmasked_id_numbers(html) == []
    tab.fits_the_screen()
    tab.shot("11-public-profile")
    for s in (demo.s["officer_restricted"], demo.s["name_lookup"]):
        tab.goto(f"/public/enterprise?code={s['key']}")
        page.locator("#public-profile h2").first.wait_for()
        assert unmasked_id_numbers(page.content()) == [] and s["name"] in page.inner_text("body")
    signing_in, *calls = tab.api_calls
    assert signing_in[1] == "/api/v1/web/session"
    # the menu's count of open alerts, asked by the signed-in /check page the sign-in lands on
    calls = [call for call in calls if call[1] != "/api/v1/alerts?open=true&limit=1"]
    assert calls and all(path.startswith("/api/v1/public/") and authorization is None for _, path, authorization in calls)


def _pick_suggestion(tab: Tab, field: str, typed: str, key: str) -> None:
    """Type part of a name into `field`, wait for the suggestions, and take the one with `key` by the keyboard."""
    page = tab.page
    page.click(field)
    page.keyboard.type(typed, delay=30)
    options = page.locator("ul.suggestions li[role=option]")
    options.first.wait_for()
    keys = [options.nth(i).get_attribute("data-key") for i in range(options.count())]
    assert key in keys, (typed, keys)
    assert page.get_attribute(field, "aria-expanded") == "true"
    for _ in range(keys.index(key) + 1):
        page.keyboard.press("ArrowDown")
    assert options.nth(keys.index(key)).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")


def test_a_partial_name_typed_offers_suggestions_picked_by_keyboard(tab, demo):
    """An official types part of a name (no county, no company form); the registered names like it appear after
    two characters, and ↓ + Enter takes one: the check page checks it, the public page opens its record."""
    tab.sign_in(demo.admin)
    s = demo.s["restricted_enterprise"]
    core = s["name"].removeprefix("西吉县")
    for form in ("有限责任公司", "有限公司"):
        core = core.removesuffix(form)
    _pick_suggestion(tab, "#subject", core, s["key"])
    verdict = tab.page.locator("#verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-verdict") == "restricted" and tab.page.input_value("#subject") == s["key"]
    assert any(path.startswith("/api/v1/search?") and auth for _, path, auth in tab.api_calls)
    tab.shot("20-check-by-suggestion")
    tab.goto("/public")
    _pick_suggestion(tab, "#q", core, s["key"])
    tab.page.wait_for_url(re.compile(r".*/public/enterprise\?code="))
    assert s["key"] in tab.page.url
    tab.page.locator("#public-profile h2").first.wait_for()
    assert tab.page.locator("#public-profile h2").first.inner_text() == s["name"]
    public_calls = [(path, auth) for _, path, auth in tab.api_calls if path.startswith("/api/v1/public/search")]
    assert public_calls and all(auth is None for _, auth in public_calls)
