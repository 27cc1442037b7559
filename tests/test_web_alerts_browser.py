"""The alerts page, its response form and the bureau's report page in real Chromium, against a real `creditnet
serve` over the test county (tests/county.py) in a home of its own.

The scenario, made with the CLI as a county would: 县财政局 watches two enterprises (its own list), 县市场监督管理局
licensed one of them; then the court lists both (36 days ago, received by 县财政局 and 县公安局). The load raises
two alerts for 县财政局 and one for 县市场监督管理局. 县财政局 also sends a file with a bad row through the API.
Driven like tests/test_web_browser.py (whose browser and tab this borrows); skipped the same way without Chromium.
"""
from __future__ import annotations

import io
import json
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from county import BLACKLIST_HEADERS, E, NAMES, uscc, write_county, write_csv
from servers import serving
from browser_fixtures import _cli
from test_web_browser import ARTIFACTS, ROOT, Tab

STARTED = (date.today() - timedelta(days=36)).isoformat()
WATCHED = ("SHAREHOLDER_ONLY", "CLEAR")  # 县财政局's own list; CLEAR also holds 县市场监督管理局's licence


@dataclass
class Served:
    home: Path
    base: str
    admin: str
    finance: str
    justice: str

    def api(self, key: str, path: str, **params) -> httpx.Response:
        return httpx.get(self.base + path, params=params, headers={"Authorization": f"Bearer {key}"}, timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory, chromium):
    work = tmp_path_factory.mktemp("alerts-web")
    home = work / "home"
    env = {**os.environ, "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": "embedded",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
    _cli(env, "load", "--quiet", "--json", *map(str, write_county(work / "county").values()))
    key = {}
    for department, role in (("县市场监督管理局", "admin"), ("县财政局", "department"), ("县司法局", "department")):
        key[department] = json.loads(_cli(env, "accounts", "add", department, "--role", role, "--json"))["key"]
    watch = write_csv(work / "关注名单.csv", ["统一社会信用代码", "企业名称"], [[E[s], NAMES[s]] for s in WATCHED])
    _cli(env, "watch", "add", "县财政局", str(watch), "--json")
    _cli(env, "alerts", "refresh", "--json")  # the first answers: no alert
    court = write_csv(work / "法院名单.csv", BLACKLIST_HEADERS, [
        [str(n), E[s], NAMES[s], "《测试依据》", "", STARTED, "", "县法院", "县财政局、县公安局", "失信被执行人", "", "", "", ""]
        for n, s in enumerate(WATCHED, start=1)])
    # Received on STARTED (the report's clock starts then); the alerts pass runs after the load
    _cli(env, "load", "--quiet", "--json", "--as-of", STARTED, str(court))
    with serving(env) as base:
        rows = [["1", uscc(950), "西吉县报送测试有限公司", "《测试依据》", "", STARTED, "", "县财政局", "县发改局",
                 "黑名单", "", "", "", ""],
                ["2", "91640422000000000X", "坏代码公司", "《测试依据》", "", STARTED, "", "县财政局", "县发改局", "黑名单",
                 "", "", "", ""]]
        sent = httpx.post(f"{base}/api/v1/records/blacklist", headers={"Authorization": f"Bearer {key['县财政局']}"},
                          files={"file": ("财政局名单.csv", write_csv(work / "f.csv", BLACKLIST_HEADERS, rows).read_bytes(),
                                          "text/csv")}, timeout=60)
        assert sent.status_code == 200 and sent.json()["rejected"] >= 1, sent.text
        yield Served(home, base, key["县市场监督管理局"], key["县财政局"], key["县司法局"])


@pytest.fixture
def tab(chromium, served):
    t = Tab(chromium, served)
    yield t
    t.close()


def badge(tab: Tab) -> str:
    count = tab.page.locator("#open-alerts")
    count.wait_for(state="attached")
    tab.page.wait_for_function("() => document.getElementById('open-alerts').textContent !== ''")
    return count.inner_text() if count.is_visible() else ""


def cards(tab: Tab):
    tab.page.locator("#alerts-count").wait_for()
    return tab.page.locator("article.alert")


def test_a_department_reads_its_alerts_and_records_a_response(tab, served):
    tab.sign_in(served.finance)
    page = tab.page
    assert badge(tab) == "2"  # in the menu of every signed-in page
    mine = served.api(served.finance, "/api/v1/alerts", open="true").json()["alerts"]
    assert {a["party"]["key"] for a in mine} == {E[s] for s in WATCHED}
    page.get_by_role("link", name=re.compile("监管提醒")).click()
    found = cards(tab)
    assert found.count() == 2 and page.is_disabled("#department")
    for a in mine:
        card = page.locator(f"article[data-alert='{a['id']}']")
        text = card.inner_text()
        assert a["party"]["name"] in text and "待答复" in text
        assert card.locator(".verdict-change .verdict-tag").all_inner_texts() == [
            {"restricted": "受限", "linked": "存在关联，需人工核查", "clear": "未发现关联"}[a[side]["verdict"]]
            for side in ("before", "after")]
        added = [li.get_attribute("data-party") for li in card.locator(".change-added li[data-party]").all()]
        assert added == [h["party"]["key"] for h in a["changed"]["added"]] and a["party"]["key"] in added
        assert "县法院 发送" in card.locator(".change-added").inner_text() and "本部门关注名单" in text
    tab.fits_the_screen()
    tab.shot("30-alerts")

    first = mine[0]
    card = page.locator(f"article[data-alert='{first['id']}']")
    card.get_by_label("采取的措施").select_option("其他")
    card.get_by_role("button", name="记录答复").click()
    assert "请在说明中写明" in card.locator(".error").inner_text()  # refused in the page, nothing sent
    assert not any(m == "POST" for m, _, _ in tab.api_calls)
    card.get_by_label("采取的措施").select_option("列入重点监管")
    card.get_by_label(re.compile("说明")).fill("已列入重点监管，下周实地核查")
    card.get_by_label("经办人").fill("张华")
    card.get_by_label("措施日期").fill(date.today().isoformat())
    card.get_by_role("button", name="记录答复").click()
    answered = page.locator(f"article[data-alert='{first['id']}'].closed")
    answered.wait_for()
    assert "已记录答复：列入重点监管" in answered.inner_text()
    assert answered.locator("table.responses tbody td").all_inner_texts()[:3] == ["列入重点监管", "已列入重点监管，下周实地核查", "张华"]
    page.wait_for_function("() => document.getElementById('open-alerts').textContent === '1'")
    tab.shot("31-alert-answered")
    recorded = served.api(served.finance, "/api/v1/alerts", closed="true").json()["alerts"]
    assert [(a["id"], a["responses"][0]["official"]) for a in recorded] == [(first["id"], "张华")]

    page.select_option("#state", "closed")
    page.click("#alerts-form button[type=submit]")
    page.locator("#alerts-count", has_text="已答复提醒 1 条").wait_for()
    assert cards(tab).count() == 1


def test_a_department_sees_only_its_own_alerts_and_the_admin_all(tab, served):
    tab.sign_in(served.justice)
    page = tab.page
    assert badge(tab) == ""  # none open: no number
    tab.goto("/alerts")
    assert cards(tab).count() == 0 and "没有待答复的提醒" in page.inner_text("#alerts-result")
    assert page.locator("#department option").all_inner_texts() == ["县司法局"]
    statuses = page.evaluate("""async () => {
        const h = { Authorization: 'Bearer ' + sessionStorage.getItem('creditnet.key') };
        const a = await fetch('/api/v1/alerts?department=' + encodeURIComponent('县财政局'), { headers: h });
        const r = await fetch('/api/v1/feedback/report', { headers: h });
        return [a.status, r.status]; }""")
    assert statuses == [403, 403]
    tab.page.get_by_role("button", name="退出登录").click()

    tab.sign_in(served.admin)
    tab.goto("/alerts?state=all")
    every = served.api(served.admin, "/api/v1/alerts").json()["alerts"]
    assert cards(tab).count() == len(every) == 3
    assert page.input_value("#department") == ""  # 全部部门
    theirs = [a for a in every if a["department"] == "县财政局"]
    for a in theirs:  # the admin reads them, and leaves the answer to the department
        card = page.locator(f"article[data-alert='{a['id']}']")
        assert card.locator("form.respond").count() == 0
    page.select_option("#department", "县市场监督管理局")
    page.click("#alerts-form button[type=submit]")
    page.locator("#alerts-count", has_text="县市场监督管理局").wait_for()
    assert cards(tab).count() == 1 and page.locator("article.alert form.respond").count() == 1


def test_the_bureaus_report_page_and_its_export(tab, served):
    tab.sign_in(served.admin)
    tab.goto("/report")
    page = tab.page
    table = page.locator("#report-result table.report")
    table.wait_for()
    expected = {d["department"]: d for d in served.api(served.admin, "/api/v1/feedback/report").json()["departments"]}
    shown = {}
    for row in table.locator("tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        shown[cells[0]] = cells
    assert set(shown) == set(expected) | {"合计"}
    police = expected["县公安局"]
    assert police["overdue"] >= 1 and shown["县公安局"][5] == str(police["overdue"])
    assert shown["县财政局"][1] == str(expected["县财政局"]["received"])
    overdue = page.locator("table.overdue-listings").inner_text()
    assert NAMES["SHAREHOLDER_ONLY"] in overdue and "县公安局" in overdue and "收到日期" in overdue
    assert "超过 15 天未反馈为逾期" in page.inner_text("#report-period")
    uploads = page.locator("#uploads-result section.uploads")
    uploads.first.wait_for()
    assert [u.locator("h3").inner_text() for u in uploads.all()] == ["县财政局", "管理员命令行导入（未注明报送部门）"]
    tab.fits_the_screen()
    tab.shot("32-report")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("督查报告")
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert "联席会议督查" in book["督查报告"]["A1"].value
    assert {r[0].value: r[5].value for r in book["督查报告"].iter_rows(min_row=3)}["县公安局"] == police["overdue"]

    page.fill("#since", date.today().isoformat())
    page.click("#report-form button[type=submit]")
    page.locator("#report-period", has_text=f"自 {date.today().isoformat()} 起").wait_for()
    # The court's listing reached 县公安局 before today: only what the county's own files sent it today is counted
    today = served.api(served.admin, "/api/v1/feedback/report", since=date.today().isoformat()).json()
    (police_today,) = [d for d in today["departments"] if d["department"] == "县公安局"]
    assert police["received"] - police_today["received"] == len(WATCHED) and police_today["overdue"] == 0
    row = page.locator("#report-result table.report tbody tr", has_text="县公安局").locator("td").all_inner_texts()
    assert row[1] == str(police_today["received"])


def test_a_department_sees_its_own_upload_record_and_not_the_report(tab, served):
    tab.sign_in(served.finance)
    tab.goto("/report")
    page = tab.page
    record = page.locator("#uploads-result section.uploads")
    record.first.wait_for()
    assert record.count() == 1 and record.locator("h3").inner_text() == "县财政局"
    text = record.inner_text()
    assert "财政局名单.csv" in text and re.search(r"拒绝 [1-9]\d* 行", text)
    assert date.today().strftime("%Y-%m") in record.locator("table.months").inner_text()
    assert page.locator("#report-section").is_hidden()
    assert not any("/api/v1/feedback/report" in path for _, path, _ in tab.api_calls)
    tab.shot("33-upload-record")
