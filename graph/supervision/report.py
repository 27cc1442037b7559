"""The bureau's report (联席会议 督查): per receiving department, the listings it received and how it answered them,
and its alerts.

- **Received.** Every listing naming the department among its 信息接收部门 whose clock (below) starts in the period
  (since ≤ start ≤ as_of), counted once per record whatever the subjects it names. A record withdrawn or
  replaced by a correction was sent in error and is not counted; one that ended (expired, or ended by a full
  export) still had to be answered.
- **Answered.** A response to the listing itself, or to an alert of the department's that the listing raised (as
  `feedback` counts it); its date is the earliest 措施日期 recorded.
- **The clock** starts at 限制期限自, the day the receiving department must start enforcing the listing (国发〔2016〕33号
  asks for the measures and the feedback then), or on the day the listing reached the store for that department
  (`received_on`: its load's date), whichever is later: an old listing loaded late is not overdue on the day it
  arrives. Stores written before the load date was kept start it at 限制期限自.
  Answered within the set days (`feedback_overdue_days`, default 15): in time; later: late; not answered and the
  days have passed: overdue (逾期未反馈); not yet: pending.
- **Alerts** created in the period, open (no response) or closed; the days from an alert to its first response.
Person ID numbers are masked in the report: it is read out at the joint meeting, and its counts need no one's
number.
"""
from __future__ import annotations

import io
import json
from datetime import date
from statistics import median
from typing import Any

from graph.departments import COUNTY_DEPARTMENTS
from graph.identifiers import mask_id_number
from graph.queries.listings import listing_status, restriction
from graph.stores.base import GraphStore
from graph.supervision.hits import listing_id
from graph.supervision.db import SupervisionDB

# Records sent in error: they never bound anyone, so nobody had to answer them.
NOT_RECEIVED = ("withdrawn", "corrected", "entered_later")
COLUMNS = (("department", "部门"), ("received", "收到名单"), ("responded", "已反馈"), ("in_time", "按期反馈"),
           ("late", "逾期反馈"), ("overdue", "逾期未反馈"), ("pending", "未到期未反馈"),
           ("median_days", "反馈用时中位数（天）"), ("alerts_open", "提醒未答复"), ("alerts_closed", "提醒已答复"),
           ("alerts_median_days", "提醒答复用时中位数（天）"))


def _days(later: str, earlier: str) -> int:
    """Whole days from `earlier` to `later` (ISO dates), never negative: an answer dated before the listing took
    effect (the department acted on an alert or a notice first) took no time."""
    return max((date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days, 0)


def _by(answered: str | None, day: str) -> bool:
    """Answered on or before `day`: an answer dated later was not there yet on the day the report is made for."""
    return answered is not None and answered <= day


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def _first_answers(db: SupervisionDB) -> dict[tuple[str, str], str]:
    """(listing id, department) -> the earliest date it was answered: to the listing, or to an alert it raised."""
    first: dict[tuple[str, str], str] = {}

    def note(lid: str, department: str, day: str) -> None:
        if (lid, department) not in first or day < first[(lid, department)]:
            first[(lid, department)] = day

    for r in db.rows("SELECT listing_id, department, min(acted_on) AS day FROM response WHERE listing_id IS NOT NULL "
                     "GROUP BY listing_id, department"):
        note(r["listing_id"], r["department"], r["day"])
    for r in db.rows("SELECT a.department, a.changed, min(r.acted_on) AS day FROM response r "
                     "JOIN alert a ON a.id = r.alert_id GROUP BY a.id"):
        changed = json.loads(r["changed"])
        for hit in changed["added"] + changed["changed"]:
            for x in hit["listings"]:
                note(x["id"], r["department"], r["day"])
    return first


def _public_party(party: dict[str, Any]) -> dict[str, Any]:
    return {**party, "key": mask_id_number(party["key"])} if party["kind"] == "person" else party


def _received(store: GraphStore, as_of: date, since: date | None) -> dict[str, list[dict[str, Any]]]:
    """Department -> the listings it received in the period, each with the ids its subjects' listings go by."""
    day, start = as_of.isoformat(), since.isoformat() if since else ""
    received = store.read(lambda reader: {name: reader.department_listings(name) for name in reader.department_names()})
    out: dict[str, list[dict[str, Any]]] = {}
    for department, listings in received.items():
        for listing in listings:
            valid_from = listing.get("valid_from") or ""
            received_on = listing.get("_received_on")
            clock = max(valid_from, received_on or "")
            if not valid_from or clock > day or clock < start:
                continue
            if listing_status(listing, day) in NOT_RECEIVED:
                continue
            r = restriction(listing, day)
            subjects = listing["_subjects"]
            out.setdefault(department, []).append({
                "ids": {listing_id(p.key, r) for p in subjects}, "type": r["type"], "sender": r["sender"],
                "valid_from": valid_from, "valid_to": r["valid_to"], "record_id": r.get("record_id"),
                "received_on": received_on, "clock": clock, "parties": [_public_party(p.as_dict()) for p in subjects]})
    return out


def _alerts(db: SupervisionDB, as_of: date, since: date | None) -> dict[str, list[tuple[str, str | None]]]:
    """Department -> (created date, first answer date or None) of each alert made in the period."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for r in db.rows("SELECT a.department, a.created_at, (SELECT min(acted_on) FROM response WHERE alert_id = a.id) "
                     "AS answered FROM alert a"):
        created = r["created_at"][:10]
        if created > as_of.isoformat() or (since and created < since.isoformat()):
            continue
        out.setdefault(r["department"], []).append((created, r["answered"]))
    return out


def _order(name: str) -> tuple[int, str]:
    return (COUNTY_DEPARTMENTS.index(name), name) if name in COUNTY_DEPARTMENTS else (len(COUNTY_DEPARTMENTS), name)


def report(store: GraphStore, db: SupervisionDB, *, as_of: date, since: date | None = None,
           overdue_days: int = 15) -> dict[str, Any]:
    """Per department: listings received, answered (in time, late), overdue and pending, the median days to answer,
    its alerts open and closed; and the county's totals."""
    day = as_of.isoformat()  # what was answered after it was not answered yet on that day
    received = _received(store, as_of, since)
    answers = _first_answers(db)
    alerts = _alerts(db, as_of, since)
    departments, all_days, all_alert_days = [], [], []
    for name in sorted(set(received) | set(alerts), key=_order):
        row: dict[str, Any] = {"department": name, "received": 0, "responded": 0, "in_time": 0, "late": 0,
                               "overdue": 0, "pending": 0, "overdue_listings": []}
        days = []
        for listing in received.get(name, []):
            row["received"] += 1
            dates = [answers[(lid, name)] for lid in listing["ids"] if _by(answers.get((lid, name)), day)]
            waited = _days(day, listing["clock"])
            if dates:
                took = max(0, _days(min(dates), listing["clock"]))  # answered before it reached the store: at once
                days.append(took)
                row["responded"] += 1
                row["in_time" if took <= overdue_days else "late"] += 1
            elif waited > overdue_days:
                row["overdue"] += 1
                row["overdue_listings"].append({k: listing[k] for k in ("type", "sender", "valid_from", "valid_to",
                                                                        "received_on", "record_id", "parties")}
                                               | {"days": waited})
            else:
                row["pending"] += 1
        alert_days = [_days(answered, created) for created, answered in alerts.get(name, [])
                      if answered is not None and _by(answered, day)]
        row["alerts_open"] = len(alerts.get(name, [])) - len(alert_days)
        row["alerts_closed"] = len(alert_days)
        row["median_days"], row["alerts_median_days"] = _median(days), _median(alert_days)
        row["overdue_listings"].sort(key=lambda x: (-x["days"], x["sender"] or ""))
        all_days += days
        all_alert_days += alert_days
        departments.append(row)
    counted = [key for key, _ in COLUMNS if key not in ("department", "median_days", "alerts_median_days")]
    totals = {key: sum(d[key] for d in departments) for key in counted}
    totals.update(median_days=_median(all_days), alerts_median_days=_median(all_alert_days))
    return {"as_of": as_of.isoformat(), "since": since.isoformat() if since else None, "overdue_days": overdue_days,
            "data_version": store.data_version(), "departments": departments, "totals": totals}


def _cell(value: Any) -> Any:
    return "" if value is None else value


def to_xlsx(answer: dict[str, Any]) -> bytes:
    """The report as a workbook: the table per department with the totals, and the overdue listings one a row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "督查报告"
    period = f"自 {answer['since']} 起，" if answer["since"] else ""
    ws.append([f"联席会议督查：各部门反馈情况（{period}截至 {answer['as_of']}，逾期标准 {answer['overdue_days']} 天，"
               f"数据版本 {answer['data_version']}）"])
    ws.append([title for _, title in COLUMNS])
    for row in [*answer["departments"], {**answer["totals"], "department": "合计"}]:
        ws.append([_cell(row.get(key)) for key, _ in COLUMNS])
    detail = wb.create_sheet("逾期未反馈明细")
    detail.append(["部门", "对象", "代码/证件号码", "信息类型", "信息发送部门", "限制期限自", "限制期限至", "收到日期", "已过天数",
                   "记录编号"])
    for d in answer["departments"]:
        for x in d["overdue_listings"]:
            for party in x["parties"] or [{"name": "", "key": ""}]:
                detail.append([d["department"], party["name"], party["key"], _cell(x["type"]), _cell(x["sender"]),
                               x["valid_from"], _cell(x["valid_to"]), x.get("received_on") or "", x["days"],
                               _cell(x["record_id"])])
    for sheet in (ws, detail):
        # Names come from departments' files: a text cell is stored as text, never run as a formula.
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for cell in sheet[2 if sheet is ws else 1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 20
    ws.freeze_panes = "B3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
