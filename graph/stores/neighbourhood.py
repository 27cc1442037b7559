"""A check's neighbourhood fetched in one piece, answering the traversal's questions from memory.

A store whose every question is a round trip to a server (Neo4j) fetches the role edges within reach of the
subject and the listings of the parties they reach in one query; `traverse` then asks this object for each
level, in its own deterministic order, exactly as it would ask the store. It is used only when nothing was
cut off (no party or edge bound reached): a traversal that must stop at the party limit goes level by level
against the store, so both stores keep stopping at the same parties.

A check's neighbourhood may come trimmed (`outermost`): of the edges from its outermost level outwards, only those a
check's rules read at its last level (graph/stores/last_level.py), with each outermost party's number of
relationships. It then answers that level's `last_level`, never its `expand`: a traversal that needs the whole
level (one that is not a check's, or whose level would be cut) is told so (`OutermostTrimmed`) and goes to the
store instead.
"""
from __future__ import annotations

from typing import AbstractSet, Any

from graph.model import Party
from graph.stores.base import Edge, LastLevel
from graph.stores.last_level import names_without_id, near_listed, what_matters

Node = tuple[str, str]


class OutermostTrimmed(Exception):
    """A traversal asked a trimmed neighbourhood for every edge of its outermost level: ask the store."""


class Neighbourhood:
    def __init__(self, edges: list[Edge], listings: dict[Node, list[dict[str, Any]]], relationships: int = 0,
                 standing: dict[str, dict[str, Any]] | None = None,
                 registry_head: tuple[str, str | None] | None = None, unread_codes: AbstractSet[str] | None = None,
                 outermost: dict[Node, int] | None = None, parties: int = 0):
        # Trimmed: the outermost level's parties and each one's number of relationships (None: every edge is here).
        self._outermost = outermost
        # The codes rejected rows are remembered under (graph/unread.py), as the store knew them; None: not known.
        self._unread_codes = unread_codes
        # (the start's key, the 法定代表人 its registry row names): asked when no person heads it (graph/queries/check.py).
        self._registry_head = registry_head
        self._touching: dict[Node, list[Edge]] = {}
        for e in edges:
            for n in e.nodes:
                self._touching.setdefault(n, []).append(e)
        self._listings = listings
        self._near_listed: set[Node] | None = None
        # Enterprises of the neighbourhood with a penalty of note or a revoked registry status (the rest have none).
        self._standing = standing or {}
        # (trimmed: the store's count, at least every party the whole neighbourhood touches)
        self.parties = max(parties, len(self._touching))
        # what the store's own expansion counts against its limit (Neo4j: one row per relationship)
        self.relationships = max(relationships, len(edges))

    def fits(self, max_parties: int) -> bool:
        """Would a level-by-level traversal bounded by `max_parties` see all of it? (traverse: each level asks
        for at most budget × 4 + 100 edges, the budget being what is left of max_parties.)"""
        return self.parties + 1 <= max_parties and self.relationships <= (max_parties - self.parties - 1) * 4 + 100

    def expand(self, frontier: list[Party], limit: int) -> list[Edge]:
        outermost = self._outermost
        if outermost and any((p.kind, p.key) in outermost for p in frontier):
            raise OutermostTrimmed
        seen: set[int] = set()
        out: list[Edge] = []
        for p in frontier:
            for e in self._touching.get((p.kind, p.key), ()):
                if id(e) not in seen:  # an edge between two frontier parties once, as the store answers
                    seen.add(id(e))
                    out.append(e)
            if len(out) > limit:
                break
        return out

    def last_level(self, frontier: list[Party]) -> LastLevel | None:
        """As GraphReader.last_level: the listings of every party the edges reach are at hand."""
        codes = self._unread_codes
        if codes is None:
            return None
        if self._near_listed is None:
            listings = self._listings
            self._near_listed = near_listed((n for n, ls in listings.items() if ls), (
                n for n, ls in listings.items() if n[0] == "enterprise" and any(names_without_id(l) for l in ls)),
                self._touching)
        edges: list[Edge] = []
        edge_count = role_count = 0
        outermost = self._outermost or {}
        for p in frontier:
            n = (p.kind, p.key)
            touching = self._touching.get(n, ())
            edges += what_matters(n, touching, self._near_listed, codes)
            if n in outermost:  # a relationship is one role: the store's count stands for both
                edge_count += outermost[n]
                role_count += outermost[n]
            else:
                edge_count += len(touching)
                role_count += sum(len(e.roles) for e in touching)
        return LastLevel(edges, edge_count, role_count)

    def unread_codes(self) -> AbstractSet[str] | None:
        """As GraphReader.unread_codes (the rows themselves are the store's to give: `unread_about`)."""
        return self._unread_codes

    def registry_head(self, key: str) -> tuple[bool, str | None]:
        """(known, the 法定代表人 the registry names for enterprise `key`): known only for the start."""
        if self._registry_head is not None and self._registry_head[0] == key:
            return True, self._registry_head[1]
        return False, None

    def standing_of(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """As GraphReader.standing_of, for enterprises of the neighbourhood: only penalties of note are fetched."""
        return {k: self._standing.get(k, {"status": None, "penalties": []}) for k in keys}

    def listings_by_node(self, nodes: list[Node]) -> dict[Node, list[dict[str, Any]]]:
        return {n: ls for n in nodes if (ls := self._listings.get(n))}

    def listings_of(self, parties: list[Party]) -> dict[Party, list[dict[str, Any]]]:
        found = {}
        for p in parties:
            ls = self._listings.get((p.kind, p.key))
            if ls:
                found[p] = ls
        return found
