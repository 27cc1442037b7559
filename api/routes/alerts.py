"""Follow-up supervision for departments: their watch list, their alerts and their responses (graph/supervision).

A department account sees and answers only its own alerts and watch list; the admin (the county market supervision
bureau) sees every department's, and the feedback on every listing.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Path as PathParam, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, DepartmentDep, SettingsDep, StoreDep
from api.models import ERRORS
from graph.accounts import Account, Forbidden
from graph.departments import canonical_department
from graph.errors import InvalidRequest
from graph.supervision import responses, watch
from graph.supervision.db import SupervisionDB

router = APIRouter(prefix="/api/v1", tags=["departments"], responses=ERRORS)


class CodesIn(BaseModel):
    codes: list[str] = Field(..., min_length=1, max_length=10_000, description="USCCs, registration numbers or ID "
                                                                                 "numbers to watch.")


class ResponseIn(BaseModel):
    measure: str = Field(..., description="不予许可 | 撤销或注销许可 | 暂停或限制 | 列入重点监管 | 核查后无需处理 | 其他")
    note: Optional[str] = Field(None, description="What was done (反馈); required with 其他.")
    official: str = Field(..., description="The official's name (经办人).")
    acted_on: Optional[str] = Field(None, description="YYYY-MM-DD, default today.")


def requested_department(account: Account, asked: Optional[str]) -> Optional[str]:
    """The department a request is about: a department account's own; the admin's choice (None: all)."""
    if asked is None:
        return None if account.is_admin else account.department
    if not account.may_act_for(asked):
        raise Forbidden(f"{account.department} 只能查看本部门的记录 (a department sees only its own)",
                        {"department": asked})
    return canonical_department(asked)


@router.get("/watch", summary="The department's watched subjects (its licensees and its own list)")
def get_watch(store: StoreDep, settings: SettingsDep, account: DepartmentDep,
              department: Optional[str] = Query(None, description="Admin: which department.")) -> list[dict[str, Any]]:
    dept = requested_department(account, department) or account.department
    with SupervisionDB(settings.home) as db:
        return watch.listing(store, db, dept, date.today())


@router.post("/watch", summary="Add codes to the department's own watch list")
def post_watch(body: CodesIn, settings: SettingsDep, account: DepartmentDep) -> dict[str, Any]:
    with SupervisionDB(settings.home) as db:
        return watch.add_codes(db, account.department, body.codes, account=account.key_id).as_dict()


@router.delete("/watch", summary="Remove codes from the department's own watch list")
def delete_watch(settings: SettingsDep, account: DepartmentDep,
                 codes: list[str] = Query(..., description="Codes or ID numbers to remove.")) -> dict[str, Any]:
    with SupervisionDB(settings.home) as db:
        return {"removed": watch.remove(db, account.department, codes)}


@router.get("/alerts", summary="The department's alerts, newest first")
def get_alerts(settings: SettingsDep, account: DepartmentDep,
               department: Optional[str] = Query(None, description="Admin: one department (default all)."),
               open: bool = Query(False, description="Only alerts not yet answered."),
               closed: bool = Query(False, description="Only alerts answered."),
               limit: int = Query(1000, ge=1, le=10_000)) -> dict[str, Any]:
    """`open` counts the alerts not yet answered (the menu's number); `measures` are those a response may name."""
    if open and closed:
        raise InvalidRequest("open 与 closed 只能选一个 (ask for open or closed alerts, not both)",
                             {"fields": [{"field": "closed", "in": "query", "message": "open and closed together"}]})
    dept = requested_department(account, department)
    with SupervisionDB(settings.home) as db:
        return {"alerts": responses.alerts(db, dept, open, limit, closed_only=closed),
                "open": responses.open_count(db, dept), "measures": list(responses.MEASURES)}


@router.post("/alerts/{alert_id}/responses", summary="Record what the department did about one of its alerts")
def post_alert_response(alert_id: Annotated[int, PathParam(ge=1, le=2**62, description="The alert's number.")],
                        body: ResponseIn, settings: SettingsDep, trail: AuditDep,
                        account: DepartmentDep) -> dict[str, Any]:
    with SupervisionDB(settings.home) as db:
        return responses.respond_to_alert(db, alert_id, account.department, measure=body.measure, note=body.note,
                                          official=body.official, acted_on=body.acted_on, account=account.key_id,
                                          admin=False, audit=trail.record_change)


@router.post("/listings/{listing_id}/responses", summary="Record what the department did about a listing it received")
async def post_listing_response(listing_id: str, body: ResponseIn, store: StoreDep, settings: SettingsDep,
                                trail: AuditDep, account: DepartmentDep) -> dict[str, Any]:
    def go():
        with SupervisionDB(settings.home) as db:
            return responses.respond_to_listing(store, db, listing_id, account.department, measure=body.measure,
                                                note=body.note, official=body.official, acted_on=body.acted_on,
                                                account=account.key_id, audit=trail.record_change)
    return await run_in_threadpool(go)


@router.get("/feedback", summary="Per listing sent: which receiving departments responded (sender and admin)")
def get_feedback(store: StoreDep, settings: SettingsDep, account: DepartmentDep,
                 sender: Optional[str] = Query(None, description="Admin: one sending department (default all)."),
                 as_of: Optional[date] = Query(None, description="Listings active on this day (default today).")
                 ) -> list[dict[str, Any]]:
    dept = requested_department(account, sender)
    with SupervisionDB(settings.home) as db:
        return responses.feedback(store, db, dept, as_of or date.today())
