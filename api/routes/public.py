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
from graph.errors import InvalidSubject
from graph.identifiers import USCC_ALPHABET, InvalidIdentifier, classify, normalise_code
from graph.names import normalise_name
from graph.queries.profile import profile

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
def public_search(store: StoreDep, q: str = Query(..., min_length=1, max_length=200,
                                                  description="A USCC, registration number or the exact name "
                                                              "(brackets, width and spaces are normalised).")):
    """By code, or by the exact registered name. Personal ID numbers are not searchable here."""
    code = normalise_code(q)

    def question(reader):
        if _looks_like_code(code):
            try:
                ident = classify(code)
            except InvalidIdentifier as exc:
                raise InvalidSubject(exc.reason, {"expected": exc.expected}) from exc
            if ident.kind == "id_number":
                raise InvalidSubject("公开查询不支持按身份证号码查找 (the public search does not take personal ID numbers)")
            found = reader.enterprise_by_code(ident.value, ident.kind)
            parties, match = ([found] if found else []), "code"
        else:
            parties, match = reader.enterprises_by_name(normalise_name(q), limit=SEARCH_LIMIT), "name"
        return match, [_hit(p.key, reader.enterprise(p.key) or {}) for p in parties], reader.data_version

    match, hits, version = store.read(question)
    # q is echoed: masked like a log line, since a public answer may be cached by proxies on the way.
    return scrub({"q": mask_secrets(q), "match": match, "results": hits, "data_version": version})


def _hit(key: str, e: dict[str, Any]) -> dict[str, Any]:
    return PublicSearchHit(key=key, **{f: e.get(f) if isinstance(e.get(f), (str, type(None))) else str(e[f])
                                       for f in ("uscc", "reg_no", "name", "status", "address")}).model_dump()
