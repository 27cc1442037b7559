"""Who is one hop from one party? The neighbours an official adds to a neighbourhood picture, one node at a time.

The picture (graph/render.py) is printed and filed, so a person in it is only ever named with the masked ID number
(region and last four). A person is therefore asked about as the picture shows them: by an enterprise they are
tied to (`via`, a public code), their masked number and their name. Among that enterprise's members those three
pick one person; nothing beyond what the picture already shows is needed, or given back.

Bounded like every graph query: at most `limit` neighbours (MAX_LIMIT at most) from `offset` on, in code order,
found by the check's own traversal (graph/queries/traversal.py, roles held on `as_of`); the answer gives `total`, so
that a party with more neighbours than one expansion shows can be expanded again for the next ones.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from graph.errors import InvalidRequest, NotFound
from graph.identifiers import mask_id_number
from graph.model import Party
from graph.queries.listings import is_active
from graph.queries.subject import resolve
from graph.queries.traversal import Node, Reach, node, traverse
from graph.stores.base import GraphReader, GraphStore

DEFAULT_LIMIT = 30
MAX_LIMIT = 30           # one expansion adds at most this many nodes: more would bury the picture
MAX_OFFSET = 10_000      # how far the next expansions may page
MAX_COUNTED = MAX_OFFSET + MAX_LIMIT  # neighbours read to count them: `total` is exact up to this many
VIA_EDGES = 5_000        # members of `via` read to find a person: a bound, far above any real enterprise's


def node_id(party: dict[str, Any]) -> str:
    """A node's name in the picture, the same on the server and in the page: an enterprise by its code, a person
    by the masked ID number and the name (the masked number alone is shared by one person in ten thousand of the
    same county, too many in a picture of a hundred)."""
    if party["kind"] == "person":
        return f"person:{mask_id_number(party['key'])}:{party.get('name') or ''}"
    return f"{party['kind']}:{party['key']}"


def _shown(party: Party) -> dict[str, Any]:
    """A party as the picture may show it: a person's ID number masked."""
    d = party.as_dict()
    person = party.kind == "person"
    return {"id": node_id(d), "kind": party.kind, "key": None if person else party.key,
            "masked": mask_id_number(party.key) if person else None, "name": party.name}


def _person_via(reader: GraphReader, via: str, masked: str, name: str) -> Party:
    """The member of enterprise `via` the picture shows as `masked` and `name`."""
    enterprise, _ = resolve(reader, via, None)
    found = {e.member for e in reader.expand([enterprise], limit=VIA_EDGES)
             if e.member.kind == "person" and e.enterprise.key == enterprise.key
             and mask_id_number(e.member.key) == masked and (e.member.name or "") == name}
    if not found:
        raise NotFound("该企业的登记信息中已没有这名人员，请重新打开关系网络图 (no such member of this enterprise)",
                       {"via": via, "person": masked})
    if len(found) > 1:  # the same masked number and name twice in one enterprise: asked by the full number instead
        raise InvalidRequest("该企业有两名同名且证件号码相近的人员，请用完整证件号码核查 (two members match)",
                             {"fields": [{"field": "person", "in": "query", "message": "ambiguous"}]})
    return next(iter(found))


def neighbours(store: GraphStore, *, key: str | None = None, via: str | None = None, person: str | None = None,
               name: str | None = None, as_of: date | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """The parties one hop from a party (by `key`, or a person by `via`, `person` and `name`), with the roles that
    tie them and whether each is restricted on `as_of`: at most `limit` of them from `offset` on (in code order),
    `total` of all, and `truncated` when some after these were left out."""
    if (key is None) == (via is None):
        raise InvalidRequest("请给出 key（代码或证件号码），或 via、person 和 name 之一 (give key, or via with person and name)",
                             {"fields": [{"field": "key", "in": "query", "message": "key or via"}]})
    if via is not None and (not person or name is None):
        raise InvalidRequest("按 via 查询人员时，请同时给出 person（打码的证件号码）和 name (person and name go with via)",
                             {"fields": [{"field": "person", "in": "query", "message": "required with via"}]})
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit 应在 1 到 {MAX_LIMIT} 之间 (limit must be 1..{MAX_LIMIT})",
                             {"fields": [{"field": "limit", "in": "query", "message": "out of range"}]})
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidRequest(f"offset 应在 0 到 {MAX_OFFSET} 之间 (offset must be 0..{MAX_OFFSET})",
                             {"fields": [{"field": "offset", "in": "query", "message": "out of range"}]})
    on = (as_of or date.today()).isoformat()
    with store.reader() as reader:
        if via is not None:
            assert person is not None and name is not None  # checked above
            party, notes = _person_via(reader, via, person, name), list[str]()
        else:
            party, notes = resolve(reader, key, None)
        reach: Reach = traverse(reader, party, 1, MAX_COUNTED + 1, on=on)
        # The traversal admits an enterprise's officers past its party limit (a binding rule reads each of them):
        # one expansion still shows at most `limit`.
        everyone = sorted(n for n, hops in reach.hops.items() if hops == 1)
        around = everyone[offset:offset + limit]
        cut = len(everyone) > offset + limit
        listings = reader.listings_of([reach.party(n) for n in [reach.start, *around]])
        version = reader.data_version
    restricted = {node(p) for p, rows in listings.items() if any(is_active(r, on) for r in rows)}

    def tie(n: Node) -> dict[str, Any]:
        member_first = (n, reach.start) in reach.roles  # n is a member of the party, or the party a member of n
        roles = reach.roles.get((n, reach.start) if member_first else (reach.start, n), set())
        return {**_shown(reach.party(n)), "roles": sorted(roles), "member": member_first,
                "restricted": n in restricted}

    shown = [tie(n) for n in around]
    truncated = reach.truncated or cut
    # Past MAX_COUNTED the traversal stops, and the total is a lower bound (the note says 其余未画出 all the same).
    total = len(everyone)
    if truncated:
        notes.append(f"关联主体较多，这次展开了第 {offset + 1}–{offset + len(shown)} 个，其余未画出；"
                     f"可再次展开画出后面的，或打开企业画像查看全部")
    return {"party": {**_shown(reach.party(reach.start)), "restricted": reach.start in restricted},
            "neighbours": shown, "limit": limit, "offset": offset, "total": total, "truncated": truncated,
            "notes": notes, "as_of": on, "data_version": version}
