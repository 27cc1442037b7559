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

from collections.abc import Set as AbstractSet, Sequence
from typing import Any
from datetime import date

from graph.errors import InvalidRequest
from graph.listed_names import differs
from graph.model import CheckResult, Hit, Party
from graph.queries.applicant import Applicant
from graph.queries.listings import bar_end, is_active, restriction, sorted_listings
from graph.queries.named import head_named_only, match_named_persons
from graph.queries.penalties import penalties_of_note
from graph.queries.subject import (SIMILAR_NAMES, VIRTUAL_APPLICANT, applicant_edges, applicant_subject,
                                   as_first_generation, head_offices_named, identified, known_or_noted, near_names,
                                   resolve)
from graph.queries.traversal import Node, Reach, traverse
from graph.record_state import ENDED, last_counting_day, notes_for, status_on
from graph.settings import Settings
from graph.stores.base import Edge, GraphReader, GraphStore
from graph.stores.neighbourhood import OutermostTrimmed
from graph.unread import PERSON_PREFIX, SHOWN as UNREAD_SHOWN, name_codes, note as unread_note, person_code
from graph.vocabulary import HEAD, OFFICES, ListCategory, classes_of, list_category, role_classes

__all__ = ["Applicant", "RULE_TEXT", "check", "evaluate"]  # Applicant: what callers build a check of an applicant from


RULE_SUBJECT = "subject-listed"
RULE_OFFICER = "officer-restricted"
RULE_THREE_YEAR_BAR = "three-year-bar"
# Not a binding rule: a registered enterprise whose name is very like the applicant's is restricted (a listed
# enterprise applying again under a slightly changed name). A link for the official to review.
RULE_SIMILAR_NAME = "similar-name"
RULE_SAME_NAME = "same-name-unregistered"
# Not binding either: the subject's name is a branch's (…有限公司西吉分公司), and the head office it names is restricted.
# A branch is no legal person (公司法 2023 §13): a link for the official to review, whether or not the registry's
# members file ties the two.
RULE_HEAD_OFFICE = "head-office-named"
# The score (graph/name_match.py) from which a registered name counts as very like the applicant's: one character
# off in a trade name of three characters or more, or a short name of it, with at most the company form spelt
# otherwise; another region, another kind of body or a branch stays below it (docs/check-rules.md).
SIMILAR_NAME_SCORE = 85
RULE_TEXT = {
    RULE_SUBJECT: "申请人本身被列入名单 (the applicant itself is listed)",
    RULE_OFFICER: "申请人的法定代表人/负责人/董事/监事/高级管理人员是名单禁止担任该职务的人员 (公司法§178(5)；市场主体登记管理条例§12)",
    RULE_THREE_YEAR_BAR: "法定代表人/负责人在所任企业被列入严重违法失信名单时任职，"
                         "三年内不得担任其他企业的法定代表人/负责人 (企业信息公示暂行条例§17)",
    RULE_SIMILAR_NAME: "申请名称与受限企业的登记名称高度相似，需人工核查 (similar name of a listed enterprise: review)",
    RULE_HEAD_OFFICE: "申请人名称是受限企业的分支机构名称：分公司不具有法人资格，由总公司承担责任（公司法§13），需人工核查 (named as a "
                      "branch of a restricted enterprise: review)",
    RULE_SAME_NAME: "名单所列企业与申请人同名，但其代码未见于登记信息，需人工核查 (a listed enterprise of the same name under "
                    "a code the registry lacks: review)",
}


def _restrictions_of(answer: CheckResult) -> list[dict]:
    """The restrictions binding on a party, each listing once: a listing two rules apply (the enterprise listed, and
    its head within the three-year bar) is one restriction."""
    seen: dict[object, dict] = {}
    for h in answer.hits:
        if h.binding:
            for r in h.restrictions:
                seen.setdefault(r.get("record_id") or id(r), r)
    return list(seen.values())


def _link_if_restricted(reader: GraphReader, party: Party, subject: Party, as_of: date, settings: Settings,
                        result: CheckResult, rule: str, relation: str, note: str, **step: Any) -> None:
    """A link for review, never a bar, to `party` when it is restricted on the day (a binding rule applies to it at
    depth 0): one hop, with its binding restrictions and `note`; `step` adds to the path's one step."""
    theirs = evaluate(reader, party, as_of, 0, settings)
    if theirs.verdict != "restricted":
        return
    path = [{"source": party.as_dict(), "target": subject.as_dict(), "relation": relation, "roles": [], **step}]
    result.hits.append(Hit(party, 1, False, rule, path, _restrictions_of(theirs), [note]))


def _linked(result: CheckResult) -> None:
    """Hits in their order (binding first, then nearest), and a clear verdict made `linked` by any link."""
    result.hits.sort(key=lambda h: (not h.binding, h.hops, h.party.kind, h.party.key))
    if result.verdict == "clear" and result.hits:
        result.verdict = "linked"


def _similar_name_hits(reader: GraphReader, applicant: Applicant, subject: Party, as_of: date, settings: Settings,
                       result: CheckResult) -> None:
    """An applicant whose name is not registered as typed: the registered enterprises with very similar names are
    named in the notes, and each that is restricted on the day is a link (RULE_SIMILAR_NAME) — never a bar: a
    similar name is not the same enterprise, the official decides."""
    near = [c for c in near_names(reader, applicant.name, SIMILAR_NAMES, SIMILAR_NAME_SCORE) if c.key != subject.key]
    if not near:
        return
    result.notes.append(f"名称“{applicant.name}”与以下登记企业的名称高度相似（相似度≥{SIMILAR_NAME_SCORE}）：" + "、".join(
        f"{c.name}（{c.key}，相似度 {c.score}）" for c in near) + " (registered enterprises with very similar names)")
    from graph.name_match import reason_text
    for c in near:
        differs = "、".join(reason_text(r) for r in c.reasons) or "名称相同"
        _link_if_restricted(reader, Party("enterprise", c.key, c.name), subject, as_of, settings, result,
                            RULE_SIMILAR_NAME, f"名称相近者（相似度 {c.score}）",
                            f"申请名称“{applicant.name}”与受限企业“{c.name}”的登记名称相似（相似度 {c.score}：{differs}），"
                            f"可能是同一主体更名后再次申请，请人工核查 (similar name of a listed enterprise: review)",
                            similar_name={"score": c.score, "reasons": c.reasons})
    _linked(result)


def _head_office_hits(reader: GraphReader, name: str, subject: Party, as_of: date, settings: Settings,
                      result: CheckResult, registered: bool) -> None:
    """A subject named as a branch (…有限公司西吉分公司): each head office its name names (subject.head_offices_named)
    that is restricted on the day, and not already a hit, is a link (RULE_HEAD_OFFICE), for an applicant the
    registry lacks (its possible head offices noted, as similar names are) and for a registered enterprise alike (the
    members file may not tie a branch to its head office)."""
    heads = [c for c in head_offices_named(reader, name, SIMILAR_NAME_SCORE)
             if c.key != subject.key and all(h.party.key != c.key for h in result.hits)]
    if not heads:
        return
    if not registered:
        result.notes.append(f"名称“{name}”是分支机构的名称，其总公司可能是：" + "、".join(
            f"{c.name}（{c.key}，相似度 {c.score}）" for c in heads) + " (a branch's name: its head office may be these)")
    for c in heads:
        _link_if_restricted(reader, Party("enterprise", c.key, c.name), subject, as_of, settings, result,
                            RULE_HEAD_OFFICE, f"名称所示总公司（相似度 {c.score}）",
                            f"名称“{name}”是受限企业“{c.name}”（{c.key}）的分支机构名称，分公司由总公司承担责任，请人工核查 "
                            f"(named as a branch of a restricted enterprise: review)",
                            similar_name={"score": c.score, "reasons": c.reasons})
    _linked(result)


def _same_name_listed_hits(reader: GraphReader, subject: Party, as_of: date, settings: Settings,
                           result: CheckResult) -> None:
    """A listing sent under a code the registry lacks (an old 注册号) made an enterprise of its own; when it has the
    subject's registered name, it may be the subject: a link for review, never a silent clear and never a bar."""
    named = reader.listed_unregistered_named(subject.name)
    if not named:  # nearly every subject
        return
    for party in named:
        if party.key != subject.key:
            _link_if_restricted(reader, party, subject, as_of, settings, result, RULE_SAME_NAME,
                                "同名企业（代码未见于登记信息）",
                                f"名单以代码 {party.key} 列入“{party.name}”，该代码未见于登记信息，与申请人登记名称相同：可能是同一"
                                f"企业以旧注册号报送，请人工核查并请报送部门改正代码 (a listed enterprise of the same name under a "
                                f"code the registry lacks: review)")
    _linked(result)


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
            subject, notes, registered = applicant_subject(reader, applicant)
            extra = applicant_edges(applicant, subject)
        elif name is not None:
            subject, notes = resolve(reader, name=name)
        else:
            # The subject and its neighbourhood in one question to the store (one round trip on Neo4j).
            ident, notes = identified(key)
            party, fetched = reader.located(ident.value, ident.kind, _reach_depth(depth), settings.max_parties)
            if party is None:
                party, notes = as_first_generation(reader, ident, notes)
                if party is not None:  # the neighbourhood fetched was the empty one of the unknown code
                    fetched = NOT_FETCHED
            subject, notes = known_or_noted(party, ident, notes)
        result = evaluate(reader, subject, as_of, depth, settings, extra, fetched)
        if applicant is not None and not registered:
            _similar_name_hits(reader, applicant, subject, as_of, settings, result)
            _head_office_hits(reader, applicant.name, subject, as_of, settings, result, registered=False)
        elif subject.kind == "enterprise" and subject.name:
            _same_name_listed_hits(reader, subject, as_of, settings, result)
            _head_office_hits(reader, subject.name, subject, as_of, settings, result, registered=True)
        result.notes = notes + result.notes
        return result

    return store.read(question)


def _reach_depth(depth: int) -> int:
    # Two hops are always explored: the three-year bar reaches through the subject's head to another enterprise.
    return max(depth, 2)


NOT_FETCHED = object()


def evaluate(reader: GraphReader, subject: Party, as_of: date, depth: int, settings: Settings,
             extra_edges: Sequence[Edge] = (), fetched=NOT_FETCHED) -> CheckResult:
    """Apply the rules to the neighbourhood of `subject` as one reader sees it (`fetched`: what
    `reader.neighbourhood` gave for it, when the caller already asked)."""
    on = as_of.isoformat()
    reach_depth = _reach_depth(depth)
    if fetched is NOT_FETCHED:
        # A new applicant's declared persons are edges the store does not have: its neighbourhood goes level by level.
        fetched = None if extra_edges else reader.neighbourhood(subject, reach_depth, settings.max_parties)
    source, reach = _reach(reader, fetched, subject, reach_depth, settings.max_parties, extra_edges, on)
    # The enterprises the subject's heads headed at some time: the three-year bar asks about them even when the
    # term ended before the check's date (they are then not within reach).
    officers = _officers(reach)
    heads = _heads(reach, officers)
    former = sorted({e for h in heads for e in reach.enterprises_of(h) if e != reach.start and e not in reach.hops})
    by_node = {n: list(ls) for n, ls in source.listings_by_node([*reach.hops, *former]).items()}
    match_named_persons(reach, by_node)
    result = CheckResult(subject=reach.party(reach.start), as_of=on, depth=depth, verdict="clear",
                         data_version=reader.data_version, truncated=reach.truncated)
    if reach.truncated:
        result.notes.append(truncated_note(settings.max_parties))

    hits: dict[Node, Hit] = {}
    start = reach.start
    for n, listed in list(by_node.items()):  # most parties within reach are listed nowhere
        hops = reach.hops.get(n)
        if hops is None:  # an enterprise a head headed once, out of reach: the three-year bar's question
            continue
        active = [l for l in listed if is_active(l, on)]
        inactive = [l for l in listed if not is_active(l, on)]
        if inactive and hops <= depth:
            result.history.append({"party": reach.party(n).as_dict(), "hops": hops,
                                   "restrictions": [restriction(l, on) for l in sorted_listings(inactive)]})
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
                  [restriction(l, on) for l in sorted_listings(active)])
        hit.notes = [f"{l['person_name']}：按姓名与登记信息匹配（名单未载证件号码） (matched by name)"
                     for l in active if l.get("_matched_by_name")]
        hit.notes += _name_differs(hit.party, active)
        hit.notes += [note for l in sorted_listings(active) for note in notes_for(l, on, l.get("list_type") or "")]
        hits[n] = hit

    for bar in _three_year_bar(reach, heads, by_node, as_of):
        barred, hit = bar
        if barred in hits and hits[barred].binding:
            continue
        if barred in hits and not hit.binding:
            hits[barred].notes.extend(hit.notes)
            continue
        hits[barred] = hit

    penalties_of_note(source, reach, officers, as_of, hits, result)
    if start[0] == "enterprise" and start[1] != VIRTUAL_APPLICANT:
        head_named_only(reader, source, reach, heads, on, hits, result)
    _unread(reader, source, reach, depth, result)
    result.hits = sorted(hits.values(), key=lambda h: (not h.binding, h.hops, h.party.kind, h.party.key))
    if any(h.binding for h in result.hits):
        result.verdict = "restricted"
    elif result.hits:
        result.verdict = "linked"
    elif _unread_may_restrict(result.unread, officers):
        result.verdict = "linked"
        result.notes.insert(0, "申请人本身或其法定代表人、董事、监事、高级管理人员有名单记录无法读取（见下），结论须人工核查，"
                               "不可视为未发现关联 (a listing row about the applicant or one of its officers could not be "
                               "read: review it)")
    elif reach.truncated:
        # The binding rules were read in full (traversal.py), but a link beyond the limit may exist: never `clear`.
        result.verdict = "linked"
        result.notes.insert(0, "关系网过大，部分关联未检查，结论须人工核查，不可视为未发现关联 (the party limit cut links: "
                               "review it, it is not clear)")
    result.history.sort(key=lambda h: (h["hops"], h["party"]["kind"], h["party"]["key"]))
    return result


def _reach(reader: GraphReader, fetched, subject: Party, depth: int, max_parties: int, extra_edges: Sequence[Edge],
           on: str) -> tuple[Any, Reach]:
    """(what the check reads from: the neighbourhood fetched, else the store; what the traversal reached)."""
    try:
        source = fetched or reader
        return source, traverse(source, subject, depth, max_parties, list(extra_edges), on, for_rules=True)
    except OutermostTrimmed:  # the last level must be read whole after all (it would be cut): from the store
        return reader, traverse(reader, subject, depth, max_parties, list(extra_edges), on, for_rules=True)


def truncated_note(max_parties: int) -> str:
    """What the official is told when the party limit cut links (graph/queries/traversal.py): what was checked in
    full, what was not, and what to do."""
    return (f"关系网过大：只检查了距离最近的 {max_parties} 个主体，更远的关联未全部检查。申请人本身、其法定代表人、董事、"
            f"监事、高级管理人员，以及法定代表人曾任职的企业（禁止性规则所涉）已全部检查。如需完整的关联核查，请联系系统"
            f"管理员调高 CREDITNET_MAX_PARTIES 后重新核查 (the party limit cut links beyond the nearest {max_parties} "
            f"parties; every binding rule was checked in full)")


def _unread(reader: GraphReader, source, reach: Reach, depth: int, result: CheckResult) -> None:
    """Rows a department sent about the subject or a party within `depth` that could not be read (graph/unread.py):
    each may be the record that restricts; the answer names them, whatever the verdict. The store is asked for
    them only when a party within reach has one (or the store cannot tell without being asked)."""
    codes = source.unread_codes()
    if codes is not None and not _any_unread_within(codes, reach, depth):  # the common case
        return
    within = {n[1]: n for n, hops in reach.hops.items() if hops <= depth}
    # Also by name: a row whose code or ID number was mistyped or masked still names its party (graph/unread.py).
    for n in list(within.values()):
        name = reach.names.get(n)
        within.update({code: n for code in (name_codes(name) if n[0] == "enterprise" else [person_code(name)]) if code})
    # Only the codes some remembered row has: behind a nominee, thousands are within reach and a handful are kept.
    entries = reader.unread_about([c for c in within if codes is None or c in codes])
    seen: set[tuple] = set()
    kept = []
    for entry in entries:  # a row named by its code and by its name is one row
        n = within[entry["code"]]
        if (entry["source"], entry["kind"], entry["row"], n) in seen:
            continue
        seen.add((entry["source"], entry["kind"], entry["row"], n))
        entry.update(party=reach.party(n).as_dict(), hops=reach.hops[n])
        kept.append(entry)
    result.unread = entries = kept
    result.notes += [unread_note(e, e["party"]["name"]) for e in entries[:UNREAD_SHOWN]]
    if len(entries) > UNREAD_SHOWN:
        result.notes.append(f"另有 {len(entries) - UNREAD_SHOWN} 行未能导入的记录涉及本次核查所及主体，见 unread "
                            f"({len(entries) - UNREAD_SHOWN} more unread rows: see `unread`)")


def _any_unread_within(codes: AbstractSet[str], reach: Reach, depth: int) -> bool:
    """Whether a party within `depth` has a rejected row kept under its code or its name (`codes`: every code the
    store keeps them under)."""
    if not codes:
        return False
    names = reach.names
    for n, hops in reach.hops.items():
        if hops > depth:
            continue
        if n[1] in codes:
            return True
        name = names.get(n)
        if n[0] == "enterprise":
            if not codes.isdisjoint(name_codes(name)):
                return True
        elif person_code(name) in codes:
            return True
    return False


def _unread_may_restrict(unread: list[dict], officers: dict[Node, frozenset[str]]) -> bool:
    """Whether a listing row that could not be read names the subject, or a person holding an office in it, by a
    code or by the enterprise's name (a person's name alone repeats too often to decide a verdict): it may be the
    very listing that restricts, so the answer is never `clear`."""
    return any(e["kind"] == "blacklist" and not e["code"].startswith(PERSON_PREFIX) and
               (e["hops"] == 0 or (e["party"]["kind"], e["party"]["key"]) in officers) for e in unread)


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


def _three_year_bar(reach: Reach, heads: list[Node], by_node: dict[Node, list[dict]], as_of: date):
    """Yield (barred enterprise or person, Hit) for rule 3 (企业信息公示暂行条例 §17): a head of the subject
    who headed an enterprise on the day it was put on the serious-violation list, within three years of that day
    (民法典 §201–202), or whom such a listing names as the listed enterprise's head."""
    start = reach.start
    for head in heads:
        # Listings that name the head themselves: as the listed enterprise's 法定代表人/负责人, a bar; in another role
        # (股东, 监事 …) none (§17 bars heads), and without a role the official must find out which it was.
        for listing in by_node.get(head, []):
            category = list_category(listing.get("list_type"))
            if not (category.head_bar_years and listing.get("valid_from") and head != start):
                continue
            stated = role_classes(listing["person_role"]) if listing.get("person_role") else None
            if stated is not None and HEAD not in stated:
                continue
            hit = _bar_hit(reach, head, head, listing, category, as_of, [reach.step(head, start)], [])
            if hit is not None and stated is None:
                hit = Hit(hit.party, hit.hops, False, None, hit.path, hit.restrictions, hit.notes + [
                    f"名单未载{listing.get('person_name') or '该人员'}的人员类别：是否为被列入企业的法定代表人/负责人"
                    f"（三年内不得担任，企业信息公示暂行条例§17）须人工核查 (the listing gives no role: whether the bar "
                    f"applies is for the official to check)"])
            if hit is not None:
                yield head, hit
        for e in reach.enterprises_of(head):
            if e == start or e not in by_node:
                continue
            for listing in by_node[e]:
                category = list_category(listing.get("list_type"))
                if not category.head_bar_years or not listing.get("valid_from") or listing.get("_matched_by_name"):
                    continue
                headed, assumed = reach.headed_on(head, e, listing["valid_from"])
                if not headed:
                    continue
                notes = [f"登记信息未记载{reach.names.get(head, '')}的任职起始日期，按其在列入日（{listing['valid_from']}）已任"
                         f"法定代表人/负责人推定 (the registry has no tenure history: assumed head on the listing date)"] \
                    if assumed else []
                path = [] if head == start else [reach.step(head, start)]
                path.append(reach.step_any(head, e))
                hit = _bar_hit(reach, e, head, listing, category, as_of, path, notes)
                if hit is not None:
                    yield e, hit


def _bar_hit(reach: Reach, barred: Node, head: Node, listing: dict, category: ListCategory, as_of: date,
             path: list[dict], notes: list[str]) -> Hit | None:
    on = as_of.isoformat()
    listed = date.fromisoformat(listing["valid_from"])
    # A start sent as a month or a year only: the bar lasts from its first day to three years after its last.
    last = bar_end(date.fromisoformat(listing.get("valid_from_latest") or listing["valid_from"]),
                   category.head_bar_years or 0)
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
    month_only = ([f"列入日期只写到月或年，按其最后可能的一天 {listing['valid_from_latest']} 起算，三年期不因此缩短 "
                   f"(a start given as a month or year: counted from its last day)"] if listing.get("valid_from_latest") else [])
    notes = notes + [f"三年期自 {listing['valid_from']} 起至 {last.isoformat()} 止 (民法典§201–202) "
                     f"(barred through {last.isoformat()})"] + month_only + notes_for(listing, on, listing.get("list_type") or "")
    return Hit(reach.party(barred), len(path), True, RULE_THREE_YEAR_BAR, path, [restriction(listing, on)], notes)


def _name_differs(party: Party, listings: list[dict]) -> list[str]:
    """A listing that names its person by an ID number registered under another name: the ID may be a clerk's
    typo, and the person restricted the wrong one. The listing still counts (the ID number is the key; never a
    silent clear), and the official is told to verify it."""
    if party.kind != "person" or not party.name:
        return []
    return [f"名单所载姓名“{name}”与该证件号码登记的姓名“{party.name}”不符：请向{l.get('sender') or '列入部门'}核实证件号码 "
            f"(the listing names another person under this ID number)"
            for l in listings if (name := l.get("person_name")) and differs(name, party.name)]
