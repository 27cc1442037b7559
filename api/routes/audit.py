"""The audit trail, for the market supervision bureau: who checked whom, when, against which data."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from fastapi import APIRouter, Query

from api.deps import AdminDep, AuditDep
from api.models import ERRORS, AuditOut
from graph.departments import canonical_department
from graph.errors import InvalidRequest

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERRORS)


def parse_since(since: Optional[str]) -> Optional[str]:
    """A date or an ISO date-time (UTC when no zone is given), as the trail's `at` column sorts."""
    if not since:
        return None
    try:
        if len(since) == 10:
            return date.fromisoformat(since).isoformat()
        return datetime.fromisoformat(since).isoformat()
    except ValueError:
        raise InvalidRequest(f"since 应为 YYYY-MM-DD 或 ISO 时间，实为“{since}” (since must be a date or ISO time)",
                             {"fields": [{"field": "since", "in": "query", "message": "invalid date"}]}) from None


@router.get("/audit", response_model=AuditOut, summary="Read the audit trail (admin)")
def audit(trail: AuditDep, account: AdminDep,
          since: Optional[str] = Query(None, description="From this date or ISO time (UTC)."),
          department: Optional[str] = Query(None, description="Only checks by this department (any spelling)."),
          limit: int = Query(1000, ge=1, le=10_000)) -> dict[str, Any]:
    entries = trail.entries(since=parse_since(since),
                            department=canonical_department(department) if department else None, limit=limit)
    return {"entries": entries}
