"""FastAPI dependencies: the store, the audit trail, and who is asking (like yente's ProviderDep)."""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.config import ApiSettings
from api.audit_writer import GroupCommitAudit
from api.state import Service
from graph.accounts import Account, Forbidden, Unauthenticated
from graph.audit import AuditTrail
from graph.settings import Settings
from graph.stores.base import GraphStore


# The dependencies below are `async` because they do not block: a sync dependency would cost every request a
# hop to the thread pool.
async def get_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(get_service)]


async def get_store(service: ServiceDep) -> GraphStore:
    return service.store()


async def get_audit(service: ServiceDep) -> AuditTrail:
    assert service.audit is not None, "opened by Service.start, in the app's lifespan"
    return service.audit


async def get_recorder(service: ServiceDep) -> GroupCommitAudit:
    assert service.recorder is not None, "opened by Service.start, in the app's lifespan"
    return service.recorder


async def get_settings_dep(service: ServiceDep) -> Settings:
    return service.settings


async def get_api_settings(service: ServiceDep) -> ApiSettings:
    return service.api_settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
AuditDep = Annotated[AuditTrail, Depends(get_audit)]
RecorderDep = Annotated[GroupCommitAudit, Depends(get_recorder)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ApiSettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer cn_<key id>_<secret>`, a key made by "
                                                  "`creditnet accounts add`.")


async def current_account(service: ServiceDep,
                          credentials: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer)]) -> Account:
    if credentials is None:
        raise Unauthenticated("需要 API 密钥：Authorization: Bearer <key> (an API key is required)")
    accounts = service.accounts
    assert accounts is not None, "opened by Service.start, in the app's lifespan"
    # A key this process has verified costs one indexed read; the first time, PBKDF2 runs off the event loop.
    account = accounts.authenticate_cached(credentials.credentials)
    if account is None:
        account = await run_in_threadpool(accounts.authenticate, credentials.credentials)
    return account


async def require_department(account: Annotated[Account, Depends(current_account)]) -> Account:
    """A department's account, or admin (who may do whatever a department may)."""
    return account


async def require_admin(account: Annotated[Account, Depends(current_account)]) -> Account:
    if not account.is_admin:
        raise Forbidden("仅限县市场监督管理局管理员账户 (admin only)", {"role": account.role})
    return account


DepartmentDep = Annotated[Account, Depends(require_department)]
AdminDep = Annotated[Account, Depends(require_admin)]
