"""Rows that could not be read, remembered against the parties they name.

A rejected row is listed in the load summary and written to the rejects file, but the clerk who sent it may never
look, and the official checking an applicant weeks later never sees either. A rejected 失信被执行人 row may be the
very record that restricts the applicant. So every rejected row of a class that can restrict someone is kept in
the store, under each code it names (the enterprise's code column, and the ID numbers of the persons it names),
and every check that reaches one of those parties says that a row about it could not be read (graph/queries/check.py):
never a silent clear.

A note goes when the file of the same name and class is sent again with a row for that party that loads (the clerk
mended the row): another department's file that happens to share the name, or a resent file that leaves the row
out, leaves the note standing — a note too many is a question for the clerk, a note too few a silent clear.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from datetime import date
from typing import Any

from graph.identifiers import InvalidIdentifier, classify, id15_to_18, normalise_code
from graph.names import normalise_name

# The classes whose rows can restrict someone: listings, penalties (revocations), and who heads or sits on what.
UNREAD_KINDS = ("blacklist", "penalty", "penalty-change", "member", "enterprise")
# The fields that name a party: an enterprise's code, and the persons' ID numbers.
_PARTY_FIELDS = ("code", "reg_no", "id_number", "legal_rep_id_number")
SHOWN = 5  # notes per answer; every entry is in the answer's `unread`
NAME_PREFIX = "名称:"  # an entry kept under an enterprise's name rather than a code
UNREAD_COLUMNS = ("code", "kind", "source", "row", "field", "reason", "at")  # what a store gives back


def party_codes(values: dict[str, str]) -> list[str]:
    """Every code a row's raw cells name, normalised as keys are (an ID number of the first generation by its
    18-digit form; a code that does not validate as it was written, normalised)."""
    out: list[str] = []
    for raw in values.values():
        code = normalise_code(raw)
        if len(code) < 15:
            continue
        try:
            ident = classify(code)
            key = ident.value
        except InvalidIdentifier:
            key = code
        person = id15_to_18(key) if len(key) == 15 else None
        for k in (key, person):
            if k and k not in out:
                out.append(k)
    return out


@lru_cache(maxsize=65536)
def name_code(name: str | None) -> str | None:
    """An enterprise's name as a remembered row is kept under it too: a code one character off still reaches the
    enterprise its row names (the name as normalised for look-ups, graph/names.py)."""
    norm = normalise_name(name)
    return f"{NAME_PREFIX}{norm}" if len(norm) >= 4 else None


def unread_entries(kind: str, column_map: dict[str, str], rejects: list, source: str, on: date) -> list[dict[str, Any]]:
    """The store's entries for a file's rejected rows (`rejects`: graph.loaders Reject), one per row and code."""
    if kind not in UNREAD_KINDS:
        return []
    fields = {header: name for header, name in column_map.items() if name in _PARTY_FIELDS}
    names = [header for header, name in column_map.items() if name == "name"]
    out = []
    for r in rejects:
        cells = {header: value for header, value in (r.original or {}).items() if header in fields and value}
        codes = party_codes(cells)
        named = name_code(next((r.original.get(h) for h in names if (r.original or {}).get(h)), None))
        for code in codes + ([named] if named else []):
            entry = {"code": code, "kind": kind, "source": source, "row": r.row_number, "field": r.field or "",
                     "reason": r.reason, "at": on.isoformat()}
            ident = "|".join(str(entry[k]) for k in ("source", "kind", "row", "code", "field", "reason"))
            entry["uid"] = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]
            out.append(entry)
    return out


def note(entry: dict[str, Any], party_name: str) -> str:
    """How an answer says it, in the official's words and in English."""
    code = entry["code"]
    who = (party_name or code) if code.startswith(NAME_PREFIX) else f"{party_name}（{code}）" if party_name else code
    field = f"，{entry['field']}" if entry.get("field") else ""
    return (f"{who}：文件“{entry['source']}”第 {entry['row']} 行（{entry['kind']}{field}）于 {entry['at']} 未能导入："
            f"{entry['reason']}。该行可能涉及限制，请报送部门改正后重新报送 "
            f"(a row about this party could not be read: it may restrict it; have it mended and sent again)")
