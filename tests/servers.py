"""Servers a test starts for itself: a `creditnet serve` subprocess (a free loopback port for it, waiting for its
health check, stopping it), and a Neo4j server of its own with settings the shared test server must not have."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest

import needs


def wait_for_health(proc: subprocess.Popen, base: str, seconds: float) -> None:
    """Return once GET /api/v1/health answers 200; fail the test if the server exits or is not ready in time."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            pytest.fail(f"creditnet serve exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"creditnet serve did not become ready in {seconds:.0f} s")
        time.sleep(0.1)


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, seconds: float = 10) -> None:
    """Terminate the server; kill it if it has not exited within `seconds`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def serving(env: Mapping[str, str], *options: str, seconds: float = 60):
    """`creditnet serve` on a free loopback port with `env`, once its health check answers: yields its base URL
    and stops it afterwards."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(port),
                             "--log-level", "warning", *options], env=dict(env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(proc, base, seconds)
        yield base
    finally:
        stop(proc)


REPO = Path(__file__).resolve().parents[1]


# What scripts/neo4j-local reads to size and open a server. A test's own server takes none of them from the
# environment it runs in: a developer's NEO4J_HEAP_INITIAL=3g beside the test's 512m heap stops the JVM
# ("Initial heap size set to a larger value than the maximum heap size"). The JDK, Maven and the start and stop
# time-outs are the machine's, not the server's: kept.
SERVER_SETTINGS = ("NEO4J_BOLT_PORT", "NEO4J_HTTP_PORT", "NEO4J_AUTH", "NEO4J_HEAP", "NEO4J_HEAP_INITIAL",
                   "NEO4J_PAGECACHE", "NEO4J_TX_STATE", "NEO4J_TX_TIMEOUT", "NEO4J_TX_MEMORY", "NEO4J_JAVA_OPTS")


def own_neo4j_env(inherited: Mapping[str, str], state: Path, settings: Mapping[str, str]) -> dict[str, str]:
    """The environment for scripts/neo4j-local to start a test's own small server in `state`: the inherited one
    without its server settings, fresh ports, no auth, a 512m heap, a 64m page cache, then the test's `settings`."""
    env = {k: v for k, v in inherited.items() if k not in SERVER_SETTINGS}
    return {**env, "CREDITNET_NEO4J_HOME": str(state), "NEO4J_BOLT_PORT": str(free_port()),
            "NEO4J_HTTP_PORT": str(free_port()), "NEO4J_AUTH": "none", "NEO4J_HEAP": "512m",
            "NEO4J_HEAP_INITIAL": "512m", "NEO4J_PAGECACHE": "64m", **settings}


@contextlib.contextmanager
def own_neo4j(state: Path, **settings: str):
    """A Neo4j server of the test's own, started by scripts/neo4j-local in `state` with the NEO4J_* `settings`
    (e.g. NEO4J_TX_TIMEOUT="4s"); yields its Bolt URI and stops it afterwards. Only where the shared test server
    runs too (the suite's Neo4j tests are on; the caller asks for the `neo4j_uri` fixture first, which starts it
    under scripts/test): a fresh machine's jars are resolved once, for that one."""
    if not os.environ.get("CREDITNET_TEST_NEO4J_URI"):
        needs.unavailable(needs.NEO4J, "Neo4j tests are off: set CREDITNET_TEST_NEO4J_URI (scripts/neo4j-local start)")
    shared = os.environ.get("CREDITNET_NEO4J_HOME")
    if shared and (Path(shared) / "lib").is_dir():
        (state / "lib").symlink_to(Path(shared) / "lib")     # the jars scripts/test's server already resolved
    env = own_neo4j_env(os.environ, state, settings)
    script = str(REPO / "scripts" / "neo4j-local")
    out = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=540)
    assert out.returncode == 0, out.stderr[-2000:]
    values = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    try:
        yield values["NEO4J_URI"]
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=300)
