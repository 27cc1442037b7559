"""The Neo4j store: the same graph and the same answers as the embedded store, on a Neo4j server.

Writes of one file run in one explicit transaction (a file of more than `neo4j_rows_per_transaction` rows in
several, seen whole or not at all: large_files.py), in batches of `UNWIND $rows … MERGE … SET`; which
enterprise a code means (a USCC, or a registration number the registry has tied to one) is worked out
client-side per batch, mirroring the embedded writer, so both stores key enterprises the same way.
Reads run in one read transaction per question, routed to readers, with a timeout; traversal queries
carry a LIMIT so a supernode cannot stall a check.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime, timezone

from graph.errors import CreditnetError, StoreBusy, StoreNotEmpty, StoreUnavailable
from graph.identifiers import mask_id_number
from graph.names import han_text
from graph.settings import Settings
from graph.stores import changes
from graph.stores.base import GraphStore
from graph.stores.load_collections import fewer_collections
from graph.stores.neo4j import amendment_queries as aq, load_queries as lq, schema_queries as sq
from graph.stores.neo4j.large_files import LargeFile, OwnLoads, busy_reading
from graph.stores.neo4j.errors import CONCURRENT_CREATE, quietly, retryable, translate, translated, unavailable
from graph.stores.neo4j.properties import migration_rows
from graph.stores.neo4j.reader import Neo4jReader, TimedReads
from graph.stores.neo4j.sender import unlogged
from graph.stores.listing_keys import identities_fingerprint, plan
from graph.stores.neo4j.writer import NO_ENTERPRISE, Neo4jWriter, record_uid


class Neo4jStore(GraphStore):
    name = "neo4j"
    snapshot_reads = False
    # A question whose connection broke (a server restart, a leader change) is asked again on a new
    # connection: the driver retries managed transactions, not the explicit read transactions used here.
    read_retries = 3
    retry_backoff_s = 0.25
    reset_batch_nodes = 10_000  # relationships, then nodes, deleted per transaction by `reset`

    def __init__(self, driver, database: str, settings: Settings, owns_driver: bool = False):
        self.driver = driver
        self.database = database
        self.settings = settings
        self._owns_driver = owns_driver
        self._per_version: dict = {}  # what readers keep per data version (Neo4jReader)
        self._own_loads = OwnLoads()
        self.init_schema()

    @classmethod
    def from_settings(cls, settings: Settings) -> "Neo4jStore":
        from neo4j import GraphDatabase
        auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
        driver = None
        try:
            # Notifications are off: Neo4j warns about relationship types a fresh database has not seen yet.
            driver = GraphDatabase.driver(settings.neo4j_uri, auth=auth, connection_timeout=10,
                                          max_transaction_retry_time=15, notifications_min_severity="OFF")
            driver.verify_connectivity()
            return cls(driver, settings.neo4j_database, settings, owns_driver=True)
        except Exception as exc:  # the driver raises many kinds; all mean "not reachable"
            # A service retries opening on every request while Neo4j is down: each failed try must not leave
            # a driver (and its pool) behind.
            if driver is not None:
                quietly(driver.close)
            if isinstance(exc, CreditnetError):  # init_schema's, already translated
                raise
            raise translate(exc) from exc

    def _session(self, read: bool = False):
        from neo4j import READ_ACCESS, WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=READ_ACCESS if read else WRITE_ACCESS)

    def init_schema(self) -> None:
        try:
            with self._session() as s:
                for statement in [*sq.SCHEMA, *aq.SCHEMA]:
                    s.run(statement).consume()
                for r in list(s.run(sq.OBSOLETE_SCHEMA_PRESENT, names=sq.OBSOLETE_SCHEMA_NAMES)):
                    s.run(f"DROP {'CONSTRAINT' if r['owningConstraint'] else 'INDEX'} {r['owningConstraint'] or r['name']} "
                          f"IF EXISTS").consume()
                if not s.run(sq.FIELDS_AS_PROPERTIES_DONE).single()["done"]:
                    self._rewrite_old_shape_nodes()
                    s.run(sq.MARK_FIELDS_AS_PROPERTIES_DONE).consume()
                # Browser captions show the masked ID (640422********0315), never the full number.
                if not s.run(sq.MASKED_IDS_DONE).single()["done"]:
                    while ids := [r["id_number"] for r in s.run(sq.PERSONS_WITHOUT_MASKED_ID)]:
                        s.run(sq.SET_MASKED_IDS, rows=[{"id_number": i, "masked_id": mask_id_number(i)}
                                                      for i in ids]).consume()
                    s.run(sq.MARK_MASKED_IDS_DONE).consume()
                if not s.run(sq.NAME_HAN_DONE).single()["done"]:
                    self._index_names_without_han(s)
                    s.run(sq.MARK_NAME_HAN_DONE).consume()
                self._key_listings_by_their_list(s)
                if not s.run(sq.LISTED_LABELS_DONE).single()["done"]:
                    s.run(sq.LABEL_LISTED).consume()
                    s.run(sq.MARK_LISTED_LABELS_DONE).consume()
                if not s.run(sq.SHORT_NAMES_DONE).single()["done"]:
                    self._caption_old_names(s)
                    s.run(sq.MARK_SHORT_NAMES_DONE).consume()
                # A full-text index created on a store that holds names is filled in the background: a search
                # before it is online would miss names.
                s.run(sq.AWAIT_NAME_INDEXES).consume()
        except Exception as exc:
            raise translate(exc) from exc

    @staticmethod
    def _key_listings_by_their_list(s) -> None:
        """Listings keyed by their list's identity under the list-type table in use (graph/stores/listing_keys.py)."""
        fingerprint = identities_fingerprint()
        if s.run(sq.LIST_IDENTITIES).single()["fingerprint"] == fingerprint:
            return
        found = [(r["uid"], r["scope"], r["natural"], r["list_type"])
                 for r in s.run(sq.LISTING_KEYS, none=NO_ENTERPRISE)]
        scopes = {uid: scope for uid, scope, _, _ in found}
        rows = [{"uid": uid, "natural": new, "new_uid": record_uid("blacklist", scopes[uid], new)}
                for uid, new in plan(found)]
        for i in range(0, len(rows), 5000):
            s.run(sq.REKEY_LISTINGS, rows=rows[i:i + 5000]).consume()
        s.run(sq.SET_LIST_IDENTITIES, fingerprint=fingerprint).consume()

    @staticmethod
    def _index_names_without_han(s) -> None:
        """Enterprises and persons written before the name index get `name_han`, enterprises through the same
        rewrite as old-shape nodes (their fingerprint changes with it), in batches of their own transactions."""
        while nodes := [dict(r["node"]) for r in s.run(sq.ENTERPRISES_WITHOUT_NAME_HAN)]:
            s.run(sq.REWRITE_NODES["Enterprise"], rows=migration_rows("Enterprise", nodes)).consume()
        while persons := [{"id_number": r["id_number"], "name_han": han_text(r["name"])}
                          for r in s.run(sq.PERSONS_WITHOUT_NAME_HAN)]:
            s.run(sq.SET_NAME_HAN, rows=persons).consume()

    @staticmethod
    def _caption_old_names(s) -> None:
        """Enterprises written before `short_name` get it (and their fingerprint with it), in batches of their own
        transactions; no data version bump: no answer changes."""
        after = ""
        while nodes := [dict(r["node"]) for r in s.run(sq.ENTERPRISES_WITHOUT_SHORT_NAME, after=after)]:
            s.run(sq.REWRITE_NODES["Enterprise"], rows=migration_rows("Enterprise", nodes)).consume()
            after = nodes[-1]["eid"]

    def _rewrite_old_shape_nodes(self, batch: int = 5000) -> None:
        """Nodes holding their fields twice (stores written by earlier versions) rewritten with each field once, in batches
        of their own transactions while one read walks them (properties.py: readers understand both shapes,
        so a reader between two batches answers the same)."""
        with self._session(read=True) as reading, self._session() as writing:
            for label, cypher in sq.OLD_SHAPE_NODES.items():
                nodes: list[dict] = []
                for r in reading.run(cypher):
                    nodes.append(dict(r["node"]))
                    if len(nodes) >= batch:
                        writing.run(sq.REWRITE_NODES[label], rows=migration_rows(label, nodes)).consume()
                        nodes = []
                if nodes:
                    writing.run(sq.REWRITE_NODES[label], rows=migration_rows(label, nodes)).consume()

    @contextmanager
    def writer(self, source: str):
        with fewer_collections(), self._file_transaction(source) as w:
            yield w

    @contextmanager
    def _file_transaction(self, source: str):
        load = LargeFile(source)
        with translated("load"):
            s = self._session()
            try:
                tx = s.begin_transaction()
            except BaseException:
                quietly(s.close)
                raise
        w = None
        lookups = None
        try:
            self._refuse_during_reset(tx)
            load.check_begin(tx.run(sq.RESETTING).single())
            self._own_loads.ids = tuple(i for i in (load.id, load.resumes) if i)
            # On the leader (a write s), where every commit before this transaction is visible, as inside it.
            lookups = self._session()
            w = Neo4jWriter(tx, self.settings.batch_size,
                            lambda cypher, **params: list(lookups.run(cypher, unlogged(params))))
            w.rows_per_transaction = self.settings.neo4j_rows_per_transaction
            w.commit_part = lambda part: self._commit_part(s, part, load)
            w.resumed = load.resumes is not None
            yield w
            w.finish()
            tx = w.tx
            if w.stats.changed or w.resumed:
                tx.run(changes.CYPHER_RECORD, codes=changes.recorded_codes(w.touched)).consume()
            self._check_before_commit(tx, load)
            if load.holds_mark:
                tx.run(sq.END_LOADING).consume()
            if w.load_entry is not None:
                self._log_load(tx, w.load_entry)
            tx.commit()
        except BaseException as exc:
            if w is not None:
                w.close()  # the transaction is used by one thread at a time: its sender's first
                tx = w.tx  # the part being written
            if not tx.closed():
                quietly(tx.rollback)
            if load.parts and isinstance(exc, Exception):
                raise load.interrupted(translate(exc, "load") if unavailable(exc) else exc, exc) from exc
            if isinstance(exc, Exception) and unavailable(exc):
                raise translate(exc, "load") from exc
            if getattr(exc, "code", None) == CONCURRENT_CREATE:
                raise StoreBusy("另一次导入同时写入了同一企业或同一条记录，本文件未导入任何数据（事务已回滚）；请重新导入本文件，"
                                "已存在的数据会被匹配而不会重复 (another load wrote the same enterprise or record at the "
                                "same moment: nothing of this file was loaded; load it again, and what the other load "
                                "wrote will be matched, not duplicated)") from exc
            raise
        finally:
            self._own_loads.ids = ()
            if lookups is not None:
                quietly(lookups.close)
            quietly(s.close)

    def _commit_part(self, s, tx, load: LargeFile):
        """Commits the rows written so far of a file too large for one transaction and begins the next part (on the
        writer's sender thread). The first part's commit marks the meta node; under its lock, taken here, no reset
        and no other large file can begin between the question and the commit (large_files.py)."""
        self._check_before_commit(tx, load)
        if load.parts == 0:
            tx.run(sq.MARK_LOADING, **load.mark()).consume()
        tx.commit()
        load.parts += 1
        return s.begin_transaction()

    @classmethod
    def _check_before_commit(cls, tx, load: LargeFile) -> None:
        """Just before a load's commit (of the file, or of a part of it), under the meta node's lock, which the load
        then holds until its commit has been applied: no reset began, and no other file's mark is there."""
        meta = tx.run(sq.LOCKED_LOADING).single()
        cls._refuse_during_reset(tx, meta)
        load.check_commit(meta)

    @staticmethod
    def _refuse_during_reset(tx, meta=None) -> None:
        """A reset empties the store in several transactions; a load committed between two of them would leave
        part of its file in a store that is otherwise emptied, so a load that finds a reset under way withdraws
        (its transaction is rolled back: nothing of the file is kept)."""
        if (meta or tx.run(sq.RESETTING).single())["resetting"]:
            raise StoreBusy("数据库正在被 creditnet reset 清空，本文件未导入任何数据；请在清空完成后重新导入。如果没有正在运行的 "
                            "reset，说明上次清空被中断，请再次运行 creditnet reset --yes (the store is being emptied by "
                            "`creditnet reset`: nothing of this file was loaded; load it again when the reset has "
                            "finished. If no reset is running, an earlier one was interrupted: run `creditnet reset "
                            "--yes` again)")

    def settled_version(self) -> int:
        """The data version, once any commit in progress has been applied completely.

        Neo4j applies a committing transaction record by record, and a reader sees each record as it lands:
        a question asked while a 100,000-row file was being applied saw the new version and none of the
        file's rows. Read this way before and after a question, equal versions mean no commit overlapped it."""
        from neo4j import Query
        from neo4j.exceptions import Neo4jError
        try:
            # Auto-commit: one round trip, where BEGIN, RUN and COMMIT of an explicit transaction took two or
            # three, and a check asks this twice (0.3 ms a time measured on a loopback server).
            with translated(), self._session() as s:
                meta = s.run(Query(sq.SETTLED_VERSION, timeout=self.settings.query_timeout_s)).single()
        except Neo4jError as exc:
            # The server ends a lock wait that outlasts the transaction's timeout as a ClientError
            # (LockClientStopped): here that only means a commit took that long to apply.
            if "LockClientStopped" in (exc.code or "") or "TransactionTimedOut" in (exc.code or ""):
                raise StoreBusy(f"数据正在导入，提交超过 {self.settings.query_timeout_s:g} 秒仍未完成，请稍后重试 (a load's "
                                f"commit is still being applied after {self.settings.query_timeout_s:g} s; retry "
                                f"shortly)") from exc
            raise
        if meta is None:
            return 0
        if meta["resetting"]:
            raise StoreBusy("数据库正在被 creditnet reset 清空，请在清空完成后重试；如果没有正在运行的 reset，说明上次清空被中断，"
                            "请再次运行 creditnet reset --yes (the store is being emptied by `creditnet reset`: retry when it "
                            "has finished; if no reset is running, an earlier one was interrupted: run `creditnet reset "
                            "--yes` again)")
        if meta["loading_id"] is not None and meta["loading_id"] not in self._own_loads.ids:
            raise busy_reading(meta["loading_file"])
        return int(meta["v"] or 0)

    @contextmanager
    def reader(self):
        # Each read is its own auto-commit transaction with the time limit, not one explicit transaction per
        # question: Neo4j reads are read-committed either way, and BEGIN and COMMIT were two of a check's round
        # trips. What keeps an answer to one state is the settled version read before and after the question
        # (`settled_version`; `GraphStore.read` asks again when they differ).
        with translated():
            version = self.settled_version()
            session = self._session(read=True)
        try:
            yield Neo4jReader(TimedReads(session, self.settings.query_timeout_s), version, self.settled_version,
                              self._per_version)
        except Exception as exc:
            if unavailable(exc):
                raise translate(exc) from exc
            raise
        finally:
            quietly(session.close)

    def read(self, question):
        for attempt in range(1, self.read_retries + 1):
            try:
                return super().read(question)
            except (StoreUnavailable, StoreBusy) as exc:
                if attempt == self.read_retries or not retryable(exc.__cause__):
                    raise
                time.sleep(self.retry_backoff_s * 2 ** (attempt - 1))

    def data_version(self):
        with translated(), self._session(read=True) as s:
            return int(s.run(sq.DATA_VERSION).single()["v"] or 0)

    def reset(self, progress=None):
        # A store too large for one transaction's memory is emptied in batches, each its own transaction. The
        # meta node says a reset is under way from before the first batch until after the last, so that no
        # question answers from a half-emptied store: readers are told to retry instead (settled_version).
        # An interrupted reset leaves the mark; running reset again finishes the job and removes it.
        # (A province's store takes minutes: 4.5 for 12 million nodes and relationships, BENCHMARKS.md; one
        # scan with CALL … IN TRANSACTIONS instead of a statement per batch took as long.)
        with translated(), self._session() as s:
            s.run(sq.BEGIN_RESET).consume()
            for what, batch in (("relationships", sq.RESET_RELATIONSHIPS_BATCH), ("nodes", sq.RESET_BATCH)):
                deleted = 0
                while n := s.run(batch, limit=self.reset_batch_nodes).single()["n"]:
                    deleted += n
                    if progress is not None:
                        progress(what, deleted)
            s.run(sq.END_RESET).consume()

    def empty_meta(self) -> dict:
        """The meta node of a database that holds no data, as it is: what a bulk load (graph/bulk.py) carries over
        into the database it imports. StoreNotEmpty when the database holds anything else: the importer would
        overwrite it."""
        with translated(), self._session(read=True) as s:
            found = s.run(sq.HOLDS_DATA).single()
            meta = s.run(sq.META).single()
        if found is not None:
            raise StoreNotEmpty(
                f"Neo4j 数据库 {self.database} 中已有数据（{'、'.join(found['labels']) or '节点'}），批量导入只能用于空数据库，"
                f"否则会覆盖现有数据；请改用 creditnet load（不加 --bulk）逐个导入文件，或先确认数据可以丢弃并运行 "
                f"creditnet reset --yes 清空后再批量导入 (the database holds data: a bulk load would overwrite it; load "
                f"the files without --bulk, or empty the database with `creditnet reset --yes` first)",
                {"database": self.database})
        meta = dict(meta["meta"]) if meta is not None else {"id": "creditnet", "data_version": 0}
        if meta.get("resetting"):
            raise StoreBusy("上次 creditnet reset 清空数据库时被中断，请再次运行 creditnet reset --yes 后再批量导入 (an "
                            "earlier reset was interrupted: run `creditnet reset --yes` again first)")
        return meta

    def record_load(self, entry):
        with translated(), self._session() as s:
            self._log_load(s, entry)

    @staticmethod
    def _log_load(runner, entry: dict) -> None:
        """On a session, or inside a load's transaction (where the entry gets the version that load makes)."""
        runner.run(lq.LOG_LOAD, at=datetime.now(timezone.utc).isoformat(timespec="seconds"), file=entry["file"],
                   kind=entry["kind"], rows=entry["rows"], loaded=entry["loaded"], rejected=entry["rejected"],
                   rejects_file=entry.get("rejects_file"), sender=entry.get("sender"),
                   sent_as=entry.get("sent_as")).consume()

    def load_history(self):
        with translated(), self._session(read=True) as s:
            return [dict(r) for r in s.run(lq.LOAD_HISTORY)]

    def close(self):
        if self._owns_driver:
            self.driver.close()
