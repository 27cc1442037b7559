"""The supervision API: a department sees and answers only its own alerts and watch list; the admin sees all."""
from __future__ import annotations

from datetime import date

import pytest

from api_fixtures import app_client, auth, blacklist_csv, listing_row
from county import AS_OF, E, NAMES

from graph.settings import get_settings
from graph.supervision.alerts import derive
from graph.supervision.db import SupervisionDB

pytestmark = pytest.mark.writes


def test_watch_alerts_and_responses_through_the_api(county, keys, home):
    with app_client() as c:
        r = c.post("/api/v1/watch", json={"codes": [E["SHAREHOLDER_ONLY"], "91640422000000000X"]}, headers=auth(keys.finance))
        assert r.status_code == 200, r.text
        assert (r.json()["added"], r.json()["rejected"]) == (1, 1)
        r = c.get("/api/v1/watch", headers=auth(keys.finance))
        assert [x["party"]["key"] for x in r.json()] == [E["SHAREHOLDER_ONLY"]]
        assert c.get("/api/v1/watch", params={"department": "县财政局"}, headers=auth(keys.fdrc)).status_code == 403
        # The first pass keeps the answers; the upload that follows raises the alert.
        with SupervisionDB(home) as db:
            derive(c.app.state.service.store(), db, get_settings(), as_of=date.fromisoformat(AS_OF))
        data = blacklist_csv([listing_row(E["SHAREHOLDER_ONLY"], NAMES["SHAREHOLDER_ONLY"], start="2026-05-01")])
        r = c.post("/api/v1/records/blacklist", files={"file": ("黑名单.csv", data, "text/csv")}, headers=auth(keys.fdrc))
        assert r.status_code == 200, r.text
        mine = c.get("/api/v1/alerts", params={"open": True}, headers=auth(keys.finance)).json()
        assert mine["open"] == 1 and mine["alerts"][0]["party"]["key"] == E["SHAREHOLDER_ONLY"]
        alert_id = mine["alerts"][0]["id"]
        assert c.get("/api/v1/alerts", headers=auth(keys.fdrc)).json()["alerts"] == []
        assert c.get("/api/v1/alerts", params={"department": "县财政局"}, headers=auth(keys.fdrc)).status_code == 403
        assert len(c.get("/api/v1/alerts", headers=auth(keys.admin)).json()["alerts"]) == 1
        body = {"measure": "列入重点监管", "note": "已列入重点监管", "official": "张华"}
        assert c.post(f"/api/v1/alerts/{alert_id}/responses", json=body, headers=auth(keys.fdrc)).status_code == 403
        assert c.post(f"/api/v1/alerts/{alert_id}/responses", json={**body, "measure": "随便"},
                      headers=auth(keys.finance)).status_code == 422
        r = c.post(f"/api/v1/alerts/{alert_id}/responses", json=body, headers=auth(keys.finance))
        assert r.status_code == 200 and r.json()["open"] is False
        # Audited like a change to records: who answered, with what measure (the refused ones are not there).
        changes = c.get("/api/v1/audit/changes", headers=auth(keys.admin)).json()["changes"]
        answered = [x for x in changes if x["action"] == "response"]
        assert [(x["department"], x["records"], x["details"]["measure"]) for x in answered] == [
            ("县财政局", [f"alert:{alert_id}"], "列入重点监管")]
        fb = c.get("/api/v1/feedback", params={"as_of": AS_OF}, headers=auth(keys.fdrc)).json()
        (sent,) = [x for x in fb if x["party"]["key"] == E["SHAREHOLDER_ONLY"]]
        assert sent["sender"] == "县发改局" and sent["not_responded"] == []
        assert c.get("/api/v1/alerts", headers=auth(None)).status_code == 401
        r = c.delete("/api/v1/watch", params={"codes": [E["SHAREHOLDER_ONLY"]]}, headers=auth(keys.finance))
        assert r.json() == {"removed": 1}
