"""Fewer collections by Python's cyclic garbage collector while a file is written.

A writer holds a batch of row operations (10,000 by default) and what its transaction knows (every enterprise it
met, with its fields) until the file's commit: all of it survives the young collections, is promoted, and soon
triggers a full collection, which walks every tracked object in the process, again and again as the file grows.
Measured on the Neo4j writer (the 100,000-enterprise county's licence file, 80,151 rows, writer process CPU,
interleaved): 5.6–5.8 s with the default thresholds (700, 10, 10), 3.4–3.6 s with a young generation of 50,000
allocations. The embedded writer, at 1,000,000 enterprises (whole loads,
writer process CPU, two interleaved pairs): 110.6 and 112.0 s with the default thresholds, 101.6 and 95.6 s with
these. Reference counting still frees everything that is not a cycle
at once; cycles wait a little longer. The reading process does the same (graph/loaders/pipeline.py).

The thresholds are the process's: loads running at once in one process (the API) share one setting, raised by the
first to begin and restored when the last ends.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

LOAD_THRESHOLDS = (50_000, 20, 20)

_lock = threading.Lock()
_loads = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections():
    global _loads, _saved
    with _lock:
        if _loads == 0:
            _saved = gc.get_threshold()
            if _saved[0]:  # 0: young collections are off already
                gc.set_threshold(*(max(now, load) for now, load in zip(_saved, LOAD_THRESHOLDS)))
        _loads += 1
    try:
        yield
    finally:
        with _lock:
            _loads -= 1
            if _loads == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
