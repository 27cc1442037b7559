"""One error shape for every error the API answers: `{"error": {"code", "message", "details"}}`.

Library errors (CreditnetError) carry their own code and HTTP status; request validation gives 422 with one
entry per invalid field; Starlette's own errors (unknown route, wrong method) and anything unexpected are put
into the same shape. Every error's message and details are scrubbed of ID numbers, since they may echo what
the caller typed and error bodies end up in approval systems' logs; the public views are scrubbed again on
their own (api/routes/public.py).
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.masking import mask_secrets, scrub
from graph.errors import CreditnetError

log = logging.getLogger("creditnet.api")

PUBLIC_PREFIX = "/api/v1/public"  # outage messages there do not name hosts or ports

STATUS_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
                415: "unsupported_media_type", 422: "invalid_request", 503: "store_unavailable"}


class PayloadTooLarge(CreditnetError):
    code = "payload_too_large"
    exit_code = 2
    http_status = 413


class UnsupportedMediaType(CreditnetError):
    code = "unsupported_media_type"
    exit_code = 2
    http_status = 415


def error_response(request: Request | None, status: int, code: str, message: str,
                   details: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = scrub({"error": {"code": code, "message": message, "details": details or {}}}, keep_codes=False,
                 mask=mask_secrets)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(loc: tuple) -> tuple[str, str]:
    """("body", "subjects", 3, "key") -> ("body", "subjects[3].key")."""
    parts = list(loc)
    where = parts.pop(0) if parts and parts[0] in ("body", "query", "path", "header", "cookie") else "body"
    name = ""
    for p in parts:
        if isinstance(p, int):
            name += f"[{p}]"
        else:
            name += f".{p}" if name else str(p)
    return where, name


async def _creditnet_error(request: Request, exc: CreditnetError) -> JSONResponse:
    retry_after = getattr(exc, "retry_after_s", None)
    if retry_after is None:
        return error_response(request, exc.http_status, exc.code, exc.message, exc.details)
    # The store is down or busy: say when to ask again. The public is not told about the server room (the
    # driver's message names hosts and ports); departments' systems are, so that their operators can act.
    message = exc.message
    if request.url.path.startswith(PUBLIC_PREFIX):
        message = (f"数据服务暂时不可用，请 {retry_after} 秒后重试 (the data service is temporarily unavailable; "
                   f"retry in {retry_after} s)")
    details = {**exc.details, "retry_after_s": retry_after}
    return error_response(request, exc.http_status, exc.code, message, details,
                          headers={"Retry-After": str(retry_after)})


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = []
    for e in exc.errors():
        where, name = _field_name(tuple(e.get("loc", ())))
        fields.append({"field": name, "in": where, "message": e.get("msg", ""), "type": e.get("type", "")})
    first = fields[0] if fields else {"field": "", "message": ""}
    message = f"请求内容有误 (invalid request): {first['field'] or 'body'}: {first['message']}"
    if len(fields) > 1:
        message += f"（另有 {len(fields) - 1} 处）"
    return error_response(request, 422, "invalid_request", message, {"fields": fields})


# FastAPI's words for a JSON body it cannot decode (not UTF-8, say): a 400 no route documents, while JSON
# it can decode but not parse is 422 — one status for one mistake.
BODY_NOT_PARSED = "There was an error parsing the body"


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 400 and message == BODY_NOT_PARSED:
        reason = "请求体不是 UTF-8 编码的 JSON (the body is not JSON in UTF-8)"
        return error_response(request, 422, "invalid_request", f"请求内容有误 (invalid request): body: {reason}",
                              {"fields": [{"field": "", "in": "body", "message": reason, "type": "json_invalid"}]})
    details = None
    if exc.status_code == 404 and message == "Not Found":
        message = f"没有这个接口：{request.url.path} (no such endpoint)"
        details = {"path": request.url.path}  # the pages tell the official their page is out of date
    return error_response(request, exc.status_code, STATUS_CODES.get(exc.status_code, "error"), message, details,
                          headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal_error", "服务器内部错误，已记录 (internal error, logged)")


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types every handler as taking any Exception; it calls each with the class it is registered for.
    app.add_exception_handler(CreditnetError, _creditnet_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


class BodyLimit:
    """Refuse request bodies over `max_bytes` on paths under `prefix` with 413, before they are spooled.

    A declared Content-Length over the limit is refused at once; a body sent without one (chunked) is counted
    as it arrives, and the read that crosses the limit raises PayloadTooLarge inside the route.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str):
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix

    def _too_large(self) -> PayloadTooLarge:
        mb = self.max_bytes / (1024 * 1024)
        return PayloadTooLarge(f"上传内容超过 {mb:g} MB 的限制，请拆分文件后再上传 (upload larger than {mb:g} MB)",
                               {"max_bytes": self.max_bytes})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            exc = self._too_large()
            await error_response(None, exc.http_status, exc.code, exc.message, exc.details)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited, send)
