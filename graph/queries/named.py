"""Persons named without an ID number: on a listing (matched to the registry by name and role), or as the
registry's legal representative (no person stands behind the name): never a silent clear, never a bar on a name."""
from __future__ import annotations

from graph.model import LEGAL_REPRESENTATIVE, CheckResult, Hit
from graph.queries.listings import is_active, restriction, sorted_listings
from graph.queries.traversal import Node, Reach, node
from graph.stores.base import GraphReader
from graph.stores.last_level import names_without_id
from graph.vocabulary import HEAD, UNKNOWN, classes_of, fold, role_classes


def folded_name(name: str | None) -> str:
    """A person's name as listings and registries may both write it: width folded, spaces (half or full width) out."""
    return fold(name or "")


def match_named_persons(reach: Reach, by_node: dict[Node, list[dict]]) -> None:
    """A listing that names a person without an ID number (姓名 only) reaches that person when the listed
    enterprise's registry has exactly that name in the stated role, or as its head: the listing is then also the
    person's, marked "matched by name"."""
    named_only = {e for e, ls in by_node.items() if e[0] == "enterprise"
                  and any(names_without_id(l) for l in ls)}
    if not named_only:
        return
    for (m, e) in reach.pairs():
        if m[0] != "person" or e not in named_only:
            continue
        name = folded_name(reach.names.get(m))
        for listing in by_node[e]:
            if listing.get("id_number") or not listing.get("person_name") or folded_name(listing["person_name"]) != name:
                continue
            stated = role_classes(listing.get("person_role")) if listing.get("person_role") else frozenset({HEAD})
            held = classes_of(r for r, _, _ in reach.terms(m, e))
            if stated - {UNKNOWN} and not (held & (stated | {HEAD})):
                continue
            mine = by_node.setdefault(m, [])
            if not any(l is listing or l.get("_source") is listing for l in mine):
                mine.append({**listing, "_matched_by_name": True, "_source": listing})


def head_named_only(reader: GraphReader, source, reach: Reach, heads: list[Node], on: str, hits: dict[Node, Hit],
                    result: CheckResult) -> None:
    """The registry names the subject's legal representative, but no person of that name heads it with an ID
    number (the registry file had no ID column, or a mistyped number kept the person by name only, while a member
    file names another head): no listing can reach the named one. The answer says so, and a listed person of
    exactly that name is a link for the official to review (never a silent clear, never a bar on a name alone)."""
    # A neighbourhood fetched in one question (Neo4j) already holds the start's registry row; else ask the store.
    known, name = source.registry_head(reach.start[1]) if hasattr(source, "registry_head") else (False, None)
    if not known:
        name = reader.registry_head(reach.start[1])[1]
    name = (name or "").strip()
    if not name:
        return
    held_by = {reach.names.get(h) or "" for h in heads}
    if name in held_by or folded_name(name) in {folded_name(n) for n in held_by}:  # as written first: no folding
        return
    result.notes.append(f"登记信息载明法定代表人“{name}”，但库中没有此人的证件号码（登记未载或有误）：无法核查其本人是否受限，"
                        f"请核对证件 (the registry names the legal representative without a usable ID number: they could "
                        f"not be checked)")
    folded = folded_name(name)
    named = [p for p in reader.listed_persons_named(sorted({name, folded})) if folded_name(p.name) == folded]
    for person, listings in sorted(reader.listings_of(named).items(), key=lambda item: item[0].key):
        n = node(person)
        active = [l for l in listings if is_active(l, on)]
        if not active or n in hits:
            continue
        step = {"source": person.as_dict(), "relation": f"{LEGAL_REPRESENTATIVE}（同名，未核实）", "roles": [LEGAL_REPRESENTATIVE],
                "target": reach.party(reach.start).as_dict(), "until": None}
        hits[n] = Hit(person, 1, False, None, [step],
                      [restriction({**l, "_matched_by_name": True}, on) for l in sorted_listings(active)],
                      [f"登记的法定代表人“{name}”未载证件号码，与名单所列人员同名；是否同一人须人工核查 "
                       f"(same name as a listed person: review whether it is the same person)"])
