"""Fixtures for the whole suite.

Which fixture to use for what:
- `home`: a fresh CREDITNET_HOME (settings re-read), for anything that touches files beside the store.
- `store`: an empty store, parametrised over every backend that runs here (embedded always; Neo4j when
  a server is configured — and required in CI, where CREDITNET_REQUIRE_NEO4J=1 turns a missing one into a failure).
- `county`: `store` loaded with the tiny hand-built county of tests/county.py (every verdict known).
- `county_files`: just the county's files, for loader and CLI tests.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import county as county_module  # noqa: E402

from graph import settings as settings_module  # noqa: E402

REALDATA = Path(os.environ.get("CREDITNET_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))


def _neo4j_configured() -> bool:
    return bool(os.environ.get("CREDITNET_TEST_NEO4J_URI"))


BACKENDS = ["embedded", "neo4j"]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("CREDITNET_HOME", str(path))
    monkeypatch.setenv("CREDITNET_BACKEND", "embedded")
    settings_module.get_settings.cache_clear()
    yield path
    settings_module.get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    name = request.param
    if name == "neo4j" and not _neo4j_configured():
        if os.environ.get("CREDITNET_REQUIRE_NEO4J") == "1":
            pytest.fail("CREDITNET_REQUIRE_NEO4J=1 but no Neo4j server is configured (CREDITNET_TEST_NEO4J_URI); "
                        "start one with scripts/neo4j-local start")
        pytest.skip("no Neo4j server configured: set CREDITNET_TEST_NEO4J_URI (scripts/neo4j-local start)")
    return name


@pytest.fixture
def store(backend, home, monkeypatch):
    if backend == "neo4j":
        monkeypatch.setenv("CREDITNET_BACKEND", "neo4j")
        monkeypatch.setenv("CREDITNET_NEO4J_URI", os.environ["CREDITNET_TEST_NEO4J_URI"])
        monkeypatch.setenv("CREDITNET_NEO4J_USER", os.environ.get("CREDITNET_TEST_NEO4J_USER", "neo4j"))
        monkeypatch.setenv("CREDITNET_NEO4J_PASSWORD", os.environ.get("CREDITNET_TEST_NEO4J_PASSWORD", ""))
        settings_module.get_settings.cache_clear()
    from graph.stores import open_store
    s = open_store()
    s.reset()
    yield s
    s.close()


@pytest.fixture
def county_files(tmp_path) -> dict[str, Path]:
    return county_module.write_county(tmp_path / "county")


@pytest.fixture
def county(store, county_files, home):
    from graph.ingest import load_file
    for path in county_files.values():
        load_file(store, path, home=home)
    return store


@pytest.fixture
def realdata() -> Path:
    if not (REALDATA / "ningxia-2003.csv").exists():
        pytest.skip(f"real registration extracts not found at {REALDATA} (set CREDITNET_REALDATA)")
    return REALDATA
