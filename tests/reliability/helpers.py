"""Shared by the reliability tests: a store's observable state, and running the real CLI."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from graph.queries.stats import stats
from graph.settings import get_settings

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "reliability"


def snapshot(store) -> dict[str, Any]:
    """What a load can change: the counts of every class, per department, and the data version."""
    s = stats(store)
    return {"data_version": s["data_version"], "nodes": s["nodes"], "records": s["records"],
            "per_department": s["per_department"]}


def remembered(store, source: str) -> list[dict[str, Any]]:
    """The rejected rows a file of this name left in the store (graph/unread.py), read from the store itself."""
    if store.name == "embedded":
        conn = store._read_conn()
        return [{"row": r, "code": c, "field": f} for r, c, f in conn.execute(
            "SELECT row, code, field FROM unread_row WHERE source = ? ORDER BY row, code", (source,))]
    with store.driver.session(database=store.database) as session:
        return [dict(r) for r in session.run("MATCH (u:UnreadRow {source: $source}) RETURN u.row AS row, u.code AS code, "
                                             "u.field AS field ORDER BY row, code", source=source)]


def answers_digest(store, keys: list[str], as_of: date) -> str:
    """A hash of what officials would see for these enterprises: their profile and their check, without the
    fields that name the moment of asking (data version, check id)."""
    from graph.errors import CreditnetError
    from graph.queries.check import check
    from graph.queries.profile import profile

    seen = []
    for key in keys:
        try:
            p = profile(store, key, as_of)
            p.pop("data_version", None)
        except CreditnetError as exc:  # not in the store (yet), or a person's ID number
            p = exc.code
        try:
            c = check(store, settings=get_settings(), key=key, as_of=as_of).as_dict()
            c.pop("data_version", None)
            c.pop("check_id", None)
        except CreditnetError as exc:
            c = exc.code
        seen.append([key, p, c])
    text = json.dumps(seen, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cli_env(home: Path, backend: str = "embedded", neo4j_uri: str | None = None) -> dict[str, str]:
    env = {**os.environ, "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
    if neo4j_uri:
        env["CREDITNET_NEO4J_URI"] = neo4j_uri
    return env


def creditnet(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    """The installed command, in a process of its own (as an official runs it)."""
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def write_json_artifact(name: str, data: dict[str, Any]) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
