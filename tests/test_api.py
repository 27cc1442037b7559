"""The licence-issuance API through FastAPI's TestClient, on the hand-built county, on every store."""
from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor

import pytest

from api_fixtures import Keys, app_client, auth, blacklist_csv, listing_row
from county import (AS_OF, BLACKLIST_HEADERS, E, NAMES, OLD_REG_NO, P, bad_blacklist_rows, id_number, uscc,
                    written_in_free_text)
from id_number_detector import id_numbers_in

from api.masking import find_id_numbers, scrub
from graph.identifiers import mask_id_number

CHECK = {"key": E["LISTED"], "as_of": AS_OF}
ROLES = ("none", "malformed", "unknown", "wrong_secret", "revoked", "basic", "fdrc", "finance", "admin")
UNAUTHENTICATED = {"none", "malformed", "unknown", "wrong_secret", "revoked", "basic"}


def headers_for(role: str, keys: Keys) -> dict[str, str]:
    return {
        "none": {},
        "malformed": auth("not-a-key"),
        "unknown": auth("cn_000000000000_" + "x" * 43),
        "wrong_secret": auth(f"cn_{keys.fdrc_id}_" + "x" * 43),
        "revoked": auth(keys.revoked),
        "basic": {"Authorization": "Basic " + keys.fdrc},
        "fdrc": auth(keys.fdrc),
        "finance": auth(keys.finance),
        "admin": auth(keys.admin),
    }[role]


def own_license_rows(department: str = "县发改局") -> list[dict[str, str]]:
    return [{"序号": "1", "统一社会信用代码（企业注册号）": E["CLEAR"], "企业名称": NAMES["CLEAR"],
             "许可文件编号": "西发改许〔2026〕9号", "许可文件名称": "项目核准", "有效期自": "2026-01-01",
             "有效期至": "2027-01-01", "许可机关": department, "许可内容": "核准", "状态": "有效"}]


def _recorded_check(client, keys) -> str:
    return client.post("/api/v1/checks", json=CHECK, headers=auth(keys.fdrc)).json()["check_id"]


# endpoint -> (method, path or path factory, request kwargs, roles that may call it)
DEPARTMENTS_AND_ADMIN = {"fdrc", "finance", "admin"}
EVERYONE = set(ROLES)
ENDPOINTS = {
    "health": ("GET", "/api/v1/health", {}, EVERYONE),
    "check": ("POST", "/api/v1/checks", {"json": CHECK}, DEPARTMENTS_AND_ADMIN),
    "batch": ("POST", "/api/v1/checks/batch", {"json": {"subjects": [{"key": E["CLEAR"]}]}}, DEPARTMENTS_AND_ADMIN),
    "recorded": ("GET", lambda c, k: f"/api/v1/checks/{_recorded_check(c, k)}", {}, {"fdrc", "admin"}),
    "profile": ("GET", f"/api/v1/enterprises/{E['LISTED']}", {}, DEPARTMENTS_AND_ADMIN),
    "person": ("GET", f"/api/v1/persons/{P['RESTRICTED']}", {}, DEPARTMENTS_AND_ADMIN),
    "relations": ("GET", "/api/v1/relations", {"params": {"a": E["TWO_HOPS"], "b": E["LISTED"]}}, DEPARTMENTS_AND_ADMIN),
    "own_restrictions": ("GET", "/api/v1/departments/西吉县发展和改革局/restrictions", {}, {"fdrc", "admin"}),
    # Any department may send; another department's rows are rejected row by row (tests/reliability/test_api_access.py).
    "records": ("POST", "/api/v1/records/license", {"json": own_license_rows()}, DEPARTMENTS_AND_ADMIN),
    "registry": ("POST", "/api/v1/records/member", {"json": [{"统一社会信用代码": E["CLEAR"], "企业名称": NAMES["CLEAR"],
                                                              "人员类别": "监事", "姓名": "赵六", "证件类型": "居民身份证",
                                                              "证件号码": P["CLEAN"]}]}, {"admin"}),
    "audit": ("GET", "/api/v1/audit", {}, {"admin"}),
    "public_profile": ("GET", f"/api/v1/public/enterprises/{E['LISTED']}", {}, EVERYONE),
    "public_search": ("GET", "/api/v1/public/search", {"params": {"q": NAMES["LISTED"]}}, EVERYONE),
}


@pytest.mark.writes
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_who_may_call_what(client, keys, endpoint):
    method, path, kwargs, allowed = ENDPOINTS[endpoint]
    path = path(client, keys) if callable(path) else path
    wrong = {}
    for role in ROLES:
        r = client.request(method, path, headers=headers_for(role, keys), **kwargs)
        expected = 200 if role in allowed else 401 if role in UNAUTHENTICATED else 403
        if r.status_code != expected:
            wrong[role] = (r.status_code, r.text[:200])
        elif expected != 200:
            assert set(r.json()) == {"error"} and set(r.json()["error"]) == {"code", "message", "details"}
            assert r.json()["error"]["code"] == ("unauthenticated" if expected == 401 else "forbidden")
            if expected == 401:
                assert r.headers["www-authenticate"] == "Bearer"
    assert not wrong, f"{endpoint}: {wrong}"


def test_a_revoked_key_stops_working_at_once(client, keys, home):
    from graph.accounts import Accounts
    assert client.post("/api/v1/checks", json=CHECK, headers=auth(keys.finance)).status_code == 200
    with Accounts(home) as accounts:
        accounts.revoke("县财政局")
    assert client.post("/api/v1/checks", json=CHECK, headers=auth(keys.finance)).status_code == 401


# --- checks --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,verdict", [("LISTED", "restricted"), ("OFFICER", "restricted"), ("TWO_HOPS", "linked"),
                                          ("CLEAR", "clear"), ("BAR", "restricted"), ("EXPIRED", "clear")])
def test_check_verdicts(client, keys, county, name, verdict):
    r = client.post("/api/v1/checks", json={"key": E[name], "as_of": AS_OF}, headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == verdict and body["subject"]["key"] == E[name]
    assert body["check_id"] and body["data_version"] == county.data_version()


def test_check_explains_why(client, keys):
    body = client.post("/api/v1/checks", json={"key": E["TWO_HOPS"], "as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    [hit] = [h for h in body["hits"] if h["party"]["key"] == E["LISTED"]]
    assert (hit["hops"], hit["binding"]) == (2, False)
    assert [s["source"]["key"] for s in hit["path"]] == [P["SHARED"], P["SHARED"]]
    [listing] = hit["restrictions"]
    assert (listing["type"], listing["sender"], listing["valid_from"]) == ("经营异常名录", "县市场监督管理局", "2026-01-10")
    assert listing["basis"] == "《企业信息公示暂行条例》第十七条"


def test_check_by_registration_number_person_and_name(client, keys):
    h = auth(keys.fdrc)
    assert client.post("/api/v1/checks", json={"key": OLD_REG_NO, "as_of": AS_OF}, headers=h).json()["subject"]["key"] == E["OLD"]
    person = client.post("/api/v1/checks", json={"key": P["RESTRICTED"].lower(), "as_of": AS_OF}, headers=h).json()
    assert (person["subject"]["kind"], person["verdict"]) == ("person", "restricted")
    by_name = client.post("/api/v1/checks", json={"name": "西吉县某某商贸（集团）有限公司", "as_of": AS_OF}, headers=h).json()
    assert (by_name["subject"]["key"], by_name["verdict"]) == (E["BRACKETS"], "restricted")
    r = client.post("/api/v1/checks", json={"name": "不存在的公司"}, headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_check_a_new_applicant_with_its_persons(client, keys):
    applicant = {"name": "西吉县新公司", "persons": [
        {"name": "张三", "id_type": "居民身份证", "id_number": P["RESTRICTED"], "role": "监事"}], "as_of": AS_OF}
    body = client.post("/api/v1/checks", json=applicant, headers=auth(keys.fdrc)).json()
    assert body["verdict"] == "restricted"
    assert {h["party"]["key"]: h["rule"] for h in body["hits"]}[P["RESTRICTED"]] == "officer-restricted"
    barred = {"name": "西吉县另一家公司", "uscc": uscc(8888), "as_of": AS_OF,
              "persons": [{"name": "李四", "id_number": P["HEAD"], "role": "法定代表人"}]}
    body = client.post("/api/v1/checks", json=barred, headers=auth(keys.fdrc)).json()
    assert body["verdict"] == "restricted" and body["hits"][0]["rule"] == "three-year-bar"


def test_digits_of_other_scripts_are_422_with_the_reason(client, keys):
    arabic_indic = "\u0665\u0662\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0665\u0660\u0661\u0668"
    for path, request in (("/api/v1/checks", {"json": {"key": arabic_indic}}), (f"/api/v1/enterprises/{arabic_indic}", {})):
        r = (client.post if request else client.get)(path, headers=auth(keys.fdrc), **request)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["code"] == "invalid_identifier" and "digits 0-9" in r.json()["error"]["message"]


def test_depth_and_as_of_are_honoured(client, keys):
    h = auth(keys.fdrc)
    assert client.post("/api/v1/checks", json={"key": E["TWO_HOPS"], "as_of": AS_OF, "depth": 1}, headers=h).json()["verdict"] == "clear"
    assert client.post("/api/v1/checks", json={"key": E["FUTURE"], "as_of": "2026-09-01"}, headers=h).json()["verdict"] == "restricted"


@pytest.mark.parametrize("key,expected", [("911000001000044477", "3"), ("11010519491231003X", "8")])
def test_invalid_identifier_is_422_with_the_check_digit(client, keys, key, expected):
    r = client.post("/api/v1/checks", json={"key": key}, headers=auth(keys.fdrc))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_identifier"
    assert f"check digit should be {expected}" in err["message"] and err["details"]["expected"] == expected


def test_invalid_person_in_an_applicant_names_the_field(client, keys):
    r = client.post("/api/v1/checks", json={"name": "新公司", "persons": [{"id_number": "11010519491231003X"}]},
                    headers=auth(keys.fdrc))
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "persons[0].id_number"


@pytest.mark.parametrize("body,field", [
    ({"key": E["LISTED"], "depth": "deep"}, "depth"),
    ({"key": E["LISTED"], "depth": 99}, "depth"),
    ({"key": E["LISTED"], "as_of": "2026-02-30"}, "as_of"),
    ({"key": E["LISTED"], "colour": "red"}, "colour"),
    ({"key": 12345}, "key"),
    ({"name": "新公司", "persons": [{"name": "无证件"}]}, "persons[0].id_number"),
])
def test_invalid_bodies_get_field_level_messages(client, keys, body, field):
    r = client.post("/api/v1/checks", json=body, headers=auth(keys.fdrc))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_request"
    assert field in [f["field"] for f in err["details"]["fields"]]


@pytest.mark.parametrize("body", [{}, {"key": E["LISTED"], "name": "x"}, {"name": "  "}, [1, 2], "text"])
def test_a_body_without_exactly_one_subject_is_422(client, keys, body):
    r = client.post("/api/v1/checks", json=body, headers=auth(keys.fdrc))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_malformed_json_is_422(client, keys):
    r = client.post("/api/v1/checks", content=b'{"key": ', headers={**auth(keys.fdrc), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_depth_beyond_the_configured_maximum_is_422(client, keys):
    r = client.post("/api/v1/checks", json={"key": E["LISTED"], "depth": 9}, headers=auth(keys.fdrc))
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "depth"


def test_batch_answers_in_order_with_errors_in_their_slots(client, keys):
    subjects = [{"key": E["CLEAR"]}, {"key": E["LISTED"]}, {"key": E["TWO_HOPS"]}, {"key": "911000001000044477"},
                {"key": P["RESTRICTED"]}, {"name": "不存在的公司"}, {"key": E["FUTURE"], "as_of": "2026-09-01"}]
    r = client.post("/api/v1/checks/batch", json={"subjects": subjects, "as_of": AS_OF}, headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    body = r.json()
    results = body["results"]
    assert len(results) == len(subjects) and (body["checked"], body["failed"]) == (5, 2)
    assert [x.get("verdict") for x in results] == ["clear", "restricted", "linked", None, "restricted", None, "restricted"]
    assert [x["subject"]["key"] for x in results if "subject" in x] == [E["CLEAR"], E["LISTED"], E["TWO_HOPS"],
                                                                          P["RESTRICTED"], E["FUTURE"]]
    assert results[3]["index"] == 3 and "check digit should be 3" in results[3]["error"]["message"]
    assert results[5]["error"]["code"] == "not_found"
    assert all(x["as_of"] == AS_OF for x in results[:3])
    assert len({x["check_id"] for x in results if "check_id" in x}) == 5


def test_batch_of_a_thousand_and_over(client, keys):
    subjects = [{"key": uscc(10_000 + i)} for i in range(1000)]
    r = client.post("/api/v1/checks/batch", json={"subjects": subjects, "as_of": AS_OF}, headers=auth(keys.fdrc))
    assert r.status_code == 200 and r.json()["checked"] == 1000
    assert [x["subject"]["key"] for x in r.json()["results"]] == [s["key"] for s in subjects]
    r = client.post("/api/v1/checks/batch", json={"subjects": subjects + [{"key": E["CLEAR"]}]}, headers=auth(keys.fdrc))
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "subjects"


# --- reading -------------------------------------------------------------------------------------------
def test_profile_and_404_for_unknown_codes(client, keys):
    h = auth(keys.finance)
    body = client.get(f"/api/v1/enterprises/{E['CLEAR']}", headers=h).json()
    assert body["enterprise"]["name"] == NAMES["CLEAR"]
    assert body["records"]["license"][0]["valid_to"] == "2030-01-01"  # the change applied
    r = client.get(f"/api/v1/enterprises/{uscc(4242)}", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/api/v1/enterprises/911000001000044477", headers=h)
    assert r.status_code == 422 and "check digit should be 3" in r.json()["error"]["message"]
    assert client.get(f"/api/v1/public/enterprises/{uscc(4242)}").status_code == 404


def test_person_listings_and_roles(client, keys):
    body = client.get(f"/api/v1/persons/{P['RESTRICTED']}", params={"as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    assert body["person"] == {"kind": "person", "key": P["RESTRICTED"], "name": "张三"}
    assert body["restricted"] is True
    [listing] = body["listings"]
    assert (listing["type"], listing["status"], listing["person_role"]) == ("失信被执行人", "active", "法定代表人")
    assert {r["enterprise"]["key"]: r["roles"] for r in body["roles"]} == {E["OFFICER"]: ["法定代表人"],
                                                                           E["SHAREHOLDER_ONLY"]: ["股东"]}
    later = client.get(f"/api/v1/persons/{P['DIRECTOR']}", params={"as_of": "2028-03-02"}, headers=auth(keys.fdrc)).json()
    assert later["restricted"] is False and later["listings"][0]["status"] == "expired"
    assert client.get(f"/api/v1/persons/{id_number(99, '19900101')}", headers=auth(keys.fdrc)).status_code == 404
    r = client.get("/api/v1/persons/11010519491231003X", headers=auth(keys.fdrc))
    assert r.status_code == 422 and "check digit should be 8" in r.json()["error"]["message"]


def test_relations(client, keys):
    body = client.get("/api/v1/relations", params={"a": E["TWO_HOPS"], "b": E["LISTED"]}, headers=auth(keys.fdrc)).json()
    assert body["connected"] and body["hops"] == 2
    assert body["chains"][0][0]["source"]["key"] == P["SHARED"]
    r = client.get("/api/v1/relations", params={"a": E["TWO_HOPS"]}, headers=auth(keys.fdrc))
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0] == {
        "field": "b", "in": "query", "message": "Field required", "type": "missing"}


def test_department_reads_its_own_restrictions(client, keys):
    r = client.get("/api/v1/departments/县财政局/restrictions", params={"as_of": AS_OF}, headers=auth(keys.finance))
    assert r.status_code == 200
    keys_listed = {x["party"]["key"] for x in r.json()["restrictions"]}
    assert {E["LISTED"], E["SERIOUS"], E["OLD"]} <= keys_listed and E["EXPIRED"] not in keys_listed
    assert client.get("/api/v1/departments/县财政局/restrictions", headers=auth(keys.fdrc)).status_code == 403
    assert client.get("/api/v1/departments/县财政局/restrictions", headers=auth(keys.admin)).status_code == 200
    r = client.get("/api/v1/departments/县不存在局/restrictions", headers=auth(keys.admin))
    assert r.status_code == 404


# --- records -------------------------------------------------------------------------------------------
@pytest.mark.writes
def test_upload_a_file_with_bad_rows(client, keys, county):
    good = listing_row(E["CLEAR"], NAMES["CLEAR"], sender="西吉县发展和改革局")
    data = blacklist_csv([good] + bad_blacklist_rows(), encoding="gbk")
    r = client.post("/api/v1/records/blacklist", files={"file": ("黑名单.csv", data, "text/csv")}, headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["file"], body["kind"], body["rows"], body["loaded"], body["rejected"]) == ("黑名单.csv", "blacklist", 4, 1, 3)
    reasons = {x["row"]: x for x in body["rejects"]}
    assert set(reasons) == {3, 4, 5}
    assert "check digit should be" in reasons[3]["reason"] and reasons[3]["field"] == "统一社会信用代码（企业注册号）"
    assert "required field is empty" in reasons[4]["reason"]
    assert "impossible date" in reasons[5]["reason"] and reasons[5]["field"] == "限制期限自"
    assert body["rejects_file"] and "县发改局" in body["rejects_file"]
    assert body["data_version"] == county.data_version()
    check = client.post("/api/v1/checks", json={"key": E["CLEAR"], "as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    assert check["verdict"] == "restricted" and check["hits"][0]["restrictions"][0]["sender"] == "县发改局"


@pytest.mark.writes
def test_upload_json_rows_reports_array_indexes(client, keys):
    rows = [listing_row(E["CLEAR"], NAMES["CLEAR"]), dict(zip(BLACKLIST_HEADERS, bad_blacklist_rows()[2]))]
    r = client.post("/api/v1/records/blacklist", json=rows, headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["loaded"], body["rejected"]) == (2, 1, 1)
    assert body["rejects"][0]["index"] == 1 and body["rejects"][0]["row"] == 3


@pytest.mark.writes
def test_upload_raw_csv_body(client, keys):
    r = client.post("/api/v1/records/blacklist", content=blacklist_csv([listing_row(E["CLEAR"], NAMES["CLEAR"])]),
                    headers={**auth(keys.fdrc), "Content-Type": "text/csv", "X-Filename": "today.csv"})
    assert r.status_code == 200 and r.json()["loaded"] == 1 and r.json()["file"] == "today.csv"


@pytest.mark.writes
def test_admin_sends_any_department_and_the_registry(client, keys, county_files):
    r = client.post("/api/v1/records/blacklist", files={"file": ("b.csv", county_files["blacklist"].read_bytes())},
                    headers=auth(keys.admin))
    assert r.status_code == 200 and (r.json()["loaded"], r.json()["rejected"]) == (9, 3)
    r = client.post("/api/v1/records/member", json=ENDPOINTS["registry"][2]["json"], headers=auth(keys.admin))
    assert r.status_code == 200 and r.json()["loaded"] == 1


@pytest.mark.writes
def test_another_departments_rows_are_rejected_one_by_one(client, keys, county):
    """A department's file with a row of the court: its own row loads, the court's is rejected like any bad row —
    in the answer with its 序号 and enterprise name, and in the rejects file."""
    rows = [listing_row(E["CLEAR"], NAMES["CLEAR"]), listing_row(E["EXPIRED"], NAMES["EXPIRED"], sender="县法院", n=2)]
    r = client.post("/api/v1/records/blacklist", json=rows, headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["loaded"], body["rejected"]) == (2, 1, 1)
    [reject] = body["rejects"]
    assert (reject["row"], reject["index"], reject["serial"], reject["name"], reject["field"]) == \
        (3, 1, "2", NAMES["EXPIRED"], "信息发送部门名称")
    assert "县法院" in reject["reason"] and "只能报送本部门的记录" in reject["reason"]
    with open(body["rejects_file"], encoding="utf-8-sig") as fh:
        [header, row] = list(csv.reader(fh))
    assert header[:3] == ["行号", "字段", "原因"] and row[:2] == ["3", "信息发送部门名称"] and E["EXPIRED"] in row
    listed = client.get(f"/api/v1/enterprises/{E['CLEAR']}", headers=auth(keys.admin)).json()["records"]["blacklist"]
    assert any(x["sender"] == "县发改局" for x in listed)
    r = client.post("/api/v1/records/license", json=own_license_rows("县财政局"), headers=auth(keys.fdrc))
    assert r.status_code == 200 and (r.json()["loaded"], r.json()["rejected"]) == (0, 1)
    assert r.json()["rejects"][0]["field"] == "许可机关"
    r = client.post("/api/v1/records/license", json=own_license_rows("西吉县财政局"), headers=auth(keys.finance))
    assert r.status_code == 200 and r.json()["loaded"] == 1


@pytest.mark.parametrize("kwargs,status,code", [
    ({"json": {"not": "a list"}}, 422, "invalid_request"),
    ({"json": []}, 422, "invalid_request"),
    ({"json": [{"企业名称": {"nested": 1}}]}, 422, "invalid_request"),
    ({"content": b"[{", "headers": {"Content-Type": "application/json"}}, 422, "invalid_request"),
    ({"content": b"\x89PNG\r\n\x1a\n" + bytes(200), "headers": {"Content-Type": "text/csv"}}, 400, "file_rejected"),
    ({"files": {"other": ("a.csv", b"x")}}, 422, "invalid_request"),
    ({"content": b"a,b", "headers": {"Content-Type": "application/pdf"}}, 415, "unsupported_media_type"),
    ({"json": [{"序号": "1", "企业名称": "甲"}]}, 400, "file_rejected"),
])
def test_bad_uploads(client, keys, kwargs, status, code):
    kwargs = dict(kwargs)  # the parameters are shared by every backend's run
    r = client.post("/api/v1/records/blacklist", headers={**auth(keys.fdrc), **kwargs.pop("headers", {})}, **kwargs)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text


def test_unknown_kind_is_422(client, keys):
    r = client.post("/api/v1/records/lottery", json=[{"a": 1}], headers=auth(keys.fdrc))
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "kind"


@pytest.mark.writes
def test_uploads_over_the_limit_are_413(county, keys):
    big = blacklist_csv([listing_row(uscc(600 + i), f"公司{i}", n=i) for i in range(100)])
    assert len(big) > 2048
    with app_client(max_upload_mb=2048 / (1024 * 1024)) as client:
        for kwargs in ({"files": {"file": ("big.csv", big)}},
                       {"content": iter([big[:1000], big[1000:]]), "headers": {"Content-Type": "text/csv"}}):
            r = client.post("/api/v1/records/blacklist", headers={**auth(keys.fdrc), **kwargs.pop("headers", {})}, **kwargs)
            assert r.status_code == 413, r.text
            assert r.json()["error"]["code"] == "payload_too_large"
        r = client.post("/api/v1/records/blacklist", json=[listing_row(E["CLEAR"], NAMES["CLEAR"])], headers=auth(keys.fdrc))
        assert r.status_code == 200


@pytest.mark.writes
def test_checks_during_a_load_see_before_or_after(client, keys, county):
    """A file listing CLEAR at its end loads while CLEAR is checked: each answer is consistent with its data
    version (clear before, restricted after), never a half-loaded file."""
    before = county.data_version()
    rows = [listing_row(uscc(20_000 + i), f"批量公司{i}", n=i) for i in range(3000)]
    rows.append(listing_row(E["CLEAR"], NAMES["CLEAR"], n=3001))
    answers = []

    def upload():
        r = client.post("/api/v1/records/blacklist", json=rows, headers=auth(keys.fdrc))
        assert r.status_code == 200 and r.json()["loaded"] == 3001, r.text[:300]

    with ThreadPoolExecutor(1) as pool:
        uploaded = pool.submit(upload)
        while not uploaded.done():
            answers.append(client.post("/api/v1/checks", json={"key": E["CLEAR"], "as_of": AS_OF},
                                       headers=auth(keys.finance)).json())
        uploaded.result()  # the upload's own assertion, raised here
    answers.append(client.post("/api/v1/checks", json={"key": E["CLEAR"], "as_of": AS_OF}, headers=auth(keys.finance)).json())
    assert answers[-1]["verdict"] == "restricted"
    for a in answers:
        assert a["verdict"] == ("clear" if a["data_version"] == before else "restricted"), a


# --- audit ---------------------------------------------------------------------------------------------
def test_every_check_is_in_the_audit_trail(client, keys, county):
    one = client.post("/api/v1/checks", json={"key": E["OFFICER"], "as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    client.post("/api/v1/checks/batch", json={"subjects": [{"key": E["CLEAR"]}, {"key": "bad"}]}, headers=auth(keys.finance))
    entries = client.get("/api/v1/audit", headers=auth(keys.admin)).json()["entries"]
    assert [(e["department"], e["subject_key"]) for e in entries] == [("县发改局", E["OFFICER"]), ("县财政局", E["CLEAR"])]
    first = entries[0]
    assert first["check_id"] == one["check_id"] and first["account"] == keys.fdrc_id
    assert (first["as_of"], first["depth"], first["verdict"]) == (AS_OF, 3, "restricted")
    assert first["hit_keys"] == [P["RESTRICTED"]] and first["data_version"] == county.data_version()
    assert first["store"] == county.name
    only = client.get("/api/v1/audit", params={"department": "西吉县财政局"}, headers=auth(keys.admin)).json()["entries"]
    assert [e["subject_key"] for e in only] == [E["CLEAR"]]
    assert client.get("/api/v1/audit", params={"since": "2999-01-01"}, headers=auth(keys.admin)).json()["entries"] == []
    r = client.get("/api/v1/audit", params={"since": "yesterday"}, headers=auth(keys.admin))
    assert r.status_code == 422


@pytest.mark.writes
def test_a_recorded_check_proves_what_was_answered(client, keys):
    answer = client.post("/api/v1/checks", json={"key": E["CLEAR"], "as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    assert answer["verdict"] == "clear"
    # The data changes afterwards: the record still says what the system answered that day.
    client.post("/api/v1/records/blacklist", json=[listing_row(E["CLEAR"], NAMES["CLEAR"])], headers=auth(keys.fdrc))
    path = f"/api/v1/checks/{answer['check_id']}"
    recorded = client.get(path, headers=auth(keys.fdrc)).json()
    assert recorded["result"] == answer
    assert (recorded["department"], recorded["account"]) == ("县发改局", keys.fdrc_id)
    assert client.get(path, headers=auth(keys.admin)).json()["result"] == answer
    assert client.get(path, headers=auth(keys.finance)).status_code == 403
    assert client.get("/api/v1/checks/nope", headers=auth(keys.fdrc)).status_code == 404


# --- public disclosure ---------------------------------------------------------------------------------
def _public_responses(client) -> list:
    out = []
    codes = list(E.values()) + [OLD_REG_NO, uscc(500), uscc(999), uscc(4242), "911000001000044477", P["RESTRICTED"],
                                "11010519491231003X", "nonsense"]
    for code in codes:
        out.append(client.get(f"/api/v1/public/enterprises/{code}", params={"as_of": AS_OF}))
    for q in list(NAMES.values()) + codes + ["", "西吉县", "%", "a" * 300]:
        out.append(client.get("/api/v1/public/search", params={"q": q}))
    out.append(client.get("/api/v1/public/nothing-here"))
    return out


@pytest.mark.writes
def test_public_responses_never_show_an_id_number(client, keys):
    # A clerk typed an ID number into free text: it is masked too, however it was written.
    client.post("/api/v1/records/blacklist", json=[{**listing_row(E["CLEAR"], NAMES["CLEAR"]),
                                                    "法律描述": f"法定代表人身份证{P['CLEAN']}"}], headers=auth(keys.fdrc))
    client.post("/api/v1/records/blacklist", headers=auth(keys.fdrc), json=[
        {**listing_row(E["CLEAR"], NAMES["CLEAR"], start=f"2026-02-{i:02d}"), "法律描述": text}
        for i, (text, _) in enumerate(written_in_free_text().values(), 1)])
    responses = _public_responses(client)
    statuses = {r.status_code for r in responses}
    assert statuses <= {200, 404, 422}, statuses
    for r in responses:
        assert find_id_numbers(r.json()) == [] and id_numbers_in(r.text) == [], (r.request.url, r.text[:300])
    clear = client.get(f"/api/v1/public/enterprises/{E['CLEAR']}").text
    assert all(masked in clear for _, masked in written_in_free_text().values())
    # …while the same data, for departments, does carry the full numbers.
    profile = client.get(f"/api/v1/enterprises/{E['LISTED']}", headers=auth(keys.fdrc)).json()
    assert find_id_numbers(profile) and id_numbers_in(profile)


def test_public_profile_shows_what_the_law_makes_public(client):
    body = client.get(f"/api/v1/public/enterprises/{uscc(500)}", params={"as_of": AS_OF}).json()
    [listing] = body["listings"]
    assert (listing["type"], listing["sender"], listing["status"]) == ("失信被执行人", "县法院", "active")
    assert listing["basis"] == "《最高人民法院关于公布失信被执行人名单信息的若干规定》"
    assert listing["person_role"] == "法定代表人"
    assert listing["person"] == {"name": "张三", "id_masked": mask_id_number(P["RESTRICTED"])}
    assert mask_id_number(P["RESTRICTED"]).startswith("640422") and mask_id_number(P["RESTRICTED"]).endswith(P["RESTRICTED"][-4:])
    clear = client.get(f"/api/v1/public/enterprises/{E['CLEAR']}").json()
    assert clear["enterprise"]["legal_rep"] == "赵六" and "legal_rep_id_number" not in clear["enterprise"]
    assert clear["licences"][0]["valid_to"] == "2030-01-01" and clear["inspections"][0]["result"] == "未发现问题"
    assert clear["members"] == [{"kind": "person", "name": "赵六", "key": None,
                                 "id_masked": mask_id_number(P["CLEAN"]), "roles": ["法定代表人"]}]
    listed = client.get(f"/api/v1/public/enterprises/{E['LISTED']}").json()
    assert listed["penalties"][0]["current_status"] == "已变更"
    assert listed["holds_roles_in"][0]["key"] == E["C2"]  # an enterprise's code is public


def test_public_search(client):
    by_name = client.get("/api/v1/public/search", params={"q": "西吉县某某商贸(集团)有限公司"}).json()
    assert by_name["match"] == "name" and by_name["results"][0]["key"] == E["BRACKETS"]
    assert by_name["results"][0]["score"] == 100 and all(x["score"] < 100 for x in by_name["results"][1:])
    by_code = client.get("/api/v1/public/search", params={"q": OLD_REG_NO}).json()
    assert by_code["match"] == "code" and by_code["results"][0]["key"] == E["OLD"]
    assert client.get("/api/v1/public/search", params={"q": "没有这家公司"}).json()["results"] == []
    r = client.get("/api/v1/public/search", params={"q": P["RESTRICTED"]})
    assert r.status_code == 422 and P["RESTRICTED"] not in r.text
    r = client.get("/api/v1/public/search", params={"q": "911000001000044477"})
    assert r.status_code == 422 and "check digit should be 3" in r.json()["error"]["message"]



def test_public_search_honours_limit(client):
    """As the departments' search: 1–50 (default 20), 422 outside, on a name and on a code alike."""
    q = {"q": "西吉县有限公司"}
    assert len(client.get("/api/v1/public/search", params=q).json()["results"]) > 2
    assert len(client.get("/api/v1/public/search", params={**q, "limit": 2}).json()["results"]) == 2
    for bad in (0, 51, -1):
        for params in ({**q, "limit": bad}, {"q": OLD_REG_NO, "limit": bad}):
            r = client.get("/api/v1/public/search", params=params)
            assert r.status_code == 422, (params, r.text)
            error = r.json()["error"]
            assert error["code"] == "invalid_request" and "limit must be 1..50" in error["message"]

def test_masking_helpers():
    # A longer run of digits that holds an ID number shows it all the same: it is found, and masked.
    text = f"张三 {P['RESTRICTED']} 与 {P['HEAD'].lower()}；代码 {E['LISTED']}；号 {P['SHARED']}0"
    assert find_id_numbers({"x": [text]}) == [P["RESTRICTED"], P["HEAD"].lower(), P["SHARED"]]
    assert id_numbers_in({"x": [text]}) == [P["RESTRICTED"], P["HEAD"], P["SHARED"]]
    assert id_numbers_in(scrub({"x": [text]})) == []
    assert find_id_numbers({P["CLEAN"]: 1}) == [P["CLEAN"]]
    assert find_id_numbers(scrub({"x": [text], P["CLEAN"]: 1})) == []
    assert find_id_numbers("11010519491231003X") == []  # a wrong check digit is not an ID number
    assert scrub({"key": E["LISTED"]}) == {"key": E["LISTED"]}


# --- the service ---------------------------------------------------------------------------------------
def test_health(client, county):
    body = client.get("/api/v1/health").json()
    assert body == {"status": "ok", "ready": True, "store": county.name, "data_version": county.data_version(),
                    "message": None}


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/checks", "/api/v1/checks/batch", "/api/v1/public/search", "/api/v1/records/{kind}",
            "/api/v1/audit"} <= set(spec["paths"])
    assert "multipart/form-data" in spec["paths"]["/api/v1/records/{kind}"]["post"]["requestBody"]["content"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_one_error_shape_for_routing_errors(client):
    for r in (client.get("/api/v1/nowhere"), client.delete("/api/v1/checks"), client.get("/api/v1/public/search")):
        assert r.status_code in (404, 405, 422)
        assert set(r.json()["error"]) == {"code", "message", "details"}


ODD = ["%00", "%20", "x" * 2000, "９１６４０４２２０００００００１０５Ｘ", "../../etc/passwd", "'; DROP TABLE enterprise; --",
       "{}", "0" * 18, "1" * 15, "11010519491231002x", "🙂", "%E4%B8%AD"]


@pytest.mark.parametrize("odd", ODD)
def test_odd_input_never_makes_a_500(client, keys, odd):
    """TestClient re-raises any unhandled server error, so reaching the assertions means none happened."""
    h = auth(keys.admin)
    responses = [
        client.get(f"/api/v1/enterprises/{odd}", headers=h),
        client.get(f"/api/v1/persons/{odd}", headers=h),
        client.get("/api/v1/relations", params={"a": odd, "b": E["LISTED"]}, headers=h),
        client.get(f"/api/v1/departments/{odd}/restrictions", headers=h),
        client.get(f"/api/v1/checks/{odd}", headers=h),
        client.get("/api/v1/audit", params={"since": odd, "department": odd}, headers=h),
        client.post("/api/v1/checks", json={"key": odd, "as_of": "9999-12-31"}, headers=h),
        client.post("/api/v1/checks", json={"name": odd, "uscc": odd, "persons": [{"id_number": odd, "role": odd}]}, headers=h),
        client.post("/api/v1/checks/batch", json={"subjects": [{"key": odd}, {"name": odd}]}, headers=h),
        client.post(f"/api/v1/records/{odd}", json=[{"a": 1}], headers=h),
        client.post("/api/v1/records/blacklist", json=[{odd: odd, "统一社会信用代码（企业注册号）": odd}], headers=h),
        client.get(f"/api/v1/public/enterprises/{odd}"),
        client.get("/api/v1/public/search", params={"q": odd}),
        client.post("/api/v1/checks", json={"key": E["LISTED"]}, headers={"Authorization": f"Bearer {odd}".encode()}),
    ]
    for r in responses:
        assert r.status_code < 500, (r.request.url, r.text[:300])
        if r.status_code >= 400:
            assert set(r.json()["error"]) == {"code", "message", "details"}


def test_the_apps_own_settings_bound_the_depth(county, keys):
    """The routes answer with the settings the app was created with, not the process's global ones."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.settings import get_settings
    narrow = get_settings().model_copy(update={"max_depth": 1})
    with TestClient(create_app(settings=narrow)) as c:
        h = auth(keys.fdrc)
        r = c.post("/api/v1/checks", json={"key": E["TWO_HOPS"], "as_of": AS_OF, "depth": 3}, headers=h)
        assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "depth"
        assert c.post("/api/v1/checks", json={"key": E["TWO_HOPS"], "as_of": AS_OF, "depth": 1}, headers=h).status_code == 200
