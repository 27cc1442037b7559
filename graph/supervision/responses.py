"""What each department did about its alerts and the listings it received (响应 → 反馈), and who has not answered.

A response names a measure, a note, the official and the date; responses are append-only (a correction is a
later response). A department answers only its own alerts, and only listings it is a receiver of; the sending
department and the bureau's admin see, per listing sent, which receivers have responded.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable

from graph.accounts import Forbidden
from graph.departments import canonical_department
from graph.errors import InvalidRequest, NotFound
from graph.queries.listings import is_active, restriction
from graph.stores.base import GraphStore
from graph.supervision.hits import listing_id
from graph.supervision.db import SupervisionDB, now

MEASURES = ("不予许可", "撤销或注销许可", "暂停或限制", "列入重点监管", "核查后无需处理", "其他")


def _alert_row(db: SupervisionDB, alert_id: int) -> dict[str, Any]:
    rows = db.rows("SELECT * FROM alert WHERE id = ?", (alert_id,))
    if not rows:
        raise NotFound(f"没有编号为 {alert_id} 的提醒 (no such alert)", {"alert": alert_id})
    return rows[0]


def alert_out(db: SupervisionDB, row: dict[str, Any]) -> dict[str, Any]:
    responses = db.rows("SELECT id, department, measure, note, official, acted_on, at FROM response WHERE alert_id = ? "
                        "ORDER BY id", (row["id"],))
    return {"id": row["id"], "department": row["department"],
            "party": {"kind": row["party_kind"], "key": row["party_key"], "name": row["party_name"] or ""},
            "watched_for": json.loads(row["watched_for"]), "created_at": row["created_at"], "as_of": row["as_of"],
            "cause": row["cause"], "data_version": {"before": row["version_before"], "after": row["version_after"]},
            "before": {"verdict": row["verdict_before"], "hits": json.loads(row["hits_before"])},
            "after": {"verdict": row["verdict_after"], "hits": json.loads(row["hits_after"])},
            "changed": json.loads(row["changed"]), "open": not responses, "responses": responses}


def alerts(db: SupervisionDB, department: str | None = None, open_only: bool = False,
           limit: int = 1000, closed_only: bool = False) -> list[dict[str, Any]]:
    """A department's alerts (all departments' when None), newest first: only those not yet answered (`open_only`),
    or only those answered (`closed_only`)."""
    sql, args = "SELECT * FROM alert WHERE 1 = 1", list[Any]()
    if department is not None:
        sql, args = sql + " AND department = ?", [canonical_department(department)]
    if open_only:
        sql += " AND NOT EXISTS (SELECT 1 FROM response r WHERE r.alert_id = alert.id)"
    if closed_only:
        sql += " AND EXISTS (SELECT 1 FROM response r WHERE r.alert_id = alert.id)"
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    return [alert_out(db, row) for row in db.rows(sql, args)]


def open_count(db: SupervisionDB, department: str | None) -> int:
    sql = "SELECT count(*) FROM alert WHERE NOT EXISTS (SELECT 1 FROM response r WHERE r.alert_id = alert.id)"
    if department is None:
        return db.conn.execute(sql).fetchone()[0]
    return db.conn.execute(sql + " AND department = ?", (canonical_department(department),)).fetchone()[0]


def _validated(measure: str, note: str | None, official: str, acted_on: str | None) -> tuple[str, str | None, str, str]:
    if measure not in MEASURES:
        raise InvalidRequest(f"措施应为以下之一：{'、'.join(MEASURES)} (unknown measure)", {"field": "measure"})
    if measure == "其他" and not (note or "").strip():
        raise InvalidRequest("措施为“其他”时请在说明中写明所采取的措施 (measure 其他 needs a note)", {"field": "note"})
    if not official.strip():
        raise InvalidRequest("请填写经办人姓名 (the official's name is required)", {"field": "official"})
    try:
        day = date.fromisoformat(acted_on).isoformat() if acted_on else date.today().isoformat()
    except ValueError:
        raise InvalidRequest(f"日期应为 YYYY-MM-DD，实为“{acted_on}” (acted_on must be a date)",
                             {"field": "acted_on"}) from None
    return measure, (note or "").strip() or None, official.strip(), day


def _audited(audit: Callable[[dict], None] | None, at: str, account: str | None, department: str, what: str,
             measure: str, note: str | None, official: str, day: str) -> None:
    """A response in the audit trail's changes too (graph/audit.py), like a withdrawal or an objection."""
    if audit is not None:
        audit({"action": "response", "at": at, "account": account or "cli", "department": department, "reason": note,
               "source": None, "records": [what], "measure": measure, "official": official, "acted_on": day})


def respond_to_alert(db: SupervisionDB, alert_id: int, department: str, *, measure: str, note: str | None,
                     official: str, acted_on: str | None = None, account: str | None = None,
                     admin: bool = False, audit: Callable[[dict], None] | None = None) -> dict[str, Any]:
    row = _alert_row(db, alert_id)
    canonical = canonical_department(department)
    if row["department"] != canonical and not admin:
        raise Forbidden(f"提醒 {alert_id} 属于{row['department']}，{canonical}不能答复 (another department's "
                                  f"alert)", {"alert": alert_id})
    measure, note, official, day = _validated(measure, note, official, acted_on)
    at = now()
    with db.transaction() as conn:
        conn.execute("INSERT INTO response (alert_id, department, measure, note, official, acted_on, at, account) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (alert_id, row["department"], measure, note, official, day, at,
                                                         account))
    _audited(audit, at, account, row["department"], f"alert:{alert_id}", measure, note, official, day)
    return alert_out(db, _alert_row(db, alert_id))


def sent_listings(store: GraphStore, sender: str | None, on: date) -> list[dict[str, Any]]:
    """Every listing (of one subject) sent by `sender` (all senders when None) and active on `on`, with its
    receivers: read through each department's received listings."""
    found: dict[str, dict[str, Any]] = {}

    def question(reader):
        return {name: reader.department_listings(name) for name in reader.department_names()}

    day = on.isoformat()
    for listings in store.read(question).values():
        for listing in listings:
            if sender is not None and listing.get("sender") != sender or not is_active(listing, day):
                continue
            r = restriction(listing, day)
            for party in listing["_subjects"]:
                lid = listing_id(party.key, r)
                found.setdefault(lid, {"id": lid, "party": party.as_dict(), "type": r["type"], "sender": r["sender"],
                                       "valid_from": r["valid_from"], "valid_to": r["valid_to"],
                                       "receivers": sorted(set(r["receivers"]))})
    return sorted(found.values(), key=lambda x: (x["valid_from"] or "", x["id"]))


def respond_to_listing(store: GraphStore, db: SupervisionDB, lid: str, department: str, *, measure: str,
                       note: str | None, official: str, acted_on: str | None = None, account: str | None = None,
                       on: date | None = None, audit: Callable[[dict], None] | None = None) -> dict[str, Any]:
    canonical = canonical_department(department)
    listing = next((x for x in sent_listings(store, None, on or date.today()) if x["id"] == lid), None)
    if listing is None:
        raise NotFound(f"没有编号为 {lid} 的有效名单 (no such active listing)", {"listing": lid})
    if canonical not in listing["receivers"]:
        raise Forbidden(f"{canonical}不是该名单的信息接收部门 (not a receiver of this listing)", {"listing": lid})
    measure, note, official, day = _validated(measure, note, official, acted_on)
    at = now()
    with db.transaction() as conn:
        conn.execute("INSERT INTO response (listing_id, department, measure, note, official, acted_on, at, account) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (lid, canonical, measure, note, official, day, at, account))
    _audited(audit, at, account, canonical, f"listing:{lid}", measure, note, official, day)
    return feedback(store, db, listing["sender"], on or date.today(), only=lid)[0]


def feedback(store: GraphStore, db: SupervisionDB, sender: str | None, on: date,
             only: str | None = None) -> list[dict[str, Any]]:
    """Per listing sent (by `sender`, or by anyone): each receiver, and whether it has responded — to the listing
    itself, or to an alert of its own that the listing raised."""
    out = []
    for listing in sent_listings(store, canonical_department(sender) if sender else None, on):
        if only is not None and listing["id"] != only:
            continue
        answered: dict[str, list[dict[str, Any]]] = {}
        for r in db.rows("SELECT department, measure, note, official, acted_on, at FROM response WHERE listing_id = ? "
                         "ORDER BY id", (listing["id"],)):
            answered.setdefault(r["department"], []).append(r)
        for r in db.rows("SELECT r.department, r.measure, r.note, r.official, r.acted_on, r.at, a.changed "
                         "FROM response r JOIN alert a ON a.id = r.alert_id ORDER BY r.id"):
            changed = json.loads(r.pop("changed"))
            if any(x["id"] == listing["id"] for h in changed["added"] + changed["changed"] for x in h["listings"]):
                answered.setdefault(r["department"], []).append({**r, "via": "alert"})
        receivers = [{"department": d, "responded": d in answered, "responses": answered.get(d, [])}
                     for d in listing["receivers"]]
        out.append({**listing, "receivers": receivers,
                    "not_responded": [d["department"] for d in receivers if not d["responded"]]})
    return out
