"""A load raises the garbage collector's thresholds while it writes and puts back what it found, also when loads
overlap in one process (the API) or a load fails."""
from __future__ import annotations

import gc
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from county import LICENSE_HEADERS, uscc, write_csv
from graph import ingest
from graph.ingest import load_file
from graph.stores.load_collections import LOAD_THRESHOLDS, fewer_collections


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_overlapping_loads_restore_the_thresholds_when_the_last_ends(default_thresholds):
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    assert gc.get_threshold() == LOAD_THRESHOLDS
    second.__enter__()
    first.__exit__(None, None, None)  # the other load still runs
    assert gc.get_threshold() == LOAD_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == default_thresholds


def test_a_failing_load_restores_them_too(default_thresholds):
    with pytest.raises(RuntimeError):
        with fewer_collections():
            raise RuntimeError("the file broke")
    assert gc.get_threshold() == default_thresholds


def test_collections_turned_off_stay_off(default_thresholds):
    gc.set_threshold(0)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold()[0] == 0


def test_loads_in_threads_leave_the_thresholds_as_they_were(default_thresholds):
    barrier = threading.Barrier(4)

    def load():
        with fewer_collections():
            barrier.wait(timeout=30)
            assert gc.get_threshold() == LOAD_THRESHOLDS

    with ThreadPoolExecutor(4) as pool:
        loads = [pool.submit(load) for _ in range(4)]
    for done in loads:
        done.result()  # each thread's assertion, raised here
    assert gc.get_threshold() == default_thresholds


def test_each_store_writes_with_fewer_collections(store, tmp_path, home, default_thresholds, monkeypatch):
    seen = []
    original = ingest.write_row

    def write_row(writer, kind, values):
        seen.append(gc.get_threshold())
        original(writer, kind, values)

    monkeypatch.setattr(ingest, "write_row", write_row)
    row = ["1", uscc(900), "西吉县九百号商贸有限公司", "XK-900", "食品经营许可证", "2024-01-01", "2027-01-01",
           "县市场监督管理局", "食品销售", "有效", ""]
    load_file(store, write_csv(tmp_path / "license.csv", LICENSE_HEADERS, [row]), home=home)
    assert seen == [LOAD_THRESHOLDS]
    assert gc.get_threshold() == default_thresholds
