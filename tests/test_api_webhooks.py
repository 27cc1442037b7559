"""Webhooks through the API: a department registers and sees only its own (403 for another's), the admin sees all;
an upload's alerts reach a real receiver from the service's background sender, signed, while the upload's answer
does not wait for it."""
from __future__ import annotations

import json
from datetime import date

import pytest

from api_fixtures import app_client, auth, blacklist_csv, listing_row
from county import AS_OF, E, NAMES
from receiver import Receiver

from graph.settings import get_settings
from graph.supervision import webhooks
from graph.supervision.alerts import derive
from graph.supervision.db import SupervisionDB

pytestmark = pytest.mark.writes


def test_a_department_registers_its_own_webhook_and_is_told_of_its_alerts(county, keys, home):
    with Receiver(delay_s=2.0) as receiver, app_client() as c:
        r = c.post("/api/v1/webhooks", json={"url": receiver.url}, headers=auth(keys.finance))
        assert r.status_code == 200, r.text
        hook = r.json()
        assert hook["department"] == "县财政局" and hook["secret"].startswith("whsec_")
        # Not for another department, not to an address outside this machine, not a bad body.
        r = c.post("/api/v1/webhooks", json={"url": receiver.url, "department": "县发改局"}, headers=auth(keys.finance))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        r = c.post("/api/v1/webhooks", json={"url": "http://192.168.1.10/hook"}, headers=auth(keys.finance))
        assert r.status_code == 422 and "不在允许的网络内" in r.json()["error"]["message"]
        assert c.post("/api/v1/webhooks", json={"url": 7}, headers=auth(keys.finance)).status_code == 422
        # Seen by its department and the admin, never with the secret; another department gets 403.
        mine = c.get("/api/v1/webhooks", headers=auth(keys.finance)).json()
        assert [h["id"] for h in mine] == [hook["id"]] and "secret" not in json.dumps(mine)
        assert c.get("/api/v1/webhooks", headers=auth(keys.fdrc)).json() == []
        assert c.get("/api/v1/webhooks", params={"department": "县财政局"}, headers=auth(keys.fdrc)).status_code == 403
        assert [h["id"] for h in c.get("/api/v1/webhooks", headers=auth(keys.admin)).json()] == [hook["id"]]
        path = f"/api/v1/webhooks/{hook['id']}"
        assert c.get(f"{path}/deliveries", headers=auth(keys.fdrc)).status_code == 403
        assert c.delete(path, headers=auth(keys.fdrc)).status_code == 403
        assert c.get(f"{path}/deliveries", headers=auth(keys.admin)).json() == []
        # 县财政局 watches SHAREHOLDER_ONLY; 县发改局 lists it: the alert goes out from the outbox.
        c.post("/api/v1/watch", json={"codes": [E["SHAREHOLDER_ONLY"]]}, headers=auth(keys.finance))
        with SupervisionDB(home) as db:
            derive(c.app.state.service.store(), db, get_settings(), as_of=date.fromisoformat(AS_OF))
        data = blacklist_csv([listing_row(E["SHAREHOLDER_ONLY"], NAMES["SHAREHOLDER_ONLY"], start="2026-05-01")])
        r = c.post("/api/v1/records/blacklist", files={"file": ("黑名单.csv", data, "text/csv")}, headers=auth(keys.fdrc))
        assert r.status_code == 200, r.text
        # The upload's answer did not wait for the receiver (it takes 2 s to answer).
        assert [d["state"] for d in c.get(f"{path}/deliveries", headers=auth(keys.finance)).json()] == ["pending"]
        (request,) = receiver.wait(1)
        assert webhooks.verify(hook["secret"], request.body, request.headers["x-creditnet-signature"])
        (alert,) = json.loads(request.body)["alerts"]
        assert alert["department"] == "县财政局" and alert["party"]["key"] == E["SHAREHOLDER_ONLY"]
        deliveries = []
        for _ in range(100):  # the attempt is recorded once the receiver has answered
            deliveries = c.get(f"{path}/deliveries", headers=auth(keys.finance)).json()
            if deliveries and deliveries[0]["state"] == "delivered":
                break
            receiver.wait(99, 0.1)
        assert deliveries[0]["state"] == "delivered" and deliveries[0]["attempts"][0]["status"] == 200
        assert deliveries[0]["alerts"] == [alert["id"]]
        # Removed by its department; a second time it is gone.
        assert c.delete(path, headers=auth(keys.finance)).json()["active"] is False
        assert c.delete(path, headers=auth(keys.finance)).status_code == 404
        assert c.delete("/api/v1/webhooks/999999", headers=auth(keys.admin)).status_code == 404
        assert c.get("/api/v1/webhooks", headers=auth(None)).status_code == 401
