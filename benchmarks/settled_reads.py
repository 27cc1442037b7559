# Usage: PYTHONPATH=. python benchmarks/settled_reads.py bolt://127.0.0.1:7687   (a loaded Neo4j store; reads only)
"""Cost of the settled-version reads: checks on the Neo4j store with the old reader (version read inside the
read transaction) and the new one (version read under the meta lock before and after), interleaved."""
import statistics, sys, time, threading
from contextlib import contextmanager
from datetime import date
from graph.settings import Settings
from graph.stores.neo4j_store import Neo4jStore, Neo4jReader, _translated, _quietly
from graph.stores import neo4j_queries as q
from graph.queries.check import check
from graph.settings import get_settings

class OldStore(Neo4jStore):
    @contextmanager
    def reader(self):
        with _translated():
            session = self._session(read=True)
            tx = session.begin_transaction(timeout=self.settings.query_timeout_s)
            version = tx.run(q.DATA_VERSION).single()["v"]
        try:
            yield Neo4jReader(tx, int(version or 0))
        finally:
            if not tx.closed():
                _quietly(tx.commit)
            _quietly(session.close)

uri = sys.argv[1]
s = Settings(backend="neo4j", neo4j_uri=uri)
stores = {"old": OldStore.from_settings(s), "new": Neo4jStore.from_settings(s)}
with stores["new"].reader() as r:
    keys = [row["k"] for row in r.tx.run("MATCH (e:Enterprise) RETURN e.key AS k ORDER BY e.key LIMIT 300")]
on = date(2026, 11, 27)
N = 200

def sequential(store):
    t = []
    for k in keys[:N]:
        a = time.perf_counter(); check(store, settings=get_settings(), key=k, as_of=on); t.append((time.perf_counter() - a) * 1000)
    return statistics.median(t), sorted(t)[int(len(t) * 0.99) - 1]

def four(store):
    done = [0]; lock = threading.Lock()
    def run(i):
        for k in keys[i::4][:75]:
            check(store, settings=get_settings(), key=k, as_of=on)
            with lock: done[0] += 1
    a = time.perf_counter()
    ts = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    [t.start() for t in ts]; [t.join() for t in ts]
    return done[0] / (time.perf_counter() - a)

for name in stores: sequential(stores[name])  # warm
res = {"old": [], "new": []}
for rnd in range(4):
    for name in (("old", "new") if rnd % 2 == 0 else ("new", "old")):
        p50, p99 = sequential(stores[name]); tput = four(stores[name])
        res[name].append((p50, p99, tput))
        print(rnd, name, f"p50 {p50:.2f} ms p99 {p99:.2f} ms, 4 threads {tput:.0f} checks/s", flush=True)
for name, rows in res.items():
    print(name, "median p50 %.2f ms, median 4-thread %.0f checks/s" % (statistics.median(r[0] for r in rows), statistics.median(r[2] for r in rows)))
print("ratio new/old p50 %.2f, throughput %.2f" % (statistics.median(r[0] for r in res["new"]) / statistics.median(r[0] for r in res["old"]),
      statistics.median(r[2] for r in res["new"]) / statistics.median(r[2] for r in res["old"])))
