"""Departments push their records in (相关部门信息交换)."""
from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal, Optional

from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, DepartmentDep, ServiceDep
from api.errors import UnsupportedMediaType
from api.forms import read_form_file
from api.models import ERRORS, ErrorOut, UploadOut
from api.uploads import (TEMPLATE_MEDIA, UPLOAD_KINDS, check_kind_allowed, load_upload, rejects_file, template,
                         upload_path, write_json_rows)
from graph.errors import InvalidRequest

router = APIRouter(prefix="/api/v1/records", tags=["records"])

UploadKind = Literal[UPLOAD_KINDS]  # type: ignore[valid-type]
RAW_TYPES = ("text/csv", "application/octet-stream", "application/vnd.ms-excel",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
JSON_TYPES = ("application/json", "text/json")

_BODY_DOC = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    "application/json": {"schema": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                         "example": [{"统一社会信用代码（企业注册号）": "916404220000001052", "企业名称": "西吉县戊餐饮有限公司",
                                      "许可文件编号": "西发改许〔2026〕3号", "有效期自": "2026-01-01", "许可机关": "县发改局"}]},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}


def _suffix(ctype: str) -> str:
    return ".xlsx" if "spreadsheetml" in ctype else ".csv"


async def _save_body(request: Request, target: Path) -> tuple[str, bool]:
    """Write the uploaded table to `target`; return (the name the sender gave it, whether it came as JSON)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        filename, _ = await read_form_file(request, target)
        return filename, False
    if ctype in JSON_TYPES:
        body = await request.body()
        try:
            rows = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"JSON 格式错误 (invalid JSON): {exc}",
                                 {"fields": [{"field": "", "in": "body", "message": str(exc)}]}) from None
        await run_in_threadpool(write_json_rows, rows, target)
        return "(json)", True
    if ctype in RAW_TYPES:
        with target.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
        return request.headers.get("x-filename") or f"upload{_suffix(ctype)}", False
    raise UnsupportedMediaType(f"不支持的内容类型“{ctype or '（无）'}”：请用 multipart/form-data 上传 CSV/XLSX 文件，"
                               f"或发送 JSON 行数组 (send a CSV/XLSX file as multipart/form-data, or a JSON array)",
                               {"content_type": ctype})


@router.post("/{kind}", response_model=UploadOut, openapi_extra=_BODY_DOC,
             responses={**ERRORS, 400: {"model": ErrorOut}, 413: {"model": ErrorOut}},
             summary="Send records: a CSV/XLSX file or a JSON array of rows")
async def send_records(kind: UploadKind, request: Request, service: ServiceDep, account: DepartmentDep, trail: AuditDep,
                       snapshot: bool = Query(False, description="The file is the department's complete current list "
                                              "of this class (全量报送): its records the file lacks end as of `as_of`."),
                       confirm_snapshot: bool = Query(False, description="Let a full export end more than the set "
                                                      "share of the department's records (default 20%)."),
                       as_of: Optional[date] = Query(None, description="The file's date (default today): the day a full "
                                                     "export ends what it lacks, and the day a registry change takes "
                                                     "effect when its row gives no 变更日期 / 核准日期 (as `creditnet load "
                                                     "--as-of`)."),
                       department: Optional[str] = Query(None, description="Admin only: whose full export it is "
                                                         "(default: the one department every row names).")
                       ) -> dict[str, Any]:
    """Rows are validated exactly as `creditnet load` validates them; valid rows load atomically (a check
    running meanwhile sees the data before or after the file, never half of it) and each rejected row is
    listed with its row number, field and reason. A department may send only records whose issuing or
    sending department (许可机关, 作出行政处罚决定机关名称, 作出变更决定机关名称, 检查实施机关, 信息发送部门名称) is
    itself, else 403; registry kinds (enterprise, member) are for the admin account.

    With `snapshot=true` the file is the department's full export: its records of this class the file lacks end as
    of `as_of` (listed in `snapshot.ended`); more than the set share is refused with 409 unless `confirm_snapshot`."""
    check_kind_allowed(kind, account)
    full_export = None
    if snapshot:
        from graph.amendments import Actor
        from graph.snapshots import Snapshot
        full_export = Snapshot(department if account.is_admin else account.department, confirm_snapshot,
                               service.settings.snapshot_max_ended_share,
                               Actor(account.key_id, account.department, account.is_admin), trail.record_change)
    home = service.settings.home
    (home / "uploads").mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(dir=home / "uploads"))
    try:
        body = workdir / "body"
        filename, from_json = await _save_body(request, body)
        target = upload_path(workdir, account, f"{kind}.csv" if from_json else filename)
        body.rename(target)
        return await run_in_threadpool(load_upload, service.store(), target, kind, account, home,
                                       filename=filename, from_json=from_json, lock=service.load_lock,
                                       after_change=service.after_load, snapshot=full_export, as_of=as_of)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _attachment(filename: str, fallback: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store"}


@router.get("/templates/{kind}.{fmt}", response_class=Response, summary="An empty file of a record class, to fill in",
            responses={200: {"content": {m.split(";")[0]: {} for m in TEMPLATE_MEDIA.values()}}, **ERRORS})
def record_template(kind: UploadKind, fmt: Literal["csv", "xlsx"]) -> Response:
    """The seed's headers of the class (序号 first), no rows: CSV in UTF-8 with a BOM, or XLSX whose code, ID number
    and date columns are formatted as text. Holds no data, so no key is needed."""
    body, filename = template(kind, fmt)
    return Response(body, media_type=TEMPLATE_MEDIA[fmt], headers=_attachment(filename, f"{kind}.{fmt}"))


@router.get("/rejects/{name}", response_class=Response, summary="The rejects file of an upload",
            responses={200: {"content": {"text/csv": {}}}, **ERRORS})
def rejected_rows_file(name: str, service: ServiceDep, account: DepartmentDep) -> Response:
    """The rows of an upload that did not load, as sent, each with its row number, column and reason (UTF-8 with a
    BOM). `rejects_url` of the upload's answer names it. The department that sent the file fetches it; the admin
    fetches any."""
    path, filename = rejects_file(service.settings.rejects_dir, name, account)
    return Response(path.read_bytes(), media_type="text/csv; charset=utf-8",
                    headers=_attachment(filename, "rejects.csv"))
