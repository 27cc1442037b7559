"""The embedded store's durable record: one SQLite file (WAL), the source the in-memory graph is built from.

Enterprises carry an integer id so that an enterprise first known by its 15-digit registration number can
take its USCC later (when the registry arrives) without rewriting every record that points to it.
"""
from __future__ import annotations

import sqlite3

from graph.stores.changes import SQLITE_SCHEMA as CHANGED_PARTY_SCHEMA, SQLITE_TABLE as CHANGED_PARTY_TABLE

SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enterprise (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- USCC, or registration number where no USCC is known
    uscc TEXT UNIQUE,
    reg_no TEXT UNIQUE,
    name TEXT,
    name_norm TEXT,
    in_registry INTEGER NOT NULL DEFAULT 0,
    props TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS enterprise_name ON enterprise(name_norm);
CREATE TABLE IF NOT EXISTS person (id_number TEXT PRIMARY KEY, name TEXT, id_type TEXT);
CREATE INDEX IF NOT EXISTS person_name ON person(name);
-- member_ref is a person's ID number, or the id of a corporate member enterprise as text.
-- since/until: the term (任职日期, 离任日期 or the 变更日期 of the registry change that ended it), ISO dates or NULL;
-- an ended role is kept: a bar follows who held the post at the time.
CREATE TABLE IF NOT EXISTS role (
    enterprise_id INTEGER NOT NULL,
    member_kind TEXT NOT NULL,
    member_ref TEXT NOT NULL,
    role TEXT NOT NULL,
    share TEXT,
    since TEXT,
    until TEXT,
    former TEXT,                       -- earlier terms of the same holder, a JSON array of "since|until"
    PRIMARY KEY (enterprise_id, member_kind, member_ref, role)
);
CREATE INDEX IF NOT EXISTS role_member ON role(member_kind, member_ref);
-- enterprise_id 0 (no enterprise has it: ids start at 1) is a listing of a natural person alone (a 失信被执行人 row
-- without an enterprise code): its person is its only subject, and a re-sent row still finds it by the unique key.
CREATE TABLE IF NOT EXISTS record (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL,
    natural TEXT NOT NULL,             -- the record's natural key within its enterprise (docs/domain.md)
    props TEXT NOT NULL,
    UNIQUE (kind, enterprise_id, natural)
);
CREATE INDEX IF NOT EXISTS record_enterprise ON record(enterprise_id, kind);
CREATE TABLE IF NOT EXISTS record_department (
    record_id INTEGER NOT NULL,
    relation TEXT NOT NULL,            -- issued_by | sent_by | received_by
    department TEXT NOT NULL,          -- canonical name (the node)
    sent_as TEXT NOT NULL,             -- the spelling the department used
    PRIMARY KEY (record_id, relation, department)
);
CREATE INDEX IF NOT EXISTS record_department_dept ON record_department(department, relation);
-- Who a listing restricts: the enterprise under its code and the person it names.
CREATE TABLE IF NOT EXISTS listing_subject (
    record_id INTEGER NOT NULL,
    party_kind TEXT NOT NULL,
    party_ref TEXT NOT NULL,
    PRIMARY KEY (record_id, party_kind, party_ref)
);
CREATE INDEX IF NOT EXISTS listing_subject_party ON listing_subject(party_kind, party_ref);
CREATE TABLE IF NOT EXISTS department (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS department_alias (sent_as TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS load_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    file TEXT NOT NULL,
    kind TEXT NOT NULL,
    rows INTEGER NOT NULL,
    loaded INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    rejects_file TEXT,
    data_version INTEGER NOT NULL
);
""" + CHANGED_PARTY_SCHEMA

NO_ENTERPRISE = 0  # record.enterprise_id of a listing that names a natural person only

# Columns added since a store file was first made: (table, column, declaration). A store made before them gets them
# when it is opened (`migrate`); their NULL says what the old store did not know.
ADDED_COLUMNS = (("role", "since", "TEXT"), ("role", "until", "TEXT"), ("role", "former", "TEXT"))
# Tables added since: (name, its CREATE statement). Created when missing, whatever the version says.
ADDED_TABLES = ((CHANGED_PARTY_TABLE, CHANGED_PARTY_SCHEMA),)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a store file made by an earlier version up to SCHEMA_VERSION. Idempotent; a current file costs two
    reads and no lock. The change runs in one write transaction, which looks again (two processes opening the same
    old file: the second finds the columns there)."""
    def missing() -> list[tuple[str, str, str]]:
        columns = {t: {row[1] for row in conn.execute(f"PRAGMA table_info({t})")} for t in {t for t, _, _ in ADDED_COLUMNS}}
        return [(t, c, d) for t, c, d in ADDED_COLUMNS if c not in columns[t]]

    def version() -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def missing_tables() -> list[str]:
        have = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return [sql for name, sql in ADDED_TABLES if name not in have]

    if not missing() and not missing_tables() and version() >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, column, declaration in missing():
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        for sql in missing_tables():
            conn.execute(sql.strip().rstrip(";"))
        if version() < SCHEMA_VERSION:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
