"""A department withdraws or corrects the records it sent; the bureau registers objections (异议) to records.

Thin: the rules are graph/amendments.py's and graph/objections.py's. A department may change only the records it
sent (403 otherwise); the admin account may change any. Every change is written to the audit trail.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, Path as PathParam, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.forms import read_form_file
from api.deps import AdminDep, AuditDep, DepartmentDep, ServiceDep
from api.errors import UnsupportedMediaType
from api.models import (ERRORS, ChangesOut, CorrectionOut, ErrorOut, ObjectionIn, ObjectionOut, ObjectionsOut,
                        ObjectionStatusIn, WithdrawalIn, WithdrawalOut)
from api.routes.audit import parse_since
from graph.accounts import Account
from graph.amendments import Actor, correct, withdraw
from graph.errors import InvalidRequest
from graph.model import RECORD_KINDS
from graph.objections import objections, register, set_status

router = APIRouter(prefix="/api/v1", tags=["records"], responses={**ERRORS, 403: {"model": ErrorOut}})
RecordKind = Literal[RECORD_KINDS]  # type: ignore[valid-type]

_MULTIPART: dict[str, Any] = {"schema": {"type": "object", "required": ["file", "reason"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "The rows (CSV or XLSX)."},
    "reason": {"type": "string", "description": "Why."}}}}
_FILE_DOC = {"requestBody": {"required": True, "content": {
    "multipart/form-data": _MULTIPART,
    "application/json": {"schema": {"type": "object", "required": ["record_ids", "reason"], "properties": {
        "record_ids": {"type": "array", "items": {"type": "string"}}, "reason": {"type": "string"}}}}}}}


def actor_of(account: Account) -> Actor:
    return Actor(account.key_id, account.department, account.is_admin)


async def _file_and_reason(request: Request, target: Path) -> tuple[str, str | None]:
    """A multipart upload's file (written to `target`) and its `reason` field."""
    filename, fields = await read_form_file(request, target)
    return filename, fields.get("reason")


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _workdir(service) -> Path:
    home = service.settings.home
    (home / "uploads").mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=home / "uploads"))


# A file that cannot be read (400), one too large (413), a body that is neither JSON nor a form (415).
_FILE_ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorOut} for s in (400, 413, 415)}


@router.post("/records/{kind}/withdrawals", response_model=WithdrawalOut, openapi_extra=_FILE_DOC,
             summary="Withdraw records sent in error (撤回)", responses=_FILE_ERRORS)
async def withdrawals(kind: RecordKind, request: Request, service: ServiceDep, trail: AuditDep,
                      account: DepartmentDep) -> dict[str, Any]:
    """JSON `{"record_ids": [...], "reason": "..."}`, or a file of the rows as they were sent (multipart `file`
    and `reason`). The records stop counting today; nothing is deleted. All or nothing: a record that is not the
    account's department's (403), unknown (404) or already withdrawn (422) changes nothing."""
    actor = actor_of(account)
    ctype = _content_type(request)
    if ctype == "application/json":
        try:
            body = WithdrawalIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise InvalidRequest(f"请求内容有误 (invalid request): {exc.errors()[0]['msg']}",
                                 {"fields": [{"field": ".".join(map(str, e["loc"])), "in": "body", "message": e["msg"]}
                                             for e in exc.errors()]}) from None
        return await run_in_threadpool(_locked, service, withdraw, service.store(), actor, body.reason,
                                       record_ids=body.record_ids, kind=kind, audit=trail.record_change)
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType("请发送 JSON {record_ids, reason}，或以 multipart/form-data 上传文件和 reason "
                                   "(send JSON, or a multipart file with a reason)", {"content_type": ctype})
    workdir = _workdir(service)
    try:
        target = workdir / "rows"
        filename, reason = await _file_and_reason(request, target)
        target = target.rename(workdir / Path(filename).name) if Path(filename).suffix else target
        return await run_in_threadpool(_locked, service, withdraw, service.store(), actor, reason, path=target,
                                       kind=kind, filename=filename, audit=trail.record_change)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


_CORRECTION_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": _MULTIPART}}}


@router.post("/records/{kind}/corrections", response_model=CorrectionOut, summary="Correct records (更正)",
             openapi_extra=_CORRECTION_DOC, responses=_FILE_ERRORS)
async def corrections(kind: RecordKind, request: Request, service: ServiceDep, trail: AuditDep,
                      account: DepartmentDep) -> dict[str, Any]:
    """A file (multipart `file` and `reason`) of corrected rows in the kind's columns, plus 原记录编号: the ID of
    the record each row replaces. Each named record ends as corrected by its row (or is corrected in place when the
    row has its natural key); all rows or none."""
    if _content_type(request) != "multipart/form-data":
        raise UnsupportedMediaType("请以 multipart/form-data 上传更正文件和 reason (send a multipart file with a reason)",
                                   {"content_type": _content_type(request)})
    workdir = _workdir(service)
    try:
        target = workdir / "rows"
        filename, reason = await _file_and_reason(request, target)
        target = target.rename(workdir / Path(filename).name) if Path(filename).suffix else target
        return await run_in_threadpool(_locked, service, correct, service.store(), target, actor_of(account), reason,
                                       kind=kind, filename=filename, audit=trail.record_change)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _locked(service, fn, *args, **kwargs):
    """One change to the store at a time (as one file loads at a time), then warm the store for the next check."""
    with service.load_lock:
        out = fn(*args, **kwargs)
    service.after_load()
    return out


@router.post("/objections", response_model=ObjectionOut, tags=["audit"], summary="Register an objection (异议, admin)")
def add_objection(body: ObjectionIn, service: ServiceDep, trail: AuditDep, account: AdminDep) -> dict[str, Any]:
    """Registered against a record with status 受理; while open, every answer that uses the record shows it."""
    return _locked(service, register, service.store(), body.record_id, body.objector, body.grounds, actor_of(account),
                   audit=trail.record_change)


@router.post("/objections/{number}/status", response_model=ObjectionOut, tags=["audit"],
             summary="Move an objection on: 核实, 更正 or 驳回 (admin)")
def objection_status(number: Annotated[int, PathParam(ge=1, le=2**62, description="The objection's number.")],
                     body: ObjectionStatusIn, service: ServiceDep, trail: AuditDep,
                     account: AdminDep) -> dict[str, Any]:
    """更正 needs the record withdrawn or corrected by its sender first; the objection then names that event."""
    return _locked(service, set_status, service.store(), number, body.status, actor_of(account), body.note,
                   body.outcome, audit=trail.record_change)


@router.get("/objections", response_model=ObjectionsOut, tags=["audit"], summary="Objections")
def list_objections(service: ServiceDep, account: DepartmentDep,
                    open_only: bool = Query(False, alias="open", description="Only open ones (受理, 核实)."),
                    record_id: Optional[str] = Query(None, description="Only those against this record.")) -> dict:
    """The admin sees every objection; a department those against the records it sent."""
    found = objections(service.store(), open_only=open_only, record_id=record_id,
                       department=None if account.is_admin else account.department)
    return {"objections": found}


@router.get("/audit/changes", response_model=ChangesOut, tags=["audit"], summary="Changes to records (admin)")
def changes(trail: AuditDep, account: AdminDep,
            since: Optional[str] = Query(None, description="From this date or ISO time (UTC)."),
            limit: int = Query(1000, ge=1, le=10_000)) -> dict[str, Any]:
    """Withdrawals, corrections, full exports' endings and objections: who, when, why, which records."""
    return {"changes": trail.changes(since=parse_since(since), limit=limit)}
