"""What an engineer would write by hand: three textbook answers to "which restricted parties are within N hops
of the subject?", on the same data and machine as creditnet.

Each enumerates paths, as the textbook does, and returns the set of restricted parties at the far ends:
- cypher: `MATCH p=(s)-[:ROLE*1..N]-(x) WHERE <x restricted> RETURN p` on the same Neo4j, paths read by the
  client (the relationship types are the four role types, so that records are not walked, as creditnet
  does not walk them);
- networkx: the whole party graph read into a networkx Graph once, then a breadth-first search that extends
  every simple path by one hop per level (networkx's own `all_simple_paths` with a set of targets recomputes
  `targets - path` at every step, which at a million enterprises is slower still; the hand-written loop is
  the kinder baseline);
- sqlite-cte: a recursive CTE over the embedded store's own `role` table, carrying the path as a string to
  refuse cycles, with indexes on both ends of a role (the store's own).
"Restricted" is the check's own definition: the subject of a listing active on the date (the enterprise it
concerns, or the person it names). Every baseline runs under a per-check time limit; a check that runs out
of time counts as slower than the limit.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

ROLE_TYPES = "LEGAL_REPRESENTATIVE_OF|SHAREHOLDER_OF|OFFICER_OF|BRANCH_OF"
RESTRICTED = ("EXISTS { MATCH (x)<-[:CONCERNS|NAMES]-(l:Listing) "
              "WHERE l.valid_from <= $on AND (l.valid_to IS NULL OR l.valid_to >= $on) }")
SUBJECT = {"enterprise": "(s:Enterprise {key: $key})", "person": "(s:Person {id_number: $key})"}


def textbook_cypher(kind: str, depth: int) -> str:
    # The depth is an int chosen by the benchmark, not user input: variable-length bounds cannot be parameters.
    return (f"MATCH p = {SUBJECT[kind]}-[:{ROLE_TYPES}*1..{int(depth)}]-(x) "
            f"WHERE x <> s AND {RESTRICTED} RETURN p")


SQLITE_CTE = """
WITH RECURSIVE walk(kind, ref, depth, path) AS (
  SELECT :kind, :ref, 0, '|' || :kind || ':' || :ref || '|'
  UNION ALL
  SELECT r.member_kind, r.member_ref, w.depth + 1, w.path || r.member_kind || ':' || r.member_ref || '|'
    FROM walk w JOIN role r ON r.enterprise_id = CAST(w.ref AS INTEGER)
   WHERE w.kind = 'enterprise' AND w.depth < :depth
     AND instr(w.path, '|' || r.member_kind || ':' || r.member_ref || '|') = 0
  UNION ALL
  SELECT 'enterprise', CAST(r.enterprise_id AS TEXT), w.depth + 1, w.path || 'enterprise:' || r.enterprise_id || '|'
    FROM walk w JOIN role r ON r.member_kind = w.kind AND r.member_ref = w.ref
   WHERE w.depth < :depth AND instr(w.path, '|enterprise:' || r.enterprise_id || '|') = 0
)
SELECT DISTINCT w.kind, coalesce(e.key, w.ref)
  FROM walk w
  JOIN listing_subject ls ON ls.party_kind = w.kind AND ls.party_ref = w.ref
  JOIN record rec ON rec.id = ls.record_id
  LEFT JOIN enterprise e ON w.kind = 'enterprise' AND e.id = CAST(w.ref AS INTEGER)
 WHERE w.depth >= 1 AND json_extract(rec.props, '$.valid_from') <= :on
   AND (json_extract(rec.props, '$.valid_to') IS NULL OR json_extract(rec.props, '$.valid_to') >= :on)
   AND NOT (w.kind = :kind AND w.ref = :ref)
"""


class TimedOut(Exception):
    pass


# --- the three baselines ---------------------------------------------------------------------------------
class CypherBaseline:
    name = "cypher"

    def __init__(self, task: dict):
        from neo4j import GraphDatabase
        n = task["neo4j"]
        self.driver = GraphDatabase.driver(n["uri"], auth=(n["user"], n["password"]) if n["password"] else None)
        self.database = n["database"]
        self.session = self.driver.session(database=self.database, default_access_mode="READ")
        self.on = task["as_of"]
        self.setup = {}

    def find(self, subject: dict, depth: int, timeout: float) -> set[str]:
        from neo4j import Query
        from neo4j.exceptions import ClientError, TransientError
        found = set()
        try:
            result = self.session.run(Query(textbook_cypher(subject["kind"], depth), timeout=timeout),
                                      key=subject["key"], on=self.on)
            for record in result:
                x = record["p"].end_node
                if "Person" in x.labels:
                    found.add(f"person:{x['id_number']}")
                else:
                    found.add(f"enterprise:{x['key']}")
        except (ClientError, TransientError) as exc:
            if "TimedOut" in (exc.code or "") or "Terminated" in (exc.code or ""):
                raise TimedOut from exc
            raise
        return found

    def close(self):
        self.session.close()
        self.driver.close()


class NetworkxBaseline:
    name = "networkx"

    def __init__(self, task: dict):
        import networkx as nx
        from benchmarks.measure import rss_mb
        rss0 = rss_mb()
        t0 = time.perf_counter()
        conn = sqlite3.connect(f"file:{Path(task['sqlite'])}?mode=ro", uri=True)
        g = nx.Graph()
        for member_kind, ref, ent_key, member_ent_key in conn.execute(
                "SELECT r.member_kind, r.member_ref, e.key, me.key FROM role r JOIN enterprise e ON e.id = r.enterprise_id "
                "LEFT JOIN enterprise me ON r.member_kind = 'enterprise' AND me.id = CAST(r.member_ref AS INTEGER)"):
            member = f"person:{ref}" if member_kind == "person" else f"enterprise:{member_ent_key}"
            g.add_edge(member, f"enterprise:{ent_key}")
        self.restricted = restricted_parties(conn, task["as_of"])
        conn.close()
        self.graph = g
        self.setup = {"build_s": round(time.perf_counter() - t0, 2), "nodes": g.number_of_nodes(),
                      "edges": g.number_of_edges(), "rss_mb": round(rss_mb() - rss0, 1),
                      "restricted": len(self.restricted)}

    def find(self, subject: dict, depth: int, timeout: float) -> set[str]:
        start = f"{subject['kind']}:{subject['key']}"
        adj = self.graph.adj
        if start not in adj:
            return set()
        deadline = time.perf_counter() + timeout
        restricted = self.restricted
        found = set()
        paths = [(start,)]
        for _ in range(depth):
            longer = []
            for path in paths:
                for v in adj[path[-1]]:
                    if v in path:
                        continue
                    if v in restricted:
                        found.add(v)
                    longer.append(path + (v,))
                if len(longer) & 0x3FF == 0 and time.perf_counter() > deadline:
                    raise TimedOut
            paths = longer
            if time.perf_counter() > deadline:
                raise TimedOut
        return found

    def close(self):
        pass


class SqliteCteBaseline:
    name = "sqlite-cte"

    def __init__(self, task: dict):
        self.conn = sqlite3.connect(f"file:{Path(task['sqlite'])}?mode=ro", uri=True)
        self.conn.execute("PRAGMA cache_size=-65536")  # as the embedded store's own connections
        self.on = task["as_of"]
        self.deadline = float("inf")
        self.conn.set_progress_handler(lambda: 1 if time.perf_counter() > self.deadline else 0, 20_000)
        self.setup = {}

    def find(self, subject: dict, depth: int, timeout: float) -> set[str]:
        self.deadline = time.perf_counter() + timeout
        kind, ref = subject["kind"], subject["key"]
        try:
            if kind == "enterprise":
                row = self.conn.execute("SELECT id FROM enterprise WHERE key = ?", (ref,)).fetchone()
                if row is None:
                    return set()
                ref = str(row[0])
            rows = self.conn.execute(SQLITE_CTE, {"kind": kind, "ref": ref, "depth": depth, "on": self.on}).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupt" in str(exc):
                raise TimedOut from exc
            raise
        finally:
            self.deadline = float("inf")
        return {f"{k}:{key}" for k, key in rows}

    def close(self):
        self.conn.close()


BASELINES = {b.name: b for b in (CypherBaseline, NetworkxBaseline, SqliteCteBaseline)}


def restricted_parties(conn: sqlite3.Connection, on: str) -> set[str]:
    """Every party restricted on `on`, as the check defines it, from the embedded store's tables."""
    out = set()
    for kind, ref, key in conn.execute(
            "SELECT ls.party_kind, ls.party_ref, e.key FROM listing_subject ls JOIN record rec ON rec.id = ls.record_id "
            "LEFT JOIN enterprise e ON ls.party_kind = 'enterprise' AND e.id = CAST(ls.party_ref AS INTEGER) "
            "WHERE json_extract(rec.props, '$.valid_from') <= ? AND (json_extract(rec.props, '$.valid_to') IS NULL "
            "OR json_extract(rec.props, '$.valid_to') >= ?)", (on, on)):
        out.add(f"enterprise:{key}" if kind == "enterprise" else f"person:{ref}")
    return out


def run(task: dict) -> dict:
    """Run one baseline over the subjects at each depth: per-subject seconds (None: out of time) and answers.

    `budget_s` bounds the time spent at one depth; subjects left when it runs out are not run (and counted).
    """
    from benchmarks.measure import rss_mb
    baseline = BASELINES[task["baseline"]](task)
    out = {"baseline": baseline.name, "setup": baseline.setup, "depths": {}}
    try:
        for depth in task["depths"]:
            seconds, answers, timed_out = [], {}, []
            spent, skipped = 0.0, 0
            for _ in range(task.get("warmup", 1)):  # the first query of a kind pays for planning and caches
                try:
                    baseline.find(task["subjects"][0], depth, task["timeout_s"])
                except TimedOut:
                    pass
            for subject in task["subjects"]:
                if spent > task["budget_s"]:
                    skipped += 1
                    continue
                t0 = time.perf_counter()
                try:
                    answers[subject["key"]] = sorted(baseline.find(subject, depth, task["timeout_s"]))
                    seconds.append(time.perf_counter() - t0)
                except TimedOut:
                    seconds.append(None)
                    timed_out.append(subject["key"])
                spent += time.perf_counter() - t0
            out["depths"][str(depth)] = {"seconds": seconds, "answers": answers, "timed_out": timed_out,
                                         "skipped": skipped, "spent_s": round(spent, 2)}
    finally:
        baseline.close()
    out["rss_after_mb"] = round(rss_mb(), 1)
    return out


def compare(creditnet_answers: dict[str, dict[str, int]], baseline_answers: dict[str, list[str]], depth: int,
            subjects: dict[str, str], truncated: list[str] = ()) -> dict:
    """Does the baseline find exactly creditnet's restricted parties within `depth` hops (subject excluded)?

    creditnet's side is every hit with 1 <= hops <= depth: what it found by the non-binding (search) rule.
    A binding three-year-bar hit at 2 hops on a depth-1 check is outside the radius and left out, as the
    baselines know no rules. Subjects whose traversal hit the party limit are not compared.
    """
    agree, differ = 0, []
    for key, found in baseline_answers.items():
        if key in truncated or key not in creditnet_answers:
            continue
        subject = f"{subjects.get(key, '')}:{key}"
        mine = {p for p, hops in creditnet_answers[key].items() if 1 <= hops <= depth and p != subject}
        theirs = set(found) - {subject}
        if mine == theirs:
            agree += 1
        else:
            differ.append({"key": key, "only_creditnet": sorted(mine - theirs), "only_baseline": sorted(theirs - mine)})
    return {"compared": agree + len(differ), "agree": agree, "differ": differ[:10], "n_differ": len(differ)}
