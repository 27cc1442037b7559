"""The embedded store's party graph: the parties and their roles as a networkx graph, read lazily from SQLite
(graph/stores/embedded.py), one per data version."""
from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any, Iterator

import networkx as nx

from graph.model import Party
from graph.names import fold_company_form
from graph.stores.base import Edge, edge_terms, former_terms
from graph.stores.last_level import names_without_id, near_listed, what_matters
from graph.vocabulary import penalty_words


# A read-ahead of at least this many parties, half the enterprises or more, scans every role at once (counting the
# enterprises costs a few tens of ms at 1,000,000: not for the handful of subjects a pass after one upload has).
READ_ALL_FROM = 1_000


def _node(kind: str, key: str) -> tuple[str, str]:
    return (kind, key)


_EDGE_COLUMNS = ("SELECT r.member_kind, r.member_ref, r.role, r.since, r.until, r.former, e.key, e.name, p.name, me.key, me.name "
                 "FROM role r JOIN enterprise e ON e.id = r.enterprise_id "
                 "LEFT JOIN person p ON r.member_kind = 'person' AND p.id_number = r.member_ref "
                 "LEFT JOIN enterprise me ON r.member_kind = 'enterprise' AND me.id = CAST(r.member_ref AS INTEGER) ")
# The role edges touching enterprises (by key) as the enterprise side, as a corporate member, and persons.
_EDGES_OF_ENTERPRISES = _EDGE_COLUMNS + "WHERE r.enterprise_id IN (SELECT id FROM enterprise WHERE key IN ({}))"
_EDGES_OF_MEMBER_ENTERPRISES = _EDGE_COLUMNS + (
    "WHERE r.member_kind = 'enterprise' AND r.member_ref IN (SELECT CAST(id AS TEXT) FROM enterprise WHERE key IN ({}))")
_EDGES_OF_PERSONS = _EDGE_COLUMNS + "WHERE r.member_kind = 'person' AND r.member_ref IN ({})"


class PartyGraph:
    """The parties and their roles as an undirected networkx graph; each edge remembers who is the member, and
    each role its term (since, until).

    It is filled lazily from SQLite: a party's edges are read the first time a traversal reaches it, so a
    CLI check costs what the neighbourhood costs, not what the county costs, and a long-running server
    keeps what it has read until the data version moves. Every graph belongs to one data version.
    """

    def __init__(self, version: int):
        self.version = version
        self.graph = nx.Graph()
        self.loaded: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        # A node's Edge objects, built once: a server asks for the same neighbourhoods again and again.
        self._edges: dict[tuple[str, str], list[Edge]] = {}
        self._pairs: dict[tuple[tuple[str, str], tuple[str, str]], Edge] = {}
        self._parties: dict[tuple[str, str], Party] = {}
        # Every party some listing names (active or not), read once per data version: most neighbourhoods
        # hold none, and then a check needs no listing query at all.
        self.listed: set[tuple[str, str]] | None = None
        self.listings: dict[tuple[str, str], list[dict[str, Any]]] = {}  # of listed parties, read when first asked
        # The listed parties and every party tied to one (graph/stores/last_level.py), and, per node, what a check's
        # last level asks of its edges: the same node is on the frontier of many checks.
        self._near_listed: set[tuple[str, str]] | None = None
        self._last_level: dict[tuple[str, str], tuple[list[Edge], int, int]] = {}
        self.registry_heads: dict[str, tuple[bool, str | None]] = {}  # enterprise key -> its registry's 法定代表人
        self._unread: set[str] | None = None  # codes rejected rows name (graph/unread.py)
        self.noted: set[str] | None = None  # enterprises with a penalty of note or a revoked status
        self.standing: dict[str, dict[str, Any]] = {}  # of noted enterprises, read when first asked (standing_of)
        # Listed enterprises no registry row names, by folded name (GraphReader.listed_unregistered_named).
        self.unregistered: dict[str, list[Party]] | None = None
        # Runs of characters (name index, run, cap) more names hold than a search counts (graph/queries/search.py,
        # TERM_CAP): the same few hundred (商贸, 建材, 科技) come in most queries, and asking the index again cost
        # ~0.3–0.5 ms each at 1,000,000 enterprises.
        self.common_terms: set[tuple[str, str, int]] = set()

    def ensure(self, conn: sqlite3.Connection, nodes: list[tuple[str, str]]) -> None:
        """Read the edges of every node not read yet (in the caller's read transaction: one snapshot)."""
        with self.lock:
            missing = [n for n in nodes if n not in self.loaded]
            if not missing:
                return
            ents = [k for kind, k in missing if kind == "enterprise"]
            persons = [k for kind, k in missing if kind == "person"]
            rows = []
            for chunk in chunks(ents):
                marks = ",".join("?" * len(chunk))
                rows += conn.execute(_EDGES_OF_ENTERPRISES.format(marks), chunk).fetchall()
                rows += conn.execute(_EDGES_OF_MEMBER_ENTERPRISES.format(marks), chunk).fetchall()
            for chunk in chunks(persons):
                rows += conn.execute(_EDGES_OF_PERSONS.format(",".join("?" * len(chunk))), chunk).fetchall()
            self._add(rows)
            g = self.graph
            for n in missing:
                if n not in g:
                    g.add_node(n, name="")
                # Its Edge list is built from here on. A neighbour loaded earlier keeps its own: it read every role
                # touching it when it was loaded, the same rows of the same version this one read again, so its
                # adjacency has not grown (building its list again made the next check through it build every Edge anew).
                self._edges.pop(n, None)
                self._last_level.pop(n, None)
            self.loaded.update(missing)

    def _add(self, rows: list[tuple]) -> None:
        """The role rows into the graph (callers hold the lock); a row read again changes nothing."""
        g = self.graph
        for member_kind, ref, role, since, until, former, ent_key, ent_name, person_name, member_key, member_name in rows:
            ent = ("enterprise", ent_key)
            if member_kind == "person":
                member, name = ("person", ref), person_name
            else:
                member, name = ("enterprise", member_key), member_name
            if member == ent:
                continue
            for node, label in ((ent, ent_name), (member, name)):
                if node not in g:
                    g.add_node(node, name=label or "")
            data = g.get_edge_data(member, ent)
            if data is None:
                g.add_edge(member, ent, roles={(member, ent): {role: [(since, until), *former_terms(former)]}})
            else:
                data["roles"].setdefault((member, ent), {})[role] = [(since, until), *former_terms(former)]

    def read_ahead(self, conn: sqlite3.Connection, starts: list[tuple[str, str]], depth: int) -> list[tuple[str, str]]:
        """Read at once every edge a traversal from each of `starts` to `depth` may ask for (every role, held on a
        day or not: a superset), and build their Edge lists; the nodes read. A pass that checks a county's every
        watched subject reads them here once, in one scan or in chunks of 900, instead of a few at a time in each
        check."""
        frontier = list(starts)
        if len(frontier) >= READ_ALL_FROM and len(frontier) * 2 >= conn.execute("SELECT count(*) FROM enterprise").fetchone()[0]:
            self._read_all(conn)  # most of the county: one scan of every role costs a third of reading it by parties
        reached = set(frontier)
        for _ in range(depth):
            self.ensure(conn, frontier)
            with self.lock:
                adj = self.graph.adj
                near = {m for n in frontier if n in adj for m in adj[n]}
                frontier = [n for n in near if n not in reached]
                reached.update(frontier)
            if not frontier:
                break
        with self.lock:
            # Only what this read reached: a long-running service's graph holds much more, already built.
            read = [n for n in reached if n in self.loaded]
            for n in read:
                self.edges(n)
        return read

    def _read_all(self, conn: sqlite3.Connection) -> None:
        with self.lock:
            self._add(conn.execute(_EDGE_COLUMNS).fetchall())
            # Every party with a role now has all of them; one without is read (and found bare) when asked.
            read = [n for n in self.graph if n not in self.loaded]
            for n in read:
                self._edges.pop(n, None)
                self._last_level.pop(n, None)
            self.loaded.update(read)

    def noted_enterprises(self, conn: sqlite3.Connection) -> set[str]:
        """Keys of the enterprises with a penalty of note (graph/vocabulary/penalties.toml) or a registry status of
        吊销, read once per data version in the caller's read transaction."""
        if self.noted is None:
            with self.lock:
                if self.noted is None:
                    words = penalty_words()
                    found = {key for key, status in conn.execute(
                        "SELECT key, json_extract(props, '$.status') FROM enterprise "
                        "WHERE json_extract(props, '$.status') LIKE '%吊销%'")}
                    if words:
                        like = " OR ".join("json_extract(r.props, '$.penalty_type') LIKE ?" for _ in words)
                        found.update(k for (k,) in conn.execute(
                            f"SELECT DISTINCT e.key FROM record r JOIN enterprise e ON e.id = r.enterprise_id "
                            f"WHERE r.kind = 'penalty' AND ({like})", [f"%{w}%" for w in words]))
                    self.noted = found
        return self.noted

    def listed_unregistered(self, conn: sqlite3.Connection) -> dict[str, list[Party]]:
        """Listed enterprises no registry row names, by folded name, read once per data version."""
        if self.unregistered is None:
            with self.lock:
                if self.unregistered is None:
                    table: dict[str, list[Party]] = {}
                    for key, name, norm in conn.execute(
                            "SELECT key, name, name_norm FROM enterprise e WHERE in_registry = 0 AND EXISTS "
                            "(SELECT 1 FROM record r WHERE r.enterprise_id = e.id AND r.kind = 'blacklist')"):
                        table.setdefault(fold_company_form(norm or ""), []).append(Party("enterprise", key, name or ""))
                    self.unregistered = table
        return self.unregistered

    def unread_codes(self, conn: sqlite3.Connection) -> set[str]:
        """Every code a remembered rejected row names, in the caller's read transaction."""
        if self._unread is None:
            with self.lock:
                if self._unread is None:
                    self._unread = {code for (code,) in conn.execute("SELECT DISTINCT code FROM unread_row")}
        return self._unread

    def listed_parties(self, conn: sqlite3.Connection) -> set[tuple[str, str]]:
        """(kind, key) of every party a listing names, in the caller's read transaction (one snapshot)."""
        if self.listed is None:
            with self.lock:
                if self.listed is None:
                    self.listed = set(conn.execute(
                        "SELECT ls.party_kind, coalesce(e.key, ls.party_ref) FROM listing_subject ls "
                        "LEFT JOIN enterprise e ON ls.party_kind = 'enterprise' AND e.id = CAST(ls.party_ref AS INTEGER)"))
        return self.listed

    def near_listed(self, conn: sqlite3.Connection) -> set[tuple[str, str]]:
        """What a check's last level asks about (graph/stores/last_level.py, near_listed), read once per data version
        in the caller's read transaction."""
        if self._near_listed is None:
            listed = self.listed_parties(conn)
            named_only = sorted({("enterprise", key) for key, props in conn.execute(
                "SELECT coalesce(e.key, ls.party_ref), r.props FROM listing_subject ls JOIN record r ON r.id = ls.record_id "
                "LEFT JOIN enterprise e ON e.id = CAST(ls.party_ref AS INTEGER) WHERE ls.party_kind = 'enterprise'")
                if names_without_id(json.loads(props))})
            self.ensure(conn, named_only)
            with self.lock:
                if self._near_listed is None:
                    self._near_listed = near_listed(listed, named_only, {n: self.edges(n) for n in named_only})
        return self._near_listed

    def last_level_of(self, node: tuple[str, str], near: set[tuple[str, str]],
                      codes: set[str]) -> tuple[list[Edge], int, int]:
        """(the edges of `node` whose other party may matter at a check's last level, how many edges and roles it
        has in all); callers hold the lock, and read `node` first."""
        found = self._last_level.get(node)
        if found is None:
            edges = self.edges(node)
            found = self._last_level[node] = (what_matters(node, edges, near, codes), len(edges),
                                              sum(len(e.roles) for e in edges))
        return found

    def edges(self, node: tuple[str, str]) -> list[Edge]:
        """The role edges touching `node` (callers hold the lock). The list is shared: do not change it."""
        cached = self._edges.get(node)
        if cached is None:
            g = self.graph
            if node not in g:
                return []
            # One Edge per (member, enterprise), in the lists of both: a pair is in the graph once one of its two
            # parties was read, and reading either reads every role between them.
            made, cached = self._pairs, []
            for data in g._adj[node].values():  # networkx's own dict: its read-only view cost as much again
                for pair, terms in data["roles"].items():
                    edge = made.get(pair)
                    if edge is None:
                        edge = made[pair] = Edge(self.party(pair[0]), self.party(pair[1]), *edge_terms(terms))
                    cached.append(edge)
            self._edges[node] = cached
        return cached

    def party(self, node: tuple[str, str]) -> Party:
        found = self._parties.get(node)
        if found is None:  # a node's name is the one it was first read with
            found = self._parties[node] = Party(node[0], node[1], self.graph.nodes[node].get("name", ""))
        return found


def chunks(items: list, size: int = 900) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
