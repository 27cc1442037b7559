"""Departmental reading: an enterprise's profile, a person, how two parties connect, a department's duties."""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from fastapi import APIRouter, Query

from api.deps import DepartmentDep, SettingsDep, StoreDep
from api.models import ERRORS, DepartmentOut, PersonOut, ProfileOut, RelationOut, SearchOut
from graph.accounts import Forbidden
from graph.errors import InvalidSubject, NotFound
from graph.identifiers import InvalidIdentifier, id15_to_18, looks_like_id_number, normalise_code, validate_id_number
from graph.queries.listings import is_active, restriction
from graph.queries.department import department
from graph.queries.profile import profile
from graph.queries.relation import relation
from graph.queries.name_candidates import DEFAULT_LIMIT
from graph.queries.search import search as name_search

router = APIRouter(prefix="/api/v1", tags=["departments"], responses=ERRORS)


@router.get("/search", response_model=SearchOut, summary="Find enterprises or persons by name (按名称查找)")
def search(store: StoreDep, settings: SettingsDep, account: DepartmentDep,
           q: Optional[str] = Query(None, description="A name as typed: in full, without the county, a short name, "
                                                     "a character off, traditional characters (2–200 characters; no "
                                                     "wildcards)."),
           kind: str = Query("enterprise", description="enterprise | person"),
           limit: int = Query(DEFAULT_LIMIT, description="1–50 candidates."),
           as_of: Optional[date] = Query(None, description="The day `status.restricted` is for (default today).")):
    """Ranked candidates, each with its score (0–100), the reasons it differs from q, its 登记状态 and whether it is
    restricted. 422 for an empty or one-character q, one over 200 characters, or one with wildcards or control
    characters."""
    return name_search(store, q, kind=kind, limit=limit, as_of=as_of, settings=settings).as_dict()


@router.get("/enterprises/{code}", response_model=ProfileOut, summary="Everything under one enterprise (全景画像)")
def enterprise_profile(code: str, store: StoreDep, settings: SettingsDep, account: DepartmentDep,
                       as_of: Optional[date] = Query(None, description="Listing status on this date (default today).")):
    """Registry data, the people and enterprises behind it (with ID numbers), every department's records, and
    whether the check's binding rules restrict it on the day (`restriction`)."""
    return profile(store, code, as_of, settings)


def _person_key(id_number: str) -> str:
    if ":" in id_number:  # another document, as stored: 护照:E12345678
        kind, _, number = id_number.partition(":")
        return f"{kind.strip()}:{normalise_code(number)}"
    code = normalise_code(id_number)
    if len(code) == 15 and (upgraded := id15_to_18(code)):  # a first-generation number: keyed by its 18-digit form
        return upgraded
    if looks_like_id_number(code):
        try:
            return validate_id_number(code)
        except InvalidIdentifier as exc:
            raise InvalidSubject(exc.reason, {"key": id_number, "expected": exc.expected}) from exc
    return code  # a passport or other document: looked up as given


@router.get("/persons/{id_number}", response_model=PersonOut, summary="A person's listings and roles")
def person(id_number: str, store: StoreDep, account: DepartmentDep,
           as_of: Optional[date] = Query(None, description="Listing status on this date (default today).")):
    """Every listing naming this person (with its status on as_of) and the enterprises where the person holds
    a role, from the registry."""
    on = (as_of or date.today()).isoformat()
    key = _person_key(id_number)
    def question(reader):
        party = reader.person(key)
        if party is None:
            raise NotFound("库中没有此证件号码的人员 (no person with this ID number)", {"id_number": key})
        return party, reader.listings_of([party]).get(party, []), reader.roles_of(party), reader.data_version

    party, listings, roles, version = store.read(question)
    rows = [{**restriction(l, on), "enterprise_name": l.get("name"), "person_role": l.get("person_role")}
            for l in sorted(listings, key=lambda l: (l.get("valid_from") or "", l.get("list_type") or ""))]
    return {"person": party.as_dict(), "restricted": any(is_active(l, on) for l in listings), "listings": rows,
            "roles": [{"enterprise": e.enterprise.as_dict(), "roles": list(e.roles)}
                      for e in sorted(roles, key=lambda e: e.enterprise.key)],
            "as_of": on, "data_version": version}


@router.get("/relations", response_model=RelationOut, summary="How two parties are connected (关联关系)")
def relations(store: StoreDep, settings: SettingsDep, account: DepartmentDep,
              a: str = Query(..., description="USCC, registration number or ID number."),
              b: str = Query(..., description="The other party."),
              depth: int = Query(4, ge=1, le=8, description="Longest chain to look for.")) -> dict[str, Any]:
    return relation(store, a, b, depth, settings=settings)


@router.get("/departments/{name}/restrictions", response_model=DepartmentOut,
            summary="Active listings a department must enforce")
def department_restrictions(name: str, store: StoreDep, account: DepartmentDep,
                            as_of: Optional[date] = Query(None, description="Default today."),
                            list_type: Optional[str] = Query(None, alias="type",
                                                             description="Only this list type (信息类型).")):
    """A department may read its own (any spelling of its name); admin may read any department's."""
    if not account.may_act_for(name):
        raise Forbidden("只能查看本部门应执行的名单 (a department may read only its own restrictions)",
                        {"department": name, "account_department": account.department})
    return department(store, name, as_of, list_type)
