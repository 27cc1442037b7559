"""A file too large for one Neo4j transaction loads in parts, and is seen whole or not at all.

Neo4j commits a file of more than `neo4j_rows_per_transaction` rows every that many rows, under a mark on the meta
node that refuses questions and other loads until its last commit (graph/stores/neo4j/large_files.py). Here the
threshold is 1,000 rows (one read batch), so a synthetic county's files go in several parts: the answers and
counts must be those of a one-transaction load; a server whose transaction memory refuses a file whole must take it
in parts; and a `creditnet load` killed after its first part must leave nothing of the file visible — questions and
other loads refused, the data version where it was — until the same file is loaded again.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from graph.errors import StoreBusy, TransactionTooLarge
from graph.ingest import load_file
from graph.settings import Settings
from graph.stores import open_store
from graph.synthetic import generate
from reliability.helpers import REPO, answers_digest, cli_env, creditnet, snapshot
from servers import own_neo4j

ROWS_PER_PART = 1000


@pytest.fixture(scope="module")
def counties(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("large-files")
    small = generate(root / "small", enterprises=1500, formats="csv", seed=11)
    big = generate(root / "big", enterprises=8000, formats="csv", seed=12)
    return {"files": [p for paths in small.files.values() for p in paths],
            "keys": [s["key"] for s in small.scenarios.values()] + [s["key"] for s in big.scenarios.values()][:10],
            "as_of": date.fromisoformat(small.reference_date),
            "registry": big.files["enterprise"][0], "members": big.files["member"][0]}


def state(store, keys: list[str], as_of: date) -> tuple:
    snap = snapshot(store)
    return snap["nodes"], snap["records"], snap["per_department"], answers_digest(store, keys, as_of)


def in_parts(store, rows: int) -> list[int]:
    """The store set to commit every `rows` rows; the list it returns grows by one at each part committed."""
    committed: list[int] = []
    if store.name == "neo4j":
        store.settings = store.settings.model_copy(update={"neo4j_rows_per_transaction": rows})
        commit_part = store._commit_part

        def counted(*args):
            committed.append(1)
            return commit_part(*args)
        store._commit_part = counted
    return committed


def test_a_file_in_parts_gives_the_answers_of_one_transaction(store, home, counties):
    keys, as_of = counties["keys"], counties["as_of"]
    v0 = store.data_version()
    for path in counties["files"]:
        load_file(store, path, home=home, as_of=as_of)
    whole, whole_versions = state(store, keys, as_of), store.data_version() - v0

    store.reset()
    parts = in_parts(store, ROWS_PER_PART)
    v0 = store.data_version()
    for path in counties["files"]:
        load_file(store, path, home=home, as_of=as_of)
    assert state(store, keys, as_of) == whole
    assert store.data_version() - v0 == whole_versions   # one version per file, however many parts
    if store.name == "neo4j":
        assert len(parts) >= 3
        with store.driver.session(database=store.database) as s:
            meta = s.run("MATCH (m:CreditnetMeta) RETURN properties(m) AS p").single()["p"]
        assert not any(k.startswith("loading_") for k in meta)
    # Loaded again in parts: a file sent twice changes nothing the second time.
    version = store.data_version()
    report = load_file(store, counties["files"][0], home=home, as_of=as_of)
    assert state(store, keys, as_of) == whole
    assert report.rows > ROWS_PER_PART and store.data_version() == version


@pytest.mark.slow
@pytest.mark.neo4j
@pytest.mark.timeout(900, method="thread")
def test_a_file_too_large_for_one_transaction_loads_in_parts(neo4j_uri, tmp_path, counties):
    (tmp_path / "server").mkdir()
    with own_neo4j(tmp_path / "server", NEO4J_TX_MEMORY="24m") as uri:
        settings = Settings(home=tmp_path / "home", backend="neo4j", neo4j_uri=uri, neo4j_password="")
        with open_store(settings) as store:
            with pytest.raises(TransactionTooLarge):
                load_file(store, counties["registry"], home=settings.home)
            assert store.data_version() == 0 and store.load_history() == []
            parts = in_parts(store, ROWS_PER_PART)
            report = load_file(store, counties["registry"], home=settings.home)
            assert report.loaded > 5 * ROWS_PER_PART and len(parts) >= 5
            assert store.data_version() == 1 and len(store.load_history()) == 1
            assert sum(snapshot(store)["nodes"].values()) >= report.loaded


def _meta(store) -> dict:
    with store.driver.session(database=store.database) as s:
        return s.run("MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN properties(m) AS p").single()["p"]


@pytest.mark.slow
@pytest.mark.neo4j
@pytest.mark.timeout(900, method="thread")
def test_sigkill_after_a_part_leaves_none_of_the_file_visible_and_a_rerun_completes(neo4j_uri, tmp_path, counties):
    home = tmp_path / "home"
    settings = Settings(home=home, backend="neo4j", neo4j_uri=neo4j_uri, neo4j_password="")
    env = {**cli_env(home, "neo4j", neo4j_uri), "CREDITNET_NEO4J_PASSWORD": "",
           "CREDITNET_NEO4J_ROWS_PER_TRANSACTION": str(ROWS_PER_PART)}
    keys, as_of, target = counties["keys"], counties["as_of"], counties["registry"]

    def prepare(store) -> int:
        store.reset()
        for path in counties["files"]:
            load_file(store, path, home=home, as_of=as_of)
        return store.data_version()

    with open_store(settings) as store:
        prepare(store)
        before = state(store, keys, as_of)
        assert creditnet("load", "-q", str(target), env=env).returncode == 0
        after = state(store, keys, as_of)
        assert after != before

        v0 = prepare(store)
        proc = subprocess.Popen([sys.executable, "-m", "cli.main", "load", "-q", str(target)], env=env, cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 300
        while "loading_id" not in _meta(store):     # the first part is committed with the mark
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)         # the load and the child reading its file: a group of its own
        proc.wait()
        proc.stderr.close()

        assert _meta(store)["loading_file"] == target.name
        assert store.data_version() == v0
        with pytest.raises(StoreBusy, match=f"正在导入大文件 {target.name}"):
            store.read(lambda r: r.enterprise_by_code(keys[0], "uscc"))
        checked = creditnet("check", keys[0], "--as-of", as_of.isoformat(), "--json", env=env)
        assert checked.returncode != 0 and "重新导入同一文件" in checked.stdout + checked.stderr
        with pytest.raises(StoreBusy, match=f"请先重新导入同一文件 {target.name}"):
            load_file(store, counties["members"], home=home, as_of=as_of)
        assert store.data_version() == v0

        again = creditnet("load", "-q", str(target), env=env)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "loading_id" not in _meta(store)
        assert store.data_version() == v0 + 1
        assert state(store, keys, as_of) == after
