"""A listing that names a person by an ID number the store knows under another name.

The ID number is the key, so the listing restricts whoever holds that number (never a silent clear); but a clerk's
typo lists an innocent person that way, so the load says so row by row, the person keeps the name the registry
gave them (GraphWriter.person, `from_listing`), and every answer that reaches them says the names differ
(graph/queries/check.py).
"""
from __future__ import annotations

from typing import Any, Callable

from graph.model import listed_person
from graph.names import normalise_name

# Where the embedded store's prepared listing row keeps the person it names (graph/stores/embedded_rows.py).
_PREPARED_PERSON = 6


def person_named(kind: str, values: dict[str, Any] | tuple) -> tuple[str, str] | None:
    """(ID number, name as written) of the person a listing row names with both, else None."""
    if kind != "blacklist":
        return None
    if isinstance(values, tuple):
        person = values[_PREPARED_PERSON]
        return (person[0], person[1]) if person and person[1] else None
    if listed_person(values) and values.get("person_name"):
        return values["id_number"], values["person_name"]
    return None


def differs(written: str, registered: str | None) -> bool:
    return bool(registered) and normalise_name(written) != normalise_name(registered)


class ListedNames:
    """One batch's listing rows that name a person, checked against the store's names in one question."""

    def __init__(self, read: Callable, id_header: str):
        self.read, self.id_header = read, id_header
        self.rows: list[tuple[int, str, str]] = []

    def see(self, kind: str, row_number: int, values: dict[str, Any] | tuple) -> None:
        named = person_named(kind, values)
        if named is not None:
            self.rows.append((row_number, *named))

    def warn(self, add_warnings) -> None:
        """Warn for each row seen since the last call whose name differs from the store's for its ID number."""
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        known = self.read(lambda r: r.persons([id_number for _, id_number, _ in rows]))
        for row_number, id_number, name in rows:
            person = known.get(id_number)
            if person is not None and differs(name, person.name):
                add_warnings(row_number, [(self.id_header, f"该证件号码在登记信息中属于“{person.name}”，本行写作“{name}”："
                                                           f"已按证件号码列入，登记姓名不变；请核实证件号码是否填错 "
                                                           f"(ID number registered under another name)")])
