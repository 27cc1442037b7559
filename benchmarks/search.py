"""The name search's benchmark: how often it finds the enterprise meant, and how fast, against two baselines in the
same run — a plain `LIKE '%…%'` (Neo4j: `CONTAINS`) over the names, and rapidfuzz's WRatio over every name.

Quality, on the real registration extracts (CREDITNET_REALDATA, default ../shared/realdata): both files loaded into
an embedded store; a fixed draw (seed 7) of registered companies (a region prefix, 有限公司 or 有限责任公司, a trade
name of three characters or more), each written six ways: the other company form, no region prefix, the short name
(trade name only), one character of the trade name missing, traditional characters (OpenCC s2t), and one character
of the trade name swapped with its neighbour or one extra. A query is found in the top k when the enterprise, or one
registered under the very same name, is among the first k answers.

Speed, on the synthetic county's registry file (benchmarks/data.py, seed 7) of --size enterprises: its load with
and without the name index (the embedded store's triggers dropped; Neo4j's full-text indexes dropped), then the
latency of searches for names of that county written the same six ways (without status: the suggestions' question).

    python benchmarks/search.py quality
    python benchmarks/search.py speed --size 1000000 --backends embedded,neo4j
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opencc  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from graph.ingest import load_file  # noqa: E402
from graph.names import normalise_name, parse_name  # noqa: E402
from graph.queries.name_candidates import candidates, typed_name  # noqa: E402

REALDATA = Path(os.environ.get("CREDITNET_REALDATA") or Path(__file__).resolve().parents[2] / "shared" / "realdata")
KINDS = ("other form", "no region prefix", "short name", "1 char missing", "traditional", "1 char swapped/extra")
S2T = opencc.OpenCC("s2t")


def variations(name: str, rng: random.Random, extra_chars: str) -> dict[str, str] | None:
    """The six ways of writing a registered company name, or None when the name is not one the set uses."""
    parts = parse_name(normalise_name(name))
    if not parts.regions or parts.form_class != "limited" or parts.branch or len(parts.core) < 3:
        return None
    region, core, form = "".join(parts.regions), parts.core, parts.form
    other = "有限责任公司" if form == "有限公司" else "有限公司"
    i = rng.randrange(len(core))
    missing = core[:i] + core[i + 1:]
    if rng.random() < 0.5:
        j = rng.randrange(len(core) - 1)
        changed = core[:j] + core[j + 1] + core[j] + core[j + 2:]
    else:
        j = rng.randrange(len(core) + 1)
        changed = core[:j] + rng.choice(extra_chars) + core[j:]
    return dict(zip(KINDS, (region + core + other, core + form, core, region + missing + form, S2T.convert(name),
                            region + changed + form)))


def test_set(names: list[tuple[str, str]], count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(kind of variation, query, key meant) for `count` names drawn with `seed`."""
    rng = random.Random(seed)
    extra_chars = "".join(sorted({c for _, n in names for c in n}))
    out = []
    for key, name in rng.sample(names, len(names)):
        v = variations(name, rng, extra_chars)
        if v is None:
            continue
        out += [(kind, q, key) for kind, q in v.items()]
        if len(out) >= count * len(KINDS):
            break
    return out


def _found(answers: list[str], key: str, norms: dict[str, str], k: int) -> bool:
    return any(a == key or norms.get(a) == norms[key] for a in answers[:k])


def quality(count: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="search-quality-"))
    from graph.stores.embedded import EmbeddedStore
    with EmbeddedStore(home) as store:
        for path in sorted(REALDATA.glob("*.csv")):
            load_file(store, path, home=home)
        conn = sqlite3.connect(store.path)
        names = [(k, n) for k, n in conn.execute("SELECT key, name FROM enterprise WHERE name IS NOT NULL ORDER BY key")]
        norms = {k: normalise_name(n) for k, n in names}
        keys, texts = [k for k, _ in names], [norms[k] for k, _ in names]
        queries = test_set(names, count)
        methods = {
            "creditnet": lambda q: store.read(lambda r: [c.key for c in candidates(r, typed_name(q), "enterprise", 5)]),
            "LIKE '%q%'": lambda q: [k for (k,) in conn.execute(
                "SELECT key FROM enterprise WHERE name LIKE '%' || ? || '%' ORDER BY length(name), key LIMIT 5", (q,))],
            "rapidfuzz WRatio": lambda q: [keys[i] for _, _, i in process.extract(
                normalise_name(q), texts, scorer=fuzz.WRatio, limit=5)],
        }
        print(f"Quality: {len(names):,} registered names ({', '.join(p.name for p in sorted(REALDATA.glob('*.csv')))}), "
              f"{len(queries) // len(KINDS)} names × {len(KINDS)} ways = {len(queries)} queries (seed 7)\n")
        print("| way of writing | " + " | ".join(f"{m} top-1 | {m} top-5" for m in methods) + " |")
        print("|---|" + "---:|" * (2 * len(methods)))
        totals = {m: [0, 0] for m in methods}
        for kind in (*KINDS, "overall"):
            row = [q for q in queries if kind == "overall" or q[0] == kind]
            cells = []
            for m, ask in methods.items():
                top1 = top5 = 0
                for _, q, key in row:
                    answers = ask(q)
                    top1 += _found(answers, key, norms, 1)
                    top5 += _found(answers, key, norms, 5)
                cells += [f"{100 * top1 / len(row):.1f}%", f"{100 * top5 / len(row):.1f}%"]
                if kind == "overall":
                    totals[m] = [top1, top5]
            print(f"| {kind} | " + " | ".join(cells) + " |")
        conn.close()


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"p50 {statistics.median(ms):.2f} ms, p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.2f} ms"


def _timed(fn, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t)
    return out


def speed(size: int, backends: list[str], queries_count: int, rows_per_file: int, load: str = "bolt",
          rounds: int = 1, warm_up: bool = False) -> None:
    from benchmarks.data import dataset, split_files
    from graph.settings import Settings
    if load == "keep":  # the search alone, on the Neo4j database a run before loaded (CREDITNET_NEO4J_URI)
        if backends != ["neo4j"]:
            raise SystemExit("--load keep searches the Neo4j database a run before loaded: --backends neo4j")
        print("Speed: the name search on the Neo4j database loaded before, not loaded again")
        _search_speed(_open("neo4j", Settings(), indexed=True, reset=False), "neo4j", queries_count)
        return
    m = dataset(size)
    registry = [p for p in split_files(m, rows_per_file) if "enterprise" in p.name] if rows_per_file else \
        list(m.files["enterprise"])
    rows = sum(sum(1 for _ in open(p, encoding="utf-8-sig")) - 1 for p in registry)
    print(f"Speed: synthetic county of {size:,} enterprises, its registry file ({rows:,} rows, {len(registry)} files), "
          f"load {load}, {rounds} round(s) without and with the name index, alternating which goes first")
    settings = Settings()
    for backend in backends:
        took: dict[bool, list[float]] = {False: [], True: []}
        store = None
        if warm_up:  # a server's first load after its start runs slower (cold caches, code not compiled yet)
            store, seconds = _loaded(backend, load, registry, settings, True)
            print(f"  {backend} warm-up load, not counted: {seconds:.1f} s", flush=True)
        for n in range(rounds):  # none: the indexed load alone, for the search
            # Alternating which goes first, so that the last load is the indexed one the search runs on.
            for indexed in ((False, True) if (rounds - 1 - n) % 2 == 0 else (True, False)):
                if store is not None:
                    store.close()
                store, seconds = _loaded(backend, load, registry, settings, indexed)
                took[indexed].append(seconds)
                print(f"  {backend} round {n + 1} load {'with' if indexed else 'without'} the name index: "
                      f"{seconds:.1f} s, {rows / seconds:,.0f} rows/s", flush=True)
        if not rounds:
            store, seconds = _loaded(backend, load, registry, settings, True)
            print(f"  {backend} load with the name index: {seconds:.1f} s, {rows / seconds:,.0f} rows/s", flush=True)
            _search_speed(store, backend, queries_count)
            continue
        without, with_ = statistics.median(took[False]), statistics.median(took[True])
        print(f"  {backend} load, median of {rounds}: {without:.1f} s without the index "
              f"(range {min(took[False]):.1f}–{max(took[False]):.1f}), {with_:.1f} s with it "
              f"(range {min(took[True]):.1f}–{max(took[True]):.1f}): {100 * (with_ / without - 1):+.1f}%; per round: "
              + ", ".join(f"{100 * (w / o - 1):+.1f}%" for o, w in zip(took[False], took[True])), flush=True)
        _search_speed(store, backend, queries_count)


def _loaded(backend: str, load: str, registry: list[Path], settings, indexed: bool):
    """A store of the registry loaded with or without the name index, and the seconds the load took."""
    if load == "bulk" and backend == "neo4j":
        return _bulk_loaded(registry, settings, indexed)
    store = _open(backend, settings, indexed)
    t = time.perf_counter()
    for path in registry:
        load_file(store, path, home=Path(tempfile.mkdtemp(prefix="search-rejects-")))
    return store, time.perf_counter() - t


def _bulk_loaded(registry: list[Path], settings, indexed: bool):
    """The registry bulk loaded (`creditnet load --bulk`: staging, the importer's files, the import with the
    server's stop and start, the schema) into an emptied scripts/neo4j-local server, CREDITNET_NEO4J_HOME's;
    without the index, the schema lacks the two full-text indexes (the properties they index are written all the
    same, as in the Bolt load's measurement). The store and the seconds the load took."""
    from graph.bulk import bulk_load
    from graph.stores.neo4j import schema_queries as sq
    from graph.stores.neo4j.store import Neo4jStore
    script = str(Path(__file__).resolve().parents[1] / "scripts" / "neo4j-local")
    if not os.environ.get("CREDITNET_NEO4J_HOME"):
        raise SystemExit("--load bulk needs CREDITNET_NEO4J_HOME (and NEO4J_BOLT_PORT, NEO4J_HTTP_PORT): the "
                         "scripts/neo4j-local server it empties, imports into and starts again")
    for command in ("reset", "start"):  # an empty database, faster than emptying it through Bolt
        subprocess.run([script, command], check=True, stdout=subprocess.DEVNULL, timeout=900)
    work = Path(tempfile.mkdtemp(prefix="search-bulk-"))
    bulk_settings = settings.model_copy(update={"home": work, "neo4j_import_command": f"{script} import"})
    schema = sq.SCHEMA
    if not indexed:
        sq.SCHEMA = [s for s in schema if not s.startswith("CREATE FULLTEXT")]
    try:
        t = time.perf_counter()
        result = bulk_load(registry, bulk_settings, directory=work / "bulk")
        seconds = time.perf_counter() - t
    finally:
        sq.SCHEMA = schema
    assert result.imported and not result.failed, result.as_dict()
    print("    bulk phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()), flush=True)
    return Neo4jStore.from_settings(settings), seconds


def _search_speed(store, backend: str, queries_count: int) -> None:
    names = _names(store, backend)
    rng = random.Random(7)
    extra = "".join(sorted({c for _, n in names[:5000] for c in n}))
    queries: list[str] = []
    for _, name in rng.sample(names, min(len(names), queries_count * 4)):
        v = variations(name, rng, extra)
        if v:
            queries += list(v.values())
        if len(queries) >= queries_count:
            break
    texts = [normalise_name(n) for _, n in names]

    def ask(q: str):
        return store.read(lambda r: candidates(r, typed_name(q), "enterprise", 10))

    for q in queries[: len(queries) // 5]:  # warm the caches first
        ask(q)
    ours = _timed(ask, queries)
    like = _timed(_like(store, backend), queries[:20])
    fuzzy = _timed(lambda q: process.extract(normalise_name(q), texts, scorer=fuzz.WRatio, limit=10), queries[:20])
    print(f"  {backend} search, {len(queries)} queries: creditnet {_percentiles(ours)}; "
          f"{'LIKE' if backend == 'embedded' else 'CONTAINS'} (20 queries) {_percentiles(like)}; "
          f"rapidfuzz over all names (20 queries) {_percentiles(fuzzy)}; "
          f"p50 ratios: {statistics.median(like) / statistics.median(ours):.0f}× and "
          f"{statistics.median(fuzzy) / statistics.median(ours):.0f}× creditnet's")
    store.close()


def _open(backend: str, settings, indexed: bool, reset: bool = True):
    if backend == "embedded":
        from graph.stores.embedded import EmbeddedStore
        store = EmbeddedStore(Path(tempfile.mkdtemp(prefix="search-speed-")))
        if not indexed:
            for index in ("enterprise_names", "person_names"):
                for trigger in ("insert", "delete", "update"):
                    store._write_conn.execute(f"DROP TRIGGER {index}_{trigger}")
        return store
    from neo4j import GraphDatabase
    from graph.stores.neo4j.store import Neo4jStore
    driver = GraphDatabase.driver(os.environ.get("CREDITNET_NEO4J_URI", "bolt://127.0.0.1:7687"), auth=None,
                                  notifications_min_severity="OFF")
    store = Neo4jStore(driver, "neo4j", settings, owns_driver=True)
    if not reset:
        return store
    store.reset()
    if not indexed:
        with driver.session() as s:
            for index in ("enterprise_name_han", "person_name_han"):
                s.run(f"DROP INDEX {index} IF EXISTS").consume()
    else:
        store.init_schema()
    return store


def _names(store, backend: str) -> list[tuple[str, str]]:
    if backend == "embedded":
        return list(sqlite3.connect(store.path).execute("SELECT key, name FROM enterprise WHERE name IS NOT NULL"))
    with store.driver.session() as s:
        return [(r["key"], r["name"]) for r in s.run("MATCH (e:Enterprise) WHERE e.name IS NOT NULL "
                                                      "RETURN e.key AS key, e.name AS name")]


def _like(store, backend: str):
    if backend == "embedded":
        conn = sqlite3.connect(store.path)
        return lambda q: conn.execute("SELECT key FROM enterprise WHERE name LIKE '%' || ? || '%' LIMIT 10",
                                      (q,)).fetchall()

    def contains(q):
        with store.driver.session() as s:
            return list(s.run("MATCH (e:Enterprise) WHERE e.name CONTAINS $q RETURN e.key LIMIT 10", q=q))
    return contains


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("quality", "speed"))
    parser.add_argument("--names", type=int, default=300, help="quality: names drawn (each written six ways)")
    parser.add_argument("--size", type=int, default=100_000, help="speed: enterprises in the synthetic county")
    parser.add_argument("--backends", default="embedded", help="speed: embedded, neo4j or both (comma-separated)")
    parser.add_argument("--queries", type=int, default=300, help="speed: queries timed")
    parser.add_argument("--rows-per-file", type=int, default=0, help="speed: split the registry file (Neo4j heap)")
    parser.add_argument("--load", choices=("bolt", "bulk", "keep"), default="bolt", help="speed: how Neo4j is "
                        "loaded: through Bolt, by `load --bulk` into CREDITNET_NEO4J_HOME's scripts/neo4j-local "
                        "server, or not at all (keep: search the database a run before loaded)")
    parser.add_argument("--rounds", type=int, default=1, help="speed: loads without and with the name index, "
                        "alternating which goes first (the median of each is compared); 0: the indexed load alone")
    parser.add_argument("--warm-up", action="store_true", help="speed: one load first, not counted")
    args = parser.parse_args()
    if args.what == "quality":
        quality(args.names)
    else:
        speed(args.size, args.backends.split(","), args.queries, args.rows_per_file, args.load, args.rounds,
              args.warm_up)


if __name__ == "__main__":
    main()
