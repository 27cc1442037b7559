"""Everything collected under one enterprise (全景画像): registry data, the people and enterprises behind it,
and every department's records, with licence and penalty changes applied to give the current state."""
from __future__ import annotations

from datetime import date
from typing import Any

from graph.errors import InvalidSubject, NotFound
from graph.identifiers import InvalidIdentifier, classify
from graph.model import RECORD_KINDS
from graph.queries.listings import listing_status
from graph.queries.restriction_status import restriction_status
from graph.queries.traversal import held_roles
from graph.record_state import counts_on, notes_for, standing, status_on
from graph.settings import Settings
from graph.stores.base import Edge, GraphStore

# 变更事项 that name a licence field: the change moves the licence's current state.
LICENCE_FIELD_OF_ITEM = {
    "有效期至": "valid_to", "有效期自": "valid_from", "许可内容": "content", "状态": "status",
    "许可文件名称": "license_name", "许可机关": "authority", "详情": "details",
}


def _apply_licence_changes(licences: list[dict], changes: list[dict]) -> None:
    by_no: dict[str | None, list[dict]] = {}
    for ch in sorted(changes, key=lambda c: (c.get("change_date") or "", c.get("item") or "")):
        by_no.setdefault(ch.get("license_no"), []).append(ch)
    for lic in licences:
        history = by_no.get(lic.get("license_no"), [])
        lic["changes"] = history
        original: dict[str, Any] = {}
        for ch in history:
            target = LICENCE_FIELD_OF_ITEM.get((ch.get("item") or "").strip())
            if target and ch.get("after") is not None:
                original.setdefault(target, lic.get(target))
                lic[target] = ch["after"]
        if original:
            lic["original"] = original


def _apply_penalty_changes(penalties: list[dict], changes: list[dict]) -> None:
    by_no: dict[str | None, list[dict]] = {}
    for ch in sorted(changes, key=lambda c: c.get("change_date") or ""):
        by_no.setdefault(ch.get("decision_no"), []).append(ch)
    for pen in penalties:
        history = by_no.get(pen.get("decision_no"), [])
        pen["changes"] = history
        if history:
            latest = history[-1].get("content") or ""
            pen["current_status"] = "已撤销" if "撤销" in latest else "已变更"
            pen["latest_change"] = latest
        else:
            pen["current_status"] = "有效"


def resolve_enterprise_key(reader, code: str) -> str:
    try:
        ident = classify(code)
    except InvalidIdentifier as exc:
        raise InvalidSubject(exc.reason, {"key": code, "expected": exc.expected}) from exc
    if ident.kind == "id_number":
        raise InvalidSubject("这是身份证号码，不是企业代码 (this is an ID number, not an enterprise code)", {"key": code})
    party = reader.enterprise_by_code(ident.value, ident.kind)
    if party is None:
        raise NotFound(f"库中没有代码为 {ident.value} 的企业 (no enterprise with this code)", {"key": ident.value})
    return party.key


def _tenure(edge: Edge, on: str) -> dict[str, Any]:
    """`roles`: those held on `on` (empty for a former member, kept as history); `terms`: every term, dated where the
    registry dates it."""
    return {"roles": list(held_roles(edge, on)),
            "terms": [{"role": role, "since": since, "until": until} for role, since, until in edge.all_terms()]}


def profile(store: GraphStore, code: str, as_of: date | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """`settings` given: also `restriction`, whether the check's binding rules restrict the enterprise on the day
    (graph/queries/restriction_status.py), read in the same question as the rest."""
    day = as_of or date.today()
    on = day.isoformat()
    def question(reader):
        key = resolve_enterprise_key(reader, code)
        enterprise = reader.enterprise(key)
        enterprise["members"] = [
            {"party": e.member.as_dict(), **_tenure(e, on)}
            for e in sorted(reader.members_of(key), key=lambda e: (e.member.kind, e.member.key))]
        enterprise["holds_roles_in"] = [
            {"party": e.enterprise.as_dict(), **_tenure(e, on)}
            for e in sorted(reader.roles_of(enterprise_party(enterprise)), key=lambda e: e.enterprise.key)]
        restriction = (restriction_status(reader, enterprise_party(enterprise), day, settings)
                       if settings is not None else None)
        return enterprise, reader.records_of(key), reader.data_version, restriction

    enterprise, records, data_version, restriction = store.read(question)
    out = {kind: records.get(kind, []) for kind in RECORD_KINDS}
    notes: list[str] = []
    for kind in RECORD_KINDS:
        for record in out[kind]:
            # Every record shows its ID (what its department names to withdraw or correct it), what became of it
            # (`record_status`: None while it counts) and the objections open against it.
            notes += notes_for(record, on)
            record["record_status"] = status_on(record, on)
            record.update(standing(record, on))
    # A change its department withdrew or corrected changes nothing.
    _apply_licence_changes(out["license"], [c for c in out["license-change"] if counts_on(c, on)])
    _apply_penalty_changes(out["penalty"], [c for c in out["penalty-change"] if counts_on(c, on)])
    for listing in out["blacklist"]:
        listing["status"] = listing_status(listing, on)
    out["blacklist"].sort(key=lambda l: (l.get("valid_from") or "", l.get("list_type") or ""))
    answer = {"enterprise": enterprise, "records": out, "as_of": on, "data_version": data_version, "notes": notes}
    if restriction is not None:
        answer["restriction"] = restriction
    return answer


def enterprise_party(enterprise: dict):
    from graph.model import Party
    return Party("enterprise", enterprise["key"], enterprise.get("name") or "")
