"""The embedded store: a SQLite file as the durable, transactional record and a networkx graph of the
parties (enterprises, persons and the roles between them) built from it for traversal.

No server is needed: a county runs creditnet on one machine. The party graph is rebuilt when the data
version moves, inside the same read transaction as everything else a question reads, so an answer never
mixes the state before a concurrent load with the state after it.
"""
from __future__ import annotations

import errno
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from graph.errors import StoreUnavailable
from graph.model import Party
from graph.names import folded_name
from graph.stores import changes
from graph.stores.base import Edge, GraphReader, GraphStore
from graph.stores.party_graph import PartyGraph, chunks
from graph.stores.embedded_amendments import all_objections, amended_records, decorate
from graph.stores.embedded_rows import preparer
from graph.stores.embedded_writer import KnownCodes, SqliteWriter, store_state
from graph.stores.load_collections import fewer_collections
from graph.record_state import record_id
from graph.unread import UNREAD_COLUMNS
from graph.stores.sqlite_schema import (NO_ENTERPRISE, SCHEMA, SCHEMA_VERSION, is_name_index_table, migrate,
                                        rekey_listings)

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


class EmbeddedReader(GraphReader):
    def __init__(self, conn: sqlite3.Connection, party_graph: PartyGraph):
        self.conn = conn
        self.pg = party_graph
        self.data_version = party_graph.version
        self._amended: set[int] | None = None

    def _standing(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        """Each record dict ((record id, dict holding its `record_id`)) with its events and objections, if any."""
        if self._amended is None:
            self._amended = amended_records(self.conn)
        decorate(self.conn, records, self._amended)

    @staticmethod
    def _id(kind: str, eid: int, key: str | None, natural: str) -> str:
        return record_id(kind, None if eid == NO_ENTERPRISE else key, natural)

    # --- look-ups ----------------------------------------------------------------------------------------
    def enterprise_by_code(self, code, code_kind):
        column = "uscc" if code_kind == "uscc" else "reg_no"
        row = self.conn.execute(f"SELECT key, name FROM enterprise WHERE {column} = ?", (code,)).fetchone()
        return Party("enterprise", row[0], row[1] or "") if row else None

    def enterprises_by_name(self, name_norm, limit=20):
        rows = self.conn.execute("SELECT key, name FROM enterprise WHERE name_norm = ? ORDER BY key LIMIT ?",
                                 (name_norm, limit))
        return [Party("enterprise", k, n or "") for k, n in rows]

    def person(self, id_number):
        row = self.conn.execute("SELECT id_number, name FROM person WHERE id_number = ?", (id_number,)).fetchone()
        return Party("person", row[0], row[1] or "") if row else None

    def listed_persons_named(self, names):
        listed = self.pg.listed_parties(self.conn)
        found: set[tuple[str, str | None]] = set()
        for chunk in chunks(sorted(set(names))):
            found.update(self.conn.execute(
                f"SELECT id_number, name FROM person WHERE name IN ({','.join('?' * len(chunk))})", chunk))
        return [Party("person", key, name or "") for key, name in sorted(found) if ("person", key) in listed]

    def name_candidates(self, kind, terms, cap):
        index, select = (("enterprise_names", "SELECT id, key, name, name_chars FROM enterprise WHERE id IN ({})")
                         if kind == "enterprise" else
                         ("person_names", "SELECT rowid, id_number, name, name_chars FROM person WHERE rowid IN ({})"))
        matched: dict[int, int] = {}
        rows: dict[int, tuple[str, str]] = {}  # rowid: (key, name), of the names read

        def read(rowids: list[int]) -> None:
            for chunk in chunks([r for r in rowids if r not in rows]):
                for rowid, key, name, chars in self.conn.execute(select.format(",".join("?" * len(chunk))), chunk):
                    rows[rowid] = (key, name or "")
                    han[rowid] = (chars or "").replace(" ", "")

        def count(holders: list[int]) -> None:
            for rowid in holders:
                matched[rowid] = matched.get(rowid, 0) + 1

        han: dict[int, str] = {}
        common = self.pg.common_terms  # of this data version
        held: dict[str, list[int]] = {}  # the holders of each run of two that no more than `cap` names hold
        for term in sorted(terms, key=len):
            # A run of three inside a run of two held by few names: its holders are those of the two that hold all
            # three consecutively, read from their names (what FTS5's phrase answers, without its costliest
            # queries: a rare phrase of common characters walks both characters' whole position lists).
            within = next((held[t] for t in (term[:2], term[1:]) if len(term) == 3 and t in held), None)
            if within is not None:
                read(within)
                count([r for r in within if term in han[r]])
                continue
            if (index, term, cap) in common:
                continue
            # A phrase of single characters: the names holding the term's characters consecutively. The term is
            # Han characters only (graph/queries/search.py), so FTS5 never sees its syntax from a user.
            found = [r for (r,) in self.conn.execute(f"SELECT rowid FROM {index} WHERE {index} MATCH ? LIMIT ?",
                                                      (f'"{" ".join(term)}"', cap + 1))]
            if len(found) > cap:
                common.add((index, term, cap))
            else:
                count(found)
                if len(term) == 2:
                    held[term] = found
        read(list(matched))
        return [(*rows[rowid], n) for rowid, n in matched.items()]

    # --- traversal ---------------------------------------------------------------------------------------
    def expand(self, frontier, limit):
        nodes = [(p.kind, p.key) for p in frontier]
        self.pg.ensure(self.conn, nodes)
        edges: list[Edge] = []
        with self.pg.lock:
            for node in nodes:
                edges += self.pg.edges(node)
                if len(edges) > limit:
                    break
        return edges

    def read_ahead(self, subjects, depth):
        loaded = self.pg.read_ahead(self.conn, subjects, depth)
        # What else every check asks, read once per data version as the checks would read it, here in bulk.
        self.listings_by_node(loaded)
        self.standing_of([key for kind, key in loaded if kind == "enterprise"])
        self.unread_codes()
        self.pg.listed_unregistered(self.conn)
        heads = self.pg.registry_heads
        for chunk in chunks([key for kind, key in subjects if kind == "enterprise" and key not in heads]):
            found = dict(self.conn.execute(f"SELECT key, json_extract(props, '$.legal_rep') FROM enterprise "
                                           f"WHERE key IN ({','.join('?' * len(chunk))})", chunk))
            for key in chunk:
                heads[key] = (key in found, found.get(key))

    def _enterprise_ids(self, keys: list[str]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(f"SELECT id, key FROM enterprise WHERE key IN ({marks})", chunk))
        return out

    def listings_by_node(self, nodes):
        listed = self.pg.listed_parties(self.conn)
        wanted = [n for n in nodes if n in listed]  # most parties are listed nowhere: no Party is made for them
        if not wanted:
            return {}
        return {(p.kind, p.key): ls for p, ls in self.listings_of([Party(k, key) for k, key in wanted]).items()}

    def listings_of(self, parties):
        """Listings come from SQLite once per party and data version; callers must not change them."""
        listed = self.pg.listed_parties(self.conn)
        cache = self.pg.listings
        result: dict[Party, list[dict[str, Any]]] = {}
        missing = []
        for p in parties:
            n = (p.kind, p.key)
            if n not in listed:
                continue
            if n in cache:
                result[p] = cache[n]
            else:
                missing.append(p)
        if missing:
            found = {(p.kind, p.key): ls for p, ls in self._read_listings(missing).items()}
            with self.pg.lock:
                for p in missing:
                    cache[(p.kind, p.key)] = result[p] = found.get((p.kind, p.key), [])
        return {p: ls for p, ls in result.items() if ls}

    def _read_listings(self, parties):
        result: dict[Party, list[dict[str, Any]]] = {}
        ents = self._enterprise_ids([p.key for p in parties if p.kind == "enterprise"])
        by_ref = {("enterprise", str(i)): Party("enterprise", k) for i, k in ents.items()}
        by_ref.update({("person", p.key): p for p in parties if p.kind == "person"})
        lookup = {(p.kind, p.key): p for p in parties}
        refs = list(by_ref)
        found: list[tuple[int, dict[str, Any]]] = []
        for chunk in chunks(refs, 400):
            cond = " OR ".join("(ls.party_kind = ? AND ls.party_ref = ?)" for _ in chunk)
            args = [x for pair in chunk for x in pair]
            for kind, ref, rid, props, eid, natural, key in self.conn.execute(
                    "SELECT ls.party_kind, ls.party_ref, r.id, r.props, r.enterprise_id, r.natural, e.key "
                    "FROM listing_subject ls JOIN record r ON r.id = ls.record_id "
                    f"LEFT JOIN enterprise e ON e.id = r.enterprise_id WHERE {cond}", args):
                p = by_ref[(kind, ref)]
                party = lookup[(p.kind, p.key)]
                listing = self._listing(rid, props)
                listing["record_id"] = self._id("blacklist", eid, key, natural)
                found.append((rid, listing))
                result.setdefault(party, []).append(listing)
        self._standing(found)
        return result

    def _listing(self, rid: int, props: str) -> dict[str, Any]:
        data = json.loads(props)
        data["receivers"] = [d for (d,) in self.conn.execute(
            "SELECT department FROM record_department WHERE record_id = ? AND relation = 'received_by' "
            "ORDER BY department", (rid,))]
        sender = self.conn.execute("SELECT department FROM record_department WHERE record_id = ? AND "
                                   "relation = 'sent_by'", (rid,)).fetchone()
        data["sender"] = sender[0] if sender else data.get("sender_as_sent")
        return data

    def standing_of(self, keys):
        # Most enterprises have no penalty of note and no revoked status: the few that do are known once per data
        # version (PartyGraph.noted), only those are asked about, and each is read once per version, as listings are
        # (callers must not change what they are given).
        noted = self.pg.noted_enterprises(self.conn)
        wanted = [k for k in keys if k in noted]
        if not wanted:
            return {}
        cache = self.pg.standing
        missing = [k for k in wanted if k not in cache]
        if missing:
            found = self._read_standing(missing)
            with self.pg.lock:
                cache.update(found)
        return {k: cache[k] for k in wanted}

    def _read_standing(self, wanted: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {k: {"status": None, "penalties": []} for k in wanted}
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            ids = {}
            for eid, key, props in self.conn.execute(f"SELECT id, key, props FROM enterprise WHERE key IN ({marks})", chunk):
                ids[eid] = key
                out[key]["status"] = json.loads(props).get("status")
            if ids:
                marks = ",".join("?" * len(ids))
                penalties: list[tuple[int, dict[str, Any]]] = []
                for rid, eid, natural, props in self.conn.execute(
                        f"SELECT id, enterprise_id, natural, props FROM record WHERE kind = 'penalty' "
                        f"AND enterprise_id IN ({marks})", list(ids)):
                    penalty = {**json.loads(props), "record_id": record_id("penalty", ids[eid], natural)}
                    penalties.append((rid, penalty))
                    out[ids[eid]]["penalties"].append(penalty)
                self._standing(penalties)
        return out

    # --- profile -----------------------------------------------------------------------------------------
    def _eid(self, key: str) -> int | None:
        row = self.conn.execute("SELECT id FROM enterprise WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def unread_of_file(self, source, kind):
        return list(self.conn.execute("SELECT code, row FROM unread_row WHERE source = ? AND kind = ?", (source, kind)))

    def unread_codes(self):
        # Few parties have rejected rows: their codes are read once per data version, and only those are asked about.
        return self.pg.unread_codes(self.conn)

    def unread_about(self, keys):
        codes = self.pg.unread_codes(self.conn)
        wanted = [k for k in keys if k in codes]
        out: list[dict[str, Any]] = []
        for chunk in chunks(wanted):
            out += [dict(zip(UNREAD_COLUMNS, row)) for row in self.conn.execute(
                f"SELECT {', '.join(UNREAD_COLUMNS)} FROM unread_row WHERE code IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(out, key=lambda e: (e["source"], e["row"], e["code"]))

    def listed_unregistered_named(self, name):
        return self.pg.listed_unregistered(self.conn).get(folded_name(name), [])

    def registry_head(self, key):
        # Asked by every check of an enterprise (graph/queries/named.py): read once per data version, as edges are.
        found = self.pg.registry_heads.get(key)
        if found is None:
            row = self.conn.execute("SELECT json_extract(props, '$.legal_rep') FROM enterprise WHERE key = ?",
                                    (key,)).fetchone()
            found = self.pg.registry_heads[key] = (row is not None, row[0] if row else None)
        return found

    def enterprise(self, key):
        row = self.conn.execute("SELECT key, uscc, reg_no, name, in_registry, props FROM enterprise WHERE key = ?",
                                (key,)).fetchone()
        if not row:
            return None
        key, uscc, reg_no, name, in_registry, props = row
        return {"key": key, "uscc": uscc, "reg_no": reg_no, "name": name, "in_registry": bool(in_registry),
                **json.loads(props)}

    def records_of(self, enterprise_key):
        eid = self._eid(enterprise_key)
        out: dict[str, list[dict[str, Any]]] = {}
        if eid is None:
            return out
        found: list[tuple[int, dict[str, Any]]] = []
        for rid, kind, natural, props in self.conn.execute(
                "SELECT id, kind, natural, props FROM record WHERE enterprise_id = ? ORDER BY kind, natural", (eid,)):
            data = self._listing(rid, props) if kind == "blacklist" else json.loads(props)
            if kind != "blacklist":
                depts = self.conn.execute("SELECT department FROM record_department WHERE record_id = ? "
                                          "AND relation = 'issued_by' ORDER BY department", (rid,)).fetchall()
                data["departments"] = [d for (d,) in depts]
            data["record_id"] = record_id(kind, enterprise_key, natural)
            found.append((rid, data))
            out.setdefault(kind, []).append(data)
        self._standing(found)
        return out

    def _edges_around(self, node: tuple[str, str]) -> list[Edge]:
        self.pg.ensure(self.conn, [node])
        with self.pg.lock:
            return self.pg.edges(node)

    def members_of(self, enterprise_key):
        return [e for e in self._edges_around(("enterprise", enterprise_key)) if e.enterprise.key == enterprise_key]

    def roles_of(self, party):
        return [e for e in self._edges_around((party.kind, party.key)) if e.member == Party(party.kind, party.key, e.member.name)]

    # --- departments -------------------------------------------------------------------------------------
    def department_listings(self, department):
        out = []
        found: list[tuple[int, dict[str, Any]]] = []
        for rid, props, eid, natural, key in self.conn.execute(
                "SELECT r.id, r.props, r.enterprise_id, r.natural, e.key FROM record_department rd "
                "JOIN record r ON r.id = rd.record_id LEFT JOIN enterprise e ON e.id = r.enterprise_id "
                "WHERE rd.department = ? AND rd.relation = 'received_by' AND r.kind = 'blacklist'", (department,)):
            listing = self._listing(rid, props)
            listing["record_id"] = self._id("blacklist", eid, key, natural)
            listing["_subjects"] = self._subjects(rid)
            found.append((rid, listing))
            out.append(listing)
        self._standing(found)
        return out

    def _subjects(self, rid: int) -> list[Party]:
        parties = []
        for kind, ref in self.conn.execute(
                "SELECT party_kind, party_ref FROM listing_subject WHERE record_id = ? ORDER BY party_kind", (rid,)):
            if kind == "enterprise":
                key, name = self.conn.execute("SELECT key, name FROM enterprise WHERE id = ?", (int(ref),)).fetchone()
                parties.append(Party("enterprise", key, name or ""))
            else:
                parties.append(self.person(ref) or Party("person", ref))
        return parties

    def changed_parties(self, after, upto):
        return changes.since_sqlite(self.conn, after, upto)

    def licences_issued(self):
        # Every pass of alerts asks, for every licence of the county: the four fields it needs, not the whole record.
        out = []
        for valid_from, valid_to, status, number, key, name, department in self.conn.execute(
                "SELECT json_extract(r.props, '$.valid_from'), json_extract(r.props, '$.valid_to'), "
                "json_extract(r.props, '$.status'), json_extract(r.props, '$.license_no'), e.key, e.name, rd.department "
                "FROM record r JOIN enterprise e ON e.id = r.enterprise_id "
                "JOIN record_department rd ON rd.record_id = r.id AND rd.relation = 'issued_by' "
                "WHERE r.kind = 'license'"):
            out.append({"valid_from": valid_from, "valid_to": valid_to, "status": status, "license_no": number,
                        "departments": [department], "party": Party("enterprise", key, name or "")})
        return out

    def department_issued(self, department):
        return dict(self.conn.execute(
            "SELECT r.kind, count(*) FROM record_department rd JOIN record r ON r.id = rd.record_id "
            "WHERE rd.department = ? AND rd.relation IN ('issued_by', 'sent_by') GROUP BY r.kind", (department,)))

    def department_names(self):
        names = {n for (n,) in self.conn.execute("SELECT name FROM department")}
        names.update(a for (a,) in self.conn.execute("SELECT sent_as FROM department_alias"))
        return sorted(names)

    def department_alias(self, sent_as: str) -> str | None:
        row = self.conn.execute("SELECT name FROM department_alias WHERE sent_as = ?", (sent_as,)).fetchone()
        return row[0] if row else None

    def counts(self):
        c = self.conn
        nodes = {
            "enterprise": c.execute("SELECT count(*) FROM enterprise").fetchone()[0],
            "enterprise_in_registry": c.execute("SELECT count(*) FROM enterprise WHERE in_registry = 1").fetchone()[0],
            "person": c.execute("SELECT count(*) FROM person").fetchone()[0],
            "department": c.execute("SELECT count(*) FROM department").fetchone()[0],
            "role": c.execute("SELECT count(*) FROM role").fetchone()[0],
        }
        records = dict(c.execute("SELECT kind, count(*) FROM record GROUP BY kind"))
        per_department: dict[str, dict[str, int]] = {}
        for dept, kind, n in c.execute(
                "SELECT rd.department, r.kind, count(*) FROM record_department rd JOIN record r ON r.id = rd.record_id "
                "WHERE rd.relation IN ('issued_by', 'sent_by') GROUP BY rd.department, r.kind"):
            per_department.setdefault(dept, {})[kind] = n
        return {"nodes": nodes, "records": records, "per_department": per_department}

    def words_used(self):
        return _words_used(self.conn)

    def objections(self):
        return all_objections(self.conn)


def _words_used(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    list_types = dict(conn.execute("SELECT coalesce(json_extract(props, '$.list_type'), ''), count(*) FROM record "
                                   "WHERE kind = 'blacklist' GROUP BY 1"))
    roles = dict(conn.execute("SELECT role, count(*) FROM role GROUP BY role"))
    return {"list_types": list_types, "roles": roles}


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
            "INSERT INTO load_log (at, file, kind, rows, loaded, rejected, rejects_file, data_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), entry["file"], entry["kind"], entry["rows"],
             entry["loaded"], entry["rejected"], entry.get("rejects_file"), version))

    def load_history(self):
        cols = ("at", "file", "kind", "rows", "loaded", "rejected", "rejects_file", "data_version")
        return [dict(zip(cols, row)) for row in self._read_conn().execute(
            f"SELECT {', '.join(cols)} FROM load_log ORDER BY id")]

    def close(self):
        for conn in (self._write, getattr(self._local, "conn", None)):
            if conn is not None:
                conn.close()
