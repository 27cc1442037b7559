"""The Cypher of what became of records (graph/record_state.py) on Neo4j, as named constants.

An event is a node `(:RecordEvent)-[:OF_RECORD]->(:Record)`; an objection `(:Objection)-[:AGAINST]->(:Record)`.
Both are numbered from the meta node (as the load history is), and carry the data version they made. Every
statement finds its nodes by a constraint or an index (tests/test_neo4j_plans.py), but `ALL_OBJECTIONS`, a list
over the whole store by design.
"""
from __future__ import annotations

SCHEMA = [
    "CREATE CONSTRAINT record_event_seq IF NOT EXISTS FOR (e:RecordEvent) REQUIRE e.seq IS UNIQUE",
    "CREATE CONSTRAINT objection_id IF NOT EXISTS FOR (o:Objection) REQUIRE o.id IS UNIQUE",
]


def _standing(var: str, guarded: bool = False) -> dict[str, str]:
    out = {"ekey": f"[({var})-[:CONCERNS]->(ce:Enterprise) | ce.key][0]",
           "events": f"[({var})<-[:OF_RECORD]-(ev:RecordEvent) | properties(ev)]",
           "objections": f"[({var})<-[:AGAINST]-(ob:Objection) | properties(ob)]"}
    if guarded:  # $events, $objections: whether the store has any at all (most stores, most of the time: none)
        out.update(events=f"CASE WHEN $events THEN {out['events']} ELSE [] END",
                   objections=f"CASE WHEN $objections THEN {out['objections']} ELSE [] END")
    return out


def standing_fields(var: str) -> str:
    """The projections that give a record's ID (its enterprise's key; `natural` is among its properties), its
    events and its objections, for a record bound to `var`: as returned columns."""
    return ", ".join(f"{expr} AS {name}" for name, expr in _standing(var).items())


def standing_entries(var: str, guarded: bool = False) -> str:
    """The same, as entries of a map projection; `guarded`: events and objections are looked for only where the
    parameters $events and $objections say the store has any (graph/stores/neo4j/reader.StoreFacts)."""
    return ", ".join(f"{name}: {expr}" for name, expr in _standing(var, guarded).items())


_INFO = f"""
RETURN r.uid AS uid, properties(r) AS props, [(r)-[:SENT_BY|ISSUED_BY]->(d:Department) | d.name] AS senders,
       {standing_fields('r')}
"""
# Every record of a kind under the enterprise a code names (its key, USCC or registration number).
RECORDS_UNDER = """
CALL () {
  MATCH (e:Enterprise {key: $code}) RETURN e
  UNION
  MATCH (e:Enterprise {uscc: $code}) RETURN e
  UNION
  MATCH (e:Enterprise {reg_no: $code}) RETURN e
}
WITH e LIMIT 1
MATCH (e)<-[:CONCERNS]-(r:Record) WHERE r.kind = $kind
""" + _INFO
# Listings of a natural person alone: their uid begins with the kind and the "no enterprise" mark (writer.NO_ENTERPRISE),
# a prefix the uid constraint's index answers.
PERSON_ALONE_LISTINGS = "MATCH (r:Record) WHERE r.uid STARTS WITH $prefix" + _INFO
RECORDS_SENT_BY = """
MATCH (:Department {name: $department})<-[:SENT_BY|ISSUED_BY]-(r:Record) WHERE r.kind = $kind
WITH DISTINCT r
""" + _INFO
WRITTEN_WITH_EVENTS = """
UNWIND $uids AS uid
MATCH (r:Record {uid: uid}) WHERE EXISTS { (r)<-[:OF_RECORD]-(:RecordEvent) }
""" + _INFO
ANY_EVENTS = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.event_seq, 0) > 0 AS any"


def _numbered(label: str, rel: str, counter: str, number: str, fields: str) -> str:
    """A new node of `label` about the record, numbered from the meta node's `counter` (its `number` property),
    its fields from `$<fields>`, stamped with the data version the change makes."""
    return f"""
MATCH (m:CreditnetMeta {{id: 'creditnet'}}), (r:Record {{uid: $uid}})
SET m.{counter} = coalesce(m.{counter}, 0) + 1
CREATE (n:{label})-[:{rel}]->(r)
SET n += ${fields}, n.{number} = m.{counter}, n.data_version = m.data_version + 1
RETURN n.{number} AS {number}
"""


ADD_EVENT = _numbered("RecordEvent", "OF_RECORD", "event_seq", "seq", "event")
ADD_OBJECTION = _numbered("Objection", "AGAINST", "objection_seq", "id", "objection")
OBJECTION = "MATCH (o:Objection {id: $id})-[:AGAINST]->(r:Record)" + _INFO
SET_OBJECTION = """
MATCH (m:CreditnetMeta {id: 'creditnet'}), (o:Objection {id: $id})
SET o.status = $status, o.history = $history, o.outcome = $outcome, o.data_version = m.data_version + 1
"""
ALL_OBJECTIONS = "MATCH (o:Objection)-[:AGAINST]->(r:Record) WITH DISTINCT r" + _INFO
