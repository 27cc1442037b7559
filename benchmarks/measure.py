"""Measurements through the real command line: `creditnet load` and `creditnet check` as subprocesses.

Peak memory of a load comes from wait4() on that very child: ru_maxrss is the largest resident size of the
child or of any process it waited for (the reader process of a large file's load), in KiB on Linux.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Iterator

from benchmarks.stores import REPO, StoreSpec


def rss_mb() -> float:
    """Resident size of this process now (VmRSS), in MiB."""
    return _status("VmRSS")


def peak_rss_mb() -> float:
    return _status("VmHWM")


def _status(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def creditnet_command() -> list[str]:
    """The installed console script beside this interpreter (not a pyenv shim, which adds its own start-up)."""
    beside = Path(sys.executable).parent / "creditnet"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("creditnet")
    if found:
        return [found]
    # Not installed: the same entry point the console script calls.
    return [sys.executable, "-c", "import sys; from cli.main import app; sys.argv[0] = 'creditnet'; app()"]


def run_creditnet(spec: StoreSpec, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run([*creditnet_command(), *args], env=spec.env(), capture_output=True, text=True,
                         timeout=timeout, cwd=REPO)
    if check and out.returncode != 0:
        raise RuntimeError(f"creditnet {' '.join(args[:2])} exited {out.returncode}: "
                           f"{(out.stderr.strip() or out.stdout.strip())[-2000:]}")
    return out


def fresh_store(spec: StoreSpec) -> float:
    """Empty the store before a load; returns the seconds it took (not counted in the load)."""
    t0 = time.perf_counter()
    # The home holds the embedded store, or for Neo4j the accounts, audit trail and rejects: start it afresh.
    if spec.home.exists():
        shutil.rmtree(spec.home)
    spec.home.mkdir(parents=True)
    if spec.backend == "neo4j":
        run_creditnet(spec, "reset", "--yes", timeout=3600)
    return time.perf_counter() - t0


def load_reports(lines: Iterable[str]) -> Iterator[list]:
    """For each line `load --json` prints, the objects it completed: one object per file, a summary on one line or
    a failed file's error printed over several lines (so a line may complete none)."""
    decoder, pending = json.JSONDecoder(), ""
    for line in lines:
        pending += line
        done = []
        while pending.strip():
            try:
                row, end = decoder.raw_decode(pending.lstrip())
            except json.JSONDecodeError:
                break
            pending = pending.lstrip()[end:]
            done.append(row)
        yield done


def load(spec: StoreSpec, files: list[Path], timeout: float = 7200, stop_at_last_file: bool = False) -> dict:
    """`creditnet load -q --json <files>`: wall time, rows/s, peak RSS, and the time of each file.

    `stop_at_last_file`: stop the command once every file has reported, before the follow-up supervision pass that
    then gives every licence holder its first answer (its transaction is rolled back; the home is the run's own).
    On the dense county that pass is a check of every licence holder through nominees and groups, and takes longer
    than the load; benchmarks/bulk.py stops it the same way. The load's time is then to its last report."""
    proc = subprocess.Popen([*creditnet_command(), "load", "-q", "--json", *map(str, files)], env=spec.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    t0 = time.perf_counter()
    last = t0
    per_file = []
    deadline = t0 + timeout
    for reports in load_reports(proc.stdout):
        now = time.perf_counter()
        for row in reports:
            if isinstance(row, dict):
                row["seconds"] = round(now - last, 3)
                last = now
                per_file.append(row)
        if stop_at_last_file and len(per_file) == len(files):
            proc.terminate()
            break
        if now > deadline:
            proc.kill()
            break
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (last if stop_at_last_file else time.perf_counter()) - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stop_at_last_file and len(per_file) == len(files) and proc.returncode < 0:
        proc.returncode = 0  # stopped by us, after its last file: not a failure
    stderr = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    rows = sum(r.get("rows", 0) for r in per_file)
    return {"exit_code": proc.returncode, "wall_s": round(wall, 3), "rows": rows,
            "loaded": sum(r.get("loaded", 0) for r in per_file),
            "rejected": sum(r.get("rejected", 0) for r in per_file),
            "rows_per_s": round(rows / wall, 1) if wall else None,
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "files": [{k: r.get(k) for k in ("file", "kind", "rows", "loaded", "rejected", "seconds", "error")}
                      for r in per_file],
            "failed_files": [f"{Path(r['file']).name}: {r['error'].get('message', r['error'])}"[:400]
                             for r in per_file if isinstance(r.get("error"), dict)],
            "stderr": stderr.strip()[-1000:] if proc.returncode else ""}


def cli_check(spec: StoreSpec, key: str, as_of: str, repeats: int = 5) -> dict:
    """Wall time of `creditnet check KEY --json`, start-up included: one untimed run, then the median of `repeats`."""
    args = ("check", key, "--json", "--as-of", as_of)
    first = run_creditnet(spec, *args)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_creditnet(spec, *args)
        times.append(time.perf_counter() - t0)
    verdict = json.loads(first.stdout).get("verdict")
    return {"key": key, "verdict": verdict, "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3), "max_s": round(max(times), 3), "repeats": repeats}


def startup(spec: StoreSpec, repeats: int = 5) -> dict:
    """`creditnet --help`: the interpreter and CLI start-up alone, to read the check's own share."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_creditnet(spec, "--help")
        times.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(times), 3)}
