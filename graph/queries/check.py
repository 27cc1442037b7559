"""Is this applicant, or anyone behind it, restricted or linked to a restricted party — and why?

The joint-punishment check (DOMAIN.md, "Joint punishment rules"). A party is restricted on date D when it
is the subject of a listing active on D. The verdict is
- `restricted` when a binding rule applies:
  1. the subject itself is restricted;
  2. the subject enterprise's 法定代表人 / 负责人 / 董事 / 监事 / 经理 is a restricted person
     (公司法 2023 §178; 市场主体登记管理条例 §12);
  3. three-year bar (企业信息公示暂行条例 §17): the subject's 法定代表人 / 负责人 heads (or headed, per the
     registry) an enterprise on the 严重违法失信企业名单 listed within the last three years — even where the
     listing names nobody; for a person subject, the person is that head;
- `linked` when a restricted party is within `depth` hops but no binding rule applies;
- `clear` otherwise.
Binding rules are applied whatever the depth (they are the law, not a search radius); `depth` bounds links.

Both stores run the same code here: the traversal asks the store for one level of role edges at a time
(the Neo4j store answers with parameterised Cypher on the server, see graph/stores/neo4j_queries.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from graph.errors import AmbiguousName, InvalidRequest, InvalidSubject, NotFound
from graph.identifiers import Identifier, InvalidIdentifier, classify, validate_id_number, validate_uscc
from graph.model import (BINDING_ROLES, HEAD_ROLES, ROLE_ALIASES, SERIOUS_LIST, THREE_YEAR_BAR_YEARS, CheckResult,
                         Hit, Party)
from graph.names import normalise_name
from graph.queries.traversal import Node, Reach, node, traverse
from graph.settings import Settings, get_settings
from graph.stores.base import Edge, GraphReader, GraphStore

RULE_SUBJECT = "subject-listed"
RULE_OFFICER = "officer-restricted"
RULE_THREE_YEAR_BAR = "three-year-bar"
RULE_TEXT = {
    RULE_SUBJECT: "申请人本身被列入名单 (the applicant itself is listed)",
    RULE_OFFICER: "申请人的法定代表人/负责人/董事/监事/经理是受限人员 (公司法§178；市场主体登记管理条例§12)",
    RULE_THREE_YEAR_BAR: "法定代表人/负责人所任企业被列入严重违法失信企业名单未满三年 (企业信息公示暂行条例§17)",
}
VIRTUAL_APPLICANT = "(新申请人)"


@dataclass
class Applicant:
    """A new applicant, perhaps not yet in the registry, with the persons it declares."""
    name: str
    uscc: str | None = None
    persons: list[dict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "Applicant":
        if not isinstance(data, dict) or not str(data.get("name") or "").strip():
            raise InvalidRequest("申请人文件须包含 name（企业名称） (the applicant needs a name)", {"field": "name"})
        uscc = None
        if data.get("uscc"):
            try:
                uscc = validate_uscc(data["uscc"])
            except InvalidIdentifier as exc:
                raise InvalidSubject(f"uscc：{exc.reason}", {"field": "uscc", "expected": exc.expected}) from exc
        persons = []
        for i, p in enumerate(data.get("persons") or []):
            id_type = str(p.get("id_type") or "居民身份证")
            raw = p.get("id_number")
            try:
                number = validate_id_number(raw) if "身份证" in id_type else str(raw or "").strip().upper()
            except InvalidIdentifier as exc:
                raise InvalidSubject(f"persons[{i}].id_number：{exc.reason}",
                                     {"field": f"persons[{i}].id_number", "expected": exc.expected}) from exc
            if not number:
                raise InvalidSubject(f"persons[{i}].id_number 为空 (ID number is empty)", {"field": f"persons[{i}].id_number"})
            role = str(p.get("role") or "").strip()
            persons.append({"name": str(p.get("name") or ""), "id_type": id_type, "id_number": number,
                            "role": ROLE_ALIASES.get(role, role) or "股东"})
        return cls(str(data["name"]).strip(), uscc, persons)


def is_active(listing: dict, on: str) -> bool:
    start, end = listing.get("valid_from"), listing.get("valid_to")
    return bool(start) and start <= on and (not end or on <= end)


def listing_status(listing: dict, on: str) -> str:
    if is_active(listing, on):
        return "active"
    return "future" if (listing.get("valid_from") or "") > on else "expired"


def restriction(listing: dict, on: str) -> dict:
    return {"type": listing.get("list_type"), "basis": listing.get("basis"), "description": listing.get("description"),
            "valid_from": listing.get("valid_from"), "valid_to": listing.get("valid_to"),
            "sender": listing.get("sender"), "receivers": listing.get("receivers") or [],
            "status": listing_status(listing, on)}


def _within_bar(listing: dict, on: date) -> bool:
    start = date.fromisoformat(listing["valid_from"])
    try:
        end = start.replace(year=start.year + THREE_YEAR_BAR_YEARS)
    except ValueError:  # listed on 29 February
        end = start.replace(year=start.year + THREE_YEAR_BAR_YEARS, day=28)
    return listing.get("list_type") == SERIOUS_LIST and start <= on < end


def resolve(reader: GraphReader, key: str | None = None, name: str | None = None) -> tuple[Party, list[str]]:
    """Find the party a key or name means. Unknown valid keys are returned with a note, not an error."""
    if name is not None:
        found = reader.enterprises_by_name(normalise_name(name))
        if not found:
            raise NotFound(f"未找到名称为“{name}”的企业；请核对名称或用统一社会信用代码查询 "
                           f"(no enterprise with this name; check by code)", {"name": name})
        if len(found) > 1:
            raise AmbiguousName(f"名称“{name}”对应多家企业，请用统一社会信用代码查询 (several enterprises share this name)",
                                {"candidates": [p.as_dict() for p in found]})
        return found[0], []
    ident, notes = _identified(key)
    return _known_or_noted(reader.party_by_code(ident.value, ident.kind), ident, notes)


def _identified(key: str | None) -> tuple[Identifier, list[str]]:
    try:
        ident = classify(key or "")
    except InvalidIdentifier as exc:
        raise InvalidSubject(exc.reason, {"key": key, "expected": exc.expected}) from exc
    return ident, [ident.warning] if ident.warning else []


def _known_or_noted(party: Party | None, ident: Identifier, notes: list[str]) -> tuple[Party, list[str]]:
    """An unknown valid key is checked as a party with no relationships, and the answer says so."""
    if party is not None:
        return party, notes
    if ident.kind == "id_number":
        return Party("person", ident.value), notes + ["该证件号码不在库中，未发现关联 (unknown subject: not in the store)"]
    return Party("enterprise", ident.value), notes + ["该代码不在库中，未发现关联 (unknown subject: not in the store)"]


def _applicant_edges(applicant: Applicant, subject: Party) -> tuple[list[Edge], dict[Node, str]]:
    edges, names = [], {}
    for p in applicant.persons:
        member = Party("person", p["id_number"], p["name"])
        edges.append(Edge(member, subject, (p["role"],)))
        names[node(member)] = p["name"]
    return edges, names


def check(store: GraphStore, *, key: str | None = None, name: str | None = None, applicant: Applicant | None = None,
          as_of: date | None = None, depth: int | None = None, settings: Settings | None = None) -> CheckResult:
    settings = settings or get_settings()
    as_of = as_of or date.today()
    depth = settings.default_depth if depth is None else depth
    if not 0 <= depth <= settings.max_depth:
        raise InvalidRequest(f"depth 应在 0 到 {settings.max_depth} 之间 (depth must be 0..{settings.max_depth})",
                             {"field": "depth"})
    def question(reader: GraphReader) -> CheckResult:
        extra: list[Edge] = []
        fetched = NOT_FETCHED
        if applicant is not None:
            known = reader.enterprise_by_code(applicant.uscc, "uscc") if applicant.uscc else None
            subject = known or Party("enterprise", applicant.uscc or VIRTUAL_APPLICANT, applicant.name)
            notes = [] if known else ["新申请人，尚未登记 (a new applicant, not yet in the registry)"]
            extra, _ = _applicant_edges(applicant, subject)
        elif name is not None:
            subject, notes = resolve(reader, name=name)
        else:
            # The subject and its neighbourhood in one question to the store (one round trip on Neo4j).
            ident, notes = _identified(key)
            party, fetched = reader.located(ident.value, ident.kind, _reach_depth(depth), settings.max_parties)
            subject, notes = _known_or_noted(party, ident, notes)
        result = evaluate(reader, subject, as_of, depth, settings, extra, fetched)
        result.notes = notes + result.notes
        return result

    return store.read(question)


def _reach_depth(depth: int) -> int:
    # Two hops are always explored: the three-year bar reaches through the subject's head to another enterprise.
    return max(depth, 2)


NOT_FETCHED = object()


def evaluate(reader: GraphReader, subject: Party, as_of: date, depth: int, settings: Settings,
             extra_edges: list[Edge] = (), fetched=NOT_FETCHED) -> CheckResult:
    """Apply the rules to the neighbourhood of `subject` as one reader sees it (`fetched`: what
    `reader.neighbourhood` gave for it, when the caller already asked)."""
    on = as_of.isoformat()
    reach_depth = _reach_depth(depth)
    if fetched is NOT_FETCHED:
        # A new applicant's declared persons are edges the store does not have: its neighbourhood goes level by level.
        fetched = None if extra_edges else reader.neighbourhood(subject, reach_depth, settings.max_parties)
    source = fetched or reader
    reach = traverse(source, subject, reach_depth, settings.max_parties, list(extra_edges))
    listings = source.listings_of([reach.party(n) for n in reach.hops])
    by_node = {node(p): ls for p, ls in listings.items()}
    result = CheckResult(subject=reach.party(reach.start), as_of=on, depth=depth, verdict="clear",
                         data_version=reader.data_version, truncated=reach.truncated)
    if reach.truncated:
        result.notes.append(f"关系网过大，只检查了最近的 {settings.max_parties} 个主体 (traversal stopped at the party limit)")

    hits: dict[Node, Hit] = {}
    start = reach.start
    for n, hops in reach.hops.items():
        active = [l for l in by_node.get(n, []) if is_active(l, on)]
        inactive = [l for l in by_node.get(n, []) if not is_active(l, on)]
        if inactive and hops <= depth:
            result.history.append({"party": reach.party(n).as_dict(), "hops": hops,
                                   "restrictions": [restriction(l, on) for l in _sorted(inactive)]})
        if not active:
            continue
        rule = None
        if n == start:
            rule = RULE_SUBJECT
        elif hops == 1 and start[0] == "enterprise" and n[0] == "person" and \
                reach.roles.get((n, start), set()) & BINDING_ROLES:
            rule = RULE_OFFICER
        if rule is None and hops > depth:
            continue
        hits[n] = Hit(reach.party(n), hops, rule is not None, rule, reach.path_to(n),
                      [restriction(l, on) for l in _sorted(active)])

    for head, barred in _three_year_bar(reach, by_node, as_of):
        if barred in hits and hits[barred].binding:
            continue
        listing_rows = [l for l in by_node[barred] if is_active(l, on)]
        path = [] if head == start else [reach.step(head, start)]
        path.append(reach.step(head, barred))
        hits[barred] = Hit(reach.party(barred), len(path), True, RULE_THREE_YEAR_BAR, path,
                           [restriction(l, on) for l in _sorted(listing_rows)])

    result.hits = sorted(hits.values(), key=lambda h: (not h.binding, h.hops, h.party.kind, h.party.key))
    if any(h.binding for h in result.hits):
        result.verdict = "restricted"
    elif result.hits:
        result.verdict = "linked"
    result.history.sort(key=lambda h: (h["hops"], h["party"]["kind"], h["party"]["key"]))
    return result


def _three_year_bar(reach: Reach, by_node: dict[Node, list[dict]], as_of: date):
    """Yield (head, barred enterprise) for rule 3."""
    start = reach.start
    if start[0] == "person":
        heads = [start]
    else:
        heads = sorted(m for (m, e), roles in reach.roles.items()
                       if e == start and m[0] == "person" and roles & HEAD_ROLES)
    on = as_of.isoformat()
    for head in heads:
        for (m, e), roles in sorted(reach.roles.items()):
            if m != head or e == start or not roles & HEAD_ROLES:
                continue
            if any(is_active(l, on) and _within_bar(l, as_of) for l in by_node.get(e, [])):
                yield head, e


def _sorted(listings: list[dict]) -> list[dict]:
    return sorted(listings, key=lambda l: (l.get("valid_from") or "", l.get("list_type") or "", l.get("sender") or ""))
