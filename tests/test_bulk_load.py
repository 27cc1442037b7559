"""`creditnet load --bulk`: the county imported by neo4j-admin into an empty database gives what a normal load gives.

Real parts only: the test server is a scripts/neo4j-local one (the bulk import stops it, imports with the real
neo4j-admin and starts it again), and the CLI runs as its own process. The county is loaded the normal way first,
then the database is emptied and the same files are bulk loaded; every enterprise and person is checked on both,
a few profiled, and the whole graph compared node by node and relationship by relationship (the eids the two loads
gave differ, so each is read as its enterprise's key).
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import county as c
import needs
from graph import settings as settings_module

REPO = Path(__file__).resolve().parents[1]
NEO4J_LOCAL = REPO / "scripts" / "neo4j-local"



def _local_server(uri: str) -> dict[str, str]:
    """The environment of scripts/neo4j-local for the test server, which must be one of its servers."""
    done = subprocess.run([str(NEO4J_LOCAL), "status"], capture_output=True, text=True, timeout=60)
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if done.returncode != 0 or values.get("NEO4J_URI") != uri:
        needs.unavailable(needs.NEO4J, f"the test server {uri} is not the one scripts/neo4j-local runs "
                                       f"(CREDITNET_NEO4J_HOME={os.environ.get('CREDITNET_NEO4J_HOME', 'default')}): "
                                       f"a bulk load must stop and start it")
    return values


def _env(home: Path, uri: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": "neo4j",
            "CREDITNET_NEO4J_URI": uri, "CREDITNET_NEO4J_USER": os.environ.get("CREDITNET_TEST_NEO4J_USER", "neo4j"),
            "CREDITNET_NEO4J_PASSWORD": os.environ.get("CREDITNET_TEST_NEO4J_PASSWORD", ""),
            "CREDITNET_NEO4J_IMPORT_COMMAND": f"{NEO4J_LOCAL} import",
            # The first questions after a restart find every cache cold, on a machine that may be busy.
            "CREDITNET_QUERY_TIMEOUT_S": "60"}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=900)


def _store(home: Path, uri: str, monkeypatch):
    for key, value in _env(home, uri).items():
        if key.startswith("CREDITNET_"):
            monkeypatch.setenv(key, value)
    settings_module.get_settings.cache_clear()
    from graph.stores.neo4j import Neo4jStore
    return Neo4jStore.from_settings(settings_module.get_settings())


def _graph(store, base: int) -> tuple[list, list]:
    """Every node and relationship, with eids read as their enterprise's key, versions counted from `base`, and
    what differs by nature between two loads (a fingerprint of the eid, a time, a rejects file's name) left out."""
    with store.driver.session(database=store.database) as s:
        keys = {r["eid"]: r["key"] for r in s.run("MATCH (e:Enterprise) RETURN e.eid AS eid, e.key AS key")}
        pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

        def plain(value):
            if isinstance(value, str) and pattern is not None:
                return pattern.sub(lambda m: "E:" + keys[m.group(0)], value)
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        def node(labels, props) -> str:
            # Load numbers go on from those of the loads before the reset: load_history() is compared instead.
            props = {k: plain(v) for k, v in props.items() if k not in ("fp", "at", "rejects_file", "load_seq", "seq")}
            if "data_version" in props:
                props["data_version"] -= base
            return json.dumps([sorted(labels), props], ensure_ascii=False, sort_keys=True)

        nodes = {r["id"]: node(r["labels"], r["props"])
                 for r in s.run("MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props")}
        rels = sorted(json.dumps([nodes[r["a"]], r["type"], r["props"], nodes[r["b"]]], ensure_ascii=False,
                                 sort_keys=True)
                      for r in s.run("MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, "
                                     "properties(r) AS props, elementId(b) AS b"))
    return sorted(n for n in nodes.values() if "LoadLog" not in n), rels


def _same_home(report: dict) -> dict:
    """A file's report with its rejects file's name (which carries the time and the home) left out."""
    return {**report, "rejects_file": bool(report["rejects_file"])}


def _difference(normal: list[str], bulk: list[str]) -> str:
    import difflib
    return "\n".join(difflib.unified_diff(normal, bulk, "normal load", "bulk load", lineterm="", n=0))


def _answers(store, base: int) -> dict:
    """Every enterprise and person of the county checked, a few enterprises profiled, and the load history."""
    from graph.queries.check import check
    from graph.queries.profile import profile
    settings = settings_module.get_settings()
    on = date.fromisoformat(c.AS_OF)
    out: dict = {}
    for key in [*c.E.values(), *c.P.values(), c.OLD_REG_NO]:
        result = check(store, key=key, as_of=on, depth=4, settings=settings).as_dict()
        result["data_version"] -= base
        out[f"check {key}"] = result
    for name in ("LISTED", "SERIOUS", "CHAIN", "OLD", "BAR"):
        answer = profile(store, c.E[name], as_of=on)
        answer["data_version"] -= base
        out[f"profile {name}"] = answer
    out["history"] = [{**h, "at": None, "rejects_file": bool(h["rejects_file"]), "data_version": h["data_version"] - base}
                      for h in store.load_history()]
    return out


def _rejects(home: Path) -> dict[str, list[list[str]]]:
    """The rejects files under a home, by the file they came from (their names carry the time of the load)."""
    out = {}
    for path in sorted((home / "rejects").glob("*.rejects.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            out[re.sub(r"^\d{8}-\d{6}-", "", path.name)] = list(csv.reader(fh))
    return out


@pytest.mark.parametrize("args", [["--bulk"], ["--bulk", "--dry-run"], ["--bulk", "--snapshot"], ["--bulk-dir", "x"]])
def test_a_bulk_load_needs_the_neo4j_store_and_a_plain_load(args, home, tmp_path):
    from typer.testing import CliRunner

    from cli.main import app
    files = c.write_county(tmp_path / "files")
    result = CliRunner().invoke(app, ["load", *args, "--json", str(files["enterprise"])])
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["error"]["code"] == "invalid_request"
    assert not (home / "rejects").exists() and not (home / "creditnet.sqlite").exists()


@pytest.mark.neo4j
@pytest.mark.slow
def test_bulk_load_equals_a_normal_load_and_refuses_a_database_with_data(tmp_path, monkeypatch, neo4j_uri):
    _local_server(neo4j_uri)
    from graph.ingest import load_file
    files = c.write_county(tmp_path / "files")
    ordered = [files[k] for k in ("enterprise", "member", "blacklist", "license", "license-change", "penalty",
                                  "penalty-change", "inspection")]

    normal_home = tmp_path / "normal"
    store = _store(normal_home, neo4j_uri, monkeypatch)
    try:
        store.reset()
        base = store.data_version()
        reports = [load_file(store, path, home=normal_home).summary() for path in ordered]
        normal = _answers(store, base), _graph(store, base)
    finally:
        store.close()

    # A database holding data is refused before anything is read, and says what to do.
    bulk_home = tmp_path / "bulk"
    refused = _cli(_env(bulk_home, neo4j_uri), "load", "--bulk", "--json", *map(str, ordered))
    assert refused.returncode == 2, refused.stderr
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "store_not_empty"
    assert "creditnet reset --yes" in error["message"] and "不加 --bulk" in error["message"]
    assert not (bulk_home / "rejects").exists() and not (bulk_home / "bulk").exists()

    store = _store(bulk_home, neo4j_uri, monkeypatch)
    try:
        store.reset()
        base = store.data_version()
    finally:
        store.close()
    done = _cli(_env(bulk_home, neo4j_uri), "load", "--bulk", "--json", *map(str, ordered))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    summary = lines[-1]["bulk"]
    assert summary["imported"] and summary["rows"] == sum(r["rows"] for r in lines[:-1])
    # Each file's report as a normal load gives it: rows, rejects and their reasons, warnings, columns.
    assert [_same_home(r) for r in lines[:-1]] == [_same_home(r) for r in reports]
    # The rejected rows: refused and reported as a normal load refuses them, and remembered in the store.
    blacklist = next(r for r in lines if r["kind"] == "blacklist")
    assert blacklist["rejected"] == len(c.bad_blacklist_rows()) and blacklist["rejects"]["rows"]
    assert _rejects(bulk_home) == _rejects(normal_home) != {}

    store = _store(bulk_home, neo4j_uri, monkeypatch)
    try:
        assert store.data_version() == base + len(ordered) == summary["data_version"]
        bulk = _answers(store, base), _graph(store, base)
        # The schema a normal load's store has: the constraints that keep keys unique are there.
        with store.driver.session(database=store.database) as s:
            constraints = {r["name"] for r in s.run("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert {"enterprise_key", "enterprise_uscc", "record_uid", "person_id"} <= constraints
        # The normal and the bulk answers, one by one (a difference names the subject).
        for subject in normal[0]:
            assert bulk[0][subject] == normal[0][subject], subject
        assert bulk[1][0] == normal[1][0], _difference(normal[1][0], bulk[1][0])  # nodes
        assert bulk[1][1] == normal[1][1], _difference(normal[1][1], bulk[1][1])  # relationships
        unread = [n for n in bulk[1][0] if "UnreadRow" in n]
        assert unread and any(c.E["CLEAR"][:-1] in n for n in unread)
        # A bulk load on a database that now holds the county is refused as well.
        again = _cli(_env(bulk_home, neo4j_uri), "load", "--bulk", *map(str, ordered))
        assert again.returncode == 2 and "creditnet reset --yes" in again.stderr
        assert store.data_version() == base + len(ordered)
    finally:
        store.close()
