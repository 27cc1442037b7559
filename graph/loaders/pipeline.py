"""Reading a large file in a second process while this one writes: the two halves of a load (parsing and
validating rows; writing them) each take about half the time, and the machine has two cores.

Batches of parsed rows cross a pipe; an error in the reader (undecodable bytes deep in the file) is sent
across and raised here, so the writer's transaction rolls back exactly as in a single-process load.

A valid row crosses as a plain tuple (row number, values, warnings), without its original cells: the writer
never reads them, and unpickling a ParsedRow dataclass with two dicts cost the writer ~18 µs a row — a third
of its whole budget — against ~2 µs for the tuple. Rejects cross whole (their original row goes to the
rejects file). Where the store prepares its rows (`GraphStore.row_preparer`: the embedded store's JSON text,
natural keys, departments), the child prepares them and `values` is that tuple.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import queue
import threading
from multiprocessing.reduction import ForkingPickler
from typing import Callable, Iterator

from graph.loaders.fields import ParsedRow
from graph.loaders.reading import LoadError, Table

# Below this size a second process costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH = 1000
# Batches the reader may hold ready beyond what the pipe holds (~150 KB each pickled: ~10 MB at most).
AHEAD = 64
_DONE = object()


class _WriterGone(Exception):
    pass


class _Sender:
    """Sends pickled batches from a thread of their own, so that validating goes on while the writer is busy.

    The pipe holds 64 KB, less than one batch: sending from the validating thread itself blocked it until the
    writer had read the batch before, so the reader could never run more than a batch ahead, and every pause
    of the writer (a flush of 5,000 roles, a commit) left the reader idle and then the writer waiting for it
    (a 1,000,000-enterprise load: the readers blocked in `send` 28–43% of their time, the writer waiting in
    `recv` a quarter of its). `write` releases the GIL while the pipe is full. Messages keep their order.
    """

    def __init__(self, conn):
        self.conn = conn
        self.gone = False  # the writer is gone (killed, or stopped reading): stop reading the file
        self.queue: queue.Queue = queue.Queue(maxsize=AHEAD)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            data = self.queue.get()
            if data is _DONE:
                return
            if not self.gone:
                try:
                    self.conn.send_bytes(data)
                except OSError:  # a broken pipe: the writer was killed, or stopped reading
                    self.gone = True

    def send(self, message) -> None:
        if self.gone:
            raise _WriterGone
        self.queue.put(ForkingPickler.dumps(message))  # what Connection.send sends; recv() reads it

    def close(self) -> None:
        """Wait until everything queued has been sent (or the writer is gone)."""
        self.queue.put(_DONE)
        self.thread.join()


def _produce(table: Table, conn, writer_end, prepare) -> None:
    # The fork copied the writer's end of the pipe too: close it, so that if the writer dies (SIGKILL) the pipe
    # has no reader left and the next send fails, instead of blocking this process for ever.
    writer_end.close()
    # The child inherits the writer's whole heap, and keeps nothing beyond a batch: frozen, the inherited
    # objects are never scanned by its collections, and rarer young collections cost less (readers' CPU
    # fell ~3 µs a row of ~23 at 100,000 enterprises with the collector off; this keeps it on, for cycles).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    sender = _Sender(conn)
    try:
        batch = []
        for item in table.rows():
            if type(item) is ParsedRow:
                item = (item.row_number, item.values if prepare is None else prepare(item.values), item.warnings)
            batch.append(item)
            if len(batch) >= BATCH:
                sender.send((batch, table.progress()))
                batch = []
        sender.send((batch, 1.0))
        sender.send(None)
    except _WriterGone:
        pass
    except BaseException as exc:  # sent to the writer, which raises it inside its transaction
        try:
            sender.send(exc)
        except _WriterGone:
            pass
    finally:
        sender.close()
        conn.close()


def iter_rows(table: Table, prepare: Callable[[dict], tuple] | None = None) -> Iterator[tuple[list, float]]:
    """Yield (batch of ParsedRow | Reject | (row number, values, warnings), progress fraction), reading in a
    child process for large files. Valid rows read in the child arrive as that tuple, without `original` (see
    the module's docstring); making a ParsedRow of each again cost the writer ~1 µs a row for nothing.
    With `prepare` (the store's `row_preparer`), every valid row arrives as that tuple, its values prepared."""
    if table.size_bytes < PARALLEL_MIN_BYTES or "fork" not in mp.get_all_start_methods():
        batch = []
        for item in table.rows():
            if prepare is not None and type(item) is ParsedRow:
                item = (item.row_number, prepare(item.values), item.warnings)
            batch.append(item)
            if len(batch) >= BATCH:
                yield batch, table.progress()
                batch = []
        yield batch, 1.0
        return
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_produce, args=(table, send, receive, prepare), daemon=True)
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
