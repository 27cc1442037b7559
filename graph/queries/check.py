"""Is this applicant, or anyone behind it, restricted or linked to a restricted party — and why?

The joint-punishment check; docs/check-rules.md states every rule with its legal basis. A party is restricted on
date D when it is the subject of a listing active on D. The verdict is
- `restricted` when a binding rule applies:
  1. the subject itself is restricted (any list, a list type the vocabulary does not know included);
  2. a person who holds a head, director, supervisor or senior-manager role in the subject on D is on an active
     list whose category bars that office (失信被执行人: 公司法 2023 §178(5); 市场主体登记管理条例 §12);
  3. three-year bar (企业信息公示暂行条例 §17): a head of the subject headed an enterprise on the day it was put on
     the serious-violation list (in any of its spellings), within three years counted as 民法典 §201–202 say —
     even where the listing names nobody; for a person subject, the person is that head;
- `linked` when a restricted party, or a signal (a revoked licence of an enterprise an officer headed, an early
  removal from the serious-violation list), is within `depth` hops but no binding rule applies;
- `clear` otherwise.
Binding rules are applied whatever the depth (they are the law, not a search radius); `depth` bounds links. Lists,
roles and penalties are classified by graph/vocabulary; roles count when held on D (their terms).

Both stores run the same code here: the traversal asks the store for one level of role edges at a time, or for
the whole neighbourhood at once (the Neo4j store, see graph/stores/neo4j/queries.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from graph.errors import AmbiguousName, InvalidRequest, InvalidSubject, NotFound
from graph.identifiers import Identifier, InvalidIdentifier, classify, id15_to_18
from graph.model import LEGAL_REPRESENTATIVE, CheckResult, Hit, Party
from graph.names import name_variants, normalise_name
from graph.queries.applicant import Applicant
from graph.queries.traversal import Node, Reach, held_on, node, traverse
from graph.record_state import ENDED, counts_on, last_counting_day, notes_for, standing as record_standing, status_on
from graph.settings import Settings
from graph.stores.base import Edge, GraphReader, GraphStore
from graph.vocabulary import (HEAD, OFFICES, UNKNOWN, ListCategory, classes_of, fold, list_category, penalty_kind,
                              role_classes)

RULE_SUBJECT = "subject-listed"
RULE_OFFICER = "officer-restricted"
RULE_THREE_YEAR_BAR = "three-year-bar"
# Not a binding rule: a registered enterprise whose name is very like the applicant's is restricted (a listed
# enterprise applying again under a slightly changed name). A link for the official to review.
RULE_SIMILAR_NAME = "similar-name"
# The score (graph/name_match.py) from which a registered name counts as very like the applicant's: one character
# off in a trade name of three characters or more, or a short name of it, with at most the company form spelt
# otherwise; another region, another kind of body or a branch stays below it (docs/check-rules.md).
SIMILAR_NAME_SCORE = 85
SIMILAR_NAMES = 5
RULE_TEXT = {
    RULE_SUBJECT: "申请人本身被列入名单 (the applicant itself is listed)",
    RULE_OFFICER: "申请人的法定代表人/负责人/董事/监事/高级管理人员是名单禁止担任该职务的人员 (公司法§178(5)；市场主体登记管理条例§12)",
    RULE_THREE_YEAR_BAR: "法定代表人/负责人在所任企业被列入严重违法失信名单时任职，"
                         "三年内不得担任其他企业的法定代表人/负责人 (企业信息公示暂行条例§17)",
    RULE_SIMILAR_NAME: "申请名称与受限企业的登记名称高度相似，需人工核查 (similar name of a listed enterprise: review)",
}
VIRTUAL_APPLICANT = "(新申请人)"
# 公司法 2023 §178(1)(3)(4): heading an enterprise whose business licence was revoked, or that was ordered
# closed, bars for three years where the person was personally responsible — the official's judgement: a link.
REVOKED_WORDS = ("吊销营业执照", "责令关闭", "吊销")
REVOCATION_YEARS = 3


def in_period(listing: dict, on: str) -> bool:
    """限制期限自 ≤ on ≤ 限制期限至 (no 限制期限至: no end)."""
    start, end = listing.get("valid_from"), listing.get("valid_to")
    return bool(start and start <= on and (not end or on <= end))


def is_active(listing: dict, on: str) -> bool:
    """Active on `on`: within its period, and counting as the data stood that day (not withdrawn, corrected or
    ended by then, graph/record_state.py)."""
    return in_period(listing, on) and counts_on(listing, on)


def listing_status(listing: dict, on: str) -> str:
    """active, future, expired, or why it does not count: withdrawn, corrected, ended, entered_later."""
    why = status_on(listing, on)
    if why is not None:
        return why
    if in_period(listing, on):
        return "active"
    return "future" if (listing.get("valid_from") or "") > on else "expired"


def restriction(listing: dict, on: str) -> dict:
    category = list_category(listing.get("list_type"))
    out = {"type": listing.get("list_type"), "category": category.id, "basis": listing.get("basis"),
           "description": listing.get("description"), "valid_from": listing.get("valid_from"),
           "valid_to": listing.get("valid_to"), "sender": listing.get("sender"),
           "receivers": listing.get("receivers") or [], "status": listing_status(listing, on),
           # The person the listing names, as sent: shown even when no ID number ties them to a node.
           "person_name": listing.get("person_name"), "person_role": listing.get("person_role"),
           "matched_by_name": True if listing.get("_matched_by_name") else None,
           # Its ID (what its sender names to withdraw or correct it), what became of it, open objections.
           **record_standing(listing, on)}
    return out


def bar_end(start: date, years: int) -> date:
    """The last day of a bar of `years` from `start` (民法典 §201–202: counted from the next day, ending on the
    corresponding day; a corresponding day that does not exist is the month's last): listed 2021-03-01, barred
    through 2024-03-01; listed 2020-02-29, through 2023-02-28."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def resolve(reader: GraphReader, key: str | None = None, name: str | None = None) -> tuple[Party, list[str]]:
    """Find the party a key or name means. Unknown valid keys are returned with a note, not an error."""
    if name is not None:
        notes: list[str] = []
        found = _by_name(reader, name, notes)
        if not found:
            near = _near_names(reader, name, SIMILAR_NAMES, 0)
            listed = "；相近的登记名称：" + "、".join(f"{c.name}（{c.key}，相似度 {c.score}）" for c in near) if near else ""
            raise NotFound(f"未找到名称为“{name}”的企业{listed}；请核对名称或用统一社会信用代码查询 "
                           f"(no enterprise with this name{'; similar names in details.candidates' if near else ''}; "
                           f"check by code)", {"name": name, "candidates": [c.as_dict() for c in near]})
        return found, notes
    ident, notes = _identified(key)
    party = reader.party_by_code(ident.value, ident.kind)
    if party is None:
        party, notes = _as_first_generation(reader, ident, notes)
    return _known_or_noted(party, ident, notes)


def _near_names(reader: GraphReader, name: str, limit: int, min_score: int) -> list:
    """Registered enterprises whose names are like `name` (graph/queries/search.py), best first; none for a name the
    search refuses (one character, wildcards)."""
    from graph.queries.search import MIN_SCORE, candidates, typed_name
    try:
        typed = typed_name(name)
    except InvalidRequest:
        return []
    return candidates(reader, typed, "enterprise", limit, max(min_score, MIN_SCORE))


def _similar_name_hits(reader: GraphReader, applicant: Applicant, subject: Party, as_of: date, settings: Settings,
                       result: CheckResult) -> None:
    """An applicant whose name is not registered as typed: the registered enterprises with very similar names are
    named in the notes, and each that is restricted on the day is a link (RULE_SIMILAR_NAME) — never a bar: a
    similar name is not the same enterprise, the official decides."""
    near = [c for c in _near_names(reader, applicant.name, SIMILAR_NAMES, SIMILAR_NAME_SCORE) if c.key != subject.key]
    if not near:
        return
    result.notes.append(f"名称“{applicant.name}”与以下登记企业的名称高度相似（相似度≥{SIMILAR_NAME_SCORE}）：" + "、".join(
        f"{c.name}（{c.key}，相似度 {c.score}）" for c in near) + " (registered enterprises with very similar names)")
    for c in near:
        party = Party("enterprise", c.key, c.name)
        theirs = evaluate(reader, party, as_of, 0, settings)
        if theirs.verdict != "restricted":
            continue
        from graph.name_match import reason_text
        step = {"source": party.as_dict(), "target": subject.as_dict(), "relation": f"名称相近者（相似度 {c.score}）",
                "roles": [], "similar_name": {"score": c.score, "reasons": c.reasons}}
        differs = "、".join(reason_text(r) for r in c.reasons) or "名称相同"
        result.hits.append(Hit(party, 1, False, RULE_SIMILAR_NAME, [step],
                               [r for h in theirs.hits if h.binding for r in h.restrictions],
                               [f"申请名称“{applicant.name}”与受限企业“{c.name}”的登记名称相似（相似度 {c.score}：{differs}），"
                                f"可能是同一主体更名后再次申请，请人工核查 (similar name of a listed enterprise: review)"]))
    result.hits.sort(key=lambda h: (not h.binding, h.hops, h.party.kind, h.party.key))
    if result.verdict == "clear" and result.hits:
        result.verdict = "linked"


def _as_first_generation(reader: GraphReader, ident: Identifier, notes: list[str]) -> tuple[Party | None, list[str]]:
    """15 digits no enterprise has as its registration number: a first-generation ID number, perhaps, keyed by its
    18-digit form."""
    person = id15_to_18(ident.value) if ident.kind == "reg_no" else None
    party = reader.person(person) if person else None
    if party is None:
        return None, notes
    return party, [f"15位号码 {ident.value} 按第一代身份证号码查到人员 {person} (a first-generation ID number)"]


def _by_name(reader: GraphReader, name: str, notes: list[str] | None = None) -> Party | None:
    """The one enterprise registered under this name (normalised: width, brackets, spaces, traditional characters),
    or under the same name with the company form written the other way (有限公司 / 有限责任公司), noted in `notes`;
    None if none; AmbiguousName when several share it."""
    found = reader.enterprises_by_name(normalise_name(name))
    variant = False
    if not found:
        found = [p for v in name_variants(name) for p in reader.enterprises_by_name(v)]
        variant = bool(found)
    if len(found) > 1:
        raise AmbiguousName(f"名称“{name}”对应多家企业，请用统一社会信用代码查询 (several enterprises share this name)",
                            {"candidates": [p.as_dict() for p in found]})
    if variant and notes is not None:
        notes.append(f"名称“{name}”按公司形式不同的登记名称“{found[0].name}”找到（{found[0].key}），请核对 "
                     f"(found under the registered name with the other company form)")
    return found[0] if found else None


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


def _applicant_edges(applicant: Applicant, subject: Party) -> list[Edge]:
    return [Edge(Party("person", p["id_number"], p["name"]), subject, (p["role"],)) for p in applicant.persons]


def _applicant_subject(reader: GraphReader, applicant: Applicant) -> tuple[Party, list[str], bool]:
    """Who an applicant is: the registered enterprise its code or, failing that, its name finds (its declared
    persons are checked with its registered ones); a new applicant only when nothing matches. The flag: whether the
    registry had it (by code, or by its name as typed)."""
    declared = (["申报人员与登记人员一并核查 (declared and registered persons are checked together)"]
                if applicant.persons else [])
    if applicant.uscc:
        known = reader.enterprise_by_code(applicant.uscc, "uscc")
        if known is not None:
            notes = [f"申请人按统一社会信用代码在登记信息中找到：{known.name}（{known.key}） (found in the registry by code)",
                     *declared]
            if known.name and normalise_name(known.name) != normalise_name(applicant.name):
                notes.append(f"统一社会信用代码 {applicant.uscc} 登记的名称为“{known.name}”，与申请名称“{applicant.name}”不同，"
                             f"请核对 (the code is registered under another name)")
            return known, notes, True
    name_notes: list[str] = []
    by_name = _by_name(reader, applicant.name, name_notes)
    if by_name is not None and not applicant.uscc:
        return by_name, [f"申请人按名称在登记信息中找到：{by_name.name}（{by_name.key}） (found in the registry by name)",
                         *name_notes, *declared], True
    notes = ["新申请人，尚未登记 (a new applicant, not yet in the registry)"]
    if by_name is None:
        # Never a silent clear for a registered enterprise typed another way: say what was tried and what to do.
        notes.append(f"名称“{applicant.name}”未在登记信息中找到（已按全半角、括号、空格、繁简体和公司形式核对）；如申请人已登记"
                     f"（名称可能省略了县名或用了简称），请用统一社会信用代码核查 (the name is not in the registry as typed: "
                     f"if the applicant is registered, check by its code)")
    else:
        notes.append(f"名称“{applicant.name}”已登记在代码 {by_name.key} 下，与申请的代码不同，请核对 "
                     f"(the name is registered under another code)")
    return Party("enterprise", applicant.uscc or VIRTUAL_APPLICANT, applicant.name), notes, by_name is not None


def check(store: GraphStore, *, key: str | None = None, name: str | None = None, applicant: Applicant | None = None,
          as_of: date | None = None, depth: int | None = None, settings: Settings) -> CheckResult:
    """`settings` come from the caller (the CLI's, or the service's): the depth limit and the party bound are
    theirs, never a global's."""
    as_of = as_of or date.today()
    depth = settings.default_depth if depth is None else depth
    if not 0 <= depth <= settings.max_depth:
        raise InvalidRequest(f"depth 应在 0 到 {settings.max_depth} 之间 (depth must be 0..{settings.max_depth})",
                             {"field": "depth"})
    def question(reader: GraphReader) -> CheckResult:
        extra: list[Edge] = []
        fetched = NOT_FETCHED
        registered = True
        if applicant is not None:
            subject, notes, registered = _applicant_subject(reader, applicant)
            extra = _applicant_edges(applicant, subject)
        elif name is not None:
            subject, notes = resolve(reader, name=name)
        else:
            # The subject and its neighbourhood in one question to the store (one round trip on Neo4j).
            ident, notes = _identified(key)
            party, fetched = reader.located(ident.value, ident.kind, _reach_depth(depth), settings.max_parties)
            if party is None:
                party, notes = _as_first_generation(reader, ident, notes)
                if party is not None:  # the neighbourhood fetched was the empty one of the unknown code
                    fetched = NOT_FETCHED
            subject, notes = _known_or_noted(party, ident, notes)
        result = evaluate(reader, subject, as_of, depth, settings, extra, fetched)
        if applicant is not None and not registered:
            _similar_name_hits(reader, applicant, subject, as_of, settings, result)
        result.notes = notes + result.notes
        return result

    return store.read(question)


def _reach_depth(depth: int) -> int:
    # Two hops are always explored: the three-year bar reaches through the subject's head to another enterprise.
    return max(depth, 2)


NOT_FETCHED = object()


def _folded_name(name: str | None) -> str:
    """A person's name as listings and registries may both write it: width folded, spaces (half or full width) out."""
    return fold(name or "")


def _match_named_persons(reach: Reach, by_node: dict[Node, list[dict]]) -> None:
    """A listing that names a person without an ID number (姓名 only) reaches that person when the listed
    enterprise's registry has exactly that name in the stated role, or as its head: the listing is then also the
    person's, marked "matched by name"."""
    named_only = {e for e, ls in by_node.items() if e[0] == "enterprise"
                  and any(l.get("person_name") and not l.get("id_number") for l in ls)}
    if not named_only:
        return
    for (m, e) in reach.pairs():
        if m[0] != "person" or e not in named_only:
            continue
        name = _folded_name(reach.names.get(m))
        for listing in by_node[e]:
            if listing.get("id_number") or not listing.get("person_name") or _folded_name(listing["person_name"]) != name:
                continue
            stated = role_classes(listing.get("person_role")) if listing.get("person_role") else frozenset({HEAD})
            held = classes_of(r for r, _, _ in reach.terms(m, e))
            if stated - {UNKNOWN} and not (held & (stated | {HEAD})):
                continue
            mine = by_node.setdefault(m, [])
            if not any(l is listing or l.get("_source") is listing for l in mine):
                mine.append({**listing, "_matched_by_name": True, "_source": listing})


def evaluate(reader: GraphReader, subject: Party, as_of: date, depth: int, settings: Settings,
             extra_edges: Sequence[Edge] = (), fetched=NOT_FETCHED) -> CheckResult:
    """Apply the rules to the neighbourhood of `subject` as one reader sees it (`fetched`: what
    `reader.neighbourhood` gave for it, when the caller already asked)."""
    on = as_of.isoformat()
    reach_depth = _reach_depth(depth)
    if fetched is NOT_FETCHED:
        # A new applicant's declared persons are edges the store does not have: its neighbourhood goes level by level.
        fetched = None if extra_edges else reader.neighbourhood(subject, reach_depth, settings.max_parties)
    source = fetched or reader
    reach = traverse(source, subject, reach_depth, settings.max_parties, list(extra_edges), on)
    # The enterprises the subject's heads headed at some time: the three-year bar asks about them even when the
    # term ended before the check's date (they are then not within reach).
    officers = _officers(reach)
    heads = _heads(reach, officers)
    former = sorted({e for h in heads for e in reach.enterprises_of(h) if e != reach.start and e not in reach.hops})
    listings = source.listings_of([reach.party(n) for n in [*reach.hops, *former]])
    by_node = {node(p): list(ls) for p, ls in listings.items()}
    _match_named_persons(reach, by_node)
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
        elif hops == 1 and start[0] == "enterprise" and n[0] == "person" and _barred_from_office(
                active, classes_of(reach.roles.get((n, start), ()))):
            rule = RULE_OFFICER
        if rule is None and hops > depth:
            continue
        hit = Hit(reach.party(n), hops, rule is not None, rule, reach.path_to(n),
                  [restriction(l, on) for l in _sorted(active)])
        hit.notes = [f"{l['person_name']}：按姓名与登记信息匹配（名单未载证件号码） (matched by name)"
                     for l in active if l.get("_matched_by_name")]
        hit.notes += [note for l in _sorted(active) for note in notes_for(l, on, l.get("list_type") or "")]
        hits[n] = hit

    for bar in _three_year_bar(reach, heads, by_node, as_of):
        barred, hit = bar
        if barred in hits and hits[barred].binding:
            continue
        if barred in hits and not hit.binding:
            hits[barred].notes.extend(hit.notes)
            continue
        hits[barred] = hit

    _penalties_of_note(source, reach, officers, as_of, hits, result)
    if not heads and start[0] == "enterprise" and start[1] != VIRTUAL_APPLICANT:
        _head_named_only(reader, source, reach, on, hits, result)
    result.hits = sorted(hits.values(), key=lambda h: (not h.binding, h.hops, h.party.kind, h.party.key))
    if any(h.binding for h in result.hits):
        result.verdict = "restricted"
    elif result.hits:
        result.verdict = "linked"
    result.history.sort(key=lambda h: (h["hops"], h["party"]["kind"], h["party"]["key"]))
    return result


def _head_named_only(reader: GraphReader, source, reach: Reach, on: str, hits: dict[Node, Hit],
                     result: CheckResult) -> None:
    """The registry names the subject's legal representative without an ID number, so no person stands behind
    the name and no listing can reach them: the answer says so, and a listed person of exactly that name is a
    link for the official to review (never a silent clear, never a bar on a name alone)."""
    # A neighbourhood fetched in one question (Neo4j) already holds the start's registry row; else ask the store.
    known, name = source.registry_head(reach.start[1]) if hasattr(source, "registry_head") else (False, None)
    if not known:
        name = (reader.enterprise(reach.start[1]) or {}).get("legal_rep")
    name = (name or "").strip()
    if not name:
        return
    result.notes.append(f"登记信息载明法定代表人“{name}”，但未载其证件号码：无法核查其本人是否受限，请核对证件 "
                        f"(the registry gives the legal representative without an ID number: they could not be checked)")
    folded = _folded_name(name)
    named = [p for p in reader.listed_persons_named(sorted({name, folded})) if _folded_name(p.name) == folded]
    for person, listings in sorted(reader.listings_of(named).items(), key=lambda item: item[0].key):
        n = node(person)
        active = [l for l in listings if is_active(l, on)]
        if not active or n in hits:
            continue
        step = {"source": person.as_dict(), "relation": f"{LEGAL_REPRESENTATIVE}（同名，未核实）", "roles": [LEGAL_REPRESENTATIVE],
                "target": reach.party(reach.start).as_dict(), "until": None}
        hits[n] = Hit(person, 1, False, None, [step],
                      [restriction({**l, "_matched_by_name": True}, on) for l in _sorted(active)],
                      [f"登记的法定代表人“{name}”未载证件号码，与名单所列人员同名；是否同一人须人工核查 "
                       f"(same name as a listed person: review whether it is the same person)"])


def _barred_from_office(active: list[dict], offices: frozenset[str]) -> bool:
    """Binding rule 2: an active listing of a category that bars its person from an office the person holds in
    the applicant (失信被执行人: head, director, supervisor, senior manager; 公司法 §178(5)). A category with a
    three-year bar for heads is rule 3's; a category without bars (or an unknown list) makes the person a link."""
    return any(offices & c.bars for c in (list_category(l.get("list_type")) for l in active) if not c.head_bar_years)


def _officers(reach: Reach) -> dict[Node, frozenset[str]]:
    """The subject's persons who hold an office in it on the check's date, with the classes of their roles (the
    subject itself, for a person). Read once per check: rules 3 and the penalties of note both ask."""
    start = reach.start
    if start[0] == "person":
        return {start: frozenset({HEAD})}
    out = {}
    for m, roles in reach.members.items():
        if m[0] == "person":
            classes = classes_of(roles)
            if classes & OFFICES:
                out[m] = classes
    return out


def _heads(reach: Reach, officers: dict[Node, frozenset[str]]) -> list[Node]:
    """Whom rule 3 asks about: the subject's heads on the check's date (the subject itself, for a person)."""
    return sorted(m for m, classes in officers.items() if HEAD in classes)


def _headed_on(reach: Reach, head: Node, enterprise: Node, day: str) -> tuple[bool, bool]:
    """(did `head` head `enterprise` on `day`, was that read from a term without a start date)."""
    for role, since, until in reach.terms(head, enterprise):
        if HEAD in role_classes(role) and held_on(since, until, day):
            return True, not since
    return False, False


def _three_year_bar(reach: Reach, heads: list[Node], by_node: dict[Node, list[dict]], as_of: date):
    """Yield (barred enterprise or person, Hit) for rule 3 (企业信息公示暂行条例 §17): a head of the subject
    who headed an enterprise on the day it was put on the serious-violation list, within three years of that day
    (民法典 §201–202), or who is named on such a listing."""
    start = reach.start
    for head in heads:
        # Listings that name the head themselves (the listing's own 法定代表人).
        for listing in by_node.get(head, []):
            category = list_category(listing.get("list_type"))
            if category.head_bar_years and listing.get("valid_from") and head != start:
                hit = _bar_hit(reach, head, head, listing, category, as_of, [reach.step(head, start)], [])
                if hit is not None:
                    yield head, hit
        for e in reach.enterprises_of(head):
            if e == start or e not in by_node:
                continue
            for listing in by_node[e]:
                category = list_category(listing.get("list_type"))
                if not category.head_bar_years or not listing.get("valid_from") or listing.get("_matched_by_name"):
                    continue
                headed, assumed = _headed_on(reach, head, e, listing["valid_from"])
                if not headed:
                    continue
                notes = [f"登记信息未记载{reach.names.get(head, '')}的任职起始日期，按其在列入日（{listing['valid_from']}）已任"
                         f"法定代表人/负责人推定 (the registry has no tenure history: assumed head on the listing date)"] \
                    if assumed else []
                path = [] if head == start else [reach.step(head, start)]
                path.append(_step_any(reach, head, e))
                hit = _bar_hit(reach, e, head, listing, category, as_of, path, notes)
                if hit is not None:
                    yield e, hit


def _penalties_of_note(reader, reach: Reach, officer_classes: dict[Node, frozenset[str]], as_of: date,
                       hits: dict[Node, Hit], result: CheckResult) -> None:
    """Penalties of note (graph/vocabulary/penalties.toml) of the subject and of the enterprises its officers
    headed, within their periods; a revoked business licence or a closure order of an enterprise an officer headed
    on the decision date is a link (公司法 2023 §178(1)(3)(4): personal responsibility is the official's call), as is
    a registry status of 吊销 whose date the registry does not give."""
    start = reach.start
    officers = sorted(officer_classes)
    # Stores answer cheaply which enterprises have anything of note (most have none); only those are looked at.
    candidates = sorted({e for m in officers for e in reach.edges_of(m) if e != start and e[0] == "enterprise"})
    keys = ([start[1]] if start[0] == "enterprise" and start[1] != VIRTUAL_APPLICANT else []) + [e[1] for e in candidates]
    if not keys:
        return
    headed: dict[Node, list[Node]] = {}
    for key, standing in sorted(reader.standing_of(keys).items()):
        if not standing["penalties"] and not standing["status"]:
            continue
        e = ("enterprise", key)
        if e != start:
            headed[e] = [m for m in officers if HEAD in classes_of(t[0] for t in reach.terms(m, e))]
            if not headed[e]:
                continue
        for p in sorted(standing["penalties"], key=lambda p: (p.get("decision_date") or "", p.get("decision_no") or "")):
            kind = penalty_kind(p.get("penalty_type"))
            if kind is None or not p.get("decision_date") or not counts_on(p, as_of.isoformat()):
                continue  # a penalty its department withdrew or corrected (graph/record_state.py) is not one of note
            decided = date.fromisoformat(p["decision_date"])
            last = bar_end(decided, kind.years)
            if not decided <= as_of <= last:
                continue
            text = " ".join(str(p.get(k) or "") for k in ("penalty_type", "violation_type", "remarks", "name"))
            entry = {"party": reach.party(e).as_dict(), "kind": kind.label, "penalty_type": p.get("penalty_type"),
                     "decision_no": p.get("decision_no"), "decision_date": p["decision_date"],
                     "authority": "、".join(p.get("authority") or []), "until": last.isoformat(),
                     "basis": kind.basis_for(text), "via": [reach.party(m).as_dict() for m in headed.get(e, [])]}
            result.penalties.append(entry)
            if not kind.heads_linked or e == start:
                continue
            for m in headed[e]:
                if _headed_on(reach, m, e, p["decision_date"])[0]:
                    _link(reach, hits, m, e, {
                        "type": kind.label, "category": "penalty", "basis": entry["basis"],
                        "description": p.get("violation_type"), "valid_from": p["decision_date"], "valid_to": entry["until"],
                        "sender": entry["authority"], "receivers": [], "status": "active", "person_name": None,
                        "person_role": None, "matched_by_name": None},
                        f"{reach.names.get(m, '')}在{p['decision_date']}处罚决定时任该企业负责人；是否负有个人责任须人工核查 "
                        f"(公司法§178(4): personal responsibility is for the official to judge)")
        status = standing.get("status") or ""
        if "吊销" in status and e != start:
            revoked = penalty_kind("吊销营业执照")
            for m in headed[e]:
                _link(reach, hits, m, e, {
                    "type": f"登记状态：{status}", "category": "penalty", "basis": revoked.basis
                    if revoked else "", "description": None, "valid_from": None, "valid_to": None,
                    "sender": None, "receivers": [], "status": "active", "person_name": None, "person_role": None,
                    "matched_by_name": None},
                    f"登记状态为“{status}”，登记信息未载吊销日期，无法判断是否已逾三年，请人工核查 "
                    f"(revoked per the registry, date unknown: review)")


def _link(reach: Reach, hits: dict[Node, Hit], officer: Node, enterprise: Node, entry: dict, note: str) -> None:
    if enterprise in hits:
        hit = hits[enterprise]
        hit.restrictions.append(entry)
        hit.notes.append(note)
        return
    path = [] if officer == reach.start else [reach.step(officer, reach.start)]
    path.append(_step_any(reach, officer, enterprise))
    hits[enterprise] = Hit(reach.party(enterprise), len(path), False, None, path, [entry], [note])


def _step_any(reach: Reach, member: Node, enterprise: Node) -> dict:
    step = reach.step(member, enterprise)
    if (member, enterprise) not in reach.roles:  # a term that has ended: say so in the chain
        ended = sorted((t for t in reach.terms(member, enterprise) if t[2]), key=lambda t: t[2] or "")
        step["until"] = ended[-1][2] if ended else None
    return step


def _bar_hit(reach: Reach, barred: Node, head: Node, listing: dict, category: ListCategory, as_of: date,
             path: list[dict], notes: list[str]) -> Hit | None:
    on = as_of.isoformat()
    listed = date.fromisoformat(listing["valid_from"])
    last = bar_end(listed, category.head_bar_years or 0)
    if not listed <= as_of <= last:
        return None
    why = status_on(listing, on)
    if why is not None and why != ENDED:
        return None  # withdrawn or corrected by its sender (as the data stood on `on`): it never stood
    removed = listing.get("valid_to")
    if why == ENDED:  # its sender's full export no longer held it: removed, as of the export's date
        removed = min(removed or "9999", last_counting_day(listing))
    if removed and removed < on:
        # Removed early, within the three years. §17 counts the bar from the listing, while the 2021 measures
        # (市场监督管理严重违法失信名单管理办法, 信用修复) lift a listing's restrictions when it is removed: the bar is
        # not applied as binding, and the official sees the link with the removal and why.
        notes = notes + [f"该名单已于 {removed} 提前移出（列入日 {listing['valid_from']}，三年期至 {last.isoformat()}）：企业信息公示"
                         f"暂行条例§17 的三年期自列入之日起算，但名单经信用修复移出后相应限制解除，故不作为禁止，请人工核查移出原因 "
                         f"(removed early: shown as a link for review, not a bar)"]
        return Hit(reach.party(barred), len(path), False, None, path, [restriction(listing, on)], notes)
    notes = notes + [f"三年期自 {listing['valid_from']} 起至 {last.isoformat()} 止 (民法典§201–202) "
                     f"(barred through {last.isoformat()})"] + notes_for(listing, on, listing.get("list_type") or "")
    return Hit(reach.party(barred), len(path), True, RULE_THREE_YEAR_BAR, path, [restriction(listing, on)], notes)


def _sorted(listings: list[dict]) -> list[dict]:
    return sorted(listings, key=lambda l: (l.get("valid_from") or "", l.get("list_type") or "", l.get("sender") or ""))
