"""Withdrawals, corrections, full exports and objections (issue 26), on every store.

A small county of its own (not the shared one: every test here changes its store): a court's 失信被执行人 listing
sent with the wrong person's ID number, and the enterprises each person heads. Dates are relative to today, since a
withdrawal counts from the day it is made.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from county import BLACKLIST_HEADERS, ENTERPRISE_HEADERS, id_number, uscc, write_csv
from graph.accounts import Forbidden
from graph.amendments import Actor, correct, withdraw
from graph.errors import InvalidRequest
from graph.ingest import load_file
from graph.objections import objections, register, set_status
from graph.queries.check import check
from graph.queries.profile import profile
from graph.settings import get_settings
from graph.snapshots import Snapshot, SnapshotRefused

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
LISTED_ON = (TODAY - timedelta(days=200)).isoformat()
COURT, FDRC = "县法院", "县发改局"
DEBTOR = uscc(601)                         # the enterprise the court's judgment names
RIGHT, WRONG = id_number(611), id_number(612)   # the judgment debtor, and the person whose number was typed instead
RIGHT_CO, WRONG_CO = uscc(602), uscc(603)  # each heads one of these
COURT_ACTOR, FDRC_ACTOR, BUREAU = Actor("cli", COURT, False), Actor("cli", FDRC, False), Actor("cli", None, True)


def registry_rows() -> list[list[str]]:
    return [["1", RIGHT_CO, "", "西吉县正主商贸有限公司", "有限责任公司", "马正", "居民身份证", RIGHT, "2015-03-01", "存续",
             "西吉县", "西吉县市场监督管理局"],
            ["2", WRONG_CO, "", "西吉县误列建材有限公司", "有限责任公司", "马误", "居民身份证", WRONG, "2015-03-01", "存续",
             "西吉县", "西吉县市场监督管理局"]]


def listing(n: int, code: str, person: str | None, *, sender: str = COURT, start: str = LISTED_ON,
            list_type: str = "失信被执行人", name: str = "西吉县欠债实业有限公司") -> list[str]:
    who = ["法定代表人", "马某", "居民身份证", person] if person else ["", "", "", ""]
    return [str(n), code, name, "《最高人民法院关于公布失信被执行人名单信息的若干规定》", "测试", start, "", sender,
            "县财政局", list_type, *who]


@pytest.fixture
def court(store, tmp_path, home):
    """The registry and the court's listing with the wrong person's number, loaded."""
    files = tmp_path / "files"
    files.mkdir()
    load_file(store, write_csv(files / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    load_file(store, write_csv(files / "court.csv", BLACKLIST_HEADERS, [listing(1, DEBTOR, WRONG)], "gbk"), home=home)
    return files


def verdict(store, key: str, on: date = TODAY) -> str:
    return check(store, key=key, as_of=on, settings=get_settings()).verdict


def the_listing(store, code: str = DEBTOR, person: str | None = None) -> dict:
    listings = profile(store, code)["records"]["blacklist"]
    found = [l for l in listings if person is None or l.get("id_number") == person]
    assert len(found) == 1, listings
    return found[0]


def correction_file(directory, old_id: str, person: str):
    return write_csv(directory / "correction.csv", [*BLACKLIST_HEADERS, "原记录编号"],
                     [[*listing(1, DEBTOR, person), old_id]], "gbk")


@pytest.mark.writes
def test_the_wrong_person_corrected_restricts_the_right_one_and_clears_the_wrong_one(store, court):
    assert (verdict(store, WRONG_CO), verdict(store, RIGHT_CO)) == ("restricted", "clear")
    wrong = the_listing(store)["record_id"]
    before = store.data_version()

    report = correct(store, correction_file(court, wrong, RIGHT), COURT_ACTOR, "证件号码录入错误")

    assert store.data_version() == before + 1
    (done,) = report["corrected"]
    assert done["record_id"] == wrong and done["replaced_by"] != wrong
    assert (verdict(store, WRONG_CO), verdict(store, RIGHT_CO)) == ("clear", "restricted")
    # The history shows both: the wrong listing, corrected, and the right one.
    listings = {l["id_number"]: l for l in profile(store, DEBTOR)["records"]["blacklist"]}
    assert listings[WRONG]["status"] == "corrected" and listings[WRONG]["ending"]["other"] == done["replaced_by"]
    assert listings[WRONG]["ending"]["reason"] == "证件号码录入错误" and listings[WRONG]["ending"]["department"] == COURT
    assert listings[RIGHT]["status"] == "active" and listings[RIGHT]["record_id"] == done["replaced_by"]
    wrong_history = check(store, key=WRONG, settings=get_settings()).history
    assert [r["status"] for h in wrong_history for r in h["restrictions"]] == ["corrected"]
    # As of the day before, the answer is what the data said then.
    assert (verdict(store, WRONG_CO, YESTERDAY), verdict(store, RIGHT_CO, YESTERDAY)) == ("restricted", "clear")


@pytest.mark.writes
def test_a_withdrawn_listing_stops_counting_at_once_and_an_earlier_date_answers_as_before(store, court):
    record = the_listing(store)["record_id"]
    before = store.data_version()
    report = withdraw(store, COURT_ACTOR, "误报", record_ids=[record])
    assert [w["record_id"] for w in report["withdrawn"]] == [record]
    assert store.data_version() == before + 1
    assert verdict(store, WRONG_CO) == "clear"
    earlier = check(store, key=WRONG_CO, as_of=YESTERDAY, settings=get_settings())
    assert earlier.verdict == "restricted"
    assert any("撤回" in note and "误报" in note for hit in earlier.hits for note in hit.notes)
    # Nothing deleted: the record is there, withdrawn, with who, when and why.
    kept = the_listing(store)
    assert kept["status"] == "withdrawn" and kept["ending"]["event"] == "withdrawn"
    assert kept["ending"]["effective"] == TODAY.isoformat()
    with pytest.raises(InvalidRequest):  # once is enough
        withdraw(store, COURT_ACTOR, "再次", record_ids=[record])


@pytest.mark.writes
def test_a_file_of_rows_withdraws_the_records_it_names(store, court, tmp_path):
    path = write_csv(tmp_path / "withdraw.csv", BLACKLIST_HEADERS, [listing(1, DEBTOR, WRONG)], "gbk")
    report = withdraw(store, COURT_ACTOR, "误报", path=path)
    assert [w["record_id"] for w in report["withdrawn"]] == [the_listing(store)["record_id"]]
    assert verdict(store, WRONG_CO) == "clear"


@pytest.mark.writes
def test_a_department_cannot_withdraw_or_correct_another_departments_record(store, court):
    record = the_listing(store)["record_id"]
    before = store.data_version()
    with pytest.raises(Forbidden):
        withdraw(store, FDRC_ACTOR, "不是我的", record_ids=[record])
    with pytest.raises(Forbidden):
        correct(store, correction_file(court, record, RIGHT), FDRC_ACTOR, "不是我的")
    assert store.data_version() == before and verdict(store, WRONG_CO) == "restricted"
    withdraw(store, BUREAU, "管理员代为撤回", record_ids=[record])  # the bureau may
    assert verdict(store, WRONG_CO) == "clear"


def court_file(directory, name: str, rows: list[list[str]]):
    return write_csv(directory / name, BLACKLIST_HEADERS, rows, "gbk")


FIVE = [listing(i, uscc(700 + i), None, name=f"西吉县全量{i}号有限公司") for i in range(1, 6)]


@pytest.mark.writes
def test_a_full_export_ends_what_it_omits_listed_before_committing_in_a_dry_run(store, court, tmp_path, home):
    load_file(store, court_file(tmp_path, "month1.csv", FIVE), home=home)
    # The court's records: the wrong-person listing and five more. The next month's export lifts one of the five and
    # no longer holds the wrong-person listing: 2 of 6 end (33%), over the 20% allowed: confirmed.
    month2 = court_file(tmp_path, "month2.csv", FIVE[1:])
    before = store.data_version()
    dry = load_file(store, month2, home=home, dry_run=True, snapshot=Snapshot(confirmed=True))
    assert store.data_version() == before
    ended = sorted(e["enterprise"] for e in dry.snapshot["ended"])
    assert ended == sorted([DEBTOR, uscc(701)]) and dry.snapshot["department"] == COURT
    assert verdict(store, uscc(701)) == "restricted"  # the dry run wrote nothing

    report = load_file(store, month2, home=home, snapshot=Snapshot(confirmed=True))
    assert store.data_version() == before + 1
    assert sorted(e["enterprise"] for e in report.snapshot["ended"]) == ended
    assert verdict(store, uscc(701)) == "clear" and verdict(store, uscc(702)) == "restricted"
    assert verdict(store, uscc(701), YESTERDAY) == "restricted"  # with history
    assert the_listing(store, uscc(701))["status"] == "ended"
    # Sent again (the lifting was an error in the export), the listing comes back from that day.
    again = load_file(store, court_file(tmp_path, "month3.csv", FIVE), home=home)
    assert again.resent["reinstated"] == [the_listing(store, uscc(701))["record_id"]]
    assert verdict(store, uscc(701)) == "restricted"


@pytest.mark.writes
def test_a_full_export_does_not_end_what_its_unreadable_rows_may_be(store, court, tmp_path, home):
    """Next month's export sends one listing with its code mistyped (the row cannot be read), and one row naming no
    one at all: neither may end a listing still on the court's list (never a silent clear)."""
    load_file(store, court_file(tmp_path, "month1.csv", FIVE), home=home)
    mistyped = list(FIVE[0])
    mistyped[1] = mistyped[1][:-1] + ("0" if mistyped[1][-1] != "0" else "1")
    month2 = court_file(tmp_path, "month2.csv", [mistyped, *FIVE[1:]])
    report = load_file(store, month2, home=home, snapshot=Snapshot(confirmed=True))
    assert report.rejected == 1 and uscc(701) in {r["enterprise"] for r in report.snapshot["kept_unread"]}
    assert verdict(store, uscc(701)) == "restricted"
    nameless = listing(9, "", None, name="")
    month3 = court_file(tmp_path, "month3.csv", [nameless, *FIVE[2:]])
    report = load_file(store, month3, home=home, snapshot=Snapshot(confirmed=True))
    assert report.snapshot["ended_count"] == 0 and "不终止任何记录" in report.snapshot["kept_message"]
    assert verdict(store, uscc(702)) == "restricted"


@pytest.mark.writes
def test_a_truncated_full_export_is_refused_unless_confirmed(store, court, tmp_path, home):
    load_file(store, court_file(tmp_path, "month1.csv", FIVE), home=home)
    truncated = court_file(tmp_path, "truncated.csv", FIVE[:1])
    before = store.data_version()
    with pytest.raises(SnapshotRefused) as refused:
        load_file(store, truncated, home=home, snapshot=Snapshot(max_ended_share=0.2))
    assert "--confirm-snapshot" in refused.value.message and refused.value.details["ended_count"] == 5
    assert store.data_version() == before and verdict(store, uscc(705)) == "restricted"
    dry = load_file(store, truncated, home=home, dry_run=True, snapshot=Snapshot())
    assert dry.snapshot["refused"] and dry.snapshot["ended_count"] == 5
    # One record of six ended is within the share: no confirmation needed.
    one_less = court_file(tmp_path, "one_less.csv", [listing(1, DEBTOR, WRONG), *FIVE[:4]])
    assert load_file(store, one_less, home=home, snapshot=Snapshot()).snapshot["ended_count"] == 1
    assert verdict(store, uscc(705)) == "clear"


@pytest.mark.writes
def test_a_truncated_export_padded_with_new_rows_is_still_refused_and_another_list_ends_nothing(store, court, tmp_path,
                                                                                               home):
    """The share is of the records that counted before the file: new rows do not dilute it. A court's export of
    another list (限制消费人员) does not end its 失信被执行人 listings."""
    load_file(store, court_file(tmp_path, "month1.csv", FIVE), home=home)
    new = [listing(10 + i, uscc(720 + i), None, name=f"西吉县新增{i}号有限公司") for i in range(40)]
    padded = court_file(tmp_path, "padded.csv", [*FIVE[:1], *new])
    with pytest.raises(SnapshotRefused) as refused:
        load_file(store, padded, home=home, snapshot=Snapshot())
    assert refused.value.details["ended_count"] == 5 and refused.value.details["current_before"] == 6
    consumption = court_file(tmp_path, "consumption.csv", [listing(1, uscc(790), None, list_type="限制消费人员名单")])
    report = load_file(store, consumption, home=home, snapshot=Snapshot())
    assert report.snapshot["ended_count"] == 0
    assert verdict(store, uscc(705)) == "restricted" and verdict(store, uscc(790)) == "restricted"


@pytest.mark.writes
def test_an_open_objection_shows_in_every_answer_and_its_outcome_names_the_correction(store, court):
    record = the_listing(store)["record_id"]
    before = store.data_version()
    registered = register(store, record, "马误", "本人从未涉诉，证件号码系误录", BUREAU)
    assert store.data_version() == before + 1 and registered["status"] == "受理"
    answer = check(store, key=WRONG_CO, settings=get_settings())
    (hit,) = answer.hits
    assert [o["id"] for o in hit.restrictions[0]["objections"]] == [registered["id"]]
    assert any("异议" in note for note in hit.notes)
    assert profile(store, DEBTOR)["records"]["blacklist"][0]["objections"][0]["grounds"] == "本人从未涉诉，证件号码系误录"
    with pytest.raises(InvalidRequest):  # 更正 only once the facts were verified
        set_status(store, registered["id"], "更正", BUREAU)
    set_status(store, registered["id"], "核实", BUREAU, note="已函询县法院")
    with pytest.raises(InvalidRequest):  # never back
        set_status(store, registered["id"], "受理", BUREAU)
    with pytest.raises(InvalidRequest):  # upheld only once the sender has corrected or withdrawn the record
        set_status(store, registered["id"], "更正", BUREAU)
    withdraw(store, COURT_ACTOR, "经核实系误录", record_ids=[record])
    closed = set_status(store, registered["id"], "更正", BUREAU, note="县法院已撤回")
    event = the_listing(store)["events"][-1]
    assert closed["outcome"] == event["seq"] and event["event"] == "withdrawn"
    assert [h["status"] for h in closed["history"]] == ["受理", "核实", "更正"]
    assert objections(store, open_only=True) == []
    (kept,) = objections(store, department=COURT)
    assert kept["status"] == "更正" and kept["record"]["record_id"] == record
    as_before = check(store, key=WRONG_CO, as_of=YESTERDAY, settings=get_settings())
    assert as_before.hits and as_before.hits[0].restrictions[0]["objections"] == []  # registered today, not then


# --- through the API and the CLI --------------------------------------------------------------------------------
def fdrc_listing(code: str = uscc(620), name: str = "西吉县发改名单有限公司") -> dict[str, str]:
    from api_fixtures import listing_row
    return listing_row(code, name, sender="县发改局", start=LISTED_ON)


@pytest.mark.writes
def test_api_a_department_cannot_withdraw_another_departments_record_and_a_recorded_check_reads_the_same(store, keys):
    from api_fixtures import app_client, auth
    code = uscc(620)
    with app_client() as client:
        sent = client.post("/api/v1/records/blacklist", json=[fdrc_listing(code)], headers=auth(keys.fdrc))
        assert sent.status_code == 200, sent.text
        asked = client.post("/api/v1/checks", json={"key": code}, headers=auth(keys.fdrc))
        assert asked.json()["verdict"] == "restricted"
        (restriction,) = asked.json()["hits"][0]["restrictions"]
        record = restriction["record_id"]
        version = asked.json()["data_version"]

        refused = client.post("/api/v1/records/blacklist/withdrawals", json={"record_ids": [record], "reason": "试图撤回"},
                              headers=auth(keys.finance))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert client.post("/api/v1/checks", json={"key": code}, headers=auth(keys.fdrc)).json()["verdict"] == "restricted"

        done = client.post("/api/v1/records/blacklist/withdrawals", json={"record_ids": [record], "reason": "误报"},
                           headers=auth(keys.fdrc))
        assert done.status_code == 200, done.text
        assert [w["record_id"] for w in done.json()["withdrawn"]] == [record] and done.json()["data_version"] == version + 1
        now = client.post("/api/v1/checks", json={"key": code}, headers=auth(keys.fdrc)).json()
        assert now["verdict"] == "clear" and now["history"][0]["restrictions"][0]["status"] == "withdrawn"
        # The check recorded before the withdrawal reads exactly as it was answered.
        recorded = client.get(f"/api/v1/checks/{asked.json()['check_id']}", headers=auth(keys.fdrc))
        assert recorded.json()["result"] == asked.json()
        changes = client.get("/api/v1/audit/changes", headers=auth(keys.admin)).json()["changes"]
        assert [(c["action"], c["records"], c["reason"]) for c in changes] == [("withdraw", [record], "误报")]
        assert changes[0]["department"] == "县发改局"


@pytest.mark.writes
def test_api_corrections_full_exports_and_objections(store, keys, tmp_path):
    from api_fixtures import app_client, auth, blacklist_csv
    first, second = fdrc_listing(uscc(621), "西吉县甲号有限公司"), fdrc_listing(uscc(622), "西吉县乙号有限公司")
    with app_client() as client:
        assert client.post("/api/v1/records/blacklist", json=[first, second], headers=auth(keys.fdrc)).status_code == 200
        profile_of = client.get(f"/api/v1/enterprises/{uscc(621)}", headers=auth(keys.fdrc)).json()
        record = profile_of["records"]["blacklist"][0]["record_id"]
        # The wrong enterprise: corrected to another code.
        row = {**fdrc_listing(uscc(623), "西吉县丙号有限公司"), "原记录编号": record}
        body = blacklist_csv([row]).decode().splitlines()
        csv_text = "\n".join([body[0] + ",原记录编号"] + [line + f",{record}" for line in body[1:]]) + "\n"
        files = {"file": ("correction.csv", csv_text.encode("utf-8"), "text/csv")}
        refused = client.post("/api/v1/records/blacklist/corrections", files=files, data={"reason": "代码错"},
                              headers=auth(keys.finance))
        assert refused.status_code == 403
        fixed = client.post("/api/v1/records/blacklist/corrections", files=files, data={"reason": "代码错"},
                            headers=auth(keys.fdrc))
        assert fixed.status_code == 200, fixed.text
        new = fixed.json()["corrected"][0]["replaced_by"]
        assert client.post("/api/v1/checks", json={"key": uscc(621)}, headers=auth(keys.fdrc)).json()["verdict"] == "clear"
        assert client.post("/api/v1/checks", json={"key": uscc(623)}, headers=auth(keys.fdrc)).json()["verdict"] == \
            "restricted"
        # An objection against the new record, by the bureau only.
        objection = {"record_id": new, "objector": "西吉县丙号有限公司", "grounds": "本企业未受处罚"}
        assert client.post("/api/v1/objections", json=objection, headers=auth(keys.fdrc)).status_code == 403
        registered = client.post("/api/v1/objections", json=objection, headers=auth(keys.admin))
        assert registered.status_code == 200, registered.text
        hit = client.post("/api/v1/checks", json={"key": uscc(623)}, headers=auth(keys.fdrc)).json()["hits"][0]
        assert hit["restrictions"][0]["objections"][0]["id"] == registered.json()["id"]
        mine = client.get("/api/v1/objections", headers=auth(keys.fdrc)).json()["objections"]
        assert [o["id"] for o in mine] == [registered.json()["id"]]
        assert client.get("/api/v1/objections", headers=auth(keys.finance)).json()["objections"] == []
        rejected = client.post(f"/api/v1/objections/{registered.json()['id']}/status", json={"status": "驳回"},
                               headers=auth(keys.admin))
        assert rejected.status_code == 200 and rejected.json()["status"] == "驳回"
        # A full export holding only the corrected listing ends the other one (1 of 2: confirmed).
        export = [fdrc_listing(uscc(623), "西吉县丙号有限公司")]
        truncated = client.post("/api/v1/records/blacklist?snapshot=true", json=export, headers=auth(keys.fdrc))
        assert truncated.status_code == 409 and "confirm" in truncated.json()["error"]["message"]
        confirmed = client.post("/api/v1/records/blacklist?snapshot=true&confirm_snapshot=true", json=export,
                                headers=auth(keys.fdrc))
        assert confirmed.status_code == 200, confirmed.text
        assert [e["enterprise"] for e in confirmed.json()["snapshot"]["ended"]] == [uscc(622)]
        assert client.post("/api/v1/checks", json={"key": uscc(622)}, headers=auth(keys.fdrc)).json()["verdict"] == "clear"


@pytest.mark.writes
def test_cli_withdraw_correct_full_export_and_objection(store, court, tmp_path):
    import json

    from typer.testing import CliRunner

    from cli.main import app
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    record = the_listing(store)["record_id"]
    assert invoke("withdraw", "--record", record, "--reason", "x", "--department", FDRC).exit_code == 2
    refused = invoke("withdraw", "--record", record, "--department", COURT)  # no reason
    assert refused.exit_code == 2 and "原因" in refused.output
    fixed = invoke("correct", correction_file(court, record, RIGHT), "--reason", "证件号码录入错误", "--department", COURT,
                   "--json")
    assert fixed.exit_code == 0, fixed.output
    new = json.loads(fixed.stdout)["corrected"][0]["replaced_by"]
    assert (verdict(store, WRONG_CO), verdict(store, RIGHT_CO)) == ("clear", "restricted")
    shown = invoke("profile", DEBTOR)
    assert record in shown.stdout and "已更正" in shown.stdout
    added = invoke("objection", "add", new, "--objector", "马正", "--grounds", "已履行", "--json")
    assert added.exit_code == 0, added.output
    added_id = json.loads(added.stdout)["id"]
    assert "有异议" in invoke("check", RIGHT_CO).stdout
    dry = invoke("load", "--snapshot", "--dry-run", "--json", court_file(tmp_path, "empty-ish.csv", FIVE[:1]))
    report = json.loads(dry.stdout)
    assert dry.exit_code == 2  # a dry run says the load would be refused
    assert report["snapshot"]["refused"] and report["snapshot"]["ended_count"] == 1  # the corrected listing counts
    shown = invoke("load", "--snapshot", "--dry-run", court_file(tmp_path, "empty-ish.csv", FIVE[:1]))
    assert shown.exit_code == 2 and f"{new}  西吉县欠债实业有限公司，马某" in shown.stdout  # named with its person
    changes = json.loads(invoke("audit", "--changes", "--json").stdout)
    assert [c["action"] for c in changes] == ["correct", "objection"]
    assert f"objection {added_id}：受理" in invoke("audit", "--changes").stdout


@pytest.mark.parametrize("backend", ["neo4j"], indirect=True)
def test_export_to_neo4j_copies_withdrawals_corrections_and_objections(store, backend, home, tmp_path):
    import json

    from typer.testing import CliRunner

    from cli.main import app
    from graph.stores.embedded import EmbeddedStore
    embedded = EmbeddedStore(home)
    files = tmp_path / "files"
    files.mkdir()
    load_file(embedded, write_csv(files / "registry.csv", ENTERPRISE_HEADERS, registry_rows()), home=home)
    load_file(embedded, court_file(files, "court.csv", [listing(1, DEBTOR, WRONG), *FIVE]), home=home)
    wrong = the_listing(embedded)["record_id"]
    correct(embedded, correction_file(files, wrong, RIGHT), COURT_ACTOR, "证件号码录入错误")
    withdraw(embedded, COURT_ACTOR, "误报", record_ids=[the_listing(embedded, uscc(702))["record_id"]])
    objection = register(embedded, the_listing(embedded, uscc(703))["record_id"], "某", "有异议", BUREAU)
    set_status(embedded, objection["id"], "核实", BUREAU)
    result = CliRunner().invoke(app, ["export", "--to", "neo4j", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert (counts["record_event"], counts["objection"]) == (3, 1)  # corrected and entered, withdrawn; one objection
    for on in (TODAY, YESTERDAY):
        for key in (WRONG_CO, RIGHT_CO, uscc(702), uscc(703), WRONG, RIGHT):
            a = check(embedded, key=key, as_of=on, settings=get_settings()).as_dict()
            b = check(store, key=key, as_of=on, settings=get_settings()).as_dict()
            a.pop("data_version"), b.pop("data_version")
            assert a == b, (key, on)
    a, b = profile(embedded, DEBTOR), profile(store, DEBTOR)
    a.pop("data_version"), b.pop("data_version")
    for answer in (a, b):  # numbered by each store, and made at its own version
        for record in answer["records"]["blacklist"]:
            for e in record.get("events", []):
                e.pop("data_version")
    assert a == b
    assert [o["status"] for o in objections(store)] == ["核实"]
    embedded.close()
