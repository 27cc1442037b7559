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
from graph.names import fold_company_form, han_text, looks_like_person_name, normalise_name

# The classes whose rows can restrict someone: listings, penalties (revocations), and who heads or sits on what.
UNREAD_KINDS = ("blacklist", "penalty", "penalty-change", "member", "enterprise")
# The fields that name a party: an enterprise's code, and the persons' ID numbers.
_PARTY_FIELDS = ("code", "reg_no", "id_number", "legal_rep_id_number")
_PERSON_NAME_FIELDS = ("person_name", "legal_rep")
SHOWN = 5  # notes per answer; every entry is in the answer's `unread`
NAME_PREFIX = "名称:"  # an entry kept under an enterprise's name rather than a code
PERSON_PREFIX = "姓名:"  # …and under a person's name (their ID number may be the mistyped or masked part)
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


def is_name_key(code: str) -> bool:
    """An entry kept under a name (an enterprise's or a person's), not a code."""
    return code.startswith(NAME_PREFIX) or code.startswith(PERSON_PREFIX)


@lru_cache(maxsize=65536)
def name_code(name: str | None) -> str | None:
    """An enterprise's name as a remembered row is kept under it too: a code one character off still reaches the
    enterprise its row names (the name as normalised for look-ups, graph/names.py, with 有限责任公司 and 有限公司
    one form, as a name search takes them)."""
    norm = fold_company_form(normalise_name(name))
    return f"{NAME_PREFIX}{norm}" if len(norm) >= 4 else None


@lru_cache(maxsize=65536)  # asked for every enterprise within a check's reach (normalising a name costs ~2 µs)
def name_codes(name: str | None) -> tuple[str, ...]:
    """The keys an enterprise's rows may be kept under by its name: as entries are kept now, and as stores kept
    them before company forms were folded."""
    norm = normalise_name(name)
    keys = [name_code(name), f"{NAME_PREFIX}{norm}" if len(norm) >= 4 else None]
    return tuple(dict.fromkeys(k for k in keys if k))


@lru_cache(maxsize=65536)
def person_code(name: str | None) -> str | None:
    """A person's name as a remembered row is kept under it: a row whose ID number was mistyped or masked still
    reaches the person of that name (a note for the official to review, never a verdict by itself: names repeat)."""
    han = han_text(name)
    return f"{PERSON_PREFIX}{han}" if len(han) >= 2 else None


def unread_entries(kind: str, column_map: dict[str, str], rejects: list, source: str, on: date) -> list[dict[str, Any]]:
    """The store's entries for a file's rejected rows (`rejects`: graph.loaders Reject), one per row and code."""
    if kind not in UNREAD_KINDS:
        return []
    fields = {header: name for header, name in column_map.items() if name in _PARTY_FIELDS}
    names = [header for header, name in column_map.items() if name == "name"]
    persons = [header for header, name in column_map.items() if name in _PERSON_NAME_FIELDS]
    out = []
    for r in rejects:
        original = r.original or {}
        cells = {header: value for header, value in original.items() if header in fields and value}
        codes = party_codes(cells)
        name = next((original.get(h) for h in names if original.get(h)), None)
        # A court's export names a person in its name column (被执行人姓名/名称).
        keys = [person_code(name) if looks_like_person_name(name) else name_code(name)]
        keys += [person_code(original.get(h)) for h in persons if original.get(h)]
        for code in dict.fromkeys(codes + [k for k in keys if k]):
            entry = {"code": code, "kind": kind, "source": source, "row": r.row_number, "field": r.field or "",
                     "reason": r.reason, "at": on.isoformat()}
            ident = "|".join(str(entry[k]) for k in ("source", "kind", "row", "code", "field", "reason"))
            entry["uid"] = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]
            out.append(entry)
    return out


def note(entry: dict[str, Any], party_name: str) -> str:
    """How an answer says it, in the official's words and in English."""
    code = entry["code"]
    who = (party_name or code) if is_name_key(code) else f"{party_name}（{code}）" if party_name else code
    field = f"，{entry['field']}" if entry.get("field") else ""
    return (f"{who}：文件“{entry['source']}”第 {entry['row']} 行（{entry['kind']}{field}）于 {entry['at']} 未能导入："
            f"{entry['reason']}。该行可能涉及限制，请报送部门改正后重新报送 "
            f"(a row about this party could not be read: it may restrict it; have it mended and sent again)")
