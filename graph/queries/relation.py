"""How are two parties connected, if at all? The shortest chains of roles between them, bounded."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.model import Party
from graph.queries.subject import resolve
from graph.queries.traversal import Node, node, primary_role
from graph.settings import Settings
from graph.stores.base import GraphReader, GraphStore

MAX_CHAINS = 20


@dataclass
class _Search:
    start: Node
    goal: Node
    notes: list[str]
    dist: dict[Node, int] = field(default_factory=dict)
    parents: dict[Node, set[Node]] = field(default_factory=dict)  # every shortest-path parent
    roles: dict[tuple[Node, Node], set[str]] = field(default_factory=dict)
    names: dict[Node, str] = field(default_factory=dict)
    truncated: bool = False
    version: int = 0


def _search(reader: GraphReader, a: str, b: str, depth: int, settings: Settings) -> _Search:
    pa, notes_a = resolve(reader, a)
    pb, notes_b = resolve(reader, b)
    s = _Search(node(pa), node(pb), notes_a + notes_b, version=reader.data_version)
    s.dist[s.start] = 0
    s.names.update({s.start: pa.name, s.goal: pb.name})
    frontier = [s.start]
    for level in range(1, depth + 1):
        if s.goal in s.dist or not frontier:
            break
        if len(s.dist) >= settings.max_parties:
            s.truncated = True
            break
        fset = set(frontier)
        nxt: set[Node] = set()
        for e in reader.expand([Party(k, v) for k, v in frontier], limit=settings.max_parties * 4):
            m, en = node(e.member), node(e.enterprise)
            s.roles.setdefault((m, en), set()).update(e.roles)
            s.names.setdefault(m, e.member.name)
            s.names.setdefault(en, e.enterprise.name)
            for u, v in ((m, en), (en, m)):
                if u in fset and s.dist.get(v, level) == level:
                    s.dist[v] = level
                    s.parents.setdefault(v, set()).add(u)
                    nxt.add(v)
        frontier = sorted(nxt)
    return s


def relation(store: GraphStore, a: str, b: str, depth: int = 4, *, settings: Settings) -> dict[str, Any]:
    s = store.read(lambda reader: _search(reader, a, b, depth, settings))

    def party(n: Node) -> dict:
        return Party(n[0], n[1], s.names.get(n, "")).as_dict()

    def step(u: Node, v: Node) -> dict:
        member, enterprise = (u, v) if (u, v) in s.roles else (v, u)
        r = sorted(s.roles.get((member, enterprise), ()))
        return {"source": party(member), "relation": primary_role(r), "roles": r, "target": party(enterprise), "until": None}

    chains: list[list[dict]] = []

    def walk(n: Node, suffix: list[dict]) -> None:
        if len(chains) >= MAX_CHAINS:
            return
        if n == s.start:
            chains.append(suffix)
            return
        for p in sorted(s.parents.get(n, ())):
            walk(p, [step(p, n)] + suffix)

    connected = s.goal in s.dist
    if connected and s.goal != s.start:
        walk(s.goal, [])
    return {"a": party(s.start), "b": party(s.goal), "depth": depth, "connected": connected,
            "hops": s.dist.get(s.goal), "chains": chains, "truncated": s.truncated or len(chains) >= MAX_CHAINS,
            "notes": s.notes, "data_version": s.version}
