"""The Cypher the Neo4j store runs to answer questions (checks, profiles, departments, statistics), as named
constants, and the graph's shape that every Cypher of the store shares. Every one is parameterised: no user input
is ever formatted into a query string. Relationship types name what a relationship is; the Chinese role is kept
on the relationship as `role` so that 董事, 监事 and 经理 stay distinct under OFFICER_OF.

What a load writes is in `load_queries.py`; the schema, the meta node and the rewrites of stores written by
earlier versions in `schema_queries.py`; what became of records in `amendment_queries.py`.
"""
from __future__ import annotations

from graph.model import BRANCH_OF, LEGAL_REPRESENTATIVE, SHAREHOLDER
from graph.stores.neo4j.amendment_queries import standing_entries, standing_fields

ROLE_TYPES = ("LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF", "OFFICER_OF", "BRANCH_OF")
ROLE_PATTERN = "|".join(ROLE_TYPES)
RECORD_LABELS = {"license": "License", "license-change": "LicenseChange", "penalty": "Penalty",
                 "penalty-change": "PenaltyChange", "inspection": "Inspection", "blacklist": "Listing"}
DEPARTMENT_TYPES = {"issued_by": "ISSUED_BY", "sent_by": "SENT_BY", "received_by": "RECEIVED_BY"}


def role_type(role: str) -> str:
    if role == LEGAL_REPRESENTATIVE:
        return "LEGAL_REPRESENTATIVE_OF"
    if role == SHAREHOLDER:
        return "SHAREHOLDER_OF"
    if role == BRANCH_OF:  # (branch)-[:BRANCH_OF]->(the enterprise it belongs to): see graph.model.INVERSE_ROLES
        return "BRANCH_OF"
    return "OFFICER_OF"

LICENCES_ISSUED = """
MATCH (d:Department)<-[:ISSUED_BY]-(r:License)-[:CONCERNS]->(e:Enterprise)
RETURN properties(r) AS props, d.name AS department, e.key AS key, e.name AS name
"""
NAME_INDEXES = {"enterprise": "enterprise_name_han", "person": "person_name_han"}

ENTERPRISE_BY_USCC = "MATCH (e:Enterprise {uscc: $code}) RETURN e.key AS key, e.name AS name"
ENTERPRISE_BY_REG_NO = "MATCH (e:Enterprise {reg_no: $code}) RETURN e.key AS key, e.name AS name"
ENTERPRISES_BY_NAME = """
MATCH (e:Enterprise {name_norm: $name}) RETURN e.key AS key, e.name AS name ORDER BY key LIMIT $limit
"""
PERSONS_BY_NAME = """
MATCH (p:Person {name: $name}) RETURN p.id_number AS key, p.name AS name ORDER BY key LIMIT $limit
"""
PERSON = "MATCH (p:Person {id_number: $id}) RETURN p.id_number AS key, p.name AS name"
PERSONS = "UNWIND $ids AS id MATCH (p:Person {id_number: id}) RETURN p.id_number AS key, p.name AS name"
# The name search's holders of each term (GraphReader.name_candidates): `$terms` are [term, its Lucene phrase of Han
# characters] (no user text reaches the query parser but Han characters: graph/queries/search.py). A term more than
# $cap names hold is `common` and its holders are not sent; the others' holders come with their Han characters, in
# which the reader finds the runs of three a held run of two contains. `$index` is one of NAME_INDEXES.
NAME_TERM_HOLDERS = """
UNWIND $terms AS term
CALL (term) {
  CALL db.index.fulltext.queryNodes($index, term[1], {limit: $cap + 1}) YIELD node
  RETURN collect(node) AS hits
}
RETURN term[0] AS term, size(hits) > $cap AS common,
       CASE WHEN size(hits) > $cap THEN [] ELSE [n IN hits | [coalesce(n.key, n.id_number), n.name, n.name_han]] END
         AS holders
"""


UNREAD_OF_FILE = "MATCH (u:UnreadRow {source: $source}) WHERE u.kind = $kind RETURN u.code AS code, u.row AS row"
UNREAD_ABOUT = """
UNWIND $codes AS code
MATCH (u:UnreadRow {code: code})
RETURN properties(u) AS u ORDER BY u.source, u.row, u.code
"""


LISTED_PERSONS_NAMED = """
UNWIND $names AS name
MATCH (p:Person {name: name})
WHERE EXISTS { (p)<-[:NAMES]-(:Listing) }
RETURN DISTINCT p.id_number AS key, p.name AS name ORDER BY key
"""

# A level's edges as one list of [member kind, key, name, role, since, until, former, enterprise key, name]
# (`m`, `r`, `e`: member, relationship, enterprise).
_EDGE_LIST = """collect([CASE WHEN m:Person THEN 'person' ELSE 'enterprise' END, coalesce(m.key, m.id_number), m.name,
                  r.role, r.since, r.until, r.former, e.key, e.name]) AS edges"""
# One level of the bounded breadth-first traversal: every role edge touching the frontier.
EXPAND = f"""
CALL () {{
  UNWIND $enterprises AS k
  MATCH (e:Enterprise {{key: k}})<-[r:{ROLE_PATTERN}]-(m)
  RETURN m, r, e
  UNION
  UNWIND $enterprises AS k
  MATCH (m:Enterprise {{key: k}})-[r:{ROLE_PATTERN}]->(e:Enterprise)
  RETURN m, r, e
  UNION
  UNWIND $persons AS k
  MATCH (m:Person {{id_number: k}})-[r:{ROLE_PATTERN}]->(e:Enterprise)
  RETURN m, r, e
}}
WITH m, r, e LIMIT $limit
RETURN {_EDGE_LIST}
"""
# EXPAND answers in one row: a level behind a nominee or a group is thousands of relationships, and the driver's
# cost per record (a Record, a look-up per column) took 5–8 times the time of the same edges as one list (8,882
# relationships: 1.7–2.8 s against 0.2–0.7 s, on a busy machine).
# A check's last level (graph/stores/last_level.py): how many role relationships touch the frontier (each party's
# degree, from its own record), and only the relationships of the parties a check's rules read there: a listed party;
# a person in a frontier enterprise with a listing naming someone without an ID number; a party an unread row is
# kept under, by its code ($codes) or by its name ($names: an enterprise's name as normalised, with or without its
# company form folded; $hans: a person's Han characters, graph/unread.py). Each such party's every relationship to
# the frontier, so that the client finds the same chain to it. A node written before those names were kept counts
# as one: more than the rules need costs time, never an answer. `labelled`: every party a listing names carries the
# label Listed (schema_queries.LABEL_LISTED, StoreFacts.listed_labelled), a look-up per party where following its
# records to a listing cost about ten. Each party reached is tested once, however many frontier parties reach it. The
# two took a dense county's heaviest last level from 484,000 database hits to 144,000.
def last_level(labelled: bool) -> str:
    return _LAST_LEVEL + _to_wanted("(frontier)", "frontier", labelled, _EDGE_LIST) + "\nRETURN relationships, edges\n"



def _to_wanted(scope: str, frontier: str, labelled: bool, returns: str) -> str:
    """Two subqueries over `frontier` (a list expression of the variables in `scope`): the parties beside it that a
    check's rules read at its last level (`wanted`), then every relationship of each of them to `frontier`, given
    as `returns` says (`m`, `r`, `e`: member, relationship, enterprise)."""
    return f"""
CALL {scope} {{
  UNWIND {frontier} AS f
  {_wanted_beside("f", labelled)}
  RETURN collect(DISTINCT x) AS wanted
}}
CALL (frontier, wanted) {{
  UNWIND wanted AS x
  MATCH (x)-[r:{ROLE_PATTERN}]-(f)
  WHERE f IN frontier
  WITH DISTINCT r
  WITH startNode(r) AS m, r, endNode(r) AS e
  RETURN {returns}
}}"""


def _wanted_beside(frontier: str, labelled: bool) -> str:
    """The parties beside `frontier` (a variable, one frontier party per row) that a check's rules read at its last
    level, one row each as `x` (last_level; `labelled`: as there)."""
    f = frontier
    listed_f = f"{f}:Listed AND " if labelled else ""
    listed_x = "x:Listed" if labelled else "EXISTS { (x)<-[:CONCERNS|NAMES]-(:Listing) }"
    return f"""WITH {f}, {f}:Enterprise AND {listed_f}EXISTS {{ ({f})<-[:CONCERNS]-(l:Listing)
                                     WHERE l.props IS NOT NULL
                                        OR (coalesce(l.person_name, '') <> '' AND coalesce(l.id_number, '') = '') }} AS names_only
  MATCH ({f})-[:{ROLE_PATTERN}]-(x)
  WITH DISTINCT x, names_only
  WHERE (names_only AND x:Person)
     OR {listed_x}
     OR coalesce(x.key, x.id_number) IN $codes
     OR (x:Enterprise AND (x.name_norm IN $names OR replace(x.name_norm, '有限责任公司', '有限公司') IN $names
                           OR (x.name_norm IS NULL AND x.name IS NOT NULL)))
     OR (x:Person AND (x.name_han IN $hans OR (x.name_han IS NULL AND x.name IS NOT NULL)))"""


_LAST_LEVEL = f"""
CALL () {{
  UNWIND $enterprises AS k
  MATCH (f:Enterprise {{key: k}})
  RETURN f
  UNION
  UNWIND $persons AS k
  MATCH (f:Person {{id_number: k}})
  RETURN f
}}
WITH collect(f) AS frontier
CALL (frontier) {{
  UNWIND frontier AS f
  RETURN sum(COUNT {{ (f)-[:{ROLE_PATTERN}]-() }}) AS relationships
}}"""
_LISTINGS_OF = """
CALL () {
  UNWIND $enterprises AS k
  MATCH (x:Enterprise {key: k}) {listed}
  MATCH (x)<-[:CONCERNS]-(l:Listing)
  RETURN 'enterprise' AS kind, k AS key, l
  UNION ALL
  UNWIND $persons AS k
  MATCH (x:Person {id_number: k}) {listed}
  MATCH (x)<-[:NAMES]-(l:Listing)
  RETURN 'person' AS kind, k AS key, l
}
RETURN kind, key, properties(l) AS props,
       [(l)-[:SENT_BY]->(d) | d.name] AS senders,
       [(l)-[:RECEIVED_BY]->(d) | d.name] AS receivers, """ + standing_fields("l") + """
"""


def listings_of(labelled: bool) -> str:
    """The listings of parties (`labelled`: as last_level; an enterprise's records are not followed unless it is
    listed)."""
    return _LISTINGS_OF.replace("{listed}", "WHERE x:Listed" if labelled else "")


# Where a neighbourhood starts: the party a check already resolved (by key), or the one a code names, looked up
# in the same query (a check's subject look-up and its neighbourhood in one round trip; `located`).
_START_BY_KEY = """
  MATCH (s:Enterprise {key: $key}) WHERE $kind = 'enterprise' RETURN s
  UNION
  MATCH (s:Person {id_number: $key}) WHERE $kind = 'person' RETURN s"""
_START_BY_CODE = """
  MATCH (s:Enterprise {uscc: $code}) WHERE $code_kind = 'uscc' RETURN s
  UNION
  MATCH (s:Enterprise {reg_no: $code}) WHERE $code_kind = 'reg_no' RETURN s
  UNION
  MATCH (s:Person {id_number: $code}) WHERE $code_kind = 'id_number' RETURN s"""


def neighbourhood(levels: int, by_code: bool = False, labelled: bool | None = None) -> str:
    """A check's whole neighbourhood in one round trip: the parties within `levels` hops of the start (an
    unrolled breadth-first search, one CALL per level, each party once: no path enumeration), every role
    edge touching them, and the listings of every party those edges reach. The client then runs the same
    deterministic breadth-first order as EXPAND level by level would (graph/stores/neighbourhood.py).
    Rows that could not be read are not asked here: the client knows their codes per data version (STORE_FACTS),
    where an index seek for each party of every neighbourhood cost a tenth of this query.

    Bounded: each level and the ball keep at most $cap parties, the edges at most $edge_cap; `capped` says a
    bound was reached, and the caller then traverses level by level instead (EXPAND, with its own bounds). Once
    a bound is reached the query expands no further level and gathers no edge or listing: the caller would discard
    them (behind a nominee they were 8,000 edges read for nothing).
    With `by_code` the start is the party $code names ($code_kind: uscc, reg_no, id_number) and the row says
    who that is (`subject_*`); no row: nothing has that code.

    `labelled` not None (a check's last level is its third or later, `levels` ≥ 2): of the edges from the ball's
    outermost level outwards, only those a check's rules read there (as `last_level`, with $codes, $names and
    $hans; `labelled` as there), with each outermost party's number of relationships (`frontier_degrees`), so that
    the client can tell the whole level would not have been cut (graph/stores/neighbourhood.py). Behind a nominee
    or a group those edges were two thirds of the edges sent, and most of the time the client spent on them.
    Only the number of levels and the flags are formatted into the text; everything else is a parameter.
    """
    assert isinstance(levels, int) and 0 <= levels <= 10
    trimmed = labelled is not None
    assert not trimmed or levels >= 2
    level = f"""
CALL (frontier, previous, capped) {{
  UNWIND CASE WHEN capped THEN [] ELSE frontier END AS f
  MATCH (f)-[:{ROLE_PATTERN}]-(n)
  WHERE NOT n IN frontier AND NOT n IN previous
  WITH DISTINCT n LIMIT $cap + 1
  RETURN collect(n) AS next
}}
WITH s, ball + next AS ball, ball AS inner, next AS frontier, frontier AS previous, capped OR size(next) > $cap AS capped"""
    # The ball's parties whose every edge is sent: all of them, or (trimmed) all but the outermost level's.
    whole = "inner" if trimmed else "ball"
    edges = f"""
WITH s, ball, inner, frontier, capped OR size(ball) > $cap AS capped
CALL ({whole}, capped) {{
  UNWIND CASE WHEN capped THEN [] ELSE {whole} END AS b
  RETURN sum(COUNT {{ (b)-[:{ROLE_PATTERN}]-() }}) AS degrees
}}
WITH s, ball, inner, frontier, capped OR degrees >= 2 * $edge_cap + 2 AS capped, degrees
CALL ({whole}, capped) {{
  UNWIND CASE WHEN capped THEN [] ELSE {whole} END AS b
  MATCH (b)-[r:{ROLE_PATTERN}]-()
  WITH DISTINCT r LIMIT $edge_cap + 1
  WITH startNode(r) AS m, r, endNode(r) AS e
  RETURN collect({_EDGE_MAP}) AS edges, collect(DISTINCT m) + collect(DISTINCT e) AS touched
}}
WITH s, ball, inner, frontier, edges, capped OR size(edges) > $edge_cap AS capped, touched, degrees"""
    if trimmed:
        edges += f"""
CALL (frontier, capped) {{
  UNWIND CASE WHEN capped THEN [] ELSE frontier END AS f
  WITH f, COUNT {{ (f)-[:{ROLE_PATTERN}]-() }} AS degree
  RETURN collect([CASE WHEN f:Person THEN 'person' ELSE 'enterprise' END, coalesce(f.key, f.id_number), degree])
           AS frontier_degrees, sum(degree) AS outer_degrees
}}
{_to_wanted("(frontier, capped)", "CASE WHEN capped THEN [] ELSE frontier END", bool(labelled),
             f"collect({_EDGE_MAP}) AS outer, collect(DISTINCT m) + collect(DISTINCT e) AS reached")}
WITH s, ball, edges + outer AS edges, capped OR size(edges) + size(outer) > $edge_cap AS capped,
     touched + reached AS touched, frontier_degrees, degrees + outer_degrees AS relationships,
     size(ball) + outer_degrees AS parties"""
    else:
        edges += """
WITH s, ball, edges, capped, touched, null AS frontier_degrees, null AS relationships, null AS parties"""
    standing = standing_entries("l", guarded=True)  # each listing's and penalty's ID, events and objections
    return f"""
CALL () {{{_START_BY_CODE if by_code else _START_BY_KEY}
}}
WITH s, [s] AS ball, [] AS inner, [s] AS frontier, [] AS previous, false AS capped{level * levels}{edges}
CALL (ball, touched, capped) {{
  UNWIND CASE WHEN capped THEN [] ELSE ball + touched END AS x
  WITH DISTINCT x
  MATCH (x)<-[:CONCERNS|NAMES]-(l)
  WHERE l:Listing OR (l:Penalty AND any(w IN $penalty_words WHERE coalesce(l.penalty_type, '') CONTAINS w))
  RETURN collect(CASE WHEN l:Listing THEN {{kind: CASE WHEN x:Person THEN 'person' ELSE 'enterprise' END,
                   key: coalesce(x.key, x.id_number), props: properties(l), senders: [(l)-[:SENT_BY]->(d) | d.name],
                   receivers: [(l)-[:RECEIVED_BY]->(d) | d.name], {standing}}} END) AS listings,
         collect(CASE WHEN l:Penalty THEN {{key: x.key, props: properties(l), {standing}}} END) AS penalties
}}
RETURN CASE WHEN s:Person THEN 'person' ELSE 'enterprise' END AS subject_kind, coalesce(s.key, s.id_number) AS subject_key,
       s.name AS subject_name, s.legal_rep AS subject_legal_rep, edges, listings, penalties,
       [x IN ball + touched WHERE x:Enterprise AND coalesce(x.status, '') CONTAINS '吊销' | [x.key, x.status]] AS revoked,
       capped, frontier_degrees, relationships, parties
"""


_EDGE_MAP = """{member_kind: CASE WHEN m:Person THEN 'person' ELSE 'enterprise' END,
                   member_key: coalesce(m.key, m.id_number), member_name: m.name, role: r.role,
                   since: r.since, until: r.until, former: r.former, enterprise_key: e.key, enterprise_name: e.name}"""


# What every check asks about the store as a whole, read once per data version (reader.StoreFacts): whether any
# record has events or objections (their counters are on the meta node; a reset removes both), and every code a
# rejected row is remembered under (few: the rows departments sent that could not be read).
STORE_FACTS = """
MATCH (m:CreditnetMeta {id: 'creditnet'})
RETURN m.data_version AS v, coalesce(m.event_seq, 0) > 0 AS events, coalesce(m.objection_seq, 0) > 0 AS objections,
       COLLECT { MATCH (u:UnreadRow) RETURN DISTINCT u.code } AS unread_codes,
       NOT EXISTS { MATCH (:Listing)-[:CONCERNS|NAMES]->(x) WHERE NOT x:Listed } AS listed_labelled
"""
ENTERPRISE = "MATCH (e:Enterprise {key: $key}) RETURN properties(e) AS node"
RECORDS_OF = """
MATCH (:Enterprise {key: $key})<-[:CONCERNS]-(r:Record)
RETURN r.kind AS kind, r.natural AS natural, properties(r) AS props,
       [(r)-[:ISSUED_BY]->(d) | d.name] AS issued_by,
       [(r)-[:SENT_BY]->(d) | d.name] AS senders,
       [(r)-[:RECEIVED_BY]->(d) | d.name] AS receivers, """ + standing_fields("r") + """
ORDER BY kind, natural
"""
MEMBERS_OF = f"""
MATCH (m)-[r:{ROLE_PATTERN}]->(e:Enterprise {{key: $key}})
RETURN CASE WHEN m:Person THEN 'person' ELSE 'enterprise' END AS member_kind,
       coalesce(m.key, m.id_number) AS member_key, m.name AS member_name,
       collect([r.role, r.since, r.until, r.former]) AS terms, e.key AS enterprise_key, e.name AS enterprise_name
"""
ROLES_OF_PERSON = f"""
MATCH (m:Person {{id_number: $key}})-[r:{ROLE_PATTERN}]->(e:Enterprise)
RETURN 'person' AS member_kind, m.id_number AS member_key, m.name AS member_name,
       collect([r.role, r.since, r.until, r.former]) AS terms, e.key AS enterprise_key, e.name AS enterprise_name
"""
ROLES_OF_ENTERPRISE = f"""
MATCH (m:Enterprise {{key: $key}})-[r:{ROLE_PATTERN}]->(e:Enterprise)
RETURN 'enterprise' AS member_kind, m.key AS member_key, m.name AS member_name,
       collect([r.role, r.since, r.until, r.former]) AS terms, e.key AS enterprise_key, e.name AS enterprise_name
"""
DEPARTMENT_LISTINGS = """
MATCH (:Department {name: $name})<-[received:RECEIVED_BY]-(l:Listing)
RETURN properties(l) AS props, received.since AS received_on,
       [(l)-[:SENT_BY]->(d) | d.name] AS senders,
       [(l)-[:RECEIVED_BY]->(d) | d.name] AS receivers,
       [(l)-[:CONCERNS]->(e:Enterprise) | {kind: 'enterprise', key: e.key, name: e.name}] +
       [(l)-[:NAMES]->(p:Person) | {kind: 'person', key: p.id_number, name: p.name}] AS subjects, """ + \
    standing_fields("l") + "\n"
DEPARTMENT_ISSUED = """
MATCH (:Department {name: $name})<-[:ISSUED_BY|SENT_BY]-(r:Record)
RETURN r.kind AS kind, count(*) AS n
"""
DEPARTMENT_NAMES = "MATCH (d:Department) RETURN d.name AS name, coalesce(d.aliases, []) AS aliases"
COUNT_NODES = """
CALL () { MATCH (e:Enterprise) RETURN count(e) AS enterprise }
CALL () { MATCH (e:Enterprise {in_registry: 1}) RETURN count(e) AS enterprise_in_registry }
CALL () { MATCH (p:Person) RETURN count(p) AS person }
CALL () { MATCH (d:Department) RETURN count(d) AS department }
CALL () { MATCH ()-[r:LEGAL_REPRESENTATIVE_OF|SHAREHOLDER_OF|OFFICER_OF|BRANCH_OF]->() RETURN count(r) AS role }
RETURN enterprise, enterprise_in_registry, person, department, role
"""
COUNT_RECORDS = "MATCH (r:Record) RETURN r.kind AS kind, count(*) AS n"
COUNT_PER_DEPARTMENT = """
MATCH (d:Department)<-[:ISSUED_BY|SENT_BY]-(r:Record)
RETURN d.name AS department, r.kind AS kind, count(*) AS n
"""

# The registry status and the penalties of enterprises a check asks about (its penalties of note), in one question.
STANDING_OF = """
UNWIND $keys AS k
MATCH (e:Enterprise {key: k})
RETURN k AS key, properties(e) AS node,
       [(e)<-[:CONCERNS]-(l:Penalty) | {props: properties(l), ekey: e.key, events: [(l)<-[:OF_RECORD]-(ev:RecordEvent) |
        properties(ev)], objections: [(l)<-[:AGAINST]-(ob:Objection) | properties(ob)]}] AS penalties
"""
LIST_TYPES_USED = "MATCH (l:Listing) RETURN coalesce(l.list_type, '') AS word, count(*) AS n"
ROLES_USED = f"MATCH ()-[r:{ROLE_PATTERN}]->() RETURN r.role AS word, count(*) AS n"
# Listed enterprises no registry row names (GraphReader.listed_unregistered_named), read once per data version.
LISTED_UNREGISTERED = """
MATCH (e:Enterprise {in_registry: 0}) WHERE EXISTS { (e)<-[:CONCERNS]-(:Listing) }
RETURN e.key AS key, e.name AS name, e.name_norm AS name_norm
"""
