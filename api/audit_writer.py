"""Recording checks under load: group commit, committed before the answer, on disk within a fraction of a second.

Every check has its audit row **committed before its answer goes out**: the request that made the check waits
until the transaction holding its row has committed (COMMIT returned), so the row is in the trail, visible to
every reader, and survives a crash of the service itself (SIGKILL, OOM, a bug): a committed WAL frame is in the
operating system's cache, not in the process. What is traded: the audit connection runs WAL with
synchronous=NORMAL, so COMMIT does not wait for the disk. A flusher thread makes the trail durable against a
power cut or a kernel crash by checkpointing it (which writes the WAL to the disk first) every
`FLUSH_INTERVAL_S` when something was written; a power cut can therefore lose the rows of the checks answered
in the last fraction of a second (normally ≤ 0.2 s plus one flush). With synchronous=FULL (still available:
CREDITNET_AUDIT_SYNCHRONOUS) every commit waits for the disk (an fsync: 1.4 ms p50 here with the disk quiet,
longer when it is shared), and that wait was most of an API check's time.

Checks that finish together are still written together: each request queues its record and takes the commit
lock; whoever holds it writes everything queued in one transaction. Several worker processes write the same
trail; SQLite makes a writer that finds the file locked poll with growing sleeps (1, 2, 5, 10 … 100 ms), which
under load puts those sleeps into the answers' latency, so the workers queue on an advisory file lock first,
which wakes the next one the moment the last one commits.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

from graph.audit import AuditTrail, audit_row, unwritable

# How often the flusher makes committed rows durable against a power cut (when any were written).
FLUSH_INTERVAL_S = 0.2


@dataclass
class _Pending:
    row: tuple  # graph.audit.audit_row: built (and the answer serialised) before the commit lock is taken
    done: bool = False
    error: BaseException | None = field(default=None, repr=False)


class GroupCommitAudit:
    """Writes through its own AuditTrail connection; read the trail through another."""

    def __init__(self, trail: AuditTrail, lock_path: os.PathLike | str, flush_interval_s: float = FLUSH_INTERVAL_S,
                 synchronous: str = "NORMAL"):
        self.trail = trail
        # NORMAL: the process-crash guarantee needs only the commit; the power-cut one is the flusher's (module
        # docstring). FULL (CREDITNET_AUDIT_SYNCHRONOUS): every commit waits for the disk as well.
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        trail.conn.execute(f"PRAGMA synchronous={synchronous}")
        # Checkpoints (each one syncs the WAL and the file) are the flusher's job, not a commit's: an automatic one
        # would put its two flushes into the latency of the check whose commit crossed the threshold.
        trail.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._commit_lock = threading.Lock()
        self._flusher = _Flusher(trail.conn.execute("PRAGMA database_list").fetchone()[2], flush_interval_s)

    def record(self, result: dict[str, Any], *, account: str, department: str | None, store: str) -> str:
        return self.record_many([result], account=account, department=department, store=store)[0]

    def record_many(self, results: list[dict[str, Any]], *, account: str, department: str | None,
                    store: str) -> list[str]:
        """Record checks (a batch's, in one transaction); each result gets its check_id. Returns each answer
        as the JSON text recorded, to be sent as it is: what the trail holds is what was answered."""
        items = [_Pending(audit_row(r, account=account, department=department, store=store)) for r in results]
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
        return [item.row[-1] for item in items]

    def _write(self, batch: list[_Pending]) -> None:
        conn = self.trail.conn
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            conn.execute("BEGIN IMMEDIATE")
            for item in batch:
                self.trail.insert(item.row)
            conn.execute("COMMIT")
            self._flusher.written()
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for item in batch:
                item.error = exc
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            for item in batch:
                item.done = True

    def flush(self) -> None:
        """Make every committed row durable against a power cut now (the flusher does it within its interval)."""
        self._flusher.flush()

    def close(self) -> None:
        self._flusher.close()
        os.close(self._lock_fd)
        self.trail.close()


class _Flusher:
    """Checkpoints the trail on a connection of its own, so that committed rows reach the disk soon after their
    commit. A checkpoint (PASSIVE: it never blocks the writers) syncs the WAL before copying it into the database
    file and syncs the file afterwards (https://sqlite.org/pragma.html#pragma_synchronous)."""

    def __init__(self, path: str, interval_s: float):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.conn.execute("PRAGMA synchronous=FULL")
        self.interval_s = interval_s
        self._dirty = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="audit-flusher", daemon=True)
        self._thread.start()

    def written(self) -> None:
        self._dirty.set()

    def _run(self) -> None:
        while not self._closing.is_set():
            self._dirty.wait()
            # let the rows of a burst gather (one pair of flushes for all of them); close() cuts the wait short
            if self._closing.wait(self.interval_s):
                break
            self.flush()

    def flush(self) -> None:
        with self._lock:
            self._dirty.clear()
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:  # the disk is failing: the next commit will say so to its caller
                self._dirty.set()

    def close(self) -> None:
        self._closing.set()
        self._dirty.set()
        self._thread.join(timeout=5)
        self.flush()
        self.conn.close()
