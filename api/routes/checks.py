"""Checks at the moment a licence is issued: one subject, a day's batch, and a recorded answer read back."""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from api.audit_writer import GroupCommitAudit
from api.deps import AuditDep, DepartmentDep, RecorderDep, SettingsDep, StoreDep
from api.models import ERRORS, BatchIn, BatchOut, CheckOut, RecordedCheckOut, SubjectIn
from graph.accounts import Account, Forbidden
from graph.errors import CreditnetError, NotFound
from graph.queries.check import Applicant, check
from graph.settings import Settings
from graph.stores.base import GraphStore

router = APIRouter(prefix="/api/v1/checks", tags=["checks"])


def _check(store: GraphStore, settings: Settings, subject: SubjectIn, as_of: Optional[date],
           depth: Optional[int]) -> dict[str, Any]:
    if subject.key is not None:
        kwargs: dict[str, Any] = {"key": subject.key}
    elif subject.is_applicant:
        kwargs = {"applicant": Applicant.from_dict(subject.model_dump(include={"name", "uscc", "persons"}))}
    else:
        kwargs = {"name": subject.name}
    result = check(store, as_of=subject.as_of or as_of, depth=subject.depth if subject.depth is not None else depth,
                   settings=settings, **kwargs)
    return result.as_dict()


def _record(recorder: GroupCommitAudit, results: list[dict[str, Any]], account: Account, store: GraphStore):
    """Record answers in the audit trail; each gets its check_id there. Returns each answer's JSON text."""
    return recorder.record_many(results, account=account.key_id, department=account.department, store=store.name)


def _json(body: bytes) -> Response:
    # The recorded text is sent as it is, not validated and serialised again through the response model (which
    # still documents it): the answer is byte for byte what the audit trail holds, and is encoded once.
    return Response(content=body, media_type="application/json")


@router.post("", response_model=CheckOut, responses=ERRORS, summary="Check one applicant (联合惩戒核查)")
def check_one(body: SubjectIn, store: StoreDep, settings: SettingsDep, recorder: RecorderDep,
              account: DepartmentDep) -> Response:
    """The verdict (restricted | linked | clear) with every hit: the chain of relationships, the listing, its
    legal basis, validity and sending department. Recorded in the audit trail under `check_id`."""
    return _json(_record(recorder, [_check(store, settings, body, body.as_of, body.depth)], account, store)[0].encode())


@router.post("/batch", response_model=BatchOut, responses=ERRORS, summary="Check up to 1,000 subjects")
def check_batch(body: BatchIn, store: StoreDep, settings: SettingsDep, recorder: RecorderDep,
                account: DepartmentDep) -> Response:
    """One result per subject, in the order sent. A subject that cannot be checked (an invalid identifier,
    an unknown or ambiguous name) gets `{"index", "error"}` in its slot and the others are still checked;
    a body that is malformed as a whole (not a list, over 1,000 subjects) is refused with 422."""
    results: list[dict[str, Any]] = []
    for i, subject in enumerate(body.subjects):
        try:
            results.append(_check(store, settings, subject, body.as_of, body.depth))
        except CreditnetError as exc:
            if exc.http_status >= 500:
                raise
            results.append({"index": i, "error": {"code": exc.code, "message": exc.message, "details": exc.details}})
    # One transaction for the whole batch.
    recorded = iter(_record(recorder, [r for r in results if "error" not in r], account, store))
    parts = [orjson.dumps(r, default=str) if "error" in r else next(recorded).encode() for r in results]
    failed = sum("error" in r for r in results)
    return _json(b'{"results":[' + b",".join(parts) + b'],' +
                 orjson.dumps({"checked": len(results) - failed, "failed": failed})[1:])


@router.get("/{check_id}", response_model=RecordedCheckOut, responses=ERRORS, summary="A recorded check")
def recorded_check(check_id: str, trail: AuditDep, account: DepartmentDep) -> dict[str, Any]:
    """What the system answered, exactly as it was answered: for the department that asked, or admin."""
    entry = trail.get(check_id)
    if entry is None:
        raise NotFound(f"没有编号为 {check_id} 的检查记录 (no such check)", {"check_id": check_id})
    if not (account.is_admin or entry["department"] == account.department):
        raise Forbidden("只能查看本部门的检查记录 (a department may read only its own checks)", {"check_id": check_id})
    return {"check_id": check_id, "account": entry["account"], "department": entry["department"],
            "at": entry["at"], "result": entry["result"]}
