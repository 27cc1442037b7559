"""Bounded, deterministic breadth-first traversal over the party graph, shared by every store.

The store answers one question per level ("which role edges touch these parties?"); the order in which
parties are discovered is fixed here (sorted by kind and key), so the embedded and Neo4j stores find the
same chains. Record nodes are never traversed: hops count enterprise–person and enterprise–enterprise
relationships only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from graph.model import BINDING_ROLES, Party
from graph.stores.base import Edge, GraphReader

Node = tuple[str, str]

ROLE_ORDER = ("法定代表人", "负责人", "董事", "监事", "经理", "股东", "财务负责人", "分支机构", "隶属企业")


def node(party: Party) -> Node:
    return (party.kind, party.key)


def primary_role(roles: tuple[str, ...] | set[str]) -> str:
    ranked = sorted(roles, key=lambda r: (ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER), r))
    return ranked[0] if ranked else ""


@dataclass
class Reach:
    """What a traversal found: every party within reach, how far, and the edge it was reached by."""
    start: Node
    hops: dict[Node, int] = field(default_factory=dict)
    parent: dict[Node, tuple[Node, Node, Node]] = field(default_factory=dict)  # child -> (parent, member, enterprise)
    roles: dict[tuple[Node, Node], set[str]] = field(default_factory=dict)     # (member, enterprise) -> roles
    names: dict[Node, str] = field(default_factory=dict)
    truncated: bool = False

    def party(self, n: Node) -> Party:
        return Party(n[0], n[1], self.names.get(n, ""))

    def step(self, member: Node, enterprise: Node) -> dict:
        roles = sorted(self.roles.get((member, enterprise), ()), key=lambda r: (r not in BINDING_ROLES, r))
        return {"source": self.party(member).as_dict(), "relation": primary_role(roles),
                "roles": sorted(roles), "target": self.party(enterprise).as_dict()}

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
             extra_edges: list[Edge] = ()) -> Reach:
    """Visit every party within `depth` hops of `start`, stopping at `max_parties` (supernode guard).

    `extra_edges` are edges that exist only in the question (a new applicant's declared persons).
    """
    reach = Reach(start=node(start))
    reach.hops[reach.start] = 0
    reach.names[reach.start] = start.name
    frontier = [reach.start]
    for level in range(1, depth + 1):
        if not frontier:
            break
        budget = max_parties - len(reach.hops)
        if budget <= 0:
            reach.truncated = True
            break
        parties = [Party(k, key) for k, key in frontier]
        edges = list(reader.expand(parties, limit=budget * 4 + 100))
        fset = set(frontier)
        edges += [e for e in extra_edges if node(e.member) in fset or node(e.enterprise) in fset]
        touching: dict[Node, list[tuple[Node, Node, Node]]] = {}
        for e in edges:
            m, en = node(e.member), node(e.enterprise)
            reach.roles.setdefault((m, en), set()).update(e.roles)
            for n, p in ((m, e.member), (en, e.enterprise)):
                if p.name and not reach.names.get(n):
                    reach.names[n] = p.name
            if m in fset:
                touching.setdefault(m, []).append((en, m, en))
            if en in fset:
                touching.setdefault(en, []).append((m, m, en))
        next_frontier = []
        for u in sorted(frontier):
            for other, m, en in sorted(set(touching.get(u, ()))):
                if other in reach.hops:
                    continue
                if len(reach.hops) >= max_parties:
                    reach.truncated = True
                    break
                reach.hops[other] = level
                reach.parent[other] = (u, m, en)
                next_frontier.append(other)
        frontier = next_frontier
    return reach
