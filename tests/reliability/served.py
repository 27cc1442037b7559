"""`creditnet serve` in a subprocess on a free loopback port, for the reliability tests that need the real
service: its store's backend and address given, its log in a file (a pipe nobody reads would stop the server
once 64 KB of warnings filled it)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reliability.helpers import REPO
from servers import free_port, stop



class Served:
    def __init__(self, home: Path, backend: str, neo4j_uri: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
        if neo4j_uri:
            env["CREDITNET_NEO4J_URI"] = neo4j_uri
        self.log = home.parent / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            # `-c`: under `-m cli.main` the module runs as __main__ and the service commands register elsewhere.
            self.proc = subprocess.Popen([sys.executable, "-c", "from cli.main import app; app()", "serve",
                                          "--port", str(self.port), "--log-level", "warning"],
                                         env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
        self.client = httpx.Client(base_url=self.base, timeout=60)

    def wait_listening(self, seconds: float = 30) -> httpx.Response:
        """The first answer to GET /health, whatever it says."""
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"creditnet serve exited: {self.log.read_text(errors='replace')}")
            try:
                return self.client.get("/api/v1/health")
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"creditnet serve did not listen in {seconds:.0f} s")
                time.sleep(0.1)

    def wait_ready(self, seconds: float) -> float:
        """Seconds until GET /health says ready; fails the test after `seconds`."""
        start = time.monotonic()
        self.wait_listening(seconds)
        while True:
            r = self.client.get("/api/v1/health")
            if r.status_code == 200 and r.json()["ready"]:
                return time.monotonic() - start
            if time.monotonic() - start > seconds:
                pytest.fail(f"the service was not ready in {seconds:.0f} s: {r.status_code} {r.text}")
            time.sleep(0.2)

    def call(self, method: str, request: dict) -> tuple[httpx.Response, float]:
        start = time.monotonic()
        r = self.client.request(method, **request)
        return r, time.monotonic() - start

    def stop(self) -> None:
        self.client.close()
        stop(self.proc)
