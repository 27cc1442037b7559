"""The hostile-file corpus (corpus.py) through `POST /api/v1/records/{kind}`, on every store.

Each file is sent as a department's upload (multipart, under the name the clerk gave it) by the admin account
and by the sending department's own account (whose rows are also sorted by department as they are read: another
department's row is rejected, graph/loaders/senders.py). What each case must get over HTTP:

- a file that cannot be read: 400 `{"error": {"code": "file_rejected", "message": "<the file's name>: <why>",
  "details": {"file": <the file's name>}}}` — the name as sent, never the server's temporary path — and the
  store unchanged: counts, data version, load history, rejects directory;
- a readable file: 200 with its rows, loaded and rejected counts, and each rejected row's number, field and
  reason; the rejected rows leave no trace (the valid part is sent first; the whole file then changes nothing);
- registry kinds (enterprise, member) from a department: 403, nothing changed;
- never a 500, and every error in the one shape.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from api_fixtures import app_client, auth

from graph.accounts import Accounts
from graph.ingest import load_file
from graph.loaders.headers import detect_kind
from reliability.corpus import CASES, DEPT, REJECT, Case
from reliability.helpers import remembered, snapshot
from reliability.test_hostile_files import base_file, rejects_files

REGISTRY = ("enterprise", "member")
# The URL names the kind, so a file whose kind the CLI could not detect is read as that kind: the refusal names
# the columns that kind lacks instead of suggesting --kind (an option the API does not have).
API_REFUSAL = {"--kind": "缺少必需的列"}
# The department a case's rows name as issuer or sender (corpus.py: penalties from market supervision, listings
# sent by the court).
SENDER = {"blacklist": "县法院"}


def upload_kind(case: Case) -> str:
    """The kind in the URL: what the case forces, else what its header says, else penalty (a file refused
    before its header is read)."""
    if case.kind:
        return case.kind
    return (detect_kind([str(h) for h in case.header]) if case.header else None) or "penalty"


def _send(client, kind: str, path: Path, key: str):
    ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if path.suffix == ".xlsx" else "text/csv"
    return client.post(f"/api/v1/records/{kind}", files={"file": (path.name, path.read_bytes(), ctype)},
                       headers=auth(key))


def _error(r) -> dict:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


# Every case as admin; as a department, the refused files and the registry kinds in the normal suite (the
# department's sorting of rows is what differs), the readable files in the slow run.
SENDS = [pytest.param(case, sender, id=f"{case.id}-{sender}",
                      marks=[pytest.mark.slow] if sender == "department" and not case.file_refused
                      and upload_kind(case) not in REGISTRY else [])
         for case in CASES for sender in ("admin", "department")]


@pytest.mark.parametrize("case,sender", SENDS)
def test_case_through_the_api(case: Case, sender, store, home, keys, tmp_path):
    load_file(store, base_file(tmp_path), home=home)
    kind = upload_kind(case)
    if sender == "admin":
        key = keys.admin
    else:
        with Accounts(home) as accounts:
            _, key = accounts.add(SENDER.get(kind, DEPT))
    before, history, rejects = snapshot(store), store.load_history(), rejects_files(home)

    with app_client() as client:
        if sender == "department" and kind in REGISTRY:
            r = _send(client, kind, case.write(tmp_path / "in"), key)
            assert r.status_code == 403 and _error(r)["code"] == "forbidden", r.text
            assert snapshot(store) == before and store.load_history() == history
            return

        if case.file_refused:
            path = case.write(tmp_path / "in")
            r = _send(client, kind, path, key)
            assert r.status_code == 400, r.text[:500]
            error = _error(r)
            assert error["code"] == "file_rejected" and error["details"] == {"file": path.name}
            assert error["message"].startswith(f"{path.name}: ") and len(error["message"]) > len(path.name) + 5
            assert str(home) not in r.text, "the answer shows the server's directories"
            assert API_REFUSAL.get(case.refused, case.refused) in error["message"], (case.refused, error["message"])
            assert snapshot(store) == before and store.load_history() == history and rejects_files(home) == rejects
            return

        valid = _send(client, kind, case.write(tmp_path / "valid", valid_part=True), key)
        assert valid.status_code == 200 and valid.json()["rejected"] == 0, valid.text[:500]
        before = snapshot(store)
        sent = case.write(tmp_path / "in")
        r = _send(client, kind, sent, key)
        assert r.status_code == 200, r.text[:500]
        body = r.json()
        assert (body["rows"], body["loaded"], body["rejected"]) == case.counts
        # Rejected rows leave only themselves, remembered under the codes they name (graph/unread.py).
        after, kept = snapshot(store), remembered(store, sent.name)
        assert {k: v for k, v in after.items() if k != "data_version"} == \
            {k: v for k, v in before.items() if k != "data_version"}, "rejected rows left a trace in the graph"
        assert (after["data_version"] > before["data_version"]) is bool(kept)
        assert {e["row"] for e in kept} <= {x["row"] for x in body["rejects"]}
        wanted = [(n, row) for n, row in case.expected_rows() if row.outcome == REJECT]
        assert [(x["row"], x["field"]) for x in body["rejects"]] == [(n, row.field) for n, row in wanted]
        for got, (_, row) in zip(body["rejects"], wanted):
            assert row.fragment in got["reason"], (row.fragment, got["reason"])
        if case.verify:
            case.verify(store)
