"""The answers of many watched subjects at once: in this process, or spread over worker processes.

A pass that re-checks few subjects (after a load, incrementally) checks them here. A full re-screen (the daily
`alerts refresh`, a version that touched everything) re-checks every watched subject: a county's hundred thousand,
a province's million. Each check is independent of the others, so such a pass hands chunks of subjects to
`alerts_workers` processes and records their answers here as they come back, in order.

A check that finds its neighbourhood in memory costs a third of one that reads it from SQLite a few parties at a
time. So the pass first reads what the checks will ask in bulk (`read_ahead`), and, where the store can cross a
fork (embedded) and this process runs no other thread, forks its workers after that: they share what was read,
copy-on-write, and the store's connections are closed before the fork and opened afresh on each side. Otherwise
(the service runs threads, and a forked copy of a thread's lock could hang; Neo4j) the workers are started fresh
(spawn), each with its own connection to the store.
"""
from __future__ import annotations

import atexit
import gc
import json
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

from graph.errors import CreditnetError
from graph.queries.check import check
from graph.settings import Settings
from graph.stores.base import GraphStore
from graph.supervision.hits import summarise

Subject = tuple[str, str]  # (party kind, key), as graph/supervision/watch.py
PARALLEL_FROM = 5_000      # fewer subjects than this are checked here: starting processes costs about a second
CHUNK = 1_000


@dataclass
class Answer:
    verdict: str
    # The hits as the answer table keeps them (JSON): made where the check ran, so that a worker hands back one
    # string, and an answer that did not change is known by comparing two texts.
    hits_json: str
    data_version: int
    name: str

    @property
    def hits(self) -> list[dict[str, Any]]:
        return json.loads(self.hits_json)


def answer(store: GraphStore, settings: Settings, subject: Subject, day: date) -> Answer | str:
    """The subject's answer on the day, or why it has none (a code the check cannot take)."""
    try:
        result = check(store, key=subject[1], as_of=day, settings=settings)
    except CreditnetError as exc:
        return exc.message
    return Answer(result.verdict, json.dumps([summarise(h) for h in result.hits], ensure_ascii=False),
                  result.data_version, result.subject.name or "")


def answers(store: GraphStore, settings: Settings, subjects: list[Subject], day: date) -> Iterator[tuple[Subject, Answer | str]]:
    """Each subject with its answer, in the order given."""
    workers = min(settings.alerts_workers, len(subjects) // CHUNK + 1)
    parallel = len(subjects) >= PARALLEL_FROM and workers >= 2
    fork = parallel and _may_fork(store)
    if not parallel or fork:
        # As far as a check reaches: its depth, and always two hops (graph/queries/check.py).
        store.read(lambda r: r.read_ahead(subjects, max(settings.default_depth, 2)))
    if not parallel:
        for subject in subjects:
            yield subject, answer(store, settings, subject, day)
        return
    chunks = [subjects[i:i + CHUNK] for i in range(0, len(subjects), CHUNK)]
    if fork:
        store.release_connections()
        gc.freeze()  # the collector would otherwise touch, and so copy, every object the workers share
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_adopt,
                                   initargs=(store, settings, os.getpid()))
    else:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                                   initargs=(settings.model_dump_json(), os.getpid()))
    try:
        with pool:
            for done in pool.map(_chunk, chunks, [day.isoformat()] * len(chunks)):
                yield from done
    finally:
        if fork:
            gc.unfreeze()


def _may_fork(store: GraphStore) -> bool:
    return (store.crosses_fork and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


# --- in a worker process -------------------------------------------------------------------------------------
_worker: dict[str, Any] = {}


def _start(settings_json: str, parent: int) -> None:
    from graph.stores import open_store
    # A pass killed with its process must not leave its workers checking on: each goes when its parent has gone.
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
    settings = Settings.model_validate(json.loads(settings_json))
    store = open_store(settings)
    atexit.register(store.close)
    _worker.update(settings=settings, store=store)


def _adopt(store: GraphStore, settings: Settings, parent: int) -> None:
    """In a forked worker: the parent's store and what it has read, with connections of this process."""
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
    _worker.update(settings=settings, store=store.forked())


def _orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _chunk(subjects: list[Subject], day: str) -> list[tuple[Subject, Answer | str]]:
    on = date.fromisoformat(day)
    return [(subject, answer(_worker["store"], _worker["settings"], subject, on)) for subject in subjects]
