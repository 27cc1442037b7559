"""The load transaction's statements, run on a thread of their own so that the client and the server work at once.

Neo4j executes a statement that returns nothing (every write of a load) to its end before it answers the
statement's RUN, so `tx.run` blocks for the server's whole execution; run from the loading thread, the client sat
idle while the server wrote batch n and the server while the client prepared batch n+1 (profiled at 100,000
enterprises: the writer process waited on its socket 60% of the load). Here the loading thread hands each
statement to one sender thread and goes on reading and preparing rows; statements still run one at a time, in the
order handed over, in the one transaction, so what the server executes is exactly what it executed before.

Only the sender thread touches the transaction until `close()`: the driver's objects are not safe to share
between threads. The first failure is raised in the loading thread at its next hand-over (and statements after
it are skipped), so the writer rolls the whole file back as before.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable


class StatementSender:
    def __init__(self, max_pending_rows: int):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="creditnet-neo4j-load")
        self._pending: deque[tuple[Future, int]] = deque()
        self._max_pending_rows = max_pending_rows  # bounds the rows held in memory while the server catches up
        self._failed: BaseException | None = None

    def _guarded(self, work: Callable[[], Any]) -> Callable[[], Any]:
        def run():
            if self._failed is not None:  # the transaction is lost: send nothing more
                raise self._failed
            try:
                return work()
            except BaseException as exc:
                self._failed = exc
                raise
        return run

    def _reap(self, keep_rows: int | None) -> None:
        """Wait for the oldest statements until at most `keep_rows` rows are in flight (None: until none is);
        raise the first failure."""
        while self._pending and (keep_rows is None or self._pending[0][0].done()
                                 or sum(n for _, n in self._pending) > keep_rows):
            self._pending.popleft()[0].result()

    def send(self, work: Callable[[], Any], rows: int) -> None:
        """Hand over a statement that returns nothing the loader needs; returns at once."""
        self._reap(self._max_pending_rows)
        self._pending.append((self._pool.submit(self._guarded(work)), rows))

    def drain(self) -> None:
        self._reap(None)

    def ask(self, work: Callable[[], Any]) -> Any:
        """Run a statement whose answer the loader needs, after every statement handed over before it, and wait for
        its answer (on the sender's thread, which alone touches the transaction)."""
        self.drain()
        return self._pool.submit(self._guarded(work)).result()

    def close(self) -> None:
        """Stop sending: statements not started are dropped, the one running (at most one batch) is waited for, so
        that the caller may then roll back or commit on this thread."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()


class Rows(list):
    """A statement's rows, as the driver packs them (a list), whose text is short. The driver formats every RUN's
    parameters for its debug log before it asks whether debug is on: the repr of a batch of 10,000 rows cost as
    much client CPU as packing it (28 against 24 ms)."""
    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def unlogged(params: dict[str, Any]) -> dict[str, Any]:
    return {k: Rows(v) if type(v) is list else v for k, v in params.items()}
