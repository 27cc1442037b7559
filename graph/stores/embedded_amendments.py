"""What became of records, on the embedded store: events and objections in SQLite (sqlite_schema.ADDED_TABLES).

`AmendmentWriting` gives the SQLite writer the GraphWriter's amendment methods (graph/stores/base.py), inside the
file's transaction; the functions below also let the reader attach events and objections to the records it
returns, the same dicts as the Neo4j store's (graph/record_state.py).
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from graph.record_state import EVENT_KEYS, RecordInfo, event_dict, objection_dict, record_id
from graph.stores.party_graph import chunks
from graph.stores.sqlite_schema import NO_ENTERPRISE

_EVENT_COLUMNS = ", ".join(EVENT_KEYS)
_OBJECTION_COLUMNS = "id, record_id, objector, grounds, status, registered_at, account, history, outcome, data_version"
_RECORD = "SELECT r.id, r.kind, r.enterprise_id, r.natural, r.props, e.key FROM record r " \
          "LEFT JOIN enterprise e ON e.id = r.enterprise_id "


def events_of(conn: sqlite3.Connection, rids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks(list(rids)):
        for row in conn.execute(f"SELECT record_id, {_EVENT_COLUMNS} FROM record_event WHERE record_id IN "
                                f"({','.join('?' * len(chunk))}) ORDER BY seq", chunk):
            out.setdefault(row[0], []).append(event_dict(dict(zip(EVENT_KEYS, row[1:]))))
    return out


def objections_of(conn: sqlite3.Connection, rids: Iterable[int], ids: dict[int, str]) -> dict[int, list[dict[str, Any]]]:
    """Objections by record id; `ids`: each record's ID (an objection names its record by it)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks(list(rids)):
        for row in conn.execute(f"SELECT {_OBJECTION_COLUMNS} FROM objection WHERE record_id IN "
                                f"({','.join('?' * len(chunk))}) ORDER BY id", chunk):
            raw = dict(zip(_OBJECTION_COLUMNS.split(", "), row))
            rid = raw["record_id"]
            out.setdefault(rid, []).append(objection_dict({**raw, "record_id": ids.get(rid)}))
    return out


def amended_records(conn: sqlite3.Connection) -> set[int]:
    """Ids of the records that have events or objections: few, and the only ones whose answers need them."""
    return {rid for (rid,) in conn.execute("SELECT record_id FROM record_event UNION SELECT record_id FROM objection")}


def decorate(conn: sqlite3.Connection, records: list[tuple[int, dict[str, Any]]], amended: set[int]) -> None:
    """Give each record dict ((record id, dict holding its `record_id`)) its events and objections, where it has any."""
    wanted = [(rid, data) for rid, data in records if rid in amended]
    if not wanted:
        return
    rids = sorted({rid for rid, _ in wanted})
    events = events_of(conn, rids)
    objections = objections_of(conn, rids, {rid: data["record_id"] for rid, data in wanted})
    for rid, data in wanted:
        if rid in events:
            data["events"] = [dict(e) for e in events[rid]]
        if rid in objections:
            data["objections"] = [dict(o) for o in objections[rid]]


def senders_of(conn: sqlite3.Connection, rids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for chunk in chunks(rids):
        for rid, department in conn.execute(
                f"SELECT record_id, department FROM record_department WHERE relation IN ('sent_by', 'issued_by') "
                f"AND record_id IN ({','.join('?' * len(chunk))}) ORDER BY department", chunk):
            out.setdefault(rid, []).append(department)
    return out


def record_infos(conn: sqlite3.Connection, rows: list[tuple], written: set[int] | None = None) -> list[RecordInfo]:
    """RecordInfo of each row of `_RECORD`."""
    rids = [row[0] for row in rows]
    senders = senders_of(conn, rids)
    events = events_of(conn, rids)
    ids = {rid: record_id(kind, key if eid != NO_ENTERPRISE else None, natural)
           for rid, kind, eid, natural, _props, key in rows}
    objections = objections_of(conn, rids, ids)
    return [RecordInfo(ids[rid], kind, key if eid != NO_ENTERPRISE else None, natural, json.loads(props),
                       senders.get(rid, []), events.get(rid, []), objections.get(rid, []),
                       written is not None and rid in written, rid)
            for rid, kind, eid, natural, props, key in rows]


class AmendmentWriting:
    """The GraphWriter's amendment methods for SqliteWriter (which gives `conn`, `written_records` and the flushes)."""

    conn: sqlite3.Connection
    written_records: set[int]

    def _flush_departments(self) -> None: ...  # SqliteWriter's

    def _settled(self) -> sqlite3.Connection:
        """The connection, with every row this file wrote so far in its tables."""
        self._flush_departments()
        return self.conn

    def _version_made(self) -> int:
        """The data version this transaction makes: it changes something, so `finish` raises the version by one."""
        return int(self.conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]) + 1

    def records_under(self, kind, code):
        c = self._settled()
        if code is None:
            rows = c.execute(_RECORD + "WHERE r.kind = ? AND r.enterprise_id = ?", (kind, NO_ENTERPRISE)).fetchall()
        else:
            rows = c.execute(_RECORD + "WHERE r.kind = ? AND r.enterprise_id = (SELECT id FROM enterprise WHERE "
                             "key = ? OR uscc = ? OR reg_no = ? LIMIT 1)", (kind, code, code, code)).fetchall()
        return record_infos(c, rows, self.written_records)

    def records_sent_by(self, kind, department):
        c = self._settled()
        rows = c.execute(_RECORD + "WHERE r.kind = ? AND r.id IN (SELECT record_id FROM record_department WHERE "
                         "department = ? AND relation IN ('sent_by', 'issued_by'))", (kind, department)).fetchall()
        return record_infos(c, rows, self.written_records)

    def written_with_events(self):
        c = self._settled()
        rids = [rid for (rid,) in c.execute("SELECT DISTINCT record_id FROM record_event") if rid in self.written_records]
        rows = [row for chunk in chunks(rids) for row in c.execute(
            _RECORD + f"WHERE r.id IN ({','.join('?' * len(chunk))})", chunk)]
        return record_infos(c, rows, self.written_records)

    def add_event(self, record, event):
        c = self._settled()
        values = {**event, "data_version": self._version_made()}
        columns = [k for k in EVENT_KEYS if k != "seq"]
        cursor = c.execute(f"INSERT INTO record_event (record_id, {', '.join(columns)}) VALUES "
                           f"(?, {', '.join('?' * len(columns))})", (record.ref, *(values.get(k) for k in columns)))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_objection(self, record, objection):
        c = self._settled()
        cursor = c.execute(
            "INSERT INTO objection (record_id, objector, grounds, status, registered_at, account, history, outcome, "
            "data_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.ref, objection["objector"], objection["grounds"], objection["status"], objection["registered_at"],
             objection.get("account"), json.dumps(objection.get("history") or [], ensure_ascii=False),
             objection.get("outcome"), self._version_made()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def objection(self, objection_id):
        c = self._settled()
        row = c.execute("SELECT record_id FROM objection WHERE id = ?", (objection_id,)).fetchone()
        if row is None:
            return None
        (info,) = record_infos(c, c.execute(_RECORD + "WHERE r.id = ?", (row[0],)).fetchall(), self.written_records)
        return next(o for o in info.objections if o["id"] == objection_id), info

    def set_objection(self, objection_id, status, history, outcome):
        self._settled().execute("UPDATE objection SET status = ?, history = ?, outcome = ?, data_version = ? WHERE id = ?",
                                (status, json.dumps(history, ensure_ascii=False), outcome, self._version_made(),
                                 objection_id))


def all_objections(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every objection with the summary of its record (the reader's `objections`)."""
    rids = [rid for (rid,) in conn.execute("SELECT DISTINCT record_id FROM objection")]
    rows = [row for chunk in chunks(rids) for row in conn.execute(
        _RECORD + f"WHERE r.id IN ({','.join('?' * len(chunk))})", chunk)]
    out = []
    for info in record_infos(conn, rows):
        summary = info.summary()
        out += [{**o, "record": summary} for o in info.objections]
    return sorted(out, key=lambda o: o["id"])
