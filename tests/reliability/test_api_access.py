"""Who may call what: every endpoint of the app × every kind of caller → the status it must get, on every store.

The table is keyed by (method, path) as the app routes them; `test_every_endpoint_has_a_row` reads the routes
from the app itself, so an endpoint added without a row here fails the suite until someone decides who may
call it. Callers: the public (no key), a department acting for itself, a department acting for another one,
the admin account (县市场监督管理局), a revoked key, and keys that are wrong in every way a key can be wrong.

A refusal is 401 (no usable key: the same answer whatever is wrong with it, and `WWW-Authenticate: Bearer`)
or 403 (a valid key that may not do this), in the one error shape, never echoing the key; and a refused
request changes nothing: no record loaded, no check in the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from api_fixtures import Keys, auth, listing_row
from county import AS_OF, E, NAMES, P

from api.app import create_app
from reliability.helpers import write_json_artifact
from reliability.live_api import app_endpoints

ROLES = ("public", "own", "other", "admin", "revoked", "wrong_secret", "unknown_key", "malformed", "basic",
         "empty_bearer")
BAD_KEYS = ("revoked", "wrong_secret", "unknown_key", "malformed", "basic", "empty_bearer")


def headers_for(role: str, keys: Keys) -> dict[str, str]:
    """own = 县发改局, other = 县财政局 (each a department account), admin = the market supervision bureau."""
    return {
        "public": {},
        "own": auth(keys.fdrc),
        "other": auth(keys.finance),
        "admin": auth(keys.admin),
        "revoked": auth(keys.revoked),
        "wrong_secret": auth(f"cn_{keys.fdrc_id}_" + "x" * 43),
        "unknown_key": auth("cn_000000000000_" + "x" * 43),
        "malformed": auth("not-a-key"),
        "basic": {"Authorization": "Basic " + keys.fdrc},
        "empty_bearer": {"Authorization": "Bearer"},
    }[role]


def expect(kind: str) -> dict[str, int]:
    """open: anyone (a key, even a bad one, is not looked at); department: any department or admin;
    own: the department concerned or admin; admin: the admin account only."""
    if kind == "open":
        return {role: 200 for role in ROLES}
    allowed = {"department": {"own", "other", "admin"}, "own": {"own", "admin"}, "admin": {"admin"}}[kind]
    return {role: 200 if role in allowed else 401 if role in BAD_KEYS + ("public",) else 403 for role in ROLES}


@dataclass
class Call:
    """One way to call an endpoint: the concrete path (may need the recorded check), the request's keyword
    arguments, and who may make it. `ok`: the status an allowed caller gets when it is not 200 — a change that
    cannot be made twice (the admin, after the department, finds the record already withdrawn: 422), or a request
    about something that does not exist (404): either way the caller got past the access check."""
    what: str
    path: str | Callable[["Context"], str]
    who: str
    kwargs: dict[str, Any] | Callable[["Context"], dict[str, Any]] = field(default_factory=dict)
    ok: dict[str, int] = field(default_factory=dict)


@dataclass
class Context:
    check_id: str   # a check 县发改局 made, with hits
    client: Any
    keys: Keys

    def own_record(self, kind: str, code: str) -> str:
        """The ID of a record 县发改局 sent (the rows above send them), read from the profile as the admin."""
        profile = self.client.get(f"/api/v1/enterprises/{code}", headers=auth(self.keys.admin)).json()
        return next(r["record_id"] for r in profile["records"][kind]
                    if "县发改局" in str(r.get("sender") or r.get("departments") or r.get("authority")))

    def own_rejects(self) -> str:
        """Where 县发改局 fetches the rejects of a file it sent with a bad row (a licence of another department)."""
        row = {**own_licence()[0], "许可机关": "县财政局"}
        r = self.client.post("/api/v1/records/license", json=[row], headers=auth(self.keys.fdrc))
        return r.json()["rejects_url"]

    def webhook(self, path: str) -> int:
        """A webhook 县发改局 registered (to a loopback port nobody answers on)."""
        return self.client.post("/api/v1/webhooks", json={"url": f"http://127.0.0.1:9{path}"},
                                headers=auth(self.keys.fdrc)).json()["id"]

    def objection(self) -> int:
        return self.client.get("/api/v1/objections", headers=auth(self.keys.admin)).json()["objections"][0]["id"]


def corrected_licence(c: Context) -> dict[str, Any]:
    header = ["序号", "统一社会信用代码（企业注册号）", "企业名称", "许可文件编号", "许可文件名称", "有效期自", "有效期至",
              "许可机关", "许可内容", "状态", "原记录编号"]
    row = [*own_licence()[0].values(), c.own_record("license", E["CLEAR"])]
    row[header.index("有效期至")] = "2026-12-31"
    text = "\n".join(",".join(cells) for cells in (header, row)) + "\n"
    return {"files": {"file": ("更正.csv", text.encode("utf-8"))}, "data": {"reason": "有效期录入错误"}}


def own_licence() -> list[dict[str, str]]:
    return [{"序号": "1", "统一社会信用代码（企业注册号）": E["CLEAR"], "企业名称": NAMES["CLEAR"],
             "许可文件编号": "西发改许〔2026〕9号", "许可文件名称": "项目核准", "有效期自": "2026-01-01",
             "有效期至": "2027-01-01", "许可机关": "县发改局", "许可内容": "核准", "状态": "有效"}]


MEMBER = [{"统一社会信用代码": E["CLEAR"], "企业名称": NAMES["CLEAR"], "人员类别": "监事", "姓名": "赵六",
           "证件类型": "居民身份证", "证件号码": P["CLEAN"]}]

TABLE: dict[tuple[str, str], list[Call]] = {
    ("GET", "/api/v1/health"): [Call("health", "/api/v1/health", "open")],
    ("GET", "/openapi.json"): [Call("openapi", "/openapi.json", "open")],
    ("GET", "/docs"): [Call("docs", "/docs", "open")],
    ("GET", "/docs/oauth2-redirect"): [Call("oauth2 redirect", "/docs/oauth2-redirect", "open")],
    ("GET", "/redoc"): [Call("redoc", "/redoc", "open")],
    ("POST", "/api/v1/checks"): [Call("check", "/api/v1/checks", "department",
                                      {"json": {"key": E["LISTED"], "as_of": AS_OF}})],
    ("POST", "/api/v1/checks/batch"): [Call("batch", "/api/v1/checks/batch", "department",
                                            {"json": {"subjects": [{"key": E["CLEAR"]}, {"key": P["RESTRICTED"]}]}})],
    ("GET", "/api/v1/checks/{check_id}"): [Call("recorded check", lambda c: f"/api/v1/checks/{c.check_id}", "own")],
    ("GET", "/api/v1/checks"): [
        Call("recorded checks", "/api/v1/checks", "department"),
        Call("one department's recorded checks", "/api/v1/checks", "own", {"params": {"department": "县发改局"}})],
    ("GET", "/api/v1/checks.{fmt}"): [
        Call("recorded checks as CSV", "/api/v1/checks.csv", "department"),
        Call("one department's recorded checks as XLSX", "/api/v1/checks.xlsx", "own",
             {"params": {"department": "西吉县发展和改革局"}})],
    ("GET", "/api/v1/enterprises/{code}"): [Call("profile", f"/api/v1/enterprises/{E['LISTED']}", "department")],
    ("GET", "/api/v1/persons/{id_number}"): [Call("person", f"/api/v1/persons/{P['RESTRICTED']}", "department")],
    ("GET", "/api/v1/relations"): [Call("relation", "/api/v1/relations", "department",
                                        {"params": {"a": E["TWO_HOPS"], "b": E["LISTED"]}})],
    ("GET", "/api/v1/departments/{name}/restrictions"): [
        Call("own restrictions", "/api/v1/departments/西吉县发展和改革局/restrictions", "own")],
    ("GET", "/api/v1/departments/{name}/restrictions.{fmt}"): [
        Call("restrictions as CSV", "/api/v1/departments/县发改局/restrictions.csv", "own"),
        Call("restrictions as XLSX", "/api/v1/departments/县发改局/restrictions.xlsx", "own")],
    # Any department may send; rows naming another department are rejected row by row (a 200 that loads nothing:
    # test_a_department_sends_only_its_own_records_whatever_the_spelling).
    ("POST", "/api/v1/records/{kind}"): [
        Call("own licences", "/api/v1/records/license", "department", {"json": own_licence()}),
        Call("own listing", "/api/v1/records/blacklist", "department",
             {"json": [listing_row(E["EXPIRED"], NAMES["EXPIRED"], sender="西吉县发展和改革局")]}),
        Call("registry members", "/api/v1/records/member", "admin", {"json": MEMBER})],
    ("GET", "/api/v1/records/templates/{kind}.{fmt}"): [
        Call("listing template as CSV", "/api/v1/records/templates/blacklist.csv", "open"),
        Call("licence template as XLSX", "/api/v1/records/templates/license.xlsx", "open")],
    ("GET", "/api/v1/records/rejects/{name}"): [Call("own rejects file", lambda c: c.own_rejects(), "own")],
    ("GET", "/api/v1/audit"): [Call("audit", "/api/v1/audit", "admin")],
    ("GET", "/api/v1/public/enterprises/{code}"): [
        Call("public profile", f"/api/v1/public/enterprises/{E['LISTED']}", "open")],
    ("GET", "/api/v1/public/search"): [Call("public search", "/api/v1/public/search", "open",
                                            {"params": {"q": NAMES["LISTED"]}})],
    ("POST", "/api/v1/render/chain"): [Call("chain picture", "/api/v1/render/chain", "own",
                                            lambda c: {"json": {"check_id": c.check_id, "index": 0}})],
    ("GET", "/api/v1/render/neighbourhood"): [Call("neighbourhood picture", "/api/v1/render/neighbourhood",
                                                   "department", {"params": {"key": E["LISTED"], "depth": 2}})],
    ("GET", "/api/v1/render/neighbours"): [Call("a node's neighbours", "/api/v1/render/neighbours", "department",
                                                {"params": {"key": E["LISTED"], "as_of": AS_OF}})],
    ("GET", "/api/v1/web/session"): [Call("who am I", "/api/v1/web/session", "department")],
    ("GET", "/"): [Call("sign-in page", "/", "open")],
    ("GET", "/check"): [Call("check page", "/check", "open")],
    ("GET", "/checks"): [Call("recorded checks page", "/checks", "open")],
    ("GET", "/checks/{check_id}"): [Call("recorded check page", lambda c: f"/checks/{c.check_id}", "open")],
    ("GET", "/profile"): [Call("profile page", "/profile", "open")],
    ("GET", "/department"): [Call("department page", "/department", "open")],
    ("GET", "/upload"): [Call("upload page", "/upload", "open")],
    ("GET", "/public"): [Call("public page", "/public", "open")],
    ("GET", "/public/enterprise"): [Call("public enterprise page", "/public/enterprise", "open")],
    ("GET", "/static/{name}"): [Call("script", "/static/auth.js", "open")],
    ("GET", "/corrections"): [Call("corrections page", "/corrections", "open")],
    ("GET", "/alerts"): [Call("alerts page", "/alerts", "open")],
    ("GET", "/report"): [Call("report page", "/report", "open")],
    ("GET", "/api/v1/search"): [Call("name search", "/api/v1/search", "department", {"params": {"q": NAMES["LISTED"]}})],
    ("POST", "/api/v1/records/{kind}/withdrawals"): [
        Call("withdraw own listing", "/api/v1/records/blacklist/withdrawals", "own",
             lambda c: {"json": {"record_ids": [c.own_record("blacklist", E["EXPIRED"])], "reason": "重复报送"}},
             ok={"admin": 422})],
    ("POST", "/api/v1/records/{kind}/corrections"): [
        Call("correct own licence", "/api/v1/records/license/corrections", "own", corrected_licence)],  # in place: again
    ("POST", "/api/v1/objections"): [
        Call("register objection", "/api/v1/objections", "admin",
             lambda c: {"json": {"record_id": c.own_record("blacklist", E["EXPIRED"]), "objector": "西吉县企业",
                                 "grounds": "已履行"}})],
    ("POST", "/api/v1/objections/{number}/status"): [
        Call("objection status", lambda c: f"/api/v1/objections/{c.objection()}/status", "admin",
             {"json": {"status": "核实"}})],
    ("GET", "/api/v1/objections"): [Call("objections", "/api/v1/objections", "department")],
    ("GET", "/api/v1/audit/changes"): [Call("changes to records", "/api/v1/audit/changes", "admin")],
    ("GET", "/api/v1/watch"): [Call("watch list", "/api/v1/watch", "department")],
    ("POST", "/api/v1/watch"): [Call("watch codes", "/api/v1/watch", "department", {"json": {"codes": [E["CLEAR"]]}})],
    ("DELETE", "/api/v1/watch"): [Call("unwatch codes", "/api/v1/watch", "department",
                                       {"params": {"codes": [E["CLEAR"]]}})],
    ("GET", "/api/v1/alerts"): [Call("alerts", "/api/v1/alerts", "department")],
    ("POST", "/api/v1/alerts/{alert_id}/responses"): [
        Call("answer an alert", "/api/v1/alerts/999999/responses", "department",
             {"json": {"measure": "核查后无需处理", "official": "李明"}}, ok={"own": 404, "other": 404, "admin": 404})],
    ("POST", "/api/v1/listings/{listing_id}/responses"): [
        Call("answer a listing", "/api/v1/listings/blacklist.none.0000000000/responses", "department",
             {"json": {"measure": "核查后无需处理", "official": "李明"}}, ok={"own": 404, "other": 404, "admin": 404})],
    ("GET", "/api/v1/feedback"): [Call("feedback on listings sent", "/api/v1/feedback", "department")],
    ("GET", "/api/v1/feedback/report"): [Call("the bureau's report", "/api/v1/feedback/report", "admin")],
    ("GET", "/api/v1/feedback/report.xlsx"): [Call("the bureau's report as XLSX", "/api/v1/feedback/report.xlsx", "admin")],
    ("GET", "/api/v1/feedback/uploads"): [
        Call("upload record", "/api/v1/feedback/uploads", "department"),
        Call("one department's upload record", "/api/v1/feedback/uploads", "own", {"params": {"department": "县发改局"}})],
    ("POST", "/api/v1/webhooks"): [Call("register a webhook", "/api/v1/webhooks", "department",
                                        {"json": {"url": "http://127.0.0.1:9/creditnet"}})],
    ("GET", "/api/v1/webhooks"): [Call("webhooks", "/api/v1/webhooks", "department")],
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): [
        Call("remove a webhook", lambda c: f"/api/v1/webhooks/{c.webhook('/removed')}", "own", ok={"admin": 404})],
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): [
        Call("a webhook's deliveries", lambda c: f"/api/v1/webhooks/{c.webhook('/kept')}/deliveries", "own")],
}
CASES = [(method, route, call) for (method, route), calls in TABLE.items() for call in calls]


def test_every_endpoint_has_a_row():
    routed = app_endpoints(create_app())
    assert routed - set(TABLE) == set(), "endpoints with no row in the access table: decide who may call them"
    assert set(TABLE) - routed == set(), "rows for endpoints the app no longer has"


def _audit_size(client, keys) -> int:
    return len(client.get("/api/v1/audit", headers=auth(keys.admin), params={"limit": 10_000}).json()["entries"])


@pytest.mark.writes
def test_access_table(client, keys, county):
    """Every row × every caller, in one test per store (one county load instead of one per row); every
    mismatch is listed at the end."""
    first = client.post("/api/v1/checks", json={"key": E["LISTED"], "as_of": AS_OF}, headers=auth(keys.fdrc)).json()
    context = Context(check_id=first["check_id"], client=client, keys=keys)
    wrong: dict[str, Any] = {}
    for method, _route, call in CASES:
        path = call.path(context) if callable(call.path) else call.path
        kwargs = call.kwargs(context) if callable(call.kwargs) else call.kwargs
        for role, status in expect(call.who).items():
            problem = _try(client, keys, county, method, path, kwargs, role, call.ok.get(role, status))
            if problem:
                wrong[f"{method} {path} ({call.what}) as {role}"] = problem
    write_json_artifact(f"api_access_{county.name}.json", {
        "endpoints": len(TABLE), "calls": len(CASES), "callers": len(ROLES), "cases": len(CASES) * len(ROLES),
        "as_expected": len(CASES) * len(ROLES) - len(wrong), "wrong": sorted(wrong)})
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())


def _try(client, keys, county, method, path, kwargs, role, status) -> str | None:
    """What is wrong with this caller's answer, or None."""
    secrets = {keys.fdrc, keys.finance, keys.admin, keys.revoked, keys.fdrc.split("_", 2)[2]}
    version, audited = county.data_version(), _audit_size(client, keys)
    r = client.request(method, path, headers=headers_for(role, keys), **kwargs)
    if r.status_code != status:
        return f"status {r.status_code}, expected {status}: {r.text[:200]}"
    if any(s in r.text for s in secrets):
        return "the answer echoes an API key"
    if status not in (401, 403):
        return None
    body = r.json()
    if set(body) != {"error"} or set(body["error"]) != {"code", "message", "details"}:
        return f"not the error shape: {body}"
    if body["error"]["code"] != {401: "unauthenticated", 403: "forbidden"}[status]:
        return f"code {body['error']['code']}"
    message = body["error"]["message"]
    if "(" not in message or not any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return f"the message is not in Chinese and English: {message}"
    if status == 401 and r.headers.get("www-authenticate") != "Bearer":
        return "401 without WWW-Authenticate: Bearer"
    if county.data_version() != version:
        return "a refused request changed the store"
    if _audit_size(client, keys) != audited:
        return "a refused request was recorded as a check"
    return None


def test_a_department_cannot_read_or_draw_another_departments_check(client, keys):
    """The recorded answer is the asking department's: another department gets 403 however it asks."""
    check_id = client.post("/api/v1/checks", json={"key": E["LISTED"], "as_of": AS_OF},
                           headers=auth(keys.finance)).json()["check_id"]
    assert client.get(f"/api/v1/checks/{check_id}", headers=auth(keys.fdrc)).status_code == 403
    assert client.post("/api/v1/render/chain", json={"check_id": check_id, "index": 0},
                       headers=auth(keys.fdrc)).status_code == 403
    for spelling in ("县财政局", "西吉县财政局", " 县财政局 "):
        for suffix in ("restrictions", "restrictions.csv"):
            r = client.get(f"/api/v1/departments/{spelling}/{suffix}", headers=auth(keys.fdrc))
            assert r.status_code == 403, (spelling, suffix, r.status_code)


@pytest.mark.writes
def test_a_department_sends_only_its_own_records_whatever_the_spelling(client, keys, county):
    """Another department's row is rejected like any bad row, with the reason and the 序号 beside it; the file's own
    rows load; only the department that sent it, or the admin, downloads its rejects."""
    for n, sender in enumerate(("县财政局", "西吉县财政局", "县发改局、县财政局"), start=1):
        rows = [listing_row(E["CLEAR"], NAMES["CLEAR"], sender=sender, n=10 + n),
                listing_row(E["EXPIRED"], NAMES["EXPIRED"], sender="西吉县发展和改革局", n=20 + n)]
        r = client.post("/api/v1/records/blacklist", json=rows, headers=auth(keys.fdrc))
        assert r.status_code == 200, (sender, r.text)
        answer = r.json()
        assert (answer["loaded"], answer["rejected"]) == (1, 1), answer
        [reject] = answer["rejects"]
        assert (reject["row"], reject["serial"], reject["name"], reject["field"]) == (2, str(10 + n), NAMES["CLEAR"],
                                                                                      "信息发送部门名称")
        assert "县财政局" in reject["reason"] and "只能报送本部门的记录" in reject["reason"]
        profile = client.get(f"/api/v1/enterprises/{E['CLEAR']}", headers=auth(keys.admin)).json()
        assert not any("县发改局" in str(x.get("sender")) for x in profile["records"]["blacklist"])
        sent = client.get(answer["rejects_url"], headers=auth(keys.fdrc))
        assert sent.status_code == 200 and sent.content.startswith("\ufeff".encode())
        lines = sent.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("行号,字段,原因,序号") and lines[1].startswith("2,信息发送部门名称,") and len(lines) == 2
        assert client.get(answer["rejects_url"], headers=auth(keys.finance)).status_code == 403
        assert client.get(answer["rejects_url"], headers=auth(keys.admin)).status_code == 200
    before = county.data_version()
    for kind in ("enterprise", "member"):
        r = client.post(f"/api/v1/records/{kind}", json=MEMBER, headers=auth(keys.fdrc))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert county.data_version() == before
