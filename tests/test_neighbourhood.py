"""A check's neighbourhood fetched in one query (Neo4j) answers exactly what the level-by-level traversal
answers, and gives way to it when a bound is reached; the embedded store keeps traversing level by level."""
from __future__ import annotations

from datetime import date

import pytest

from county import AS_OF, E, OLD_REG_NO, P, id_number, uscc
from graph.model import Party
from graph.queries.check import check
from graph.stores.neo4j import queries as neo4j_queries, reader as neo4j_reader
from graph.stores.base import Edge, GraphReader
from graph.stores.neighbourhood import Neighbourhood
from graph.settings import get_settings

ON = date.fromisoformat(AS_OF)
# every party of the county, one known by its old registration number, and two valid codes nobody has
SUBJECTS = [*E.values(), *P.values(), OLD_REG_NO, uscc(900), id_number(900)]


def _answers(store, depth: int) -> list[dict]:
    out = []
    for key in SUBJECTS:
        answer = check(store, settings=get_settings(), key=key, as_of=ON, depth=depth).as_dict()
        answer.pop("check_id", None)
        out.append(answer)
    return out


@pytest.fixture
def fetches(county, monkeypatch):
    """How often the store's reader answered a check's neighbourhood in one piece (None: level by level)."""
    counts = {"fetched": 0, "level by level": 0}
    reader_class = type(county.read(lambda reader: reader))
    own_neighbourhood, own_located = reader_class.neighbourhood, reader_class.located

    def counted(found):
        counts["level by level" if found is None else "fetched"] += 1
        return found

    monkeypatch.setattr(reader_class, "neighbourhood", lambda self, *args: counted(own_neighbourhood(self, *args)))
    if "located" in vars(reader_class):  # the store looks a check's subject up in its neighbourhood query
        def located(self, *args):
            party, found = own_located(self, *args)
            return party, counted(found)
        monkeypatch.setattr(reader_class, "located", located)
    return counts, reader_class


def _level_by_level(monkeypatch, reader_class) -> None:
    """No neighbourhood in one piece: the subject looked up alone, then one question per level."""
    monkeypatch.setattr(reader_class, "neighbourhood", lambda self, *args: None)
    monkeypatch.setattr(reader_class, "located", GraphReader.located)


# Only the Neo4j reader has a one-query path to compare with its level-by-level traversal.
neo4j_only = pytest.mark.parametrize("backend", ["neo4j"], indirect=True)


@neo4j_only
@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4])
def test_one_query_gives_the_same_answers_as_level_by_level(county, fetches, monkeypatch, depth):
    counts, reader_class = fetches
    fetched = _answers(county, depth)
    assert counts == {"fetched": len(SUBJECTS), "level by level": 0}  # the one-query path was taken
    _level_by_level(monkeypatch, reader_class)
    assert fetched == _answers(county, depth)
    assert any(a["verdict"] == "restricted" for a in fetched) and any(a["hits"] for a in fetched)


@neo4j_only
def test_a_neighbourhood_over_the_bound_is_traversed_level_by_level(county, fetches, monkeypatch):
    counts, reader_class = fetches
    monkeypatch.setattr(neo4j_reader, "NEIGHBOURHOOD_CAP", 2)  # every neighbourhood of the county is bigger
    bounded = _answers(county, 3)
    assert counts["level by level"] > 0
    _level_by_level(monkeypatch, reader_class)
    assert bounded == _answers(county, 3)


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_the_embedded_store_traverses_level_by_level(county, fetches):
    """Memory and a local file: nothing for one query to save."""
    counts, _ = fetches
    assert any(a["verdict"] == "restricted" for a in _answers(county, 3))
    assert counts["fetched"] == 0 and counts["level by level"] > 0


@neo4j_only
def test_a_check_by_code_asks_the_neo4j_reader_one_question(county, monkeypatch):
    """The subject's look-up rides in the neighbourhood query: one round trip besides the two version reads. What
    the store holds as a whole (any events, the codes of rows that could not be read) is asked once per data
    version, by the first check."""
    asked = []
    own = neo4j_reader.TimedReads.run
    monkeypatch.setattr(neo4j_reader.TimedReads, "run",
                        lambda self, cypher, **params: asked.append(cypher) or own(self, cypher, **params))
    check(county, settings=get_settings(), key=E["CLEAR"], as_of=ON, depth=3)
    assert sum(cypher == neo4j_queries.STORE_FACTS for cypher in asked) <= 1
    for key, known in ((E["LISTED"], True), (P["RESTRICTED"], True), (OLD_REG_NO, True), (uscc(900), False)):
        asked.clear()
        answer = check(county, settings=get_settings(), key=key, as_of=ON, depth=3)
        # An unknown code too: no rejected row is kept under it, which the store's facts already say.
        assert len(asked) == 1, (key, asked)
        assert bool(answer.subject.name) == known
        assert any("unknown subject" in note for note in answer.notes) == (not known)


def _edge(member: str, enterprise: str) -> Edge:
    return Edge(Party("person", member), Party("enterprise", enterprise), ("股东",))


def test_fits_only_what_a_level_by_level_traversal_would_see_whole():
    star = Neighbourhood([_edge(f"p{i}", "E") for i in range(99)], {})
    assert star.parties == 100
    assert star.fits(101) and not star.fits(100)  # the party limit would cut the last one off
    dense = Neighbourhood([_edge("p", "E")], {}, relationships=500)
    assert dense.fits(200) and not dense.fits(102)  # one level asks for at most (budget × 4 + 100) relationships


def test_expand_answers_each_edge_once_and_listings_only_for_listed_parties():
    shared = _edge("p", "E")
    hood = Neighbourhood([shared, _edge("q", "E")], {("person", "p"): [{"list_type": "黑名单"}]})
    both = hood.expand([Party("person", "p"), Party("enterprise", "E")], limit=100)
    assert both.count(shared) == 1 and len(both) == 2
    assert hood.listings_of([Party("person", "p"), Party("person", "q")]) == {
        Party("person", "p"): [{"list_type": "黑名单"}]}
