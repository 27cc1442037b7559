"""Which parties each data version touched: what follow-up supervision re-checks after a change.

A load that changes the store (data version N → N+1) records, in its own transaction, the codes of the parties its
rows name (enterprise codes, ID numbers of persons, corporate members' codes). Committed with the data or not at
all: a process that dies after the commit leaves the record for the next pass of alerts (graph/supervision), which
walks back from these parties to the watched subjects within reach. A version with no record (a reset, a change
made by a writer that does not say what it touched, a file naming more than MAX_CODES parties) tells that pass to
re-check every watched subject instead.

Codes are written "<kind>:<code>", kind uscc, reg_no or id_number, as the rows sent them.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable

from graph.model import listed_person
from graph.rows import registry_code

# A file naming more parties than this (a province's registry) is recorded as "everything may have changed":
# walking back from a million parties costs more than re-checking the watched subjects.
MAX_CODES = 100_000
EVERYTHING = "*"

SQLITE_TABLE = "changed_party"
SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS changed_party (
    data_version INTEGER NOT NULL,
    code TEXT NOT NULL,                -- "<uscc|reg_no|id_number>:<code>", or "*": every party may have changed
    PRIMARY KEY (data_version, code)
);
"""

# Neo4j: one node per data version, created in the load's transaction after the version was raised.
CYPHER_RECORD = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) "
                 "CREATE (:ChangedParties {data_version: m.data_version, codes: $codes})")
CYPHER_SINCE = ("MATCH (c:ChangedParties) WHERE c.data_version > $after AND c.data_version <= $upto "
                "RETURN c.data_version AS v, c.codes AS codes")


def _code_kind(code: str) -> str:
    return "reg_no" if len(code) == 15 else "uscc"


def row_codes(kind: str, values: dict[str, Any] | tuple) -> list[str]:
    """The parties one validated row names, as "<kind>:<code>" (a tuple is the embedded store's prepared row,
    graph/stores/embedded_rows.py)."""
    out: list[str] = []
    if isinstance(values, tuple):
        if kind == "enterprise":  # graph/stores/embedded_rows.py `_enterprise`: (code, kind, name, reg_no, …, rep, …)
            code, code_kind, reg_no, rep = values[0], values[1], values[3], values[7]
            out.append(f"{code_kind}:{code}")
            if reg_no and reg_no != code:
                out.append(f"reg_no:{reg_no}")
            if rep:
                out.append(f"id_number:{rep}")
        elif kind == "member":
            out.append(f"{values[1]}:{values[0]}")
            out.append(f"{values[5] or 'id_number'}:{values[4]}")
        else:
            code, code_kind, subject = values[0], values[1], values[7]
            if code:
                out.append(f"{code_kind}:{code}")
            if subject:
                out.append(f"id_number:{subject}")
        return out
    v = values
    if kind == "enterprise":
        code, code_kind = registry_code(v)
        out.append(f"{code_kind}:{code}")
        if v.get("reg_no") and v["reg_no"] != code:
            out.append(f"reg_no:{v['reg_no']}")
        if v.get("legal_rep_id_number"):
            out.append(f"id_number:{v['legal_rep_id_number']}")
    elif kind == "member":
        out.append(f"{v['code_kind']}:{v['code']}")
        member = v["id_number"]
        out.append(f"{_code_kind(member)}:{member}" if v.get("member_kind") == "enterprise" else f"id_number:{member}")
    else:
        if v.get("code"):
            out.append(f"{v.get('code_kind') or _code_kind(v['code'])}:{v['code']}")
        if kind == "blacklist" and listed_person(v):
            out.append(f"id_number:{v['id_number']}")
    return out


def recorded_codes(codes: set[str] | None) -> list[str]:
    """What a version's record holds: the codes, or EVERYTHING when there are too many to walk back from."""
    if codes is None or len(codes) > MAX_CODES:
        return [EVERYTHING]
    return sorted(codes)


def record_sqlite(conn: sqlite3.Connection, codes: set[str] | None) -> None:
    """Inside the load's transaction, after the version was raised (SqliteWriter.finish)."""
    version = int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
    conn.executemany("INSERT OR IGNORE INTO changed_party (data_version, code) VALUES (?, ?)",
                     [(version, c) for c in recorded_codes(codes)])


def since_sqlite(conn: sqlite3.Connection, after: int, upto: int) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for version, code in conn.execute("SELECT data_version, code FROM changed_party WHERE data_version > ? AND "
                                      "data_version <= ?", (after, upto)):
        out.setdefault(version, set()).add(code)
    return out


def since_neo4j(rows: Iterable[Any]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for r in rows:
        out.setdefault(int(r["v"]), set()).update(r["codes"] or [])
    return out
