"""A province's first load into Neo4j: `creditnet load --bulk` (neo4j-admin's importer) against `creditnet load`
(Bolt transactions), on the same synthetic county, server and run, end to end including validation.

    python benchmarks/bulk.py --sizes 100000,1000000 [--neo4j-home DIR] [--json out.json]

For each size: the county (seed 7, cached in benchmarks/.data); the database emptied and the county loaded the
normal way (whole files; 100,000-row parts from 1,000,000 on, which one transaction each holds); a sample of
subjects checked; the database emptied again and the same files bulk loaded (validation and staging, the
importer's files, the import with the server's stop and start, the schema); the same subjects checked, and every
answer compared with the normal load's. The bulk load stops and starts its server, so it needs one of
scripts/neo4j-local's: the one in --neo4j-home (started there if it does not run), else one of its own in
$TMPDIR/creditnet-bench-bulk-neo4j on free ports, stopped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import data, measure  # noqa: E402
from benchmarks.stores import REPO, Neo4jTarget, StoreSpec, free_port, open_store  # noqa: E402

SCRIPT = REPO / "scripts" / "neo4j-local"
FILE_ROWS_FROM = 1_000_000  # from this size on the normal load's files are cut into parts of FILE_ROWS rows
FILE_ROWS = 100_000


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def local_server(home: Path) -> tuple[Neo4jTarget, dict[str, str], bool]:
    """The scripts/neo4j-local server in `home` (started when it does not run): its target, the environment its
    script needs, and whether this run started it."""
    env = {**os.environ, "CREDITNET_NEO4J_HOME": str(home)}
    status = subprocess.run([str(SCRIPT), "status"], env=env, capture_output=True, text=True, timeout=60)
    started = status.returncode != 0
    if started:
        env.update({"NEO4J_BOLT_PORT": str(free_port()), "NEO4J_HTTP_PORT": str(free_port()), "NEO4J_AUTH": "none"})
        env.setdefault("NEO4J_HEAP_INITIAL", env.get("NEO4J_HEAP", "3g"))
        log(f"starting scripts/neo4j-local in {home}")
        status = subprocess.run([str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=900)
        if status.returncode != 0:
            raise RuntimeError(f"scripts/neo4j-local start failed: {status.stderr[-2000:]}")
    values = dict(line.split("=", 1) for line in status.stdout.splitlines() if "=" in line)
    return Neo4jTarget(values["NEO4J_URI"], values.get("NEO4J_USER") or "neo4j", values.get("NEO4J_PASSWORD") or ""), \
        env, started


def timed_load(spec: StoreSpec, files: list[Path], *options: str, alerts: bool = False) -> dict:
    """`creditnet load -q --json [options] FILES`, timed to its last report (`load_s`, what rows/s counts: every
    file has committed) and to its exit (`wall_s`). After a load that changed the store the command runs follow-up
    supervision's alerts pass, which on a fresh home gives every licence holder (a watched subject) its first
    answer, a check each: the same work after either load, and no part of loading. Unless `alerts`, the command is
    stopped once its last report is out (the pass's transaction is rolled back; the home is the run's own)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([*measure.creditnet_command(), "load", "-q", "--json", *options, *map(str, files)],
                            env=spec.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    reports: list = []
    last = t0
    assert proc.stdout is not None and proc.stderr is not None
    for rows in measure.load_reports(proc.stdout):
        if rows:
            reports += rows
            last = time.perf_counter()
        if not alerts and (any("bulk" in r for r in reports) or
                           ("--bulk" not in options and sum("file" in r for r in reports) == len(files))):
            proc.terminate()
            break
    stderr = proc.stderr.read()
    proc.wait()
    wall = time.perf_counter() - t0
    files_done = [r for r in reports if "rows" in r and "bulk" not in r]
    rows = sum(r["rows"] for r in files_done)
    load = last - t0
    stopped = not alerts and proc.returncode == -15
    out = {"exit_code": 0 if stopped else proc.returncode, "alerts_pass": not stopped, "load_s": round(load, 2),
           "wall_s": round(wall, 2), "rows": rows,
           "files": len(files), "rejected": sum(r["rejected"] for r in files_done),
           "rows_per_s": round(rows / load) if load else None}
    bulk = next((r["bulk"] for r in reports if "bulk" in r), None)
    if bulk is not None:
        out.update(seconds=bulk["seconds"], nodes=bulk["nodes"], relationships=bulk["relationships"],
                   imported=bulk["imported"])
    if proc.returncode != 0:
        out["stderr"] = stderr[-3000:]
    return out


def answers(spec: StoreSpec, keys: list[str], on: date) -> dict[str, dict]:
    """Each subject's check at depth 3 (its data version left out: the two loads count from different ones)."""
    from graph.queries.check import check
    from graph.settings import Settings
    store = open_store(spec.as_json())
    settings = Settings(query_timeout_s=60)
    try:
        out = {}
        for key in keys:
            result = check(store, key=key, as_of=on, depth=3, settings=settings).as_dict()
            result.pop("data_version", None)
            out[key] = result
        return out
    finally:
        store.close()


def one_size(size: int, target: Neo4jTarget, script_env: dict[str, str], work: Path, sample: int,
             alerts: bool) -> dict:
    m = data.dataset(size, log=log)
    rows = data.total_rows(m)
    home = work / f"home-{size}"
    spec = StoreSpec("neo4j", home, target, {"CREDITNET_QUERY_TIMEOUT_S": "60"})
    bulk_spec = StoreSpec("neo4j", home, target, {
        "CREDITNET_QUERY_TIMEOUT_S": "60", "CREDITNET_NEO4J_IMPORT_COMMAND": f"{SCRIPT} import",
        **{k: v for k, v in script_env.items() if k.startswith("NEO4J_") or k == "CREDITNET_NEO4J_HOME"}})
    pool = data.candidate_pool(m, sample, sample // 4)
    keys = [p["key"] for p in pool]
    on = date.fromisoformat(m.reference_date)
    result: dict = {"enterprises": size, "rows": rows, "sample": len(keys)}

    normal_files = data.split_files(m, FILE_ROWS if size >= FILE_ROWS_FROM else 0)
    measure.fresh_store(spec)
    log(f"{size:,}: normal load of {rows:,} rows from {len(normal_files)} files")
    result["normal"] = timed_load(spec, normal_files, alerts=alerts)
    log(f"  {result['normal']}")
    normal_answers = answers(spec, keys, on) if result["normal"]["exit_code"] == 0 else {}

    measure.fresh_store(spec)
    files = data.files_in_kind_order(m)
    log(f"{size:,}: bulk load of the same rows from {len(files)} files")
    result["bulk"] = timed_load(bulk_spec, files, "--bulk", alerts=alerts)
    log(f"  {result['bulk']}")
    if result["bulk"]["exit_code"] == 0 and normal_answers:
        bulk_answers = answers(spec, keys, on)
        result["same_answers"] = sum(bulk_answers[k] == normal_answers[k] for k in keys)
        result["different"] = [k for k in keys if bulk_answers[k] != normal_answers[k]][:20]
        log(f"  same answers: {result['same_answers']}/{len(keys)}")
    if result["normal"].get("rows_per_s") and result["bulk"].get("rows_per_s"):
        result["speed_up"] = round(result["bulk"]["rows_per_s"] / result["normal"]["rows_per_s"], 2)
    return result


def markdown(run: dict) -> str:
    lines = ["| enterprises | rows | normal load s | normal rows/s | bulk load s | bulk rows/s | bulk ÷ normal | "
             "bulk: validate and stage / files / import (stop, import, start) / schema s | alerts pass s "
             "(normal / bulk) | same answers |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in run["sizes"]:
        n, b, s = r["normal"], r["bulk"], r["bulk"].get("seconds", {})
        phases = " / ".join(str(s.get(k, "—")) for k in ("validate_and_stage", "import_files", "import", "schema"))
        alerts = (f"{round(n['wall_s'] - n['load_s'])} / {round(b['wall_s'] - b['load_s'])}"
                  if n["alerts_pass"] and b["alerts_pass"] else "not run")
        lines.append(f"| {r['enterprises']:,} | {r['rows']:,} | {n['load_s']} | {n.get('rows_per_s') or 0:,} | "
                     f"{b['load_s']} | {b.get('rows_per_s') or 0:,} | {r.get('speed_up', '—')}× | {phases} | "
                     f"{alerts} | {r.get('same_answers', '—')}/{r['sample']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100000", help="Comma-separated numbers of enterprises (default 100000).")
    p.add_argument("--neo4j-home", type=Path, help="A scripts/neo4j-local state directory whose server to use "
                   "(its database is emptied and overwritten); default: a server of the run's own.")
    p.add_argument("--sample", type=int, default=200, help="Random enterprises checked on both loads (plus the "
                   "planted scenarios and a quarter as many persons).")
    p.add_argument("--alerts", action="store_true", help="Let each load's command run follow-up supervision's "
                   "alerts pass to its end (a check per licence holder) and time it; by default it is stopped.")
    p.add_argument("--json", dest="json_out", type=Path, help="Write the results here.")
    args = p.parse_args(argv)
    own = args.neo4j_home is None
    server_home = args.neo4j_home or Path(tempfile.gettempdir()) / "creditnet-bench-bulk-neo4j"
    target, env, started = local_server(server_home)
    work = Path(tempfile.mkdtemp(prefix="creditnet-bench-bulk-"))
    t0 = time.perf_counter()
    run: dict = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.node(),
                 "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                 "command": " ".join(["python", "benchmarks/bulk.py", *(argv if argv is not None else sys.argv[1:])]),
                 "sizes": []}
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            run["sizes"].append(one_size(size, target, env, work, args.sample, args.alerts))
    finally:
        if own and started:
            subprocess.run([str(SCRIPT), "stop"], env=env, capture_output=True, timeout=300)
    run["minutes"] = round((time.perf_counter() - t0) / 60, 1)
    if args.json_out:
        args.json_out.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(run))
    return 0 if all(r["bulk"]["exit_code"] == 0 and r.get("same_answers") == r["sample"] for r in run["sizes"]) else 1


if __name__ == "__main__":
    sys.exit(main())
