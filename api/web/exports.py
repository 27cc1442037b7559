"""A department's active listings as a spreadsheet (CSV or XLSX), for the clerk who keeps a paper list.

Same question and same authorisation as GET /api/v1/departments/{name}/restrictions: a department reads
its own (any spelling of its name), admin any department's. Departments see full ID numbers (docs/domain.md).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Literal, Optional
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import DepartmentDep, StoreDep
from api.models import ERRORS
from graph.accounts import Forbidden
from graph.queries.department import department

router = APIRouter(prefix="/api/v1/departments", tags=["departments"], responses=ERRORS)

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
COLUMNS = ("信息类型", "主体类型", "名称", "统一社会信用代码/证件号码", "限制法律依据", "法律描述", "限制期限自",
           "限制期限至", "信息发送部门名称", "信息接收部门名称", "状态")
KIND_TEXT = {"enterprise": "企业", "person": "人员"}
STATUS_TEXT = {"active": "有效", "expired": "已过期", "future": "未生效"}
# Excel runs a cell that starts with one of these as a formula: names come from other departments' files.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(answer: dict[str, Any]) -> list[list[str]]:
    out = []
    for r in answer["restrictions"]:
        p = r["party"]
        out.append([r.get("type") or "", KIND_TEXT.get(p["kind"], p["kind"]), p.get("name") or "", p["key"],
                    r.get("basis") or "", r.get("description") or "", r.get("valid_from") or "",
                    r.get("valid_to") or "", r.get("sender") or "", "、".join(r.get("receivers") or []),
                    STATUS_TEXT.get(r.get("status"), r.get("status") or "")])
    return out


def _inert(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(table: list[list[str]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    """UTF-8 with a BOM: Excel on Windows reads a CSV without one as GBK and garbles every name."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in table:
        writer.writerow([_inert(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[str]], title: str, columns: tuple[str, ...] = COLUMNS, sheet: str = "应执行名单",
            widths: tuple[int, ...] = (22, 8, 30, 22, 36, 36, 12, 12, 18, 40, 8)) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", title)])
    ws["A1"].font = Font(bold=True)
    ws.append(list(columns))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table:
        # XML 1.0 has no place for most control characters: a name typed with one (a new applicant's, as sent in a
        # check) is written without it, not refused with the whole sheet.
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # text, never a formula
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(2, i).column_letter].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _disposition(filename: str) -> str:
    return f"attachment; filename=\"restrictions.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


@router.get("/{name}/restrictions.{fmt}", response_class=Response, summary="Active listings as CSV or XLSX",
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}})
async def export_restrictions(name: str, fmt: Literal["csv", "xlsx"], store: StoreDep, account: DepartmentDep,
                              as_of: Optional[date] = Query(None, description="Default today."),
                              list_type: Optional[str] = Query(None, alias="type",
                                                               description="Only this list type (信息类型).")) -> Response:
    """The rows of GET /departments/{name}/restrictions, one per listed party: CSV in UTF-8 with BOM (Excel
    opens it as it is), or XLSX."""
    if not account.may_act_for(name):
        raise Forbidden("只能导出本部门应执行的名单 (a department may export only its own restrictions)",
                        {"department": name, "account_department": account.department})

    def build() -> tuple[bytes, str]:
        answer = department(store, name, as_of, list_type)
        table = rows(answer)
        stem = f"{answer['department']}应执行名单-{answer['as_of']}" + (f"-{list_type}" if list_type else "")
        if fmt == "csv":
            return to_csv(table), f"{stem}.csv"
        title = f"{answer['department']} 应执行的有效名单（{answer['as_of']}，数据版本 {answer['data_version']}）"
        return to_xlsx(table, title), f"{stem}.xlsx"

    body, filename = await run_in_threadpool(build)
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": _disposition(filename),
                                                         "Cache-Control": "no-store"})
