"""Bounded, deterministic breadth-first traversal over the party graph, shared by every store.

The store answers one question per level ("which role edges touch these parties?"); the order in which
parties are discovered is fixed here (sorted by kind and key), so the embedded and Neo4j stores find the
same chains. Record nodes are never traversed: hops count enterprise–person and enterprise–enterprise
relationships only.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graph.model import LEGAL_REPRESENTATIVE, Party
from graph.stores.base import Edge, GraphReader
from graph.vocabulary import (BRANCH, DIRECTOR, HEAD, OFFICES, OTHER, SENIOR_MANAGER, SHAREHOLDER, SUPERVISOR,
                              UNKNOWN, role_classes)

Node = tuple[str, str]
Term = tuple[str, "str | None", "str | None"]

CLASS_ORDER = (HEAD, DIRECTOR, SUPERVISOR, SENIOR_MANAGER, SHAREHOLDER, OTHER, BRANCH, UNKNOWN)


def node(party: Party) -> Node:
    return (party.kind, party.key)


def _rank(role: str) -> tuple[int, int, str]:
    classes = role_classes(role)
    return (min(CLASS_ORDER.index(c) for c in classes), role != LEGAL_REPRESENTATIVE, role)


def primary_role(roles: Iterable[str]) -> str:
    """The role a chain names for an edge: the weightiest office (法定代表人 before any other head)."""
    ranked = sorted(roles, key=_rank)
    return ranked[0] if ranked else ""


def holds_office(roles: set[str] | tuple[str, ...]) -> bool:
    return any(role_classes(r) & OFFICES for r in roles)


def held_on(since: str | None, until: str | None, on: str | None) -> bool:
    """A role is held on D from its since date (or always, where the registry does not say) until the day before
    its until date (离任日期, or the 变更日期 that named a successor)."""
    return on is None or ((not since or since <= on) and (not until or on < until))


def held_roles(edge: Edge, on: str | None) -> tuple[str, ...]:
    """The roles of `edge` held on `on` (every one when the store gave no terms, or no date is asked)."""
    if on is None or not edge.terms or not edge.dated:
        return edge.roles
    return tuple(sorted({role for role, since, until in edge.terms if held_on(since, until, on)}))


@dataclass
class Reach:
    """What a traversal found: every party within reach, how far, and the edge it was reached by."""
    start: Node
    hops: dict[Node, int] = field(default_factory=dict)
    parent: dict[Node, tuple[Node, Node, Node]] = field(default_factory=dict)  # child -> (parent, member, enterprise)
    roles: dict[tuple[Node, Node], set[str]] = field(default_factory=dict)     # (member, enterprise) -> roles held
    # The start's members and the roles they hold in it on the date (the start is an enterprise).
    members: dict[Node, set[str]] = field(default_factory=dict)
    # Every edge seen, held on the date or not: who headed an enterprise on a past date. Indexed by member only
    # when asked (`edges_of`): a check asks about its few officers, not about every party it passed.
    seen: list[Edge] = field(default_factory=list)
    _by_member: dict[Node, dict[Node, list[Edge]]] = field(default_factory=dict)
    names: dict[Node, str] = field(default_factory=dict)
    truncated: bool = False

    def party(self, n: Node) -> Party:
        return Party(n[0], n[1], self.names.get(n, ""))

    def step(self, member: Node, enterprise: Node) -> dict:
        roles = self.roles.get((member, enterprise)) or {t[0] for t in self.terms(member, enterprise)}
        return {"source": self.party(member).as_dict(), "relation": primary_role(roles),
                "roles": sorted(roles), "target": self.party(enterprise).as_dict(), "until": None}

    def edges_of(self, member: Node) -> dict[Node, list[Edge]]:
        """The edges seen of `member`, by enterprise."""
        found = self._by_member.get(member)
        if found is None:
            found = self._by_member[member] = {}
            for e in self.seen:
                m, en = e.nodes
                if m == member:
                    found.setdefault(en, []).append(e)
        return found

    def terms(self, member: Node, enterprise: Node) -> set[Term]:
        """Every term of `member` in `enterprise` that the traversal saw, held on its date or not."""
        return {t for e in self.edges_of(member).get(enterprise, ()) for t in e.all_terms()}

    def enterprises_of(self, member: Node) -> list[Node]:
        """The enterprises `member` holds or held a role in, as far as the traversal saw."""
        return sorted(self.edges_of(member))

    def pairs(self) -> list[tuple[Node, Node]]:
        return sorted({e.nodes for e in self.seen})

    def headed_on(self, head: Node, enterprise: Node, day: str) -> tuple[bool, bool]:
        """(did `head` head `enterprise` on `day`, was that read from a term without a start date)."""
        for role, since, until in self.terms(head, enterprise):
            if HEAD in role_classes(role) and held_on(since, until, day):
                return True, not since
        return False, False

    def step_any(self, member: Node, enterprise: Node) -> dict:
        """A step of a chain over a role held now or once: a term that has ended says so (`until`)."""
        step = self.step(member, enterprise)
        if (member, enterprise) not in self.roles:
            ended = sorted((t for t in self.terms(member, enterprise) if t[2]), key=lambda t: t[2] or "")
            step["until"] = ended[-1][2] if ended else None
        return step

    def path_to(self, n: Node) -> list[dict]:
        steps = []
        while n in self.parent:
            prev, member, enterprise = self.parent[n]
            steps.append(self.step(member, enterprise))
            n = prev
        return steps[::-1]

    def neighbours(self, n: Node) -> list[Node]:
        out = []
        for (m, e) in self.roles:
            if m == n:
                out.append(e)
            elif e == n:
                out.append(m)
        return out


def traverse(reader: GraphReader, start: Party, depth: int, max_parties: int,
             extra_edges: Sequence[Edge] = (), on: str | None = None, for_rules: bool = False) -> Reach:
    """Visit every party within `depth` hops of `start`, stopping at `max_parties` (supernode guard).

    `extra_edges` are edges that exist only in the question (a new applicant's declared persons). `on`: only
    roles held on that date are followed (a 监事 who left years ago no longer ties two enterprises); every term
    seen is kept in `Reach.terms`.

    The party limit never cuts what a binding rule reads (docs/check-rules.md): the start's edges and the
    parties holding an office in it (rule 2), and the edges of its heads (rule 3, even when a head is a nominee
    heading hundreds of enterprises) are always fetched in full and its officers always admitted. Anything else
    the limit cut sets `truncated`, so that the answer says so.

    `for_rules` (a check): the last level admits only the parties a check's rules can read there, when the store
    can tell which (graph/stores/last_level.py) and the whole level would have been admitted uncut; every answer
    stays the same, and behind a nominee or a group that level is most of the traversal's edges.
    """
    reach = Reach(start=node(start))
    reach.hops[reach.start] = 0
    reach.names[reach.start] = start.name
    frontier = [reach.start]
    # The frontier's parties as the store asks for them: the Party objects of the edges that reached them (a
    # Party made anew for each cost about 1 µs, and a check reaches a dozen).
    parties = [start]
    first, members = reach.start, reach.members
    names, seen, roles, hops, parent = reach.names, reach.seen, reach.roles, reach.hops, reach.parent
    for level in range(1, depth + 1):
        if not frontier:
            break
        budget = max_parties - len(hops)
        if budget <= 0:
            reach.truncated = True
            # No party more, but a binding rule still reads the edges of the start's heads (rule 3).
            _see_all(reader, _bound_parties(level, parties, first, members), seen, names, members, first, on)
            break
        edges = _level_edges(reader, reach, level, parties, budget * 4 + 100,
                             budget if for_rules and level == depth and not extra_edges else None)
        fset = set(frontier)
        edges += [e for e in extra_edges if node(e.member) in fset or node(e.enterprise) in fset]
        # Each frontier party's neighbours: (neighbour, member, enterprise, the edge's index in `edges`).
        touching: dict[Node, list[tuple[Node, Node, Node, int]]] = {}
        for i, e in enumerate(edges):
            # The hot loop of every check: the edge's nodes are its own (cached), not built here.
            m, en = e.nodes
            if not names.get(m):
                names[m] = e.member.name
            if not names.get(en):
                names[en] = e.enterprise.name
            seen.append(e)
            held = held_roles(e, on) if on is not None and e.dated else e.roles
            if not held:
                continue
            roles.setdefault((m, en), set()).update(held)
            if en == first:
                members.setdefault(m, set()).update(held)
            if m in fset:
                touching.setdefault(m, []).append((en, m, en, i))
            if en in fset:
                touching.setdefault(en, []).append((m, m, en, i))
        next_frontier, parties = [], []
        officers: set[Node] | None = None
        for u in sorted(frontier):
            # In (neighbour, member, enterprise) order; a pair reached by two edges (a declared person the store
            # also has) is taken once, by its first.
            for other, m, en, i in sorted(touching.get(u, ())):
                if other in hops:
                    continue
                if len(hops) >= max_parties:
                    reach.truncated = True
                    if level > 1 or first[0] != "enterprise":
                        break
                    # Past the limit only the start's officers come in: rule 2 asks about each of them.
                    officers = _officers_of_start(members) if officers is None else officers
                    if other not in officers:
                        continue
                hops[other] = level
                parent[other] = (u, m, en)
                next_frontier.append(other)
                parties.append(edges[i].enterprise if other == en else edges[i].member)
        frontier = next_frontier
    return reach


# A party's every edge: what the binding rules read is never cut (a registry's largest nominee holds thousands of
# posts, not millions).
ALL_EDGES = 10_000_000


def _level_edges(reader: GraphReader, reach: Reach, level: int, parties: list[Party], limit: int,
                 last_budget: int | None = None) -> list[Edge]:
    """A level's edges (`last_budget`: the last level of a check, with room for that many parties more)."""
    if last_budget is not None and level >= 3 and not reach.truncated:
        found = _last_level_edges(reader, parties, limit, last_budget)
        if found is not None:
            return found
    edges = list(reader.expand(parties, limit=limit))
    if _maybe_cut(edges, limit):
        # The store stopped at the edge limit: which edges it kept is its own order. The rules' edges are fetched
        # whole (an edge fetched twice is seen twice, as the embedded store gives it: harmless).
        reach.truncated = True
        bound = _bound_parties(level, parties, reach.start, reach.members)
        if bound:
            edges += reader.expand(bound, limit=ALL_EDGES)
    return edges


def _last_level_edges(reader: GraphReader, parties: list[Party], limit: int, budget: int) -> list[Edge] | None:
    """The last level's edges a check's rules can read, or None (every edge is fetched). Only from level 3 on: at
    level 2 the frontier is the start's officers, whose every edge the rules read (the three-year bar, penalties of
    note); from level 3 on, every edge of a party reached earlier was fetched at an earlier level (nothing was cut),
    so leaving out the edges to parties nothing reads loses nothing."""
    found = reader.last_level(parties)
    if found is None:
        return None
    # The whole level would not have been cut: fewer edges and roles than its bound, and fewer edges (so fewer new
    # parties) than the party limit leaves room for. Else it is fetched whole, and cut as it always was.
    if found.edge_count >= limit or found.role_count >= limit or found.edge_count > budget:
        return None
    return list(found.edges)


def _officers_of_start(members: dict[Node, set[str]]) -> set[Node]:
    return {p for p, held in members.items() if p[0] == "person" and holds_office(held)}


def _maybe_cut(edges: list[Edge], limit: int) -> bool:
    """Whether the store may have stopped at `limit`: it counts rows, one per role held (Neo4j), or stops after
    the party whose edges passed it (embedded)."""
    if len(edges) >= limit:
        return True
    # Counting roles costs a pass over the edges: only when they could add up (an edge holds a few roles at most).
    return len(edges) * 8 >= limit and sum(len(e.roles) for e in edges) >= limit


def _bound_parties(level: int, parties: list[Party], first: Node, members: dict[Node, set[str]]) -> list[Party]:
    """The frontier's parties whose every edge a binding rule reads: the start itself (its officers, rule 2; a
    person's enterprises, rule 3), then the persons heading the start (the enterprises they headed, rule 3)."""
    if level == 1:
        return parties[:1]
    if level != 2 or first[0] != "enterprise":
        return []
    heads = {m for m, held in members.items() if m[0] == "person" and any(HEAD in role_classes(r) for r in held)}
    return [p for p in parties if node(p) in heads]


def _see_all(reader: GraphReader, bound: list[Party], seen: list[Edge], names: dict[Node, str],
             members: dict[Node, set[str]], first: Node, on: str | None) -> None:
    """Keep every edge of `bound` as seen, without admitting the parties they reach (the limit was reached)."""
    if not bound:
        return
    for e in reader.expand(bound, limit=ALL_EDGES):
        m, en = e.nodes
        names.setdefault(m, e.member.name)
        names.setdefault(en, e.enterprise.name)
        seen.append(e)
        if en == first:
            held = held_roles(e, on) if on is not None and e.dated else e.roles
            if held:
                members.setdefault(m, set()).update(held)
