"""Fixtures and bookkeeping of the reliability tests.

- `tally` (used by test_hostile_files.py): each test says which bad-input case it tried, on which store and
  through which path (load_file or the CLI), how many generated examples it ran and whether anything
  crashed (an exception other than LoadError/FileRejected, or a CLI traceback). At the end of the session the
  counts go to artifacts/reliability/bad_input.json, which RELIABILITY.md quotes.
- `proxy`: a TcpProxy to the test server (`neo4j_uri`, tests/conftest.py), which a test cuts and restores
  (test_neo4j_faults.py, test_api_faults.py).
"""
from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlparse

import pytest

from reliability.helpers import ARTIFACTS, write_json_artifact
from reliability.proxy import TcpProxy

_BAD_INPUT: list[dict] = []


class Tally:
    def __init__(self, request):
        self.node = request.node
        self.entry: dict = {"examples": 1, "crashes": 0}
        self.node.user_properties.append(("bad_input", self.entry))

    def case(self, group: str, case: str, store: str = "-", path: str = "load_file") -> None:
        self.entry.update(group=group, case=case, store=store, path=path)

    def examples(self, n: int) -> None:
        self.entry["examples"] = n

    def crash(self) -> None:
        self.entry["crashes"] += 1


@pytest.fixture
def tally(request) -> Tally:
    return Tally(request)


@pytest.fixture
def proxy(neo4j_uri):
    """A TCP proxy (proxy.py) between the driver and the test server, to cut and restore."""
    target = urlparse(neo4j_uri)
    p = TcpProxy(target.hostname or "127.0.0.1", target.port or 7687)
    yield p
    p.close()


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, entry in report.user_properties:
        if name == "bad_input" and "case" in entry:
            _BAD_INPUT.append({**entry, "outcome": report.outcome, "test": report.nodeid})


def pytest_sessionfinish(session):
    """Merge this session's bad-input results into the artefact (a later run of a test replaces its entry, so a
    fast run and a slow run add up) and recompute the figures."""
    if not _BAD_INPUT:
        return
    path = ARTIFACTS / "bad_input.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get("entries", {})
    except (OSError, ValueError):
        entries = {}
    entries.update({e["test"]: e for e in _BAD_INPUT})
    everything = list(entries.values())
    hand = [e for e in everything if e["group"] == "hand-written"]
    generated = [e for e in everything if e["group"] == "generated"]
    big = [e for e in everything if e["group"] == "large-file"]

    def passed(group):
        return sum(e["examples"] for e in group if e["outcome"] == "passed")

    def tried(group):
        return sum(e["examples"] for e in group)

    write_json_artifact("bad_input.json", {
        "cases_tried": tried(everything),
        "cases_handled_as_specified": passed(everything),
        "crashes": sum(e["crashes"] for e in everything),
        "hand_written": {
            "distinct_cases": len({e["case"] for e in hand}),
            "runs": len(hand), "passed": passed(hand),
            "by_path_and_store": dict(Counter(f"{e['path']}/{e['store']}" for e in hand)),
            "failed": sorted(e["test"] for e in hand if e["outcome"] != "passed"),
        },
        "generated": {
            "properties": len(generated), "examples": tried(generated), "passed": passed(generated),
            "by_property": {e["case"]: e["examples"] for e in generated},
            "failed": sorted(e["test"] for e in generated if e["outcome"] != "passed"),
        },
        "large_file": {e["case"]: {k: v for k, v in e.items() if k.startswith("peak") or k in (
            "outcome", "bytes", "rows", "seconds")} for e in big},
        "last_session_args": list(session.config.invocation_params.args),
        "entries": entries,
    })
