"""The audit trail: every check (CLI and API) is recorded so that an official can prove later what the
system answered on that day — who asked, about whom, against which data version, and the full answer.

It lives in its own SQLite file beside the store (whatever the backend), append-only: triggers refuse
UPDATE and DELETE, and nothing in creditnet issues them.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from graph.errors import StoreUnavailable
from graph.model import CheckResult
from graph.settings import get_settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    check_id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    account TEXT NOT NULL,
    department TEXT,
    subject_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    as_of TEXT NOT NULL,
    depth INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    hit_keys TEXT NOT NULL,
    data_version INTEGER NOT NULL,
    store TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
-- A department's own checks, newest first, and every check of one subject (the pages' lists of recorded checks).
CREATE INDEX IF NOT EXISTS audit_department ON audit(department, seq);
CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject_key);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
-- Changes to records after they were sent: withdrawals, corrections, a full export's endings, objections.
CREATE TABLE IF NOT EXISTS change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    account TEXT NOT NULL,
    department TEXT,
    action TEXT NOT NULL,              -- withdraw | correct | snapshot | objection
    reason TEXT,
    source TEXT,
    records TEXT NOT NULL,             -- JSON array of record IDs (a correction: "old → new")
    details TEXT NOT NULL              -- JSON: the rest of the entry (an objection's number and status …)
);
CREATE TRIGGER IF NOT EXISTS change_no_update BEFORE UPDATE ON change
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS change_no_delete BEFORE DELETE ON change
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
CHANGE_COLUMNS = ("seq", "at", "account", "department", "action", "reason", "source", "records", "details")

_lock = threading.Lock()
COLUMNS = ("check_id", "at", "account", "department", "subject_kind", "subject_key", "as_of", "depth", "verdict",
           "hit_keys", "data_version", "store")
_INSERT = f"INSERT INTO audit ({', '.join(COLUMNS)}, result) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"


def audit_row(result: dict[str, Any], *, account: str, department: str | None, store: str) -> tuple:
    """The audit row of one answer, which gets its `check_id` here; the last column is the answer as JSON text,
    exactly as the service sends it (the API answers with these very bytes: what is recorded is what was said)."""
    check_id = result.get("check_id") or uuid.uuid4().hex
    result["check_id"] = check_id
    return (check_id, datetime.now(timezone.utc).isoformat(timespec="milliseconds"), account, department,
            result["subject"]["kind"], result["subject"]["key"], result["as_of"], result["depth"],
            result["verdict"], orjson.dumps([h["party"]["key"] for h in result["hits"]]).decode(),
            result.get("data_version", 0), store, orjson.dumps(result).decode())


def unwritable(home: Path, exc: BaseException) -> StoreUnavailable:
    """Why the trail cannot take a record, in words an official can act on. A check is not answered without
    its record (the answer must be provable later), so this ends the check."""
    from graph.stores.embedded import disk_full_error, is_disk_full  # the embedded store's disk-full wording
    if is_disk_full(exc):
        return disk_full_error(home, exc)
    return StoreUnavailable(f"审计记录 {home / 'audit.sqlite'} 无法写入（{exc}）；检查结果必须记入审计记录，本次未作答复。"
                            f"请检查该目录的权限与磁盘空间后重试 (the audit trail cannot be written; no answer is "
                            f"given without a record: check the directory's permissions and free space, then retry)",
                            {"directory": str(home)})


@contextmanager
def _translated(home: Path):
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise unwritable(home, exc) from exc


class AuditTrail:
    def __init__(self, home: Path):
        self.home = home
        with _translated(home):
            home.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(home / "audit.sqlite", isolation_level=None, check_same_thread=False,
                                        timeout=30)
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.executescript(SCHEMA)
            except BaseException:
                self.conn.close()
                raise

    def record(self, result: dict[str, Any], *, account: str, department: str | None, store: str) -> dict[str, Any]:
        self.insert(audit_row(result, account=account, department=department, store=store))
        return result

    def insert(self, row: tuple) -> None:
        """Append one row made by `audit_row` (in the caller's transaction, if any)."""
        with _lock:
            self.conn.execute(_INSERT, row)

    def entries(self, since: str | None = None, department: str | None = None, limit: int = 1000) -> list[dict]:
        out = self._oldest_first("audit", COLUMNS, since, department, limit)
        for entry in out:
            entry["hit_keys"] = json.loads(entry["hit_keys"])
        return out

    def get(self, check_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT account, department, result, at FROM audit WHERE check_id = ?",
                                (check_id,)).fetchone()
        if row is None:
            return None
        return {"account": row[0], "department": row[1], "result": json.loads(row[2]), "at": row[3]}

    def checks(self, *, department: str | None = None, since: str | None = None, before: str | None = None,
               key: str | None = None, name_part: str | None = None, verdict: str | None = None,
               limit: int = 100) -> tuple[list[dict[str, Any]], bool]:
        """Recorded checks, newest first, and whether more match than `limit`. `since` ≤ at < `before` (ISO times
        as the trail writes them); `key` (the subject's code or ID number as recorded) or `name_part` (part of the
        subject's name) picks one subject: either matches when both are given."""
        sql = ("SELECT check_id, at, account, department, subject_kind, subject_key, "
               "json_extract(result, '$.subject.name'), as_of, depth, verdict, json_array_length(hit_keys), "
               "data_version FROM audit")
        where, args = _where(("department", "=", department), ("at", ">=", since), ("at", "<", before),
                             ("verdict", "=", verdict))
        sql += where
        if key or name_part:
            who = []
            if key:
                who.append("subject_key = ?")
                args.append(key)
            if name_part:
                # a name's `%` and `_` are characters, not wildcards
                who.append("json_extract(result, '$.subject.name') LIKE ? ESCAPE '\\'")
                args.append("%" + re.sub(r"([%_\\])", r"\\\1", name_part) + "%")
            sql += f" AND ({' OR '.join(who)})"
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(limit + 1)
        names = ("check_id", "at", "account", "department", "subject_kind", "subject_key", "subject_name", "as_of",
                 "depth", "verdict", "hits", "data_version")
        rows = [dict(zip(names, row)) for row in self.conn.execute(sql, args)]
        return rows[:limit], len(rows) > limit

    def record_change(self, entry: dict[str, Any]) -> None:
        """Append one change to records (graph/amendments.py, graph/snapshots.py, graph/objections.py make them)."""
        known = ("at", "account", "department", "action", "reason", "source", "records")
        details = {k: v for k, v in entry.items() if k not in known}
        with _translated(self.home), _lock:
            self.conn.execute("INSERT INTO change (at, account, department, action, reason, source, records, details) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (entry["at"], entry["account"], entry.get("department"), entry["action"],
                               entry.get("reason"), entry.get("source"),
                               json.dumps(entry.get("records") or [], ensure_ascii=False),
                               json.dumps(details, ensure_ascii=False, default=str)))

    def changes(self, since: str | None = None, department: str | None = None, limit: int = 1000) -> list[dict]:
        """Changes to records, oldest first."""
        out = self._oldest_first("change", CHANGE_COLUMNS, since, department, limit)
        for entry in out:
            entry["records"] = json.loads(entry["records"])
            entry["details"] = json.loads(entry["details"])
        return out

    def _oldest_first(self, table: str, columns: tuple[str, ...], since: str | None,
                      department: str | None, limit: int) -> list[dict[str, Any]]:
        """Rows of one of the trail's tables (checks or changes to records), oldest first, as dicts."""
        where, args = _where(("at", ">=", since), ("department", "=", department))
        sql = f"SELECT {', '.join(columns)} FROM {table}{where} ORDER BY seq LIMIT ?"
        return [dict(zip(columns, row)) for row in self.conn.execute(sql, [*args, limit])]

    def close(self) -> None:
        self.conn.close()


def _where(*conditions: tuple[str, str, str | None]) -> tuple[str, list[Any]]:
    """The trail's filters as SQL: ` WHERE 1 = 1` and ` AND <column> <op> ?` for each (column, op, value) whose value
    is given, with the values to bind in order. Columns and operators are this module's own words, never input."""
    sql, args = " WHERE 1 = 1", []
    for column, op, value in conditions:
        if value:
            sql += f" AND {column} {op} ?"
            args.append(value)
    return sql, args


def record_check(store, result: CheckResult, *, account: str, department: str | None,
                 home: Path | None = None) -> dict[str, Any]:
    """Record one check and return its answer as a dict carrying its `check_id`."""
    trail = AuditTrail(home or get_settings().home)
    try:
        with _translated(trail.home):
            return trail.record(result.as_dict(), account=account, department=department, store=store.name)
    finally:
        trail.close()
