"""Four concurrent clients against a real `creditnet serve`: checks per second and latency percentiles.

The server runs as its own process on a free loopback port with CREDITNET_HOME pointing at the loaded
store; an admin account is made with `creditnet accounts add … --role admin --json`. Clients are threads
with keep-alive `http.client` connections (the lightest client the standard library has: on a 2-core
machine the load generator competes with the server for CPU, and that share is part of what is measured).
Anything that keeps the API from running (not installed, no such command, no answer) is reported as
skipped with the reason; the rest of the benchmark goes on.
"""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from benchmarks.measure import creditnet_command, run_creditnet
from benchmarks.stores import REPO, StoreSpec, free_port

ADMIN_DEPARTMENT = "县市场监督管理局"


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user and system) a process has used, from /proc/<pid>/stat; None when it cannot be read."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _listening_pid(port: int) -> int | None:
    """The process listening on a loopback TCP port (the Neo4j server behind a bolt URI), from /proc: the socket's
    inode in /proc/net/tcp*, then the process holding it. None when not found (another user's process, no /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                for line in list(f)[1:]:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(cols[9])
        except OSError:
            continue
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in {f"socket:[{i}]" for i in inodes}
                   for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"creditnet serve exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health")
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status == 200 and json.loads(body).get("ready"):
                return
            last = f"HTTP {resp.status}: {body[:200]!r}"
        except (OSError, http.client.HTTPException) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"creditnet serve not ready after {timeout:.0f} s ({last})")


def _client(port: int, key: str, bodies: list[bytes], start: int, stop_at: list[float], record_from: list[float],
            latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    i = start
    while True:
        body = bodies[i % len(bodies)]
        i += 1
        t0 = time.perf_counter()
        if t0 >= stop_at[0]:
            break
        try:
            conn.request("POST", "/api/v1/checks", body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            elapsed = time.perf_counter() - t0
            if resp.status != 200:
                errors.append(f"HTTP {resp.status}: {payload[:200]!r}")
                continue
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if t0 >= record_from[0]:
            latencies.append(elapsed)
    conn.close()


def run(spec: StoreSpec, subjects: list[str], as_of: str, depth: int = 3, clients: int = 4, seconds: float = 10,
        warmup_s: float = 2, ready_timeout: float = 300) -> dict:
    try:
        out = run_creditnet(spec, "accounts", "add", ADMIN_DEPARTMENT, "--role", "admin", "--json", timeout=120)
        key = json.loads(out.stdout)["key"]
    except Exception as exc:  # the API is written by someone else: report, do not stop the benchmark
        detail = getattr(exc, "stdout", "") or ""
        return {"skipped": f"could not make an account: {exc} {detail}"[:500]}
    port = free_port()
    log_path = Path(spec.home) / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([*creditnet_command(), "serve", "--port", str(port), "--log-level", "warning"],
                                env=spec.env(), stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        t_ready = time.perf_counter()
        try:
            _wait_ready(port, proc, ready_timeout)
        except RuntimeError as exc:
            tail = log_path.read_text(errors="replace")[-800:]
            return {"skipped": f"{exc}; log: {tail}"}
        ready_s = time.perf_counter() - t_ready
        bodies = [json.dumps({"key": k, "as_of": as_of, "depth": depth}).encode() for k in subjects]
        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors: list[list[str]] = [[] for _ in range(clients)]
        now = time.perf_counter()
        record_from, stop_at = [now + warmup_s], [now + warmup_s + seconds]
        threads = [threading.Thread(target=_client, args=(port, key, bodies, i * len(bodies) // clients, stop_at,
                                                          record_from, latencies[i], errors[i]), daemon=True)
                   for i in range(clients)]
        neo4j_pid = _listening_pid(urlparse(spec.neo4j.uri).port or 7687) if spec.neo4j is not None else None
        for t in threads:
            t.start()
        # CPU of each process over the measured seconds: what a check costs the server, Neo4j and the clients (this
        # process's threads; its main thread sleeps), and so how many checks the machine's cores could give at most.
        time.sleep(max(0.0, record_from[0] - time.perf_counter()))
        before = (_cpu_s(proc.pid), _cpu_s(neo4j_pid), time.process_time())
        time.sleep(max(0.0, stop_at[0] - time.perf_counter()))
        after = (_cpu_s(proc.pid), _cpu_s(neo4j_pid), time.process_time())
        for t in threads:
            t.join(seconds + warmup_s + 120)
        rss = _rss_mb(proc.pid)
        lat = sorted(x for xs in latencies for x in xs)
        errs = [e for es in errors for e in es]
        if not lat:
            return {"skipped": f"no successful check; errors: {errs[:3]}"}
        cpu_ms = {part: round((b - a) * 1e3 / len(lat), 2) for part, a, b in zip(("server", "neo4j", "clients"), before,
                                                                                 after) if a is not None and b is not None}
        cpu = {"cpu_ms_per_check": cpu_ms, "cores": os.cpu_count(),
               "cpu_bound_checks_per_s": round((os.cpu_count() or 1) * 1e3 / sum(cpu_ms.values()))}
        return {**cpu, "clients": clients, "seconds": seconds, "depth": depth, "checks": len(lat),
                "checks_per_s": round(len(lat) / seconds, 1), "p50_ms": round(_q(lat, 0.50) * 1e3, 2),
                "p99_ms": round(_q(lat, 0.99) * 1e3, 2), "max_ms": round(lat[-1] * 1e3, 2), "errors": len(errs),
                "error_examples": errs[:3], "server_rss_mb": rss, "ready_s": round(ready_s, 2)}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _q(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))]
