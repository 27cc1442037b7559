"""Follow-up supervision's benchmark: how fast a load's alerts are derived, against re-checking every watched subject
in the same run, and how fast a full re-screen goes.

On the synthetic county of --size enterprises (benchmarks/data.py, seed 7, as of its reference date 2026-07-01),
with every enterprise watched by at least one department (the licensees of each licensing department, and every
enterprise on one of five departments' own lists, in turn):

1. the county is loaded (as `creditnet load` does, without a pass of alerts);
2. the first pass gives every watched subject its first answer (`first`);
3. `alerts refresh --full`: every watched subject checked again and compared (`rescreen`; subjects/s);
4. a file of --listings new listings (县法院, 失信被执行人, in force on the day) of enterprises drawn at random is
   loaded (`load`), and the pass after it derives the alerts incrementally (`incremental`), from the parties the
   file named, walking back as far as a check reaches;
5. the baseline, on a copy of supervision.sqlite taken just before step 4's pass: the same change derived by
   re-checking every watched subject (`baseline_full`). Both passes must record the same alerts (department and
   subject), and every enterprise listed must have one.

    python benchmarks/alerts.py --size 100000 --backends embedded,neo4j [--listings 10000] [--json out.json]

Neo4j comes from --neo4j-uri, CREDITNET_BENCH_NEO4J_URI or CREDITNET_TEST_NEO4J_URI (its database is emptied), or
is started with scripts/neo4j-local (benchmarks/stores.py).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import data  # noqa: E402
from benchmarks.measure import peak_rss_mb  # noqa: E402
from benchmarks.stores import Neo4jTarget, StoreSpec, find_neo4j, open_store, settings_for, stop_neo4j  # noqa: E402

OWN_LISTS = ("县财政局", "县发改局", "县卫计局", "县住建局", "县农牧局")
# name: (target, True when the measure must be at most the target, False when at least)
TARGETS = {"load_and_alerts_s": (60.0, True), "incremental_speedup": (20.0, False), "rescreen_per_s": (3000.0, False)}


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def enterprises(m) -> list[tuple[str, str]]:
    """(code, name) of every registered enterprise, in file order."""
    out = []
    for path in m.files["enterprise"]:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                code = (row.get("统一社会信用代码") or "").strip()
                if code:
                    out.append((code, row.get("企业名称") or ""))
    return out


def write_listings(path: Path, chosen: list[tuple[str, str]]) -> Path:
    headers = ["序号", "统一社会信用代码（企业注册号）", "企业名称", "限制法律依据", "法律描述", "限制期限自", "限制期限至",
               "信息发送部门名称", "信息接收部门名称", "信息类型", "人员类别", "姓名", "证件类型", "证件号码"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for i, (code, name) in enumerate(chosen, 1):
            w.writerow([i, code, name, "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", "拒不履行生效法律文书",
                        "2026-06-01", "", "县法院", "县财政局", "失信被执行人", "", "", "", ""])
    return path


def load_county(store, files: list[Path], home: Path) -> dict:
    from graph.ingest import load_file
    from graph.loaders.read_ahead import ReadAhead
    t0 = time.perf_counter()
    rows = 0
    with ReadAhead(files, None, store.row_preparer) as ahead:
        for path in files:
            rows += load_file(store, path, home=home, ahead=ahead).rows
    return {"rows": rows, "seconds": round(time.perf_counter() - t0, 2)}


def watch_everyone(home: Path, codes: list[str]) -> dict:
    """Every enterprise on one of the five departments' own lists, in turn (the real path: each code validated)."""
    from graph.supervision.db import SupervisionDB
    from graph.supervision.watch import add_codes
    t0 = time.perf_counter()
    added = 0
    with SupervisionDB(home) as db:
        for i, department in enumerate(OWN_LISTS):
            added += add_codes(db, department, codes[i::len(OWN_LISTS)]).added
    return {"added": added, "seconds": round(time.perf_counter() - t0, 2)}


def cpu_seconds() -> float:
    """CPU time of this process and of the worker processes it has waited for (a pass's pool is joined at its
    end). On a shared machine busier than its cores, CPU seconds say what the work costs; wall seconds also say
    how long it waited for a core."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed_pass(store, home: Path, settings, as_of, **kw) -> tuple[dict, float]:
    from graph.supervision.alerts import derive
    from graph.supervision.db import SupervisionDB
    with SupervisionDB(home) as db:
        t0, c0 = time.perf_counter(), cpu_seconds()
        report = derive(store, db, settings, as_of=as_of, **kw)
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {**report.as_dict(), "cpu_s": cpu}, seconds


def reopened(store, spec: dict):
    """The store opened afresh: a full pass is timed as `alerts refresh --full` runs, in a new process that has
    read nothing yet (the embedded store keeps what a pass read for as long as the data version stands)."""
    store.close()
    return open_store(spec)


def alerted(home: Path, ids: list[int]) -> set[tuple[str, str, str]]:
    with sqlite3.connect(home / "supervision.sqlite") as conn:
        rows = conn.execute(f"SELECT department, party_kind, party_key FROM alert WHERE id IN "
                            f"({','.join(map(str, ids)) or 'NULL'})").fetchall()
    return {tuple(r) for r in rows}


def snapshot(home: Path, into: Path) -> None:
    """A consistent copy of supervision.sqlite (the WAL folded in first)."""
    with sqlite3.connect(home / "supervision.sqlite") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    into.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(home / "supervision.sqlite", into / "supervision.sqlite")


def _summary(report: dict, seconds: float) -> dict:
    return {"seconds": round(seconds, 3), "cpu_s": round(report["cpu_s"], 3), "mode": report["mode"],
            "watched": report["watched"], "rechecked": report["rechecked"], "alerts": report["alerts"],
            "per_s": round(report["rechecked"] / seconds, 1) if seconds else None,
            "per_cpu_s": round(report["rechecked"] / report["cpu_s"], 1) if report["cpu_s"] else None}


def run_backend(backend: str, size: int, listings: int, work: Path, neo4j: Neo4jTarget | None, data_dir: Path,
                rescreen: bool = True) -> dict:
    m = data.dataset(size, root=data_dir, log=log)
    home = work / f"{backend}-{size}"
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    spec = StoreSpec(backend, home, neo4j).as_json()
    settings = settings_for(spec)
    as_of = data.REFERENCE_DATE
    out: dict = {"backend": backend, "size": size, "listings": listings}
    store = open_store(spec)
    try:
        if backend == "neo4j":
            store.reset()
        files = data.split_files(m, 100_000 if backend == "neo4j" and size >= 1_000_000 else 0)
        log(f"{backend} {size:,}: loading the county ({data.total_rows(m):,} rows)")
        out["county_load"] = load_county(store, files, home)
        everyone = enterprises(m)
        out["watch"] = watch_everyone(home, [code for code, _ in everyone])
        log(f"{backend} {size:,}: first answers for every watched subject")
        report, seconds = timed_pass(store, home, settings, as_of)
        out["first"] = _summary(report, seconds)
        log(f"  {out['first']}")
        if rescreen:
            log(f"{backend} {size:,}: full re-screen (alerts refresh --full)")
            store = reopened(store, spec)
            report, seconds = timed_pass(store, home, settings, as_of, full=True, cause="refresh")
            out["rescreen"] = _summary(report, seconds)
            log(f"  {out['rescreen']}")
        chosen = random.Random(data.SEED).sample(everyone, min(listings, len(everyone)))
        path = write_listings(work / f"listings-{size}.csv", chosen)
        from graph.ingest import load_file
        t0 = time.perf_counter()
        loaded = load_file(store, path, home=home)
        out["load"] = {"rows": loaded.rows, "loaded": loaded.loaded, "seconds": round(time.perf_counter() - t0, 3)}
        log(f"{backend} {size:,}: loaded {listings:,} listings in {out['load']['seconds']} s; incremental pass")
        baseline_home = work / f"{backend}-{size}-baseline"
        snapshot(home, baseline_home)
        report, seconds = timed_pass(store, home, settings, as_of)
        out["incremental"] = _summary(report, seconds)
        incremental = alerted(home, report["alert_ids"])
        log(f"  {out['incremental']}")
        log(f"{backend} {size:,}: baseline: the same change, every watched subject checked again")
        store = reopened(store, spec)
        report, seconds = timed_pass(store, baseline_home, settings, as_of, full=True)
        out["baseline_full"] = _summary(report, seconds)
        full = alerted(baseline_home, report["alert_ids"])
        log(f"  {out['baseline_full']}")
        shutil.rmtree(baseline_home)
        listed = {code for code, _ in chosen}
        out["check"] = {"same_alerts": incremental == full, "only_incremental": len(incremental - full),
                        "only_full": len(full - incremental),
                        "listed_without_alert": len(listed - {key for _, _, key in incremental}),
                        # how many of the subjects re-checked did change: the most an incremental pass can skip
                        "subjects_alerted": len({(kind, key) for _, kind, key in incremental})}
        total = out["load"]["seconds"] + out["incremental"]["seconds"]
        out["ratios"] = {"load_and_alerts_s": round(total, 3),
                         "incremental_speedup": round(out["baseline_full"]["seconds"] / out["incremental"]["seconds"], 1),
                         "rescreen_per_s": out["rescreen"]["per_s"] if rescreen else None}
        # On a machine shared with other work, wall seconds also count the waits for a core; CPU seconds (this
        # process and its workers) say what the work costs.
        out["cpu_ratios"] = {"incremental_speedup": round(out["baseline_full"]["cpu_s"] / out["incremental"]["cpu_s"], 1),
                             "rescreen_per_cpu_s": out["rescreen"]["per_cpu_s"] if rescreen else None,
                             "listed_share": round(len(chosen) / size, 4),
                             "rechecked_share": round(out["incremental"]["rechecked"] / out["incremental"]["watched"], 4)}
        out["targets"] = {name: {"target": TARGETS[name][0], "measured": value,
                                 "met": value <= TARGETS[name][0] if TARGETS[name][1] else value >= TARGETS[name][0]}
                          for name, value in out["ratios"].items() if value is not None}
        out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    finally:
        store.close()
    return out


def machine() -> dict:
    return {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "host": platform.node(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=100_000, help="Enterprises in the synthetic county (default 100,000).")
    p.add_argument("--backends", default="embedded", help="embedded, neo4j (comma-separated; default embedded).")
    p.add_argument("--listings", type=int, default=10_000, help="New listings in the measured load (default 10,000).")
    p.add_argument("--json", dest="json_out", type=Path, help="Write the results here.")
    p.add_argument("--neo4j-uri", help="Neo4j to use (its database is emptied).")
    p.add_argument("--data-dir", type=Path, default=data.DATA_ROOT, help="Cache of generated counties.")
    p.add_argument("--no-rescreen", action="store_true", help="Leave out step 3 (the full re-screen).")
    p.add_argument("--work-dir", type=Path, help="Where the stores go (default a temporary directory, removed).")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    backends = [b.strip() for b in cfg.backends.split(",") if b.strip()]
    results: dict = {"meta": machine(), "config": {"size": cfg.size, "backends": backends, "listings": cfg.listings,
                                                   "command": " ".join(["python", "benchmarks/alerts.py", *(argv or sys.argv[1:])])},
                     "stores": {}}
    neo4j = find_neo4j(cfg.neo4j_uri, log=log) if "neo4j" in backends else None
    work = cfg.work_dir or Path(tempfile.mkdtemp(prefix="creditnet-alerts-"))
    try:
        for backend in backends:
            results["stores"][backend] = run_backend(backend, cfg.size, cfg.listings, work, neo4j, cfg.data_dir,
                                                     not cfg.no_rescreen)
            if cfg.json_out:
                cfg.json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        if neo4j is not None:
            stop_neo4j(neo4j)
        if cfg.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    for backend, r in results["stores"].items():
        print(f"{backend} {cfg.size:,}: " + "; ".join(f"{k} {v['measured']} (target {v['target']}: "
                                                      f"{'met' if v['met'] else 'NOT MET'})"
                                                      for k, v in r["targets"].items())
              + f"; same alerts as the full pass: {r['check']['same_alerts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
