"""Waiting for a `creditnet serve` subprocess started by a test to answer its health check."""
from __future__ import annotations

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
