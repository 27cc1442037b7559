"""Sending the outbox: each pending delivery whose time has come is posted to its webhook, signed; every attempt
is recorded (attempt number, time, the receiver's status or the error, how long it took).

- **Never in a load's way.** The load commits, the pass records its alerts and their deliveries, and only then
  is anything sent: by the service's background sender (`Courier`, woken after each upload), by `creditnet load`
  for at most a few seconds after its files (`budget_s`), or by `creditnet alerts deliver`. A receiver that is
  down or slow costs the load nothing; what is not sent stays pending.
- **Back-off.** A failed attempt (no answer within `webhook_timeout_s`, or a status other than 2xx; a redirect
  is not followed) is retried after `webhook_backoff_s`, doubled at each further attempt and at most an hour;
  after `webhook_max_attempts` the delivery is given up (state `failed`). Its alerts stay readable in the API.
- **At least once.** A sender takes a delivery with a lease before posting; a sender killed mid-post leaves the
  lease to run out, and the delivery is sent again. A receiver keeps the delivery ids it has seen
  (`X-Creditnet-Delivery`) and drops a repeat.
"""
from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from graph.errors import CreditnetError
from graph.settings import Settings
from graph.supervision.addresses import Target, parse_networks, resolve
from graph.supervision.db import SupervisionDB
from graph.supervision.responses import alert_out
from graph.supervision.webhooks import SIGNATURE_HEADER, sign

log = logging.getLogger("creditnet.webhooks")
MAX_BACKOFF_S = 3600
ANSWER_KEPT = 300  # characters of a refusing receiver's answer kept with the attempt


def _stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0            # attempts that failed (retried later, or given up)
    given_up: int = 0
    pending: int = 0           # still pending after this round (due later, or left for the next round)
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "given_up": self.given_up, "pending": self.pending,
                "attempts": self.attempts}


def backoff(settings: Settings, attempts: int) -> float:
    """Seconds before the attempt after `attempts` failed ones."""
    return min(settings.webhook_backoff_s * 2 ** (attempts - 1), MAX_BACKOFF_S)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host name resolves to now (no DNS rebinding)."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """(status, the start of the answer) of one POST."""
    conn = (_PinnedHTTPS if target.scheme == "https" else _PinnedHTTP)(target, timeout)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read(ANSWER_KEPT).decode("utf-8", "replace")
    finally:
        conn.close()


def body_of(db: SupervisionDB, delivery: dict[str, Any], department: str, attempt: int, at: datetime) -> bytes:
    """What one attempt posts: the delivery's alerts as GET /api/v1/alerts gives them (without responses: those
    come later), and who, which attempt and when (signed with the rest)."""
    ids = json.loads(delivery["alert_ids"])
    rows = db.rows(f"SELECT * FROM alert WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id", ids)
    alerts = [{k: v for k, v in alert_out(db, r).items() if k not in ("open", "responses")} for r in rows]
    return json.dumps({"event": "alerts", "delivery": delivery["id"], "attempt": attempt, "sent_at": _stamp(at),
                       "department": department, "alerts": alerts}, ensure_ascii=False).encode()


def _due(db: SupervisionDB, at: str, ignore_backoff: bool) -> list[dict[str, Any]]:
    when = "" if ignore_backoff else " AND d.next_at <= :at"
    return db.rows("SELECT d.*, w.url, w.secret, w.department FROM delivery d JOIN webhook w ON w.id = d.webhook_id "
                   f"WHERE d.state = 'pending'{when} AND (d.lease_until IS NULL OR d.lease_until < :at) "
                   "ORDER BY d.next_at, d.id", {"at": at})


def deliver_due(home: Path, settings: Settings, *, at: datetime | None = None, budget_s: float | None = None,
                ignore_backoff: bool = False) -> DeliveryReport:
    """One round: post every pending delivery whose time has come (all pending ones with `ignore_backoff`),
    stopping once `budget_s` seconds are spent (the rest stay pending)."""
    started = time.monotonic()
    report = DeliveryReport()
    if not (Path(home) / "supervision.sqlite").exists():  # nothing was ever written: nothing to send
        return report
    networks = parse_networks(settings.webhook_allowed_networks)
    with SupervisionDB(home) as db:
        clock = at or datetime.now(timezone.utc)
        for delivery in _due(db, _stamp(clock), ignore_backoff):
            if budget_s is not None and time.monotonic() - started > budget_s:
                break
            moment = at or datetime.now(timezone.utc)
            lease = _stamp(moment + timedelta(seconds=settings.webhook_timeout_s * 3 + 30))
            with db.transaction() as conn:  # take it: another sender (the service, a cron job) leaves it alone
                taken = conn.execute("UPDATE delivery SET lease_until = ? WHERE id = ? AND state = 'pending' AND "
                                     "(lease_until IS NULL OR lease_until < ?)",
                                     (lease, delivery["id"], _stamp(moment))).rowcount
            if taken:
                _attempt(db, settings, networks, delivery, moment, report)
        report.pending = db.conn.execute("SELECT count(*) FROM delivery WHERE state = 'pending'").fetchone()[0]
    return report


def _attempt(db: SupervisionDB, settings: Settings, networks, delivery: dict[str, Any], moment: datetime,
             report: DeliveryReport) -> None:
    attempt = delivery["attempts"] + 1
    status: int | None = None
    error: str | None = None
    tick = time.monotonic()
    try:
        target = resolve(delivery["url"], networks)  # again: the allowed networks or the host's address may change
        body = body_of(db, delivery, delivery["department"], attempt, moment)
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "creditnet-webhook",
                   "X-Creditnet-Event": "alerts", "X-Creditnet-Delivery": str(delivery["id"]),
                   "X-Creditnet-Attempt": str(attempt), SIGNATURE_HEADER: sign(delivery["secret"], body)}
        status, answer = post(target, body, headers, settings.webhook_timeout_s)
        if not 200 <= status < 300:
            error = f"HTTP {status}: {answer}".strip()
    except CreditnetError as exc:
        error = exc.message
    except (OSError, http.client.HTTPException) as exc:  # refused, timed out, reset, TLS, a malformed answer
        error = f"{type(exc).__name__}: {exc}"[:ANSWER_KEPT]
    ms = int((time.monotonic() - tick) * 1000)
    ok = error is None
    with db.transaction() as conn:
        conn.execute("INSERT INTO delivery_attempt (delivery_id, attempt, at, status, error, ms) VALUES (?, ?, ?, ?, ?, ?)",
                     (delivery["id"], attempt, _stamp(moment), status, error, ms))
        if ok:
            conn.execute("UPDATE delivery SET state = 'delivered', attempts = ?, lease_until = NULL, done_at = ? "
                         "WHERE id = ?", (attempt, _stamp(moment), delivery["id"]))
        elif attempt >= settings.webhook_max_attempts:
            conn.execute("UPDATE delivery SET state = 'failed', attempts = ?, lease_until = NULL, done_at = ? "
                         "WHERE id = ?", (attempt, _stamp(moment), delivery["id"]))
        else:
            retry = _stamp(moment + timedelta(seconds=backoff(settings, attempt)))
            conn.execute("UPDATE delivery SET attempts = ?, lease_until = NULL, next_at = ? WHERE id = ?",
                         (attempt, retry, delivery["id"]))
    report.sent += ok
    report.failed += not ok
    report.given_up += (not ok) and attempt >= settings.webhook_max_attempts
    report.attempts.append({"delivery": delivery["id"], "webhook": delivery["webhook_id"], "attempt": attempt,
                            "status": status, "error": error, "ms": ms})
    if not ok:
        log.warning("webhook delivery %s attempt %s to %s failed: %s", delivery["id"], attempt, delivery["url"], error)


def deliver_quietly(home: Path, settings: Settings, budget_s: float | None = None) -> DeliveryReport | None:
    """After a pass: send what is due, and if that fails, say so; what was not sent stays pending."""
    try:
        return deliver_due(home, settings, budget_s=budget_s)
    except CreditnetError as exc:
        log.warning("webhook deliveries not sent now (`creditnet alerts deliver` will): %s", exc.message)
    except Exception:  # a load or a pass that went well stands whatever goes wrong here
        log.exception("webhook deliveries not sent now (`creditnet alerts deliver` will)")
    return None


def next_due(home: Path) -> datetime | None:
    """When the earliest pending delivery is due (None: nothing pending)."""
    if not (Path(home) / "supervision.sqlite").exists():
        return None
    with SupervisionDB(home) as db:
        row = db.conn.execute("SELECT min(max(next_at, coalesce(lease_until, ''))) FROM delivery "
                              "WHERE state = 'pending'").fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


class Courier(threading.Thread):
    """The service's background sender: wakes after each pass (`wake`) and when a retry falls due."""

    IDLE_S = 60.0  # looks again at least this often (a delivery a CLI pass wrote while the service ran)

    def __init__(self, home: Path, settings: Settings):
        super().__init__(name="creditnet-webhooks", daemon=True)
        self.home, self.settings = home, settings
        self._woken, self._stopping = threading.Event(), threading.Event()

    def wake(self) -> None:
        self._woken.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._woken.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                deliver_due(self.home, self.settings)
                due = next_due(self.home)
            except Exception:  # the service goes on; the next round tries again
                log.exception("webhook deliveries failed this round")
                due = None
            wait = self.IDLE_S
            if due is not None:
                wait = min(wait, max((due - datetime.now(timezone.utc)).total_seconds(), 0.05))
            self._woken.wait(wait)
