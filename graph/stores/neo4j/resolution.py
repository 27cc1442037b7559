"""Which enterprise and person each row names, as a Neo4j load's transaction knows them: what the store held
(asked one batch ahead, on a connection of its own) and what this transaction has written since. Which code wins
and when two enterprises fold into one is graph/rows.py's decision, as for the embedded writer."""
from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from graph.rows import Identity, fold, row_codes, settle
from graph.stores.neo4j import load_queries as lq
from graph.stores.neo4j.operations import EnterpriseOp, Op, PersonOp, RecordOp, ReplaceOp, RoleOp
from graph.stores.neo4j.properties import ENTERPRISE_KEYS, fields


class Ent:
    """An enterprise as this transaction knows it; `new` until its node is written (created by this writer).
    `props` None: its fields were not fetched (a member row or a record needs only who it is)."""
    __slots__ = ("eid", "key", "uscc", "reg_no", "name", "in_registry", "props", "dirty", "new", "no_records")

    def __init__(self, eid, key, uscc, reg_no, name, in_registry, props, dirty=False, new=False, no_records=False):
        self.eid, self.key, self.uscc, self.reg_no, self.name = eid, key, uscc, reg_no, name
        self.in_registry, self.props, self.dirty, self.new = in_registry, props, dirty, new
        # No record concerned it when this transaction first read it (or created it): its records are new unless
        # this transaction wrote them (Neo4jWriter.written_uids).
        self.no_records = no_records


class Resolution:
    """The writer's look-ups and its map of enterprises; the state is set up by Neo4jWriter.__init__."""

    lookup: Callable[..., list]
    lookup_thread: ThreadPoolExecutor
    ents: dict[str, Ent]
    folded_away: set[str]
    by_uscc: dict[str, str]
    by_reg: dict[str, str]
    fresh_reps: dict[str, str | None]
    created: set[str]
    people: dict[str, tuple[str | None, str | None]]
    person_roles: dict[tuple[str, str, str, str], tuple[str, str | None, str | None]]
    folded: bool
    replaced: set[str]

    # --- resolution ----------------------------------------------------------------------------------------
    def _unknown(self, ops: list[Op]) -> tuple[list[str], bool, list[str], bool]:
        """What a batch names that this transaction has not met yet: enterprise codes (and whether the batch holds
        registry rows, whose enterprises' fields must be known), person ID numbers (and whether it writes roles)."""
        codes: set[str] = set()
        ids: set[str] = set()
        registry, with_roles = False, False
        for op in ops:
            if type(op) is EnterpriseOp:
                codes.update(c for c in (op.code, op.reg_no) if c)
                registry = registry or op.from_registry
            elif type(op) is PersonOp:
                ids.add(op.id_number)
            elif type(op) is RoleOp:
                codes.add(op.code)
                if op.member.kind == "enterprise":
                    codes.add(op.member.key)
                else:
                    ids.add(op.member.key)
                    with_roles = True
            elif type(op) is ReplaceOp:
                codes.add(op.code)
            elif type(op) is RecordOp and op.code is not None:  # None: a listing of a natural person alone
                codes.add(op.code)
        return ([c for c in codes if c not in self.by_uscc and c not in self.by_reg], registry,
                [i for i in ids if i not in self.people], with_roles and not self.folded)

    def _look_up(self, codes: list[str], registry: bool, ids: list[str], with_roles: bool) -> tuple[list, list]:
        """On the look-up thread: the enterprises and persons the store holds (or what another load committed
        since, which this transaction would read too), asked on a connection of its own, so that the question need
        not wait behind this transaction's statements in flight. (Asked inside the transaction, it waited for the
        server to finish everything sent, and the server then idled while the client prepared the next batch.)
        A member row or a record needs only who its enterprise is; a registry row merges its fields into the
        enterprise's, so they are fetched too."""
        cypher = lq.LOOKUP_ENTERPRISES_IN_FULL if registry else lq.LOOKUP_ENTERPRISES
        enterprises = [r for i in range(0, len(codes), 5000) for r in self.lookup(cypher, codes=codes[i:i + 5000])]
        cypher = lq.LOOKUP_PERSONS_WITH_ROLES if with_roles else lq.LOOKUP_PERSONS
        persons = [r for i in range(0, len(ids), 5000) for r in self.lookup(cypher, ids=ids[i:i + 5000])]
        return enterprises, persons

    def _apply_look_up(self, ops: list[Op], found: Future, registry: bool) -> None:
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
            e = Ent(node["eid"], node["key"], uscc, reg_no, node.get("name"), node.get("in_registry") or 0,
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
            registry_ops = [op for op in ops if type(op) is EnterpriseOp and op.from_registry]
            named = [self._find(op.code, op.code_kind) for op in registry_ops]
            named += [self._find(op.reg_no, "reg_no") for op in registry_ops if op.reg_no]
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

    def _fetch_fields(self, ents: list[Ent]) -> None:
        """The fields of enterprises met without them: what the store held before this transaction (it has not
        written them: it writes an enterprise only once it knows its fields)."""
        missing = {e.eid: e for e in ents if e.props is None}
        eids = list(missing)
        for i in range(0, len(eids), 5000):
            # On the look-up thread, whose connection it is (a session serves one thread at a time).
            rows = self.lookup_thread.submit(self.lookup, lq.LOOKUP_FIELDS, eids=eids[i:i + 5000]).result()
            for r in rows:
                missing[r["node"]["eid"]].props = fields(r["node"], ENTERPRISE_KEYS)
        for e in missing.values():
            if e.props is None:  # gone since (a concurrent load folded it away): it is written with what is known
                e.props = {}

    def _find(self, code: str, code_kind: str) -> Ent | None:
        eid = (self.by_uscc if code_kind == "uscc" else self.by_reg).get(code)
        return self.ents.get(eid) if eid else None

    def _apply_enterprise(self, code, code_kind, name, reg_no, props, from_registry, merges) -> Ent:
        uscc, reg_no = row_codes(code, code_kind, reg_no)
        a = self._find(uscc, "uscc") if uscc else None
        b = self._find(reg_no, "reg_no") if reg_no else None
        folded = fold(a and a.eid, b and b.eid)
        if folded and a is not None and b is not None:
            merges.append(folded)
            self.fresh_reps.pop(a.eid, None)  # the kept enterprise takes the folded one's roles
            self.fresh_reps.pop(b.eid, None)
            del self.ents[b.eid]
            self.folded_away.add(b.eid)
            if b.reg_no:
                self.by_reg.pop(b.reg_no, None)
            b = None
        e = a or b
        if e is None:
            new = settle(None, uscc=uscc, reg_no=reg_no, name=name, from_registry=from_registry)
            e = Ent(uuid.uuid4().hex, new.key, new.uscc, new.reg_no, new.name, int(new.in_registry),
                     dict(props or {}), dirty=True, new=True, no_records=True)
            self.fresh_reps[e.eid] = None
            self.created.add(e.eid)
            self.ents[e.eid] = e
        else:
            before = (e.uscc, e.reg_no, e.name, e.in_registry, e.props)
            new = settle(Identity(e.uscc, e.reg_no, e.name, bool(e.in_registry)), uscc=uscc, reg_no=reg_no, name=name,
                         from_registry=from_registry)
            e.uscc, e.reg_no, e.key, e.name, e.in_registry = new.uscc, new.reg_no, new.key, new.name, int(new.in_registry)
            if from_registry:  # the registry's fields are merged over the earlier ones; a record never changes them
                e.props = {**e.props, **(props or {})}
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
