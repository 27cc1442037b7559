"""The embedded store: a SQLite file as the durable, transactional record and a networkx graph of the
parties (enterprises, persons and the roles between them) built from it for traversal.

No server is needed: a county runs creditnet on one machine. The party graph is rebuilt when the data
version moves, inside the same read transaction as everything else a question reads, so an answer never
mixes the state before a concurrent load with the state after it.

This module opens the store (creating or migrating its schema), writes a file in one transaction, resets and
keeps the load log; the questions are answered by `embedded_reader.EmbeddedReader`.
"""
from __future__ import annotations

import errno
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from graph.errors import StoreUnavailable
from graph.stores import changes
from graph.stores.base import GraphStore
from graph.stores.party_graph import PartyGraph
from graph.stores.embedded_reader import EmbeddedReader
from graph.stores.embedded_rows import preparer
from graph.stores.embedded_writer import KnownCodes, SqliteWriter, store_state
from graph.stores.load_collections import fewer_collections
from graph.stores.sqlite_schema import SCHEMA, SCHEMA_VERSION, is_name_index_table, migrate, rekey_listings

CACHE_KIB = 65536  # every connection's page cache, and the write connection's between loads


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return conn


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def disk_full_error(home: Path, exc: BaseException, during: str = "") -> StoreUnavailable:
    fate = ("本文件未导入，数据保持导入前的状态；请清理磁盘空间后重新导入。" if during == "load" else "请清理磁盘空间后重试。")
    return StoreUnavailable(f"磁盘已满：{home} 所在的磁盘没有剩余空间（{exc}）。{fate}"
                            f"(the disk holding {home} is full{'; nothing of this file was kept' if during == 'load' else ''}:"
                            f" free some space and {'load it again' if during == 'load' else 'retry'})",
                            {"directory": str(home)})


class EmbeddedStore(GraphStore):
    name = "embedded"
    crosses_fork = True

    def __init__(self, home: Path, *, load_cache_mb: int = 1024):
        self.home = Path(home)
        self.load_cache_kib = load_cache_mb * 1024
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.path = self.home / "creditnet.sqlite"
            self._write: sqlite3.Connection | None = _connect(self.path)
            self._write_conn.executescript(SCHEMA)
            self._write_conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('data_version', '0')")
            self._write_conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                                     (str(SCHEMA_VERSION),))
            migrate(self._write_conn)
            rekey_listings(self._write_conn)
        except (OSError, sqlite3.Error) as exc:
            if is_disk_full(exc):
                raise disk_full_error(self.home, exc) from exc
            raise StoreUnavailable(f"无法打开数据目录 {home}：{exc}。请检查 CREDITNET_HOME 是否可写 "
                                   f"(cannot open the store; check that CREDITNET_HOME is writable)") from exc
        self._local = threading.local()
        self._graph: PartyGraph | None = None
        self._graph_lock = threading.Lock()
        self._known_codes: KnownCodes | None = None  # the last load's map of codes (embedded_writer.KnownCodes)

    @property
    def _write_conn(self) -> sqlite3.Connection:
        if self._write is None:  # closed before a fork (release_connections)
            self._write = _connect(self.path)
        return self._write

    def release_connections(self) -> None:
        for conn in (self._write, getattr(self._local, "conn", None)):
            if conn is not None:
                conn.close()
        self._write, self._local = None, threading.local()

    def forked(self) -> EmbeddedStore:
        child = EmbeddedStore(self.home, load_cache_mb=self.load_cache_kib // 1024)
        pg = self._graph
        if pg is not None:
            pg.lock = threading.Lock()  # the parent's could have been held by a thread the fork did not copy
            child._graph = pg
        return child

    def _read_conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
        return conn

    @contextmanager
    def writer(self, source: str):
        conn = self._write_conn
        # A file's transaction keeps every page it changed: with the 64 MB cache, a load into a store of a
        # province (2.2 GB at 1,000,000 enterprises, its persons, roles and codes inserted in random key order)
        # spilled dirty pages to the WAL and read them back for most inserts. The cache is only as large as the
        # pages the load touches, and shrinks back after it (CREDITNET_LOAD_CACHE_MB; durability unchanged).
        conn.execute(f"PRAGMA cache_size=-{max(self.load_cache_kib, CACHE_KIB)}")
        try:
            with self._disk_full_translated("load"):
                conn.execute("BEGIN IMMEDIATE")
            try:
                # The map is handed to one writer, which changes it as it writes: kept only once its file committed.
                known, self._known_codes = self._known_codes, None
                w = SqliteWriter(conn, known if known is not None and known.as_of == store_state(conn) else None)
                with fewer_collections():
                    yield w
                    w.finish()
                if w.stats.changed:
                    changes.record_sqlite(conn, w.touched)
                if w.load_entry is not None:
                    self._log_load(conn, w.load_entry)
                conn.execute("COMMIT")
                self._known_codes = w.known_codes()
            except BaseException as exc:
                self._rollback(conn)
                if is_disk_full(exc):
                    raise disk_full_error(self.home, exc, "load") from exc
                raise
        finally:
            try:
                conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")  # frees the pages above it
            except sqlite3.Error:  # a closed connection: nothing to free, and the load's own error matters
                pass

    def row_preparer(self, kind: str):
        return preparer(kind)

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # SQLite rolls back by itself on some errors (SQLITE_FULL at COMMIT): a second ROLLBACK would fail and
        # hide the error that matters.
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    @contextmanager
    def _disk_full_translated(self, during: str = ""):
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            if is_disk_full(exc):
                raise disk_full_error(self.home, exc, during) from exc
            raise

    @contextmanager
    def reader(self):
        conn = self._read_conn()
        conn.execute("BEGIN")  # a WAL read transaction: one snapshot for the whole question
        try:
            version = int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
            yield EmbeddedReader(conn, self._party_graph(conn, version))
        finally:
            conn.execute("COMMIT")

    def _party_graph(self, conn: sqlite3.Connection, version: int) -> PartyGraph:
        pg = self._graph
        if pg is not None and pg.version == version:
            return pg
        with self._graph_lock:
            pg = self._graph
            if pg is None or pg.version != version:
                pg = PartyGraph(version)
                if self._graph is None or self._graph.version < version:
                    self._graph = pg
        return pg

    def data_version(self):
        return int(self._read_conn().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])

    def reset(self, progress=None):  # one transaction: nothing to report on the way
        conn = self._write_conn
        with self._disk_full_translated():
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = self.data_version()
                for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
                                             ).fetchall():
                    if not is_name_index_table(table):  # emptied by its triggers as enterprise and person are
                        conn.execute(f"DELETE FROM {table}")
                conn.execute("UPDATE meta SET value = ? WHERE key = 'data_version'", (str(version + 1),))
                conn.execute("COMMIT")
            except BaseException:
                self._rollback(conn)
                raise

    def record_load(self, entry):
        with self._disk_full_translated():
            self._log_load(self._write_conn, entry)

    @staticmethod
    def _log_load(conn: sqlite3.Connection, entry: dict) -> None:
        """On `conn`, so that inside a load's transaction the entry carries the version that load makes."""
        version = int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
        conn.execute(
            "INSERT INTO load_log (at, file, kind, rows, loaded, rejected, rejects_file, data_version, sender, sent_as) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), entry["file"], entry["kind"], entry["rows"],
             entry["loaded"], entry["rejected"], entry.get("rejects_file"), version, entry.get("sender"),
             entry.get("sent_as")))

    def load_history(self):
        cols = ("at", "file", "kind", "rows", "loaded", "rejected", "rejects_file", "data_version", "sender", "sent_as")
        return [dict(zip(cols, row)) for row in self._read_conn().execute(
            f"SELECT {', '.join(cols)} FROM load_log ORDER BY id")]

    def close(self):
        for conn in (self._write, getattr(self._local, "conn", None)):
            if conn is not None:
                conn.close()
