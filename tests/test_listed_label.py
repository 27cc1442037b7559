"""Neo4j: every party a listing names carries the label Listed, and a check relies on it only when that holds.

A check's last level asks of thousands of parties whether a listing names them (graph/stores/neo4j/queries.py,
last_level); the label answers with one look-up. A party that a listing names but that lacks the label would be a
restricted party the check does not see, so the reader uses the label only when no such party exists (StoreFacts,
once per data version), and follows the records otherwise. These tests load the county, then take the label away
as a store written before it would lack it, and compare every answer.
"""
from __future__ import annotations

from datetime import date

import pytest

from county import AS_OF
from graph.ingest import load_file
from graph.queries.check import check
from graph.settings import get_settings
from graph.stores.neo4j import reader as neo4j_reader

pytestmark = pytest.mark.parametrize("backend", ["neo4j"], indirect=True)

UNLABELLED = "MATCH (:Listing)-[:CONCERNS|NAMES]->(x) WHERE NOT x:Listed RETURN count(DISTINCT x) AS n"
LISTED = "MATCH (:Listing)-[:CONCERNS|NAMES]->(x) RETURN count(DISTINCT x) AS n"


@pytest.fixture
def loaded(store, home, county_files, monkeypatch):
    # Every check level by level, as behind a nominee: the small county's neighbourhoods would otherwise come in one
    # query, which reads the listings themselves and never asks the label.
    monkeypatch.setattr(neo4j_reader, "NEIGHBOURHOOD_CAP", 1)
    for path in county_files.values():
        load_file(store, path, home=home)
    return store


def _run(store, cypher: str) -> int:
    with store.driver.session(database=store.database) as s:
        return s.run(cypher).single()["n"]


def _labelled(store) -> bool:
    return store.read(lambda reader: reader.facts().listed_labelled)


def _answers(store) -> dict[str, dict]:
    """Every enterprise's and listed person's answer at depths 3 and 4, as the official would read it."""
    with store.driver.session(database=store.database) as s:
        keys = [r["key"] for r in s.run("MATCH (e:Enterprise) RETURN e.key AS key ORDER BY key")]
        keys += [r["key"] for r in s.run("MATCH (:Listing)-[:NAMES]->(p:Person) RETURN DISTINCT p.id_number AS key")]
    settings = get_settings()
    # Depth 3 too: the county's longest chain (CHAIN → C1 → C2 → LISTED) reaches a listing at its last level.
    answers = {f"{k}@{depth}": check(store, key=k, depth=depth, as_of=date.fromisoformat(AS_OF), settings=settings).as_dict()
               for k in sorted(keys) for depth in (3, 4)}
    for answer in answers.values():
        answer.pop("data_version")  # moved on purpose below
    return answers


def test_a_load_labels_every_party_a_listing_names(loaded):
    assert _run(loaded, LISTED) > 5  # the county's listings name enterprises and persons
    assert _run(loaded, UNLABELLED) == 0
    assert _labelled(loaded)


def test_without_the_label_the_check_follows_the_records_and_answers_the_same(loaded):
    labelled = _answers(loaded)
    assert {a["verdict"] for a in labelled.values()} >= {"restricted", "linked", "clear"}
    # As in a store written before the label: listed enterprises without it, and the data version moved.
    with loaded.driver.session(database=loaded.database) as s:
        s.run("MATCH (:Listing)-[:CONCERNS]->(e:Enterprise) REMOVE e:Listed").consume()
        s.run("MATCH (m:CreditnetMeta) SET m.data_version = m.data_version + 1").consume()
    assert _run(loaded, UNLABELLED) > 0 and not _labelled(loaded)
    unlabelled = _answers(loaded)
    assert unlabelled == labelled


def test_a_store_written_before_the_label_gets_it_when_opened(loaded, request):
    with loaded.driver.session(database=loaded.database) as s:
        s.run("MATCH (x:Listed) REMOVE x:Listed").consume()
        s.run("MATCH (m:CreditnetMeta) REMOVE m.listed_labels SET m.data_version = m.data_version + 1").consume()
    assert _run(loaded, UNLABELLED) == _run(loaded, LISTED) > 0
    loaded.init_schema()  # what every open of the store does
    assert _run(loaded, UNLABELLED) == 0 and _labelled(loaded)
