"""Copying an embedded store into another store (a county that grows up into a province's Neo4j).

The copy replays the embedded store's rows through the target's GraphWriter, so the target keys
enterprises, merges registration numbers and names departments exactly as a load would have.
"""
from __future__ import annotations

import json
from typing import Callable

from graph.model import Party
from graph.stores.base import GraphStore
from graph.stores.embedded import EmbeddedStore


def _kind(code: str) -> str:
    return "reg_no" if len(code) == 15 else "uscc"


def export_store(source: EmbeddedStore, target: GraphStore,
                 progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every enterprise, person, role and record; return counts per class. One transaction."""
    conn = source._read_conn()
    counts = {"enterprise": 0, "person": 0, "role": 0, "record": 0}
    conn.execute("BEGIN")  # one snapshot of the source for the whole copy
    try:
        with target.writer("export") as w:
            keys: dict[int, str] = {}
            for eid, key, uscc, reg_no, name, in_registry, props in conn.execute(
                    "SELECT id, key, uscc, reg_no, name, in_registry, props FROM enterprise ORDER BY id"):
                keys[eid] = key
                code, kind = (uscc, "uscc") if uscc else (reg_no, "reg_no")
                w.enterprise(code, kind, name=name, reg_no=reg_no, props=json.loads(props),
                             from_registry=bool(in_registry))
                counts["enterprise"] += 1
            _report(progress, "enterprise", counts)
            for id_number, name, id_type in conn.execute("SELECT id_number, name, id_type FROM person ORDER BY id_number"):
                w.person(id_number, name, id_type)
                counts["person"] += 1
            _report(progress, "person", counts)
            for eid, member_kind, ref, role, share, since, until, former in conn.execute(
                    "SELECT enterprise_id, member_kind, member_ref, role, share, since, until, former FROM role "
                    "ORDER BY enterprise_id"):
                member = Party("person", ref) if member_kind == "person" else Party("enterprise", keys[int(ref)])
                w.role(member, keys[eid], _kind(keys[eid]), role, share, since=since, until=until)
                if former and json.loads(former):  # earlier terms of the same holder (a head named again)
                    w.role_history(member, keys[eid], _kind(keys[eid]), role, json.loads(former))
                counts["role"] += 1
            _report(progress, "role", counts)
            departments: dict[int, list[tuple[str, str, str]]] = {}
            for rid, relation, dept, sent_as in conn.execute(
                    "SELECT record_id, relation, department, sent_as FROM record_department"):
                departments.setdefault(rid, []).append((relation, dept, sent_as))
            for rid, kind, eid, natural, props in conn.execute(
                    "SELECT id, kind, enterprise_id, natural, props FROM record ORDER BY id"):
                code = keys.get(eid)  # none: a listing of a natural person alone (NO_ENTERPRISE)
                w.record(kind, natural, code, code and _kind(code), json.loads(props), departments.get(rid, []))
                counts["record"] += 1
            _report(progress, "record", counts)
            counts.update(_copy_what_became_of_records(conn, w, keys))
            counts["unread"] = _copy_unread(conn, w)
    finally:
        conn.execute("COMMIT")
    return counts


def _copy_unread(conn, w) -> int:
    """Rejected rows remembered under the codes they name (graph/unread.py), file by file."""
    by_file: dict[tuple[str, str], list[dict]] = {}
    for uid, code, kind, source, row, field, reason, at in conn.execute(
            "SELECT uid, code, kind, source, row, field, reason, at FROM unread_row ORDER BY source, kind, row, code"):
        by_file.setdefault((kind, source), []).append({"uid": uid, "code": code, "kind": kind, "source": source,
                                                        "row": row, "field": field, "reason": reason, "at": at})
    for (kind, source), entries in by_file.items():
        w.record_unread(kind, source, entries, set(), set())
    return sum(len(e) for e in by_file.values())


def _report(progress, phase, counts) -> None:
    if progress:
        progress(phase, counts[phase])


def _copy_what_became_of_records(conn, w, keys: dict[int, str]) -> dict[str, int]:
    """Events and objections (graph/record_state.py), in the order they were made, on the records just copied: found
    in the target by their ID, which both stores give alike. Numbers are the target's own (an objection's outcome is
    mapped to its event's new number)."""
    from graph.record_state import parse_record_id, record_id
    from graph.stores.embedded_amendments import all_objections, events_of
    from graph.stores.sqlite_schema import NO_ENTERPRISE
    ids = {rid: record_id(kind, keys.get(eid) if eid != NO_ENTERPRISE else None, natural)
           for rid, kind, eid, natural in conn.execute("SELECT id, kind, enterprise_id, natural FROM record WHERE id IN "
                                                       "(SELECT record_id FROM record_event UNION "
                                                       "SELECT record_id FROM objection)")}
    found: dict[tuple, list] = {}

    def target(text: str):
        kind, key, _ = parse_record_id(text) or (None, None, None)
        if (kind, key) not in found:
            found[(kind, key)] = w.records_under(kind, key)
        return next(i for i in found[(kind, key)] if i.record_id == text)

    by_rid = events_of(conn, list(ids))
    seqs: dict[int, int] = {}
    ordered = sorted(((rid, e) for rid, es in by_rid.items() for e in es), key=lambda x: x[1]["seq"])
    for rid, e in ordered:
        seqs[e["seq"]] = w.add_event(target(ids[rid]), {k: v for k, v in e.items() if k not in ("seq", "data_version")})
    objections = all_objections(conn)
    for o in objections:
        w.add_objection(target(o["record_id"]), {**o, "outcome": seqs.get(o["outcome"]) if o["outcome"] else None,
                                                  "history": [{**h, "outcome": seqs.get(h["outcome"]) if h.get("outcome")
                                                               else None} for h in o["history"]]})
    return {"record_event": len(ordered), "objection": len(objections)}
