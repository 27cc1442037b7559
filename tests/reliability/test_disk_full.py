"""The disk fills up (the embedded store; a Neo4j server's disk is the server's affair).

CREDITNET_HOME lives on a small tmpfs mounted for the test (as root; skipped with the reason where mounting
is not permitted, a failure under CREDITNET_REQUIRE_TOOLS=1). A load that does not fit fails with
StoreUnavailable saying the disk is full and naming the directory (CLI: a non-zero exit and the JSON error, no
traceback); the store is exactly as before (counts, data version, answers) and stays usable: once space is
freed, a further load works. A full disk under the rejects directory alone fails the load the same way, leaving
neither the rows nor a partial rejects file.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import county as county_module
import needs
import graph.ingest as ingest
from cli.main import app
from graph import settings as settings_module
from graph.errors import StoreUnavailable
from graph.ingest import load_file
from graph.queries.check import check
from graph.stores.embedded import EmbeddedStore
from graph.settings import get_settings
from reliability.helpers import snapshot
from reliability.test_hostile_files import write_big_penalty_file

ON = date.fromisoformat(county_module.AS_OF)
KEYS = [county_module.E[k] for k in ("LISTED", "OFFICER", "TWO_HOPS", "CLEAR", "BAR")]


def _mount_tmpfs(directory: Path, size: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        needs.unavailable(needs.TOOLS, "no mount command here: cannot make a small disk for the test")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        needs.unavailable(needs.TOOLS, f"mounting a {size} tmpfs is not permitted here ({done.stderr.strip()}); run as "
                                       "root to test a full disk")


@pytest.fixture
def small_disk(tmp_path):
    mounted = []

    def mount(directory: Path, size: str) -> Path:
        _mount_tmpfs(directory, size)
        mounted.append(directory)
        return directory

    yield mount
    for directory in reversed(mounted):
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def _verdicts(store) -> list[str]:
    return [check(store, settings=get_settings(), key=k, as_of=ON).verdict for k in KEYS]


def _fill(directory: Path, leave_bytes: int) -> Path:
    """A ballast file taking all the free space but `leave_bytes`."""
    free = shutil.disk_usage(directory).free
    ballast = directory / "ballast.bin"
    with open(ballast, "wb") as fh:
        fh.write(b"\0" * max(free - leave_bytes, 0))
    return ballast


def test_a_load_that_does_not_fit_leaves_the_store_as_it_was(small_disk, tmp_path, monkeypatch):
    home = small_disk(tmp_path / "disk", "4m") / "home"
    store = EmbeddedStore(home)
    for path in county_module.write_county(tmp_path / "county").values():
        load_file(store, path, home=home)
    before, verdicts, history = snapshot(store), _verdicts(store), store.load_history()
    big = tmp_path / "big.csv"  # on the ordinary disk: only the store's side is short of space
    write_big_penalty_file(big, 3_000_000)
    ballast = _fill(home.parent, 256 * 1024)

    with pytest.raises(StoreUnavailable) as exc:
        load_file(store, big, home=home)
    message = exc.value.message
    assert "磁盘已满" in message and str(home) in message and "disk" in message and "full" in message
    assert "本文件未导入" in message and exc.value.details == {"directory": str(home)}
    assert snapshot(store) == before and _verdicts(store) == verdicts and store.load_history() == history

    # The CLI: a clear error, a non-zero exit, no traceback; still nothing changed.
    monkeypatch.setenv("CREDITNET_HOME", str(home))
    monkeypatch.setenv("CREDITNET_BACKEND", "embedded")
    settings_module.get_settings.cache_clear()
    result = CliRunner().invoke(app, ["load", "--json", str(big)])
    settings_module.get_settings.cache_clear()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code != 0 and "Traceback" not in result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "store_unavailable" and "磁盘已满" in error["message"] and str(home) in error["message"]
    assert snapshot(store) == before

    # Free the space: the same store takes a further load.
    ballast.unlink()
    more = county_module.write_csv(tmp_path / "more.csv", county_module.INSPECTION_HEADERS, [
        ["1", county_module.E["CLEAR"], "西吉县戊餐饮有限公司", "县市场监督管理局", "专项检查", "2026-05-05", "未发现问题"]])
    report = load_file(store, more, home=home)
    assert report.loaded == 1 and report.changed
    after = snapshot(store)
    assert after["data_version"] == before["data_version"] + 1
    assert after["records"]["inspection"] == before["records"]["inspection"] + 1
    store.close()
    with EmbeddedStore(home) as reopened:  # and the file on disk is sound
        assert snapshot(reopened) == after and _verdicts(reopened) == verdicts


def test_a_full_disk_under_the_rejects_directory_fails_the_whole_file(small_disk, tmp_path, monkeypatch):
    home = tmp_path / "home"
    store = EmbeddedStore(home)
    for path in county_module.write_county(tmp_path / "county").values():
        load_file(store, path, home=home)
    before, history = snapshot(store), store.load_history()
    rejects = small_disk(home / "rejects-disk", "64k")
    # Rows that load, and rows with a bad code whose long remarks make a rejects file larger than the disk.
    rows = [["1", county_module.uscc(3000 + i), "某公司", "县市场监督管理局", f"罚{i}", "2026-01-01", "", "", "", "罚款", ""]
            for i in range(50)]
    rows += [["1", "91640422000000000X", "坏代码公司", "县市场监督管理局", f"坏{i}", "2026-01-01", "", "", "", "罚款", "很长" * 2000]
             for i in range(50)]
    path = county_module.write_csv(tmp_path / "penalties.csv", county_module.PENALTY_HEADERS, rows)
    real = ingest.rejects_path

    def into_the_small_disk(home_: Path, source: Path) -> Path:
        return rejects / real(home_, source).name

    monkeypatch.setattr(ingest, "rejects_path", into_the_small_disk)
    with pytest.raises(StoreUnavailable) as exc:
        load_file(store, path, home=home)
    monkeypatch.undo()
    assert "磁盘已满" in exc.value.message and str(rejects) in exc.value.message
    assert list(rejects.iterdir()) == [], "no partial rejects file"
    assert snapshot(store) == before and store.load_history() == history, "no row of the file was kept"

    report = load_file(store, path, home=home)  # the ordinary rejects directory has room
    assert (report.loaded, report.rejected) == (50, 50) and Path(report.rejects_file).stat().st_size > 64 * 1024


def test_a_check_on_a_full_disk_says_the_disk_is_full(small_disk, tmp_path):
    from reliability.helpers import cli_env, creditnet
    home = small_disk(tmp_path / "disk", "4m") / "home"
    store = EmbeddedStore(home)  # kept open, as by a server: the store's files stay, the audit trail has no room
    for path in county_module.write_county(tmp_path / "county").values():
        load_file(store, path, home=home)
    ballast = _fill(home.parent, 0)
    result = creditnet("check", county_module.E["LISTED"], "--json", env=cli_env(home))
    assert "Traceback" not in result.stderr
    assert result.returncode == StoreUnavailable.exit_code
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "store_unavailable" and error["details"]["directory"] == str(home)
    assert "磁盘已满" in error["message"] and "is full" in error["message"] and "free some space" in error["message"]

    ballast.unlink()  # space again: the same check is answered and recorded
    result = creditnet("check", county_module.E["LISTED"], "--json", env=cli_env(home))
    store.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "restricted" and json.loads(result.stdout)["check_id"]
