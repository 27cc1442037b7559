"""The synthetic counties the benchmarks run on, generated once per size and cached with their manifest.

The reference date is fixed (not today) so that a cached county and a fresh one are the same files, and
every check runs `as_of` that date: the planted scenarios' verdicts hold exactly on it.
"""
from __future__ import annotations

import csv
import json
import random
import shutil
from datetime import date
from pathlib import Path

from graph.synthetic import Manifest, generate
from graph.synthetic_identities import ALL_KINDS

SEED = 7
REFERENCE_DATE = date(2026, 7, 1)
DATA_ROOT = Path(__file__).resolve().parent / ".data"


def dataset(size: int, root: Path = DATA_ROOT, log=print, groups: float = 0.0, shape: str = "default") -> Manifest:
    """The county of `size` enterprises (seed 7, CSV), generated into root/<size> unless already there;
    with `groups` (a share of companies in enterprise groups, graph.synthetic.GROUP_SIZES) into
    root/<size>-groups-<share>; of the dense shape (nominees, groups of up to 300, cross-holdings) into
    root/<size>-dense."""
    directory = root / (f"{size}-dense" if shape == "dense" else f"{size}-groups-{groups:g}" if groups else str(size))
    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        m = Manifest.load(directory)
        if (m.enterprises, m.seed, m.formats, m.reference_date, m.groups, m.shape) == \
                (size, SEED, "csv", REFERENCE_DATE.isoformat(), groups, shape) \
                and all(p.exists() for paths in m.files.values() for p in paths):
            return m
        log(f"  cached county in {directory} does not match (size, seed, date, groups, shape); regenerating")
    if directory.exists():
        shutil.rmtree(directory)
    what = " (dense shape)" if shape == "dense" else f" ({groups:g} of companies in groups)" if groups else ""
    log(f"  generating {size:,} enterprises{what} into {directory} …")
    return generate(directory, enterprises=size, seed=SEED, reference_date=REFERENCE_DATE, formats="csv",
                    groups=groups, shape=shape)


def files_in_kind_order(m: Manifest) -> list[Path]:
    """Registry first, then members, then records: the order a county loads them in."""
    return [p for kind in ALL_KINDS for p in m.files.get(kind, [])]


def split_files(m: Manifest, rows_per_file: int) -> list[Path]:
    """The same rows in kind order, cut into files of at most `rows_per_file` rows (the header repeated).

    For Neo4j: `creditnet load` writes each file in one transaction, and a server with a 1 GB heap refuses a
    transaction of a 100,000-row file (dbms.memory.transaction.total.max; scripts/neo4j-local's heap may now
    grow to 3g, which fits it). Cached.
    """
    if rows_per_file <= 0:
        return files_in_kind_order(m)
    directory = m.directory / f"split-{rows_per_file}"
    done = directory / "files.json"
    if done.exists():
        return [directory / name for name in json.loads(done.read_text(encoding="utf-8"))]
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    names: list[str] = []
    for path in files_in_kind_order(m):
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            part, out, writer, n = 0, None, None, 0
            for row in reader:
                if writer is None or n >= rows_per_file:
                    if out:
                        out.close()
                    part += 1
                    name = f"{path.stem}.{part:03d}.csv"
                    names.append(name)
                    out = open(directory / name, "w", encoding="utf-8", newline="")
                    writer = csv.writer(out)
                    writer.writerow(header)
                    n = 0
                writer.writerow(row)
                n += 1
            if out:
                out.close()
    done.write_text(json.dumps(names), encoding="utf-8")
    return [directory / name for name in names]


def total_rows(m: Manifest) -> int:
    return sum(m.rows.values())


def candidate_pool(m: Manifest, enterprises: int, persons: int, seed: int = SEED) -> list[dict]:
    """Scenario subjects, then a fixed random draw of registry enterprises and member persons.

    Drawn from the files (reservoir sampling, fixed seed) so that every store is asked about the same
    subjects whichever store is loaded. Cached beside the manifest.
    """
    path = m.directory / f"pool-{enterprises}-{persons}-{seed}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    pool: list[dict] = [{"key": s["key"], "kind": s["kind"], "source": f"scenario:{name}"}
                        for name, s in sorted(m.scenarios.items()) if s.get("key")]
    seen = {p["key"] for p in pool}
    rng = random.Random(seed)
    ents = _reservoir(_column(m.files["enterprise"], "统一社会信用代码"), enterprises, rng, seen)
    people = _reservoir(_column(m.files["member"], "证件号码", where=("证件类型", "居民身份证")), persons, rng, seen)
    pool += [{"key": k, "kind": "enterprise", "source": "random"} for k in ents]
    pool += [{"key": k, "kind": "person", "source": "random"} for k in people]
    path.write_text(json.dumps(pool, ensure_ascii=False, indent=1), encoding="utf-8")
    return pool


def _column(paths: list[Path], name: str, where: tuple[str, str] | None = None):
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                if where and row.get(where[0]) != where[1]:
                    continue
                value = (row.get(name) or "").strip()
                if value:
                    yield value


def _reservoir(values, k: int, rng: random.Random, exclude: set[str]) -> list[str]:
    chosen: list[str] = []
    seen: set[str] = set()
    n = 0
    for v in values:
        if v in exclude or v in seen:
            continue
        seen.add(v)
        n += 1
        if len(chosen) < k:
            chosen.append(v)
        else:
            j = rng.randrange(n)
            if j < k:
                chosen[j] = v
    return chosen
