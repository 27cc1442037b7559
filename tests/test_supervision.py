"""Follow-up supervision on both stores: watched subjects, alerts after loads and by date, responses, the CLI."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from county import AS_OF, BLACKLIST_HEADERS, E, NAMES, write_csv

from cli.main import app
from graph.accounts import Forbidden
from graph.ingest import load_file
from graph.settings import get_settings
from graph.supervision import responses
from graph.supervision.alerts import derive
from graph.supervision.db import SupervisionDB
from graph.supervision.watch import add_from_file

pytestmark = pytest.mark.writes
DAY = date.fromisoformat(AS_OF)
LICENSER = "县市场监督管理局"  # issued CLEAR's food licence (tests/county.py)


def listing(code: str, name: str, start: str = "2026-05-01", end: str = "", sender: str = "县法院",
            receivers: str = "县财政局", n: int = 1) -> list[str]:
    return [str(n), code, name, "依据X", "", start, end, sender, receivers, "失信被执行人", "", "", "", ""]


@pytest.fixture
def supervised(county, store, home, tmp_path):
    """The county with its first answers kept (the baseline: no alert)."""
    db = SupervisionDB(home)
    first = derive(store, db, get_settings(), as_of=DAY)
    assert first.alerts == [] and first.mode == "full"
    yield db
    db.close()


def load(store, home, tmp_path, rows, name="bl.csv"):
    report = load_file(store, write_csv(tmp_path / name, BLACKLIST_HEADERS, rows), home=home)
    assert report.changed
    return report


def test_a_licensee_listed_by_another_department_alerts_the_licensing_department_only(store, home, tmp_path, supervised):
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"])])
    report = derive(store, supervised, get_settings(), as_of=DAY)
    assert report.mode == "incremental" and len(report.alerts) == 1
    (alert,) = responses.alerts(supervised)
    assert alert["department"] == LICENSER and alert["party"]["key"] == E["CLEAR"]
    assert (alert["before"]["verdict"], alert["after"]["verdict"]) == ("clear", "restricted")
    assert [h["party"]["key"] for h in alert["changed"]["added"]] == [E["CLEAR"]]
    assert alert["changed"]["added"][0]["listings"][0]["sender"] == "县法院"
    assert alert["data_version"]["after"] == store.data_version() > alert["data_version"]["before"]
    assert responses.alerts(supervised, "县财政局") == [] and responses.alerts(supervised, "县法院") == []
    # The same pass again: nothing new.
    assert derive(store, supervised, get_settings(), as_of=DAY).alerts == []


def test_a_hit_that_ends_raises_a_closing_alert(store, home, tmp_path, supervised):
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"])])
    derive(store, supervised, get_settings(), as_of=DAY)
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"], end="2026-05-20")], "removed.csv")  # ended early
    report = derive(store, supervised, get_settings(), as_of=DAY)
    assert len(report.alerts) == 1
    latest = responses.alerts(supervised, LICENSER)[0]
    assert (latest["before"]["verdict"], latest["after"]["verdict"]) == ("restricted", "clear")
    assert [h["party"]["key"] for h in latest["changed"]["ended"]] == [E["CLEAR"]]


def test_refresh_by_date_picks_up_a_listing_that_starts_and_is_idempotent(store, home, tmp_path, supervised):
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"], start="2026-07-01")])
    assert derive(store, supervised, get_settings(), as_of=DAY).alerts == []  # not active yet on the day
    later = date(2026, 7, 2)
    first = derive(store, supervised, get_settings(), as_of=later, full=True, cause="refresh")
    assert len(first.alerts) == 1 and first.rechecked == first.watched
    again = derive(store, supervised, get_settings(), as_of=later, full=True, cause="refresh")
    assert again.alerts == [] and len(responses.alerts(supervised)) == 1
    assert responses.alerts(supervised)[0]["cause"] == "refresh"


def test_a_load_touching_an_unrelated_party_rechecks_no_watched_subject(store, home, tmp_path, supervised):
    load(store, home, tmp_path, [listing(E["EXPIRED"], NAMES["EXPIRED"])])  # EXPIRED is nowhere near CLEAR
    report = derive(store, supervised, get_settings(), as_of=DAY)
    assert report.mode == "incremental" and report.rechecked == 0 and report.alerts == []
    # A subject within reach of the change is re-checked, and only it.
    add = write_csv(tmp_path / "watch.csv", ["统一社会信用代码"], [[E["TWO_HOPS"]]])
    add_from_file(supervised, "县财政局", add)
    derive(store, supervised, get_settings(), as_of=DAY)  # TWO_HOPS's first answer
    load(store, home, tmp_path, [listing(E["LISTED"], NAMES["LISTED"], start="2026-02-01", n=1)], "again.csv")
    report = derive(store, supervised, get_settings(), as_of=DAY)
    assert report.rechecked == 1  # TWO_HOPS (two hops from LISTED through a shared shareholder); CLEAR is not near


def test_alerts_are_derived_later_when_the_process_died_after_the_commit(store, home, tmp_path, supervised):
    # Two loads commit and no pass runs after them (as if the process were killed between commit and alerts).
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"])])
    load(store, home, tmp_path, [listing(E["EXPIRED"], NAMES["EXPIRED"])], "other.csv")
    assert responses.alerts(supervised) == []
    report = derive(store, supervised, get_settings(), as_of=DAY)  # the next load's or refresh's pass
    assert report.mode == "incremental" and len(report.alerts) == 1
    assert report.version_after - report.version_before == 2


def test_own_watch_list_from_a_file_rejects_bad_rows_and_alerts_the_watching_department(store, home, tmp_path,
                                                                                         supervised):
    bad = E["CLEAR"][:-1] + ("0" if E["CLEAR"][-1] != "0" else "1")
    path = write_csv(tmp_path / "关注.csv", ["序号", "统一社会信用代码", "企业名称"],
                     [["1", E["SHAREHOLDER_ONLY"], NAMES["SHAREHOLDER_ONLY"]], ["2", bad, "坏代码"], ["3", "", "空"]])
    report = add_from_file(supervised, "西吉县财政局", path)
    assert (report.added, len(report.rejects)) == (1, 2)
    assert [(r.row_number, r.field) for r in report.rejects] == [(3, "统一社会信用代码"), (4, "统一社会信用代码")]
    derive(store, supervised, get_settings(), as_of=DAY)
    load(store, home, tmp_path, [listing(E["SHAREHOLDER_ONLY"], NAMES["SHAREHOLDER_ONLY"])])
    derive(store, supervised, get_settings(), as_of=DAY)
    (alert,) = responses.alerts(supervised)
    assert alert["department"] == "县财政局" and alert["watched_for"] == ["本部门关注名单"]


def test_responses_are_recorded_and_the_sender_sees_who_responded(store, home, tmp_path, supervised):
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"], receivers="县市场监督管理局、县财政局")])
    derive(store, supervised, get_settings(), as_of=DAY)
    (alert,) = responses.alerts(supervised, LICENSER, open_only=True)
    with pytest.raises(Forbidden):
        responses.respond_to_alert(supervised, alert["id"], "县财政局", measure="列入重点监管", note=None, official="王")
    answered = responses.respond_to_alert(supervised, alert["id"], "西吉县市场监督管理局", measure="撤销或注销许可",
                                          note="已撤销食品经营许可", official="李明", acted_on="2026-06-03")
    assert answered["open"] is False and answered["responses"][0]["measure"] == "撤销或注销许可"
    assert responses.alerts(supervised, LICENSER, open_only=True) == []
    def sent_about_clear():
        (sent,) = [x for x in responses.feedback(store, supervised, "县法院", DAY) if x["party"]["key"] == E["CLEAR"]]
        return sent
    sent = sent_about_clear()
    assert sent["not_responded"] == ["县财政局"]  # 县市场监督管理局 answered through its alert
    responses.respond_to_listing(store, supervised, sent["id"], "县财政局", measure="核查后无需处理", note=None,
                                 official="张华", on=DAY)
    assert sent_about_clear()["not_responded"] == []
    with pytest.raises(Forbidden):  # not a receiver of that listing
        responses.respond_to_listing(store, supervised, sent["id"], "县公安局", measure="其他", note="x", official="赵",
                                     on=DAY)
    with pytest.raises(Exception, match="append-only"):
        supervised.conn.execute("DELETE FROM response")


def test_cli_load_derives_alerts_and_the_department_answers(store, home, tmp_path, supervised):
    runner = CliRunner()
    path = write_csv(tmp_path / "bl.csv", BLACKLIST_HEADERS, [listing(E["CLEAR"], NAMES["CLEAR"])])
    r = runner.invoke(app, ["alerts", "refresh", "--as-of", AS_OF, "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["load", str(path), "--quiet", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["alerts", "--department", "县市场监管局", "--open", "--json"])
    assert r.exit_code == 0, r.output
    (alert,) = json.loads(r.output)
    assert alert["party"]["key"] == E["CLEAR"] and alert["after"]["verdict"] == "restricted"
    r = runner.invoke(app, ["respond", "县市场监督管理局", "--alert", str(alert["id"]), "--measure", "暂停或限制",
                            "--official", "李明", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["alerts", "--department", "县市场监督管理局", "--open", "--json"])
    assert json.loads(r.output) == []
    r = runner.invoke(app, ["watch", "list", "县市场监督管理局", "--as-of", AS_OF, "--json"])
    assert [x["party"]["key"] for x in json.loads(r.output)] == [E["CLEAR"]]
    r = runner.invoke(app, ["respond", "县财政局", "--alert", str(alert["id"]), "--measure", "其他", "--note", "x",
                            "--official", "王", "--json"])
    assert r.exit_code == 2 and json.loads(r.output)["error"]["code"] == "forbidden"


def test_a_withdrawn_listing_tells_the_licensing_department_its_licensee_is_clear_again(store, home, tmp_path,
                                                                                       supervised):
    """Withdrawals move the data version like a load, and feed follow-up supervision the same way."""
    from graph.amendments import Actor, withdraw
    from graph.queries.check import check

    today = date.today()  # a withdrawal holds from the day it is made: a check as of an earlier day still counts it
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"])])
    derive(store, supervised, get_settings(), as_of=today)
    answer = check(store, key=E["CLEAR"], as_of=today, settings=get_settings())
    (record_id,) = {r["record_id"] for h in answer.hits for r in h.restrictions}
    withdraw(store, Actor.cli("县法院"), "证件号码录入错误", record_ids=[record_id])
    assert derive(store, supervised, get_settings(), as_of=today).alerts
    latest = responses.alerts(supervised, LICENSER)[0]
    assert (latest["before"]["verdict"], latest["after"]["verdict"]) == ("restricted", "clear")


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_large_pass_checks_in_worker_processes_and_finds_what_one_process_finds(store, home, tmp_path, supervised,
                                                                                  monkeypatch, start):
    """A full re-screen hands its subjects to worker processes, each with its own connection to the store (here
    forced for a county this small): the same answers, the same alerts. The embedded store's workers are forked
    after the graph was read (the service's, which runs threads, are spawned, as Neo4j's always are)."""
    from graph.supervision import rescreen
    may_fork = rescreen._may_fork(store)
    assert may_fork == (store.name == "embedded")  # pytest runs the test in its only thread
    if start == "spawn":
        monkeypatch.setattr(rescreen, "_may_fork", lambda store: False)
    elif not may_fork:
        pytest.skip("the store cannot cross a fork")
    add = write_csv(tmp_path / "watch.csv", ["统一社会信用代码"], [[E[k]] for k in ("TWO_HOPS", "LISTED", "EXPIRED")])
    add_from_file(supervised, "县财政局", add)
    derive(store, supervised, get_settings(), as_of=DAY)
    load(store, home, tmp_path, [listing(E["CLEAR"], NAMES["CLEAR"])])
    supervised.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (tmp_path / "alone").mkdir()
    shutil.copyfile(home / "supervision.sqlite", tmp_path / "alone" / "supervision.sqlite")
    alone = SupervisionDB(tmp_path / "alone")
    monkeypatch.setattr(rescreen, "PARALLEL_FROM", 1)
    monkeypatch.setattr(rescreen, "CHUNK", 1)
    spread = derive(store, supervised, get_settings().model_copy(update={"alerts_workers": 2}), as_of=DAY, full=True)
    single = derive(store, alone, get_settings().model_copy(update={"alerts_workers": 1}), as_of=DAY, full=True)
    assert spread.rechecked == single.rechecked == spread.watched == 4 and len(spread.alerts) == 1
    answers = "SELECT party_kind, party_key, verdict, hits FROM answer ORDER BY 1, 2"
    assert supervised.rows(answers) == alone.rows(answers)
    assert responses.alerts(supervised)[0]["after"] == responses.alerts(alone)[0]["after"]
    alone.close()


def test_reading_the_whole_county_ahead_gives_every_check_the_answer_it_finds_alone(county, monkeypatch):
    """A full pass reads every role at once before its checks (graph/stores/party_graph.py, read_ahead): each
    enterprise and person of the county gets the answer of a store that read nothing ahead."""
    from graph.queries.check import check
    from graph.stores import party_graph
    from graph.stores.embedded import EmbeddedStore
    if county.name != "embedded":
        pytest.skip("only the embedded store reads ahead")
    every = county.read(lambda r: [("enterprise", k) for (k,) in r.conn.execute("SELECT key FROM enterprise")] +
                        [("person", k) for (k,) in r.conn.execute("SELECT id_number FROM person")])
    fresh = EmbeddedStore(county.home)  # the same file, nothing read yet
    monkeypatch.setattr(party_graph, "READ_ALL_FROM", 1)  # a county this small is read in one scan too
    scans = []
    monkeypatch.setattr(party_graph.PartyGraph, "_read_all", lambda pg, conn, read=party_graph.PartyGraph._read_all:
                        scans.append(read(pg, conn)))
    county.read(lambda r: r.read_ahead(every, 3))
    assert len(scans) == 1
    assert county._graph is not None and county._graph.loaded >= {n for n in every if n in county._graph.graph}
    try:
        for _, key in every:
            ahead = check(county, key=key, as_of=DAY, settings=get_settings()).as_dict()
            assert ahead == check(fresh, key=key, as_of=DAY, settings=get_settings()).as_dict(), key
    finally:
        fresh.close()
