"""Which store a benchmark talks to: the environment of a `creditnet` subprocess, and the store opened in-process.

Neo4j comes from --neo4j-uri, CREDITNET_BENCH_NEO4J_URI or CREDITNET_TEST_NEO4J_URI; with none of them set,
a local server is started with scripts/neo4j-local on free ports (as scripts/test does) and stopped at the end.
"""
from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BACKENDS = ("embedded", "neo4j")


@dataclass
class Neo4jTarget:
    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str = "neo4j"
    started_home: str | None = None  # set when this run started the server (and must stop it)


@dataclass
class StoreSpec:
    """One store under test at one size."""
    backend: str
    home: Path                       # CREDITNET_HOME: the embedded store, or the Neo4j run's audit/accounts/rejects
    neo4j: Neo4jTarget | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDITNET_")}
        env.update({"CREDITNET_HOME": str(self.home), "CREDITNET_BACKEND": self.backend,
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))})
        if self.backend == "neo4j":
            assert self.neo4j is not None
            env.update({"CREDITNET_NEO4J_URI": self.neo4j.uri, "CREDITNET_NEO4J_USER": self.neo4j.user,
                        "CREDITNET_NEO4J_PASSWORD": self.neo4j.password,
                        "CREDITNET_NEO4J_DATABASE": self.neo4j.database})
        env.update(self.extra_env)
        return env

    def as_json(self) -> dict:
        return {"backend": self.backend, "home": str(self.home),
                "neo4j": None if self.neo4j is None else {"uri": self.neo4j.uri, "user": self.neo4j.user,
                                                         "password": self.neo4j.password,
                                                         "database": self.neo4j.database}}


def settings_for(spec: dict):
    """Settings for a store described by StoreSpec.as_json() (used inside worker processes)."""
    from graph.settings import Settings
    kw = {"home": Path(spec["home"]), "backend": spec["backend"]}
    if spec.get("neo4j"):
        n = spec["neo4j"]
        kw.update(neo4j_uri=n["uri"], neo4j_user=n["user"], neo4j_password=n["password"], neo4j_database=n["database"])
    return Settings(**kw)


def open_store(spec: dict):
    from graph.stores import open_store as factory
    return factory(settings_for(spec))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_neo4j(uri: str | None, log=print, pagecache: str | None = None) -> Neo4jTarget:
    """The Neo4j to measure: the one configured, else a server started with scripts/neo4j-local (its page cache
    `pagecache` unless NEO4J_PAGECACHE is set; the script's default otherwise)."""
    uri = uri or os.environ.get("CREDITNET_BENCH_NEO4J_URI") or os.environ.get("CREDITNET_TEST_NEO4J_URI")
    if uri:
        user = os.environ.get("CREDITNET_BENCH_NEO4J_USER") or os.environ.get("CREDITNET_TEST_NEO4J_USER") or "neo4j"
        password = os.environ.get("CREDITNET_BENCH_NEO4J_PASSWORD") or \
            os.environ.get("CREDITNET_TEST_NEO4J_PASSWORD") or ""
        return Neo4jTarget(uri, user, password)
    home = os.environ.get("CREDITNET_BENCH_NEO4J_HOME") or str(Path(tempfile.gettempdir()) / "creditnet-bench-neo4j")
    env = {**os.environ, "CREDITNET_NEO4J_HOME": home, "NEO4J_BOLT_PORT": str(free_port()),
           "NEO4J_HTTP_PORT": str(free_port()), "NEO4J_AUTH": "none"}
    # The whole heap from the start, as a server that loads should run (deploy/neo4j.env.example): a heap that
    # grows from 512m during the measured load costs the server CPU in collections (docs/performance.md).
    env.setdefault("NEO4J_HEAP_INITIAL", env.get("NEO4J_HEAP", "3g"))
    if pagecache:
        env.setdefault("NEO4J_PAGECACHE", pagecache)
    script = str(REPO / "scripts" / "neo4j-local")
    # The server is the benchmark's own, and each size starts from an empty store: what an earlier run left in it
    # is deleted with its files (a province's 4.3 GB store took 5 minutes to empty through Cypher), unless a
    # server runs there (another run's, which is left alone). `status` exits 3 only when no process runs.
    if subprocess.run([script, "status"], env=env, capture_output=True, timeout=60).returncode == 3:
        log(f"  no server runs in {home}: deleting the data an earlier run may have left there")
        subprocess.run([script, "reset"], env=env, capture_output=True, text=True, timeout=300, check=True)
    log(f"  no Neo4j configured: starting scripts/neo4j-local in {home}")
    out = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"scripts/neo4j-local start failed: {out.stderr.strip()[-2000:]}")
    values = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    return Neo4jTarget(values["NEO4J_URI"], values.get("NEO4J_USER") or "neo4j", values.get("NEO4J_PASSWORD") or "",
                       started_home=home)


def stop_neo4j(target: Neo4jTarget) -> None:
    if target.started_home:
        subprocess.run([str(REPO / "scripts" / "neo4j-local"), "stop"], capture_output=True, timeout=300,
                       env={**os.environ, "CREDITNET_NEO4J_HOME": target.started_home})
