"""`creditnet reset` empties a province's Neo4j store within one transaction's memory limit.

A department is a supernode: every record it issued points at it. The reset deleted nodes 10,000 to a
transaction with DETACH DELETE, so the batch holding a department also deleted all of that department's
relationships at once; at 1,000,000 enterprises that ran out of the server's transaction memory and left the
store marked as being reset (RELIABILITY.md). This test starts its own server with a small limit
for one transaction (64 MiB; the shared test server keeps Neo4j's default), loads the test county through
the CLI, gives one of its departments 100,000 records, and resets through the CLI: the reset must finish,
leave nothing but the store's own meta node, and leave a store the county loads into again.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from api_fixtures import app_client, auth
from county import write_county
from servers import REPO, own_neo4j

pytestmark = [pytest.mark.slow, pytest.mark.neo4j, pytest.mark.timeout(900, method="thread")]

TX_MEMORY = "64m"
# Deleting a node or a relationship takes ~1.5 KiB of transaction memory (measured on this server: 10,000
# relationships did not fit 16 MiB, 5,000 did), so a reset batch of 10,000 needs ~16 MiB, and a department
# deleted with 100,000 relationships ~150 MiB.
RECORDS = 100_000


@pytest.fixture(scope="module")
def small_transactions(tmp_path_factory, neo4j_uri):
    with own_neo4j(tmp_path_factory.mktemp("neo4j-reset-memory"), NEO4J_TX_MEMORY=TX_MEMORY) as uri:
        yield uri


def creditnet(uri: str, home, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": "neo4j", "CREDITNET_NEO4J_URI": uri,
           "CREDITNET_NEO4J_PASSWORD": ""}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)


def test_reset_deletes_a_department_with_100000_records_within_a_64_mib_transaction(small_transactions, tmp_path):
    from neo4j import GraphDatabase

    uri, home = small_transactions, tmp_path / "home"
    files = write_county(tmp_path / "county")
    for path in files.values():
        out = creditnet(uri, home, "load", str(path), "-q")
        assert out.returncode == 0, out.stderr[-2000:]
    county = counts(uri, home)
    assert county["nodes"] and county["per_department"]

    with GraphDatabase.driver(uri) as driver:
        limit, _, _ = driver.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name = 'db.memory.transaction.max' RETURN value")
        assert limit[0]["value"] == "64.00MiB"
        department = driver.execute_query(
            "MATCH (d:Department)<-[:ISSUED_BY]-(:Record) RETURN d.name AS name LIMIT 1").records[0]["name"]
        for start in range(0, RECORDS, 1_000):   # each its own transaction, well inside the limit
            driver.execute_query(
                "MATCH (d:Department {name: $name}) UNWIND range($start, $start + 999) AS i "
                "CREATE (d)<-[:ISSUED_BY]-(:Record:Licence {number: 'SUPERNODE-' + i, kind: 'licence', "
                "props: '{\"status\": \"valid\"}'})", name=department, start=start)
        dense = driver.execute_query("MATCH (:Department {name: $name})<-[r]-() RETURN count(r) AS n",
                                     name=department).records[0]["n"]
        assert dense > RECORDS
        # Before the fix, the department went in the first batch of nodes (the loader creates it before the
        # records added here), with every one of its relationships: that alone does not fit the limit. (A session's
        # own statement, which the driver does not retry.)
        with driver.session() as s, pytest.raises(Exception, match="db.memory.transaction.max"):
            s.run("MATCH (d:Department {name: $name}) DETACH DELETE d", name=department).consume()

        out = creditnet(uri, home, "reset", "--yes")
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]

        left = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, count(*) AS n").records
        assert [(r["labels"], r["n"]) for r in left] == [(["CreditnetMeta"], 1)]
        meta = driver.execute_query("MATCH (m:CreditnetMeta) RETURN m.resetting AS resetting").records[0]
        assert meta["resetting"] is None      # the mark is gone: questions are answered again

    # The emptied store takes the county again, and holds what it held after the county's first load.
    for path in files.values():
        out = creditnet(uri, home, "load", str(path), "-q")
        assert out.returncode == 0, out.stderr[-2000:]
    assert counts(uri, home) == county


def counts(uri: str, home) -> dict:
    out = creditnet(uri, home, "stats", "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout)
    return {k: data[k] for k in ("nodes", "records", "per_department")}


def test_a_file_too_large_for_one_transaction_is_refused_whole_with_what_to_do(small_transactions, tmp_path,
                                                                               home, keys, monkeypatch):
    """One file is one transaction: a registry file the server's transaction memory cannot hold fails whole,
    and the clerk is told to split it or give the server more heap — not to "retry shortly", which Neo4j's
    own classification (a transient error) would have said, and which fails the same way every time. The same
    file sent to the API gets 413 `transaction_too_large`."""
    from graph import synthetic
    from graph import settings as settings_module

    uri = small_transactions
    out = creditnet(uri, home, "reset", "--yes")
    assert out.returncode == 0, out.stderr[-2000:]
    files = write_county(tmp_path / "county")
    out = creditnet(uri, home, "load", str(files["enterprise"]), "-q")
    assert out.returncode == 0, out.stderr[-2000:]
    before = counts(uri, home)

    # ~17 KB of transaction memory a registry row (README): 8,000 rows need ~130 MiB against 64.
    manifest = synthetic.generate(tmp_path / "province", enterprises=8_000, formats="csv", bad_rows=False)
    registry = manifest.files["enterprise"][0]
    out = creditnet(uri, home, "load", str(registry))
    assert out.returncode == 2, out.stdout[-2000:] + out.stderr[-2000:]   # a file not loaded (load's own code)
    said = " ".join((out.stdout + out.stderr).split())
    assert "事务内存不足" in said and "拆成" in said and "nothing was loaded" in said, said[-1500:]
    assert "retry shortly" not in said
    assert counts(uri, home) == before

    monkeypatch.setenv("CREDITNET_BACKEND", "neo4j")
    monkeypatch.setenv("CREDITNET_NEO4J_URI", uri)
    monkeypatch.setenv("CREDITNET_NEO4J_PASSWORD", "")
    settings_module.get_settings.cache_clear()
    with app_client() as client:
        r = client.post("/api/v1/records/enterprise", headers=auth(keys.admin),
                        files={"file": (registry.name, registry.read_bytes(), "text/csv")})
    assert r.status_code == 413, r.text[:1000]
    error = r.json()["error"]
    assert error["code"] == "transaction_too_large" and "拆成" in error["message"], error
    assert counts(uri, home) == before
