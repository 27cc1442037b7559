"""Which active listings must this department enforce, and which records did it issue?

A department enforces a listing when it is among the listing's receiving departments (信息接收部门名称),
under any spelling the alias table maps to it.
"""
from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from graph.departments import canonical_department
from graph.errors import NotFound
from graph.queries.listings import is_active, restriction
from graph.stores.base import GraphStore


def department(store: GraphStore, name: str, as_of: date | None = None, list_type: str | None = None) -> dict[str, Any]:
    on = (as_of or date.today()).isoformat()
    canonical = canonical_department(name)
    def question(reader):
        known = reader.department_names()
        if canonical not in known:
            close = difflib.get_close_matches(canonical, known, n=5, cutoff=0.4)
            raise NotFound(f"库中没有部门“{name}” (unknown department)"
                           + (f"；您是否要找：{'、'.join(close)}" if close else ""), {"department": name, "suggestions": close})
        return reader.department_listings(canonical), reader.department_issued(canonical), reader.data_version

    listings, issued, version = store.read(question)
    rows = []
    for listing in listings:
        if not is_active(listing, on) or (list_type and listing.get("list_type") != list_type):
            continue
        for party in listing["_subjects"]:
            rows.append({"party": party.as_dict(), **restriction(listing, on)})
    rows.sort(key=lambda r: (r["type"] or "", r["valid_from"] or "", r["party"]["kind"], r["party"]["key"]))
    return {"department": canonical, "as_of": on, "restrictions": rows, "issued": issued, "data_version": version}
