"""The Cypher the Neo4j store runs, as named constants (every one parameterised: no user input is ever
formatted into a query string). Relationship types name what a relationship is; the Chinese role is kept
on the relationship as `role` so that 董事, 监事 and 经理 stay distinct under OFFICER_OF.
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


# Follow-up supervision: which parties each data version touched (graph/stores/changes.py).
CHANGED_PARTIES_INDEX = "CREATE INDEX changed_parties_version IF NOT EXISTS FOR (c:ChangedParties) ON (c.data_version)"
LICENCES_ISSUED = """
MATCH (d:Department)<-[:ISSUED_BY]-(r:License)-[:CONCERNS]->(e:Enterprise)
RETURN properties(r) AS props, d.name AS department, e.key AS key, e.name AS name
"""
SCHEMA = [
    "CREATE CONSTRAINT enterprise_eid IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.eid IS UNIQUE",
    "CREATE CONSTRAINT enterprise_key IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.key IS UNIQUE",
    "CREATE CONSTRAINT enterprise_uscc IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.uscc IS UNIQUE",
    "CREATE CONSTRAINT enterprise_reg_no IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.reg_no IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id_number IS UNIQUE",
    "CREATE CONSTRAINT department_name IF NOT EXISTS FOR (d:Department) REQUIRE d.name IS UNIQUE",
    # A record's uid (kind|enterprise|natural key) is unique among all records: one constraint, on Record.
    "CREATE CONSTRAINT record_uid IF NOT EXISTS FOR (r:Record) REQUIRE r.uid IS UNIQUE",
    "CREATE CONSTRAINT meta_id IF NOT EXISTS FOR (m:CreditnetMeta) REQUIRE m.id IS UNIQUE",
    "CREATE INDEX enterprise_name_norm IF NOT EXISTS FOR (e:Enterprise) ON (e.name_norm)",
    # Enterprises no registry row names (GraphReader.listed_unregistered_named): few, found without a scan.
    "CREATE INDEX enterprise_in_registry IF NOT EXISTS FOR (e:Enterprise) ON (e.in_registry)",
    "CREATE INDEX enterprise_name IF NOT EXISTS FOR (e:Enterprise) ON (e.name)",
    "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "CREATE CONSTRAINT unread_uid IF NOT EXISTS FOR (u:UnreadRow) REQUIRE u.uid IS UNIQUE",
    "CREATE INDEX unread_code IF NOT EXISTS FOR (u:UnreadRow) ON (u.code)",
    "CREATE INDEX unread_source IF NOT EXISTS FOR (u:UnreadRow) ON (u.source)",
    "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "CREATE INDEX listing_valid_from IF NOT EXISTS FOR (l:Listing) ON (l.valid_from)",
    "CREATE INDEX listing_valid_to IF NOT EXISTS FOR (l:Listing) ON (l.valid_to)",
    "CREATE INDEX listing_type IF NOT EXISTS FOR (l:Listing) ON (l.list_type)",
    "CREATE INDEX license_eid_no IF NOT EXISTS FOR (r:License) ON (r.eid, r.license_no)",
    "CREATE INDEX license_change_eid IF NOT EXISTS FOR (r:LicenseChange) ON (r.eid)",
    "CREATE INDEX penalty_eid_no IF NOT EXISTS FOR (r:Penalty) ON (r.eid, r.decision_no)",
    "CREATE INDEX penalty_change_eid IF NOT EXISTS FOR (r:PenaltyChange) ON (r.eid)",
    # The name index (docs/stores.md): the names' Han characters (`name_han`), in bigrams by Lucene's CJK analyzer,
    # queried by phrases. Updated when a transaction commits, as the nodes are (not eventually consistent).
    *[f"CREATE FULLTEXT INDEX {index} IF NOT EXISTS FOR (n:{label}) ON EACH [n.name_han] OPTIONS {{indexConfig: "
      "{`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}" for label, index in
      (("Enterprise", "enterprise_name_han"), ("Person", "person_name_han"))],
    "MERGE (m:CreditnetMeta {id: 'creditnet'}) ON CREATE SET m.data_version = 0",
    CHANGED_PARTIES_INDEX,
]
NAME_INDEXES = {"enterprise": "enterprise_name_han", "person": "person_name_han"}
AWAIT_NAME_INDEXES = "CALL db.awaitIndexes(600)"
OBSOLETE_SCHEMA_PRESENT = "SHOW INDEXES YIELD name, owningConstraint WHERE name IN $names RETURN name, owningConstraint"
# Schema that stores made by earlier versions have and that no query needs: every record paid for it
# with index entries at each load. A second uniqueness constraint on uid per record label (Record.uid already
# holds every record's uid, kind included), and an index on Record.eid that no query reads. Dropped by
# init_schema (as a constraint where one owns the index); nothing about the nodes changes.
OBSOLETE_SCHEMA_NAMES = [*[f"{label.lower()}_uid" for label in RECORD_LABELS.values()], "record_eid"]

DATA_VERSION = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN m.data_version AS v"
BUMP_VERSION = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.data_version = m.data_version + 1"
# The version read under the meta node's write lock (set and removed again: no change is committed). A load
# takes that lock when it raises the version and keeps it until its commit has been applied, and Neo4j applies
# a commit record by record, visible to readers as it goes (read committed): so a version read this way is
# never that of a commit still being applied.
# `resetting` is set while `creditnet reset` empties the store batch by batch (see Neo4jStore.reset).
SETTLED_VERSION = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.read_barrier = true REMOVE m.read_barrier "
                   "RETURN m.data_version AS v, coalesce(m.resetting, false) AS resetting")
# Asked by a load when it begins, and again just before its commit: after BUMP_VERSION the load holds the meta
# node's lock, which BEGIN_RESET also needs, so a reset either began before that second ask (and the load
# withdraws) or begins after the load's commit has been applied (and empties the load's rows with the rest).
RESETTING = "OPTIONAL MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.resetting, false) AS resetting"

# --- writing --------------------------------------------------------------------------------------------
# Two index look-ups, not one OR (which Neo4j answers by scanning every enterprise).
_ENTERPRISES_BY_CODE = """
CALL () {
  UNWIND $codes AS code MATCH (e:Enterprise {uscc: code}) RETURN e
  UNION
  UNWIND $codes AS code MATCH (e:Enterprise {reg_no: code}) RETURN e
}
"""
# What a member row or a record needs of its enterprise: who it is. Its fields (the registry's, ~9 of its ~15
# properties) only matter when a registry row rewrites it, or when the writer changes it (LOOKUP_FIELDS): the
# member and record files of a county name ~300,000 enterprises, each sent and decoded in full before.
LOOKUP_ENTERPRISES = _ENTERPRISES_BY_CODE + """
RETURN e {.eid, .key, .uscc, .reg_no, .name, .in_registry} AS node, NOT EXISTS { (e)<-[:CONCERNS]-() } AS no_records
"""
LOOKUP_ENTERPRISES_IN_FULL = _ENTERPRISES_BY_CODE + """
RETURN properties(e) AS node, NOT EXISTS { (e)<-[:CONCERNS]-() } AS no_records
"""
LOOKUP_FIELDS = "UNWIND $eids AS eid MATCH (e:Enterprise {eid: eid}) RETURN properties(e) AS node"
# The persons a batch names that the transaction has not written, as the store holds them, with their roles: a
# person row or a role that would change nothing is not sent (the member file names again, as MERGEs that matched,
# the ~80,000 legal representatives the registry file wrote, and their roles).
LOOKUP_PERSONS = """
UNWIND $ids AS id MATCH (p:Person {id_number: id})
RETURN p.id_number AS id_number, p.name AS name, p.id_type AS id_type
"""
LOOKUP_PERSONS_WITH_ROLES = f"""
UNWIND $ids AS id MATCH (p:Person {{id_number: id}})
RETURN p.id_number AS id_number, p.name AS name, p.id_type AS id_type,
       [(p)-[r:{ROLE_PATTERN}]->(e:Enterprise) | [type(r), e.eid, r.role, r.share, r.since, r.until]] AS roles
"""
# Each row is the node's every property (graph/stores/neo4j/properties.py), `fp` among them: a fingerprint (a
# 128-bit hash) of the rest, so that an identical re-sent row sets nothing and a reload of the same file changes
# nothing (not even the data version). Enterprises this transaction created (the writer knows: it gave them
# their eid) are CREATEd, not MERGEd; `SET e = row` on an existing one also removes what the row no longer holds.
CREATE_ENTERPRISES = """
UNWIND $rows AS row
CREATE (e:Enterprise)
SET e += row
"""
UPSERT_ENTERPRISES = """
UNWIND $rows AS row
MERGE (e:Enterprise {eid: row.eid})
WITH e, row WHERE e.fp IS NULL OR e.fp <> row.fp
SET e = row
"""
# A new person gets every property at its creation; the WHERE then passes only persons that existed with other
# values (one property write per created person, not two, and no second pass over it).
UPSERT_PERSONS = """
UNWIND $rows AS row
MERGE (p:Person {id_number: row.id_number})
ON CREATE SET p.masked_id = row.masked_id, p.name = row.name, p.id_type = row.id_type, p.name_han = row.name_han
WITH p, row
WHERE (row.name IS NOT NULL AND coalesce(p.name, '') <> row.name)
   OR (row.id_type IS NOT NULL AND coalesce(p.id_type, '') <> row.id_type)
SET p.name = coalesce(row.name, p.name), p.id_type = coalesce(row.id_type, p.id_type),
    p.name_han = CASE WHEN row.name IS NULL THEN p.name_han ELSE row.name_han END
"""

# Persons written before masked_id existed get it once, from init_schema (display only: no data version
# bump); the flag on the meta node keeps later opens from scanning every person again.
# Stores written by earlier versions hold each enterprise's and record's fields twice (a JSON copy `props` and the
# Browser's display properties): init_schema rewrites those nodes once (graph/stores/neo4j/properties.py; no
# data version bump: every answer stays the same), and the flag keeps later opens from scanning again.
FIELDS_AS_PROPERTIES_DONE = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) "
                             "RETURN coalesce(m.fields_as_properties, false) AS done")
MARK_FIELDS_AS_PROPERTIES_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.fields_as_properties = true"
OLD_SHAPE_NODES = {"Enterprise": "MATCH (n:Enterprise) WHERE n.props IS NOT NULL RETURN properties(n) AS node",
                   "Record": "MATCH (n:Record) WHERE n.props IS NOT NULL RETURN properties(n) AS node"}
REWRITE_NODES = {"Enterprise": "UNWIND $rows AS row MATCH (n:Enterprise {eid: row.id}) SET n = row.node",
                 "Record": "UNWIND $rows AS row MATCH (n:Record {uid: row.id}) SET n = row.node"}
# Stores written before the name index: every enterprise rewritten once with `name_han` (and its fingerprint), every
# person given `name_han`, by init_schema in batches (no data version bump: no answer changes).
NAME_HAN_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.name_han, false) AS done"
MARK_NAME_HAN_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.name_han = true"
ENTERPRISES_WITHOUT_NAME_HAN = ("MATCH (n:Enterprise) WHERE n.name_han IS NULL AND n.name IS NOT NULL "
                                "RETURN properties(n) AS node LIMIT 5000")
PERSONS_WITHOUT_NAME_HAN = ("MATCH (p:Person) WHERE p.name_han IS NULL AND p.name IS NOT NULL "
                            "RETURN p.id_number AS id_number, p.name AS name LIMIT 10000")
SET_NAME_HAN = "UNWIND $rows AS row MATCH (p:Person {id_number: row.id_number}) SET p.name_han = row.name_han"
# Stores written before enterprises had `short_name` (Browser's caption): every enterprise rewritten once through the
# same rewrite, in eid order (a name with nothing distinctive in it gets none, and must not be asked for again).
SHORT_NAMES_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.short_names, false) AS done"
MARK_SHORT_NAMES_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.short_names = true"
ENTERPRISES_WITHOUT_SHORT_NAME = ("MATCH (n:Enterprise) WHERE n.eid > $after AND n.short_name IS NULL AND n.name IS NOT NULL "
                                  "RETURN properties(n) AS node ORDER BY n.eid LIMIT 5000")
MASKED_IDS_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.masked_ids, false) AS done"
MARK_MASKED_IDS_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.masked_ids = true"
PERSONS_WITHOUT_MASKED_ID = "MATCH (p:Person) WHERE p.masked_id IS NULL RETURN p.id_number AS id_number LIMIT 10000"
SET_MASKED_IDS = """
UNWIND $rows AS row
MATCH (p:Person {id_number: row.id_number})
SET p.masked_id = row.masked_id
"""


def merge_roles(rel_type: str, member_kind: str) -> str:
    """A known role keeps its since and until where the row gives none (a stale member file naming an ended 监事
    without a 离任日期 does not bring them back); only a changed share or term is written."""
    assert rel_type in ROLE_TYPES and member_kind in ("person", "enterprise")
    member = "(m:Person {id_number: row.member})" if member_kind == "person" else "(m:Enterprise {eid: row.member})"
    return f"""
UNWIND $rows AS row
MATCH (e:Enterprise {{eid: row.eid}}), {member}
MERGE (m)-[r:{rel_type} {{role: row.role}}]->(e)
WITH r, row, coalesce(row.since, r.since) AS since, coalesce(row.until, r.until) AS until
WHERE coalesce(r.share, '') <> coalesce(row.share, '') OR coalesce(r.since, '') <> coalesce(since, '')
   OR coalesce(r.until, '') <> coalesce(until, '')
SET r.share = row.share, r.since = since, r.until = until
"""


def create_roles(rel_type: str, member_kind: str) -> str:
    """Roles of enterprises this transaction created: nothing to match, so CREATE (no lock on a search of the
    enterprise's relationships). The writer sends each (enterprise, member, role) here at most once."""
    assert rel_type in ROLE_TYPES and member_kind in ("person", "enterprise")
    member = "(m:Person {id_number: row.member})" if member_kind == "person" else "(m:Enterprise {eid: row.member})"
    return f"""
UNWIND $rows AS row
MATCH (e:Enterprise {{eid: row.eid}}), {member}
CREATE (m)-[:{rel_type} {{role: row.role, share: row.share, since: row.since, until: row.until}}]->(e)
"""


# A registry row naming the current legal representative (`keep`), by a change effective `on`: every other holder
# still in office ends `on` and is kept as history; `keep`'s until is cleared, and where someone was ended and `keep`
# has no since, it becomes `on`. Rows apply in the order sent, each seeing the ones before it, as the embedded store
# applies a file's rows one after the other: both steps of a row are one CALL (the runtime runs an operator for a
# batch of rows before the next operator, so two CALLs let a later row's first step run before an earlier row's
# second).
REPLACE_LEGAL_REPRESENTATIVE = """
UNWIND $rows AS row
MATCH (e:Enterprise {eid: row.eid})
CALL (e, row) {
  OPTIONAL MATCH (m)-[r:LEGAL_REPRESENTATIVE_OF {role: row.role}]->(e)
  WHERE r.until IS NULL AND NOT (m:Person AND m.id_number = row.keep)
  SET r.until = row.on
  WITH count(r) AS ended
  MATCH (:Person {id_number: row.keep})-[k:LEGAL_REPRESENTATIVE_OF {role: row.role}]->(e)
  WHERE k.until IS NOT NULL OR (ended > 0 AND k.since IS NULL)
  // Named again after their term ended: a new term from row.on, the ended one kept in `former` (in this order:
  // each SET item reads the values the ones before it left).
  // Ended on row.on itself, the term simply goes on (a file naming the same holders again, row by row).
  SET k.former = CASE WHEN k.until IS NOT NULL AND k.until <> row.on
                      THEN coalesce(k.former, []) + [coalesce(k.since, '') + '|' + k.until] ELSE k.former END,
      k.since = CASE WHEN k.until IS NOT NULL AND k.until <> row.on THEN row.on
                     WHEN k.until IS NULL THEN coalesce(k.since, row.on) ELSE k.since END,
      k.until = null
}
"""


def upsert_records(label: str, concerns: bool = True) -> str:
    """One statement per batch of records: the record, its enterprise and its departments. Departments are
    replaced only when the record's fields changed (they are among its fields, as in the embedded store), so a
    new record — a first load — pays no deletion; the relationship type comes from the row, one FOREACH each.
    `row.node` is the node's every property: a record re-sent unchanged sets nothing.
    `concerns` False: listings of a natural person alone, which concern no enterprise (NAMES links the person)."""
    assert label in RECORD_LABELS.values()
    enterprise = ("MATCH (e:Enterprise {eid: row.node.eid})\n" if concerns else "")
    concern = ("MERGE (r)-[:CONCERNS]->(e)\n" if concerns else "")
    merges = "\n".join(
        f"  FOREACH (_ IN CASE WHEN dep.type = '{t}' THEN [1] ELSE [] END |\n"
        f"    MERGE (r)-[x:{t}]->(d) ON CREATE SET x.sent_as = dep.sent_as)" for t in DEPARTMENT_TYPES.values())
    return f"""
UNWIND $rows AS row
{enterprise}MERGE (r:Record:{label} {{uid: row.node.uid}})
{concern}WITH r, row WHERE properties(r) <> row.node
SET r = row.node
WITH r, row
CALL (r, row) {{
  MATCH (r)-[old:{'|'.join(DEPARTMENT_TYPES.values())}]->(d:Department)
  WHERE NOT type(old) + '|' + d.name IN row.links
  DELETE old
}}
WITH r, row
UNWIND row.departments AS dep
MATCH (d:Department {{name: dep.name}})
CALL (r, d, dep) {{
{merges}
}}
"""


def create_records(label: str) -> str:
    """Records that cannot exist yet: their enterprise had no record when this transaction first read it, or was
    created by it, and this transaction has not written their uid (the writer knows both). CREATE, not MERGE:
    no search of the uid index before the write and none of the department's relationships; the uniqueness
    constraint on Record.uid still refuses a duplicate (and the file is rolled back) if that were ever wrong."""
    assert label in RECORD_LABELS.values()
    links = "\n".join(
        f"CALL (r, row) {{\n  UNWIND row.{t.lower()} AS dep MATCH (d:Department {{name: dep.name}})\n"
        f"  CREATE (r)-[:{t} {{sent_as: dep.sent_as}}]->(d)\n}}" for t in DEPARTMENT_TYPES.values())
    return f"""
UNWIND $rows AS row
MATCH (e:Enterprise {{eid: row.node.eid}})
CREATE (r:Record:{label})-[:CONCERNS]->(e)
SET r += row.node
WITH r, row
{links}
"""

UPSERT_LISTINGS_OF_PERSONS = upsert_records("Listing", concerns=False)

# Department nodes and their spellings are written once per batch, not once per record.
MERGE_DEPARTMENTS = """
UNWIND $rows AS row
MERGE (d:Department {name: row.name})
WITH d, row WHERE NOT row.sent_as IN coalesce(d.aliases, [])
SET d.aliases = [a IN coalesce(d.aliases, []) WHERE a <> row.sent_as] + row.sent_as
"""

# A listing is found by Record's uid constraint: `(l:Listing {uid: …})` has no index of its own to use, and was a
# scan of every listing for every row (a province's 23,455-row blacklist file took 140 s; tests/test_neo4j_plans.py).
NAME_LISTED_PERSONS = """
UNWIND $rows AS row
MATCH (l:Record {uid: row.uid}), (p:Person {id_number: row.id_number})
WHERE l:Listing
MERGE (l)-[:NAMES]->(p)
"""
LINK_CHANGES = """
MATCH (c:LicenseChange) WHERE c.eid IN $eids
MATCH (l:License {eid: c.eid, license_no: c.license_no})
MERGE (c)-[:CHANGES]->(l)
"""
LINK_PENALTY_CHANGES = """
MATCH (c:PenaltyChange) WHERE c.eid IN $eids
MATCH (p:Penalty {eid: c.eid, decision_no: c.decision_no})
MERGE (c)-[:CHANGES]->(p)
"""
# Entries are numbered from the meta node, which outlives a reset: `at` has whole seconds, and element ids are
# reused after a reset, so two loads in one second were listed in either order. Entries written before the number
# (null) come first, in their old order.
LOG_LOAD = """
MATCH (m:CreditnetMeta {id: 'creditnet'})
SET m.load_seq = coalesce(m.load_seq, 0) + 1
CREATE (l:LoadLog {at: $at, file: $file, kind: $kind, rows: $rows, loaded: $loaded, rejected: $rejected,
                   rejects_file: $rejects_file, data_version: m.data_version, seq: m.load_seq})
"""
LOAD_HISTORY = """
MATCH (l:LoadLog) RETURN l.at AS at, l.file AS file, l.kind AS kind, l.rows AS rows, l.loaded AS loaded,
       l.rejected AS rejected, l.rejects_file AS rejects_file, l.data_version AS data_version
ORDER BY coalesce(l.seq, 0), l.at, elementId(l)
"""
# Relationships go first, in batches of their own: a DETACH DELETE of a department (a supernode with a
# relationship to each of its hundreds of thousands of records) would otherwise delete all of them in one
# transaction, which a province's store does not fit (RELIABILITY.md). Nodes then have none left to detach.
RESET_RELATIONSHIPS_BATCH = "MATCH ()-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS n"
RESET_BATCH = "MATCH (n) WHERE NOT n:CreditnetMeta WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"
BEGIN_RESET = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.resetting = true, m.data_version = m.data_version + 1"
# Events and objections are numbered afresh in an emptied store, as the embedded store numbers them.
END_RESET = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) REMOVE m.resetting, m.event_seq, m.objection_seq "
             "SET m.data_version = m.data_version + 1")

# A bulk load's target (graph/bulk.py): any node but the meta node is data, which the importer would overwrite.
HOLDS_DATA = "MATCH (n) WHERE NOT n:CreditnetMeta RETURN labels(n) AS labels LIMIT 1"
META = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN properties(m) AS meta"

# --- reading --------------------------------------------------------------------------------------------
ENTERPRISE_BY_USCC = "MATCH (e:Enterprise {uscc: $code}) RETURN e.key AS key, e.name AS name"
ENTERPRISE_BY_REG_NO = "MATCH (e:Enterprise {reg_no: $code}) RETURN e.key AS key, e.name AS name"
ENTERPRISES_BY_NAME = """
MATCH (e:Enterprise {name_norm: $name}) RETURN e.key AS key, e.name AS name ORDER BY key LIMIT $limit
"""
PERSON = "MATCH (p:Person {id_number: $id}) RETURN p.id_number AS key, p.name AS name"
PERSONS = "UNWIND $ids AS id MATCH (p:Person {id_number: id}) RETURN p.id_number AS key, p.name AS name"
# The name search's candidates (GraphReader.name_candidates): each term a Lucene phrase of Han characters (no
# user text reaches the query parser but Han characters: graph/queries/search.py), its hits counted only when at
# most $cap names hold it. `$index` is one of NAME_INDEXES.
NAME_CANDIDATES = """
UNWIND $terms AS term
CALL (term) {
  CALL db.index.fulltext.queryNodes($index, term, {limit: $cap + 1}) YIELD node
  RETURN collect(node) AS hits
}
WITH hits WHERE size(hits) <= $cap
UNWIND hits AS node
WITH node, count(*) AS matched
RETURN coalesce(node.key, node.id_number) AS key, node.name AS name, matched
"""

# Rejected rows remembered under the codes they name (graph/unread.py): a file's earlier entries that its new load
# no longer has go, new ones come; the same ones change nothing.
DROP_STALE_UNREAD = """
MATCH (u:UnreadRow {source: $source}) WHERE u.kind = $kind AND NOT u.uid IN $uids
WITH u.row AS row, collect(u.code) AS codes
WHERE any(c IN codes WHERE c IN $codes) OR (row IN $rows AND all(c IN codes WHERE c STARTS WITH '名称:' OR c STARTS WITH '姓名:'))
WITH collect(row) AS settled
MATCH (v:UnreadRow {source: $source}) WHERE v.kind = $kind AND v.row IN settled AND NOT v.uid IN $uids
DELETE v
"""
MERGE_UNREAD = """
UNWIND $rows AS row
MERGE (u:UnreadRow {uid: row.uid})
ON CREATE SET u += row
"""
UNREAD_OF_FILE = "MATCH (u:UnreadRow {source: $source}) WHERE u.kind = $kind RETURN u.code AS code, u.row AS row"
UNREAD_ABOUT = """
UNWIND $codes AS code
MATCH (u:UnreadRow {code: code})
RETURN properties(u) AS u ORDER BY u.source, u.row, u.code
"""

# Earlier terms of a role, as a copy of another store carries them (either direction: a branch points at its head).
ROLE_HISTORY = f"""
MATCH (e:Enterprise {{key: $enterprise}})-[r:{ROLE_PATTERN}]-(m)
WHERE r.role = $role AND ((m:Person AND m.id_number = $member) OR (m:Enterprise AND m.key = $member))
SET r.former = $former
"""

LISTED_PERSONS_NAMED = """
UNWIND $names AS name
MATCH (p:Person {name: name})
WHERE EXISTS { (p)<-[:NAMES]-(:Listing) }
RETURN DISTINCT p.id_number AS key, p.name AS name ORDER BY key
"""

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
RETURN collect([CASE WHEN m:Person THEN 'person' ELSE 'enterprise' END, coalesce(m.key, m.id_number), m.name,
                r.role, r.since, r.until, r.former, e.key, e.name]) AS edges
"""
# EXPAND answers in one row: a level behind a nominee or a group is thousands of relationships, and the driver's
# cost per record (a Record, a look-up per column) took 5–8 times the time of the same edges as one list (8,882
# relationships: 1.7–2.8 s against 0.2–0.7 s, on a busy machine).
LISTINGS_OF = """
CALL () {
  UNWIND $enterprises AS k
  MATCH (:Enterprise {key: k})<-[:CONCERNS]-(l:Listing)
  RETURN 'enterprise' AS kind, k AS key, l
  UNION ALL
  UNWIND $persons AS k
  MATCH (:Person {id_number: k})<-[:NAMES]-(l:Listing)
  RETURN 'person' AS kind, k AS key, l
}
RETURN kind, key, properties(l) AS props,
       [(l)-[:SENT_BY]->(d) | d.name] AS senders,
       [(l)-[:RECEIVED_BY]->(d) | d.name] AS receivers, """ + standing_fields("l") + """
"""


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


def neighbourhood(levels: int, by_code: bool = False) -> str:
    """A check's whole neighbourhood in one round trip: the parties within `levels` hops of the start (an
    unrolled breadth-first search, one CALL per level, each party once: no path enumeration), every role
    edge touching them, and the listings of every party those edges reach. The client then runs the same
    deterministic breadth-first order as EXPAND level by level would (graph/stores/neighbourhood.py).
    Rows that could not be read are not asked here: the client knows their codes per data version (STORE_FACTS),
    where an index seek for each party of every neighbourhood cost a tenth of this query.

    Bounded: each level and the ball keep at most $cap parties, the edges at most $edge_cap; `capped` says a
    bound was reached, and the caller then traverses level by level instead (EXPAND, with its own bounds).
    With `by_code` the start is the party $code names ($code_kind: uscc, reg_no, id_number) and the row says
    who that is (`subject_*`); no row: nothing has that code.
    Only the number of levels is formatted into the text (an int of 0..10); everything else is a parameter.
    """
    assert isinstance(levels, int) and 0 <= levels <= 10
    standing = standing_entries("l", guarded=True)  # each listing's and penalty's ID, events and objections
    level = f"""
CALL (frontier, previous) {{
  UNWIND frontier AS f
  MATCH (f)-[:{ROLE_PATTERN}]-(n)
  WHERE NOT n IN frontier AND NOT n IN previous
  WITH DISTINCT n LIMIT $cap + 1
  RETURN collect(n) AS next
}}
WITH s, ball + next AS ball, next AS frontier, frontier AS previous, capped OR size(next) > $cap AS capped"""
    return f"""
CALL () {{{_START_BY_CODE if by_code else _START_BY_KEY}
}}
WITH s, [s] AS ball, [s] AS frontier, [] AS previous, false AS capped{level * levels}
WITH s, ball, capped OR size(ball) > $cap AS capped
CALL (ball) {{
  UNWIND ball AS b
  MATCH (b)-[r:{ROLE_PATTERN}]-()
  WITH DISTINCT r LIMIT $edge_cap + 1
  WITH startNode(r) AS m, r, endNode(r) AS e
  RETURN collect({{member_kind: CASE WHEN m:Person THEN 'person' ELSE 'enterprise' END,
                   member_key: coalesce(m.key, m.id_number), member_name: m.name, role: r.role,
                   since: r.since, until: r.until, former: r.former, enterprise_key: e.key, enterprise_name: e.name}}) AS edges,
         collect(DISTINCT m) + collect(DISTINCT e) AS touched
}}
WITH s, ball, edges, capped OR size(edges) > $edge_cap AS capped, touched
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
       capped
"""


# What every check asks about the store as a whole, read once per data version (reader.StoreFacts): whether any
# record has events or objections (their counters are on the meta node; a reset removes both), and every code a
# rejected row is remembered under (few: the rows departments sent that could not be read).
STORE_FACTS = """
MATCH (m:CreditnetMeta {id: 'creditnet'})
RETURN m.data_version AS v, coalesce(m.event_seq, 0) > 0 AS events, coalesce(m.objection_seq, 0) > 0 AS objections,
       COLLECT { MATCH (u:UnreadRow) RETURN DISTINCT u.code } AS unread_codes
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
MATCH (:Department {name: $name})<-[:RECEIVED_BY]-(l:Listing)
RETURN properties(l) AS props,
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

# Listings re-keyed by their list's identity (graph/stores/listing_keys.py), under the table the meta node names.
LIST_IDENTITIES = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN m.list_identities AS fingerprint"
LISTING_KEYS = "MATCH (r:Listing) RETURN r.uid AS uid, coalesce(r.eid, $none) AS scope, r.natural AS natural, r.list_type AS list_type"
REKEY_LISTINGS = """
UNWIND $rows AS row
MATCH (r:Record {uid: row.uid})
SET r.uid = row.new_uid, r.natural = row.natural
"""
SET_LIST_IDENTITIES = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.list_identities = $fingerprint"
# Listed enterprises no registry row names (GraphReader.listed_unregistered_named), read once per data version.
LISTED_UNREGISTERED = """
MATCH (e:Enterprise {in_registry: 0}) WHERE EXISTS { (e)<-[:CONCERNS]-(:Listing) }
RETURN e.key AS key, e.name AS name, e.name_norm AS name_norm
"""
