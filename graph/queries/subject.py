"""Who a check is about: the party a code or a name finds, or the applicant an application describes."""
from __future__ import annotations

from typing import Any

from graph.errors import AmbiguousName, InvalidRequest, InvalidSubject, NotFound
from graph.identifiers import Identifier, InvalidIdentifier, classify, id15_to_18
from graph.model import Party
from graph.names import name_variants, normalise_name
from graph.queries.applicant import Applicant
from graph.stores.base import Edge, GraphReader

VIRTUAL_APPLICANT = "(新申请人)"
SIMILAR_NAMES = 5  # registered names a check by an unknown name, or an unregistered applicant, is told of


def resolve(reader: GraphReader, key: str | None = None, name: str | None = None) -> tuple[Party, list[str]]:
    """Find the party a key or name means. Unknown valid keys are returned with a note, not an error."""
    if name is not None:
        from graph.queries.name_candidates import typed_name
        typed_name(name)  # an empty name, one character, wildcards, control characters: refused, as the search does
        notes: list[str] = []
        found = by_name(reader, name, notes)
        near = [] if found else near_names(reader, name, SIMILAR_NAMES, 0)
        same = [c for c in near if c.score == 100]
        if len(same) == 1:  # the registered name written with its brackets left out or put in (a score of 100)
            notes.append(f"名称“{name}”按登记名称“{same[0].name}”找到（{same[0].key}，括号写法不同），请核对 "
                         f"(found under the registered name written with brackets)")
            return Party("enterprise", same[0].key, same[0].name), notes
        if not found:
            listed = "；相近的登记名称：" + "、".join(f"{c.name}（{c.key}，相似度 {c.score}）" for c in near) if near else ""
            raise NotFound(f"未找到名称为“{name}”的企业{listed}；请核对名称或用统一社会信用代码查询；尚未登记的新申请人请按"
                           f"新申请人核查（会核查名称相近的受限企业和分支机构的总公司） "
                           f"(no enterprise with this name{'; similar names in details.candidates' if near else ''}; "
                           f"check by code, or as a new applicant)", {"name": name,
                                                                      "candidates": [c.as_dict() for c in near]})
        return found, notes
    ident, notes = identified(key)
    party = reader.party_by_code(ident.value, ident.kind)
    if party is None:
        party, notes = as_first_generation(reader, ident, notes)
    return known_or_noted(party, ident, notes)


def near_names(reader: GraphReader, name: str, limit: int, min_score: int) -> list:
    """Registered enterprises whose names are like `name` (graph/queries/search.py), best first; none for a name the
    search refuses (one character, wildcards)."""
    from graph.queries.name_candidates import MIN_SCORE, candidates, typed_name
    try:
        typed = typed_name(name)
    except InvalidRequest:
        return []
    return candidates(reader, typed, "enterprise", limit, max(min_score, MIN_SCORE))


def head_offices_named(reader: GraphReader, name: str, min_score: int) -> list:
    """The registered enterprises a branch's name names as its head office (西吉县鹏程建材有限公司西吉分公司, or typed
    without the head office's form: 鹏程建材西吉分公司), best first; none for a name that is not a branch's. The one
    registered under the very name before the branch part (normalised, either company form) when there is one;
    else those whose names score at least `min_score` against it. Where the place before the branch word is one no
    table knows (鹏程建材将台分店), the name is also read without the two characters before the word. A branch is no
    legal person: its head office answers for it (公司法 2023 §13)."""
    from graph.names import name_words, parse_name
    from graph.queries.name_candidates import Candidate
    norm = normalise_name(name)
    branch = parse_name(norm).branch
    if not branch or len(norm) - len(branch) < 2:
        return []
    head = norm[: -len(branch)]
    readings = [head] + ([head[:-2]] if branch in name_words().branches and len(head) >= 4 else [])
    exact = {p.key: p for reading in readings
             for p in reader.enterprises_by_name(reading) or
             [p for v in name_variants(reading) for p in reader.enterprises_by_name(v)]}
    if exact:
        return [Candidate("enterprise", p.key, p.name, 100, []) for p in exact.values()]
    near: dict[str, Any] = {}
    for reading in readings:
        for c in near_names(reader, reading, SIMILAR_NAMES, min_score):
            if c.key not in near or near[c.key].score < c.score:
                near[c.key] = c
    return sorted(near.values(), key=lambda c: (-c.score, c.key))[:SIMILAR_NAMES]


def as_first_generation(reader: GraphReader, ident: Identifier, notes: list[str]) -> tuple[Party | None, list[str]]:
    """15 digits no enterprise has as its registration number: a first-generation ID number, perhaps, keyed by its
    18-digit form."""
    person = id15_to_18(ident.value) if ident.kind == "reg_no" else None
    party = reader.person(person) if person else None
    if party is None:
        return None, notes
    return party, [f"15位号码 {ident.value} 按第一代身份证号码查到人员 {person} (a first-generation ID number)"]


def by_name(reader: GraphReader, name: str, notes: list[str] | None = None) -> Party | None:
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


def identified(key: str | None) -> tuple[Identifier, list[str]]:
    try:
        ident = classify(key or "")
    except InvalidIdentifier as exc:
        raise InvalidSubject(exc.reason, {"key": key, "expected": exc.expected}) from exc
    return ident, [ident.warning] if ident.warning else []


def known_or_noted(party: Party | None, ident: Identifier, notes: list[str]) -> tuple[Party, list[str]]:
    """An unknown valid key is checked as a party with no relationships, and the answer says so."""
    if party is not None:
        return party, notes
    if ident.kind == "id_number":
        return Party("person", ident.value), notes + ["该证件号码不在库中，未发现关联 (unknown subject: not in the store)"]
    return Party("enterprise", ident.value), notes + ["该代码不在库中，未发现关联 (unknown subject: not in the store)"]


def applicant_edges(applicant: Applicant, subject: Party) -> list[Edge]:
    """The declared members' roles in the applicant: persons, and corporate shareholders by their code."""
    return [Edge(Party(p.get("kind", "person"), p["id_number"], p["name"]), subject, (p["role"],))
            for p in applicant.persons]


def applicant_subject(reader: GraphReader, applicant: Applicant) -> tuple[Party, list[str], bool]:
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
    named = by_name(reader, applicant.name, name_notes)
    if named is not None and not applicant.uscc:
        return named, [f"申请人按名称在登记信息中找到：{named.name}（{named.key}） (found in the registry by name)",
                         *name_notes, *declared], True
    notes = ["新申请人，尚未登记 (a new applicant, not yet in the registry)"]
    if named is None:
        # Never a silent clear for a registered enterprise typed another way: say what was tried and what to do.
        notes.append(f"名称“{applicant.name}”未在登记信息中找到（已按全半角、括号、空格、繁简体和公司形式核对）；如申请人已登记"
                     f"（名称可能省略了县名或用了简称），请用统一社会信用代码核查 (the name is not in the registry as typed: "
                     f"if the applicant is registered, check by its code)")
    else:
        notes.append(f"名称“{applicant.name}”已登记在代码 {named.key} 下，与申请的代码不同，请核对 "
                     f"(the name is registered under another code)")
    return Party("enterprise", applicant.uscc or VIRTUAL_APPLICANT, applicant.name), notes, named is not None
