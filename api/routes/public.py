"""What the public may read without an account: an enterprise's public record, and a search by name or code.

Every answer (errors included) is built from an allow-list of public fields and then scrubbed of ID numbers.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from fastapi import APIRouter, Query

from api.deps import StoreDep
from api.masking import mask_secrets, scrub
from api.models import ErrorOut
from api.public import PublicProfile, PublicSearchHit, PublicSearchOut
from graph.errors import InvalidRequest, InvalidSubject
from graph.identifiers import USCC_ALPHABET, InvalidIdentifier, classify, normalise_code
from graph.queries.listings import is_active
from graph.queries.profile import profile
from graph.queries.name_candidates import MAX_LIMIT, candidates, typed_name

router = APIRouter(prefix="/api/v1/public", tags=["public"],
                   responses={s: {"model": ErrorOut} for s in (404, 422)})
SEARCH_LIMIT = 20


@router.get("/enterprises/{code}", response_model=PublicProfile, summary="An enterprise's public record")
def public_enterprise(code: str, store: StoreDep,
                      as_of: Optional[date] = Query(None, description="Listing status on this date (default today).")):
    """Registration data, licences, penalties, inspection results and list memberships. People appear by
    name and role only; any ID number is masked (region and last four)."""
    return scrub(PublicProfile.from_profile(profile(store, code, as_of)).model_dump())


def _looks_like_code(text: str) -> bool:
    return (len(text) == 15 and text.isdigit()) or (len(text) == 18 and all(c in USCC_ALPHABET for c in text))


@router.get("/search", response_model=PublicSearchOut, summary="Find enterprises by name or code")
def public_search(store: StoreDep, q: str = Query("", description="A USCC, a registration number, or a name as "
                                                                  "typed: in full, without the county, a short name, "
                                                                  "a character off (2–200 characters, no wildcards)."),
                  limit: int = Query(SEARCH_LIMIT, description=f"1–{MAX_LIMIT} enterprises (default {SEARCH_LIMIT}).")):
    """By code, or enterprises ranked by how close their names are to q (persons are never searched here).
    Personal ID numbers are not searchable here. 422 for a q that is empty, one character, over 200 characters,
    or holds wildcards or control characters, and for a limit outside 1–50."""
    if not 1 <= limit <= MAX_LIMIT:  # as the departments' search says it
        raise InvalidRequest(f"limit 应在 1 到 {MAX_LIMIT} 之间 (limit must be 1..{MAX_LIMIT})", {"field": "limit"})
    code = normalise_code(q)
    typed = None if _looks_like_code(code) else typed_name(q)

    def question(reader):
        if _looks_like_code(code):
            try:
                ident = classify(code)
            except InvalidIdentifier as exc:
                raise InvalidSubject(exc.reason, {"expected": exc.expected}) from exc
            if ident.kind == "id_number":
                raise InvalidSubject("公开查询不支持按身份证号码查找 (the public search does not take personal ID numbers)")
            found = reader.enterprise_by_code(ident.value, ident.kind)
            hits = [_hit(p.key, reader.enterprise(p.key) or {}) for p in ([found] if found else [])]
            return "code", _with_listings(reader, hits), reader.data_version
        assert typed is not None  # read above: q is not a code
        ranked = candidates(reader, typed, "enterprise", limit)
        hits = [_hit(c.key, reader.enterprise(c.key) or {}, c.score, c.reasons) for c in ranked]
        return "name", _with_listings(reader, hits), reader.data_version

    match, hits, version = store.read(question)
    # q is echoed: masked like a log line, since a public answer may be cached by proxies on the way.
    return scrub({"q": mask_secrets(q), "match": match, "results": hits, "data_version": version})


def _hit(key: str, e: dict[str, Any], score: int | None = None, reasons: list[str] | None = None) -> dict[str, Any]:
    return PublicSearchHit(key=key, score=score, reasons=reasons or [],
                           **{f: e.get(f) if isinstance(e.get(f), (str, type(None))) else str(e[f])
                              for f in ("uscc", "reg_no", "name", "status", "address")}).model_dump()


def _with_listings(reader, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each enterprise's listings active today, counted: the results show at a glance which are restricted (the
    enterprise's own listings only, as its public record shows them)."""
    on = date.today().isoformat()
    listed = reader.listings_by_node([("enterprise", h["key"]) for h in hits])
    for h in hits:
        h["active_listings"] = sum(is_active(l, on) for l in listed.get(("enterprise", h["key"]), []))
    return hits
