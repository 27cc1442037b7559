"""The last level of a check's traversal, given as only the edges its rules can read.

A check reads, of the parties it first reaches at its last level: their listings (active or not), the rows that
could not be read about them (by code or by name), and, for a person tied to a listed enterprise, whether that
listing names them without an ID number (graph/queries/named.py). Nothing else of a party first reached there
changes an answer, and behind a nominee or a group such parties are thousands. So a store gives, for that level,
the edges to parties that are listed, persons of a listed enterprise whose listing names a person without an ID
number, or parties an unread row is kept under, with every edge of
each such party to the frontier (so that the deterministic chain to it is the one the whole level gives), and the
number of edges and roles the whole level has, so that the traversal can tell the party limit and the edge bound
would not have cut it (graph/queries/traversal.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import AbstractSet, Any

from graph.model import Party
from graph.stores.base import Edge
from graph.unread import name_codes, person_code

Node = tuple[str, str]


def unread_named(party: Party, codes: AbstractSet[str]) -> bool:
    """Whether a rejected row is kept under the party's code or its name (graph/unread.py)."""
    if not codes:
        return False
    if party.key in codes:
        return True
    if party.kind == "enterprise":
        return not codes.isdisjoint(name_codes(party.name))
    return person_code(party.name) in codes


def names_without_id(listing: dict[str, Any]) -> bool:
    """Whether a listing names a person by name only (no ID number): it may then reach a person of that name in
    the listed enterprise (graph/queries/named.py)."""
    return bool(listing.get("person_name")) and not listing.get("id_number")


def near_listed(listed: Iterable[Node], named_only: Iterable[Node], touching: Mapping[Node, Sequence[Edge]]) -> set[Node]:
    """The listed parties, and every person who holds or held a role in an enterprise of `named_only` (listed
    enterprises with a listing naming a person without an ID number; `touching`: their edges)."""
    near = set(listed)
    for n in named_only:
        near.update(e.nodes[0] for e in touching.get(n, ()) if e.nodes[1] == n and e.member.kind == "person")
    return near


def what_matters(n: Node, edges: Sequence[Edge], near: AbstractSet[Node], codes: AbstractSet[str]) -> list[Edge]:
    """Of `n`'s edges, those whose other party may matter to a check's rules at its last level."""
    out = []
    for e in edges:
        m, en = e.nodes
        other, party = (en, e.enterprise) if m == n else (m, e.member)
        if other in near or unread_named(party, codes):
            out.append(e)
    return out
