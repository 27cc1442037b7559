"""What the pages need to show status at a glance and to reopen checks, through FastAPI's TestClient on every store:
an enterprise's restriction on its profile, active listings in the public search, the recorded checks listed and
exported (a department its own, the admin all, persons masked), and the record page at /checks/{id}.
(tests/test_web_browser_records.py drives the same in Chromium.)"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook

from api_fixtures import auth
from county import AS_OF, E, NAMES, P, PERSON_NAMES
from web_fixtures import unmasked_id_numbers

from api.web.check_records import COLUMNS
from api.web.pages import RECORD, render
from graph.identifiers import mask_id_number


def _check(client, key, subject, **extra):
    r = client.post("/api/v1/checks", json={"key": subject, "as_of": AS_OF, **extra}, headers=auth(key))
    assert r.status_code == 200, r.text
    return r.json()


def _records(client, key, **params):
    r = client.get("/api/v1/checks", params=params, headers=auth(key))
    assert r.status_code == 200, r.text
    return r.json()


# --- status at a glance ---------------------------------------------------------------------------------------
def test_a_profile_says_whether_the_enterprise_is_restricted_and_why(web_client, keys):
    def restriction(code):
        r = web_client.get(f"/api/v1/enterprises/{code}", params={"as_of": AS_OF}, headers=auth(keys.finance))
        assert r.status_code == 200, r.text
        return r.json()["restriction"]

    listed = restriction(E["LISTED"])
    assert listed["restricted"] and [x["rule"] for x in listed["reasons"]] == ["subject-listed"]
    listing_ids = {l["record_id"] for l in web_client.get(f"/api/v1/enterprises/{E['LISTED']}", params={"as_of": AS_OF},
                                                          headers=auth(keys.finance)).json()["records"]["blacklist"]}
    assert set(listed["reasons"][0]["record_ids"]) <= listing_ids
    # restricted with no listing of its own: its legal representative is on a list that bars him from office
    officer = restriction(E["OFFICER"])
    [reason] = officer["reasons"]
    assert officer["restricted"] and reason["rule"] == "officer-restricted"
    assert reason["party"] == {"kind": "person", "key": P["RESTRICTED"], "name": PERSON_NAMES["RESTRICTED"]}
    assert reason["path"][0]["roles"] == ["法定代表人"] and reason["path"][0]["target"]["key"] == E["OFFICER"]
    bar = restriction(E["BAR"])
    assert bar["restricted"] and [(x["rule"], x["party"]["key"]) for x in bar["reasons"]] == [("three-year-bar", E["SERIOUS"])]
    # a link to review is the check's to show, not the banner's: a shareholder on a list restricts nothing
    for code in (E["CLEAR"], E["EXPIRED"], E["FUTURE"], E["SHAREHOLDER_ONLY"], E["TWO_HOPS"]):
        assert restriction(code) == {"restricted": False, "reasons": []}, code


def test_the_public_search_counts_each_enterprises_active_listings(web_client):
    def hits(q):
        r = web_client.get("/api/v1/public/search", params={"q": q})
        assert r.status_code == 200, r.text
        return {h["key"]: h["active_listings"] for h in r.json()["results"]}

    assert hits(E["LISTED"]) == {E["LISTED"]: 1}
    assert hits(E["CLEAR"]) == {E["CLEAR"]: 0}
    # the listing has expired: not active (the public record shows it as history)
    assert hits(NAMES["EXPIRED"])[E["EXPIRED"]] == 0
    # only its own listings: its legal representative's listing is a department's question
    assert hits(NAMES["OFFICER"])[E["OFFICER"]] == 0


# --- recorded checks -------------------------------------------------------------------------------------------
def test_a_department_lists_its_own_checks_and_the_admin_every_departments(web_client, keys):
    mine = [_check(web_client, keys.finance, code)["check_id"] for code in (E["LISTED"], E["CLEAR"])]
    person = _check(web_client, keys.finance, P["RESTRICTED"])
    theirs = _check(web_client, keys.fdrc, E["TWO_HOPS"])["check_id"]

    own = _records(web_client, keys.finance)
    assert own["department"] == "县财政局" and not own["more"]
    assert [r["check_id"] for r in own["records"]] == [person["check_id"], *reversed(mine)]  # newest first
    first = own["records"][-1]
    assert (first["subject"], first["verdict"], first["hits"], first["as_of"], first["department"]) == (
        {"kind": "enterprise", "key": E["LISTED"], "name": NAMES["LISTED"]}, "restricted", 1, AS_OF, "县财政局")
    # a person checked is listed with the ID number masked
    assert own["records"][0]["subject"] == {"kind": "person", "key": mask_id_number(P["RESTRICTED"]),
                                            "name": PERSON_NAMES["RESTRICTED"]}
    assert unmasked_id_numbers(str(own)) == []

    assert [r["check_id"] for r in _records(web_client, keys.fdrc)["records"]] == [theirs]
    everyone = _records(web_client, keys.admin)
    assert everyone["department"] is None
    assert [r["check_id"] for r in everyone["records"]] == [theirs, person["check_id"], *reversed(mine)]
    only = _records(web_client, keys.admin, department="西吉县发展和改革局")  # any spelling
    assert only["department"] == "县发改局" and [r["check_id"] for r in only["records"]] == [theirs]

    # another department's checks: refused, however it is asked
    for name in ("县发改局", "西吉县发改局"):
        r = web_client.get("/api/v1/checks", params={"department": name}, headers=auth(keys.finance))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert r.json()["error"]["message"].startswith("只能查看本部门的检查记录")
    assert _records(web_client, keys.finance, department="县财政局")["records"] == own["records"]
    assert web_client.get("/api/v1/checks").status_code == 401
    assert web_client.get("/api/v1/checks", headers=auth(keys.revoked)).status_code == 401


def test_recorded_checks_are_filtered_by_date_subject_and_verdict(web_client, keys):
    listed = _check(web_client, keys.admin, E["LISTED"])["check_id"]
    clear = _check(web_client, keys.admin, E["CLEAR"])["check_id"]
    person = _check(web_client, keys.admin, P["RESTRICTED"])["check_id"]

    def ids(**params):
        return [r["check_id"] for r in _records(web_client, keys.admin, **params)["records"]]

    # by subject: the code (any width or case), the full ID number, or part of the name
    assert ids(subject=E["LISTED"].lower()) == [listed]
    assert ids(subject=" " + E["CLEAR"] + " ") == [clear]
    assert ids(subject=P["RESTRICTED"]) == [person]
    assert ids(subject="戊餐饮") == [clear]
    assert ids(subject=PERSON_NAMES["RESTRICTED"]) == [person]
    assert ids(subject="100%") == [] and ids(subject="_") == []  # a name's % and _ are not wildcards
    # by verdict
    assert ids(verdict="clear") == [clear] and set(ids(verdict="restricted")) == {listed, person}
    # by the day of the check, in Beijing time: the checks were made today
    today = _beijing_today()
    assert ids(since=today.isoformat(), until=today.isoformat()) == [person, clear, listed]
    assert ids(since=(today + timedelta(days=1)).isoformat()) == []
    assert ids(until=(today - timedelta(days=1)).isoformat()) == []
    assert ids(since="0001-01-01", until="9999-12-31") == [person, clear, listed]  # the calendar's ends bound nothing
    # a page at a time: `more` says there are others
    page = _records(web_client, keys.admin, limit=2)
    assert [r["check_id"] for r in page["records"]] == [person, clear] and page["more"]


def _beijing_today() -> date:
    from datetime import datetime, timezone
    return datetime.now(timezone(timedelta(hours=8))).date()


def test_bad_filters_are_refused_in_words(web_client, keys):
    for params in ({"since": "2026-13-01"}, {"until": "yesterday"}, {"verdict": "maybe"}, {"limit": 0},
                   {"limit": 501}, {"subject": "名" * 201}, {"department": "局" * 101}):
        r = web_client.get("/api/v1/checks", params=params, headers=auth(keys.admin))
        assert r.status_code == 422, (params, r.text)
        assert r.json()["error"]["code"] == "invalid_request"
    r = web_client.get("/api/v1/checks", params={"since": "2026-06-02", "until": "2026-06-01"}, headers=auth(keys.admin))
    assert r.status_code == 422 and r.json()["error"]["message"].startswith("截止日期 2026-06-01 早于起始日期 2026-06-02")
    assert web_client.get("/api/v1/checks.pdf", headers=auth(keys.admin)).status_code == 422


def test_recorded_checks_export_as_csv_and_xlsx(web_client, keys):
    _check(web_client, keys.finance, E["LISTED"])
    person = _check(web_client, keys.finance, P["RESTRICTED"])["check_id"]
    _check(web_client, keys.fdrc, E["CLEAR"])
    listed = _records(web_client, keys.finance)["records"]

    r = web_client.get("/api/v1/checks.csv", headers=auth(keys.finance))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["cache-control"] == "no-store" and "filename*=UTF-8''" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert [row[0] for row in rows[1:]] == [x["check_id"] for x in listed]  # the department's own, newest first
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[person][4:7] == [PERSON_NAMES["RESTRICTED"], "人员", mask_id_number(P["RESTRICTED"])]
    assert by_id[person][9] == "受限" and by_id[person][2] == "县财政局"
    # Cell by cell: across the comma between two cells, a check id's last digits and the time after them can
    # read as one 18-digit ID number with a valid check character (1 time in 11 on some days).
    assert [n for row in rows for cell in row for n in unmasked_id_numbers(cell)] == []

    r = web_client.get("/api/v1/checks.xlsx", params={"subject": "甲商贸"}, headers=auth(keys.admin))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert "全部部门" in values[0][0] and tuple(values[1]) == COLUMNS
    assert [(v[4], v[6], v[9]) for v in values[2:]] == [(NAMES["LISTED"], E["LISTED"], "受限")]

    assert web_client.get("/api/v1/checks.csv").status_code == 401
    r = web_client.get("/api/v1/checks.xlsx", params={"department": "县发改局"}, headers=auth(keys.finance))
    assert r.status_code == 403


def test_a_recorded_check_says_when_it_was_answered(web_client, keys):
    answer = _check(web_client, keys.finance, E["OFFICER"])
    r = web_client.get(f"/api/v1/checks/{answer['check_id']}", headers=auth(keys.finance))
    assert r.status_code == 200
    recorded = r.json()
    assert recorded["result"] == answer and recorded["department"] == "县财政局"
    [row] = _records(web_client, keys.finance)["records"]
    assert recorded["at"] == row["at"] and recorded["at"].endswith("+00:00")


# --- the record page -------------------------------------------------------------------------------------------
def test_the_record_page_is_the_check_page_under_the_checks_id(web_client, keys):
    check_id = _check(web_client, keys.finance, E["LISTED"])["check_id"]
    r = web_client.get(f"/checks/{check_id}")
    assert r.status_code == 200 and r.text == render(RECORD)
    assert "<title>核查记录" in r.text and "check.js" in r.text and "check-record.js" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert check_id not in r.text and NAMES["LISTED"] not in r.text  # the answer comes from the API, with its key
    assert 'href="/checks" aria-current="page"' in r.text
    for bad in ("a" * 65, "abc%20def", "<script>", "..%2F..%2Fapi"):
        assert web_client.get(f"/checks/{bad}").status_code in (404, 422), bad
