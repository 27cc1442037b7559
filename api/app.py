"""The licence-issuance service: departments check applicants and send their records; the public reads what
the law makes public. `create_app()` builds it; `creditnet serve` runs it with uvicorn.

Routes are thin: they parse the request, call graph/, and shape the answer (api/models.py, api/public.py).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from api.config import ApiSettings
from api.errors import BodyLimit, install_error_handlers
from api import log_privacy, web
from api.routes import alerts, amendments, audit, checks, health, public, reading, records, supervision_report, webhooks
from api.state import Service
from graph.settings import Settings, get_settings, read_settings

DESCRIPTION = """
企业信用联合惩戒查询服务（一处违法、处处受限）. Departments check an applicant at the moment they issue a
licence and send their records in; the public reads registration data, licences, penalties, inspections and
list memberships, with personal ID numbers masked.

**Authentication:** `Authorization: Bearer <key>`; keys are made by `creditnet accounts add <department>`.
Roles: public (no key), `department` (one account per department), `admin` (the county market supervision bureau).

**Errors** all have one shape: `{"error": {"code", "message", "details"}}`.
"""

TAGS = [
    {"name": "checks", "description": "Joint-punishment checks, recorded in the audit trail."},
    {"name": "departments", "description": "Departmental reading (department and admin accounts)."},
    {"name": "records", "description": "Departments send their records (相关部门信息交换)."},
    {"name": "audit", "description": "The audit trail (admin)."},
    {"name": "public", "description": "Public disclosure, no account needed; ID numbers masked."},
    {"name": "service", "description": "Health and readiness."},
]


def _version() -> str:
    try:
        return version("creditnet")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
        return "0"


def create_app(settings: Settings | None = None, api_settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    api_settings = api_settings or read_settings(ApiSettings)
    log_privacy.install()  # before the first request line is logged

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service = Service(settings, api_settings)
        service.start()
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    app = FastAPI(title="creditnet", version=_version(), description=DESCRIPTION, openapi_tags=TAGS,
                  lifespan=lifespan)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=api_settings.max_upload_bytes, prefix=records.router.prefix + "/")
    for module in (health, checks, reading, records, alerts, supervision_report, webhooks, amendments, audit, public, web):
        app.include_router(module.router)
    return app
