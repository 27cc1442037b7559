"""Neo4j goes away in the middle of a load or a check.

The driver talks to the shared test server through a TCP proxy (proxy.py) that the test cuts — every live
connection reset, new ones refused, as when Neo4j stops — and restores. The server itself is never touched.

A load cut half-way raises StoreUnavailable saying Neo4j is unreachable, that nothing of the file was kept
and what to do; once Neo4j is back the store shows no trace of the file (counts, data version, load history,
rejects) and loading it again succeeds. A check cut half-way raises StoreUnavailable after a bounded number
of attempts; a short interruption is retried and answered; after restoring, the same store answers again.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import county as county_module
import graph.ingest as ingest
from cli.main import app
from graph.errors import StoreUnavailable
from graph.ingest import load_file
from graph.queries.check import check
from graph.settings import Settings
from graph.stores.neo4j import Neo4jStore
from graph.settings import get_settings
from reliability.helpers import snapshot

# A lost connection must end in an error, never in a hang; if it hangs, stop the run (a thread, because a
# process blocked in the driver may not see a signal) rather than hold the shared server's locks.
pytestmark = pytest.mark.timeout(180, method="thread")

ON = date.fromisoformat(county_module.AS_OF)
LISTED = county_module.E["LISTED"]


def _store(uri: str, home: Path) -> Neo4jStore:
    return Neo4jStore.from_settings(Settings(backend="neo4j", neo4j_uri=uri, home=home))


@pytest.fixture
def loaded(proxy, neo4j_uri, tmp_path):
    """The test county in Neo4j, and a store that reaches it through the proxy."""
    home = tmp_path / "home"
    store = _store(proxy.uri, home)
    store.reset()
    for path in county_module.write_county(tmp_path / "county").values():
        load_file(store, path, home=home)
    yield store, home
    store.close()


def _penalties_with_rejects(path: Path, rows: int) -> Path:
    """Penalty rows for enterprises of the county and new ones; every 100th row has a bad code, so that a load
    that finished would write a rejects file."""
    out = []
    for i in range(1, rows + 1):
        code = county_module.uscc(5000 + i % 3000) if i % 100 else "912345678901234567"
        out.append([str(i), code, f"西吉县第{i}号公司", "县市场监督管理局", f"西市监罚〔2026〕{i}号", "2026-03-01", "无照经营",
                    "5000元", "", "罚款", ""])
    return county_module.write_csv(path, county_module.PENALTY_HEADERS, out)


def _assert_says_what_to_do(message: str) -> None:
    assert "Neo4j" in message and "unreachable" in message
    assert "CREDITNET_NEO4J_URI" in message and "neo4j-local start" in message


def test_a_load_cut_half_way_keeps_nothing_and_can_be_rerun(loaded, proxy, neo4j_uri, tmp_path):
    store, home = loaded
    before, history = snapshot(store), store.load_history()
    rejects = set((home / "rejects").iterdir())
    path = _penalties_with_rejects(tmp_path / "penalties.csv", 8_000)
    cut_at = []

    def cut_when_a_third_is_in(fraction: float) -> None:
        if fraction > 0.33 and not cut_at:
            cut_at.append(fraction)
            proxy.cut()

    with pytest.raises(StoreUnavailable) as exc:
        load_file(store, path, home=home, progress=cut_when_a_third_is_in)
    assert cut_at and cut_at[0] < 0.9, "the connection must break in the middle of the file"
    _assert_says_what_to_do(exc.value.message)
    assert "本文件未导入任何数据" in exc.value.message and "re-run the load" in exc.value.message
    assert set((home / "rejects").iterdir()) == rejects, "no rejects file for a file that was not loaded"

    proxy.restore()
    # Seen directly, without the proxy, and through the store whose connection broke: no trace of the file.
    with _store(neo4j_uri, home) as direct:
        assert snapshot(direct) == before and direct.load_history() == history
    assert snapshot(store) == before

    report = load_file(store, path, home=home)
    assert (report.rows, report.loaded, report.rejected) == (8_000, 7_920, 80)
    assert report.changed and report.rejects_file
    after = snapshot(store)
    assert after["data_version"] == before["data_version"] + 1
    assert sum(after["records"].values()) == sum(before["records"].values()) + 7_920


def test_the_cli_says_neo4j_went_away_and_exits_non_zero(loaded, proxy, tmp_path, monkeypatch):
    store, home = loaded
    before = snapshot(store)
    path = _penalties_with_rejects(tmp_path / "penalties.csv", 3_000)
    monkeypatch.setenv("CREDITNET_HOME", str(home))
    monkeypatch.setenv("CREDITNET_BACKEND", "neo4j")
    monkeypatch.setenv("CREDITNET_NEO4J_URI", proxy.uri)
    from graph import settings as settings_module
    settings_module.get_settings.cache_clear()
    real, rows = ingest.write_row, [0]

    def cut_after_1500_rows(*args):
        rows[0] += 1
        if rows[0] == 1500:
            proxy.cut()
        real(*args)

    monkeypatch.setattr(ingest, "write_row", cut_after_1500_rows)
    result = CliRunner().invoke(app, ["load", "--json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code != 0 and "Traceback" not in result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "store_unavailable" and "本文件未导入任何数据" in error["message"]

    # While Neo4j is unreachable every command says so, with its exit code, and no traceback.
    for args in (["check", LISTED, "--json"], ["stats", "--json"], ["load", "--json", str(path)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == StoreUnavailable.exit_code, (args, result.output)
        assert json.loads(result.stdout)["error"]["code"] == "store_unavailable"

    proxy.restore()
    settings_module.get_settings.cache_clear()
    assert snapshot(store) == before
    monkeypatch.setattr(ingest, "write_row", real)
    result = CliRunner().invoke(app, ["load", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["loaded"] == 2_970
    settings_module.get_settings.cache_clear()


def test_a_check_cut_half_way_raises_store_unavailable_then_recovers(loaded, proxy):
    store, _ = loaded
    expected = check(store, settings=get_settings(), key=LISTED, as_of=ON).verdict

    def cut_between_two_queries(reader):
        party = reader.enterprise_by_code(LISTED, "uscc")
        proxy.cut()
        return reader.expand([party], 100)

    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as exc:
        store.read(cut_between_two_queries)
    _assert_says_what_to_do(exc.value.message)
    with pytest.raises(StoreUnavailable):
        check(store, settings=get_settings(), key=LISTED, as_of=ON)
    assert time.monotonic() - started < 15, "a bounded number of attempts, not a hang"

    proxy.restore()
    assert check(store, settings=get_settings(), key=LISTED, as_of=ON).verdict == expected  # the same store recovers by itself


def test_a_short_interruption_is_retried_and_answered(loaded, proxy):
    store, _ = loaded
    expected = check(store, settings=get_settings(), key=LISTED, as_of=ON).as_dict()
    proxy.cut()
    threading.Timer(0.2, proxy.restore).start()
    started = time.monotonic()
    answer = check(store, settings=get_settings(), key=LISTED, as_of=ON).as_dict()
    assert time.monotonic() - started >= 0.2
    for d in (answer, expected):
        d.pop("check_id", None)
    assert answer == expected


def test_other_store_operations_translate_a_lost_server(loaded, proxy):
    store, home = loaded
    proxy.cut()
    for operation in (store.data_version, store.load_history, lambda: store.record_load(
            {"file": "x", "kind": "penalty", "rows": 0, "loaded": 0, "rejected": 0})):
        with pytest.raises(StoreUnavailable):
            operation()
    with pytest.raises(StoreUnavailable):
        _store(proxy.uri, home)
    proxy.restore()
    assert store.data_version() > 0
