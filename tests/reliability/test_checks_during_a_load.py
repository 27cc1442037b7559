"""Checks through the API while a 100,000-row file loads: no errors, and never a mixture of two states.

A synthetic county of 2,000 enterprises is in the store and served by a real `creditnet serve`. Then
`creditnet load`, a process of its own, loads one member file of exactly 100,000 rows (one transaction):
98,000 rows of another county's registry members, and 2,000 rows that change the answers for enterprises of
the served county — a listed person becomes their 监事 (restricted, rule 2), a listed enterprise their
shareholder (linked) — and give the listed person and enterprise many new roles. Four clients check a
fixed set of subjects over HTTP, each as fast as it is answered, from before the load starts until after it
has finished.

The reference answers come from separate reference loads: the same county loaded into a store of the same
kind, answered before and after the same file. Every answer the service gives must be 200 and, without its
check_id, equal to the reference answer of the state its data_version names (before or after the file) —
a mixture (some of the file seen, not all; or the answer of one state under the other's version) is counted
and fails the test. The figures go to artifacts/reliability/checks_during_load_<store>.json.
"""
from __future__ import annotations

import csv
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from api_fixtures import auth
from api.models import CheckOut
from graph.ingest import load_file
from graph.queries.check import check
from graph.settings import Settings
from graph.stores import open_store
from graph.synthetic import generate
from graph.settings import get_settings
from reliability.helpers import REPO, cli_env, write_json_artifact
from reliability.served import Served

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600, method="thread")]

ROWS = 100_000
CHANGED = 1_000  # base enterprises whose answers the file changes (two rows each: see the module docstring)
CLIENTS = 4
AFTER_THE_LOAD_S = 3.0  # keep checking this long after the load exits, so the after-state is asked too
MEMBER_HEADER = ["序号", "统一社会信用代码", "企业名称", "人员类别", "姓名", "证件类型", "证件号码", "出资比例"]


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


@pytest.fixture(scope="module")
def a_load(tmp_path_factory) -> dict:
    """The served county, the 100,000-row member file, and the subjects the clients check."""
    root = tmp_path_factory.mktemp("checks-during-load")
    base = generate(root / "base", enterprises=2000, formats="csv", seed=7)
    other = generate(root / "other", enterprises=35000, formats="csv", seed=8)
    registry = _rows(base.files["enterprise"][0])
    person = base.scenarios["restricted_person"]
    listed = base.scenarios["restricted_enterprise"]
    rng = random.Random(20261127)
    changed = rng.sample([r for r in registry if r[1] not in (listed["key"],)], CHANGED)
    ours = []
    for i, r in enumerate(changed):
        ours.append(["", r[1], r[2], "监事", person["name"], "居民身份证", person["key"], ""])
        ours.append(["", r[1], r[2], "股东", listed["name"], "统一社会信用代码", listed["key"], f"{i % 50 + 1}%"])
    theirs = _rows(other.files["member"][0])[:ROWS - len(ours)]
    assert len(theirs) + len(ours) == ROWS, "the other county must have enough member rows"
    target = root / "members-100k.csv"
    with open(target, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(MEMBER_HEADER)
        # Ours spread through the file: a reader that saw part of it would see some of them and not others.
        step = len(theirs) // len(ours)
        n = 0
        for i, row in enumerate(ours):
            for other_row in theirs[i * step:(i + 1) * step]:
                n += 1
                w.writerow([str(n), *other_row[1:]])
            n += 1
            w.writerow([str(n), *row[1:]])
        for other_row in theirs[len(ours) * step:]:
            n += 1
            w.writerow([str(n), *other_row[1:]])
    assert n == ROWS
    subjects = ([s["key"] for s in base.scenarios.values() if s.get("key")] + [r[1] for r in changed[:40]]
                + [r[1] for r in rng.sample(registry, 20)] + [r[1] for r in theirs[::10_000]])
    return {"base": [p for paths in base.files.values() for p in paths], "file": target,
            "subjects": list(dict.fromkeys(subjects)), "as_of": base.reference_date}


def _answer(result: dict) -> dict:
    """An answer as the API serialises it, without what names the moment of asking."""
    body = CheckOut.model_validate({**result, "check_id": "-"}).model_dump(mode="json")
    body.pop("check_id")
    body.pop("data_version")
    return body


def _settings(backend: str, home: Path, neo4j_uri: str | None) -> Settings:
    return Settings(home=home, backend=backend, **({"neo4j_uri": neo4j_uri} if neo4j_uri else {}))


def _load_base(backend: str, home: Path, neo4j_uri: str | None, files: list[Path]):
    store = open_store(_settings(backend, home, neo4j_uri))
    store.reset()
    for path in files:
        load_file(store, path, home=home)
    return store


def _reference(backend, home, neo4j_uri, a_load) -> tuple[list[dict[str, dict]], float]:
    """The answers before and after the file, from a load of its own; and how long the file took to load."""
    from datetime import date
    as_of = date.fromisoformat(a_load["as_of"])
    store = _load_base(backend, home, neo4j_uri, a_load["base"])
    try:
        states = [{k: _answer(check(store, settings=get_settings(), key=k, as_of=as_of).as_dict()) for k in a_load["subjects"]}]
        start = time.monotonic()
        report = load_file(store, a_load["file"], home=home)
        seconds = time.monotonic() - start
        assert (report.loaded, report.rejected) == (ROWS, 0)
        states.append({k: _answer(check(store, settings=get_settings(), key=k, as_of=as_of).as_dict()) for k in a_load["subjects"]})
    finally:
        store.close()
    changed = sum(states[0][k] != states[1][k] for k in a_load["subjects"])
    assert changed >= 40, "the file must change many of the answers, or a mixture could pass unseen"
    return states, seconds


class Clients:
    """Four threads checking the subjects in random order, each over its own keep-alive connection."""

    def __init__(self, base: str, key: str, subjects: list[str], as_of: str):
        import httpx
        self.stop = threading.Event()
        self.answers: list[tuple[float, str, int, dict | str]] = []  # (when, subject, status, body)
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(httpx.Client(base_url=base, timeout=120), i),
                                          daemon=True) for i in range(CLIENTS)]
        self.key, self.subjects, self.as_of = key, subjects, as_of

    def _run(self, client, i: int) -> None:
        rng = random.Random(i)
        with client:
            while not self.stop.is_set():
                subject = rng.choice(self.subjects)
                try:
                    r = client.post("/api/v1/checks", json={"key": subject, "as_of": self.as_of}, headers=auth(self.key))
                    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text
                    status = r.status_code
                except Exception as exc:  # a dropped connection is an error the figures must show
                    status, body = 0, repr(exc)
                with self._lock:
                    self.answers.append((time.monotonic(), subject, status, body))

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self._threads:
            t.join(timeout=150)


@pytest.mark.parametrize("backend", ["embedded", "neo4j"])
def test_four_clients_check_through_a_100k_row_load(backend, request, a_load, keys, home, tmp_path):
    neo4j_uri = request.getfixturevalue("neo4j_uri") if backend == "neo4j" else None
    states, reference_load_s = _reference(backend, tmp_path / "reference", neo4j_uri, a_load)

    store = _load_base(backend, home, neo4j_uri, a_load["base"])
    v0 = store.data_version()
    server = Served(home, backend, neo4j_uri)
    try:
        server.wait_ready(60)
        with Clients(server.base, keys.fdrc, a_load["subjects"], a_load["as_of"]) as clients:
            time.sleep(1.0)  # the before-state answered by a warm service
            started = time.monotonic()
            load = subprocess.run([sys.executable, "-m", "cli.main", "load", "--json", str(a_load["file"])],
                                  env=cli_env(home, backend, neo4j_uri), cwd=REPO, capture_output=True, text=True,
                                  timeout=400)
            finished = time.monotonic()
            time.sleep(AFTER_THE_LOAD_S)
        answers = list(clients.answers)
    finally:
        server.stop()
        version_after = store.data_version()
        store.close()
    assert load.returncode == 0, load.stderr
    assert '"loaded": 100000' in load.stdout and version_after == v0 + 1

    errors, mixtures, per_state, during, gaps = [], [], [0, 0], 0, []
    last = started
    for when, subject, status, body in sorted(answers, key=lambda a: a[0]):
        if started <= when <= finished:
            during += 1
            gaps.append(when - last)
            last = when
        if status != 200:
            errors.append((subject, status, str(body)[:300]))
            continue
        state = body["data_version"] - v0
        if state not in (0, 1) or _answer(body) != states[state][subject]:
            others = [i for i, s in enumerate(states) if s[subject] == _answer(body)]
            mixtures.append({"subject": subject, "data_version": body["data_version"], "equals_state": others})
            continue
        per_state[state] += 1
    figures = {"store": backend, "rows": ROWS, "files": 1, "clients": CLIENTS, "subjects": len(a_load["subjects"]),
               "answers_that_differ_between_states": sum(states[0][k] != states[1][k] for k in a_load["subjects"]),
               "load_s": round(finished - started, 1), "reference_load_s": round(reference_load_s, 1),
               "checks_served": len(answers), "checks_during_load": during, "errors": len(errors),
               "mixtures": len(mixtures), "answered_before_state": per_state[0], "answered_after_state": per_state[1],
               "longest_wait_between_answers_during_load_s": round(max(gaps, default=0.0), 2),
               "first_errors": errors[:5], "first_mixtures": mixtures[:5]}
    write_json_artifact(f"checks_during_load_{backend}.json", figures)
    assert not errors, figures
    assert not mixtures, figures
    assert during >= 4 * CLIENTS and per_state[0] and per_state[1], figures
