"""End to end over real HTTP: `creditnet serve` in a subprocess on a free loopback port, driven with httpx."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from servers import free_port, stop, wait_for_health

from api_fixtures import auth, blacklist_csv, listing_row
from county import AS_OF, E, NAMES, P
from id_number_detector import id_numbers_in

from api.masking import find_id_numbers
from graph.identifiers import mask_id_number



@pytest.fixture
def server(county, keys):
    """The real service over the county store (the environment carries CREDITNET_HOME and the backend)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(port),
                             "--log-level", "warning"], env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(proc, base, 30)
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client
    finally:
        stop(proc)


@pytest.mark.writes
def test_auth_upload_check_audit_and_public_masking(server, keys, county):
    health = server.get("/api/v1/health").json()
    assert health["ready"] and health["store"] == county.name and health["data_version"] == county.data_version()

    # auth
    assert server.post("/api/v1/checks", json={"key": E["CLEAR"]}).status_code == 401
    assert server.post("/api/v1/checks", json={"key": E["CLEAR"]}, headers=auth(keys.revoked)).status_code == 401
    assert server.get("/api/v1/audit", headers=auth(keys.fdrc)).status_code == 403

    before = server.post("/api/v1/checks", json={"key": E["CLEAR"], "as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    assert before["verdict"] == "clear"

    # upload: a file as multipart, and another department's row rejected
    data = blacklist_csv([{**listing_row(E["CLEAR"], NAMES["CLEAR"]), "人员类别": "法定代表人", "姓名": "赵六",
                           "证件类型": "居民身份证", "证件号码": P["CLEAN"]}], encoding="gbk")
    r = server.post("/api/v1/records/blacklist", files={"file": ("发改局黑名单.csv", data, "text/csv")},
                    headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    assert (r.json()["file"], r.json()["loaded"], r.json()["rejected"]) == ("发改局黑名单.csv", 1, 0)
    r = server.post("/api/v1/records/blacklist", json=[listing_row(E["CLEAR"], NAMES["CLEAR"], sender="县法院")],
                    headers=auth(keys.fdrc))
    # Another department's row is rejected like any bad row; the file's own rows would load.
    assert r.status_code == 200 and (r.json()["loaded"], r.json()["rejected"]) == (0, 1)

    # check
    after = server.post("/api/v1/checks", json={"key": E["CLEAR"], "as_of": AS_OF}, headers=auth(keys.finance)).json()
    assert after["verdict"] == "restricted" and after["data_version"] > before["data_version"]
    r = server.post("/api/v1/checks", json={"key": "911000001000044477"}, headers=auth(keys.finance))
    assert r.status_code == 422 and "check digit should be 3" in r.json()["error"]["message"]

    # audit
    entries = server.get("/api/v1/audit", headers=auth(keys.admin)).json()["entries"]
    assert [(e["check_id"], e["department"], e["verdict"]) for e in entries] == [
        (before["check_id"], "县发改局", "clear"), (after["check_id"], "县财政局", "restricted")]
    recorded = server.get(f"/api/v1/checks/{before['check_id']}", headers=auth(keys.fdrc)).json()
    assert recorded["result"] == before
    assert server.get(f"/api/v1/checks/{before['check_id']}", headers=auth(keys.finance)).status_code == 403

    # public: the listing shows, the person's ID number does not
    public = server.get(f"/api/v1/public/enterprises/{E['CLEAR']}").json()
    [listing] = [l for l in public["listings"] if l["sender"] == "县发改局"]
    assert listing["person"] == {"name": "赵六", "id_masked": mask_id_number(P["CLEAN"])}
    responses = [public, server.get("/api/v1/public/search", params={"q": NAMES["CLEAR"]}).json(),
                 server.get(f"/api/v1/public/enterprises/{P['CLEAN']}").json(),
                 server.get("/api/v1/public/search", params={"q": P["CLEAN"]}).json()]
    for body in responses:
        assert find_id_numbers(body) == [] and id_numbers_in(body) == []
    assert server.get("/openapi.json").status_code == 200 and server.get("/docs").status_code == 200
