"""The embedded store's answers: every question a check, a profile, a department's page or the statistics ask,
read from one SQLite read transaction and the party graph built for that data version."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from graph.model import Party
from graph.names import folded_name
from graph.stores import changes
from graph.stores.base import Edge, GraphReader, LastLevel
from graph.stores.party_graph import PartyGraph, chunks
from graph.stores.embedded_amendments import all_objections, amended_records, decorate
from graph.record_state import record_id
from graph.unread import UNREAD_COLUMNS
from graph.stores.sqlite_schema import NO_ENTERPRISE


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

    def persons_by_name(self, name, limit=20):
        rows = self.conn.execute("SELECT id_number, name FROM person WHERE name = ? ORDER BY id_number LIMIT ?",
                                 (name, limit))
        return [Party("person", k, n or "") for k, n in rows]

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

    def last_level(self, frontier):
        near = self.pg.near_listed(self.conn)
        codes = self.pg.unread_codes(self.conn)
        nodes = [(p.kind, p.key) for p in frontier]
        self.pg.ensure(self.conn, nodes)
        edges: list[Edge] = []
        edge_count = role_count = 0
        with self.pg.lock:
            for node in nodes:
                mine, count, roles = self.pg.last_level_of(node, near, codes)
                edges += mine
                edge_count += count
                role_count += roles
        return LastLevel(edges, edge_count, role_count)

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
        for rid, props, eid, natural, key, since in self.conn.execute(
                "SELECT r.id, r.props, r.enterprise_id, r.natural, e.key, rd.since FROM record_department rd "
                "JOIN record r ON r.id = rd.record_id LEFT JOIN enterprise e ON e.id = r.enterprise_id "
                "WHERE rd.department = ? AND rd.relation = 'received_by' AND r.kind = 'blacklist'", (department,)):
            listing = self._listing(rid, props)
            listing["record_id"] = self._id("blacklist", eid, key, natural)
            listing["_received_on"] = since  # the day the department was sent it (None: a store from before)
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
        return [{"valid_from": valid_from, "valid_to": valid_to, "status": status, "license_no": number,
                 "departments": [department], "party": Party("enterprise", key, name or "")}
                for valid_from, valid_to, status, number, key, name, department in self.licence_rows()]

    def licence_rows(self):
        # Every pass of alerts asks, for every licence of the county: the four fields it needs, not the whole record,
        # as SQLite gives them.
        return self.conn.execute(
            "SELECT json_extract(r.props, '$.valid_from'), json_extract(r.props, '$.valid_to'), "
            "json_extract(r.props, '$.status'), json_extract(r.props, '$.license_no'), e.key, e.name, rd.department "
            "FROM record r JOIN enterprise e ON e.id = r.enterprise_id "
            "JOIN record_department rd ON rd.record_id = r.id AND rd.relation = 'issued_by' "
            "WHERE r.kind = 'license'").fetchall()

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
