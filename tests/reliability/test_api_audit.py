"""The audit trail cannot be altered through the API.

Every routed path (its parameters filled with a recorded check's id, `audit`, a path to the trail's file and an
SQL payload, plus paths the app does not route but a caller might guess) is called with every HTTP method, as
admin, as a department and with no key, with bodies crafted to rewrite a recorded check (its id with another
verdict, the whole recorded entry edited, SQL, an upload named like the trail's file holding SQL). Afterwards:

- every row that was in the trail is still there, byte for byte, in the same order;
- the only new rows are the checks the API answered with 200 during the attack (checks are appended, by design);
- every row still verifies: its columns agree with the answer it recorded, and GET /api/v1/checks/{id} returns
  exactly what was answered at the time;
- the trail's append-only triggers are still in place; and no request got a 500.
"""
from __future__ import annotations

import json
import sqlite3
from itertools import product

from api_fixtures import auth
from county import AS_OF, E, P

from api.app import create_app
from graph.audit import COLUMNS
from reliability.helpers import write_json_artifact
from reliability.live_api import app_endpoints

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
GUESSED = ("/api/v1/audit/{check_id}", "/api/v1/audit/{check_id}/result", "/api/v1/checks/{check_id}/result",
           "/api/v1/admin/audit", "/api/v1/audit.sqlite", "/audit.sqlite", "/static/../audit.sqlite")


def trail_rows(home) -> list[tuple]:
    """The trail as stored, read straight from its file (read-only)."""
    conn = sqlite3.connect(f"file:{home / 'audit.sqlite'}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    finally:
        conn.close()


def triggers(home) -> set[str]:
    conn = sqlite3.connect(f"file:{home / 'audit.sqlite'}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        conn.close()


def verify_row(row: tuple) -> None:
    """The row's columns say what its recorded answer says."""
    seq, *values, result_text = row
    entry = dict(zip(COLUMNS, values))
    result = json.loads(result_text)
    assert result["check_id"] == entry["check_id"]
    assert (result["subject"]["kind"], result["subject"]["key"]) == (entry["subject_kind"], entry["subject_key"])
    assert (result["as_of"], result["depth"], result["verdict"]) == (entry["as_of"], entry["depth"], entry["verdict"])
    assert json.loads(entry["hit_keys"]) == [h["party"]["key"] for h in result["hits"]]
    assert result["data_version"] == entry["data_version"]


def _paths(check_id: str) -> list[str]:
    values = {"check_id": [check_id, "audit"], "code": [E["LISTED"]], "id_number": [P["RESTRICTED"]],
              "name": ["县发改局", "..%2F..%2Faudit.sqlite"], "kind": ["audit", "blacklist"], "fmt": ["csv"],
              "other": []}
    templates = sorted({path for _, path in app_endpoints(create_app())} | set(GUESSED))
    out = []
    for template in templates:
        names = [part[1:-1].split(":")[0] for part in template.replace(".", "/").split("/")
                 if part.startswith("{") and part.endswith("}")]
        for combo in product(*[values.get(n, ["audit", "' OR 1=1; DELETE FROM audit; --"]) for n in names]):
            path = template
            for n, v in zip(names, combo):
                path = path.replace("{" + n + "}", v)
            out.append(path)
    return out


def _bodies(entry: dict) -> list[dict]:
    forged = {**entry["result"], "verdict": "clear", "hits": []}
    sql = "'; UPDATE audit SET verdict = 'clear'; DELETE FROM audit; DROP TRIGGER audit_no_delete; --"
    return [
        {"json": {"check_id": entry["result"]["check_id"], "verdict": "clear", "result": forged, "key": E["CLEAR"]}},
        {"json": [{"check_id": entry["result"]["check_id"], "verdict": sql, "统一社会信用代码（企业注册号）": E["LISTED"]}]},
        {"files": {"file": ("../../audit.sqlite", sql.encode() * 10, "application/octet-stream")}},
        {"content": sql.encode(), "headers": {"Content-Type": "text/csv", "X-Filename": "../../audit.sqlite"}},
    ]


def test_no_api_call_alters_the_audit_trail(client, keys, home, county):
    answered = [client.post("/api/v1/checks", json={"key": k, "as_of": AS_OF}, headers=auth(key)).json()
                for k, key in ((E["LISTED"], keys.fdrc), (E["TWO_HOPS"], keys.finance), (P["RESTRICTED"], keys.admin))]
    answered += client.post("/api/v1/checks/batch", json={"subjects": [{"key": E["CLEAR"]}, {"key": E["BAR"]}],
                                                          "as_of": AS_OF}, headers=auth(keys.fdrc)).json()["results"]
    before, guards = trail_rows(home), triggers(home)
    assert len(before) == 5 and {"audit_no_update", "audit_no_delete"} <= guards
    target = client.get(f"/api/v1/checks/{answered[0]['check_id']}", headers=auth(keys.admin)).json()

    requests = appended = 0
    statuses: dict[int, int] = {}
    for path, method, headers in product(_paths(target["check_id"]), METHODS,
                                         (auth(keys.admin), auth(keys.fdrc), {})):
        for body in (_bodies(target) if method in ("POST", "PUT", "PATCH", "DELETE") else [{}]):
            body = dict(body)
            r = client.request(method, path, headers={**headers, **body.pop("headers", {})}, **body)
            requests += 1
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
            if r.status_code == 200 and method == "POST" and path == "/api/v1/checks":
                appended += 1
            elif r.status_code == 200 and method == "POST" and path == "/api/v1/checks/batch":
                appended += r.json()["checked"]

    after = trail_rows(home)
    assert after[:len(before)] == before, "a recorded check was changed or removed"
    assert len(after) == len(before) + appended, "rows appeared that no answered check accounts for"
    for row in after:
        verify_row(row)
    for answer in answered:
        recorded = client.get(f"/api/v1/checks/{answer['check_id']}", headers=auth(keys.admin)).json()
        assert recorded["result"] == answer
    assert triggers(home) == guards
    assert requests > 1000 and statuses.get(405, 0) > 100, (requests, statuses)
    write_json_artifact(f"api_audit_{county.name}.json", {
        "requests": requests, "statuses": dict(sorted(statuses.items())), "rows_before": len(before),
        "rows_appended_by_answered_checks": appended, "rows_changed_or_removed": 0})


def test_the_trail_refuses_rewriting_even_from_inside(client, keys, home):
    """The last line of defence, should code one day try: the file's triggers refuse UPDATE and DELETE."""
    client.post("/api/v1/checks", json={"key": E["LISTED"], "as_of": AS_OF}, headers=auth(keys.fdrc))
    conn = sqlite3.connect(home / "audit.sqlite")
    try:
        for statement in ("UPDATE audit SET verdict = 'clear'", "DELETE FROM audit"):
            try:
                conn.execute(statement)
            except sqlite3.DatabaseError as exc:
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{statement} was allowed")
    finally:
        conn.close()
    [row] = trail_rows(home)
    verify_row(row)
