"""Is the service up, which store does it use, and which data version does it answer from?"""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServiceDep
from api.models import HealthOut
from graph.errors import CreditnetError

router = APIRouter(prefix="/api/v1", tags=["service"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}}, summary="Store and readiness")
def health(service: ServiceDep):
    try:
        store = service.store()
        return {"status": "ok", "ready": True, "store": store.name, "data_version": store.data_version()}
    except CreditnetError as exc:
        retry_after = getattr(exc, "retry_after_s", None) or 5
        return JSONResponse({"status": "unavailable", "ready": False, "store": service.settings.backend,
                             "data_version": None, "message": exc.message}, status_code=503,
                            headers={"Retry-After": str(retry_after)})
