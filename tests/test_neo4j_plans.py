"""No statement a load or a check sends to Neo4j scans a whole label: each finds its nodes by a constraint or an
index, so that its cost follows the rows it is given, not the size of the store.

A label scan inside a batch statement runs once per row: `MATCH (l:Listing {uid: row.uid})` (Record holds the uid
constraint, Listing has no index on it) read every listing for every row of a blacklist file, and the province's
23,455-row file took 140 s against 1.4 s for the county's 2,346 rows. The planner's own
plan (EXPLAIN, nothing run) on the test server, with the store's schema, says which operators a statement uses.
Statements over the whole store by design (statistics, migrations, the load history, a reset's batches, the list of
departments) are named below and left out.
"""
from __future__ import annotations

import re

import pytest

from graph.stores.neo4j import amendment_queries as aq, load_queries as lq, queries as q, schema_queries as sq

WHOLE_STORE = {"COUNT_NODES", "COUNT_PER_DEPARTMENT", "COUNT_RECORDS", "DEPARTMENT_NAMES", "LOAD_HISTORY", "LIST_TYPES_USED", "ROLES_USED",
               "OLD_SHAPE_NODES", "PERSONS_WITHOUT_MASKED_ID", "RESET_BATCH", "RESET_RELATIONSHIPS_BATCH",
               "ALL_OBJECTIONS",
               "STORE_FACTS",  # every code a rejected row is kept under, once per data version (few rows)
               "LICENCES_ISSUED",  # every licence, read by each pass of alerts (graph/supervision/watch.py)
               "LISTING_KEYS",  # every listing, when the list-type table changes (graph/stores/listing_keys.py)
               "HOLDS_DATA",  # a bulk load's target: any node at all (LIMIT 1 stops at the first; graph/bulk.py)
               "LABEL_LISTED"}  # every listing, once, in a store written before the label (init_schema)
SCANS = ("NodeByLabelScan", "AllNodesScan", "AllRelationshipsScan", "RelationshipTypeScan",
         "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan", "DirectedRelationshipTypeScan",
         "UndirectedRelationshipTypeScan")
PARAMS = {"index": "enterprise_name_han", "limit": 1, "cap": 1, "edge_cap": 1, "levels": 1, "code": "", "code_kind": "",
          "key": "", "id": "", "name": "", "on": "2026-01-01", "prefix": "blacklist|-|", "department": "", "kind": "blacklist",
          "event": {}, "objection": {}, "events": False, "objections": False}


def statements() -> dict[str, str]:
    out = {}
    for module, name in [(m, n) for m in (q, lq, sq, aq) for n in dir(m)]:
        value = getattr(module, name)
        if name.startswith("_") or name.split("[")[0] in WHOLE_STORE:
            continue
        if isinstance(value, str) and re.match(r"\s*(UNWIND|MATCH|MERGE|OPTIONAL|WITH|CALL)\b", value):
            out[name] = value
        elif isinstance(value, dict) and name not in WHOLE_STORE:
            out.update({f"{name}[{k}]": v for k, v in value.items() if isinstance(v, str) and "MATCH" in v})
    for label in q.RECORD_LABELS.values():
        out[f"upsert_records({label})"] = lq.upsert_records(label)
        out[f"create_records({label})"] = lq.create_records(label)
    for rel_type in q.ROLE_TYPES:
        for member_kind in ("person", "enterprise"):
            out[f"merge_roles({rel_type}, {member_kind})"] = lq.merge_roles(rel_type, member_kind)
            out[f"create_roles({rel_type}, {member_kind})"] = lq.create_roles(rel_type, member_kind)
    for labelled in (False, True):  # whether every party a listing names carries the label Listed
        out[f"last_level({labelled})"] = q.last_level(labelled)
        out[f"listings_of({labelled})"] = q.listings_of(labelled)
    for levels in (1, 4):
        for by_code in (False, True):
            out[f"neighbourhood({levels}, {by_code})"] = q.neighbourhood(levels, by_code)
    for labelled in (False, True):  # a check's from its third level on: the outermost level trimmed
        for by_code in (False, True):
            out[f"neighbourhood(3, {by_code}, {labelled})"] = q.neighbourhood(3, by_code, labelled)
    return out


def scans(plan) -> list[str]:
    found = [f"{plan['operatorType'].split('@')[0]} {plan.get('args', {}).get('Details', '')}"] \
        if plan["operatorType"].split("@")[0] in SCANS else []
    for child in plan.get("children", []):
        found += scans(child)
    return found


@pytest.fixture(scope="module")
def session(neo4j_driver):
    with neo4j_driver.session() as s:
        for statement in [*sq.SCHEMA, *aq.SCHEMA]:   # the plans depend on the indexes and constraints there are
            s.run(statement).consume()
        yield s


def test_the_statements_are_found():
    found = statements()
    assert "NAME_LISTED_PERSONS" in found and "upsert_records(Listing)" in found and len(found) > 40, sorted(found)


@pytest.mark.parametrize("name", sorted(statements()))
def test_no_statement_scans_a_whole_label(session, name):
    text = statements()[name]
    params = {p: PARAMS.get(p, []) for p in set(re.findall(r"\$(\w+)", text))}
    plan = session.run("EXPLAIN " + text, **params).consume().plan
    assert scans(plan) == [], f"{name} scans: {scans(plan)}"
