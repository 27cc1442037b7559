"""A client that vanishes in the middle of a transaction does not hold its locks for ever.

A loader whose machine loses power (or whose network is partitioned) leaves its transaction open on the
server, with the locks of everything it wrote; the server cannot tell that client from one that is merely
slow, and without a transaction timeout the next load waits behind it indefinitely (RELIABILITY.md saw
62,862 locks held for 12 minutes). scripts/neo4j-local and deploy/neo4j.env.example therefore set
`db.transaction.timeout`. This test starts its own server with scripts/neo4j-local and a short timeout
(the shared test server keeps the one-hour default), leaves a writing transaction idle as a vanished client
would, and checks that a second writer gets the lock once the server has ended the first.
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from servers import own_neo4j

pytestmark = [pytest.mark.slow, pytest.mark.neo4j, pytest.mark.timeout(600, method="thread")]

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 4


@pytest.fixture(scope="module")
def short_timeout_server(tmp_path_factory, neo4j_uri):
    with own_neo4j(tmp_path_factory.mktemp("neo4j-tx-timeout"), NEO4J_TX_TIMEOUT=f"{TIMEOUT_S}s") as uri:
        yield uri


def test_neo4j_local_rejects_a_timeout_of_zero(tmp_path):
    """Zero would mean 'never': exactly what the setting is there to prevent."""
    env = {**os.environ, "CREDITNET_NEO4J_HOME": str(tmp_path), "NEO4J_TX_TIMEOUT": "0s"}
    out = subprocess.run([str(REPO / "scripts" / "neo4j-local"), "start"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and "NEO4J_TX_TIMEOUT" in out.stderr


def test_an_abandoned_write_transaction_is_ended_and_its_locks_freed(short_timeout_server):
    from neo4j import GraphDatabase

    with GraphDatabase.driver(short_timeout_server) as vanished, GraphDatabase.driver(short_timeout_server) as next_:
        next_.execute_query("MERGE (:TimeoutProbe {key: 1})")
        settings, _, _ = next_.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name = 'db.transaction.timeout' RETURN value")
        assert settings[0]["value"] == f"{TIMEOUT_S}s"

        session = vanished.session()
        tx = session.begin_transaction()                  # no timeout of its own, like a load's transaction
        tx.run("MATCH (p:TimeoutProbe {key: 1}) SET p.by = 'vanished'").consume()   # holds the node's lock
        # ... and is never heard from again: no commit, no rollback, the connection left open.

        started = time.monotonic()
        with next_.session() as s:
            # A timeout of its own far above the server's: only the server ending the first one can free it.
            with s.begin_transaction(timeout=120) as second:
                second.run("MATCH (p:TimeoutProbe {key: 1}) SET p.by = 'next load'").consume()
                second.commit()
        waited = time.monotonic() - started

        records, _, _ = next_.execute_query("MATCH (p:TimeoutProbe {key: 1}) RETURN p.by AS by")
        assert records[0]["by"] == "next load"
        assert waited >= TIMEOUT_S - 1.5, f"the second writer did not wait for the first ({waited:.1f} s)"
        assert waited < 60, f"the abandoned transaction held its lock for {waited:.0f} s"
        try:
            session.close()
        except Exception:                                 # the server already ended it; nothing to give back
            pass
