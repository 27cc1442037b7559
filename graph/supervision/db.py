"""supervision.sqlite: watch lists, last answers, alerts, responses and the mark of derived data versions."""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from graph.errors import StoreUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS watch (
    department TEXT NOT NULL,          -- canonical name
    party_kind TEXT NOT NULL,          -- enterprise | person
    party_key TEXT NOT NULL,           -- USCC / registration number | ID number
    code_kind TEXT NOT NULL,           -- uscc | reg_no | id_number, as the department's file gave it
    name TEXT,
    added_at TEXT NOT NULL,
    added_by TEXT,
    PRIMARY KEY (department, party_kind, party_key)
);
-- Each watched subject's last answer: what the next pass compares with (no need for the old graph).
CREATE TABLE IF NOT EXISTS answer (
    party_kind TEXT NOT NULL,
    party_key TEXT NOT NULL,
    name TEXT,
    verdict TEXT NOT NULL,
    hits TEXT NOT NULL,                -- JSON list of hit summaries (alerts.summarise)
    data_version INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    PRIMARY KEY (party_kind, party_key)
);
CREATE TABLE IF NOT EXISTS alert (
    id INTEGER PRIMARY KEY,
    department TEXT NOT NULL,
    party_kind TEXT NOT NULL,
    party_key TEXT NOT NULL,
    party_name TEXT,
    watched_for TEXT NOT NULL,         -- why the department watches it: licence numbers, or its own list
    created_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    cause TEXT NOT NULL,               -- load | refresh
    version_before INTEGER NOT NULL,
    version_after INTEGER NOT NULL,
    verdict_before TEXT NOT NULL,
    verdict_after TEXT NOT NULL,
    hits_before TEXT NOT NULL,
    hits_after TEXT NOT NULL,
    changed TEXT NOT NULL              -- JSON {"added": [...], "ended": [...], "changed": [...]}
);
CREATE INDEX IF NOT EXISTS alert_department ON alert(department, id);
-- What a department did (响应 → 反馈), about one of its alerts or one listing it received. Append-only.
CREATE TABLE IF NOT EXISTS response (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER,
    listing_id TEXT,
    department TEXT NOT NULL,
    measure TEXT NOT NULL,
    note TEXT,
    official TEXT NOT NULL,
    acted_on TEXT NOT NULL,
    at TEXT NOT NULL,
    account TEXT
);
CREATE INDEX IF NOT EXISTS response_alert ON response(alert_id);
CREATE INDEX IF NOT EXISTS response_listing ON response(listing_id, department);
CREATE TRIGGER IF NOT EXISTS response_no_update BEFORE UPDATE ON response
BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;
CREATE TRIGGER IF NOT EXISTS response_no_delete BEFORE DELETE ON response
BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;
CREATE TABLE IF NOT EXISTS mark (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Webhooks (graph/supervision/webhooks.py): the secret signs each body (HMAC-SHA256), so it is kept as given.
CREATE TABLE IF NOT EXISTS webhook (
    id INTEGER PRIMARY KEY,
    department TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,                   -- API key id, or "cli"
    removed_at TEXT
);
-- The outbox: written in the pass's transaction with the alerts it carries, sent afterwards (outbox.py).
CREATE TABLE IF NOT EXISTS delivery (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhook(id),
    alert_ids TEXT NOT NULL,           -- JSON list
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | delivered | failed (given up) | cancelled (hook removed)
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_at TEXT NOT NULL,             -- not before (back-off)
    lease_until TEXT,                  -- a sender took it until then (a sender that died frees it by this time)
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS delivery_due ON delivery(state, next_at);
CREATE INDEX IF NOT EXISTS delivery_webhook ON delivery(webhook_id, id);
CREATE TABLE IF NOT EXISTS delivery_attempt (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    status INTEGER,                    -- the receiver's HTTP status; NULL when none came
    error TEXT,
    ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_attempt_delivery ON delivery_attempt(delivery_id, attempt);
CREATE TRIGGER IF NOT EXISTS delivery_attempt_no_update BEFORE UPDATE ON delivery_attempt
BEGIN SELECT RAISE(ABORT, 'delivery attempts are append-only'); END;
CREATE TRIGGER IF NOT EXISTS delivery_attempt_no_delete BEFORE DELETE ON delivery_attempt
BEGIN SELECT RAISE(ABORT, 'delivery attempts are append-only'); END;
"""


def _private(path: Path) -> None:
    """Only the service's user reads the file: it holds the webhooks' signing secrets."""
    try:
        os.chmod(path, 0o600)
    except OSError:  # a file another user owns (a shared deployment): its owner decided
        pass


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SupervisionDB:
    """One connection to home/supervision.sqlite (WAL). Not shared between threads: open one per use."""

    def __init__(self, home: Path):
        self.home = Path(home)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.home / "supervision.sqlite", isolation_level=None, timeout=60)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(SCHEMA)
            _private(self.home / "supervision.sqlite")
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"监管记录 {self.home / 'supervision.sqlite'} 无法打开（{exc}）；请检查该目录的权限与磁盘空间 "
                                   f"(the supervision file cannot be opened: check the directory's permissions and "
                                   f"free space)", {"directory": str(self.home)}) from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "SupervisionDB":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: two passes of alerts never interleave)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def get_mark(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM mark WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_mark(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO mark (key, value) VALUES (?, ?)", (key, value))

    def rows(self, sql: str, args: tuple | list | dict[str, Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, args)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None
