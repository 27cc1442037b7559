"""The bureau's report (联席会议 督查) and each department's upload record (归集进度), graph/supervision/report.py and
progress.py: the report is the admin's; a department reads its own upload record, the admin anyone's.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AdminDep, DepartmentDep, SettingsDep, StoreDep
from api.models import ERRORS
from graph.accounts import Forbidden
from graph.departments import canonical_department
from graph.errors import InvalidRequest
from graph.settings import Settings
from graph.stores.base import GraphStore
from graph.supervision import progress, report
from graph.supervision.db import SupervisionDB

router = APIRouter(prefix="/api/v1/feedback", tags=["departments"], responses=ERRORS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SINCE = Query(None, description="Only listings that took effect, alerts made and files sent on or after this day.")
AS_OF = Query(None, description="The day the report is made for (default today): days overdue are counted to it.")


def _period(since: Optional[date], as_of: Optional[date]) -> tuple[Optional[date], date]:
    day = as_of or date.today()
    if since is not None and since > day:
        raise InvalidRequest(f"起始日期 {since} 晚于报告日期 {day}，请重新选择 (since is after as_of)",
                             {"fields": [{"field": "since", "in": "query", "message": "after as_of"}]})
    return since, day


def _report(store: GraphStore, settings: Settings, since: Optional[date], as_of: Optional[date]) -> dict[str, Any]:
    start, day = _period(since, as_of)
    with SupervisionDB(settings.home) as db:
        return report.report(store, db, as_of=day, since=start, overdue_days=settings.feedback_overdue_days)


@router.get("/report", summary="The bureau's report: per department, listings received and answered, overdue, alerts")
def get_report(store: StoreDep, settings: SettingsDep, account: AdminDep, since: Optional[date] = SINCE,
               as_of: Optional[date] = AS_OF) -> dict[str, Any]:
    """Admin only. A listing counts from its 限制期限自; one not answered within CREDITNET_FEEDBACK_OVERDUE_DAYS
    (default 15) is overdue. Person ID numbers are masked."""
    return _report(store, settings, since, as_of)


@router.get("/report.xlsx", response_class=Response, summary="The bureau's report as an Excel workbook",
            responses={200: {"content": {XLSX: {}}}})
def get_report_xlsx(store: StoreDep, settings: SettingsDep, account: AdminDep, since: Optional[date] = SINCE,
                    as_of: Optional[date] = AS_OF) -> Response:
    answer = _report(store, settings, since, as_of)
    name = f"督查报告-{answer['as_of']}.xlsx"
    return Response(report.to_xlsx(answer), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


@router.get("/uploads", summary="Upload record (归集进度): files sent per class and month, rejected rows, last upload")
def get_uploads(store: StoreDep, account: DepartmentDep,
                department: Optional[str] = Query(None, description="Admin: one department (default: every sender, "
                                                  "and the files loaded with `creditnet load`)."),
                since: Optional[date] = SINCE) -> list[dict[str, Any]]:
    if department is not None and not account.may_act_for(department):
        raise Forbidden(f"{account.department} 只能查看本部门的报送记录 (a department sees only its own)",
                        {"department": department})
    history = store.load_history()
    if department is None and account.is_admin:
        return progress.upload_record(history, all_senders=True, since=since)
    return progress.upload_record(history, canonical_department(department or account.department), since=since)
