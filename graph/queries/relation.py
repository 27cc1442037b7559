"""How are two parties connected, if at all? The shortest chains of roles between them, bounded."""
from __future__ import annotations

from typing import Any

from graph.model import Party
from graph.queries.check import resolve
from graph.queries.traversal import Node, node
from graph.settings import Settings, get_settings
from graph.stores.base import GraphStore

MAX_CHAINS = 20


def relation(store: GraphStore, a: str, b: str, depth: int = 4, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    with store.reader() as reader:
        pa, notes_a = resolve(reader, a)
        pb, notes_b = resolve(reader, b)
        start, goal = node(pa), node(pb)
        # Breadth-first from A, remembering every shortest-path parent so that all shortest chains can be told.
        dist: dict[Node, int] = {start: 0}
        parents: dict[Node, set[Node]] = {}
        roles: dict[tuple[Node, Node], set[str]] = {}
        names: dict[Node, str] = {start: pa.name, goal: pb.name}
        frontier = [start]
        truncated = False
        for level in range(1, depth + 1):
            if goal in dist or not frontier:
                break
            if len(dist) >= settings.max_parties:
                truncated = True
                break
            edges = reader.expand([Party(k, v) for k, v in frontier], limit=settings.max_parties * 4)
            fset = set(frontier)
            nxt: set[Node] = set()
            for e in edges:
                m, en = node(e.member), node(e.enterprise)
                roles.setdefault((m, en), set()).update(e.roles)
                names.setdefault(m, e.member.name)
                names.setdefault(en, e.enterprise.name)
                for u, v in ((m, en), (en, m)):
                    if u in fset and dist.get(v, level) == level:
                        dist[v] = level
                        parents.setdefault(v, set()).add(u)
                        nxt.add(v)
            frontier = sorted(nxt)
        version = reader.data_version

    def party(n: Node) -> dict:
        return Party(n[0], n[1], names.get(n, "")).as_dict()

    def step(u: Node, v: Node) -> dict:
        member, enterprise = (u, v) if (u, v) in roles else (v, u)
        r = sorted(roles.get((member, enterprise), ()))
        from graph.queries.traversal import primary_role
        return {"source": party(member), "relation": primary_role(r), "roles": r, "target": party(enterprise)}

    chains: list[list[dict]] = []

    def walk(n: Node, suffix: list[dict]) -> None:
        if len(chains) >= MAX_CHAINS:
            return
        if n == start:
            chains.append(suffix)
            return
        for p in sorted(parents.get(n, ())):
            walk(p, [step(p, n)] + suffix)

    connected = goal in dist
    if connected and goal != start:
        walk(goal, [])
    return {"a": party(start), "b": party(goal), "depth": depth, "connected": connected,
            "hops": dist.get(goal), "chains": chains, "truncated": truncated or len(chains) >= MAX_CHAINS,
            "notes": notes_a + notes_b, "data_version": version}
