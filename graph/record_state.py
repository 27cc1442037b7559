"""What became of a record after it was sent: its ID, and the events that withdraw, correct, end or bring it back.

A record is never deleted. A department that sent it wrongly withdraws it (撤回) or corrects it (更正); a full
export that no longer holds it ends it (终止, as of the export's date); an export holding it again brings it back.
Each of these is an event kept with the record (who, when, why, the data version it made), and whether a record
counts on a date D is read from its events, so that an answer as of a date before a withdrawal says what the
data said then (docs/check-rules.md, "Withdrawn, corrected and ended records").

An objection (异议) registered against a record by the bureau is shown in every answer that uses the record while
it is open; it does not change whether the record counts.

Both stores keep events and objections as the dicts described here (`event_dict`, `objection_dict`): the
functions below are the only place that interprets them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# Events. An ending event stops the record counting from its `effective` date; `reinstated` starts it again.
WITHDRAWN = "withdrawn"    # 撤回: sent in error, withdrawn by its sender
CORRECTED = "corrected"    # 更正: replaced by another record (`other` names it)
ENDED = "ended"            # 终止: absent from its sender's full export (a snapshot) dated `effective`
REINSTATED = "reinstated"  # a later export (or file) sent an ended record again
ENTERED = "entered"        # a record made by a correction: counts from the correction's day (`other`: what it replaced)
AMENDED = "amended"        # corrected in place (the correcting row has the record's own natural key): `before` holds
#                            the fields as they were; the record keeps counting
ENDINGS = frozenset({WITHDRAWN, CORRECTED, ENDED})
EVENT_TEXT = {WITHDRAWN: "撤回", CORRECTED: "更正", ENDED: "终止（全量报送中已无此记录）", REINSTATED: "恢复",
              ENTERED: "更正录入", AMENDED: "原记录内容更正"}
# An ended record sent again comes back (a truncated export confirmed by mistake is undone by sending the whole one);
# a withdrawn or corrected one does not: its sender said it was wrong, and only its sender's new correction changes that.
RESTORABLE = frozenset({ENDED})

# Objections (异议): status 受理 (registered) and 核实 (being verified) are open; 更正 (upheld: the record was corrected
# or withdrawn, `outcome` names that event) and 驳回 (rejected) close it.
ACCEPTED, VERIFYING, UPHELD, REJECTED = "受理", "核实", "更正", "驳回"
OBJECTION_STATUSES = (ACCEPTED, VERIFYING, UPHELD, REJECTED)
OPEN_STATUSES = frozenset({ACCEPTED, VERIFYING})

EVENT_KEYS = ("seq", "event", "effective", "at", "department", "account", "reason", "source", "other", "before",
              "data_version")
OBJECTION_KEYS = ("id", "record_id", "objector", "grounds", "status", "registered_at", "account", "history",
                  "outcome", "data_version")


# --- record IDs ----------------------------------------------------------------------------------------------
PERSON_ALONE = "P"  # in a record ID, the place of the enterprise key for a listing of a natural person alone


def record_id(kind: str, enterprise_key: str | None, natural: str) -> str:
    """The ID a department names a record by: `<kind>.<enterprise key>.<10 hex digits of its natural key>`, the
    same on every store (it is made of what both keep). A listing of a natural person alone has `P` for its
    enterprise: its natural key holds the person's ID number, which an ID must not show."""
    digest = hashlib.blake2b(natural.encode(), digest_size=5).hexdigest()
    return f"{kind}.{enterprise_key or PERSON_ALONE}.{digest}"


def parse_record_id(text: str) -> tuple[str, str | None, str] | None:
    """(kind, enterprise key or None for a person alone, digest) of a record ID, or None if it is not one."""
    parts = (text or "").strip().split(".")
    if len(parts) != 3 or not all(parts) or len(parts[2]) != 10:
        return None
    kind, key, digest = parts
    return kind, None if key == PERSON_ALONE else key, digest


@dataclass
class RecordInfo:
    """A record as an amendment needs it: who it is about, who sent it, what became of it. `ref` is the store's
    own handle (a row id, a uid): what the writer that found it uses to change it."""
    record_id: str
    kind: str
    enterprise_key: str | None
    natural: str
    fields: dict[str, Any]
    senders: list[str]                     # canonical departments that sent (blacklist) or issued it
    events: list[dict[str, Any]] = field(default_factory=list)
    objections: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False                  # written by the transaction that found it
    ref: Any = None

    def summary(self) -> dict[str, Any]:
        """What a report says of the record: its ID, subject, the fields that name it, and its current standing."""
        f = self.fields
        return {"record_id": self.record_id, "kind": self.kind, "enterprise": self.enterprise_key,
                "name": f.get("name"), "list_type": f.get("list_type"), "valid_from": f.get("valid_from"),
                "valid_to": f.get("valid_to"), "person_name": f.get("person_name"),
                "number": f.get("license_no") or f.get("decision_no"), "senders": list(self.senders),
                "ending": ending(self.events)}


def subject_text(summary: dict[str, Any]) -> str:
    """Whom a record's summary is about, for a line of text: the enterprise's name and the person it names, the
    person alone for a listing of a natural person, else the enterprise's code."""
    name, person = summary.get("name"), summary.get("person_name")
    if name and person and person != name:
        return f"{name}，{person}"
    return name or person or summary.get("enterprise") or ""


# --- reading events ------------------------------------------------------------------------------------------
def event_dict(raw: dict[str, Any]) -> dict[str, Any]:
    """An event as both stores give it (a store that drops empty values, Neo4j, gives fewer keys)."""
    return {k: raw.get(k) for k in EVENT_KEYS}


def objection_dict(raw: dict[str, Any]) -> dict[str, Any]:
    out = {k: raw.get(k) for k in OBJECTION_KEYS}
    if isinstance(out["history"], str):
        out["history"] = json.loads(out["history"])
    out["history"] = out["history"] or []
    return out


def _in_order(events) -> list[dict[str, Any]]:
    return sorted(events or (), key=lambda e: e["seq"])


def counts_on(record: dict[str, Any], on: str) -> bool:
    """Whether the record counts on `on` (ISO date) as far as its events say: as the data stood on that day. A record
    made by a correction does not count before the correction; an ending stops it from its effective date."""
    events = _in_order(record.get("events"))
    if not events:
        return True
    counting = not any(e["event"] == ENTERED for e in events)
    for e in events:
        if e["effective"] > on:
            continue
        if e["event"] in ENDINGS:
            counting = False
        elif e["event"] in (REINSTATED, ENTERED):
            counting = True
    return counting


def status_on(record: dict[str, Any], on: str) -> str | None:
    """Why a record does not count on `on`: withdrawn, corrected, ended, or entered_later (made by a correction
    after that day); None when it counts."""
    if counts_on(record, on):
        return None
    events = [e for e in _in_order(record.get("events")) if e["effective"] <= on and e["event"] in ENDINGS]
    return events[-1]["event"] if events else "entered_later"


def ending(events) -> dict[str, Any] | None:
    """The event that ends the record now (the last ending not followed by a reinstatement), or None."""
    last = None
    for e in _in_order(events):
        if e["event"] in ENDINGS:
            last = e
        elif e["event"] == REINSTATED:
            last = None
    return last


def last_counting_day(record: dict[str, Any]) -> str:
    """The last day a record that has ended now counted: the day before its ending took effect."""
    end = ending(record.get("events"))
    assert end is not None, "only asked of a record that has ended"
    return (date.fromisoformat(end["effective"]) - timedelta(days=1)).isoformat()


def later_ending(record: dict[str, Any], on: str) -> dict[str, Any] | None:
    """An ending made after `on` of a record that counts on `on`: the answer as of `on` says what the data said
    then, and the official must see that the record was withdrawn, corrected or ended since."""
    now = ending(record.get("events"))
    return now if now is not None and now["effective"] > on else None


def open_objections(record: dict[str, Any], on: str | None = None) -> list[dict[str, Any]]:
    """The objections open on `on` (None: now): registered by that day and not closed before it."""
    out = []
    for o in record.get("objections") or ():
        if on is not None and o["registered_at"][:10] > on:
            continue
        closed = next((h for h in o["history"] if h["status"] not in OPEN_STATUSES
                       and (on is None or h["at"][:10] <= on)), None)
        if closed is None:
            out.append(o)
    return sorted(out, key=lambda o: o["id"])


def standing(record: dict[str, Any], on: str) -> dict[str, Any]:
    """The record's ID and what became of it, as every answer shows it: `ending` (the event that ended it, now or
    by `on`), and the objections open on `on`."""
    end = ending(record.get("events"))
    return {"record_id": record.get("record_id"),
            "ending": None if end is None else {k: end[k] for k in ("event", "effective", "at", "department",
                                                                   "reason", "other")},
            "objections": [{k: o[k] for k in ("id", "objector", "grounds", "status", "registered_at")}
                           for o in open_objections(record, on)]}


def notes_for(record: dict[str, Any], on: str, label: str = "") -> list[str]:
    """What an answer must say of a record it uses: an open objection, or an ending made after the answer's date."""
    out = []
    what = f"{label}（记录 {record.get('record_id')}）" if label else f"记录 {record.get('record_id')}"
    for o in open_objections(record, on):
        out.append(f"{what}有异议正在处理（{o['status']}，{o['registered_at'][:10]} 登记，异议人：{o['objector']}；理由：{o['grounds']}）"
                   f" (an objection to this record is open)")
    later = later_ending(record, on)
    if later is not None:
        out.append(f"{what}已于 {later['effective']} 由{later['department'] or '报送部门'}{EVENT_TEXT[later['event']]}"
                   f"（原因：{later['reason'] or '未说明'}）；本答复按 {on} 当日的数据作出 (withdrawn, corrected or ended "
                   f"after this date: the answer says what the data said then)")
    return out
