"""A department's webhooks: its approval system learns of its alerts without polling (通知).

- **Registration.** A department registers a URL (its own only; the admin and the CLI for any department). The
  URL must point to this machine or to a network the administrator allows (addresses.py). A signing secret is
  made and shown once, in the answer to the registration; it is kept to sign, never shown again.
- **Signature.** Each delivery is a POST of a JSON body with `X-Creditnet-Signature: sha256=<hex>`, the
  HMAC-SHA256 of the exact body bytes under the secret (`sign`, `verify`). The body names the delivery, the attempt
  and when it was sent, so a receiver can drop a replay and a delivery it already has.
- **Outbox.** The pass that records alerts writes, in the same transaction, one delivery per webhook of the
  department for every `webhook_batch` alerts (`enqueue`): a crash after that commit loses no notification, and
  outbox.py sends them (after a load, in the service's background sender, or `creditnet alerts deliver`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from datetime import datetime, timezone
from typing import Any

from graph.accounts import Forbidden
from graph.departments import canonical_department
from graph.errors import InvalidRequest, NotFound
from graph.settings import Settings
from graph.supervision.addresses import parse_networks, resolve
from graph.supervision.db import SupervisionDB, now

SIGNATURE_HEADER = "X-Creditnet-Signature"
MAX_HOOKS = 5  # a department's active webhooks: each alert goes to every one of them


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for this body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does: recompute the signature of the body received and compare in constant time."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


def _hook_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "department": row["department"], "url": row["url"], "created_at": row["created_at"],
            "created_by": row["created_by"], "active": row["removed_at"] is None, "removed_at": row["removed_at"]}


def register(db: SupervisionDB, settings: Settings, department: str, url: str, *, created_by: str | None = None
             ) -> dict[str, Any]:
    """Register a webhook for the department; the answer holds the secret, shown this once."""
    canonical = canonical_department(department)
    resolve(url, parse_networks(settings.webhook_allowed_networks))
    url = url.strip()
    secret = "whsec_" + secrets.token_urlsafe(32)
    with db.transaction() as conn:
        active = conn.execute("SELECT count(*) FROM webhook WHERE department = ? AND removed_at IS NULL",
                              (canonical,)).fetchone()[0]
        if active >= MAX_HOOKS:
            raise InvalidRequest(f"{canonical} 已登记 {active} 个回调地址，最多 {MAX_HOOKS} 个；请先删除不用的 "
                                 f"(at most {MAX_HOOKS} webhooks per department)", {"department": canonical})
        if conn.execute("SELECT 1 FROM webhook WHERE department = ? AND url = ? AND removed_at IS NULL",
                        (canonical, url)).fetchone():
            raise InvalidRequest("该回调地址已登记；如需新密钥，请先删除再登记 (this URL is already registered)",
                                 {"url": url})
        cur = conn.execute("INSERT INTO webhook (department, url, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                           (canonical, url, secret, now(), created_by))
    out = hook(db, int(cur.lastrowid or 0))
    return {**out, "secret": secret,
            "note": "密钥只显示这一次，请妥善保存，用于验证每次通知的签名 (the secret is shown once: keep it)"}


def hook(db: SupervisionDB, hook_id: int, *, department: str | None = None) -> dict[str, Any]:
    """One webhook (without its secret); `department`: who asks (None: the admin or the operator)."""
    rows = db.rows("SELECT * FROM webhook WHERE id = ?", (hook_id,))
    if not rows:
        raise NotFound(f"没有编号为 {hook_id} 的回调地址 (no such webhook)", {"webhook": hook_id})
    if department is not None and rows[0]["department"] != canonical_department(department):
        raise Forbidden(f"{canonical_department(department)} 只能查看和管理本部门的回调地址 (a department manages only "
                        f"its own webhooks)", {"webhook": hook_id})
    return _hook_out(rows[0])


def hooks(db: SupervisionDB, department: str | None = None, *, removed: bool = False) -> list[dict[str, Any]]:
    sql, args = "SELECT * FROM webhook WHERE 1 = 1", list[Any]()
    if department is not None:
        sql, args = sql + " AND department = ?", [canonical_department(department)]
    if not removed:
        sql += " AND removed_at IS NULL"
    return [_hook_out(r) for r in db.rows(sql + " ORDER BY id", args)]


def remove(db: SupervisionDB, hook_id: int, *, department: str | None = None) -> dict[str, Any]:
    """Stop a webhook: its pending deliveries are cancelled; it and its deliveries stay on record."""
    found = hook(db, hook_id, department=department)
    if not found["active"]:
        raise NotFound(f"编号为 {hook_id} 的回调地址已于 {found['removed_at']} 删除 (already removed)",
                       {"webhook": hook_id})
    with db.transaction() as conn:
        conn.execute("UPDATE webhook SET removed_at = ? WHERE id = ?", (now(), hook_id))
        conn.execute("UPDATE delivery SET state = 'cancelled', done_at = ? WHERE webhook_id = ? AND state = 'pending'",
                     (now(), hook_id))
    return hook(db, hook_id)


def enqueue(conn: sqlite3.Connection, alerts: dict[str, list[int]], batch: int, at: datetime | None = None) -> int:
    """Inside the pass's transaction: one pending delivery per active webhook and `batch` alerts of its department.
    How many deliveries were written."""
    stamp = (at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    written = 0
    for department, ids in sorted(alerts.items()):
        for (hook_id,) in conn.execute("SELECT id FROM webhook WHERE department = ? AND removed_at IS NULL",
                                       (department,)).fetchall():
            for i in range(0, len(ids), batch):
                conn.execute("INSERT INTO delivery (webhook_id, alert_ids, created_at, next_at) VALUES (?, ?, ?, ?)",
                             (hook_id, json.dumps(ids[i:i + batch]), stamp, stamp))
                written += 1
    return written


def deliveries(db: SupervisionDB, hook_id: int, *, department: str | None = None, limit: int = 100
               ) -> list[dict[str, Any]]:
    """A webhook's deliveries, newest first, each with every attempt (status, time, attempt number)."""
    hook(db, hook_id, department=department)
    out = []
    for row in db.rows("SELECT * FROM delivery WHERE webhook_id = ? ORDER BY id DESC LIMIT ?", (hook_id, limit)):
        attempts = db.rows("SELECT attempt, at, status, error, ms FROM delivery_attempt WHERE delivery_id = ? "
                           "ORDER BY attempt", (row["id"],))
        out.append({"id": row["id"], "alerts": json.loads(row["alert_ids"]), "state": row["state"],
                    "attempts": attempts, "created_at": row["created_at"],
                    "next_attempt_at": row["next_at"] if row["state"] == "pending" else None,
                    "done_at": row["done_at"]})
    return out

