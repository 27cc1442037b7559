"""The Neo4j store: the same graph and the same answers as the embedded store, on a Neo4j server.

Writes of one file run in one explicit transaction, in batches of `UNWIND $rows … MERGE … SET`; which
enterprise a code means (a USCC, or a registration number the registry has tied to one) is worked out
client-side per batch, mirroring the embedded writer, so both stores key enterprises the same way.
Reads run in one read transaction per question, routed to readers, with a timeout; traversal queries
carry a LIMIT so a supernode cannot stall a check.
"""
from __future__ import annotations

import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from graph.errors import CreditnetError, StoreBusy, StoreUnavailable, TransactionTooLarge
from graph.identifiers import mask_id_number
from graph.model import Party, listed_person
from graph.settings import Settings
from graph.stores import neo4j_queries as q
from graph.stores.base import Edge, GraphReader, GraphStore, GraphWriter, WriteStats
from graph.stores.load_collections import fewer_collections
from graph.stores.neighbourhood import Neighbourhood
from graph.stores.neo4j_properties import (ENTERPRISE_KEYS, RECORD_KEYS, enterprise_node, fields, migration_rows,
                                           record_node)
from graph.stores.neo4j_sender import StatementSender

# The most parties a check's neighbourhood query gathers (each level's `NOT n IN …` grows with the level);
# a larger neighbourhood is traversed level by level, as before.
NEIGHBOURHOOD_CAP = 2000

# A transaction that outgrew db.memory.transaction.max or dbms.memory.transaction.total.max.
OUT_OF_TRANSACTION_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


def _translate(exc: Exception, during: str = "") -> CreditnetError:
    """The driver's exception as creditnet's: the server cannot be used now (unreachable, connection lost,
    transient trouble), or a transaction outgrew its memory. `during="load"` says what became of the file being
    loaded."""
    from neo4j.exceptions import IncompleteCommit, TransientError
    if getattr(exc, "code", None) == OUT_OF_TRANSACTION_MEMORY:
        # Neo4j calls it transient, but the same file fails the same way however often it is sent again.
        fate = ("本文件未导入任何数据（事务已回滚）。请把文件拆成几个较小的文件分别导入（每个文件一个事务；登记表每行约需 17 KB，"
                "许可每行约 14 KB），或调大 Neo4j 的堆内存（scripts/neo4j-local 的 NEO4J_HEAP；事务最多可用堆的 70%，"
                "见 dbms.memory.transaction.total.max 与 db.memory.transaction.max）。(the file's transaction needs more memory "
                "than the Neo4j server allows; nothing was loaded: split the file into smaller ones, or give the server "
                "more heap)" if during == "load" else
                "请调大 Neo4j 的堆内存或事务内存上限。(a transaction needed more memory than the Neo4j server allows)")
        return TransactionTooLarge(f"Neo4j 事务内存不足（{exc.message}）。{fate}")
    if isinstance(exc, TransientError):
        return StoreBusy(f"Neo4j 暂时无法处理请求（{exc.__class__.__name__}: {exc}），请稍后重试 "
                         f"(a transient Neo4j error; retry shortly)")
    fate = ""
    if during == "load":
        fate = ("与 Neo4j 的连接在提交时中断，无法确定本文件是否已导入；重复导入不会产生重复数据，请在 Neo4j 恢复后重新导入本文件。"
                if isinstance(exc, IncompleteCommit) else "本文件未导入任何数据（事务已回滚）；Neo4j 恢复后请重新导入本文件。")
    return StoreUnavailable(f"无法连接 Neo4j：{exc.__class__.__name__}: {exc}。{fate}请确认 Neo4j 正在运行且网络可达，"
                            f"检查 CREDITNET_NEO4J_URI 与账号密码，或用 scripts/neo4j-local start 启动本地服务 "
                            f"(Neo4j is unreachable{'; re-run the load once it is back' if fate else ''})")


def _unavailable(exc: BaseException | None) -> bool:
    """Driver errors that mean "the server cannot be used now" (or not with these credentials), as opposed to a
    mistake in a query, which must surface as itself."""
    from neo4j.exceptions import AuthError, ConfigurationError, DriverError, ResultError, TransientError
    return isinstance(exc, (OSError, TransientError, AuthError)) or (
        isinstance(exc, DriverError) and not isinstance(exc, (ConfigurationError, ResultError)))


def _retryable(exc: BaseException | None) -> bool:
    """Worth asking again: the connection broke (the pool opens a new one) or the server said "transient"."""
    from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
    return isinstance(exc, (ServiceUnavailable, SessionExpired, TransientError, OSError))


@contextmanager
def _translated(during: str = ""):
    try:
        yield
    except Exception as exc:
        if _unavailable(exc):
            raise _translate(exc, during) from exc
        raise


# A load CREATEs the enterprises and records it knows to be new (faster than MERGE). Two loads running at once
# that both create the same one: the second waits on the first's uniqueness entry, and once the first commits
# the second fails with this code. Loading that file again matches what the first wrote.
CONCURRENT_CREATE = "Neo.ClientError.Schema.ConstraintValidationFailed"


class _Rows(list):
    """A statement's rows, as the driver packs them (a list), whose text is short. The driver formats every RUN's
    parameters for its debug log before it asks whether debug is on: the repr of a batch of 10,000 rows cost as
    much client CPU as packing it (28 against 24 ms)."""
    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _unlogged(params: dict[str, Any]) -> dict[str, Any]:
    return {k: _Rows(v) if type(v) is list else v for k, v in params.items()}


def _quietly(close) -> None:
    """Closing what a lost connection left behind: the server rolls an orphaned transaction back by itself."""
    try:
        close()
    except Exception:
        pass


# The uid of a listing of a natural person alone: "-" is never an eid (a uuid's hex), so it meets no enterprise's.
NO_ENTERPRISE = "-"


def _record_uid(kind: str, eid: str | None, natural: str) -> str:
    return f"{kind}|{NO_ENTERPRISE if eid is None else eid}|{natural}"


def _last_of_each_role(rows: list[dict]) -> dict[tuple, dict]:
    """One row per (enterprise, member, role), as the rows applied one after the other would leave it: the last
    share, and the last since and until given (a row without one keeps the one before)."""
    out: dict[tuple, dict] = {}
    for r in rows:
        key = (r["eid"], r["member"], r["role"])
        before = out.get(key)
        out[key] = r if before is None else {**r, "since": r["since"] or before["since"],
                                             "until": r["until"] or before["until"]}
    return out


class _Ent:
    """An enterprise as this transaction knows it; `new` until its node is written (created by this writer).
    `props` None: its fields were not fetched (a member row or a record needs only who it is)."""
    __slots__ = ("eid", "key", "uscc", "reg_no", "name", "in_registry", "props", "dirty", "new", "no_records")

    def __init__(self, eid, key, uscc, reg_no, name, in_registry, props, dirty=False, new=False, no_records=False):
        self.eid, self.key, self.uscc, self.reg_no, self.name = eid, key, uscc, reg_no, name
        self.in_registry, self.props, self.dirty, self.new = in_registry, props, dirty, new
        # No record concerned it when this transaction first read it (or created it): its records are new unless
        # this transaction wrote them (Neo4jWriter.written_uids).
        self.no_records = no_records


class Neo4jWriter(GraphWriter):
    """Buffers one batch of row operations, then resolves enterprises and writes them with UNWIND batches."""

    def __init__(self, tx, batch_size: int, lookup: Callable[..., list]):
        self.tx = tx  # used by the sender's thread only, until close()
        self.lookup = lookup  # lookup(cypher, **params) on a connection of its own (see _look_up)
        # The look-ups run on a thread of their own, one batch ahead: batch n+1's are asked while this thread
        # resolves and prepares batch n (waiting for them on this thread was ~11 s of a 60 s county load).
        self.lookup_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="creditnet-neo4j-lookup")
        self.batches: deque[tuple[list[tuple], Future, bool]] = deque()  # ops, their look-up, registry rows?
        self.batch_size = batch_size
        self.sender = StatementSender(max_pending_rows=2 * batch_size)
        self.stats = WriteStats()
        self.ops: list[tuple] = []
        self.ents: dict[str, _Ent] = {}           # eid -> state known in this transaction
        self.folded_away: set[str] = set()        # eids of enterprises folded into another by this transaction
        self.by_uscc: dict[str, str] = {}
        self.by_reg: dict[str, str] = {}
        self.touched_eids: set[str] = set()
        self.departments_seen: set[tuple[str, str]] = set()
        # Enterprises created by this transaction -> the legal representative this file gave them (or None).
        self.fresh_reps: dict[str, str | None] = {}
        # Enterprises created by this transaction and never folded into or out of: no relationship can reach them
        # but the roles this writer creates, which it remembers (fresh_roles), so their new roles are CREATEd.
        self.created: set[str] = set()
        self.fresh_roles: set[tuple[str, str, str, str]] = set()
        # Persons this transaction wrote or looked up -> (name, ID type) as it left them or as the store held them
        # (_look_up). A registry names the same person in many rows (a legal representative in the
        # enterprise file and again in the member file, a shareholder of several enterprises): a row that would
        # change nothing sends nothing.
        self.people: dict[str, tuple[str | None, str | None]] = {}
        # Roles of person members known to exist, as the store held them (LOOKUP_PERSONS_WITH_ROLES) or as this
        # transaction wrote them: (type, eid, person, role) -> (share, since, until). A role row that would leave one
        # as it is is not sent: its MERGE would change nothing. Not trusted for a legal representative whose
        # enterprise this transaction replaced (REPLACE_LEGAL_REPRESENTATIVE ends terms and clears them), nor at all
        # after a fold (which moves roles).
        self.person_roles: dict[tuple[str, str, str, str], tuple[str, str | None, str | None]] = {}
        self.replaced: set[str] = set()
        self.folded = False
        # Records this transaction wrote, and the record kinds it wrote (changes are linked only when their kind or
        # the kind they change was loaded).
        self.written_uids: set[str] = set()
        self.written_kinds: set[str] = set()

    # --- the GraphWriter interface only buffers ------------------------------------------------------------
    def _push(self, *op) -> None:
        self.ops.append(op)
        if len(self.ops) >= self.batch_size:
            self._hand_over()
            while len(self.batches) > 1:
                self._write_batch(*self.batches.popleft())

    def _hand_over(self) -> None:
        """The batch is complete: ask what the store holds of what it names (on the look-up thread), and keep it
        until the batch before it has been written."""
        if self.ops:
            ops, self.ops = self.ops, []
            codes, registry, ids, with_roles = self._unknown(ops)
            self.batches.append((ops, self.lookup_thread.submit(self._look_up, codes, registry, ids, with_roles),
                                 registry))

    def flush(self) -> None:
        self._hand_over()
        while self.batches:
            self._write_batch(*self.batches.popleft())

    def enterprise(self, code, code_kind, *, name, reg_no=None, props=None, from_registry=False):
        self._push("enterprise", code, code_kind, name, reg_no, props, from_registry)

    def person(self, id_number, name, id_type=None):
        self._push("person", id_number, name, id_type)

    def role(self, member, enterprise_code, enterprise_code_kind, role, share=None, since=None, until=None):
        self._push("role", member, enterprise_code, enterprise_code_kind, role, share, since, until)

    def replace_legal_representative(self, enterprise_code, code_kind, person_id, role, on):
        self._push("replace", enterprise_code, code_kind, person_id, role, on)

    def record(self, kind, natural_key, enterprise_code, enterprise_code_kind, props, departments=()):
        self._push("record", kind, natural_key, enterprise_code, enterprise_code_kind, props, list(departments))

    def finish(self):
        self.flush()
        if self.written_kinds & {"license", "license-change"}:
            self._send(q.LINK_CHANGES, eids=list(self.touched_eids))
        if self.written_kinds & {"penalty", "penalty-change"}:
            self._send(q.LINK_PENALTY_CHANGES, eids=list(self.touched_eids))
        self.sender.drain()
        if self.stats.changed:
            self._send(q.BUMP_VERSION)
        self.sender.drain()
        self.close()

    def close(self) -> None:
        """Waits for the statement in flight and drops the rest: the transaction is this thread's again; and for
        the look-up in flight, so that its connection may be closed."""
        self.sender.close()
        self.lookup_thread.shutdown(wait=True, cancel_futures=True)

    def _send(self, cypher: str, n_rows: int = 0, **params) -> None:
        params = _unlogged(params)

        def run():
            try:
                c = self.tx.run(cypher, **params).consume().counters
            finally:
                # The driver keeps a statement's parameters in its result and summary, which refer to each other:
                # only the cyclic collector frees them, so every row of a file stayed in memory after it was sent,
                # and a full collection then walked them all (~500,000 objects after a records file of the
                # 100,000-enterprise county: 1.2 s). Every list sent is made for its one statement.
                for value in params.values():
                    if type(value) is _Rows:
                        value.clear()
            # Only the sender's thread counts; the loading thread reads the sum after drain().
            self.stats.changed += (c.nodes_created + c.nodes_deleted + c.relationships_created
                                   + c.relationships_deleted + c.properties_set)
        self.sender.send(run, n_rows)

    # --- resolution ----------------------------------------------------------------------------------------
    def _unknown(self, ops: list[tuple]) -> tuple[list[str], bool, list[str], bool]:
        """What a batch names that this transaction has not met yet: enterprise codes (and whether the batch holds
        registry rows, whose enterprises' fields must be known), person ID numbers (and whether it writes roles)."""
        codes, ids, registry, with_roles = set(), set(), False, False
        for op in ops:
            kind = op[0]
            if kind == "enterprise":
                codes.update(c for c in (op[1], op[4]) if c)
                registry = registry or bool(op[6])
            elif kind == "person":
                ids.add(op[1])
            elif kind == "role":
                codes.add(op[2])
                if op[1].kind == "enterprise":
                    codes.add(op[1].key)
                else:
                    ids.add(op[1].key)
                    with_roles = True
            elif kind == "replace":
                codes.add(op[1])
            elif kind == "record" and op[3] is not None:  # None: a listing of a natural person alone
                codes.add(op[3])
        return ([c for c in codes if c not in self.by_uscc and c not in self.by_reg], registry,
                [i for i in ids if i not in self.people], with_roles and not self.folded)

    def _look_up(self, codes: list[str], registry: bool, ids: list[str], with_roles: bool) -> tuple[list, list]:
        """On the look-up thread: the enterprises and persons the store holds (or what another load committed
        since, which this transaction would read too), asked on a connection of its own, so that the question need
        not wait behind this transaction's statements in flight. (Asked inside the transaction, it waited for the
        server to finish everything sent, and the server then idled while the client prepared the next batch.)
        A member row or a record needs only who its enterprise is; a registry row merges its fields into the
        enterprise's, so they are fetched too."""
        cypher = q.LOOKUP_ENTERPRISES_IN_FULL if registry else q.LOOKUP_ENTERPRISES
        enterprises = [r for i in range(0, len(codes), 5000) for r in self.lookup(cypher, codes=codes[i:i + 5000])]
        cypher = q.LOOKUP_PERSONS_WITH_ROLES if with_roles else q.LOOKUP_PERSONS
        persons = [r for i in range(0, len(ids), 5000) for r in self.lookup(cypher, ids=ids[i:i + 5000])]
        return enterprises, persons

    def _apply_look_up(self, ops: list[tuple], found: Future, registry: bool) -> None:
        """What the look-up found, for what this transaction has not met or written since it was asked (the batch
        before this one may have created, changed or folded an enterprise, or written a person, after the question
        went out: what it knows is newer). `registry`: the batch holds registry rows (`_unknown` said so)."""
        enterprises, persons = found.result()
        for r in enterprises:
            node = r["node"]
            uscc, reg_no = node.get("uscc"), node.get("reg_no")
            if node["eid"] in self.ents or node["eid"] in self.folded_away or \
                    (uscc and uscc in self.by_uscc) or (reg_no and reg_no in self.by_reg):
                continue
            e = _Ent(node["eid"], node["key"], uscc, reg_no, node.get("name"), node.get("in_registry") or 0,
                     fields(node, ENTERPRISE_KEYS) if registry else None, no_records=r["no_records"])
            self.ents[e.eid] = e
            if uscc:
                self.by_uscc[uscc] = e.eid
            if reg_no:
                self.by_reg[reg_no] = e.eid
        for r in persons:
            person = r["id_number"]
            self.people.setdefault(person, (r["name"], r["id_type"]))
            for rel_type, eid, role, share, since, until in r.get("roles") or ():
                self.person_roles.setdefault((rel_type, eid, person, role), ("" if share is None else share, since, until))
        if registry:  # a registry row merges its fields into the enterprise's: they must be known
            named = [self._find(op[1], op[2]) for op in ops if op[0] == "enterprise" and op[6]]
            named += [self._find(op[4], "reg_no") for op in ops if op[0] == "enterprise" and op[6] and op[4]]
            self._fetch_fields([e for e in named if e is not None])

    def _unchanged_role(self, rel_type: str, r: dict) -> bool:
        """A person's role this transaction knows to exist with this share (coalesce(r.share, '') as the MERGE
        compares it) and the term the row would leave it with (a known since or until stays where the row gives
        none); remembered as sent otherwise."""
        key = (rel_type, r["eid"], r["member"], r["role"])
        share = "" if r["share"] is None else r["share"]
        if self.folded or (rel_type == "LEGAL_REPRESENTATIVE_OF" and r["eid"] in self.replaced):
            return False
        known = self.person_roles.get(key)
        after = (share, r["since"], r["until"]) if known is None else \
            (share, r["since"] or known[1], r["until"] or known[2])
        if known == after:
            return True
        self.person_roles[key] = after
        return False

    def _fetch_fields(self, ents: list[_Ent]) -> None:
        """The fields of enterprises met without them: what the store held before this transaction (it has not
        written them: it writes an enterprise only once it knows its fields)."""
        missing = {e.eid: e for e in ents if e.props is None}
        eids = list(missing)
        for i in range(0, len(eids), 5000):
            # On the look-up thread, whose connection it is (a session serves one thread at a time).
            rows = self.lookup_thread.submit(self.lookup, q.LOOKUP_FIELDS, eids=eids[i:i + 5000]).result()
            for r in rows:
                missing[r["node"]["eid"]].props = fields(r["node"], ENTERPRISE_KEYS)
        for e in missing.values():
            if e.props is None:  # gone since (a concurrent load folded it away): it is written with what is known
                e.props = {}

    def _find(self, code: str, code_kind: str) -> _Ent | None:
        eid = (self.by_uscc if code_kind == "uscc" else self.by_reg).get(code)
        return self.ents.get(eid) if eid else None

    def _apply_enterprise(self, code, code_kind, name, reg_no, props, from_registry, merges) -> _Ent:
        uscc = code if code_kind == "uscc" else None
        reg_no = reg_no or (code if code_kind == "reg_no" else None)
        a = self._find(uscc, "uscc") if uscc else None
        b = self._find(reg_no, "reg_no") if reg_no else None
        if a and b and a.eid != b.eid:
            merges.append((a.eid, b.eid))
            self.fresh_reps.pop(a.eid, None)  # the kept enterprise takes the folded one's roles
            self.fresh_reps.pop(b.eid, None)
            del self.ents[b.eid]
            self.folded_away.add(b.eid)
            if b.reg_no:
                self.by_reg.pop(b.reg_no, None)
            b = None
        e = a or b
        if e is None:
            e = _Ent(uuid.uuid4().hex, uscc or reg_no, uscc, reg_no, name, int(from_registry), dict(props or {}),
                     dirty=True, new=True, no_records=True)
            self.fresh_reps[e.eid] = None
            self.created.add(e.eid)
            self.ents[e.eid] = e
        else:
            before = (e.uscc, e.reg_no, e.name, e.in_registry, e.props)
            e.uscc = uscc or e.uscc
            e.reg_no = reg_no or e.reg_no
            e.key = e.uscc or e.reg_no
            if from_registry:
                e.name = name or e.name
                e.props = {**e.props, **(props or {})}
                e.in_registry = 1
            else:
                e.name = e.name or name
            # Every member row and record names its enterprise: only a change is worth a statement.
            e.dirty = e.dirty or (e.uscc, e.reg_no, e.name, e.in_registry, e.props) != before
        if e.uscc:
            self.by_uscc[e.uscc] = e.eid
        if e.reg_no:
            self.by_reg[e.reg_no] = e.eid
        return e

    def _eid(self, code, code_kind, merges, name=None) -> str:
        e = self._find(code, code_kind)
        if e is None:
            e = self._apply_enterprise(code, code_kind, name, None, None, False, merges)
        return e.eid

    # --- flushing ------------------------------------------------------------------------------------------
    def _run(self, cypher: str, rows: list[dict]) -> None:
        for i in range(0, len(rows), self.batch_size):
            batch = rows[i:i + self.batch_size]
            self._send(cypher, len(batch), rows=batch)

    def _write_batch(self, ops: list[tuple], found: Future, registry: bool) -> None:
        self._apply_look_up(ops, found, registry)
        merges: list[tuple[str, str]] = []
        persons: dict[str, dict] = {}
        roles: dict[tuple[str, str], list[dict]] = {}
        replaces: list[dict] = []  # in the file's order: each ends whom the one before it named
        records: dict[str, list[dict]] = {}
        named: list[dict] = []
        for op in ops:
            kind = op[0]
            if kind == "enterprise":
                _, code, code_kind, name, reg_no, props, from_registry = op
                self._apply_enterprise(code, code_kind, name, reg_no, props, from_registry, merges)
            elif kind == "person":
                _, id_number, name, id_type = op
                prev = persons.get(id_number, {})
                persons[id_number] = {"id_number": id_number, "masked_id": mask_id_number(id_number),
                                      "name": name or prev.get("name"),
                                      "id_type": id_type or prev.get("id_type")}
            elif kind == "role":
                _, member, code, code_kind, role, share, since, until = op
                eid = self._eid(code, code_kind, merges)
                if member.kind == "person":
                    ref = member.key
                else:
                    ref = self._eid(member.key, "reg_no" if len(member.key) == 15 else "uscc", merges,
                                    member.name or None)
                    if ref == eid:
                        continue
                roles.setdefault((q.role_type(role), member.kind), []).append(
                    {"eid": eid, "member": ref, "role": role, "share": share, "since": since, "until": until})
            elif kind == "replace":
                _, code, code_kind, person_id, role, on = op
                eid = self._eid(code, code_kind, merges)
                # An enterprise this writer created has no earlier representative to end, unless this file
                # named another one first (as in the embedded writer).
                if eid in self.fresh_reps:
                    if self.fresh_reps[eid] in (None, person_id):
                        self.fresh_reps[eid] = person_id
                        continue
                    self.fresh_reps[eid] = person_id
                replaces.append({"eid": eid, "keep": person_id, "role": role, "on": on})
                self.replaced.add(eid)
            elif kind == "record":
                _, rkind, natural, code, code_kind, props, departments = op
                # A listing of a natural person alone concerns no enterprise: no eid, NAMES links its person.
                eid = None if code is None else self._eid(code, code_kind, merges, props.get("name"))
                if eid is not None:
                    self.touched_eids.add(eid)
                uid = _record_uid(rkind, eid, natural)
                records.setdefault(q.RECORD_LABELS[rkind], []).append(
                    {"uid": uid, "kind": rkind, "eid": eid, "natural": natural, "props": props,
                     "departments": departments})
                if rkind == "blacklist" and listed_person(props):
                    named.append({"uid": uid, "id_number": props["id_number"]})
        self._remap(merges, roles, replaces, records, named)
        if merges:
            # A fold moves relationships and records this writer does not track: from here on every role and
            # every record is MERGEd.
            self.created.clear()
            for e in self.ents.values():
                e.no_records = False
            self.folded = True
            self.person_roles.clear()
        for keep, drop in merges:
            self._merge(keep, drop)
        dirty = [e for e in self.ents.values() if e.dirty]
        self._fetch_fields([e for e in dirty if not e.new])
        self._run(q.CREATE_ENTERPRISES, [self._enterprise_row(e) for e in dirty if e.new])
        self._run(q.UPSERT_ENTERPRISES, [self._enterprise_row(e) for e in dirty if not e.new])
        for e in dirty:
            e.dirty = e.new = False
        self._run(q.UPSERT_PERSONS, self._changed_persons(persons.values()))
        for (rel_type, member_kind), rows in roles.items():
            # A role sent twice in one batch: the last one's share wins, and a since or until the last one does not
            # give is the one before it gave, as in the embedded store. (In one statement the MERGE compared every
            # row with the share before any was written, so 30% then 20% left 30%.)
            rows = list(_last_of_each_role(rows).values())
            fresh, known = [], []
            for r in rows:
                if member_kind == "person" and self._unchanged_role(rel_type, r):
                    continue
                key = (rel_type, r["eid"], r["member"], r["role"])
                if r["eid"] in self.created and key not in self.fresh_roles:
                    self.fresh_roles.add(key)
                    fresh.append(r)
                else:
                    known.append(r)
            self._run(q.create_roles(rel_type, member_kind), fresh)
            self._run(q.merge_roles(rel_type, member_kind), known)
        self._run(q.REPLACE_LEGAL_REPRESENTATIVE, replaces)
        pairs = {(c, sent) for rows in records.values() for r in rows for _, c, sent in r["departments"]}
        if pairs - self.departments_seen:
            self._run(q.MERGE_DEPARTMENTS, [{"name": c, "sent_as": s} for c, s in sorted(pairs - self.departments_seen)])
            self.departments_seen |= pairs
        for label, rows in records.items():
            # A re-sent record within one batch: the last one wins, as in the embedded store.
            rows = list({r["uid"]: r for r in rows}.values())
            new, known = [], []
            alone = []  # listings of a natural person alone
            for r in rows:
                links = {(q.DEPARTMENT_TYPES[rel], c): sent for rel, c, sent in r["departments"]}
                ent = self.ents.get(r["eid"])
                row = {"node": record_node(r["uid"], r["kind"], r["eid"], r["natural"], r["props"])}
                if r["eid"] is None:
                    row["links"] = [f"{t}|{c}" for t, c in links]
                    row["departments"] = [{"type": t, "name": c, "sent_as": sent} for (t, c), sent in links.items()]
                    alone.append(row)
                elif ent is not None and ent.no_records and r["uid"] not in self.written_uids:
                    for t in q.DEPARTMENT_TYPES.values():
                        row[t.lower()] = [{"name": c, "sent_as": sent} for (u, c), sent in links.items() if u == t]
                    new.append(row)
                else:
                    row["links"] = [f"{t}|{c}" for t, c in links]
                    row["departments"] = [{"type": t, "name": c, "sent_as": sent} for (t, c), sent in links.items()]
                    known.append(row)
                self.written_uids.add(r["uid"])
                self.written_kinds.add(r["kind"])
            self._run(q.create_records(label), new)
            self._run(q.upsert_records(label), known)
            self._run(q.UPSERT_LISTINGS_OF_PERSONS, alone)
        self._run(q.NAME_LISTED_PERSONS, named)

    def _changed_persons(self, rows) -> list[dict]:
        """The rows of UPSERT_PERSONS that would change a person this transaction has not already left so: it sets
        a name or an ID type only where the row has one (coalesce), so a row whose values are missing or equal to
        what this transaction wrote is left out."""
        changed = []
        for row in rows:
            known = self.people.get(row["id_number"])
            after = (row["name"], row["id_type"]) if known is None else \
                (row["name"] if row["name"] is not None else known[0],
                 row["id_type"] if row["id_type"] is not None else known[1])
            if after != known:
                self.people[row["id_number"]] = after
                changed.append(row)
        return changed

    def _remap(self, merges, roles, replaces, records, named) -> None:
        """Rows built before a merge later in the same batch still name the folded enterprise: re-point them."""
        if not merges:
            return
        remap = {drop: keep for keep, drop in merges}

        def final(eid: str) -> str:
            while eid in remap:
                eid = remap[eid]
            return eid

        for (_, member_kind), rows in roles.items():
            for r in rows:
                r["eid"] = final(r["eid"])
                if member_kind == "enterprise":
                    r["member"] = final(r["member"])
        for row in replaces:
            row["eid"] = final(row["eid"])
        uids = {}
        for rows in records.values():
            for r in rows:
                if r["eid"] is None:  # a listing of a natural person alone: no enterprise to re-point
                    continue
                r["eid"] = final(r["eid"])
                new_uid = _record_uid(r["kind"], r["eid"], r["natural"])
                uids[r["uid"]] = new_uid
                r["uid"] = new_uid
        for n in named:
            n["uid"] = uids.get(n["uid"], n["uid"])
        self.touched_eids = {final(e) for e in self.touched_eids}

    @staticmethod
    def _enterprise_row(e: _Ent) -> dict:
        return enterprise_node(e.eid, e.key, e.uscc, e.reg_no, e.name, e.in_registry, e.props)

    def _merge(self, keep: str, drop: str) -> None:
        """Fold an enterprise known only by its registration number into the one that has its USCC."""
        for rel_type in q.ROLE_TYPES:
            self._send(f"MATCH (d:Enterprise {{eid: $drop}})<-[r:{rel_type}]-(m), (k:Enterprise {{eid: $keep}}) "
                       f"WHERE m <> k MERGE (m)-[n:{rel_type} {{role: r.role}}]->(k) "
                       f"ON CREATE SET n.since = r.since, n.until = r.until SET n.share = r.share DELETE r",
                       drop=drop, keep=keep)
            self._send(f"MATCH (d:Enterprise {{eid: $drop}})-[r:{rel_type}]->(e), (k:Enterprise {{eid: $keep}}) "
                       f"WHERE e <> k MERGE (k)-[n:{rel_type} {{role: r.role}}]->(e) "
                       f"ON CREATE SET n.since = r.since, n.until = r.until SET n.share = r.share DELETE r",
                       drop=drop, keep=keep)
        self._send("MATCH (d:Enterprise {eid: $drop})<-[c:CONCERNS]-(r:Record) "
                   "WITH r, c, r.kind + '|' + $keep + '|' + r.natural AS uid "
                   "OPTIONAL MATCH (x:Record {uid: uid}) "
                   "WITH r, c, uid, x "
                   "CALL (r, c, uid, x) { "
                   "  WITH r, c, uid, x WHERE x IS NULL "
                   "  MATCH (k:Enterprise {eid: $keep}) SET r.uid = uid, r.eid = $keep MERGE (r)-[:CONCERNS]->(k) DELETE c } "
                   "CALL (r, x) { WITH r, x WHERE x IS NOT NULL DETACH DELETE r }",
                   drop=drop, keep=keep)
        self._send("MATCH (d:Enterprise {eid: $drop}) DETACH DELETE d", drop=drop)  # counted as a change


def _edge(member: Party, enterprise: Party, terms: dict[str, tuple[str | None, str | None]]) -> Edge:
    """An Edge from each role's (since, until), as the embedded store builds it."""
    return Edge(member, enterprise, tuple(sorted(terms)), tuple((role, *terms[role]) for role in sorted(terms)))


class _TimedReads:
    """Runs each read as an auto-commit transaction of the session, bounded by the query timeout."""

    def __init__(self, session, timeout_s: float):
        self.session, self.timeout_s = session, timeout_s

    def run(self, cypher: str, **params):
        from neo4j import Query
        return self.session.run(Query(cypher, timeout=self.timeout_s), params)


class Neo4jReader(GraphReader):
    def __init__(self, tx, data_version: int, settled_version=None):
        self.tx = tx
        self.data_version = data_version
        self._settled_version = settled_version

    def current_version(self) -> int:
        if self._settled_version is not None:
            return self._settled_version()
        return int(self.tx.run(q.DATA_VERSION).single()["v"] or 0)

    def _rows(self, cypher: str, **params):
        return list(self.tx.run(cypher, **params))

    def enterprise_by_code(self, code, code_kind):
        rows = self._rows(q.ENTERPRISE_BY_USCC if code_kind == "uscc" else q.ENTERPRISE_BY_REG_NO, code=code)
        return Party("enterprise", rows[0]["key"], rows[0]["name"] or "") if rows else None

    def enterprises_by_name(self, name_norm, limit=20):
        return [Party("enterprise", r["key"], r["name"] or "")
                for r in self._rows(q.ENTERPRISES_BY_NAME, name=name_norm, limit=limit)]

    def person(self, id_number):
        rows = self._rows(q.PERSON, id=id_number)
        return Party("person", rows[0]["key"], rows[0]["name"] or "") if rows else None

    @staticmethod
    def _split(parties: Iterable[Party]) -> dict[str, list[str]]:
        parties = list(parties)
        return {"enterprises": [p.key for p in parties if p.kind == "enterprise"],
                "persons": [p.key for p in parties if p.kind == "person"]}

    def expand(self, frontier, limit):
        edges: dict[tuple, dict[str, tuple]] = {}
        for r in self._rows(q.EXPAND, limit=limit, **self._split(frontier)):
            member = Party(r["member_kind"], r["member_key"], r["member_name"] or "")
            ent = Party("enterprise", r["enterprise_key"], r["enterprise_name"] or "")
            edges.setdefault((member, ent), {})[r["role"]] = (r["since"], r["until"])
        return [_edge(m, e, terms) for (m, e), terms in edges.items()]

    def neighbourhood(self, start, depth, max_parties):
        """One query for the whole neighbourhood (neo4j_queries.neighbourhood), instead of one per level and one
        for the listings; None when a bound was reached, so that the traversal goes level by level."""
        if depth < 1:
            return None
        rows = self._neighbourhood_rows(depth, max_parties, kind=start.kind, key=start.key)
        if not rows:  # a subject the store does not know: nothing around it
            return Neighbourhood([], {})
        return self._neighbourhood(rows[0], max_parties)

    def located(self, code, code_kind, depth, max_parties):
        # The subject's look-up inside the neighbourhood query: a check makes three round trips, not four (the
        # settled version, this, the settled version again).
        if depth < 1:
            return super().located(code, code_kind, depth, max_parties)
        rows = self._neighbourhood_rows(depth, max_parties, code=code, code_kind=code_kind)
        if not rows:  # no party has this code: nothing around it either
            return None, Neighbourhood([], {})
        row = rows[0]
        return Party(row["subject_kind"], row["subject_key"], row["subject_name"] or ""), \
            self._neighbourhood(row, max_parties)

    def _neighbourhood_rows(self, depth: int, max_parties: int, **start) -> list:
        """The neighbourhood query from a party (`kind`, `key`) or from the party a code names (`code`,
        `code_kind`), within its bounds."""
        cap = min(max_parties, NEIGHBOURHOOD_CAP)
        return self._rows(q.neighbourhood(depth - 1, by_code="code" in start), cap=cap, edge_cap=cap * 4 + 100,
                          **start)

    def _neighbourhood(self, row, max_parties: int) -> Neighbourhood | None:
        if row["capped"]:
            return None
        edges: dict[tuple, dict[str, tuple]] = {}
        for r in row["edges"]:
            member = Party(r["member_kind"], r["member_key"], r["member_name"] or "")
            ent = Party("enterprise", r["enterprise_key"], r["enterprise_name"] or "")
            edges.setdefault((member, ent), {})[r["role"]] = (r["since"], r["until"])
        listings: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in row["listings"]:
            listings.setdefault((r["kind"], r["key"]), []).append(self._listing(r["props"], r["senders"], r["receivers"]))
        found = Neighbourhood([_edge(m, e, terms) for (m, e), terms in edges.items()], listings,
                              relationships=len(row["edges"]))
        return found if found.fits(max_parties) else None

    @staticmethod
    def _listing(node: dict[str, Any], senders: list[str], receivers: list[str]) -> dict[str, Any]:
        data = fields(node, RECORD_KEYS)
        data["receivers"] = sorted(receivers)
        data["sender"] = sorted(senders)[0] if senders else data.get("sender_as_sent")
        return data

    def listings_of(self, parties):
        lookup = {(p.kind, p.key): p for p in parties}
        result: dict[Party, list[dict[str, Any]]] = {}
        for r in self._rows(q.LISTINGS_OF, **self._split(parties)):
            party = lookup[(r["kind"], r["key"])]
            result.setdefault(party, []).append(self._listing(r["props"], r["senders"], r["receivers"]))
        return result

    def enterprise(self, key):
        rows = self._rows(q.ENTERPRISE, key=key)
        if not rows:
            return None
        node = rows[0]["node"]
        return {"key": node["key"], "uscc": node.get("uscc"), "reg_no": node.get("reg_no"), "name": node.get("name"),
                "in_registry": bool(node.get("in_registry")), **fields(node, ENTERPRISE_KEYS)}

    def words_used(self):
        return {"list_types": {r["word"]: r["n"] for r in self._rows(q.LIST_TYPES_USED)},
                "roles": {r["word"]: r["n"] for r in self._rows(q.ROLES_USED)}}

    def standing_of(self, keys):
        return {r["key"]: {"status": fields(r["node"], ENTERPRISE_KEYS).get("status"),
                           "penalties": [fields(p, RECORD_KEYS) for p in r["penalties"]]}
                for r in self._rows(q.STANDING_OF, keys=list(keys))} if keys else {}

    def records_of(self, enterprise_key):
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self._rows(q.RECORDS_OF, key=enterprise_key):
            if r["kind"] == "blacklist":
                data = self._listing(r["props"], r["senders"], r["receivers"])
            else:
                data = fields(r["props"], RECORD_KEYS)
                data["departments"] = sorted(r["issued_by"])
            out.setdefault(r["kind"], []).append(data)
        return out

    @staticmethod
    def _edges(rows) -> list[Edge]:
        return [_edge(Party(r["member_kind"], r["member_key"], r["member_name"] or ""),
                      Party("enterprise", r["enterprise_key"], r["enterprise_name"] or ""),
                      {role: (since, until) for role, since, until in r["terms"]})
                for r in rows]

    def members_of(self, enterprise_key):
        return self._edges(self._rows(q.MEMBERS_OF, key=enterprise_key))

    def roles_of(self, party):
        cypher = q.ROLES_OF_PERSON if party.kind == "person" else q.ROLES_OF_ENTERPRISE
        return self._edges(self._rows(cypher, key=party.key))

    def department_listings(self, department):
        out = []
        for r in self._rows(q.DEPARTMENT_LISTINGS, name=department):
            listing = self._listing(r["props"], r["senders"], r["receivers"])
            listing["_subjects"] = [Party(s["kind"], s["key"], s["name"] or "")
                                    for s in sorted(r["subjects"], key=lambda s: s["kind"])]
            out.append(listing)
        return out

    def department_issued(self, department):
        return {r["kind"]: r["n"] for r in self._rows(q.DEPARTMENT_ISSUED, name=department)}

    def department_names(self):
        names: set[str] = set()
        for r in self._rows(q.DEPARTMENT_NAMES):
            names.add(r["name"])
            names.update(r["aliases"])
        return sorted(names)

    def counts(self):
        n = self._rows(q.COUNT_NODES)[0]
        per_department: dict[str, dict[str, int]] = {}
        for r in self._rows(q.COUNT_PER_DEPARTMENT):
            per_department.setdefault(r["department"], {})[r["kind"]] = r["n"]
        return {"nodes": {k: n[k] for k in ("enterprise", "enterprise_in_registry", "person", "department", "role")},
                "records": {r["kind"]: r["n"] for r in self._rows(q.COUNT_RECORDS)},
                "per_department": per_department}


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
                _quietly(driver.close)
            if isinstance(exc, CreditnetError):  # init_schema's, already translated
                raise
            raise _translate(exc) from exc

    def _session(self, read: bool = False):
        from neo4j import READ_ACCESS, WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=READ_ACCESS if read else WRITE_ACCESS)

    def init_schema(self) -> None:
        try:
            with self._session() as s:
                for statement in q.SCHEMA:
                    s.run(statement).consume()
                for r in list(s.run(q.OBSOLETE_SCHEMA_PRESENT, names=q.OBSOLETE_SCHEMA_NAMES)):
                    s.run(f"DROP {'CONSTRAINT' if r['owningConstraint'] else 'INDEX'} {r['owningConstraint'] or r['name']} "
                          f"IF EXISTS").consume()
                if not s.run(q.FIELDS_AS_PROPERTIES_DONE).single()["done"]:
                    self._rewrite_old_shape_nodes()
                    s.run(q.MARK_FIELDS_AS_PROPERTIES_DONE).consume()
                # Browser captions show the masked ID (640422********0315), never the full number.
                if not s.run(q.MASKED_IDS_DONE).single()["done"]:
                    while ids := [r["id_number"] for r in s.run(q.PERSONS_WITHOUT_MASKED_ID)]:
                        s.run(q.SET_MASKED_IDS, rows=[{"id_number": i, "masked_id": mask_id_number(i)}
                                                      for i in ids]).consume()
                    s.run(q.MARK_MASKED_IDS_DONE).consume()
        except Exception as exc:
            raise _translate(exc) from exc

    def _rewrite_old_shape_nodes(self, batch: int = 5000) -> None:
        """Nodes holding their fields twice (written before session 5) rewritten with each field once, in batches
        of their own transactions while one read walks them (neo4j_properties: readers understand both shapes,
        so a reader between two batches answers the same)."""
        with self._session(read=True) as reading, self._session() as writing:
            for label, cypher in q.OLD_SHAPE_NODES.items():
                nodes: list[dict] = []
                for r in reading.run(cypher):
                    nodes.append(dict(r["node"]))
                    if len(nodes) >= batch:
                        writing.run(q.REWRITE_NODES[label], rows=migration_rows(label, nodes)).consume()
                        nodes = []
                if nodes:
                    writing.run(q.REWRITE_NODES[label], rows=migration_rows(label, nodes)).consume()

    @contextmanager
    def writer(self, source: str):
        with fewer_collections(), self._file_transaction() as w:
            yield w

    @contextmanager
    def _file_transaction(self):
        with _translated("load"):
            session = self._session()
            try:
                tx = session.begin_transaction()
            except BaseException:
                _quietly(session.close)
                raise
        w = None
        lookups = None
        try:
            self._refuse_during_reset(tx)
            # On the leader (a write session), where every commit before this transaction is visible, as inside it.
            lookups = self._session()
            w = Neo4jWriter(tx, self.settings.batch_size,
                            lambda cypher, **params: list(lookups.run(cypher, _unlogged(params))))
            yield w
            w.finish()
            self._refuse_during_reset(tx)
            if w.load_entry is not None:
                self._log_load(tx, w.load_entry)
            tx.commit()
        except BaseException as exc:
            if w is not None:
                w.close()  # the transaction is used by one thread at a time: its sender's first
            if not tx.closed():
                _quietly(tx.rollback)
            if isinstance(exc, Exception) and _unavailable(exc):
                raise _translate(exc, "load") from exc
            if getattr(exc, "code", None) == CONCURRENT_CREATE:
                raise StoreBusy("另一次导入同时写入了同一企业或同一条记录，本文件未导入任何数据（事务已回滚）；请重新导入本文件，"
                                "已存在的数据会被匹配而不会重复 (another load wrote the same enterprise or record at the "
                                "same moment: nothing of this file was loaded; load it again, and what the other load "
                                "wrote will be matched, not duplicated)") from exc
            raise
        finally:
            if lookups is not None:
                _quietly(lookups.close)
            _quietly(session.close)

    @staticmethod
    def _refuse_during_reset(tx) -> None:
        """A reset empties the store in several transactions; a load committed between two of them would leave
        part of its file in a store that is otherwise emptied, so a load that finds a reset under way withdraws
        (its transaction is rolled back: nothing of the file is kept)."""
        if tx.run(q.RESETTING).single()["resetting"]:
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
            with _translated(), self._session() as s:
                meta = s.run(Query(q.SETTLED_VERSION, timeout=self.settings.query_timeout_s)).single()
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
        return int(meta["v"] or 0)

    @contextmanager
    def reader(self):
        # Each read is its own auto-commit transaction with the time limit, not one explicit transaction per
        # question: Neo4j reads are read-committed either way, and BEGIN and COMMIT were two of a check's round
        # trips. What keeps an answer to one state is the settled version read before and after the question
        # (`settled_version`; `GraphStore.read` asks again when they differ).
        with _translated():
            version = self.settled_version()
            session = self._session(read=True)
        try:
            yield Neo4jReader(_TimedReads(session, self.settings.query_timeout_s), version, self.settled_version)
        except Exception as exc:
            if _unavailable(exc):
                raise _translate(exc) from exc
            raise
        finally:
            _quietly(session.close)

    def read(self, question):
        for attempt in range(1, self.read_retries + 1):
            try:
                return super().read(question)
            except (StoreUnavailable, StoreBusy) as exc:
                if attempt == self.read_retries or not _retryable(exc.__cause__):
                    raise
                time.sleep(self.retry_backoff_s * 2 ** (attempt - 1))

    def data_version(self):
        with _translated(), self._session(read=True) as s:
            return int(s.run(q.DATA_VERSION).single()["v"] or 0)

    def reset(self, progress=None):
        # A store too large for one transaction's memory is emptied in batches, each its own transaction. The
        # meta node says a reset is under way from before the first batch until after the last, so that no
        # question answers from a half-emptied store: readers are told to retry instead (settled_version).
        # An interrupted reset leaves the mark; running reset again finishes the job and removes it.
        # (A province's store takes minutes: 4.5 for 12 million nodes and relationships, BENCHMARKS.md; one
        # scan with CALL … IN TRANSACTIONS instead of a statement per batch took as long.)
        with _translated(), self._session() as s:
            s.run(q.BEGIN_RESET).consume()
            for what, batch in (("relationships", q.RESET_RELATIONSHIPS_BATCH), ("nodes", q.RESET_BATCH)):
                deleted = 0
                while n := s.run(batch, limit=self.reset_batch_nodes).single()["n"]:
                    deleted += n
                    if progress is not None:
                        progress(what, deleted)
            s.run(q.END_RESET).consume()

    def record_load(self, entry):
        with _translated(), self._session() as s:
            self._log_load(s, entry)

    @staticmethod
    def _log_load(runner, entry: dict) -> None:
        """On a session, or inside a load's transaction (where the entry gets the version that load makes)."""
        runner.run(q.LOG_LOAD, at=datetime.now(timezone.utc).isoformat(timespec="seconds"), file=entry["file"],
                   kind=entry["kind"], rows=entry["rows"], loaded=entry["loaded"], rejected=entry["rejected"],
                   rejects_file=entry.get("rejects_file")).consume()

    def load_history(self):
        with _translated(), self._session(read=True) as s:
            return [dict(r) for r in s.run(q.LOAD_HISTORY)]

    def close(self):
        if self._owns_driver:
            self.driver.close()
