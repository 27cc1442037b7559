"""The audit trail under the API's group commit: what an answer promises about its record.

- Committed before the answer: a check's row is in the trail, with the answer as sent, before the department
  receives the answer; so a service killed right after answering has lost no row (a real `creditnet serve`,
  SIGKILLed).
- On disk soon after: the flusher checkpoints the trail (syncing the WAL, then the database file), so the row
  reaches the database file itself within the flush interval — what a power cut cannot take back.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from servers import free_port, wait_for_health

from api_fixtures import auth
from county import AS_OF, E, P

from api.audit_writer import GroupCommitAudit
from api.models import CheckOut
from graph.audit import AuditTrail



def _rows(path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT check_id, result FROM audit"))
    finally:
        conn.close()


def test_every_answered_check_is_in_the_trail_after_the_server_is_killed(county, keys, home):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(port),
                             "--log-level", "warning"], env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    subjects = [E["LISTED"], E["CLEAR"], E["CHAIN"], E["SERIOUS"], P["RESTRICTED"], P["CLEAN"]]
    answers: list[tuple[bytes, dict]] = []
    failures: list[str] = []

    def department(key: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(12):
                r = client.post("/api/v1/checks", json={"key": subjects[i % len(subjects)], "as_of": AS_OF},
                                headers=auth(key))
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text[:200]}")
                    continue
                answers.append((r.content, r.json()))

    try:
        wait_for_health(proc, base, 30)
        threads = [threading.Thread(target=department, args=(k,)) for k in (keys.fdrc, keys.finance, keys.admin,
                                                                              keys.fdrc)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown, no last checkpoint: only what was committed remains
        proc.wait(10)

    assert failures == [] and len(answers) == 48
    recorded = _rows(home / "audit.sqlite")
    for raw, answer in answers:
        # the answer validates against the documented model and carries nothing it does not document
        assert CheckOut.model_validate(answer).model_dump() == answer
        # ... and its row holds exactly what was sent
        assert raw.decode() == recorded[answer["check_id"]]
    assert {"restricted", "clear"} <= {a["verdict"] for _, a in answers}
    assert len({a["check_id"] for _, a in answers}) == 48


def _answer(key: str) -> dict:
    return {"subject": {"kind": "enterprise", "key": key, "name": "某公司"}, "as_of": "2026-07-01", "depth": 3,
            "verdict": "clear", "hits": [], "history": [], "notes": [], "data_version": 1, "truncated": False}


def _in_database_file(home, tmp_path, check_id: str) -> bool:
    """Is the row in audit.sqlite itself, not only in its WAL? (A copy without the WAL shows the file alone.)"""
    copy = tmp_path / "file-only.sqlite"
    shutil.copyfile(home / "audit.sqlite", copy)
    try:
        return check_id in _rows(copy)
    except sqlite3.DatabaseError:  # the copy caught the file mid-checkpoint: not there yet
        return False
    finally:
        copy.unlink()


def test_rows_are_committed_at_once_and_reach_the_database_file_within_the_flush_interval(tmp_path):
    home = tmp_path / "home"
    recorder = GroupCommitAudit(AuditTrail(home), home / "audit.lock", flush_interval_s=0.05)
    try:
        text = recorder.record(_answer("91640422000000101M"), account="k1", department="县发改局", store="embedded")
        check_id = json.loads(text)["check_id"]
        # committed: another connection (another process would do the same) reads it at once
        assert check_id in _rows(home / "audit.sqlite")
        deadline = time.monotonic() + 10
        while not _in_database_file(home, tmp_path, check_id):
            assert time.monotonic() < deadline, "the flusher did not checkpoint the trail"
            time.sleep(0.05)
    finally:
        recorder.close()


def test_concurrent_checks_share_commits_and_each_gets_its_row(tmp_path):
    home = tmp_path / "home"
    recorder = GroupCommitAudit(AuditTrail(home), home / "audit.lock", flush_interval_s=10)
    texts: list[str] = []

    def department(n: int) -> None:
        for i in range(25):
            texts.append(recorder.record(_answer(f"key-{n}-{i}"), account=f"k{n}", department=None, store="embedded"))

    try:
        threads = [threading.Thread(target=department, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        recorder.flush()  # what close() and the flusher do: now the file itself holds every row
        assert _in_database_file(home, tmp_path, json.loads(texts[-1])["check_id"])
    finally:
        recorder.close()
    recorded = _rows(home / "audit.sqlite")
    assert len(texts) == len(recorded) == 200
    assert all(recorded[json.loads(t)["check_id"]] == t for t in texts)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite3.connect(home / "audit.sqlite").execute("UPDATE audit SET verdict = 'restricted'")


@pytest.mark.parametrize("setting, pragma", [("NORMAL", 1), ("FULL", 2)])
def test_the_stricter_promise_is_one_setting_away(tmp_path, monkeypatch, setting, pragma):
    from api.config import ApiSettings
    from api.state import Service
    from graph.settings import Settings
    monkeypatch.setenv("CREDITNET_AUDIT_SYNCHRONOUS", setting)
    service = Service(Settings(home=tmp_path / "home", backend="embedded"), ApiSettings())
    service.start()
    try:
        assert service.recorder.trail.conn.execute("PRAGMA synchronous").fetchone()[0] == pragma
    finally:
        service.close()
    with pytest.raises(ValueError):
        GroupCommitAudit(AuditTrail(tmp_path / "other"), tmp_path / "other" / "audit.lock", synchronous="OFF")
