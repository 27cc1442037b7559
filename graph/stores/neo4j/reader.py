"""Reading from Neo4j: each read an auto-commit transaction with the time limit; a check's neighbourhood in one
bounded query (queries.neighbourhood)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from graph.model import Party
from graph.names import fold_company_form, folded_name
from graph.stores.base import Edge, GraphReader, LastLevel, edge_terms, former_terms
from graph.stores.neighbourhood import Neighbourhood
from graph.stores import changes
from graph.stores.neo4j import amendment_queries as aq, queries as q, schema_queries as sq
from graph.stores.neo4j.amendments import all_objections, standing_of_row
from graph.stores.neo4j.properties import ENTERPRISE_KEYS, RECORD_KEYS, fields
from graph.unread import NAME_PREFIX, PERSON_PREFIX, UNREAD_COLUMNS
from graph.vocabulary import penalty_words

# The most parties a check's neighbourhood query gathers (each level's `NOT n IN …` grows with the level);
# a larger neighbourhood is traversed level by level, as before.
NEIGHBOURHOOD_CAP = 2000


def edge_of(member: Party, enterprise: Party, terms: dict[str, list[tuple[str | None, str | None]]]) -> Edge:
    """An Edge from each role's terms (the current one, then the holder's earlier ones), as the embedded store
    builds it."""
    return Edge(member, enterprise, *edge_terms(terms))


class TimedReads:
    """Runs each read as an auto-commit transaction of the session, bounded by the query timeout."""

    def __init__(self, session, timeout_s: float):
        self.session, self.timeout_s = session, timeout_s

    def run(self, cypher: str, **params):
        from neo4j import Query
        return self.session.run(Query(cypher, timeout=self.timeout_s), params)


@dataclass(frozen=True)
class StoreFacts:
    """What every check asks about the store as a whole (queries.STORE_FACTS), as of one data version."""
    version: int
    events: bool  # whether any record has events (withdrawn, corrected, ended …)
    objections: bool  # whether any record has objections
    unread_codes: frozenset[str]  # every code a rejected row is remembered under (graph/unread.py)
    listed_labelled: bool = False  # every party a listing names carries the label Listed (schema_queries.LABEL_LISTED)


class Neo4jReader(GraphReader):
    def __init__(self, tx, data_version: int, settled_version=None, per_version: dict | None = None):
        self.tx = tx
        self.data_version = data_version
        self._settled_version = settled_version
        # What the store keeps per data version across readers (Neo4jStore): read once, asked by every check.
        self._per_version = per_version if per_version is not None else {}

    def listed_unregistered_named(self, name):
        version, table = self._per_version.get("listed_unregistered", (None, None))
        if version != self.data_version or table is None:
            table = {}
            for r in self._rows(q.LISTED_UNREGISTERED):
                table.setdefault(fold_company_form(r["name_norm"] or ""), []).append(
                    Party("enterprise", r["key"], r["name"] or ""))
            self._per_version["listed_unregistered"] = (self.data_version, table)  # one assignment: safe across threads
        return table.get(folded_name(name), [])

    def facts(self) -> StoreFacts:
        """The store's facts as of this reader's data version: asked once per version (and store), then kept.

        Kept for version v only if the read itself says v. A load committing at that moment could still have shown
        some of its rows; but a question that then uses them reads the settled version again at its end, after that
        commit (the load holds the meta node until its commit is applied), sees v+1, and is asked again
        (GraphStore.read), never answered from them. Every change of what they say moves the data version."""
        facts = self._per_version.get("facts")
        if facts is None or facts.version != self.data_version:
            row = self._rows(q.STORE_FACTS)[0]
            facts = StoreFacts(int(row["v"] or 0), row["events"], row["objections"], frozenset(row["unread_codes"]),
                               bool(row["listed_labelled"]))
            if facts.version == self.data_version:
                self._per_version["facts"] = facts  # one assignment: safe across threads
        return facts

    def current_version(self) -> int:
        if self._settled_version is not None:
            return self._settled_version()
        return int(self.tx.run(sq.DATA_VERSION).single()["v"] or 0)

    def _rows(self, cypher: str, **params):
        return list(self.tx.run(cypher, **params))

    def enterprise_by_code(self, code, code_kind):
        rows = self._rows(q.ENTERPRISE_BY_USCC if code_kind == "uscc" else q.ENTERPRISE_BY_REG_NO, code=code)
        return Party("enterprise", rows[0]["key"], rows[0]["name"] or "") if rows else None

    def enterprises_by_name(self, name_norm, limit=20):
        return [Party("enterprise", r["key"], r["name"] or "")
                for r in self._rows(q.ENTERPRISES_BY_NAME, name=name_norm, limit=limit)]

    def persons_by_name(self, name, limit=20):
        return [Party("person", r["key"], r["name"] or "")
                for r in self._rows(q.PERSONS_BY_NAME, name=name, limit=limit)]

    def person(self, id_number):
        rows = self._rows(q.PERSON, id=id_number)
        return Party("person", rows[0]["key"], rows[0]["name"] or "") if rows else None

    def persons(self, id_numbers):
        return {r["key"]: Party("person", r["key"], r["name"] or "")
                for r in self._rows(q.PERSONS, ids=sorted(set(id_numbers)))}

    def unread_of_file(self, source, kind):
        return [(r["code"], r["row"]) for r in self._rows(q.UNREAD_OF_FILE, source=source, kind=kind)]

    def unread_codes(self):
        return self.facts().unread_codes

    def unread_about(self, keys):
        return [{k: r["u"].get(k) for k in UNREAD_COLUMNS}
                for r in self._rows(q.UNREAD_ABOUT, codes=sorted(set(keys)))] if keys else []

    def listed_persons_named(self, names):
        return [Party("person", r["key"], r["name"] or "")
                for r in self._rows(q.LISTED_PERSONS_NAMED, names=sorted(set(names)))]

    def name_candidates(self, kind, terms, cap):
        # What the embedded store's index answers (EmbeddedReader.name_candidates), in two round trips: the runs of
        # two first; then the runs of three that no held run of two contains. A run of three inside a run of two
        # that few names hold is counted from those names' Han characters: Lucene's costliest phrase is a rare run
        # of common characters, which walks both bigrams' whole position lists. A run more than `cap` names hold is
        # remembered for the data version and not asked again.
        index = q.NAME_INDEXES[kind]
        version, common = self._per_version.get(("common terms", index, cap), (None, None))
        if version != self.data_version or common is None:
            common = set()
            self._per_version[("common terms", index, cap)] = (self.data_version, common)  # one assignment
        matched: dict[str, int] = {}
        names: dict[str, str] = {}
        held: dict[str, list[tuple[str, str]]] = {}  # a run of two's holders: (key, Han characters)

        def ask(batch: list[str]) -> None:
            if not batch:
                return
            for r in self._rows(q.NAME_TERM_HOLDERS, index=index, terms=[[t, f'"{t}"'] for t in batch], cap=cap):
                if r["common"]:
                    common.add(r["term"])
                    continue
                for key, name, _ in r["holders"]:
                    names[key] = name or ""
                    matched[key] = matched.get(key, 0) + 1
                if len(r["term"]) == 2:
                    held[r["term"]] = [(key, han or "") for key, _, han in r["holders"]]

        ask([t for t in terms if len(t) == 2 and t not in common])
        rest = []
        for term in (t for t in terms if len(t) != 2):
            within = next((held[t] for t in (term[:2], term[1:]) if len(term) == 3 and t in held), None)
            if within is not None:
                for key, han in within:
                    if term in han:
                        matched[key] += 1
            elif term not in common:
                rest.append(term)
        ask(rest)
        return [(key, names[key], n) for key, n in matched.items()]

    @staticmethod
    def _split(parties: Iterable[Party]) -> dict[str, list[str]]:
        parties = list(parties)
        return {"enterprises": [p.key for p in parties if p.kind == "enterprise"],
                "persons": [p.key for p in parties if p.kind == "person"]}

    def expand(self, frontier, limit):
        rows = self._rows(q.EXPAND, limit=limit, **self._split(frontier))
        return self._edges_of_list(rows[0]["edges"] if rows else [])

    @staticmethod
    def _edges_of_list(found: list) -> list[Edge]:
        """Edges from EXPAND's list of relationships: one Edge per (member, enterprise), each role with its terms."""
        edges: dict[tuple, dict[str, list]] = {}
        for kind, key, name, role, since, until, former, ent_key, ent_name in found:
            member = Party(kind, key, name or "")
            ent = Party("enterprise", ent_key, ent_name or "")
            edges.setdefault((member, ent), {})[role] = [(since, until), *former_terms(former)]
        return [edge_of(m, e, terms) for (m, e), terms in edges.items()]

    def _unread_terms(self) -> dict[str, list[str]]:
        """The codes and names rows that could not be read are kept under, as the last level's queries ask them."""
        codes = self.unread_codes()
        return {"codes": sorted(codes),
                "names": sorted(c[len(NAME_PREFIX):] for c in codes if c.startswith(NAME_PREFIX)),
                "hans": sorted(c[len(PERSON_PREFIX):] for c in codes if c.startswith(PERSON_PREFIX))}

    def last_level(self, frontier):
        # The server filters (queries.last_level); a relationship is one role, so it counts both edges and roles.
        rows = self._rows(q.last_level(self.facts().listed_labelled), **self._split(frontier), **self._unread_terms())
        if not rows:
            return LastLevel([], 0, 0)
        relationships = int(rows[0]["relationships"] or 0)
        return LastLevel(self._edges_of_list(rows[0]["edges"]), relationships, relationships)

    def neighbourhood(self, start, depth, max_parties):
        """One query for the whole neighbourhood (queries.neighbourhood), instead of one per level and one
        for the listings; None when a bound was reached, so that the traversal goes level by level."""
        if depth < 1:
            return None
        rows = self._neighbourhood_rows(depth, max_parties, kind=start.kind, key=start.key)
        if not rows:  # a subject the store does not know: nothing around it
            return Neighbourhood([], {}, unread_codes=self.unread_codes())
        return self._neighbourhood(rows[0], max_parties)

    def located(self, code, code_kind, depth, max_parties):
        # The subject's look-up inside the neighbourhood query: a check makes three round trips, not four (the
        # settled version, this, the settled version again).
        if depth < 1:
            return super().located(code, code_kind, depth, max_parties)
        rows = self._neighbourhood_rows(depth, max_parties, code=code, code_kind=code_kind)
        if not rows:  # no party has this code: nothing around it either, and no registry row
            return None, Neighbourhood([], {}, registry_head=(code, None), unread_codes=self.unread_codes())
        row = rows[0]
        return Party(row["subject_kind"], row["subject_key"], row["subject_name"] or ""), \
            self._neighbourhood(row, max_parties)

    def _neighbourhood_rows(self, depth: int, max_parties: int, **start) -> list:
        """The neighbourhood query from a party (`kind`, `key`) or from the party a code names (`code`,
        `code_kind`), within its bounds."""
        cap = min(max_parties, NEIGHBOURHOOD_CAP)
        facts = self.facts()
        # A check's last level from its third on: only the edges its rules read there (queries.neighbourhood).
        trimmed = depth >= 3
        return self._rows(q.neighbourhood(depth - 1, by_code="code" in start,
                                          labelled=facts.listed_labelled if trimmed else None),
                          cap=cap, edge_cap=cap * 4 + 100, penalty_words=penalty_words(), events=facts.events,
                          objections=facts.objections, **(self._unread_terms() if trimmed else {}), **start)

    def _neighbourhood(self, row, max_parties: int) -> Neighbourhood | None:
        if row["capped"]:
            return None
        # One Party per party (most appear in several edges: making each anew cost about 1 µs), by (kind, key).
        parties: dict[tuple[str, str], Party] = {}
        edges: dict[tuple, dict[str, list]] = {}
        for r in row["edges"]:
            m = (r["member_kind"], r["member_key"])
            if m not in parties:
                parties[m] = Party(*m, r["member_name"] or "")
            e = ("enterprise", r["enterprise_key"])
            if e not in parties:
                parties[e] = Party(*e, r["enterprise_name"] or "")
            edges.setdefault((m, e), {})[r["role"]] = [(r["since"], r["until"]), *former_terms(r["former"])]
        listings: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in row["listings"]:
            listings.setdefault((r["kind"], r["key"]), []).append(self._listing(r["props"], r["senders"], r["receivers"], r))
        standing: dict[str, dict[str, Any]] = {}
        for r in row["penalties"]:
            standing.setdefault(r["key"], {"status": None, "penalties": []})["penalties"].append(self._record(r["props"], r))
        for key, status in row["revoked"]:
            standing.setdefault(key, {"status": None, "penalties": []})["status"] = status
        outermost = None if row["frontier_degrees"] is None else {(k, key): n for k, key, n in row["frontier_degrees"]}
        found = Neighbourhood([edge_of(parties[m], parties[e], terms) for (m, e), terms in edges.items()], listings,
                              relationships=row["relationships"] or len(row["edges"]), standing=standing,
                              registry_head=(row["subject_key"], row["subject_legal_rep"]),
                              unread_codes=self.unread_codes(), outermost=outermost, parties=row["parties"] or 0)
        return found if found.fits(max_parties) else None

    @staticmethod
    def _record(node: dict[str, Any], row) -> dict[str, Any]:
        """A record's fields, its ID, and its events and objections where it has any (`row`: its `ekey`, `events`,
        `objections`)."""
        return {**fields(node, RECORD_KEYS), **standing_of_row(node, row["ekey"], row["events"], row["objections"])}

    @classmethod
    def _listing(cls, node: dict[str, Any], senders: list[str], receivers: list[str], row) -> dict[str, Any]:
        data = cls._record(node, row)
        data["receivers"] = sorted(receivers)
        data["sender"] = sorted(senders)[0] if senders else data.get("sender_as_sent")
        return data

    def listings_of(self, parties):
        lookup = {(p.kind, p.key): p for p in parties}
        result: dict[Party, list[dict[str, Any]]] = {}
        for r in self._rows(q.listings_of(self.facts().listed_labelled), **self._split(parties)):
            party = lookup[(r["kind"], r["key"])]
            result.setdefault(party, []).append(self._listing(r["props"], r["senders"], r["receivers"], r))
        return result

    def enterprise(self, key):
        rows = self._rows(q.ENTERPRISE, key=key)
        if not rows:
            return None
        node = rows[0]["node"]
        return {"key": node["key"], "uscc": node.get("uscc"), "reg_no": node.get("reg_no"), "name": node.get("name"),
                "in_registry": bool(node.get("in_registry")), **fields(node, ENTERPRISE_KEYS)}

    def objections(self):
        return all_objections(self._rows(aq.ALL_OBJECTIONS))

    def words_used(self):
        return {"list_types": {r["word"]: r["n"] for r in self._rows(q.LIST_TYPES_USED)},
                "roles": {r["word"]: r["n"] for r in self._rows(q.ROLES_USED)}}

    def standing_of(self, keys):
        return {r["key"]: {"status": fields(r["node"], ENTERPRISE_KEYS).get("status"),
                           "penalties": [self._record(p["props"], p) for p in r["penalties"]]}
                for r in self._rows(q.STANDING_OF, keys=list(keys))} if keys else {}

    def records_of(self, enterprise_key):
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self._rows(q.RECORDS_OF, key=enterprise_key):
            if r["kind"] == "blacklist":
                data = self._listing(r["props"], r["senders"], r["receivers"], r)
            else:
                data = self._record(r["props"], r)
                data["departments"] = sorted(r["issued_by"])
            out.setdefault(r["kind"], []).append(data)
        return out

    @staticmethod
    def _edges(rows) -> list[Edge]:
        return [edge_of(Party(r["member_kind"], r["member_key"], r["member_name"] or ""),
                      Party("enterprise", r["enterprise_key"], r["enterprise_name"] or ""),
                      {role: [(since, until), *former_terms(former)] for role, since, until, former in r["terms"]})
                for r in rows]

    def members_of(self, enterprise_key):
        return self._edges(self._rows(q.MEMBERS_OF, key=enterprise_key))

    def roles_of(self, party):
        cypher = q.ROLES_OF_PERSON if party.kind == "person" else q.ROLES_OF_ENTERPRISE
        return self._edges(self._rows(cypher, key=party.key))

    def department_listings(self, department):
        out = []
        for r in self._rows(q.DEPARTMENT_LISTINGS, name=department):
            listing = self._listing(r["props"], r["senders"], r["receivers"], r)
            listing["_received_on"] = r["received_on"]  # the day the department was sent it (None: before)
            listing["_subjects"] = [Party(s["kind"], s["key"], s["name"] or "")
                                    for s in sorted(r["subjects"], key=lambda s: s["kind"])]
            out.append(listing)
        return out

    def changed_parties(self, after, upto):
        return changes.since_neo4j(self._rows(changes.CYPHER_SINCE, after=after, upto=upto))

    def licences_issued(self):
        return [{**fields(r["props"], RECORD_KEYS), "departments": [r["department"]],
                 "party": Party("enterprise", r["key"], r["name"] or "")} for r in self._rows(q.LICENCES_ISSUED)]

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
