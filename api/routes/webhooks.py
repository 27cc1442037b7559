"""A department's webhooks (graph/supervision/webhooks.py): its approval system is told of its alerts.

A department account registers, lists and removes its own; the admin may act for any department. The signing secret
is in the registration's answer only.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Path as PathParam, Query
from pydantic import BaseModel, Field

from api.deps import DepartmentDep, SettingsDep
from api.models import ERRORS
from api.routes.alerts import requested_department
from graph.accounts import Account, Forbidden
from graph.supervision import webhooks
from graph.supervision.db import SupervisionDB

router = APIRouter(prefix="/api/v1", tags=["departments"], responses=ERRORS)
HookId = Annotated[int, PathParam(ge=1, le=2**62, description="The webhook's number.")]


class WebhookIn(BaseModel):
    url: str = Field(..., min_length=1, max_length=2000, description="http(s) URL on the service's machine, or in a "
                     "network the administrator allows (CREDITNET_WEBHOOK_ALLOWED_NETWORKS).")
    department: Optional[str] = Field(None, max_length=100, description="Admin: for which department (a department "
                                                                        "account registers for itself).")


def _owner(account: Account) -> Optional[str]:
    """Whose webhooks the caller may touch: a department's own; the admin's, any (None)."""
    return None if account.is_admin else account.department


@router.post("/webhooks", summary="Register a webhook for the department's alerts (the secret is shown once)")
def post_webhook(body: WebhookIn, settings: SettingsDep, account: DepartmentDep) -> dict[str, Any]:
    department = body.department or account.department
    if not account.may_act_for(department):
        raise Forbidden(f"{account.department} 只能为本部门登记回调地址 (a department registers only its own "
                        f"webhooks)", {"department": department})
    with SupervisionDB(settings.home) as db:
        return webhooks.register(db, settings, department, body.url, created_by=account.key_id)


@router.get("/webhooks", summary="The department's webhooks (never their secrets)")
def get_webhooks(settings: SettingsDep, account: DepartmentDep,
                 department: Optional[str] = Query(None, max_length=100, description="Admin: one department."),
                 removed: bool = Query(False, description="Also the webhooks removed.")) -> list[dict[str, Any]]:
    with SupervisionDB(settings.home) as db:
        return webhooks.hooks(db, requested_department(account, department), removed=removed)


@router.delete("/webhooks/{webhook_id}", summary="Remove a webhook (its pending deliveries are cancelled)")
def delete_webhook(webhook_id: HookId, settings: SettingsDep, account: DepartmentDep) -> dict[str, Any]:
    with SupervisionDB(settings.home) as db:
        return webhooks.remove(db, webhook_id, department=_owner(account))


@router.get("/webhooks/{webhook_id}/deliveries", summary="A webhook's deliveries, each with every attempt")
def get_deliveries(webhook_id: HookId, settings: SettingsDep, account: DepartmentDep,
                   limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    with SupervisionDB(settings.home) as db:
        return webhooks.deliveries(db, webhook_id, department=_owner(account), limit=limit)
