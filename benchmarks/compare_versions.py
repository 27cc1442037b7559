"""Check latency of two versions of creditnet on the same county, interleaved: did a change make the check slower?

    python benchmarks/compare_versions.py --before ../creditnet-before --after . [--data benchmarks/.data/10000]

Each side is a source tree (for example a `git worktree` of the commit before a change). Each round runs each side
in a fresh Python process with that tree first on its path: it loads the county's files into an embedded store of
its own (once), checks every third enterprise once to warm up, then again timed, and prints the latencies. The
sides alternate, so that a slow moment of the machine falls on both. `--data` is a directory of the generator's
files (`python benchmarks/run.py --sizes 10000 --load-only` writes benchmarks/.data/10000).

`--neo4j URI` measures the Neo4j store instead: each run empties that server's database and loads the county
into it (the two versions' graphs may differ), so give it a server of its own, never one holding data you keep.

`--interleave` keeps one process of each side up and alternates them every 50 checks, round after round: on a
busy shared machine, where one run's median moves by 2× from minute to minute, only that falls on both sides
alike. With `--neo4j` the county is loaded once, by the after side (in a process of its own), and both sides
check that one graph: the before side must read what the after side writes (compare its verdicts with those of a run without
`--interleave`).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FILES = ("enterprise", "member", "license", "license-change", "penalty", "penalty-change", "inspection", "blacklist")

MEASURE = r"""
import json, os, sys, time
from datetime import date
from pathlib import Path
import csv
home, data, as_of, neo4j = Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3]), sys.argv[4]
# run: warm, time, print; serve: warm, then time the batches asked on stdin; keep: serve, no load; load: load only
mode = sys.argv[5]
os.environ["CREDITNET_HOME"] = str(home)
if neo4j:
    os.environ.update(CREDITNET_BACKEND="neo4j", CREDITNET_NEO4J_URI=neo4j)
from graph.settings import get_settings
from graph.stores import open_store
from graph.ingest import load_file
from graph.queries.check import check
store = open_store()
empty = store.data_version() == 0
if neo4j and mode != "keep":  # a reset moves the data version on (it never returns to 0): the emptied store is loaded again
    store.reset()
    empty = True
if empty and mode != "keep":
    for kind in %r:
        path = data / f"{kind}.csv"
        if path.exists():
            load_file(store, path, home=home)
if mode == "load":
    sys.exit()
with open(data / "enterprise.csv", encoding="utf-8-sig", newline="") as f:
    keys = sorted(row["统一社会信用代码"] for row in csv.DictReader(f) if row["统一社会信用代码"])[::3]
settings = get_settings()
verdicts = {}
for key in keys:
    verdict = check(store, key=key, as_of=as_of, settings=settings).verdict
    verdicts[verdict] = verdicts.get(verdict, 0) + 1
def timed(batch):
    times = []
    for key in batch:
        start = time.perf_counter()
        check(store, key=key, as_of=as_of, settings=settings)
        times.append((time.perf_counter() - start) * 1000)
    return times
if mode == "run":
    print(json.dumps({"times": timed(keys), "verdicts": verdicts}))
else:
    print(json.dumps({"checks": len(keys), "verdicts": verdicts}), flush=True)
    for line in sys.stdin:
        first, n = map(int, line.split())
        print(json.dumps(timed(keys[first:first + n])), flush=True)
""" % (FILES,)


def _loaded(tree: Path, verdicts: dict[str, int]) -> None:
    if not verdicts.get("restricted"):  # the county always plants restricted subjects
        raise SystemExit(f"{tree}: no check found a restricted subject ({verdicts}): was the county loaded?")


def _verdicts(verdicts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(verdicts.items()))


def run(tree: Path, home: Path, data: Path, as_of: str, neo4j: str = "") -> tuple[list[float], dict[str, int]]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(home), str(data), as_of, neo4j, "run"], cwd=tree,
                         check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    _loaded(tree, measured["verdicts"])
    return measured["times"], measured["verdicts"]


def interleaved(trees: dict[str, Path], tmp: Path, data: Path, as_of: str, neo4j: str, rounds: int,
                batch: int = 50) -> None:
    """Both sides up at once, alternating every `batch` checks (which side goes first alternates too)."""
    procs = {}
    if neo4j:  # loaded by the after side, in a process of its own: a process that loaded holds more to collect
        subprocess.run([sys.executable, "-c", MEASURE, str(tmp / "load"), str(data), as_of, neo4j, "load"],
                       cwd=trees["after"], check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(trees["after"])})
    for side in ("after", "before"):
        mode = "keep" if neo4j else "serve"
        procs[side] = subprocess.Popen([sys.executable, "-c", MEASURE, str(tmp / side), str(data), as_of, neo4j, mode],
                                       cwd=trees[side], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                       env={**os.environ, "PYTHONPATH": str(trees[side])})
        ready = json.loads(procs[side].stdout.readline())
        _loaded(trees[side], ready["verdicts"])
        print(f"{side:6} checks={ready['checks']} ({_verdicts(ready['verdicts'])})", flush=True)
    checks = ready["checks"]
    times: dict[str, list[float]] = {"before": [], "after": []}
    for n in range(1, rounds + 1):
        for first in range(0, checks, batch):
            for side in ("before", "after") if first // batch % 2 == 0 else ("after", "before"):
                procs[side].stdin.write(f"{first} {batch}\n")
                procs[side].stdin.flush()
                times[side] += json.loads(procs[side].stdout.readline())
        b, a = (times[side][-checks:] for side in ("before", "after"))
        print(f"round {n}: p50 before {quantile(b, 0.5):.3f} ms, after {quantile(a, 0.5):.3f} ms; p99 before "
              f"{quantile(b, 0.99):.3f}, after {quantile(a, 0.99):.3f}", flush=True)
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    before, after = quantile(times["before"], 0.5), quantile(times["after"], 0.5)
    print(f"p50 of every round: before {before:.3f} ms, after {after:.3f} ms, after/before {after / before:.2f}")


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="Source tree of the version before the change.")
    parser.add_argument("--after", type=Path, default=Path("."), help="Source tree of the version after it.")
    parser.add_argument("--data", type=Path, default=Path("benchmarks/.data/10000"), help="The generator's files.")
    parser.add_argument("--as-of", default="2026-07-01", help="The checks' date (the generator's reference date).")
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each side, alternating.")
    parser.add_argument("--neo4j", default="", metavar="URI",
                        help="Measure the Neo4j store at URI (its database is emptied and loaded by each run).")
    parser.add_argument("--interleave", action="store_true",
                        help="Keep both sides up and alternate them every 50 checks (a busy machine).")
    args = parser.parse_args()
    data = args.data.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        if args.interleave:
            interleaved({"before": args.before.resolve(), "after": args.after.resolve()}, Path(tmp), data, args.as_of,
                        args.neo4j, args.rounds)
            return
        p50s: dict[str, list[float]] = {"before": [], "after": []}
        for n in range(1, args.rounds + 1):
            for side, tree in (("before", args.before), ("after", args.after)):
                times, verdicts = run(tree.resolve(), Path(tmp) / side, data, args.as_of, args.neo4j)
                p50s[side].append(quantile(times, 0.5))
                print(f"round {n} {side:6} checks={len(times)} p50={quantile(times, 0.5):.3f} ms "
                      f"p90={quantile(times, 0.9):.3f} p99={quantile(times, 0.99):.3f} ({_verdicts(verdicts)})",
                      flush=True)
        before, after = statistics.median(p50s["before"]), statistics.median(p50s["after"])
        print(f"median p50: before {before:.3f} ms, after {after:.3f} ms, after/before {after / before:.2f}")


if __name__ == "__main__":
    main()
