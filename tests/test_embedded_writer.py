"""The embedded writer's code map: once a file has looked up PRELOAD_AFTER enterprises, every enterprise's
codes are read in one scan and a code not in the map is taken as unknown. The store must come out exactly as
with a look-up per code: compared table by table on a synthetic county loaded twice (the second time changes
nothing) and on the tiny county where a registration number later gains its USCC (a merge)."""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

import graph.stores.embedded_writer as embedded_writer
from graph import synthetic
from graph.ingest import load_file
from graph.stores.embedded import EmbeddedStore
from county import uscc

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


def test_a_file_small_beside_the_store_is_written_by_look_ups(synthetic_files, tmp_path, monkeypatch):
    """A department's 10,000 listings into a province's 1,000,000 enterprises: reading every code costs more than
    the file's own look-ups, so the writer looks each code up; the store comes out the same either way."""
    scans: list[int] = []
    own = embedded_writer.SqliteWriter._read_all_codes

    def counted(self):
        scans.append(1)
        own(self)
    monkeypatch.setattr(embedded_writer.SqliteWriter, "_read_all_codes", counted)
    monkeypatch.setattr(embedded_writer, "PRELOAD_AFTER", 0)
    registry, members = synthetic_files[0], synthetic_files[1]
    for home in ("scan", "lookup"):
        _load(tmp_path / home, [registry])
    scans.clear()
    _load(tmp_path / "scan", [members])
    assert scans == [1]  # the member file is three times the store: one scan
    scans.clear()
    monkeypatch.setattr(embedded_writer, "SCAN_PER_LOOKUP", 0)  # …as if the store were far larger than the file
    _load(tmp_path / "lookup", [members])
    assert scans == []
    assert _dump(tmp_path / "lookup") == _dump(tmp_path / "scan")


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


def _no_preparer(monkeypatch):
    monkeypatch.setattr(EmbeddedStore, "row_preparer", lambda self, kind: None)  # every row through write_row


def test_rows_prepared_in_the_reading_process_give_the_same_store(synthetic_files, tmp_path, monkeypatch):
    # Prepared rows (embedded_rows.py), read in a child process for every file, against the values dicts
    # through graph.ingest.write_row: the same store, and the same answer to "did the second round change it".
    import graph.loaders.pipeline as pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    prepared = _load(tmp_path / "prepared", synthetic_files, rounds=2)
    _no_preparer(monkeypatch)
    by_dicts = _load(tmp_path / "dicts", synthetic_files, rounds=2)
    assert prepared == by_dicts and prepared[len(KINDS):] == [False] * len(KINDS)
    assert _dump(tmp_path / "prepared") == _dump(tmp_path / "dicts")


def test_prepared_rows_see_a_merge_and_corrections(county_files, tmp_path, monkeypatch):
    order = [county_files[k] for k in ("blacklist", "enterprise", "member", "penalty", "blacklist", "enterprise")]
    prepared = _load(tmp_path / "prepared", order)
    _no_preparer(monkeypatch)
    assert _load(tmp_path / "dicts", order) == prepared
    assert _dump(tmp_path / "prepared") == _dump(tmp_path / "dicts")


def _indexes(home: Path) -> list[tuple]:
    conn = sqlite3.connect(home / "creditnet.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]  # every index matches its table
        return sorted(conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"))
    finally:
        conn.close()


def test_a_first_load_rebuilds_the_indexes_it_dropped_and_a_reload_touches_none(synthetic_files, tmp_path):
    home = tmp_path / "store"
    EmbeddedStore(home).close()
    schema = _indexes(home)
    assert {name for name, _, sql in schema if sql} >= {"enterprise_name", "role_member", "record_enterprise",
                                                        "record_department_dept", "listing_subject_party"}
    store = EmbeddedStore(home)
    statements: list[str] = []
    store._write_conn.set_trace_callback(statements.append)
    try:
        for f in synthetic_files:
            load_file(store, f, home=home)
        dropped = [s for s in statements if s.startswith("DROP INDEX")]
        # Each secondary index once, by the first file to write its table, and role_member again by the member
        # file, which brings more than twice the registry's roles.
        assert sorted(s.split()[2] for s in dropped) == ['"enterprise_name"', '"listing_subject_party"',
                                                         '"record_department_dept"', '"record_enterprise"',
                                                         '"role_member"', '"role_member"']
        assert _indexes(home) == schema
        statements.clear()
        assert [load_file(store, f, home=home).changed for f in synthetic_files] == [False] * len(KINDS)
        assert not [s for s in statements if s.startswith(("DROP", "CREATE"))]
    finally:
        store.close()


def _crash_after(rows: int, monkeypatch) -> None:
    """The next load stops (KeyboardInterrupt) after `rows` rows; persons and roles are flushed every 100."""
    import graph.ingest as ingest

    real, seen = ingest.write_row, [0]

    def crash(*args):
        seen[0] += 1
        if seen[0] > rows:
            raise KeyboardInterrupt
        real(*args)

    monkeypatch.setattr(ingest, "write_row", crash)
    monkeypatch.setattr(embedded_writer, "ROWS_PER_STATEMENT", 100)


def _traced(home: Path) -> tuple[EmbeddedStore, list[str]]:
    """A store whose write connection records every statement it runs."""
    store, statements = EmbeddedStore(home), []
    store._write_conn.set_trace_callback(statements.append)
    return store, statements


def test_a_first_load_that_fails_keeps_the_indexes(synthetic_files, tmp_path, monkeypatch):
    home = tmp_path / "store"
    EmbeddedStore(home).close()
    schema = _indexes(home)
    _crash_after(1000, monkeypatch)  # the enterprise index is dropped, and the role index since the first flush
    store, statements = _traced(home)
    try:
        with pytest.raises(KeyboardInterrupt):
            load_file(store, synthetic_files[0], home=home)
    finally:
        store.close()
    assert sorted(s.split()[2] for s in statements if s.startswith("DROP INDEX")) == ['"enterprise_name"',
                                                                                     '"role_member"']
    assert _indexes(home) == schema
    assert _dump(home)["enterprise"] == []


def test_a_member_file_twice_the_role_table_rebuilds_role_member_inside_its_transaction(synthetic_files, tmp_path,
                                                                                         monkeypatch):
    """The member file finds the role table holding the registry's legal representatives and brings more than twice
    as many roles: role_member is dropped and created again before the commit. The store is the one a load keeping
    the index up to date gives, and a member file interrupted half-way leaves the index and the roles as before."""
    registry, members = synthetic_files[0], synthetic_files[1]
    kept = tmp_path / "kept"
    monkeypatch.setattr(embedded_writer.SqliteWriter, "expect_rows", lambda self, rows: None)
    _load(kept, [registry, members])
    monkeypatch.undo()

    home = tmp_path / "rebuilt"
    _load(home, [registry])
    schema, before = _indexes(home), _dump(home)
    _crash_after(2000, monkeypatch)  # past the first flush of roles, whose first write dropped role_member
    store, statements = _traced(home)
    try:
        with pytest.raises(KeyboardInterrupt):
            load_file(store, members, home=home)
    finally:
        store.close()
    assert [s.split()[2] for s in statements if s.startswith("DROP INDEX")] == ['"role_member"']
    assert _indexes(home) == schema and _dump(home) == before
    monkeypatch.undo()

    store, statements = _traced(home)
    try:
        assert load_file(store, members, home=home).changed
    finally:
        store.close()
    assert [s.split()[2] for s in statements if s.startswith("DROP INDEX")] == ['"role_member"']
    assert _indexes(home) == schema == _indexes(kept)
    assert _dump(home) == _dump(kept)


# --- the code map carried from one file to the next (embedded_writer.KnownCodes) -----------------------------
_FULL_SCAN = "SELECT id, uscc, reg_no, coalesce(name, '') != '' FROM enterprise"


def test_the_code_map_carried_from_file_to_file_gives_the_same_store(synthetic_files, tmp_path):
    """One store loading every file (each writer starts from the map the last one committed) against a new store
    object per file (each reads the codes afresh): the same tables, the same changed flags, and one scan."""
    reference = tmp_path / "afresh"
    changed = [flag for _ in range(2) for f in synthetic_files for flag in _load(reference, [f])]
    store, statements = _traced(tmp_path / "carried")
    try:
        carried = [load_file(store, f, home=tmp_path / "carried").changed for _ in range(2) for f in synthetic_files]
    finally:
        store.close()
    assert carried == changed
    assert _dump(tmp_path / "carried") == _dump(reference)
    assert sum(s.startswith(_FULL_SCAN) for s in statements) == 1  # the map was carried, not read per file


def _registry(path: Path, codes: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["统一社会信用代码", "企业名称", "法定代表人", "法定代表人证件类型", "法定代表人证件号码"],
                                  *[[c, f"西吉县第{i}商贸有限公司", "张三", "居民身份证", "11010519491231002X"]
                                    for i, c in enumerate(codes)]])
    return path


def _penalties(path: Path, codes: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["统一社会信用代码", "企业名称", "行政处罚决定书文号", "作出行政处罚决定日期",
                                   "作出行政处罚决定机关名称"],
                                  *[[c, f"西吉县某{i}商贸有限公司", f"{path.stem}〔2025〕{i}号", "2025-07-08",
                                     "西吉县市场监督管理局"] for i, c in enumerate(codes)]])
    return path


@pytest.mark.parametrize("between", ["another connection commits", "reset on this connection",
                                     "a file rolled back"])
def test_a_carried_code_map_is_read_afresh_after_any_other_change(tmp_path, monkeypatch, between):
    """The map a writer leaves is only good for the store it saw: an enterprise another process created, a reset,
    or the inserts of a file that rolled back must not be taken from it (a duplicate enterprise, a record pointing
    at a deleted id). Each sequence must end as the same steps run on a store that carries nothing."""
    monkeypatch.setattr(embedded_writer, "PRELOAD_AFTER", 0)  # every file reads (or is handed) the whole map
    files = tmp_path / "files"
    files.mkdir()
    registry = _registry(files / "registry.csv", [uscc(1), uscc(2)])
    others = _penalties(files / "others.csv", [uscc(3), uscc(1)])
    crashing = _penalties(files / "crashing.csv", [uscc(4), uscc(5), uscc(6)])
    last = _penalties(files / "last.csv", [uscc(3), uscc(4), uscc(1), uscc(2)])

    def run(home: Path, carry: bool) -> None:
        store = EmbeddedStore(home)

        def step(path: Path) -> None:
            nonlocal store
            if not carry:
                store.close()
                store = EmbeddedStore(home)
            load_file(store, path, home=home)

        try:
            step(registry)
            if between == "another connection commits":
                other = EmbeddedStore(home)
                load_file(other, others, home=home)  # creates the enterprise uscc(3)
                other.close()
            elif between == "reset on this connection":
                store.reset()
                step(others)
            else:
                with monkeypatch.context() as m:
                    _crash_after(2, m)  # uscc(4) and uscc(5) written, then the file rolls back
                    with pytest.raises(KeyboardInterrupt):
                        load_file(store, crashing, home=home)
            step(last)
        finally:
            store.close()

    run(tmp_path / "afresh", carry=False)
    run(tmp_path / "carried", carry=True)
    assert _dump(tmp_path / "carried") == _dump(tmp_path / "afresh")
    conn = sqlite3.connect(tmp_path / "carried" / "creditnet.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = [k for (k,) in conn.execute("SELECT key FROM enterprise")]
        assert len(keys) == len(set(keys)) and set(keys) >= {uscc(1), uscc(3), uscc(4)}
        assert not conn.execute("SELECT count(*) FROM record WHERE enterprise_id NOT IN (SELECT id FROM enterprise)"
                                ).fetchone()[0]
    finally:
        conn.close()
