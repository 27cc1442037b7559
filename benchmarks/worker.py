"""In-process measurements, each run in a fresh Python process so its memory and its caches are its own.

`python benchmarks/worker.py < task.json` prints one JSON result. Tasks:
- classify: the verdict of every subject of a pool at depth 3 (to stratify the sample);
- latency: check every subject once (cold: the first time this process reads its neighbourhood), then
  `repeats` more passes (warm), at one depth; with the answers, for the baselines' fairness check;
- warm_all (embedded): resident size after opening the store, and after reading the whole party graph;
- baseline: one textbook baseline (benchmarks/baselines.py) over the same subjects and depths.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import peak_rss_mb, rss_mb  # noqa: E402
from benchmarks.stores import open_store, settings_for  # noqa: E402


def answer(result) -> dict[str, int]:
    """What a check found, for comparing with a baseline: every hit's party and hops, where a listing restricts the
    party (the baselines look for listed parties; a revoked licence of a head's enterprise is a signal of the check's
    own, which they do not model)."""
    return {f"{h.party.kind}:{h.party.key}": h.hops for h in result.hits
            if any(r.get("category") != "penalty" for r in h.restrictions)}


def classify(task: dict) -> dict:
    from graph.queries.check import check
    settings = settings_for(task["store"])
    as_of = date.fromisoformat(task["as_of"])
    out = {}
    with open_store(task["store"]) as store:
        for s in task["subjects"]:
            out[s["key"]] = check(store, key=s["key"], as_of=as_of, depth=task.get("depth", 3),
                                  settings=settings).verdict
    return {"verdicts": out}


def latency(task: dict) -> dict:
    from graph.queries.check import check
    settings = settings_for(task["store"])
    as_of = date.fromisoformat(task["as_of"])
    depth = task["depth"]
    subjects = [s["key"] for s in task["subjects"]]
    rss_start = rss_mb()
    t_open = time.perf_counter()
    store = open_store(task["store"])
    open_s = time.perf_counter() - t_open
    rss_open = rss_mb()
    cold, warm, answers, verdicts, truncated = [], [], {}, {}, []
    try:
        for key in subjects:
            t0 = time.perf_counter()
            r = check(store, key=key, as_of=as_of, depth=depth, settings=settings)
            cold.append(time.perf_counter() - t0)
            answers[key] = answer(r)
            verdicts[key] = r.verdict
            if r.truncated:
                truncated.append(key)
        for _ in range(task.get("repeats", 3)):
            for key in subjects:
                t0 = time.perf_counter()
                check(store, key=key, as_of=as_of, depth=depth, settings=settings)
                warm.append(time.perf_counter() - t0)
    finally:
        store.close()
    return {"depth": depth, "cold_s": cold, "warm_s": warm, "answers": answers, "verdicts": verdicts,
            "truncated": truncated, "open_s": round(open_s, 4), "rss_start_mb": round(rss_start, 1),
            "rss_open_mb": round(rss_open, 1), "rss_after_mb": round(rss_mb(), 1), "peak_rss_mb": round(peak_rss_mb(), 1)}


def warm_all(task: dict) -> dict:
    """Read every party's edges into the embedded store's lazily filled networkx graph, in chunks."""
    from graph.model import Party
    rss_start = rss_mb()
    with open_store(task["store"]) as store:
        rss_open = rss_mb()
        conn = store._read_conn()
        t0 = time.perf_counter()
        parties = [Party("enterprise", k) for (k,) in conn.execute("SELECT key FROM enterprise")]
        parties += [Party("person", k) for (k,) in conn.execute("SELECT id_number FROM person")]
        n_parties = len(parties)
        chunk = task.get("chunk", 5000)
        with store.reader() as reader:
            for i in range(0, len(parties), chunk):
                reader.expand(parties[i:i + chunk], limit=10 ** 9)
            g = reader.pg.graph
            nodes, edges = g.number_of_nodes(), g.number_of_edges()
        del parties
        seconds = time.perf_counter() - t0
        rss_warm = rss_mb()
    return {"rss_start_mb": round(rss_start, 1), "rss_open_mb": round(rss_open, 1), "rss_warm_mb": round(rss_warm, 1),
            "warm_s": round(seconds, 2), "parties": n_parties, "graph_nodes": nodes, "graph_edges": edges,
            "peak_rss_mb": round(peak_rss_mb(), 1)}


def baseline(task: dict) -> dict:
    from benchmarks import baselines
    return baselines.run(task)


TASKS = {"classify": classify, "latency": latency, "warm_all": warm_all, "baseline": baseline}


def main() -> None:
    task = json.load(sys.stdin)
    result = TASKS[task["task"]](task)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
