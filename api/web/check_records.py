"""Recorded checks, to reopen and to account for: a department's own recent checks, and for the admin every
department's (the audit page), filtered by department, date and subject, as a list or a spreadsheet.

Read from the audit trail (graph/audit.py), never checked again: GET /api/v1/checks/{id} gives one recorded
answer in full. A person checked is named here with the ID number masked (region and last four): a list of
whom a department checked is printed and passed around; the full answer stays behind the check's own page.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal, Optional
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, DepartmentDep
from api.models import ERRORS
from api.web.exports import MEDIA, to_csv, to_xlsx
from graph.accounts import Account, Forbidden
from graph.audit import AuditTrail
from graph.departments import canonical_department
from graph.errors import InvalidRequest
from graph.identifiers import mask_id_number, normalise_code

router = APIRouter(prefix="/api/v1", tags=["checks"], responses=ERRORS)

# The county keeps Beijing time (no daylight saving); the trail keeps UTC.
BEIJING = timezone(timedelta(hours=8))
EXPORT_LIMIT = 10_000
VERDICT_TEXT = {"restricted": "受限", "linked": "存在关联，需人工核查", "clear": "未发现关联"}
KIND_TEXT = {"enterprise": "企业", "person": "人员"}
COLUMNS = ("检查编号", "检查时间（北京时间）", "核查部门", "账户", "核查对象", "主体类型", "代码/证件号码（已隐去）",
           "核查日期", "关联层数", "结论", "命中数", "数据版本")


class RecordedSubjectOut(BaseModel):
    kind: str = Field(description="enterprise | person (a new applicant: enterprise, key `(新申请人)`).")
    key: str = Field(description="The code as checked; a person's ID number masked to its region and last four.")
    name: str = ""


class CheckRecordOut(BaseModel):
    check_id: str = Field(description="GET /api/v1/checks/{check_id} gives the answer in full; the page /checks/{id}.")
    at: str = Field(description="When it was answered (ISO time, UTC).")
    department: Optional[str]
    account: str = Field(description="Key id of the account that asked (or `cli`).")
    subject: RecordedSubjectOut
    as_of: str
    depth: int
    verdict: Literal["restricted", "linked", "clear"]
    hits: int
    data_version: int


class CheckRecordsOut(BaseModel):
    records: list[CheckRecordOut] = Field(description="Newest first.")
    more: bool = Field(description="More checks match than `limit`: narrow the filters, or export.")
    department: Optional[str] = Field(description="Whose checks these are; null: every department's (admin).")


def _scope(account: Account, department: Optional[str]) -> Optional[str]:
    """A department reads its own checks; the admin every department's, or one department's."""
    if department and department.strip():
        if not account.may_act_for(department):
            raise Forbidden("只能查看本部门的检查记录 (a department may read only its own checks)",
                            {"department": department, "account_department": account.department})
        return canonical_department(department)
    return None if account.is_admin else account.department


def _utc(day: date, days_after: int = 0) -> Optional[str]:
    """The start of a Beijing day (`days_after` later) as the trail writes its times; None past the calendar's ends
    (year 1, year 9999), where the bound bounds nothing."""
    try:
        start = datetime.combine(day + timedelta(days=days_after), time(), BEIJING)
        return start.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    except OverflowError:
        return None


def _read(trail: AuditTrail, account: Account, department: Optional[str], since: Optional[date],
          until: Optional[date], subject: Optional[str], verdict: Optional[str], limit: int):
    if since and until and until < since:
        raise InvalidRequest(f"截止日期 {until} 早于起始日期 {since}，请改正 (until is before since)",
                             {"fields": [{"field": "until", "in": "query", "message": "before since"}]})
    scope = _scope(account, department)
    typed = (subject or "").strip()
    rows, more = trail.checks(department=scope, since=_utc(since) if since else None,
                              before=_utc(until, days_after=1) if until else None,
                              key=normalise_code(typed) if typed else None, name_part=typed or None,
                              verdict=verdict, limit=limit)
    return [_record(r) for r in rows], more, scope


def _record(row: dict[str, Any]) -> dict[str, Any]:
    kind, key = row["subject_kind"], row["subject_key"]
    return {"check_id": row["check_id"], "at": row["at"], "department": row["department"], "account": row["account"],
            "subject": {"kind": kind, "key": mask_id_number(key) if kind == "person" else key,
                        "name": row["subject_name"] or ""},
            "as_of": row["as_of"], "depth": row["depth"], "verdict": row["verdict"], "hits": row["hits"] or 0,
            "data_version": row["data_version"]}


Since = Query(None, description="Checks made on or after this day (Beijing time).")
Until = Query(None, description="Checks made on or before this day (Beijing time).")
Department = Query(None, max_length=100, description="Admin: only this department's checks (any spelling). "
                                                     "A department may name only itself.")
Subject = Query(None, max_length=200, description="The subject's code or ID number as checked, or part of its name.")
Verdict = Query(None, description="Only checks with this verdict.")


@router.get("/checks", response_model=CheckRecordsOut, summary="Recorded checks: a department's own, or all (admin)")
def recorded_checks(trail: AuditDep, account: DepartmentDep, department: Optional[str] = Department,
                    since: Optional[date] = Since, until: Optional[date] = Until, subject: Optional[str] = Subject,
                    verdict: Optional[Literal["restricted", "linked", "clear"]] = Verdict,
                    limit: int = Query(100, ge=1, le=500)) -> dict[str, Any]:
    """Newest first, from the audit trail: what was answered, never checked again. A department sees its own
    checks (403 for another department's); the admin every department's."""
    records, more, scope = _read(trail, account, department, since, until, subject, verdict, limit)
    return {"records": records, "more": more, "department": scope}


@router.get("/checks.{fmt}", response_class=Response, summary="Recorded checks as CSV or XLSX",
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}})
async def export_recorded_checks(fmt: Literal["csv", "xlsx"], trail: AuditDep, account: DepartmentDep,
                                 department: Optional[str] = Department, since: Optional[date] = Since,
                                 until: Optional[date] = Until, subject: Optional[str] = Subject,
                                 verdict: Optional[Literal["restricted", "linked", "clear"]] = Verdict) -> Response:
    """The rows of GET /checks with the same filters and the same access, newest first, at most 10,000: CSV in
    UTF-8 with BOM (Excel opens it as it is), or XLSX."""
    def build() -> tuple[bytes, str]:
        records, more, scope = _read(trail, account, department, since, until, subject, verdict, EXPORT_LIMIT)
        table = [[r["check_id"], _beijing(r["at"]), r["department"] or "", r["account"], r["subject"]["name"],
                  KIND_TEXT.get(r["subject"]["kind"], r["subject"]["kind"]), r["subject"]["key"], r["as_of"],
                  str(r["depth"]), VERDICT_TEXT.get(r["verdict"], r["verdict"]), str(r["hits"]),
                  str(r["data_version"])] for r in records]
        period = f"{since or '最早'}至{until or '今'}"
        stem = f"核查记录-{scope or '全部部门'}-{period}"
        if fmt == "csv":
            return to_csv(table, COLUMNS), f"{stem}.csv"
        title = (f"{scope or '全部部门'} 的核查记录（{period}，{len(table)} 条"
                 + (f"，仅最近的 {EXPORT_LIMIT} 条" if more else "") + "）")
        return to_xlsx(table, title, COLUMNS, "核查记录", (34, 20, 16, 14, 30, 8, 22, 12, 8, 20, 8, 8)), f"{stem}.{fmt}"

    body, filename = await run_in_threadpool(build)
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"checks.{fmt}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})


def _beijing(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at
