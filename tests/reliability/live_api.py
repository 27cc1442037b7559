"""A real `creditnet serve` for the API security tests, and the list of the app's endpoints.

- `LiveServer`: the service in a subprocess on a free loopback port, over whatever store the environment
  names (the `store` fixture sets CREDITNET_HOME and the backend), its stdout and stderr written to files so
  that a test can read every line it logged.
- `app_endpoints(app)`: every (method, path template) the app routes, read from the app itself, so that a
  table keyed by endpoint fails when someone adds an endpoint without a row.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from servers import free_port, stop, wait_for_health
from reliability.helpers import REPO



class LiveServer:
    """`with LiveServer(logs_dir) as server:` → server.base, server.client (httpx), server.log_text()."""

    def __init__(self, logs: Path, log_level: str = "info", env: dict[str, str] | None = None, workers: int = 1):
        self.logs, self.log_level, self.workers = logs, log_level, workers
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.client: httpx.Client | None = None

    def __enter__(self) -> "LiveServer":
        self.logs.mkdir(parents=True, exist_ok=True)
        self._out = (self.logs / "stdout.log").open("wb")
        self._err = (self.logs / "stderr.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(self.port),
                                      "--log-level", self.log_level, "--workers", str(self.workers)],
                                     cwd=REPO, env=self.env,
                                     stdout=self._out, stderr=self._err)
        try:
            wait_for_health(_FileErr(self.proc, self.logs / "stderr.log"), self.base, 60)
        except BaseException:
            self.__exit__()
            raise
        self.client = httpx.Client(base_url=self.base, timeout=60)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.proc is not None:
            stop(self.proc, 15)
        self._out.close()
        self._err.close()

    def log_text(self) -> str:
        """Everything the server wrote: stdout, stderr, and any log file it made under its logs directory."""
        return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in sorted(self.logs.rglob("*")) if p.is_file())


class _FileErr:
    """What wait_for_health needs of a process (poll, stderr.read) when stderr goes to a file."""

    def __init__(self, proc: subprocess.Popen, path: Path):
        self._proc, self._path = proc, path
        self.stderr = self

    def poll(self):
        return self._proc.poll()

    def read(self) -> bytes:
        return self._path.read_bytes()


def app_endpoints(app) -> set[tuple[str, str]]:
    """(method, path) of every route of the app, HEAD left out (Starlette adds it to every GET).

    FastAPI ≥ 0.16x keeps included routers as `_IncludedRouter` entries whose routes are listed by
    `effective_route_contexts()`; older versions flatten them into `app.routes`. Both are read."""
    found: set[tuple[str, str]] = set()

    def add(route) -> None:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path))

    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                add(context)
        else:
            add(route)
    return found
