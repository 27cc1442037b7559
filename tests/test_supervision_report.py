"""The bureau's report (联席会议 督查) and the departments' upload record (归集进度), on both stores.

The scenario: the court sends a listing to three departments 31 days ago; 县财政局 answers after 9 days (in time),
县发改局 after 24 (late), 县公安局 never (overdue). A second listing reached 县财政局 a week ago (pending), a third
takes effect next month (not yet received). The licensee the listing names raises an alert for the department that
licensed it, which answers it. Dates are counted from today: an alert is made today, whatever the test's date.
"""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from api_fixtures import app_client, auth, blacklist_csv, listing_row
from county import BLACKLIST_HEADERS, LICENSE_HEADERS, id_number, uscc, write_csv

from cli.main import app
from graph.identifiers import mask_id_number
from graph.ingest import load_file
from graph.settings import get_settings
from graph.supervision import responses
from graph.supervision.alerts import derive
from graph.supervision.db import SupervisionDB
from graph.supervision.progress import sender, upload_record
from graph.supervision.report import report, to_xlsx

pytestmark = pytest.mark.writes
TODAY = date.today()
STARTED = TODAY - timedelta(days=31)
LISTED, RECENT, LATER = uscc(901), uscc(902), uscc(903)
PERSON = id_number(950)  # the legal representative the first listing also names (so: one record, two subjects)
LICENSER = "县市场监督管理局"


def day(offset: int, start: date = STARTED) -> str:
    return (start + timedelta(days=offset)).isoformat()


def listing(n: int, code: str, name: str, start: str, receivers: str, person: tuple[str, str] | None = None) -> list[str]:
    who = ["法定代表人", person[0], "居民身份证", person[1]] if person else ["", "", "", ""]
    return [str(n), code, name, "《测试依据》", "", start, "", "县法院", receivers, "失信被执行人", *who]


@pytest.fixture
def scenario(store, home, tmp_path):
    """The listings loaded and answered; yields the open supervision file."""
    licence = write_csv(tmp_path / "licence.csv", LICENSE_HEADERS, [
        ["1", LISTED, "西吉县督查甲有限公司", "西市监许〔2024〕9号", "食品经营许可证", "2024-01-01", "2099-01-01", LICENSER,
         "餐饮服务", "有效", ""]])
    load_file(store, licence, home=home)
    db = SupervisionDB(home)
    derive(store, db, get_settings(), as_of=TODAY)  # the licensee's first answer: no alert
    listings = write_csv(tmp_path / "court.csv", BLACKLIST_HEADERS, [
        listing(1, LISTED, "西吉县督查甲有限公司", STARTED.isoformat(), "县财政局、县发改局、县公安局", ("张督", PERSON)),
        listing(2, RECENT, "西吉县督查乙有限公司", day(-7, TODAY), "县财政局"),
        listing(3, LATER, "西吉县督查丙有限公司", day(30, TODAY), "县财政局")])
    load_file(store, listings, home=home, as_of=STARTED)  # received on STARTED: the clock starts at 限制期限自
    (alert_id,) = derive(store, db, get_settings(), as_of=TODAY).alerts
    (sent,) = [x for x in responses.feedback(store, db, "县法院", TODAY) if x["party"]["key"] == LISTED]
    responses.respond_to_listing(store, db, sent["id"], "县财政局", measure="核查后无需处理", note=None, official="张华",
                                 acted_on=day(9), on=TODAY)
    responses.respond_to_listing(store, db, sent["id"], "县发改局", measure="暂停或限制", note="暂停项目审批",
                                 official="王强", acted_on=day(24), on=TODAY)
    responses.respond_to_listing(store, db, sent["id"], "县发改局", measure="其他", note="补充说明", official="王强",
                                 acted_on=day(28), on=TODAY)  # a later one: the first answer counts
    responses.respond_to_alert(db, alert_id, LICENSER, measure="撤销或注销许可", note=None, official="李明",
                               acted_on=TODAY.isoformat())
    yield db
    db.close()


def by_department(answer):
    return {d["department"]: d for d in answer["departments"]}


def test_each_department_is_counted_in_time_late_or_overdue(store, scenario):
    answer = report(store, scenario, as_of=TODAY, overdue_days=15)
    rows = by_department(answer)
    assert set(rows) == {"县财政局", "县发改局", "县公安局", LICENSER}
    finance, fdrc, police, licenser = (rows[d] for d in ("县财政局", "县发改局", "县公安局", LICENSER))
    # 县财政局: the first listing in time (9 days), the second pending (7 days), the third not yet in force
    assert {k: finance[k] for k in ("received", "responded", "in_time", "late", "overdue", "pending")} == \
        {"received": 2, "responded": 1, "in_time": 1, "late": 0, "overdue": 0, "pending": 1}
    assert finance["median_days"] == 9
    assert (fdrc["received"], fdrc["responded"], fdrc["late"], fdrc["overdue"], fdrc["median_days"]) == (1, 1, 1, 0, 24)
    assert (police["received"], police["responded"], police["overdue"], police["median_days"]) == (1, 0, 1, None)
    (overdue,) = police["overdue_listings"]
    assert overdue["days"] == 31 and overdue["sender"] == "县法院" and overdue["valid_from"] == STARTED.isoformat()
    # one record naming an enterprise and a person: one listing received, the person's number masked
    assert {p["key"] for p in overdue["parties"]} == {LISTED, mask_id_number(PERSON)}
    assert PERSON not in json.dumps(answer)
    assert (licenser["received"], licenser["alerts_open"], licenser["alerts_closed"], licenser["alerts_median_days"]) \
        == (0, 0, 1, 0)
    assert answer["totals"]["received"] == 4 and answer["totals"]["overdue"] == 1 and answer["totals"]["median_days"] == 16.5
    assert answer["overdue_days"] == 15 and answer["data_version"] == store.data_version()


def test_the_period_and_the_days_allowed_change_the_counts(store, scenario):
    rows = by_department(report(store, scenario, as_of=TODAY, overdue_days=30))
    assert (rows["县发改局"]["late"], rows["县发改局"]["in_time"], rows["县公安局"]["overdue"]) == (0, 1, 1)
    rows = by_department(report(store, scenario, as_of=TODAY, overdue_days=31))
    assert rows["县公安局"]["overdue"] == 0 and rows["县公安局"]["pending"] == 1
    since = by_department(report(store, scenario, as_of=TODAY, since=TODAY - timedelta(days=20)))
    assert set(since) == {"县财政局", LICENSER}  # only the second listing, and the alert made today
    assert (since["县财政局"]["received"], since["县财政局"]["pending"]) == (1, 1)
    earlier = by_department(report(store, scenario, as_of=STARTED + timedelta(days=10)))
    assert LICENSER not in earlier  # the alert was made after that day
    assert (earlier["县公安局"]["pending"], earlier["县发改局"]["pending"], earlier["县财政局"]["in_time"]) == (1, 1, 1)


def test_the_report_as_a_workbook(store, scenario):
    answer = report(store, scenario, as_of=TODAY)
    book = load_workbook(io.BytesIO(to_xlsx(answer)))
    table = [[c.value for c in row] for row in book["督查报告"].iter_rows()]
    assert "逾期标准 15 天" in table[0][0] and table[1][:6] == ["部门", "收到名单", "已反馈", "按期反馈", "逾期反馈", "逾期未反馈"]
    rows = {r[0]: r for r in table[2:]}
    assert rows["县公安局"][5] == 1 and rows["县发改局"][4] == 1 and rows["县财政局"][7] == 9 and rows["合计"][1] == 4
    detail = [[c.value for c in row] for row in book["逾期未反馈明细"].iter_rows()]
    assert {(r[0], r[2]) for r in detail[1:]} == {("县公安局", LISTED), ("县公安局", mask_id_number(PERSON))}


def test_cli_report_json_and_xlsx(store, scenario, tmp_path):
    runner = CliRunner()
    target = tmp_path / "督查.xlsx"
    r = runner.invoke(app, ["alerts", "report", "--json", "--xlsx", str(target)])
    assert r.exit_code == 0, r.output
    assert by_department(json.loads(r.output))["县公安局"]["overdue"] == 1
    assert load_workbook(target)["督查报告"]["A3"].value == "县发改局"  # in the county's order of departments
    r = runner.invoke(app, ["alerts", "report", "--since", TODAY.isoformat(), "--as-of", day(-1, TODAY), "--json"])
    assert r.exit_code == 2 and json.loads(r.output)["error"]["code"] == "invalid_request"
    r = runner.invoke(app, ["alerts", "report"])
    assert r.exit_code == 0 and "县公安局：收到名单 1" in r.output


def test_the_report_is_the_admins_and_the_upload_record_each_departments_own(store, home, keys, tmp_path):
    load_file(store, write_csv(tmp_path / "court.csv", BLACKLIST_HEADERS,
                               [listing(1, LISTED, "西吉县督查甲有限公司", STARTED.isoformat(), "县财政局")]), home=home,
              as_of=STARTED)
    with app_client() as c:
        for who in (keys.fdrc, keys.finance):
            assert c.get("/api/v1/feedback/report", headers=auth(who)).status_code == 403
            assert c.get("/api/v1/feedback/report.xlsx", headers=auth(who)).status_code == 403
        r = c.get("/api/v1/feedback/report", headers=auth(keys.admin))
        assert r.status_code == 200 and by_department(r.json())["县财政局"]["overdue"] == 1
        r = c.get("/api/v1/feedback/report.xlsx", headers=auth(keys.admin), params={"since": STARTED.isoformat()})
        assert r.status_code == 200 and load_workbook(io.BytesIO(r.content))["督查报告"]["A3"].value == "县财政局"
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        bad = c.get("/api/v1/feedback/report", headers=auth(keys.admin), params={"since": "2026-13-01"})
        assert bad.status_code == 422
        later = c.get("/api/v1/feedback/report", headers=auth(keys.admin),
                      params={"since": TODAY.isoformat(), "as_of": day(-1, TODAY)})
        assert later.status_code == 422
        # 县发改局 sends a file with a bad row; the bureau's own load (above) names no sender
        rows = [listing_row(uscc(904), "西吉县督查丁有限公司", start="2026-05-01", n=1),
                listing_row("91640422000000000X", "坏代码公司", start="2026-05-01", n=2)]
        sent = c.post("/api/v1/records/blacklist", files={"file": ("发改局名单.csv", blacklist_csv(rows), "text/csv")},
                      headers=auth(keys.fdrc))
        assert sent.status_code == 200 and sent.json()["rejected"] == 1
        (mine,) = c.get("/api/v1/feedback/uploads", headers=auth(keys.fdrc)).json()
        assert (mine["department"], mine["files"], mine["loaded"], mine["rejected"]) == ("县发改局", 1, 1, 1)
        assert mine["last_upload"]["file"] == "发改局名单.csv" and mine["last_upload"]["kind"] == "blacklist"
        (month,) = mine["months"]
        assert (month["month"], month["label"], month["files"], month["rejected"]) == (TODAY.strftime("%Y-%m"), "黑名单", 1, 1)
        assert c.get("/api/v1/feedback/uploads", headers=auth(keys.finance)).json() == []
        assert c.get("/api/v1/feedback/uploads", params={"department": "西吉县发展和改革局"},
                     headers=auth(keys.finance)).status_code == 403
        everyone = c.get("/api/v1/feedback/uploads", headers=auth(keys.admin)).json()
        assert [(r["department"], r["files"]) for r in everyone] == [("县发改局", 1), (None, 1)]
        one = c.get("/api/v1/feedback/uploads", params={"department": "县发改局"}, headers=auth(keys.admin)).json()
        assert [r["department"] for r in one] == ["县发改局"]
    r = CliRunner().invoke(app, ["alerts", "uploads", "--department", "县发改局", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["rejected"] == 1


def test_the_clock_starts_when_a_listing_reaches_the_department_not_before(store, home, tmp_path):
    """A listing in force for a year, loaded only today, is not overdue today: the receiving department could not
    act on it before it was sent. Sent again later, it keeps the day it first arrived; a department added to its
    receivers later gets its own day."""
    old_start = day(-365, TODAY)
    court = write_csv(tmp_path / "court.csv", BLACKLIST_HEADERS,
                      [listing(1, LISTED, "西吉县督查甲有限公司", old_start, "县财政局")])
    load_file(store, court, home=home, as_of=TODAY - timedelta(days=20))
    db = SupervisionDB(home)
    rows = by_department(report(store, db, as_of=TODAY))
    (late,) = rows["县财政局"]["overdue_listings"]
    assert (late["days"], late["received_on"], late["valid_from"]) == (20, day(-20, TODAY), old_start)
    # sent again today with one more receiver: 县财政局's day stays, 县公安局's is today
    again = write_csv(tmp_path / "again.csv", BLACKLIST_HEADERS,
                      [listing(1, LISTED, "西吉县督查甲有限公司", old_start, "县财政局、县公安局")])
    load_file(store, again, home=home)
    rows = by_department(report(store, db, as_of=TODAY))
    assert rows["县财政局"]["overdue"] == 1 and rows["县财政局"]["overdue_listings"][0]["days"] == 20
    assert (rows["县公安局"]["received"], rows["县公安局"]["overdue"], rows["县公安局"]["pending"]) == (1, 0, 1)
    # a report as of a day before the listing reached the store does not count it
    assert "县财政局" not in by_department(report(store, db, as_of=TODAY - timedelta(days=21)))
    db.close()


def test_a_cli_load_for_a_department_counts_in_that_departments_upload_record(store, home, tmp_path):
    """`creditnet load --department` sends for that department: the load history keeps who sent the file and its
    name as sent, on both stores, and the upload record counts it there, not under the bureau's own loads."""
    court = write_csv(tmp_path / "法院名单.csv", BLACKLIST_HEADERS,
                      [listing(1, LISTED, "西吉县督查甲有限公司", STARTED.isoformat(), "县财政局")])
    done = CliRunner().invoke(app, ["load", str(court), "--department", "县法院", "--json"])
    assert done.exit_code == 0, done.output
    own = write_csv(tmp_path / "own.csv", BLACKLIST_HEADERS,
                    [listing(2, RECENT, "西吉县督查乙有限公司", STARTED.isoformat(), "县财政局")])
    assert CliRunner().invoke(app, ["load", str(own), "--json"]).exit_code == 0
    store.close()
    from graph.stores import open_store
    with open_store(get_settings()) as reopened:
        history = reopened.load_history()
    assert [(h["sender"], h["sent_as"]) for h in history] == [("县法院", "法院名单.csv"), (None, "own.csv")]
    court_row, bureau_row = upload_record(history, all_senders=True)
    assert (court_row["department"], court_row["files"], court_row["last_upload"]["file"]) == ("县法院", 1, "法院名单.csv")
    assert (bureau_row["department"], bureau_row["files"]) == (None, 1)


def test_who_sent_a_file_is_kept_with_it_or_read_from_an_old_entrys_upload_name():
    assert sender({"file": "/h/uploads/tmpab12/县发改局-0123456789ab-a1b2c3-名单.csv"}) == ("县发改局", "名单.csv")
    assert sender({"file": "/data/县发改局-0123456789ab-a1b2c3-名单.csv"}) == (None, "县发改局-0123456789ab-a1b2c3-名单.csv")
    assert sender({"file": "/h/uploads/tmpab12/县发改局名单.csv"}) == (None, "县发改局名单.csv")
    # Kept with the entry: what was recorded wins over the path (a CLI load names its department, not its path)
    assert sender({"file": "/data/名单.csv", "sender": "县法院", "sent_as": "名单.csv"}) == ("县法院", "名单.csv")
    assert sender({"file": "/h/uploads/t/县发改局-0123456789ab-a1b2c3-a.csv", "sender": None,
                   "sent_as": "a.csv"}) == (None, "a.csv")
    history = [{"at": "2026-05-31T20:00:00+00:00", "file": "/h/uploads/t/县发改局-0123456789ab-a1b2c3-a.csv",
                "kind": "license", "rows": 3, "loaded": 3, "rejected": 0}]
    (row,) = upload_record(history, "县发改局")
    assert row["last_upload"]["file"] == "a.csv" and row["months"][0]["label"] == "行政许可"
    assert upload_record(history, "县财政局") == []


def test_names_in_the_workbook_are_text_never_formulas():
    row = {"department": "=县财政局", "received": 1, "responded": 0, "in_time": 0, "late": 0, "overdue": 1, "pending": 0,
           "median_days": None, "alerts_open": 0, "alerts_closed": 0, "alerts_median_days": None,
           "overdue_listings": [{"type": "@黑名单", "sender": "+县法院", "valid_from": "2026-01-01", "valid_to": None,
                                 "record_id": "x", "days": 40, "parties": [{"kind": "enterprise", "key": "k",
                                                                            "name": "=HYPERLINK(\"http://x\")"}]}]}
    answer = {"as_of": "2026-02-10", "since": None, "overdue_days": 15, "data_version": 1, "departments": [row],
              "totals": {k: v for k, v in row.items() if k not in ("department", "overdue_listings")}}
    book = load_workbook(io.BytesIO(to_xlsx(answer)))
    assert book["督查报告"]["A3"].data_type == "s" and book["督查报告"]["A3"].value == "=县财政局"
    cells = [c for r in book["逾期未反馈明细"].iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    assert cells and all(c.data_type == "s" for c in cells)
