"""benchmarks/report.py: which size a load target is judged at, and the results block of BENCHMARKS.md with the tables
at every depth beside it."""
from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import END, START, markdown, markdown_run_line, per_depth, targets, update_markdown

REPO = Path(__file__).resolve().parents[1]


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


def test_the_results_block_links_to_the_tables_at_every_depth(tmp_path):
    results = json.loads((REPO / "benchmarks" / "results" / "latest.json").read_text(encoding="utf-8"))
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(f"# Benchmarks\n\nwritten by hand\n\n{START}\nan older block\n{END}\n\n## How to run\n", encoding="utf-8")
    details = tmp_path / "results" / "latest.md"
    update_markdown(page, results, None, details)
    text = page.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert text.startswith("# Benchmarks\n\nwritten by hand\n") and text.endswith(f"{END}\n\n## How to run\n")
    assert "an older block" not in block and "### Targets" in block and "### Load" in block
    assert "Check latency in a running process" not in block and "](results/latest.md)" in block
    tables = details.read_text(encoding="utf-8")
    assert "## Check latency in a running process" in tables and "## Baselines on the same subjects" in tables
    for size in results["sizes"]:
        for depth in ("1", "2", "3", "4"):  # a row per size and depth in the baselines' table
            assert f"\n| {int(size):,} | {depth} | " in tables


def test_benchmarks_md_shows_the_saved_run_as_the_report_writes_it():
    """The page's block and the tables at every depth are what benchmarks/report.py makes of latest.json."""
    results = json.loads((REPO / "benchmarks" / "results" / "latest.json").read_text(encoding="utf-8"))
    saved = REPO / "benchmarks" / "results"
    block = markdown(results, saved / "latest.png", REPO, saved / "latest.md")
    assert f"{START}\n{block}{END}" in (REPO / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert (saved / "latest.md").read_text(encoding="utf-8") == (
        f"# Benchmarks at every depth\n\n{markdown_run_line(results)}\n\n" + per_depth(results).replace("### ", "## "))
