"""Reading the next file while the one before it commits (graph/loaders/read_ahead.py), on both stores.

Every file is read in a forked child here (PARALLEL_MIN_BYTES = 0), so that each load has a reader of the next
file waiting, then reading, while its own last writes and commit run. The promises: the store, the reports and
the rejects are what loading the files one by one gives; a file that fails rolls back alone, whether the command
goes on to the next file (whose reader already ran) or stops (and no reader process is left behind).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

import pytest

import graph.ingest as ingest
import graph.loaders.pipeline as pipeline
from county import E, LICENSE_HEADERS, PENALTY_HEADERS, write_csv
from graph.errors import FileRejected
from graph.ingest import load_file
from graph.loaders.read_ahead import ReadAhead
from graph.queries.stats import stats


@pytest.fixture(autouse=True)
def every_file_in_a_child(monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)


def state(store):
    s = stats(store)
    return s["data_version"], s["nodes"], s["records"], s["per_department"], s["loads"]


def reports(store, paths, home, ahead=None):
    out = []
    for path in paths:
        r = load_file(store, path, home=home, ahead=ahead)
        out.append((r.kind, r.rows, r.loaded, r.rejected, r.warnings, r.columns, r.encoding, r.changed,
                    r.rejects_file is not None))
    return out


def test_files_read_ahead_load_as_one_by_one(store, county_files, home):
    paths = list(county_files.values())
    start = store.data_version()
    one_by_one = reports(store, paths, home)
    expected = state(store)
    store.reset()
    start_again = store.data_version()
    with ReadAhead(paths, None, store.row_preparer) as ahead:
        assert reports(store, paths, home, ahead) == one_by_one
    after = state(store)
    assert after[1:] == expected[1:] and after[0] - start_again == expected[0] - start
    assert mp.active_children() == []
    with ReadAhead(paths, None, store.row_preparer) as ahead:  # re-loading: nothing changes, the version stays
        assert not any(r[7] for r in reports(store, paths, home, ahead))
    assert state(store)[:4] == after[:4]


def _broken_penalty_file(path):
    """Valid rows, then an unbalanced quote: the reader fails part-way, after rows were written."""
    write_csv(path, PENALTY_HEADERS, [[str(i), E["LISTED"], "西吉县某商贸有限公司", "县市场监督管理局",
                                       f"西市监罚〔2025〕{i}号", "2025-07-08", "无照经营", "5000", "", "罚款", ""]
                                      for i in range(1, 3000)])
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write(f'3000,"{E["LISTED"]},未闭合的引号\r\n' + "x," * 10 + "\r\n" * 3)


def test_a_file_that_breaks_part_way_rolls_back_alone_and_the_next_one_loads(store, county_files, home, tmp_path):
    """The reader of the next file runs while the broken one fails; the next file then loads exactly as alone."""
    paths = list(county_files.values())
    broken = tmp_path / "broken-penalty.csv"
    _broken_penalty_file(broken)
    reports(store, paths[:-1], home)
    alone = reports(store, paths[-1:], home)
    expected = state(store)
    store.reset()
    reports(store, paths[:-1], home)
    before = state(store)
    files = [broken, paths[-1]]
    with ReadAhead(files, None, store.row_preparer) as ahead:
        with pytest.raises(FileRejected) as exc:
            load_file(store, broken, home=home, ahead=ahead)
        assert str(broken) in exc.value.message
        assert state(store) == before  # nothing of the broken file, not even its valid rows
        assert reports(store, files[1:], home, ahead) == alone
    assert state(store)[1:] == expected[1:]
    assert mp.active_children() == []


def test_a_command_that_stops_leaves_no_reader_behind(store, county_files, home, monkeypatch, tmp_path):
    """An error that ends the command (not a rejected file) while the next file's reader already reads: the file
    rolls back, the next file is not loaded, and closing the read-ahead stops its reader. The next file is large
    (50,000 licences, ~7 MB): its reader is still at work, blocked on its pipe, when the first file fails. (With the
    county's few licences it could read them all and exit first, and the test failed now and then.)"""
    first = county_files["blacklist"]  # the listings have rejects to write
    second = write_csv(tmp_path / "licences.csv", LICENSE_HEADERS,
                       [[str(n), E["CLEAR"], "西吉县戊餐饮有限公司", f"JY{n:08d}", "食品经营许可证", "2024-01-01",
                         "2029-01-01", "县市场监督管理局", "预包装食品销售", "有效", ""] for n in range(1, 50_001)])
    reports(store, [county_files["enterprise"], county_files["member"]], home)
    before = state(store)
    seen = {}

    def failing_rejects(target, rejects):
        seen["readers"] = [c for c in mp.active_children() if c.is_alive()]
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(ingest, "write_rejects", failing_rejects)
    with pytest.raises(RuntimeError):
        with ReadAhead([first, second], None, store.row_preparer) as ahead:
            load_file(store, first, home=home, ahead=ahead)
    assert len(seen["readers"]) == 1  # the next file's reader was running when the file failed
    assert state(store) == before
    assert mp.active_children() == []
    assert not seen["readers"][0].is_alive()


def test_a_file_skipped_by_the_caller_gets_a_reader_of_its_own(store, county_files, home):
    """A path taken out of turn (the command skipped a missing file) is read by a reader started then; the one
    waiting for the skipped file is stopped."""
    paths = list(county_files.values())
    one_by_one = reports(store, paths[:2], home)
    expected = state(store)
    store.reset()
    with ReadAhead([paths[0], home / "missing.csv", paths[1]], None, store.row_preparer) as ahead:
        got = reports(store, paths[:1], home, ahead) + reports(store, paths[1:2], home, ahead)
    assert got == one_by_one and state(store)[1:] == expected[1:]
    assert mp.active_children() == []


def test_the_command_goes_on_after_a_large_file_breaks_and_leaves_no_process(tmp_path, monkeypatch):
    """`creditnet load broken.csv good.csv`, both large enough for a reading child each (no PARALLEL_MIN_BYTES
    trick: a process of its own): the broken file is refused whole, the next one, whose reader waited meanwhile,
    loads all its rows, and when the command exits no process of it is left."""
    monkeypatch.undo()
    from reliability.helpers import REPO, cli_env
    from reliability.test_hostile_files import write_big_penalty_file
    from reliability.test_kill import _group_members

    size = pipeline.PARALLEL_MIN_BYTES + (1 << 20)
    broken, good = tmp_path / "broken.csv", tmp_path / "good.csv"
    write_big_penalty_file(broken, size)
    with open(broken, "a", encoding="utf-8", newline="") as fh:
        fh.write('0,"91640422MA76XBY5XN,未闭合的引号\r\n' + "x," * 10 + "\r\n")
    rows = write_big_penalty_file(good, size)
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "load", "-q", "--json", str(broken), str(good)],
                            env=cli_env(tmp_path / "home"), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    out, err = proc.communicate(timeout=300)
    deadline = time.monotonic() + 10
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _group_members(proc.pid)
    for pid in left:  # only if the test fails: the processes of the group it started
        os.kill(pid, signal.SIGKILL)
    assert not left, "a reading process outlived the command"
    assert proc.returncode == 2, err
    decoder, objects, at = json.JSONDecoder(), [], 0
    while out[at:].strip():
        obj, at = decoder.raw_decode(out, at + len(out[at:]) - len(out[at:].lstrip()))
        objects.append(obj)
    first, second = objects
    assert first["file"] == str(broken) and first["error"]["code"] == "file_rejected"
    assert (second["file"], second["rows"], second["loaded"]) == (str(good), rows, rows)
