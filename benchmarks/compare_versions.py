"""Check latency of two versions of creditnet on the same county, interleaved: did a change make the check slower?

    python benchmarks/compare_versions.py --before ../creditnet-before --after . [--data benchmarks/.data/10000]

Each side is a source tree (for example a `git worktree` of the commit before a change). Each round runs each side
in a fresh Python process with that tree first on its path: it loads the county's files into an embedded store of
its own (once), checks every third enterprise once to warm up, then again timed, and prints the latencies. The
sides alternate, so that a slow moment of the machine falls on both. `--data` is a directory of the generator's
files (`python benchmarks/run.py --sizes 10000 --load-only` writes benchmarks/.data/10000).

`--neo4j URI` measures the Neo4j store instead: each run empties that server's database and loads the county
into it (the two versions' graphs may differ), so give it a server of its own, never one holding data you keep.
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
os.environ["CREDITNET_HOME"] = str(home)
if neo4j:
    os.environ.update(CREDITNET_BACKEND="neo4j", CREDITNET_NEO4J_URI=neo4j)
from graph.settings import get_settings
from graph.stores import open_store
from graph.ingest import load_file
from graph.queries.check import check
store = open_store()
empty = store.data_version() == 0
if neo4j:  # a reset moves the data version on (it never returns to 0): the emptied store is loaded again
    store.reset()
    empty = True
if empty:
    for kind in %r:
        path = data / f"{kind}.csv"
        if path.exists():
            load_file(store, path, home=home)
with open(data / "enterprise.csv", encoding="utf-8-sig", newline="") as f:
    keys = sorted(row["统一社会信用代码"] for row in csv.DictReader(f) if row["统一社会信用代码"])[::3]
settings = get_settings()
verdicts = {}
for key in keys:
    verdict = check(store, key=key, as_of=as_of, settings=settings).verdict
    verdicts[verdict] = verdicts.get(verdict, 0) + 1
times = []
for key in keys:
    start = time.perf_counter()
    check(store, key=key, as_of=as_of, settings=settings)
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"times": times, "verdicts": verdicts}))
""" % (FILES,)


def run(tree: Path, home: Path, data: Path, as_of: str, neo4j: str = "") -> tuple[list[float], dict[str, int]]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(home), str(data), as_of, neo4j], cwd=tree, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    if not measured["verdicts"].get("restricted"):  # the county always plants restricted subjects
        raise SystemExit(f"{tree}: no check found a restricted subject ({measured['verdicts']}): was the county loaded?")
    return measured["times"], measured["verdicts"]


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
    args = parser.parse_args()
    data = args.data.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        p50s: dict[str, list[float]] = {"before": [], "after": []}
        for n in range(1, args.rounds + 1):
            for side, tree in (("before", args.before), ("after", args.after)):
                times, verdicts = run(tree.resolve(), Path(tmp) / side, data, args.as_of, args.neo4j)
                p50s[side].append(quantile(times, 0.5))
                print(f"round {n} {side:6} checks={len(times)} p50={quantile(times, 0.5):.3f} ms "
                      f"p90={quantile(times, 0.9):.3f} p99={quantile(times, 0.99):.3f} "
                      f"({', '.join(f'{v} {k}' for k, v in sorted(verdicts.items()))})", flush=True)
        before, after = statistics.median(p50s["before"]), statistics.median(p50s["after"])
        print(f"median p50: before {before:.3f} ms, after {after:.3f} ms, after/before {after / before:.2f}")


if __name__ == "__main__":
    main()
