"""The Cypher a load runs to write a file's rows (enterprises, persons, roles, records, departments, rows that
could not be read) and its entry in the load log, as named constants and builders. Every one is parameterised:
only relationship types and labels from the store's own tables are formatted into the text.
"""
from __future__ import annotations

from graph.stores.neo4j.queries import DEPARTMENT_TYPES, RECORD_LABELS, ROLE_PATTERN, ROLE_TYPES

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
    # The party a listing names carries the label Listed (schema_queries.LABEL_LISTED), set with the relationship.
    listed = " SET e:Listed" if label == "Listing" else ""
    concern = (f"MERGE (r)-[:CONCERNS]->(e){listed}\n" if concerns else "")
    merges = "\n".join(
        f"  FOREACH (_ IN CASE WHEN dep.type = '{t}' THEN [1] ELSE [] END |\n"
        f"    MERGE (r)-[x:{t}]->(d) ON CREATE SET x.sent_as = dep.sent_as, x.since = dep.since)"
        for t in DEPARTMENT_TYPES.values())
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
        f"  CREATE (r)-[:{t} {{sent_as: dep.sent_as, since: dep.since}}]->(d)\n}}" for t in DEPARTMENT_TYPES.values())
    return f"""
UNWIND $rows AS row
MATCH (e:Enterprise {{eid: row.node.eid}})
CREATE (r:Record:{label})-[:CONCERNS]->(e)
SET r += row.node{" SET e:Listed" if label == "Listing" else ""}
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
SET p:Listed
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
                   rejects_file: $rejects_file, data_version: m.data_version, seq: m.load_seq, sender: $sender,
                   sent_as: $sent_as})
"""
LOAD_HISTORY = """
MATCH (l:LoadLog) RETURN l.at AS at, l.file AS file, l.kind AS kind, l.rows AS rows, l.loaded AS loaded,
       l.rejected AS rejected, l.rejects_file AS rejects_file, l.data_version AS data_version, l.sender AS sender,
       l.sent_as AS sent_as
ORDER BY coalesce(l.seq, 0), l.at, elementId(l)
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

# Earlier terms of a role, as a copy of another store carries them (either direction: a branch points at its head).
ROLE_HISTORY = f"""
MATCH (e:Enterprise {{key: $enterprise}})-[r:{ROLE_PATTERN}]-(m)
WHERE r.role = $role AND ((m:Person AND m.id_number = $member) OR (m:Enterprise AND m.key = $member))
SET r.former = $former
"""
