"""Fixtures for the whole suite.

Which fixture to use for what:
- `home`: a fresh CREDITNET_HOME (settings re-read), for anything that touches files beside the store.
- `store`: an empty store of the test's own, parametrised over every backend that runs here (embedded always; Neo4j
  when a server is configured — and required in CI, where CREDITNET_REQUIRE_NEO4J=1 turns a missing one into a failure).
- `county`: the tiny hand-built county of tests/county.py (every verdict known), loaded once per store for the whole
  run and shared by every test that only reads it. Such a test cannot load into it or reset it (the store refuses),
  and fails if it changed it some other way (through the API or the CLI: the data version or the load history moved).
  A test that changes the county is marked `@pytest.mark.writes` and gets a county of its own, loaded into its
  `store`. The fixtures built on `county` (the API's `client`, the pages' `web_client`) follow the same rule.
- `county_files`: just the county's files, for loader and CLI tests.
- `realdata`: the real registration extracts, beside the repository (../shared/realdata) or at CREDITNET_REALDATA.
- `neo4j_uri`, `neo4j_driver`: the test server's address, and the run's one driver to it.

Every test that uses the Neo4j server carries the `neo4j` marker (added here to the Neo4j half of the store-
parametrised tests), so that `-m "not neo4j"` runs without a server. A test that needs something this machine may
lack is skipped with the reason, or fails under the matching CREDITNET_REQUIRE_* flag (tests/needs.py).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import county as county_module
import needs

from graph import settings as settings_module

REPO = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("CREDITNET_REALDATA") or Path(__file__).resolve().parents[2] / "shared" / "realdata")

# The API's and the pages' fixtures, and the browser's with the demo county, for every test that asks for them.
pytest_plugins = ["api_fixtures", "web_fixtures", "browser_fixtures"]

BACKENDS = ["embedded", "neo4j"]
# Fixtures that reach the test server: a test using one of them is a Neo4j test.
NEO4J_FIXTURES = {"neo4j_uri", "neo4j_driver"}


def _worker_number() -> int:
    """Which pytest-xdist worker runs this process (gw0, gw1, …): 0 when the run is not split."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def _own_server_per_worker() -> None:
    """A run split over workers gives each worker a server of its own: the server holds one database, and one
    worker's reset must not empty the county another worker's test is reading. Worker 0 keeps the server
    scripts/test named; worker n gets a state directory beside it (`<home>-gw<n>`), free ports, and the jars
    worker 0's directory holds (scripts/neo4j-local resolves them once, under the lock taken in `_start_neo4j`).
    The environment is the process's own, so the tests that restart the server (tests/test_bulk_load.py) find it."""
    n = _worker_number()
    base = os.environ.get("CREDITNET_NEO4J_HOME")
    if n == 0 or not base:
        return
    from servers import free_port
    state = Path(f"{base}-gw{n}")
    state.mkdir(parents=True, exist_ok=True)
    Path(base, "lib").mkdir(parents=True, exist_ok=True)
    if not (state / "lib").exists():
        (state / "lib").symlink_to(Path(base, "lib"))
    os.environ.update({"CREDITNET_NEO4J_HOME": str(state), "NEO4J_BOLT_PORT": str(free_port()),
                       "NEO4J_HTTP_PORT": str(free_port())})


def _start_neo4j() -> None:
    """scripts/neo4j-local start, one worker at a time (the first resolves the jars the others share)."""
    import fcntl
    _own_server_per_worker()
    lock = Path(tempfile.gettempdir()) / "creditnet-test-neo4j-start.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = subprocess.run([str(REPO / "scripts" / "neo4j-local"), "start"], capture_output=True, text=True,
                              timeout=540)
    if done.returncode != 0:
        pytest.fail(f"scripts/neo4j-local start failed: {done.stderr[-2000:]}", pytrace=False)
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    os.environ["CREDITNET_TEST_NEO4J_URI"] = values["NEO4J_URI"]


def _neo4j_configured() -> bool:
    """Whether the test server is there. scripts/test leaves its start to the first test that needs it (with
    CREDITNET_TEST_START_NEO4J=1), so that a run without Neo4j tests starts none; scripts/test stops it (and the
    servers of a split run's other workers, `_own_server_per_worker`)."""
    if not os.environ.get("CREDITNET_TEST_NEO4J_URI") and os.environ.get("CREDITNET_TEST_START_NEO4J") == "1":
        _start_neo4j()
    return bool(os.environ.get("CREDITNET_TEST_NEO4J_URI"))


def _no_neo4j() -> None:
    needs.unavailable(needs.NEO4J, "no Neo4j server configured: set CREDITNET_TEST_NEO4J_URI "
                                   "(scripts/neo4j-local start)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(item, "callspec", None)
        if (params and params.params.get("backend") == "neo4j") or NEO4J_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.neo4j)


# --- the Neo4j test server --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    if not _neo4j_configured():
        _no_neo4j()
    return os.environ["CREDITNET_TEST_NEO4J_URI"]


def _neo4j_auth():
    password = os.environ.get("CREDITNET_TEST_NEO4J_PASSWORD", "")
    return (os.environ.get("CREDITNET_TEST_NEO4J_USER", "neo4j"), password) if password else None


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri):
    """One driver for the run (the store's options: notifications off, a short connection time-out)."""
    from neo4j import GraphDatabase
    driver = GraphDatabase.driver(neo4j_uri, auth=_neo4j_auth(), connection_timeout=10, max_transaction_retry_time=15,
                                  notifications_min_severity="OFF")
    driver.verify_connectivity()
    yield driver
    driver.close()


def _use_neo4j(monkeypatch) -> None:
    """The environment of a test on the Neo4j store: what the CLI, the API and open_store read."""
    monkeypatch.setenv("CREDITNET_BACKEND", "neo4j")
    monkeypatch.setenv("CREDITNET_NEO4J_URI", os.environ["CREDITNET_TEST_NEO4J_URI"])
    monkeypatch.setenv("CREDITNET_NEO4J_USER", os.environ.get("CREDITNET_TEST_NEO4J_USER", "neo4j"))
    monkeypatch.setenv("CREDITNET_NEO4J_PASSWORD", os.environ.get("CREDITNET_TEST_NEO4J_PASSWORD", ""))
    settings_module.get_settings.cache_clear()


def _open(backend: str, request):
    """The store the settings name; on Neo4j over the run's driver (which the store does not close)."""
    settings = settings_module.get_settings()
    if backend == "neo4j":
        from graph.stores.neo4j import Neo4jStore
        return Neo4jStore(request.getfixturevalue("neo4j_driver"), settings.neo4j_database, settings)
    from graph.stores import open_store
    return open_store(settings)


@pytest.fixture(autouse=True)
def _apps_leave_the_collector_alone(monkeypatch):
    """The service collects and freezes the whole process's heap when it starts and thaws it when it stops
    (api/state.py, for a server's latency). In the test process that heap is the whole suite's, walked again by
    each of the hundreds of apps the tests start: here the service leaves the garbage collector as it is."""
    import types

    import api.state
    monkeypatch.setattr(api.state, "gc", types.SimpleNamespace(collect=lambda *a: 0, freeze=lambda: None,
                                                               unfreeze=lambda: None))


# --- stores -----------------------------------------------------------------------------------------------------
@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("CREDITNET_HOME", str(path))
    monkeypatch.setenv("CREDITNET_BACKEND", "embedded")
    settings_module.get_settings.cache_clear()
    yield path
    settings_module.get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "neo4j" and not _neo4j_configured():
        _no_neo4j()
    return request.param


@pytest.fixture
def store(backend, home, monkeypatch, request):
    if backend == "neo4j":
        _use_neo4j(monkeypatch)
    s = _open(backend, request)
    s.reset()
    yield s
    s.close()


@pytest.fixture
def county_files(tmp_path) -> dict[str, Path]:
    return county_module.write_county(tmp_path / "county")


def _load_county(store, directory: Path) -> None:
    from graph.ingest import load_file
    for path in county_module.write_county(directory / "files").values():
        load_file(store, path, home=directory / "home")


def _fingerprint(store) -> tuple:
    """What any change to a store moves: its data version, and the list of files loaded into it."""
    return store.data_version(), store.load_history()


class _SharedCounty:
    """The county as the run loaded it on one store, and what it looked like then."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.fingerprint: tuple | None = None


@pytest.fixture(scope="session")
def _shared_counties(tmp_path_factory) -> dict[str, _SharedCounty]:
    return {name: _SharedCounty(tmp_path_factory.mktemp(f"county-{name}")) for name in BACKENDS}


READ_ONLY = ("the county is shared by the tests that only read it: mark a test that changes it "
             "@pytest.mark.writes to give it a county of its own")


def _read_only(store):
    """The store with its writing methods refused."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a write to the shared county: {READ_ONLY}")
    for name in ("writer", "reset", "record_load"):
        setattr(store, name, refuse)
    return store


@pytest.fixture
def county(backend, home, monkeypatch, request, _shared_counties):
    if request.node.get_closest_marker("writes") is not None:
        s = request.getfixturevalue("store")
        from graph.ingest import load_file
        for path in request.getfixturevalue("county_files").values():
            load_file(s, path, home=home)
        yield s
        return
    shared = _shared_counties[backend]
    if backend == "neo4j":
        # One database on the server: loaded again only when another test has emptied or changed it since.
        _use_neo4j(monkeypatch)
        s = _open(backend, request)
        if shared.fingerprint is None or _fingerprint(s) != shared.fingerprint:
            s.reset()
            _load_county(s, shared.directory)
            shared.fingerprint = _fingerprint(s)
    else:
        # The embedded store is a file in the home: each test gets a copy of the one loaded for the run.
        template = shared.directory / "home"
        if shared.fingerprint is None:
            from graph.stores.embedded import EmbeddedStore
            with EmbeddedStore(template) as loading:
                _load_county(loading, shared.directory)
                shared.fingerprint = _fingerprint(loading)
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template / "creditnet.sqlite", home / "creditnet.sqlite")
        s = _open(backend, request)
    yield _read_only(s)
    try:
        changed = _fingerprint(s) != shared.fingerprint
    finally:
        s.close()
    if changed:
        if backend == "neo4j":
            shared.fingerprint = None
        pytest.fail(f"{request.node.nodeid} changed the shared county: {READ_ONLY}", pytrace=False)


@pytest.fixture
def realdata() -> Path:
    if not (REALDATA / "ningxia-2003.csv").exists():
        needs.unavailable(needs.REALDATA, f"real registration extracts not found at {REALDATA} "
                                          "(set CREDITNET_REALDATA)")
    return REALDATA
