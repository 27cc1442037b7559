"""The API while Neo4j is unreachable: 503 with the error shape, health not ready, and recovery by itself.

A real `creditnet serve` (uvicorn in a subprocess) talks to the test server through the TCP proxy of
proxy.py, which the test cuts (every connection reset, new ones refused) and restores. While it is cut every
endpoint that needs the store answers 503 `{"error": {"code": "store_unavailable", "message", "details"}}`
with Retry-After, within a few seconds; what needs only the audit trail (a recorded check, the trail)
still answers. Once restored, the same process answers exactly as before, without a restart. The figures go
to artifacts/reliability/api_faults.json, which RELIABILITY.md quotes.
"""
from __future__ import annotations

import httpx
import pytest

import county as county_module
from api_fixtures import auth, listing_row
from county import AS_OF, E, NAMES, P
from graph.ingest import load_file
from graph.settings import Settings
from graph.stores.neo4j import Neo4jStore
from reliability.helpers import write_json_artifact
from reliability.served import Served

pytestmark = pytest.mark.timeout(240, method="thread")

ANSWER_WITHIN_S = 5.0    # a 503 must come quickly: three read attempts 0.25 s and 0.5 s apart, refused at once
RECOVER_WITHIN_S = 30.0  # after the restore, without restarting the service
FIGURES: dict = {}


def _endpoints(keys) -> list[tuple[str, str, dict]]:
    """Every endpoint that needs the store (name, method, request), with a key allowed to call it."""
    dept, admin = auth(keys.fdrc), auth(keys.admin)
    return [
        ("check", "POST", {"url": "/api/v1/checks", "json": {"key": E["LISTED"], "as_of": AS_OF}, "headers": dept}),
        ("check applicant", "POST", {"url": "/api/v1/checks", "headers": dept, "json": {
            "name": "西吉县新办商贸有限公司", "as_of": AS_OF, "persons": [
                {"name": "张三", "id_type": "居民身份证", "id_number": P["RESTRICTED"], "role": "法定代表人"}]}}),
        ("batch", "POST", {"url": "/api/v1/checks/batch", "headers": dept,
                           "json": {"subjects": [{"key": E["LISTED"]}, {"key": E["CLEAR"]}], "as_of": AS_OF}}),
        ("profile", "GET", {"url": f"/api/v1/enterprises/{E['LISTED']}", "params": {"as_of": AS_OF}, "headers": dept}),
        ("person", "GET", {"url": f"/api/v1/persons/{P['RESTRICTED']}", "params": {"as_of": AS_OF}, "headers": dept}),
        ("relations", "GET", {"url": "/api/v1/relations", "params": {"a": E["TWO_HOPS"], "b": E["LISTED"]},
                              "headers": dept}),
        ("department", "GET", {"url": "/api/v1/departments/县财政局/restrictions", "params": {"as_of": AS_OF},
                               "headers": admin}),
        ("department csv", "GET", {"url": "/api/v1/departments/县财政局/restrictions.csv",
                                   "params": {"as_of": AS_OF}, "headers": admin}),
        ("public profile", "GET", {"url": f"/api/v1/public/enterprises/{E['LISTED']}", "params": {"as_of": AS_OF}}),
        ("public search", "GET", {"url": "/api/v1/public/search", "params": {"q": NAMES["LISTED"]}}),
    ]


def _upload(keys) -> dict:
    return {"url": "/api/v1/records/blacklist", "headers": auth(keys.fdrc),
            "json": [listing_row(E["CLEAR"], NAMES["CLEAR"], sender="县发改局")]}


def _stable(response: httpx.Response):
    """An answer without what names the moment of asking (check ids)."""
    if "json" not in response.headers.get("content-type", ""):
        return response.content
    body = response.json()

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k != "check_id"}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(body)


@pytest.fixture
def neo4j_county(neo4j_uri, home, tmp_path):
    """The test county in Neo4j, loaded directly (not through the proxy)."""
    store = Neo4jStore.from_settings(Settings(backend="neo4j", neo4j_uri=neo4j_uri, home=home))
    store.reset()
    for path in county_module.write_county(tmp_path / "county").values():
        load_file(store, path, home=home)
    yield store
    store.close()


@pytest.fixture
def served(request, home, proxy):
    servers = []

    def start() -> Served:
        s = Served(home, "neo4j", proxy.uri)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def _assert_unavailable(r: httpx.Response, seconds: float, name: str, public: bool = False) -> None:
    assert r.status_code == 503, (name, r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, (name, body)
    error = body["error"]
    assert error["code"] == "store_unavailable", (name, error)
    assert int(r.headers["Retry-After"]) == error["details"]["retry_after_s"] > 0, name
    if public:  # what to do, without the server room's addresses
        assert "retry in" in error["message"] and "bolt" not in error["message"] and "127.0.0.1" not in error["message"]
    else:       # what to do, for the operator of a department's system
        assert "Neo4j" in error["message"] and "unreachable" in error["message"], (name, error)
        assert "CREDITNET_NEO4J_URI" in error["message"], (name, error)
    assert seconds < ANSWER_WITHIN_S, (name, seconds)


def test_every_store_endpoint_answers_503_while_neo4j_is_cut_and_recovers_by_itself(
        neo4j_county, keys, proxy, served):
    server = served()
    server.wait_ready(30)
    endpoints = _endpoints(keys)
    before = {}
    for name, method, request in endpoints:
        r, _ = server.call(method, request)
        assert r.status_code == 200, (name, r.text)
        before[name] = _stable(r)
    assert before["check"]["verdict"] == "restricted" and before["check applicant"]["verdict"] == "restricted"
    recorded = server.client.post("/api/v1/checks", json={"key": E["CLEAR"]}, headers=auth(keys.fdrc)).json()
    trail = server.client.get("/api/v1/audit", headers=auth(keys.admin)).json()["entries"]

    proxy.cut()
    health = server.client.get("/api/v1/health")
    assert health.status_code == 503 and health.json()["ready"] is False and health.json()["status"] == "unavailable"
    assert "Neo4j" in health.json()["message"] and int(health.headers["Retry-After"]) > 0
    slowest = 0.0
    for name, method, request in endpoints:
        r, seconds = server.call(method, request)
        _assert_unavailable(r, seconds, name, public=name.startswith("public"))
        slowest = max(slowest, seconds)
    r, seconds = server.call("POST", _upload(keys))
    _assert_unavailable(r, seconds, "upload")
    # What needs only the audit trail is still served; no check was recorded while none was answered.
    assert server.client.get(f"/api/v1/checks/{recorded['check_id']}", headers=auth(keys.fdrc)).status_code == 200
    assert server.client.get("/api/v1/audit", headers=auth(keys.admin)).json()["entries"] == trail

    proxy.restore()
    recovered_in = server.wait_ready(RECOVER_WITHIN_S)
    for name, method, request in endpoints:
        r, _ = server.call(method, request)
        assert r.status_code == 200 and _stable(r) == before[name], name
    assert neo4j_county.data_version() == before["check"]["data_version"], "the cut upload kept nothing"
    r, _ = server.call("POST", _upload(keys))
    assert r.status_code == 200 and r.json()["loaded"] == 1
    FIGURES["cut_while_serving"] = {"endpoints": len(endpoints) + 1, "all_503": True,
                                    "slowest_503_s": round(slowest, 2), "recovered_in_s": round(recovered_in, 2)}


def test_a_service_started_while_neo4j_is_cut_becomes_ready_when_it_is_back(neo4j_county, keys, proxy, served):
    proxy.cut()
    server = served()
    health = server.wait_listening()
    assert health.status_code == 503 and health.json()["ready"] is False
    name, method, request = _endpoints(keys)[0]
    r, seconds = server.call(method, request)
    _assert_unavailable(r, seconds, name)

    proxy.restore()
    recovered_in = server.wait_ready(RECOVER_WITHIN_S)
    r, _ = server.call(method, request)
    assert r.status_code == 200 and r.json()["verdict"] == "restricted"
    FIGURES["started_while_cut"] = {"recovered_in_s": round(recovered_in, 2)}


def test_repeated_cuts_never_leave_the_service_stuck(neo4j_county, keys, proxy, served):
    """Cut and restore five times while one client keeps checking: every answer is 200 or the 503 shape,
    never anything else (no 500, no hang), and the service answers after every restore."""
    server = served()
    server.wait_ready(30)
    name, method, request = _endpoints(keys)[0]
    statuses: dict[int, int] = {}
    for _ in range(5):
        proxy.cut()
        for _ in range(3):
            r, seconds = server.call(method, request)
            _assert_unavailable(r, seconds, name)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        proxy.restore()
        server.wait_ready(RECOVER_WITHIN_S)
        r, _ = server.call(method, request)
        assert r.status_code == 200 and r.json()["verdict"] == "restricted"
        statuses[200] = statuses.get(200, 0) + 1
    FIGURES["repeated_cuts"] = {"cuts": 5, "statuses": statuses}


def test_store_busy_is_503_with_retry_after(county, keys, monkeypatch):
    """A question whose data kept changing under it (Neo4j reads are read-committed; a load committed during
    every attempt) is StoreBusy: 503 with Retry-After, the same shape, never a mixture of two states."""
    from api_fixtures import app_client
    from graph.stores.base import GraphReader
    from graph.stores.neo4j.reader import Neo4jReader

    monkeypatch.setattr(type(county), "snapshot_reads", False)
    for reader in (GraphReader, Neo4jReader):  # as if a load committed between every two queries
        monkeypatch.setattr(reader, "current_version", lambda self: self.data_version + 1)
    with app_client() as client:
        r = client.post("/api/v1/checks", json={"key": E["LISTED"]}, headers=auth(keys.fdrc))
    assert r.status_code == 503 and r.json()["error"]["code"] == "store_busy"
    assert r.headers["Retry-After"] == "1" and r.json()["error"]["details"]["retry_after_s"] == 1
    assert "retry" in r.json()["error"]["message"]


def test_a_check_that_waits_too_long_for_a_commit_is_busy_not_an_error(neo4j_county, keys, monkeypatch):
    """While a load's commit is applied it holds the version node's lock and checks wait for it (see
    Neo4jStore.settled_version); one that waits longer than the query timeout gets 503 store_busy."""
    from api_fixtures import app_client
    from graph import settings as settings_module

    monkeypatch.setenv("CREDITNET_BACKEND", "neo4j")
    monkeypatch.setenv("CREDITNET_NEO4J_URI", neo4j_county.settings.neo4j_uri)
    monkeypatch.setenv("CREDITNET_QUERY_TIMEOUT_S", "1")
    settings_module.get_settings.cache_clear()
    with app_client() as client:
        assert client.post("/api/v1/checks", json={"key": E["LISTED"]}, headers=auth(keys.fdrc)).status_code == 200
        with neo4j_county.driver.session() as session:
            committing = session.begin_transaction()  # as a load between raising the version and its commit
            committing.run("MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.data_version = m.data_version + 1").consume()
            try:
                r = client.post("/api/v1/checks", json={"key": E["LISTED"]}, headers=auth(keys.fdrc))
            finally:
                committing.rollback()
        assert r.status_code == 503 and r.json()["error"]["code"] == "store_busy", r.text
        assert r.headers["Retry-After"] == "1"
        assert client.post("/api/v1/checks", json={"key": E["LISTED"]}, headers=auth(keys.fdrc)).status_code == 200
    settings_module.get_settings.cache_clear()


def teardown_module(module):
    if FIGURES:
        write_json_artifact("api_faults.json", FIGURES)
