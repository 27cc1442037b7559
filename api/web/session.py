"""Who a key belongs to: the sign-in page checks the key with this, and the pages name the department."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import DepartmentDep
from api.models import ERRORS
from graph.departments import COUNTY_DEPARTMENTS

router = APIRouter(prefix="/api/v1/web", tags=["departments"], responses=ERRORS)


class SessionOut(BaseModel):
    department: str = Field(description="The account's department (canonical name).")
    role: str = Field(description="department | admin")
    key_id: str
    departments: list[str] = Field(description="The county's departments: admin may read any one's listings.")


@router.get("/session", response_model=SessionOut, summary="The account behind this key (for the web pages)")
def session(account: DepartmentDep) -> dict[str, Any]:
    departments = list(COUNTY_DEPARTMENTS) if account.is_admin else [account.department]
    return {"department": account.department, "role": account.role, "key_id": account.key_id,
            "departments": departments}
