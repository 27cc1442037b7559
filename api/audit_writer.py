"""Recording checks under load: group commit.

The audit trail is durable: SQLite in WAL mode at its default synchronous=FULL waits for the disk at every
commit, and one commit per check would hold the service to the disk's flush rate (about 150 a second on this
machine). So checks that finish together are written together: each request queues its record and takes the
commit lock; whoever holds it writes everything queued in one transaction. A request answers only after its
own record is on disk, as before — only the flushes are shared.

Several worker processes write the same trail. SQLite makes a writer that finds the file locked poll with
growing sleeps (1, 2, 5, 10 … 100 ms), which under load puts those sleeps into the answers' latency; so the
workers queue on an advisory file lock first, which wakes the next one the moment the last one commits.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

from graph.audit import AuditTrail, unwritable


@dataclass
class _Pending:
    result: dict[str, Any]
    kwargs: dict[str, Any]
    done: bool = False
    error: BaseException | None = field(default=None, repr=False)


class GroupCommitAudit:
    """Writes through its own AuditTrail connection; read the trail through another."""

    def __init__(self, trail: AuditTrail, lock_path: os.PathLike | str):
        self.trail = trail
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()

    def record(self, result: dict[str, Any], *, account: str, department: str | None, store: str) -> dict[str, Any]:
        return self.record_many([result], account=account, department=department, store=store)[0]

    def record_many(self, results: list[dict[str, Any]], *, account: str, department: str | None,
                    store: str) -> list[dict[str, Any]]:
        """Record checks (a batch's, in one transaction) and return them, each with its check_id."""
        kwargs = {"account": account, "department": department, "store": store}
        items = [_Pending(r, kwargs) for r in results]
        with self._queue_lock:
            self._queue.extend(items)
        with self._commit_lock:
            if not all(item.done for item in items):
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write(batch)
        for item in items:
            if item.error is not None:
                raise unwritable(self.trail.home, item.error) from item.error
        return [item.result for item in items]

    def _write(self, batch: list[_Pending]) -> None:
        conn = self.trail.conn
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            conn.execute("BEGIN IMMEDIATE")
            for item in batch:
                self.trail.record(item.result, **item.kwargs)
            conn.execute("COMMIT")
        except (sqlite3.Error, KeyError, TypeError) as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for item in batch:
                item.error = exc
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            for item in batch:
                item.done = True

    def close(self) -> None:
        os.close(self._lock_fd)
        self.trail.close()
