"""benchmarks/report.py's targets table: which size a load target is judged at."""
from __future__ import annotations

from benchmarks.report import targets


def _results(neo4j_loads: dict[str, dict]) -> dict:
    return {"config": {}, "sizes": {size: {"stores": {"neo4j": {"load": load}}} for size, load in neo4j_loads.items()}}


def _row(results: dict, prefix: str) -> dict:
    return next(t for t in targets(results) if t["target"].startswith(prefix))


def test_a_failed_load_is_not_the_largest_size_loaded():
    results = _results({"100000": {"rows_per_s": 10_500.0},
                        "1000000": {"exit_code": 1, "error": "MemoryPoolOutOfMemoryError"}})
    for prefix, met in (("Neo4j: load ≥ 10,000", True), ("Neo4j: load ≥ 5,000", True)):
        row = _row(results, prefix)
        assert (row["measured"], row["met"], row["where"]) == ("10,500 rows/s", met, "100,000")
    assert _row(results, "Neo4j, 1M: check p50")["met"] is None  # not measured at 1M: no verdict either way


def test_the_million_is_judged_when_it_loaded():
    row = _row(_results({"100000": {"rows_per_s": 12_000.0}, "1000000": {"rows_per_s": 9_000.0}}),
               "Neo4j: load ≥ 10,000")
    assert (row["measured"], row["met"], row["where"]) == ("9,000 rows/s", False, "1,000,000")


def test_a_load_that_failed_at_every_size_says_so():
    row = _row(_results({"1000": {"exit_code": 2, "error": "refused"}}), "Neo4j: load ≥ 5,000")
    assert (row["measured"], row["met"]) == ("load failed", False)
