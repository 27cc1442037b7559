"""One validated row as the calls it makes on a store's writer: the enterprises, persons, roles, records and
departments it names, as graph/rows.py says what the row means. A load (graph/ingest.py) and a correction
(graph/amendments.py) write their rows through it.
"""
from __future__ import annotations

from typing import Any

from graph.model import LEGAL_REPRESENTATIVE, Party, listed_person
from graph.rows import (code_kind, departments, natural_key, record_props, registry_code, registry_props,
                        replacement_date)
from graph.stores.base import GraphWriter


def write_row(writer: GraphWriter, kind: str, v: dict[str, Any] | tuple) -> None:
    """Turn one validated row into graph writes: enterprises, persons, roles, records, departments.
    A tuple is a row the store's own `row_preparer` already turned into what its writer inserts."""
    if isinstance(v, tuple):
        writer.write_prepared(kind, v)
        return
    if kind == "enterprise":
        code, code_type = registry_code(v)
        writer.enterprise(code, code_type, name=v.get("name"), reg_no=v.get("reg_no"), props=registry_props(v),
                          from_registry=True)
        rep_id = v.get("legal_rep_id_number")
        if rep_id:
            writer.person(rep_id, v.get("legal_rep"), v.get("legal_rep_id_type"))
            writer.role(Party("person", rep_id), code, code_type, LEGAL_REPRESENTATIVE, since=v.get("legal_rep_since"))
            writer.replace_legal_representative(code, code_type, rep_id, LEGAL_REPRESENTATIVE,
                                                writer.effective_date(replacement_date(v)))
        return
    if kind == "member":
        writer.enterprise(v["code"], v["code_kind"], name=v.get("name"))
        member_id = v["id_number"]
        if v.get("member_kind") == "enterprise":
            writer.enterprise(member_id, code_kind(member_id), name=v.get("person_name"))
            member = Party("enterprise", member_id, v.get("person_name") or "")
        else:
            writer.person(member_id, v.get("person_name"), v.get("id_type"))
            member = Party("person", member_id)
        writer.role(member, v["code"], v["code_kind"], v["role"], v.get("share"), since=v.get("since"),
                    until=v.get("until"))
        return
    props = record_props(kind, v)
    if kind == "blacklist" and listed_person(v):
        writer.person(v["id_number"], v.get("person_name"), v.get("id_type"), from_listing=True)
    # A 失信被执行人 row may name a natural person only (no enterprise code): the person is the listing's subject.
    writer.record(kind, natural_key(kind, v), v.get("code"), v.get("code_kind"), props, departments(kind, v))
