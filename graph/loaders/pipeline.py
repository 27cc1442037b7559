"""Reading a large file in a second process while this one writes: the two halves of a load (parsing and
validating rows; writing them) each take about half the time, and the machine has two cores.

Batches of parsed rows cross a pipe; an error in the reader (undecodable bytes deep in the file) is sent
across and raised here, so the writer's transaction rolls back exactly as in a single-process load.
"""
from __future__ import annotations

import multiprocessing as mp
from typing import Iterator

from graph.loaders.reading import Table

# Below this size a second process costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH = 1000


def _produce(table: Table, conn) -> None:
    try:
        batch = []
        for item in table.rows():
            batch.append(item)
            if len(batch) >= BATCH:
                conn.send((batch, table.progress()))
                batch = []
        conn.send((batch, 1.0))
        conn.send(None)
    except BaseException as exc:  # sent to the writer, which raises it inside its transaction
        conn.send(exc)
    finally:
        conn.close()


def iter_rows(table: Table) -> Iterator[tuple[list, float]]:
    """Yield (batch of ParsedRow | Reject, progress fraction), reading in a child process for large files."""
    if table.size_bytes < PARALLEL_MIN_BYTES or "fork" not in mp.get_all_start_methods():
        batch = []
        for item in table.rows():
            batch.append(item)
            if len(batch) >= BATCH:
                yield batch, table.progress()
                batch = []
        yield batch, 1.0
        return
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_produce, args=(table, send), daemon=True)
    child.start()
    send.close()
    try:
        while True:
            message = receive.recv()
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield message
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()
