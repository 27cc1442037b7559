"""The embedded writer's code map: once a file has looked up PRELOAD_AFTER enterprises, every enterprise's
codes are read in one scan and a code not in the map is taken as unknown. The store must come out exactly as
with a look-up per code: compared table by table on a synthetic county loaded twice (the second time changes
nothing) and on the tiny county where a registration number later gains its USCC (a merge)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import graph.stores.embedded_writer as embedded_writer
from graph import synthetic
from graph.ingest import load_file
from graph.stores.embedded import EmbeddedStore

KINDS = ["enterprise", "member", "license", "license-change", "penalty", "penalty-change", "inspection", "blacklist"]
TABLES = ["enterprise", "person", "role", "record", "record_department", "listing_subject", "department",
          "department_alias", "meta"]


def _dump(home: Path) -> dict[str, list]:
    conn = sqlite3.connect(home / "creditnet.sqlite")
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


def _load(home: Path, files: list[Path], rounds: int = 1) -> list[bool]:
    store = EmbeddedStore(home)
    try:
        return [load_file(store, f, home=home).changed for _ in range(rounds) for f in files]
    finally:
        store.close()


@pytest.fixture(scope="module")
def synthetic_files(tmp_path_factory) -> list[Path]:
    directory = tmp_path_factory.mktemp("synthetic")
    synthetic.generate(directory, enterprises=2000)
    return [next(directory.glob(f"{kind}.*")) for kind in KINDS]


def test_the_code_map_gives_the_same_store(synthetic_files, tmp_path, monkeypatch):
    by_lookup = _load(tmp_path / "lookup", synthetic_files, rounds=2)
    monkeypatch.setattr(embedded_writer, "PRELOAD_AFTER", 0)  # the map from the first row of every file
    by_map = _load(tmp_path / "map", synthetic_files, rounds=2)
    assert by_map == by_lookup
    assert _dump(tmp_path / "map") == _dump(tmp_path / "lookup")


def test_the_code_map_sees_a_merge_and_a_code_gained_in_the_same_file(county_files, tmp_path, monkeypatch):
    # The listing arrives under the 15-digit number only; the registry then gives both codes (a merge), and
    # the records after it must find the enterprise under either code.
    order = [county_files[k] for k in ("blacklist", "enterprise", "member", "penalty", "blacklist")]
    _load(tmp_path / "lookup", order)
    monkeypatch.setattr(embedded_writer, "PRELOAD_AFTER", 0)
    _load(tmp_path / "map", order)
    assert _dump(tmp_path / "map") == _dump(tmp_path / "lookup")


def test_a_store_written_by_the_json_encoder_reloads_unchanged(county_files, tmp_path):
    """Earlier versions stored props as json.dumps wrote them (a space after each separator); the same files
    loaded again into such a store must change nothing, not rewrite every record in the new spelling."""
    import json

    home = tmp_path / "store"
    files = list(county_files.values())
    _load(home, files)
    conn = sqlite3.connect(home / "creditnet.sqlite")
    with conn:
        for table in ("record", "enterprise"):
            rows = conn.execute(f"SELECT id, props FROM {table}").fetchall()
            conn.executemany(f"UPDATE {table} SET props = ? WHERE id = ?",
                             [(json.dumps(json.loads(p), ensure_ascii=False, sort_keys=True), i) for i, p in rows])
            assert any(", " in p for _, p in conn.execute(f"SELECT id, props FROM {table}"))
    conn.close()
    before = _dump(home)
    assert _load(home, files) == [False] * len(files)
    assert _dump(home) == before


def _cache_kib(conn: sqlite3.Connection) -> int:
    return -conn.execute("PRAGMA cache_size").fetchone()[0]


def test_a_load_has_its_own_page_cache_and_gives_it_back(tmp_path, monkeypatch):
    # CREDITNET_LOAD_CACHE_MB reaches the load's connection through the store factory; after the commit, and
    # after a rollback, the connection is back to the 64 MB every other connection has.
    from graph.settings import Settings
    from graph.stores import open_store
    from graph.stores.embedded import CACHE_KIB

    monkeypatch.setenv("CREDITNET_LOAD_CACHE_MB", "300")
    store = open_store(Settings(home=tmp_path, backend="embedded"))
    try:
        conn = store._write_conn
        assert _cache_kib(conn) == CACHE_KIB
        with store.writer("a.csv") as writer:
            assert _cache_kib(writer.conn) == 300 * 1024
            writer.person("110101199003074514", "张三")
        assert _cache_kib(conn) == CACHE_KIB
        with pytest.raises(RuntimeError):
            with store.writer("b.csv"):
                assert _cache_kib(conn) == 300 * 1024
                raise RuntimeError("the load fails")
        assert _cache_kib(conn) == CACHE_KIB
        assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 1
    finally:
        store.close()
