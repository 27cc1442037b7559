"""Penalties of note and revoked licences in a check: of the subject, and of the enterprises its officers headed
(公司法 2023 §178(1)(3)(4); graph/vocabulary/penalties.toml)."""
from __future__ import annotations

from datetime import date

from graph.model import CheckResult, Hit
from graph.queries.listings import bar_end
from graph.queries.subject import VIRTUAL_APPLICANT
from graph.queries.traversal import Node, Reach
from graph.record_state import counts_on
from graph.vocabulary import HEAD, classes_of, penalty_kind


def penalties_of_note(reader, reach: Reach, officer_classes: dict[Node, frozenset[str]], as_of: date,
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
                if reach.headed_on(m, e, p["decision_date"])[0]:
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
    path.append(reach.step_any(officer, enterprise))
    hits[enterprise] = Hit(reach.party(enterprise), len(path), False, None, path, [entry], [note])
