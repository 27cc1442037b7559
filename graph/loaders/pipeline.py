"""Reading a large file in a second process while this one writes: the two halves of a load (parsing and
validating rows; writing them) each take about half the time, and the machine has two cores.

Batches of parsed rows cross a pipe; an error in the reader (undecodable bytes deep in the file) is sent
across and raised here, so the writer's transaction rolls back exactly as in a single-process load.

A valid row crosses as a plain tuple (row number, values, warnings), without its original cells: the writer
never reads them, and unpickling a ParsedRow dataclass with two dicts cost the writer ~18 µs a row — a third
of its whole budget — against ~2 µs for the tuple. Rejects cross whole (their original row goes to the
rejects file).
"""
from __future__ import annotations

import gc
import multiprocessing as mp
from typing import Iterator

from graph.loaders.fields import ParsedRow
from graph.loaders.reading import LoadError, Table

# Below this size a second process costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH = 1000


class _WriterGone(Exception):
    pass


def _send(conn, message) -> None:
    try:
        conn.send(message)
    except OSError as exc:  # a broken pipe: the writer was killed, or stopped reading
        raise _WriterGone from exc


def _produce(table: Table, conn, writer_end) -> None:
    # The fork copied the writer's end of the pipe too: close it, so that if the writer dies (SIGKILL) the pipe
    # has no reader left and the next send fails, instead of blocking this process for ever.
    writer_end.close()
    # The child inherits the writer's whole heap, and keeps nothing beyond a batch: frozen, the inherited
    # objects are never scanned by its collections, and rarer young collections cost less (readers' CPU
    # fell ~3 µs a row of ~23 at 100,000 enterprises with the collector off; this keeps it on, for cycles).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        batch = []
        for item in table.rows():
            batch.append((item.row_number, item.values, item.warnings) if type(item) is ParsedRow else item)
            if len(batch) >= BATCH:
                _send(conn, (batch, table.progress()))
                batch = []
        _send(conn, (batch, 1.0))
        _send(conn, None)
    except _WriterGone:
        pass
    except BaseException as exc:  # sent to the writer, which raises it inside its transaction
        try:
            conn.send(exc)
        except OSError:
            pass
    finally:
        conn.close()


def iter_rows(table: Table) -> Iterator[tuple[list, float]]:
    """Yield (batch of ParsedRow | Reject | (row number, values, warnings), progress fraction), reading in a
    child process for large files. Valid rows read in the child arrive as that tuple, without `original` (see
    the module's docstring); making a ParsedRow of each again cost the writer ~1 µs a row for nothing."""
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
    child = ctx.Process(target=_produce, args=(table, send, receive), daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                message = receive.recv()
            except (EOFError, OSError):  # the reader died without a word, or mid-message (killed, out of memory)
                raise LoadError(table.path, "读取文件的子进程意外退出，未导入任何数据，请重试 "
                                            "(the process reading the file died; nothing was loaded, try again)") from None
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
