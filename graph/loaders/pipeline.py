"""Reading a large file in a second process while this one writes: the two halves of a load (parsing and
validating rows; writing them) each take about half the time, and the machine has two cores.

Batches of parsed rows cross a pipe; an error in the reader (undecodable bytes deep in the file) is sent
across and raised here, so the writer's transaction rolls back exactly as in a single-process load.

A valid row crosses as a plain tuple (row number, values, warnings), without its original cells: the writer
never reads them, and unpickling a ParsedRow dataclass with two dicts cost the writer ~18 µs a row — a third
of its whole budget — against ~2 µs for the tuple. Rejects cross whole (their original row goes to the
rejects file). Where the store prepares its rows (`GraphStore.row_preparer`: the embedded store's JSON text,
natural keys, departments), the child prepares them and `values` is that tuple.

The child also opens the file (sniffs its encoding, which decodes the whole file once, and finds its header and
kind) and sends what it found first. A child may be started before its file's turn and wait for `go()`
(graph/loaders/read_ahead.py): it then reads while the file before it commits.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Callable, Iterator

from graph.loaders.reading import LoadError, Table, open_table
from graph.model import oriented_member
from graph.stores.load_collections import LOAD_THRESHOLDS

# Below this size a second process costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH = 1000
# Batches the reader may hold ready beyond what the pipe holds (~150 KB each pickled: ~40 MB at most). A reader
# started while the file before it commits (read_ahead.py) fills them for the 1–5 s that commit takes at
# 1,000,000 enterprises; 64 held ~1.3 s of a reader's work.
AHEAD = 256
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


Prepare = Callable[[dict], tuple]


def _after_orienting(prepare: Prepare) -> Prepare:
    return lambda values: prepare(oriented_member(values))


def _batches(table: Table, prepare_for: Callable[[str], Prepare | None] | None) -> Iterator[tuple[list, float]]:
    """(batch, progress fraction) of the table's rows, in the child or in this process: a valid row as the tuple
    (row number, values — prepared by the store's `row_preparer` if it has one — warnings), a reject whole.
    A member row is stored the way its role reads (graph.model.oriented_member): turned here, before any store
    sees it, so that both stores hold the same edge."""
    by_store = None if prepare_for is None else prepare_for(table.kind)
    prepare: Callable[[dict], dict | tuple] | None = by_store
    if table.kind == "member":
        prepare = oriented_member if by_store is None else _after_orienting(by_store)
    batch: list = []
    for rows in table.row_batches(prepare):
        batch += rows
        if len(batch) >= BATCH:
            yield batch, table.progress()
            batch = []
    yield batch, 1.0


@dataclass(frozen=True)
class Opened:
    """What the child found when it opened the file: the writer's report needs it, and `prepare` the kind."""
    kind: str
    column_map: dict
    encoding: str
    ignored_columns: list
    notices: list


def _produce(path: Path, kind: str | None, department: str | None, prepare_for, conn, go, inherited: tuple) -> None:
    # The fork copied the parent's ends of this child's pipes, and of the pipes of a reader started before it: close
    # them, so that if the writer dies (SIGKILL) each pipe has no reader left and the next send fails, instead of
    # blocking a child for ever, and a waiting child sees the end of its `go` pipe.
    for c in inherited:
        c.close()
    try:
        go.recv_bytes()
    except (EOFError, OSError, KeyboardInterrupt):  # the writer gave this file up, or is gone (Ctrl-C reaches the
        return                                      # whole process group), before its turn came
    finally:
        go.close()
    # The child inherits the writer's whole heap, and keeps nothing beyond a batch: frozen, the inherited
    # objects are never scanned by its collections, and rarer young collections cost less (readers' CPU
    # fell ~3 µs a row of ~23 at 100,000 enterprises with the collector off; this keeps it on, for cycles).
    gc.freeze()
    gc.set_threshold(*LOAD_THRESHOLDS)
    sender = _Sender(conn)
    try:
        table = open_table(path, kind, department)
        sender.send(Opened(table.kind, dict(table.column_map), table.encoding, list(table.ignored_columns),
                           list(table.notices)))
        for message in _batches(table, prepare_for):
            sender.send(message)
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


class Reading:
    """One file's rows, read and validated in a forked child for a large file, in this process otherwise.

    `open()` gives the file's kind, columns and encoding (a Table here, `Opened` from the child) or raises
    LoadError; `batches()` then yields (batch of Reject | (row number, values, warnings), progress fraction).
    Valid rows arrive as that tuple, without `original` (see the module's docstring), wherever they were read;
    with `prepare_for` (the store's `row_preparer`), their values prepared.

    `department`: the file is sent on its behalf (rows naming another department are rejected, senders.py).
    `waiting`: the child is forked now but reads nothing until `go()`. `close_in_child`: the parent's ends of
    another reader's pipes, which this child must not keep open (see `_produce`)."""

    def __init__(self, path: Path | str, kind: str | None, prepare_for: Callable[[str], Prepare | None] | None,
                 *, department: str | None = None, waiting: bool = False, close_in_child: tuple = ()):
        self.path = Path(path)
        self._kind, self._prepare_for, self._department = kind, prepare_for, department
        self._table: Table | None = None
        self._child = None
        self._gone = False
        try:
            size = self.path.stat().st_size
        except OSError:  # opened here, so that open_table says what is wrong
            size = 0
        if size < PARALLEL_MIN_BYTES or "fork" not in mp.get_all_start_methods():
            return  # below this size a second process costs more than it saves
        ctx = mp.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)
        go_receive, self._go = ctx.Pipe(duplex=False)
        self._child = ctx.Process(target=_produce, daemon=True, args=(
            self.path, kind, department, prepare_for, send, go_receive, (self._receive, self._go, *close_in_child)))
        self._child.start()
        send.close()
        go_receive.close()
        if not waiting:
            self.go()

    @property
    def parent_ends(self) -> tuple:
        """This reader's pipe ends held here: a child forked later must close its copies."""
        return () if self._child is None else (self._receive, self._go)

    def go(self) -> None:
        """Let a waiting child start reading (again: nothing)."""
        if self._child is not None and not self._go.closed:
            try:
                self._go.send_bytes(b"go")
            except OSError:  # the child is dead: `open` says so
                pass
            self._go.close()

    def open(self) -> Table | Opened:
        if self._child is None:
            self._table = open_table(self.path, self._kind, self._department)
            return self._table
        self.go()
        message = self._recv()
        if isinstance(message, BaseException):
            raise message
        return message

    def batches(self) -> Iterator[tuple[list, float]]:
        if self._child is None:
            assert self._table is not None  # opened in this process where there is no child
            yield from _batches(self._table, self._prepare_for)
            return
        while True:
            message = self._recv()
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield message

    def _recv(self):
        try:
            return self._receive.recv()
        except (EOFError, OSError):  # the reader died without a word, or mid-message (killed, out of memory)
            raise LoadError(self.path, "读取文件的子进程意外退出，未导入任何数据，请重试 "
                                       "(the process reading the file died; nothing was loaded, try again)") from None

    def close(self) -> None:
        """Stop the child, whether it finished, waits for its turn or is still reading (again: nothing)."""
        if self._child is None or self._gone:
            return
        self._gone = True
        self._receive.close()
        self._go.close()
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
