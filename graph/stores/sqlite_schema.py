"""The embedded store's durable record: one SQLite file (WAL), the source the in-memory graph is built from.

Enterprises carry an integer id so that an enterprise first known by its 15-digit registration number can
take its USCC later (when the registry arrives) without rewriting every record that points to it.
"""
SCHEMA_VERSION = 1

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
-- member_ref is a person's ID number, or the id of a corporate member enterprise as text.
CREATE TABLE IF NOT EXISTS role (
    enterprise_id INTEGER NOT NULL,
    member_kind TEXT NOT NULL,
    member_ref TEXT NOT NULL,
    role TEXT NOT NULL,
    share TEXT,
    PRIMARY KEY (enterprise_id, member_kind, member_ref, role)
);
CREATE INDEX IF NOT EXISTS role_member ON role(member_kind, member_ref);
CREATE TABLE IF NOT EXISTS record (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL,
    natural TEXT NOT NULL,             -- the record's natural key within its enterprise (DOMAIN.md)
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
"""
