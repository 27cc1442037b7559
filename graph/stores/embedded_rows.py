"""The embedded writer's rows, prepared in the process that reads the file.

A load runs in two processes: one reads and validates, the other writes, and at 1,000,000 enterprises the
writing one is the busier. Everything about a row that depends on that row alone — which fields are props,
their JSON text, the normalised name, the record's natural key and departments, who a listing names — is
computed here, in the reading process, and crosses the pipe as a tuple (smaller to pickle than the dict of
values). `SqliteWriter.write_prepared` then only resolves enterprises and runs statements, exactly as
`graph.row_writes.write_row` would have for the same row, from the same meaning (graph/rows.py)
(tests/test_embedded_writer.py compares the stores).
"""
from __future__ import annotations

from typing import Any, Callable

from graph.model import listed_person
from graph.names import normalise_name, spaced_han
from graph.rows import (code_kind, departments, natural_key, record_props, registry_code, registry_props,
                        replacement_date)
from graph.stores.embedded_writer import dumps_props


def _enterprise(v: dict[str, Any]) -> tuple:
    """(code, code kind, name, reg_no, props JSON, normalised name, its spaced Han characters, legal representative's
    ID, name, ID type, their 任职日期, the date the row's change took effect or None: the writer's as-of date applies)"""
    name = v.get("name")
    return (*registry_code(v), name, v.get("reg_no"), dumps_props(registry_props(v)), normalise_name(name),
            spaced_han(name),
            v.get("legal_rep_id_number") or None, v.get("legal_rep"),
            v.get("legal_rep_id_type"), v.get("legal_rep_since"), replacement_date(v))


def _member(v: dict[str, Any]) -> tuple:
    """(code, code kind, name, member kind, member's code or ID number, its code kind, member's name, ID type,
    role, share, since, until)"""
    member_id = v["id_number"]
    corporate = v.get("member_kind") == "enterprise"
    return (v["code"], v["code_kind"], v.get("name"), "enterprise" if corporate else "person", member_id,
            code_kind(member_id) if corporate else None, v.get("person_name"), v.get("id_type"), v["role"],
            v.get("share"), v.get("since"), v.get("until"))


def _record(kind: str) -> Callable[[dict[str, Any]], tuple]:
    def prepare(v: dict[str, Any]) -> tuple:
        """(code, code kind, name, natural key, props JSON, departments, the person a listing row names
        (ID, name, ID type) or None, the ID number of the person the listing restricts or None). Code and code kind
        are None for a listing of a natural person alone."""
        props = record_props(kind, v)
        person = subject = None
        if kind == "blacklist":
            if listed_person(v):
                person = (v["id_number"], v.get("person_name"), v.get("id_type"))
            subject = listed_person(props)
        return (v.get("code"), v.get("code_kind"), props.get("name"), natural_key(kind, v), dumps_props(props),
                departments(kind, v), person, subject)
    return prepare


def preparer(kind: str) -> Callable[[dict[str, Any]], tuple]:
    if kind == "enterprise":
        return _enterprise
    if kind == "member":
        return _member
    return _record(kind)
