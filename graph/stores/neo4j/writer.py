"""Writing one file into Neo4j: one explicit transaction, batches of `UNWIND $rows … MERGE … SET`.

Which enterprise a code means, and what a row makes of it, is graph/rows.py's decision, as for the embedded
writer; this writer keeps what the transaction knows of each enterprise and person so that a row that would
change nothing sends nothing."""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from graph.identifiers import mask_id_number
from graph.model import listed_person
from graph.names import han_text
from graph.stores.base import GraphWriter, WriteStats
from graph.stores.neo4j import load_queries as lq, queries as q, schema_queries as sq
from graph.stores.neo4j.amendments import Neo4jAmendments
from graph.stores.neo4j.operations import EnterpriseOp, Op, PersonOp, RecordOp, ReplaceOp, RoleOp
from graph.stores.neo4j.properties import enterprise_node, record_node
from graph.stores.neo4j.resolution import Ent, Resolution
from graph.stores.neo4j.sender import Rows, StatementSender, unlogged


# The uid of a listing of a natural person alone: "-" is never an eid (a uuid's hex), so it meets no enterprise's.
NO_ENTERPRISE = "-"


def record_uid(kind: str, eid: str | None, natural: str) -> str:
    return f"{kind}|{NO_ENTERPRISE if eid is None else eid}|{natural}"


def last_of_each_role(rows: list[dict]) -> dict[tuple, dict]:
    """One row per (enterprise, member, role), as the rows applied one after the other would leave it: the last
    share, and the last since and until given (a row without one keeps the one before)."""
    out: dict[tuple, dict] = {}
    for r in rows:
        key = (r["eid"], r["member"], r["role"])
        before = out.get(key)
        out[key] = r if before is None else {**r, "since": r["since"] or before["since"],
                                             "until": r["until"] or before["until"]}
    return out


class Neo4jWriter(Resolution, Neo4jAmendments, GraphWriter):
    """Buffers one batch of row operations, then resolves enterprises and writes them with UNWIND batches."""

    def __init__(self, tx, batch_size: int, lookup: Callable[..., list]):
        self.tx = tx  # used by the sender's thread only, until close()
        self.lookup = lookup  # lookup(cypher, **params) on a connection of its own (see _look_up)
        # The look-ups run on a thread of their own, one batch ahead: batch n+1's are asked while this thread
        # resolves and prepares batch n (waiting for them on this thread was ~11 s of a 60 s county load).
        self.lookup_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="creditnet-neo4j-lookup")
        self.batches: deque[tuple[list[Op], Future, bool]] = deque()  # ops, their look-up, registry rows?
        self.batch_size = batch_size
        self.sender = StatementSender(max_pending_rows=2 * batch_size)
        self.stats = WriteStats()
        self.ops: list[Op] = []
        self.ents: dict[str, Ent] = {}           # eid -> state known in this transaction
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
        # A file of more rows than this is committed in parts (large_files.py): `commit_part(tx)` commits the
        # part written in tx and returns the next one's transaction. Everything this writer keeps above stays
        # true across parts: what it wrote is then held by the store, committed.
        self.rows_per_transaction = 0  # 0: one transaction, whatever the file's size
        self.commit_part: Callable[[Any], Any] | None = None
        self.rows_committed = 0
        # An interrupted load of this file resumed: what it committed changed the store, so the last commit raises
        # the data version and records the changed parties even if this load itself changes nothing.
        self.resumed = False

    # --- the GraphWriter interface only buffers ------------------------------------------------------------
    def _push(self, op: Op) -> None:
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

    def rows_written(self, rows: int) -> None:
        # More than the limit, not as many: a file of exactly that many rows stays one transaction. A part is then
        # at most one read batch (1,000 rows) larger than the limit.
        if self.commit_part is None or not self.rows_per_transaction or \
                rows - self.rows_committed <= self.rows_per_transaction:
            return
        self.flush()
        commit_part = self.commit_part

        def next_part() -> None:  # on the sender's thread, which alone touches the transaction
            self.tx = commit_part(self.tx)
        self.sender.ask(next_part)
        self.rows_committed = rows

    def flush(self) -> None:
        self._hand_over()
        while self.batches:
            self._write_batch(*self.batches.popleft())

    def enterprise(self, code, code_kind, *, name, reg_no=None, props=None, from_registry=False):
        self._push(EnterpriseOp(code, code_kind, name, reg_no, props, from_registry))

    def person(self, id_number, name, id_type=None, *, from_listing=False):
        self._push(PersonOp(id_number, name, id_type, from_listing))

    def role(self, member, enterprise_code, enterprise_code_kind, role, share=None, since=None, until=None):
        self._push(RoleOp(member, enterprise_code, enterprise_code_kind, role, share, since, until))

    def record_unread(self, kind, source, entries, loaded_codes, loaded_rows):
        self.flush()
        self._send(lq.DROP_STALE_UNREAD, source=source, kind=kind, uids=[e["uid"] for e in entries],
                   codes=sorted(loaded_codes), rows=sorted(loaded_rows))
        if entries:
            self._send(lq.MERGE_UNREAD, rows=[dict(e) for e in entries])

    def role_history(self, member, enterprise_code, enterprise_code_kind, role, former):
        self.flush()
        self._send(lq.ROLE_HISTORY, enterprise=enterprise_code, member=member.key, role=role, former=list(former))

    def replace_legal_representative(self, enterprise_code, code_kind, person_id, role, on):
        self._push(ReplaceOp(enterprise_code, code_kind, person_id, role, on))

    def record(self, kind, natural_key, enterprise_code, enterprise_code_kind, props, departments=()):
        if self.track_senders:
            departments = list(departments)
            self.saw_departments(departments)
        self._push(RecordOp(kind, natural_key, enterprise_code, enterprise_code_kind, props, list(departments)))

    def finish(self):
        self.flush()
        if self.written_kinds & {"license", "license-change"}:
            self._send(lq.LINK_CHANGES, eids=list(self.touched_eids))
        if self.written_kinds & {"penalty", "penalty-change"}:
            self._send(lq.LINK_PENALTY_CHANGES, eids=list(self.touched_eids))
        self.sender.drain()
        if self.stats.changed or self.resumed:
            self._send(sq.BUMP_VERSION)
        self.sender.drain()
        self.close()

    def close(self) -> None:
        """Waits for the statement in flight and drops the rest: the transaction is this thread's again; and for
        the look-up in flight, so that its connection may be closed."""
        self.sender.close()
        self.lookup_thread.shutdown(wait=True, cancel_futures=True)

    def _send(self, cypher: str, n_rows: int = 0, **params) -> None:
        params = unlogged(params)

        def run():
            try:
                c = self.tx.run(cypher, **params).consume().counters
            finally:
                # The driver keeps a statement's parameters in its result and summary, which refer to each other:
                # only the cyclic collector frees them, so every row of a file stayed in memory after it was sent,
                # and a full collection then walked them all (~500,000 objects after a records file of the
                # 100,000-enterprise county: 1.2 s). Every list sent is made for its one statement.
                for value in params.values():
                    if type(value) is Rows:
                        value.clear()
            # Only the sender's thread counts; the loading thread reads the sum after drain().
            self.stats.changed += (c.nodes_created + c.nodes_deleted + c.relationships_created
                                   + c.relationships_deleted + c.properties_set)
        self.sender.send(run, n_rows)

    # --- flushing ------------------------------------------------------------------------------------------
    def _run(self, cypher: str, rows: list[dict]) -> None:
        for i in range(0, len(rows), self.batch_size):
            batch = rows[i:i + self.batch_size]
            self._send(cypher, len(batch), rows=batch)

    def _write_batch(self, ops: list[Op], found: Future, registry: bool) -> None:  # noqa: C901
        # The ops are sorted by kind, then sent one statement per kind in the order the statements depend on
        # (enterprises, persons, roles, records); split up, its parts would pass the batch's six collections around.
        self._apply_look_up(ops, found, registry)
        merges: list[tuple[str, str]] = []
        persons: dict[str, dict] = {}
        roles: dict[tuple[str, str], list[dict]] = {}
        replaces: list[dict] = []  # in the file's order: each ends whom the one before it named
        records: dict[str, list[dict]] = {}
        named: list[dict] = []
        code: str | None  # None in a listing of a natural person alone
        code_kind: str | None
        eid: str | None
        for op in ops:
            if type(op) is EnterpriseOp:
                code, code_kind, name, reg_no, props, from_registry = op
                self._apply_enterprise(code, code_kind, name, reg_no, props, from_registry, merges)
            elif type(op) is PersonOp:
                id_number, name, id_type, from_listing = op
                prev = persons.get(id_number, {})
                if from_listing:  # fills a gap only: what the store or this batch knows of the person stays
                    stored = self.people.get(id_number) or (None, None)
                    name = None if stored[0] or prev.get("name") else name
                    id_type = None if stored[1] or prev.get("id_type") else id_type
                person_name = name or prev.get("name")
                persons[id_number] = {"id_number": id_number, "masked_id": mask_id_number(id_number),
                                      "name": person_name, "name_han": han_text(person_name),
                                      "id_type": id_type or prev.get("id_type")}
            elif type(op) is RoleOp:
                member, code, code_kind, role, share, since, until = op
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
            elif type(op) is ReplaceOp:
                code, code_kind, person_id, role, on = op
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
            elif type(op) is RecordOp:
                rkind, natural, code, code_kind, props, departments = op
                # A listing of a natural person alone concerns no enterprise: no eid, NAMES links its person.
                eid = None if code is None else self._eid(code, code_kind, merges, props.get("name"))
                if eid is not None:
                    self.touched_eids.add(eid)
                uid = record_uid(rkind, eid, natural)
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
        self._run(lq.CREATE_ENTERPRISES, [self._enterprise_row(e) for e in dirty if e.new])
        self._run(lq.UPSERT_ENTERPRISES, [self._enterprise_row(e) for e in dirty if not e.new])
        for e in dirty:
            e.dirty = e.new = False
        self._run(lq.UPSERT_PERSONS, self._changed_persons(persons.values()))
        for (rel_type, member_kind), rows in roles.items():
            # A role sent twice in one batch: the last one's share wins, and a since or until the last one does not
            # give is the one before it gave, as in the embedded store. (In one statement the MERGE compared every
            # row with the share before any was written, so 30% then 20% left 30%.)
            rows = list(last_of_each_role(rows).values())
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
            self._run(lq.create_roles(rel_type, member_kind), fresh)
            self._run(lq.merge_roles(rel_type, member_kind), known)
        self._run(lq.REPLACE_LEGAL_REPRESENTATIVE, replaces)
        pairs = {(c, sent) for rows in records.values() for r in rows for _, c, sent in r["departments"]}
        if pairs - self.departments_seen:
            self._run(lq.MERGE_DEPARTMENTS, [{"name": c, "sent_as": s} for c, s in sorted(pairs - self.departments_seen)])
            self.departments_seen |= pairs
        for label, rows in records.items():
            # A re-sent record within one batch: the last one wins, as in the embedded store.
            rows = list({r["uid"]: r for r in rows}.values())
            new, known = [], []
            alone = []  # listings of a natural person alone
            since = self.effective_date(None)  # the day a department is linked (the bureau's report's clock)
            for r in rows:
                links = {(q.DEPARTMENT_TYPES[rel], c): sent for rel, c, sent in r["departments"]}
                ent = self.ents.get(r["eid"])
                row: dict[str, Any] = {"node": record_node(r["uid"], r["kind"], r["eid"], r["natural"], r["props"])}
                if r["eid"] is None:
                    row["links"] = [f"{t}|{c}" for t, c in links]
                    row["departments"] = [{"type": t, "name": c, "sent_as": sent, "since": since}
                                          for (t, c), sent in links.items()]
                    alone.append(row)
                elif ent is not None and ent.no_records and r["uid"] not in self.written_uids:
                    for t in q.DEPARTMENT_TYPES.values():
                        row[t.lower()] = [{"name": c, "sent_as": sent, "since": since}
                                          for (u, c), sent in links.items() if u == t]
                    new.append(row)
                else:
                    row["links"] = [f"{t}|{c}" for t, c in links]
                    row["departments"] = [{"type": t, "name": c, "sent_as": sent, "since": since}
                                          for (t, c), sent in links.items()]
                    known.append(row)
                self.written_uids.add(r["uid"])
                self.written_kinds.add(r["kind"])
            self._run(lq.create_records(label), new)
            self._run(lq.upsert_records(label), known)
            self._run(lq.UPSERT_LISTINGS_OF_PERSONS, alone)
        self._run(lq.NAME_LISTED_PERSONS, named)

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
                new_uid = record_uid(r["kind"], r["eid"], r["natural"])
                uids[r["uid"]] = new_uid
                r["uid"] = new_uid
        for n in named:
            n["uid"] = uids.get(n["uid"], n["uid"])
        self.touched_eids = {final(e) for e in self.touched_eids}

    @staticmethod
    def _enterprise_row(e: Ent) -> dict:
        return enterprise_node(e.eid, e.key, e.uscc, e.reg_no, e.name, e.in_registry, e.props)

    def _merge(self, keep: str, drop: str) -> None:
        """Fold an enterprise known only by its registration number into the one that has its USCC."""
        for rel_type in q.ROLE_TYPES:
            self._send(f"MATCH (d:Enterprise {{eid: $drop}})<-[r:{rel_type}]-(m), (k:Enterprise {{eid: $keep}}) "
                       f"WHERE m <> k MERGE (m)-[n:{rel_type} {{role: r.role}}]->(k) "
                       f"ON CREATE SET n.since = r.since, n.until = r.until, n.former = r.former SET n.share = r.share DELETE r",
                       drop=drop, keep=keep)
            self._send(f"MATCH (d:Enterprise {{eid: $drop}})-[r:{rel_type}]->(e), (k:Enterprise {{eid: $keep}}) "
                       f"WHERE e <> k MERGE (k)-[n:{rel_type} {{role: r.role}}]->(e) "
                       f"ON CREATE SET n.since = r.since, n.until = r.until, n.former = r.former SET n.share = r.share DELETE r",
                       drop=drop, keep=keep)
        self._send("MATCH (d:Enterprise {eid: $drop})<-[c:CONCERNS]-(r:Record) "
                   "WITH r, c, r.kind + '|' + $keep + '|' + r.natural AS uid "
                   "OPTIONAL MATCH (x:Record {uid: uid}) "
                   "WITH r, c, uid, x "
                   "CALL (r, c, uid, x) { "
                   "  WITH r, c, uid, x WHERE x IS NULL "
                   "  MATCH (k:Enterprise {eid: $keep}) SET r.uid = uid, r.eid = $keep MERGE (r)-[:CONCERNS]->(k) DELETE c "
                   "  WITH r, k WHERE r:Listing SET k:Listed } "
                   "CALL (r, x) { WITH r, x WHERE x IS NOT NULL DETACH DELETE r }",
                   drop=drop, keep=keep)
        self._send("MATCH (d:Enterprise {eid: $drop}) DETACH DELETE d", drop=drop)  # counted as a change
