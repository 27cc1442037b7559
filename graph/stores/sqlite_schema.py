"""The embedded store's durable record: one SQLite file (WAL), the source the in-memory graph is built from.

Enterprises carry an integer id so that an enterprise first known by its 15-digit registration number can
take its USCC later (when the registry arrives) without rewriting every record that points to it.
"""
from __future__ import annotations

import sqlite3

from graph.stores.changes import SQLITE_SCHEMA as CHANGED_PARTY_SCHEMA, SQLITE_TABLE as CHANGED_PARTY_TABLE

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enterprise (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- USCC, or registration number where no USCC is known
    uscc TEXT UNIQUE,
    reg_no TEXT UNIQUE,
    name TEXT,
    name_norm TEXT,
    name_chars TEXT,                   -- the name's Han characters, spaced: what enterprise_names indexes
    in_registry INTEGER NOT NULL DEFAULT 0,
    props TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS enterprise_name ON enterprise(name_norm);
CREATE TABLE IF NOT EXISTS person (id_number TEXT PRIMARY KEY, name TEXT, id_type TEXT, name_chars TEXT);
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

# The name index (docs/stores.md, "The name index"): FTS5 over the names' Han characters, one token a character
# (unicode61 keeps a run of Han characters as one token, so they are stored spaced), queried by phrases: "which
# names contain 鹏程建 as consecutive characters" — the same question Neo4j's CJK full-text index answers. The
# triggers keep it up to date in the transaction of whatever writes the table (a load, a merge, a reset).
# External content: the rowid is enterprise.id, and person's rowid (stable: creditnet never runs VACUUM).
NAME_INDEX_TABLES = {"enterprise_names": ("enterprise", "id"), "person_names": ("person", "rowid")}


def name_index_sql(index: str) -> list[str]:
    table, rowid = NAME_INDEX_TABLES[index]
    content_rowid = f", content_rowid='{rowid}'" if rowid != "rowid" else ""
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5(name_chars, content='{table}'{content_rowid}, "
        "columnsize=0, tokenize='unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} WHEN coalesce(new.name_chars, '') != '' "
        f"BEGIN INSERT INTO {index} (rowid, name_chars) VALUES (new.{rowid}, new.name_chars); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} WHEN coalesce(old.name_chars, '') != '' "
        f"BEGIN INSERT INTO {index} ({index}, rowid, name_chars) VALUES ('delete', old.{rowid}, old.name_chars); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE OF name_chars ON {table} "
        f"WHEN old.name_chars IS NOT new.name_chars BEGIN "
        f"INSERT INTO {index} ({index}, rowid, name_chars) SELECT 'delete', old.{rowid}, old.name_chars "
        f"WHERE coalesce(old.name_chars, '') != ''; "
        f"INSERT INTO {index} (rowid, name_chars) SELECT new.{rowid}, new.name_chars WHERE coalesce(new.name_chars, '') != ''; "
        f"END",
    ]


def is_name_index_table(name: str) -> bool:
    """The index's own tables and its shadow tables (enterprise_names_data …): emptied through the triggers, never
    by a DELETE of their own (which would corrupt the index)."""
    return any(name == index or name.startswith(index + "_") for index in NAME_INDEX_TABLES)


NAMES_INDEXED_SINCE = 5  # the version whose stores keep names' Han characters and index them

NO_ENTERPRISE = 0  # record.enterprise_id of a listing that names a natural person only

# Columns added since a store file was first made: (table, column, declaration). A store made before them gets them
# when it is opened (`migrate`); their NULL says what the old store did not know.
ADDED_COLUMNS = (("role", "since", "TEXT"), ("role", "until", "TEXT"), ("role", "former", "TEXT"),
                 ("enterprise", "name_chars", "TEXT"), ("person", "name_chars", "TEXT"),
                 # Who sent a file (a department; NULL: the bureau's own `creditnet load`) and its name as sent.
                 ("load_log", "sender", "TEXT"), ("load_log", "sent_as", "TEXT"),
                 # The day a department was linked to a record (its load's as-of date): when a receiving department
                 # received a listing, the bureau's report's clock (graph/supervision/report.py). NULL: before.
                 ("record_department", "since", "TEXT"))

# Tables added since a store file was first made, by name: a store made before them gets them when it is opened.
# What became of records after they were sent (graph/record_state.py): nothing here is ever updated but an
# objection's status, and nothing is deleted (but by `creditnet reset`).
ADDED_TABLES = {
    "record_event": """
CREATE TABLE IF NOT EXISTS record_event (
    seq INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL,        -- record.id
    event TEXT NOT NULL,               -- withdrawn | corrected | ended | reinstated | entered | amended
    effective TEXT NOT NULL,           -- ISO date from which it holds
    at TEXT NOT NULL,                  -- when it was made (UTC)
    department TEXT,                   -- on whose behalf (canonical), NULL: the bureau
    account TEXT,                      -- the API key id, or cli
    reason TEXT,
    source TEXT,                       -- the file it came with
    other TEXT,                        -- the record ID it replaced or was replaced by
    before TEXT,                       -- the fields before an in-place correction (JSON)
    data_version INTEGER NOT NULL      -- the data version it made
);
CREATE INDEX IF NOT EXISTS record_event_record ON record_event(record_id);""",
    "objection": """
CREATE TABLE IF NOT EXISTS objection (
    id INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL,        -- record.id
    objector TEXT NOT NULL,
    grounds TEXT NOT NULL,
    status TEXT NOT NULL,              -- 受理 | 核实 | 更正 | 驳回
    registered_at TEXT NOT NULL,
    account TEXT,
    history TEXT NOT NULL,             -- JSON array of {status, at, account, note, outcome}
    outcome INTEGER,                   -- record_event.seq of the withdrawal or correction that settled it
    data_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS objection_record ON objection(record_id);""",
    # Which parties each data version's load named (graph/stores/changes.py): follow-up supervision walks back from them.
    CHANGED_PARTY_TABLE: CHANGED_PARTY_SCHEMA,
    # Rejected rows, under each code they name (graph/unread.py): a check that reaches the party says so.
    "unread_row": """
CREATE TABLE IF NOT EXISTS unread_row (
    uid TEXT PRIMARY KEY,              -- the row's file, class, number, code, field and reason, hashed
    code TEXT NOT NULL,                -- a code or ID number the row names, normalised
    kind TEXT NOT NULL,
    source TEXT NOT NULL,              -- the file's name as sent
    row INTEGER NOT NULL,
    field TEXT,
    reason TEXT NOT NULL,
    at TEXT NOT NULL                   -- the day it was loaded (ISO)
);
CREATE INDEX IF NOT EXISTS unread_row_code ON unread_row(code);
CREATE INDEX IF NOT EXISTS unread_row_source ON unread_row(source, kind);""",
}


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a store file made by an earlier version up to SCHEMA_VERSION. Idempotent; a current file costs three
    reads and no lock. The change runs in one write transaction, which looks again (two processes opening the same
    old file: the second finds the columns there)."""
    def missing() -> list[tuple[str, str, str]]:
        columns = {t: {row[1] for row in conn.execute(f"PRAGMA table_info({t})")} for t in {t for t, _, _ in ADDED_COLUMNS}}
        return [(t, c, d) for t, c, d in ADDED_COLUMNS if c not in columns[t]]

    def missing_tables() -> list[str]:
        have = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return [t for t in ADDED_TABLES if t not in have]

    def version() -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def unindexed() -> list[str]:
        present = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
        return [index for index in NAME_INDEX_TABLES
                if not {index, f"{index}_insert", f"{index}_delete", f"{index}_update"} <= present]

    if not missing() and not missing_tables() and version() >= SCHEMA_VERSION and not unindexed():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, column, declaration in missing():
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        for table in missing_tables():
            for statement in ADDED_TABLES[table].split(";"):
                if statement.strip():
                    conn.execute(statement)
        if version() < NAMES_INDEXED_SINCE or unindexed():
            _index_names(conn)
        if version() < SCHEMA_VERSION:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _index_names(conn: sqlite3.Connection) -> None:
    """Version 5: every name's Han characters (and its normalised form, now with OpenCC's traditional characters),
    then the name index built from them in one pass."""
    from graph.names import normalise_name, spaced_han
    for index in NAME_INDEX_TABLES:
        conn.execute(name_index_sql(index)[0])
    rows = conn.execute("SELECT id, name FROM enterprise").fetchall()
    conn.executemany("UPDATE enterprise SET name_norm = ?, name_chars = ? WHERE id = ?",
                     [(normalise_name(name), spaced_han(name), eid) for eid, name in rows])
    rows = conn.execute("SELECT rowid, name FROM person").fetchall()
    conn.executemany("UPDATE person SET name_chars = ? WHERE rowid = ?", [(spaced_han(name), rid) for rid, name in rows])
    for index in NAME_INDEX_TABLES:
        for trigger in name_index_sql(index)[1:]:  # after the UPDATEs: the rebuild indexes every row once
            conn.execute(trigger)
        conn.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")


def rekey_listings(conn: sqlite3.Connection) -> None:
    """Listings keyed by their list's identity under the list-type table in use (graph/stores/listing_keys.py):
    one read when nothing changed, else one write transaction."""
    from graph.stores.listing_keys import identities_fingerprint, plan
    fingerprint = identities_fingerprint()

    def current() -> bool:
        row = conn.execute("SELECT value FROM meta WHERE key = 'list_identities'").fetchone()
        return row is not None and row[0] == fingerprint

    if current():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not current():  # another process may have done it meanwhile
            changes = plan(conn.execute("SELECT id, enterprise_id, natural, json_extract(props, '$.list_type') "
                                        "FROM record WHERE kind = 'blacklist'"))
            conn.executemany("UPDATE record SET natural = ? WHERE id = ?", [(new, rid) for rid, new in changes])
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('list_identities', ?)", (fingerprint,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
