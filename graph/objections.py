"""Objections (异议): an enterprise or a person disputes a record, and the bureau registers it.

The county market supervision bureau registers the objection against the record (who objects, on what grounds), and
moves it through 受理 (registered) → 核实 (being verified) → 更正 (upheld) or 驳回 (rejected). While it is open,
every answer that uses the record shows it (graph/record_state.open_objections). It does not change whether the
record counts: only the record's sender withdraws or corrects it (graph/amendments.py), and an upheld objection
names that withdrawal or correction as its outcome.

Every registration and change of status is one transaction, moves the data version, and is written to the audit
trail (`audit`, called just before the commit).
"""
from __future__ import annotations

from typing import Any

from graph.amendments import Actor, Audit, Records, now
from graph.errors import InvalidRequest, NotFound
from graph.record_state import (ACCEPTED, AMENDED, CORRECTED, OBJECTION_STATUSES, OPEN_STATUSES, REJECTED, UPHELD,
                                VERIFYING, WITHDRAWN)
from graph.stores.base import GraphStore

SETTLING_EVENTS = frozenset({WITHDRAWN, CORRECTED, AMENDED})


def _text(value: str | None, what: str, field: str) -> str:
    if not value or not value.strip():
        raise InvalidRequest(f"请填写{what} ({field} is required)", {"field": field})
    return value.strip()


def register(store: GraphStore, record_id: str, objector: str | None, grounds: str | None, actor: Actor,
             audit: Audit | None = None) -> dict[str, Any]:
    """Register an objection against a record (status 受理); return it with its number."""
    objector, grounds = _text(objector, "异议人", "objector"), _text(grounds, "异议理由", "grounds")
    at = now()
    with store.writer("objection") as writer:
        info = Records(writer).by_id(record_id)
        history = [{"status": ACCEPTED, "at": at, "account": actor.account, "note": None, "outcome": None}]
        number = writer.add_objection(info, {"objector": objector, "grounds": grounds, "status": ACCEPTED,
                                             "registered_at": at, "account": actor.account, "history": history,
                                             "outcome": None})
        if audit is not None:
            audit({"action": "objection", "at": at, "account": actor.account, "department": actor.department,
                   "reason": grounds, "source": None, "records": [info.record_id], "objection": number,
                   "status": ACCEPTED})
    return {"id": number, "record_id": info.record_id, "objector": objector, "grounds": grounds, "status": ACCEPTED,
            "registered_at": at, "history": history, "outcome": None, "record": info.summary(),
            "data_version": store.data_version()}


NEXT_STATUSES = {ACCEPTED: (VERIFYING, REJECTED), VERIFYING: (UPHELD, REJECTED)}


def set_status(store: GraphStore, objection_id: int, status: str, actor: Actor, note: str | None = None,
               outcome: int | None = None, audit: Audit | None = None) -> dict[str, Any]:
    """Move an objection to `status`. 更正 needs the record withdrawn or corrected first: `outcome` names that event
    (its number), else the record's latest withdrawal or correction is taken. A closed objection stays closed."""
    if status not in OBJECTION_STATUSES:
        raise InvalidRequest(f"异议状态应为 {'、'.join(OBJECTION_STATUSES)} 之一 (unknown status)", {"status": status})
    at = now()
    with store.writer("objection") as writer:
        found = writer.objection(objection_id)
        if found is None:
            raise NotFound(f"没有编号为 {objection_id} 的异议 (no such objection)", {"objection": objection_id})
        objection, info = found
        if objection["status"] not in OPEN_STATUSES:
            raise InvalidRequest(f"异议 {objection_id} 已办结（{objection['status']}），不能再更改 (the objection is closed)",
                                 {"objection": objection_id, "status": objection["status"]})
        # The order the procedure follows (受理 → 核实 → 更正 or 驳回; an objection plainly unfounded may be 驳回 at
        # once): never back, never the same step twice, never 更正 before the facts were verified.
        allowed = NEXT_STATUSES[objection["status"]]
        if status not in allowed:
            raise InvalidRequest(f"异议 {objection_id} 现为“{objection['status']}”，下一步只能是 {'或'.join(allowed)} "
                                 f"(an objection moves 受理 → 核实 → 更正 or 驳回)",
                                 {"objection": objection_id, "status": objection["status"], "allowed": list(allowed)})
        settled = None
        if status == UPHELD:
            events = [e for e in info.events if e["event"] in SETTLING_EVENTS]
            if outcome is not None:
                events = [e for e in events if e["seq"] == outcome]
            if not events:
                raise InvalidRequest(f"记录 {info.record_id} 尚未被撤回或更正：请先由报送部门撤回或更正该记录（creditnet withdraw / "
                                     f"correct，或页面【撤回与更正】），再将异议办结为“更正”；以缩短限制期限至重新报送的提前移出不算更正 "
                                     f"(withdraw or correct the record first; an early removal re-sent with a shorter end "
                                     f"date is not a correction)", {"record_id": info.record_id})
            settled = events[-1]["seq"]
        history = [*objection["history"], {"status": status, "at": at, "account": actor.account, "note": note,
                                           "outcome": settled}]
        writer.set_objection(objection_id, status, history, settled)
        if audit is not None:
            audit({"action": "objection", "at": at, "account": actor.account, "department": actor.department,
                   "reason": note, "source": None, "records": [info.record_id], "objection": objection_id,
                   "status": status})
    return {**objection, "status": status, "history": history, "outcome": settled, "record": info.summary(),
            "data_version": store.data_version()}


def objections(store: GraphStore, *, open_only: bool = False, department: str | None = None,
               record_id: str | None = None) -> list[dict[str, Any]]:
    """Objections, each with the summary of its record; `department`: only those against its records."""
    found = store.read(lambda reader: reader.objections())
    return [o for o in found
            if (not open_only or o["status"] in OPEN_STATUSES)
            and (department is None or department in o["record"]["senders"])
            and (record_id is None or o["record_id"] == record_id)]
