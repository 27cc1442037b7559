"""Webhooks on both stores, against a real HTTP receiver on a loopback port: an alert is posted signed to the
department's webhook from the outbox, retried with back-off, every attempt recorded; a crash loses none; only
addresses on this machine or in a network the administrator allows may be registered."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from county import AS_OF, BLACKLIST_HEADERS, E, NAMES, write_csv
from receiver import Receiver

from cli.main import app
from graph.errors import InvalidRequest
from graph.ingest import load_file
from graph.settings import Settings, get_settings
from graph.supervision import webhooks
from graph.supervision.alerts import derive
from graph.supervision.db import SupervisionDB
from graph.supervision.outbox import deliver_due

pytestmark = pytest.mark.writes
REPO = Path(__file__).resolve().parents[1]
DAY = date.fromisoformat(AS_OF)
LICENSER = "县市场监督管理局"  # issued CLEAR's food licence (tests/county.py)


def listing(code: str, name: str) -> list[str]:
    return ["1", code, name, "依据X", "", "2026-05-01", "", "县法院", "县财政局", "失信被执行人", "", "", "", ""]


def settings(**changes) -> Settings:
    return get_settings().model_copy(update=changes)


@pytest.fixture
def supervised(county, store, home):
    with SupervisionDB(home) as db:
        assert derive(store, db, get_settings(), as_of=DAY).alerts == []  # the first answers: no alert
        yield db


def list_clear(store, home, tmp_path) -> None:
    """Another department lists the licensee CLEAR: the licensing department gets one alert."""
    path = write_csv(tmp_path / "bl.csv", BLACKLIST_HEADERS, [listing(E["CLEAR"], NAMES["CLEAR"])])
    assert load_file(store, path, home=home).changed


def test_an_alert_is_posted_to_the_departments_webhook_signed_with_its_secret(store, home, tmp_path, supervised):
    with Receiver() as receiver:
        hook = webhooks.register(supervised, get_settings(), "西吉县市场监督管理局", receiver.url)
        other = webhooks.register(supervised, get_settings(), "县财政局", receiver.url)
        assert hook["department"] == LICENSER and hook["secret"].startswith("whsec_")
        assert "secret" not in webhooks.hooks(supervised)[0]  # shown once, never listed
        list_clear(store, home, tmp_path)
        report = derive(store, supervised, get_settings(), as_of=DAY)
        assert len(report.alerts) == 1 and report.deliveries == 1  # 县财政局 watches nothing that changed
        sent = deliver_due(home, get_settings())
        assert (sent.sent, sent.failed, sent.pending) == (1, 0, 0)
        (request,) = receiver.received
    assert request.path == "/creditnet/alerts"
    body = json.loads(request.body)
    assert body["event"] == "alerts" and body["department"] == LICENSER and body["attempt"] == 1
    (alert,) = body["alerts"]
    assert alert["id"] == report.alerts[0] and alert["party"]["key"] == E["CLEAR"]
    assert (alert["before"]["verdict"], alert["after"]["verdict"]) == ("clear", "restricted")
    signature = request.headers["x-creditnet-signature"]
    assert webhooks.verify(hook["secret"], request.body, signature)
    assert not webhooks.verify(other["secret"], request.body, signature)  # another hook's secret
    assert not webhooks.verify(hook["secret"], request.body.replace(b"restricted", b"clear"), signature)  # tampered
    assert not webhooks.verify(hook["secret"], request.body, None)
    assert request.headers["x-creditnet-delivery"] == str(body["delivery"])
    (delivery,) = webhooks.deliveries(supervised, hook["id"])
    assert delivery["state"] == "delivered" and delivery["alerts"] == report.alerts
    assert [(a["attempt"], a["status"], a["error"]) for a in delivery["attempts"]] == [(1, 200, None)]
    assert webhooks.deliveries(supervised, other["id"]) == []
    assert deliver_due(home, get_settings()).sent == 0  # delivered once, not again


def test_a_receiver_that_fails_twice_is_retried_with_back_off_until_it_answers(store, home, tmp_path, supervised):
    slow = settings(webhook_backoff_s=30)
    t0 = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)  # the outbox is written at now
    with Receiver(statuses=[500, 503, 200]) as receiver:
        hook = webhooks.register(supervised, slow, LICENSER, receiver.url)
        list_clear(store, home, tmp_path)
        derive(store, supervised, slow, as_of=DAY)
        first = deliver_due(home, slow, at=t0)
        assert (first.sent, first.failed, first.pending) == (0, 1, 1)
        assert deliver_due(home, slow, at=t0 + timedelta(seconds=29)).attempts == []  # waiting out the back-off
        second = deliver_due(home, slow, at=t0 + timedelta(seconds=30))
        assert (second.sent, second.failed) == (0, 1)
        assert deliver_due(home, slow, at=t0 + timedelta(seconds=89)).attempts == []  # doubled: 60 s now
        third = deliver_due(home, slow, at=t0 + timedelta(seconds=90))
        assert (third.sent, third.failed, third.pending) == (1, 0, 0)
        assert len(receiver.received) == 3
    (delivery,) = webhooks.deliveries(supervised, hook["id"])
    assert delivery["state"] == "delivered"
    assert [(a["attempt"], a["status"], a["at"]) for a in delivery["attempts"]] == [
        (1, 500, t0.isoformat()), (2, 503, (t0 + timedelta(seconds=30)).isoformat()),
        (3, 200, (t0 + timedelta(seconds=90)).isoformat())]
    assert "HTTP 500" in delivery["attempts"][0]["error"]
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["attempt"] for b in bodies] == [1, 2, 3] and len({b["delivery"] for b in bodies}) == 1
    for r in receiver.received:  # each attempt signed afresh
        assert webhooks.verify(hook["secret"], r.body, r.headers["x-creditnet-signature"])


def test_a_delivery_is_given_up_after_the_last_attempt_and_a_removed_hook_gets_nothing(store, home, tmp_path,
                                                                                      supervised):
    stubborn = settings(webhook_backoff_s=0, webhook_max_attempts=2)
    with Receiver(statuses=[500]) as receiver:
        hook = webhooks.register(supervised, stubborn, LICENSER, receiver.url)
        list_clear(store, home, tmp_path)
        derive(store, supervised, stubborn, as_of=DAY)
        assert deliver_due(home, stubborn).failed == 1
        last = deliver_due(home, stubborn)
        assert (last.given_up, last.pending) == (1, 0)
        assert deliver_due(home, stubborn).attempts == []
        assert webhooks.deliveries(supervised, hook["id"])[0]["state"] == "failed"
        webhooks.remove(supervised, hook["id"])
        with pytest.raises(Exception, match="append-only"):
            supervised.conn.execute("DELETE FROM delivery_attempt")
    assert len(receiver.received) == 2
    assert webhooks.hooks(supervised) == [] and webhooks.hooks(supervised, removed=True)[0]["active"] is False


def test_a_sender_killed_mid_delivery_loses_no_notification(store, home, tmp_path, supervised):
    """The pass commits the alert and its delivery together; a sender SIGKILLed while the receiver has not answered
    leaves the delivery pending, and the next round sends it again once the sender's lease has run out."""
    with Receiver(statuses=[200], delay_s=30) as receiver:
        hook = webhooks.register(supervised, get_settings(), LICENSER, receiver.url)
        list_clear(store, home, tmp_path)
        assert derive(store, supervised, get_settings(), as_of=DAY).deliveries == 1
        env = {**os.environ, "CREDITNET_HOME": str(home), "PYTHONPATH": str(REPO)}
        sender = subprocess.Popen([sys.executable, "-c", "from graph.settings import get_settings; "
                                   "from graph.supervision.outbox import deliver_due; "
                                   "deliver_due(get_settings().home, get_settings())"], env=env, cwd=REPO)
        assert receiver.arrived.wait(30), "the sender never posted"
        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
        receiver.delay_s = 0
        (delivery,) = webhooks.deliveries(supervised, hook["id"])
        assert delivery["state"] == "pending" and delivery["attempts"] == []  # the attempt never finished
        assert deliver_due(home, get_settings()).attempts == []  # the dead sender's lease still holds it
        later = datetime.now(timezone.utc) + timedelta(seconds=get_settings().webhook_timeout_s * 3 + 31)
        assert deliver_due(home, get_settings(), at=later).sent == 1
        assert len(receiver.received) == 2
    first, second = (json.loads(r.body) for r in receiver.received)
    assert first["delivery"] == second["delivery"]  # the receiver can drop the repeat by its id


def test_only_this_machine_or_an_allowed_network_may_receive(supervised):
    loopback = get_settings()
    for url, why in [("http://10.20.1.5/hook", "不在允许的网络内"), ("http://169.254.169.254/latest", "不在允许的网络内"),
                     ("http://[::ffff:10.0.0.1]/x", "不在允许的网络内"), ("ftp://127.0.0.1/x", "http"),
                     ("http://user:pw@127.0.0.1/x", "用户名"), ("http://0.0.0.0:8080/", "不在允许的网络内"),
                     ("127.0.0.1/x", "http"), ("http://no-such-host.invalid/x", "无法解析"), ("", "为空")]:
        with pytest.raises(InvalidRequest, match=why):
            webhooks.register(supervised, loopback, LICENSER, url)
    assert webhooks.register(supervised, loopback, LICENSER, "http://localhost:9/x")["url"] == "http://localhost:9/x"
    county_net = settings(webhook_allowed_networks="10.20.0.0/16, 192.168.8.5")
    webhooks.register(supervised, county_net, LICENSER, "https://10.20.1.5/hook")
    webhooks.register(supervised, county_net, LICENSER, "http://192.168.8.5:8080/hook")
    with pytest.raises(InvalidRequest):
        webhooks.register(supervised, county_net, LICENSER, "http://192.168.8.6/hook")
    with pytest.raises(InvalidRequest, match="已登记"):
        webhooks.register(supervised, county_net, LICENSER, "http://192.168.8.5:8080/hook")
    with pytest.raises(InvalidRequest, match="不在允许的网络内"):  # link-local, even when a listed block covers it
        webhooks.register(supervised, settings(webhook_allowed_networks="169.254.0.0/16"), LICENSER,
                          "http://169.254.169.254/")
    for unsafe in ("0.0.0.0/0", "::/0", "10.0.0.0/33", "county"):
        with pytest.raises(ValidationError):
            Settings(webhook_allowed_networks=unsafe)


def test_a_webhook_whose_network_is_no_longer_allowed_is_not_called(store, home, tmp_path, supervised):
    with Receiver() as receiver:
        hook = webhooks.register(supervised, get_settings(), LICENSER, receiver.url)
        list_clear(store, home, tmp_path)
        derive(store, supervised, get_settings(), as_of=DAY)
        supervised.conn.execute("UPDATE webhook SET url = 'http://10.9.9.9/x' WHERE id = ?", (hook["id"],))
        report = deliver_due(home, settings(webhook_backoff_s=0))
        assert report.failed == 1 and "不在允许的网络内" in report.attempts[0]["error"]
    assert receiver.received == []


def test_cli_registers_a_webhook_and_a_load_delivers_its_alerts(store, home, tmp_path, supervised):
    runner = CliRunner()
    with Receiver(statuses=[503, 200]) as receiver:
        r = runner.invoke(app, ["webhooks", "add", "县市场监管局", receiver.url, "--json"])
        assert r.exit_code == 0, r.output
        hook = json.loads(r.output)
        assert hook["department"] == LICENSER and hook["secret"]
        r = runner.invoke(app, ["webhooks", "add", "县市场监管局", "http://10.1.1.1/x", "--json"])
        assert r.exit_code == 2 and json.loads(r.output)["error"]["code"] == "invalid_request"
        path = write_csv(tmp_path / "bl.csv", BLACKLIST_HEADERS, [listing(E["CLEAR"], NAMES["CLEAR"])])
        r = runner.invoke(app, ["load", str(path), "--quiet", "--json"])
        assert r.exit_code == 0, r.output  # the receiver's 503 does not touch the load
        assert len(receiver.received) == 1  # tried right after the load
        r = runner.invoke(app, ["alerts", "deliver", "--json"])
        assert json.loads(r.output)["sent"] == 0  # the retry waits out its back-off
        r = runner.invoke(app, ["alerts", "deliver", "--now", "--json"])
        assert r.exit_code == 0 and json.loads(r.output)["sent"] == 1, r.output
        r = runner.invoke(app, ["webhooks", "deliveries", str(hook["id"]), "--json"])
        (delivery,) = json.loads(r.output)
        assert [a["status"] for a in delivery["attempts"]] == [503, 200]
        r = runner.invoke(app, ["webhooks", "list", "--json"])
        assert [h["id"] for h in json.loads(r.output)] == [hook["id"]] and "secret" not in r.output
        assert runner.invoke(app, ["webhooks", "remove", str(hook["id"])]).exit_code == 0
        assert runner.invoke(app, ["webhooks", "remove", str(hook["id"])]).exit_code == 3  # already removed
    alert = json.loads(receiver.received[-1].body)["alerts"][0]
    assert alert["party"]["key"] == E["CLEAR"]
    assert webhooks.verify(hook["secret"], receiver.received[-1].body,
                           receiver.received[-1].headers["x-creditnet-signature"])


def test_refresh_rescreens_once_a_day_unless_asked_for_full(store, home, supervised):
    runner = CliRunner()
    first = json.loads(runner.invoke(app, ["alerts", "refresh", "--as-of", "2026-06-02", "--json"]).output)
    again = json.loads(runner.invoke(app, ["alerts", "refresh", "--as-of", "2026-06-02", "--json"]).output)
    full = json.loads(runner.invoke(app, ["alerts", "refresh", "--as-of", "2026-06-02", "--full", "--json"]).output)
    assert first["mode"] == "full" and first["rechecked"] == first["watched"] > 0
    assert again["mode"] == "none" and again["rechecked"] == 0
    assert full["mode"] == "full" and full["rechecked"] == full["watched"] and full["alerts"] == 0
