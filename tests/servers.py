"""A `creditnet serve` subprocess started by a test: a free loopback port for it, waiting for its health check,
stopping it."""
from __future__ import annotations

import socket
import subprocess
import time

import httpx
import pytest


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
