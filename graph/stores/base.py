"""The store interface: what creditnet needs from a graph store, satisfied by the embedded and Neo4j stores.

Writing goes through a `GraphWriter` opened per file: everything written inside one `writer()` block is one
transaction, so a crash in the middle of a file leaves the store as it was before that file.
Reading goes through a `GraphReader` opened per question: everything read inside one `reader()` block sees
one state of the store (the data before a concurrent load or after it, never a mixture).
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import AbstractSet, Any, Callable, Iterable, TypeVar

from graph.model import Party
from graph.record_state import RecordInfo

T = TypeVar("T")


@dataclass(frozen=True)
class Edge:
    """`member` holds (or held) `roles` in `enterprise` (a person or a corporate shareholder / parent enterprise).

    `terms` gives each role's tenure as (role, since, until), ISO dates or None where the registry does not say:
    a role is held on D when since <= D (or no since) and D < until (or no until). Stores return every term,
    ended ones too (the three-year bar asks who headed an enterprise on a past date); the check filters."""
    member: Party
    enterprise: Party
    roles: tuple[str, ...]
    terms: tuple[tuple[str, str | None, str | None], ...] = ()
    # Asked for every edge of every check, so worked out once, when the edge is made (a cached_property's first
    # read took a lock and cost about 1 µs, and the Neo4j store makes each check's edges anew):
    # (member, enterprise) as (kind, key) nodes,
    nodes: tuple[tuple[str, str], tuple[str, str]] = field(init=False, repr=False, compare=False)
    # and whether any term has a date (an undated edge's roles are held on every date: the common case).
    dated: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", ((self.member.kind, self.member.key),
                                           (self.enterprise.kind, self.enterprise.key)))
        object.__setattr__(self, "dated", any(since or until for _, since, until in self.terms))

    def all_terms(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """Every term, or each role as undated where the store gave none."""
        return self.terms or tuple((role, None, None) for role in self.roles)


@dataclass(frozen=True)
class LastLevel:
    """A check's last level as only the edges its rules can read (graph/stores/last_level.py)."""
    edges: list[Edge]  # the frontier's edges whose other party may matter (an edge between two frontier parties twice)
    edge_count: int    # every edge touching the frontier, as `expand` would count them (at least)
    role_count: int    # their roles


def former_terms(former: str | list[str] | None) -> list[tuple[str | None, str | None]]:
    """The earlier terms a role's holder served before the current one, as stores keep them: "since|until" texts
    (an empty side is unknown), in a list (Neo4j) or in a JSON array (SQLite)."""
    if not former:
        return []
    if isinstance(former, str):
        former = json.loads(former)
    out: list[tuple[str | None, str | None]] = []
    for item in former:
        since, until = item.split("|", 1)
        out.append((since or None, until or None))
    return out


def edge_terms(terms: dict[str, list[tuple[str | None, str | None]]]) -> tuple[tuple[str, ...], tuple]:
    """(roles, terms) of an Edge from each role's terms, in one order for every store."""
    roles = tuple(sorted(terms))
    return roles, tuple((role, since, until) for role in roles for since, until in terms[role])


@dataclass
class WriteStats:
    changed: int = 0  # rows inserted or updated (identical re-sent rows do not count)


class GraphWriter(ABC):
    """Receives the rows of one file, already validated and normalised by the loaders."""

    stats: WriteStats
    load_entry: dict[str, Any] | None = None
    # The codes of the parties this file's rows name ("<kind>:<code>", graph/stores/changes.py), set by `load_file`:
    # stores record them with the data version the commit makes. None: the writer was not told (a pass of alerts
    # then re-checks every watched subject).
    touched: set[str] | None = None
    # The date a registry change takes effect when its row gives none (ISO; `load_file` sets the load's as-of date).
    as_of: str | None = None

    def effective_date(self, given: str | None) -> str:
        """`given` (the row's own date), else the load's as-of date, else today."""
        return given or self.as_of or date.today().isoformat()

    def log_load(self, entry: dict[str, Any]) -> None:
        """The file's load summary (for `stats`), written by the store in this file's transaction after
        `finish()`, with the data version the commit makes: the history then never lacks a loaded file, nor
        lists one that did not load, whenever the process dies."""
        self.load_entry = entry

    def note_touched(self, codes: set[str]) -> None:
        """The parties this file's rows name, recorded with the new data version if the file changes the store."""
        self.touched = codes

    def rows_written(self, rows: int) -> None:
        """`rows` of the file have been handed to the writer so far (not in a dry run, whose writes are rolled
        back): a writer may commit them as a part of the file here, if it keeps the file invisible until its
        last commit (the Neo4j store, for a file too large for one transaction)."""

    def expect_rows(self, rows: int) -> None:
        """About how many rows this file holds, estimated from its first batch: a writer may choose how to write
        by it (the embedded one, whether to rebuild an index rather than keep it up to date). A hint: nothing
        written may depend on it."""

    @abstractmethod
    def enterprise(self, code: str, code_kind: str, *, name: str | None, reg_no: str | None = None,
                   props: dict[str, Any] | None = None, from_registry: bool = False) -> None:
        """Create or complete an enterprise. A record for a code the registry does not know yet creates it."""

    @abstractmethod
    def person(self, id_number: str, name: str | None, id_type: str | None = None, *,
               from_listing: bool = False) -> None:
        """Create or complete a person. `from_listing`: the name comes from a listing row, whose ID number may be
        the wrong person's (a clerk's typo): it names a person the store has no name for, and never renames one
        the registry or a member file named."""

    def write_prepared(self, kind: str, row: tuple) -> None:
        """Write one row made by the store's `row_preparer`."""
        raise NotImplementedError

    @abstractmethod
    def role(self, member: Party, enterprise_code: str, enterprise_code_kind: str, role: str,
             share: str | None = None, since: str | None = None, until: str | None = None) -> None:
        """`member` (person or enterprise) holds `role` in the enterprise with that code, from `since` until `until`
        (ISO dates, None: the row does not say). A known role keeps its `since` where the row gives none, and its
        `until` where the row gives none: a stale member file that names an ended 监事 without a 离任日期 does not
        bring them back."""

    @abstractmethod
    def record_unread(self, kind: str, source: str, entries: list[dict[str, Any]], loaded_codes: set[str],
                      loaded_rows: set[int]) -> None:
        """The rejected rows of a file of this class and name (graph/unread.py). A row an earlier load of a file of
        the same name and class left is settled, all its entries going, when this file loads a row for a party it
        named (`loaded_codes`), or — for a row known by its enterprise's name only — loads that row number; the
        rest stays; new ones come; unchanged ones change nothing."""

    @abstractmethod
    def role_history(self, member: Party, enterprise_code: str, enterprise_code_kind: str, role: str,
                     former: list[str]) -> None:
        """The earlier terms ("since|until", as stores keep them) of a role written in this transaction: a copy of
        another store (graph/export.py) keeps who held an office before, which the three-year bar asks."""

    @abstractmethod
    def replace_legal_representative(self, enterprise_code: str, code_kind: str, person_id: str, role: str,
                                     on: str) -> None:
        """The registry row names `person_id` as the enterprise's current holder of `role` (its legal
        representative), by a change effective `on` (ISO date). Every other holder still in office ends `on` and is
        kept as history (the three-year bar asks who headed the enterprise on a past date); the named person's
        `until` is cleared, and where this ended someone and the named person has no `since`, it becomes `on`."""

    @abstractmethod
    def record(self, kind: str, natural_key: str, enterprise_code: str | None, enterprise_code_kind: str | None,
               props: dict[str, Any], departments: Iterable[tuple[str, str, str]] = ()) -> None:
        """A licence, change, penalty, inspection or listing. departments: (relation, canonical, as sent).
        A listing of a natural person alone (失信被执行人 names persons too) has no enterprise: code and code kind
        None, and the person its props name is its only subject."""

    @abstractmethod
    def finish(self) -> None:
        """Called once before commit (e.g. to raise the data version when something changed)."""

    # --- what became of records (graph/amendments.py, graph/snapshots.py, graph/objections.py) ----------------
    # Each sees everything this transaction wrote before it, and what it writes commits with the file, or not at all.
    # A change made here moves the data version at `finish`, as any load does.
    # The departments that sent every record of this file (sent_by, issued_by), when `track_senders` is set
    # before the first row: the sender of a full export (graph/snapshots.py). None: no record yet.
    track_senders: bool = False
    file_senders: frozenset[str] | None = None

    def saw_departments(self, departments: Iterable[tuple[str, str, str]]) -> None:
        """Called by the writers for every record row, with its (relation, canonical, as sent) departments."""
        sent = frozenset(canonical for relation, canonical, _ in departments if relation != "received_by")
        self.file_senders = sent if self.file_senders is None else self.file_senders & sent

    def records_under(self, kind: str, code: str | None) -> list[RecordInfo]:
        """Every record of `kind` under the enterprise with this USCC, registration number or key; `code` None:
        every listing of a natural person alone."""
        raise NotImplementedError

    def records_sent_by(self, kind: str, department: str) -> list[RecordInfo]:
        """Every record of `kind` this (canonical) department sent or issued, `written` set for this file's."""
        raise NotImplementedError

    def written_with_events(self) -> list[RecordInfo]:
        """The records this transaction wrote that have events (withdrawn, corrected, ended … before)."""
        raise NotImplementedError

    def add_event(self, record: RecordInfo, event: dict[str, Any]) -> int:
        """Append an event (graph/record_state.py, without `seq` and `data_version`) to a record found by this
        writer; return its sequence number."""
        raise NotImplementedError

    def add_objection(self, record: RecordInfo, objection: dict[str, Any]) -> int:
        """Register an objection (without `id` and `data_version`) against a record; return its number."""
        raise NotImplementedError

    def objection(self, objection_id: int) -> tuple[dict[str, Any], RecordInfo] | None:
        """An objection and the record it is against, or None."""
        raise NotImplementedError

    def set_objection(self, objection_id: int, status: str, history: list[dict[str, Any]],
                      outcome: int | None) -> None:
        """An objection's new status, its whole history and the event that settled it (None: none)."""
        raise NotImplementedError


class GraphReader(ABC):
    """One consistent view of the store for the duration of one question."""

    data_version: int

    def current_version(self) -> int:
        """The store's data version now (differs from `data_version` if a load committed meanwhile)."""
        return self.data_version

    @abstractmethod
    def enterprise_by_code(self, code: str, code_kind: str) -> Party | None: ...

    @abstractmethod
    def enterprises_by_name(self, name_norm: str, limit: int = 20) -> list[Party]: ...

    @abstractmethod
    def person(self, id_number: str) -> Party | None: ...

    @abstractmethod
    def persons_by_name(self, name: str, limit: int = 20) -> list[Party]:
        """The persons registered under exactly this name, by ID number: the name search's answer for a name the
        index cannot hold (John Smith, of Latin letters only)."""

    def persons(self, id_numbers: list[str]) -> dict[str, Party]:
        """The persons the store holds among these ID numbers, by ID number (one question where a store can)."""
        return {p.key: p for i in set(id_numbers) if (p := self.person(i)) is not None}

    @abstractmethod
    def name_candidates(self, kind: str, terms: list[str], cap: int) -> list[tuple[str, str, int]]:
        """The name index's answer for a name search (graph/queries/search.py): every enterprise (`kind`
        "enterprise") or person ("person") whose name's Han characters hold one of `terms` (runs of two or more Han
        characters) as consecutive characters, as (key, name, how many of the terms it holds). A term that more
        than `cap` names hold says too little to count, and is left out. Exact on both stores, so both give the
        same candidates; the ranking is shared."""

    @abstractmethod
    def expand(self, frontier: list[Party], limit: int) -> list[Edge]:
        """All role edges touching any party of the frontier, at most `limit` (a supernode guard)."""

    def last_level(self, frontier: list[Party]) -> LastLevel | None:
        """For a check's last level: the frontier's edges its rules can read, with how many edges and roles the
        whole level has (graph/stores/last_level.py); None: the store gives every edge (`expand`)."""
        return None

    def read_ahead(self, subjects: list[tuple[str, str]], depth: int) -> None:
        """Read at once what checks of these (kind, key) subjects to `depth` will ask, so that the checks after it,
        in this process or in processes forked from it, find it in memory. Stores that keep nothing between
        questions (Neo4j: a check is one round trip anyway) keep the default: nothing."""

    def neighbourhood(self, start: Party, depth: int, max_parties: int):
        """Everything a check's traversal to `depth` would ask `expand` and `listings_of`, fetched at once
        (a graph.stores.neighbourhood.Neighbourhood), or None: ask level by level. Only for a check's traversal
        (`for_rules`): from depth 3 its last level may come as only what the rules read there, and asking it for
        that level whole raises OutermostTrimmed. Stores whose questions are cheap (embedded: memory and a local
        file) keep the default."""
        return None

    def located(self, code: str, code_kind: str, depth: int, max_parties: int) -> tuple[Party | None, Any]:
        """The party a code names (`code_kind`: uscc, reg_no or id_number; None when the store does not know
        it) and what `neighbourhood` gives for it. A check asks both; a store whose every question is a round
        trip (Neo4j) answers them in one."""
        party = self.party_by_code(code, code_kind)
        return party, (self.neighbourhood(party, depth, max_parties) if party is not None else None)

    def party_by_code(self, code: str, code_kind: str) -> Party | None:
        """The person (`code_kind` id_number) or enterprise (uscc, reg_no) a code names, or None."""
        return self.person(code) if code_kind == "id_number" else self.enterprise_by_code(code, code_kind)

    def unread_codes(self) -> AbstractSet[str] | None:
        """Every code a rejected row is remembered under (graph/unread.py), when the store has them at hand: a check
        asks `unread_about` only when a party within reach has one (most stores, most of the time: none at all).
        None: the store cannot say without a question of its own (then `unread_about` is asked)."""
        return None

    @abstractmethod
    def unread_of_file(self, source: str, kind: str) -> list[tuple[str, int]]:
        """(code, row) of every rejected row remembered from a file of this name and class (graph/unread.py)."""

    @abstractmethod
    def unread_about(self, keys: list[str]) -> list[dict[str, Any]]:
        """Rejected rows remembered under any of these codes (graph/unread.py), in file and row order."""

    def registry_head(self, key: str) -> tuple[bool, str | None]:
        """(whether the store has the enterprise, the 法定代表人 its registry row names, as written)."""
        fields = self.enterprise(key)
        return fields is not None, (fields or {}).get("legal_rep")

    def listed_unregistered_named(self, name: str) -> list[Party]:
        """Enterprises no registry row names that a listing names (created by records sent under a code the registry
        lacks, such as an old 注册号), whose name is `name` (normalised, company forms folded): a registered
        enterprise of that name may be the one listed (graph/queries/check.py)."""
        return []

    @abstractmethod
    def listed_persons_named(self, names: list[str]) -> list[Party]:
        """Persons of any of these names (as written) whom a listing names: who a registry's head given by name
        alone might be."""

    def listings_by_node(self, nodes: list[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """As listings_of, by (kind, key): the check asks for every party it reached, and most have none."""
        return {(p.kind, p.key): ls for p, ls in self.listings_of([Party(k, key) for k, key in nodes]).items()}

    @abstractmethod
    def listings_of(self, parties: list[Party]) -> dict[Party, list[dict[str, Any]]]:
        """Every listing (active or not) whose subject is one of these parties."""

    def standing_of(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """For enterprise keys: the registry `status` (登记状态) and the `penalties` (each record's fields), for the
        check's penalties of note. A key with nothing of note may be left out. Stores answer in one question where
        they can."""
        out = {}
        for key in keys:
            fields = self.enterprise(key)
            if fields is not None:
                out[key] = {"status": fields.get("status"), "penalties": self.records_of(key).get("penalty", [])}
        return out

    @abstractmethod
    def enterprise(self, key: str) -> dict[str, Any] | None:
        """The enterprise's own fields (registry data), or None."""

    @abstractmethod
    def records_of(self, enterprise_key: str) -> dict[str, list[dict[str, Any]]]:
        """Every record under this enterprise, by kind."""

    @abstractmethod
    def members_of(self, enterprise_key: str) -> list[Edge]: ...

    @abstractmethod
    def roles_of(self, party: Party) -> list[Edge]: ...

    @abstractmethod
    def department_listings(self, department: str) -> list[dict[str, Any]]:
        """Listings whose receivers include this (canonical) department, each with its `party`."""

    @abstractmethod
    def department_issued(self, department: str) -> dict[str, int]:
        """How many records of each class this department issued or sent."""

    @abstractmethod
    def department_names(self) -> list[str]: ...

    @abstractmethod
    def counts(self) -> dict[str, Any]:
        """Nodes per class, records per department."""

    def objections(self) -> list[dict[str, Any]]:
        """Every objection (graph/record_state.objection_dict), each with `record` (RecordInfo.summary of the record
        it is against, without events)."""
        return []

    def changed_parties(self, after: int, upto: int) -> dict[int, set[str]]:
        """Each data version in (after, upto] that recorded which parties it touched, with their codes
        (graph/stores/changes.py); a version missing here did not say."""
        return {}

    def licences_issued(self) -> list[dict[str, Any]]:
        """Every licence record: at least its `valid_from`, `valid_to`, `status` and `license_no`, with `departments`
        (the canonical 许可机关) and `party` (its enterprise)."""
        raise NotImplementedError

    def licence_rows(self) -> Iterable[tuple[Any, Any, Any, Any, str, str | None, str]]:
        """As licences_issued, one tuple per licence and department: (valid_from, valid_to, status, license_no,
        enterprise key, enterprise name, department). Every pass of alerts reads every licence of the county: a
        store may answer without making a dict and a Party of each."""
        for lic in self.licences_issued():
            party = lic["party"]
            for department in lic["departments"]:
                yield (lic.get("valid_from"), lic.get("valid_to"), lic.get("status"), lic.get("license_no"),
                       party.key, party.name, department)

    def words_used(self) -> dict[str, dict[str, int]]:
        """How often each list type (信息类型) and each role label is used: `{"list_types": {…}, "roles": {…}}`."""
        return {"list_types": {}, "roles": {}}


class GraphStore(ABC):
    name: str
    # True where one reader sees one snapshot (SQLite WAL); Neo4j reads are read-committed, so a load that
    # commits between two queries of one question could be half-seen: `read` notices and asks again.
    snapshot_reads: bool = True
    read_attempts: int = 5

    def read(self, question: Callable[[GraphReader], T]) -> T:
        """Answer `question` against one state of the store: the data before a concurrent load or after it."""
        for _ in range(self.read_attempts):
            with self.reader() as reader:
                answer = question(reader)
                if self.snapshot_reads or reader.current_version() == reader.data_version:
                    return answer
        from graph.errors import StoreBusy
        raise StoreBusy("数据正在频繁更新，请稍后重试 (the store changed during every attempt; retry shortly)")

    # True where a child process forked from this one may use `forked()`: what was read, shared copy-on-write.
    crosses_fork: bool = False

    def forked(self) -> GraphStore:
        """This store in a child process forked from the one that opened it (after `release_connections`), with
        connections of its own; only where `crosses_fork`."""
        raise NotImplementedError

    def release_connections(self) -> None:
        """Close this thread's connections; they are opened again when next needed. Before a fork: a SQLite
        connection must not cross fork()."""

    @abstractmethod
    def writer(self, source: str) -> AbstractContextManager[GraphWriter]: ...

    def row_preparer(self, kind: str) -> Callable[[dict[str, Any]], tuple] | None:
        """A pure function of one validated row giving what this store's writer inserts for it
        (`GraphWriter.write_prepared`), run in the process that reads the file; None: rows go to `write_row`."""
        return None

    @abstractmethod
    def reader(self) -> AbstractContextManager[GraphReader]: ...

    @abstractmethod
    def data_version(self) -> int: ...

    @abstractmethod
    def reset(self, progress: Callable[[str, int], None] | None = None) -> None:
        """Empty the store (tests, a clean reload). A store that empties in batches calls `progress(what,
        deleted so far)` after each ("relationships", then "nodes")."""

    def record_load(self, entry: dict[str, Any]) -> None:
        """Remember one file's load summary (for `stats`)."""

    def load_history(self) -> list[dict[str, Any]]:
        return []

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
