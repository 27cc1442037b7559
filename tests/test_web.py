"""The web interface through FastAPI's TestClient: pages and their files, no external URLs, the SVG pictures
and the department's exports, each with its authorisation. (tests/test_web_browser.py drives the pages.)"""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from api_fixtures import auth
from county import AS_OF, E, NAMES, P, PERSON_NAMES
from web_fixtures import external_urls, unmasked_id_numbers

from api.web.exports import COLUMNS, to_csv, to_xlsx
from api.web.pages import PAGES, STATIC, assets
from graph.identifiers import mask_id_number

SVG_NS = "{http://www.w3.org/2000/svg}"
SIGNED_IN_SCRIPTS = ("auth.js", "index.js", "check.js", "profile.js", "department.js", "upload.js", "corrections.js",
                     "alerts.js", "report.js")


def svg_texts(body: str) -> str:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG_NS}svg"
    return " ".join(t.text or "" for t in root.iter() if t.tag in (f"{SVG_NS}text", f"{SVG_NS}title"))


# --- pages ----------------------------------------------------------------------------------------------------
def test_every_page_is_served_in_chinese_with_its_files_and_a_strict_policy(web_client):
    for page in PAGES:
        r = web_client.get(page.path)
        assert r.status_code == 200, page.path
        assert r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        html = r.text
        assert '<html lang="zh-CN">' in html and f"<title>{page.title}" in html
        assert "{{" not in html  # every placeholder filled
        for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            asset = web_client.get(src)
            assert asset.status_code == 200, src
        # No inline script or style: the policy would block them, and the pages do not need them.
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_signed_in_pages_need_the_key_and_public_pages_never_use_it(web_client):
    signed_in = [p for p in PAGES if p.audience == "signed-in"]
    assert {p.path for p in signed_in} == {"/check", "/checks", "/profile", "/department", "/upload", "/corrections",
                                           "/alerts", "/report"}
    for page in signed_in:
        assert "auth.js" in page.scripts
    for page in PAGES:
        if page.audience == "public":
            assert page.scripts in (("standing.js", "public.js"), ("suggest.js", "standing.js", "public.js"))
    code = {name: re.sub(r"(?m)^\s*//.*$", "", (STATIC / name).read_text(encoding="utf-8"))  # code, not comments
            for name in ("public.js", "suggest.js", "standing.js")}
    for text in code.values():
        assert "Authorization" not in text and "sessionStorage" not in text and "Auth." not in text
    assert set(re.findall(r"/api/v1/[a-z/]+", code["public.js"])) == {"/api/v1/public/search", "/api/v1/public/enterprises/"}
    assert re.findall(r"/api/v1/[a-z/]+", code["suggest.js"]) == []
    assert re.findall(r"/api/v1/[a-z/]+", code["standing.js"]) == []


def test_no_page_or_file_refers_to_another_origin(web_client):
    """The office network may have no internet: no font, script, style or picture from elsewhere."""
    for name, path in assets().items():
        assert external_urls(path.read_text(encoding="utf-8")) == [], name
    for page in PAGES:
        assert external_urls(web_client.get(page.path).text) == [], page.path
    for path in STATIC.glob("*.html"):
        assert external_urls(path.read_text(encoding="utf-8")) == [], path.name
    # and the checker itself finds what it should
    assert external_urls('<link href="https://cdn.example.com/x.css">') == ["https://cdn.example.com/x.css"]
    assert external_urls("@import url(//fonts.example.com/a.css);") == ["//fonts.example.com/a.css"]


def test_css_uses_system_fonts_and_has_a_print_stylesheet():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC"' in css
    assert "@font-face" not in css and "@import" not in css
    assert "@media print" in css


def test_scripts_put_data_in_as_text_only():
    """Names come from departments' files: no script builds HTML from strings."""
    for name, path in assets().items():
        if name.endswith(".js"):
            js = path.read_text(encoding="utf-8")
            assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js, name
            assert "document.write" not in js and "eval(" not in js, name


def test_static_serves_only_its_own_files(web_client):
    assert web_client.get("/static/style.css").headers["content-type"].startswith("text/css")
    assert web_client.get("/static/check.js").headers["content-type"].startswith("text/javascript")
    for bad in ("/static/layout.html", "/static/..%2Fpages.py", "/static/%2E%2E/pages.py", "/static/nope.js",
                "/static/../../api/app.py"):
        assert web_client.get(bad).status_code == 404, bad


def test_pages_carry_no_data(web_client):
    """Pages are the same for everyone; the data arrives through the API, with its own authorisation."""
    for page in PAGES:
        html = web_client.get(page.path).text
        assert unmasked_id_numbers(html) == []
        assert E["LISTED"] not in html and NAMES["LISTED"] not in html


# --- session --------------------------------------------------------------------------------------------------
def test_session_names_the_account(web_client, keys):
    assert web_client.get("/api/v1/web/session").status_code == 401
    assert web_client.get("/api/v1/web/session", headers=auth(keys.revoked)).status_code == 401
    me = web_client.get("/api/v1/web/session", headers=auth(keys.finance)).json()
    assert (me["department"], me["role"], me["departments"]) == ("县财政局", "department", ["县财政局"])
    admin = web_client.get("/api/v1/web/session", headers=auth(keys.admin)).json()
    assert admin["role"] == "admin" and "县法院" in admin["departments"] and len(admin["departments"]) == 30


# --- pictures -------------------------------------------------------------------------------------------------
def _check(client, key, subject):
    r = client.post("/api/v1/checks", json={"key": subject, "as_of": AS_OF}, headers=auth(key))
    assert r.status_code == 200, r.text
    return r.json()


def test_chain_picture_of_a_recorded_check(web_client, keys):
    result = _check(web_client, keys.finance, E["OFFICER"])
    index = next(i for i, h in enumerate(result["hits"]) if h["rule"] == "officer-restricted")
    body = {"check_id": result["check_id"], "index": index}
    assert web_client.post("/api/v1/render/chain", json=body).status_code == 401
    r = web_client.post("/api/v1/render/chain", json=body, headers=auth(keys.finance))
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["cache-control"] == "no-store"
    text = svg_texts(r.text)
    assert NAMES["OFFICER"] in text and PERSON_NAMES["RESTRICTED"] in text and "失信被执行人" in text
    assert mask_id_number(P["RESTRICTED"]) in text and P["RESTRICTED"] not in r.text
    # another department may not draw this department's check; admin may
    r = web_client.post("/api/v1/render/chain", json=body, headers=auth(keys.fdrc))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert web_client.post("/api/v1/render/chain", json=body, headers=auth(keys.admin)).status_code == 200
    r = web_client.post("/api/v1/render/chain", json={"check_id": result["check_id"], "index": 99},
                        headers=auth(keys.finance))
    assert r.status_code == 404
    r = web_client.post("/api/v1/render/chain", json={"check_id": "0" * 32, "index": 0}, headers=auth(keys.finance))
    assert r.status_code == 404


def test_chain_picture_of_a_hit_sent_in_the_body(web_client, keys):
    result = _check(web_client, keys.finance, E["TWO_HOPS"])
    [hit] = result["hits"]
    r = web_client.post("/api/v1/render/chain", json={"hit": hit, "subject": result["subject"]},
                        headers=auth(keys.finance))
    assert r.status_code == 200
    text = svg_texts(r.text)
    assert NAMES["TWO_HOPS"] in text and NAMES["LISTED"] in text and PERSON_NAMES["SHARED"] in text
    for bad in ({}, {"check_id": result["check_id"]}, {"check_id": result["check_id"], "index": 0, "hit": hit},
                {"hit": {"party": {"kind": "x"}}}):
        r = web_client.post("/api/v1/render/chain", json=bad, headers=auth(keys.finance))
        assert r.status_code == 422, bad
        assert r.json()["error"]["code"] == "invalid_request"


def test_neighbourhood_picture(web_client, keys):
    params = {"key": E["TWO_HOPS"], "depth": 2, "as_of": AS_OF}
    assert web_client.get("/api/v1/render/neighbourhood", params=params).status_code == 401
    r = web_client.get("/api/v1/render/neighbourhood", params=params, headers=auth(keys.fdrc))
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    text = svg_texts(r.text)
    assert NAMES["TWO_HOPS"] in text and NAMES["LISTED"] in text and "经营异常名录" in text and "受限" in text
    assert P["SHARED"] not in r.text and mask_id_number(P["SHARED"]) in text
    by_name = web_client.get("/api/v1/render/neighbourhood", params={"name": NAMES["CHAIN"], "as_of": AS_OF},
                             headers=auth(keys.fdrc))
    assert by_name.status_code == 200 and NAMES["LISTED"] in svg_texts(by_name.text)
    for bad in ({}, {"key": E["CHAIN"], "name": NAMES["CHAIN"]}, {"key": E["CHAIN"], "depth": 7},
                {"key": E["CHAIN"], "depth": 0}, {"key": "911000001000044477"}):
        r = web_client.get("/api/v1/render/neighbourhood", params=bad, headers=auth(keys.fdrc))
        assert r.status_code == 422, (bad, r.text)
    r = web_client.get("/api/v1/render/neighbourhood", params={"name": "西吉县没有这家公司"}, headers=auth(keys.fdrc))
    assert r.status_code == 404


# --- exports --------------------------------------------------------------------------------------------------
def _json_rows(client, key, department, **params):
    r = client.get(f"/api/v1/departments/{department}/restrictions", params={"as_of": AS_OF, **params},
                   headers=auth(key))
    assert r.status_code == 200, r.text
    return r.json()["restrictions"]


def test_csv_export_matches_the_json_list(web_client, keys):
    expected = _json_rows(web_client, keys.finance, "县财政局")
    assert len(expected) >= 5
    r = web_client.get("/api/v1/departments/县财政局/restrictions.csv", params={"as_of": AS_OF},
                       headers=auth(keys.finance))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"] and "filename*=UTF-8''" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode("utf-8"))  # Excel on Windows reads UTF-8 only with a BOM
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert [(row[0], row[3], row[6]) for row in rows[1:]] == [(x["type"], x["party"]["key"], x["valid_from"])
                                                              for x in expected]
    # departments see full ID numbers (DOMAIN.md): the person named on a listing is there as sent
    assert P["DIRECTOR"] in {row[3] for row in rows[1:]}


def test_xlsx_export_with_a_type_filter(web_client, keys):
    expected = _json_rows(web_client, keys.finance, "县财政局", type="严重违法失信企业名单")
    assert expected and all(x["type"] == "严重违法失信企业名单" for x in expected)
    r = web_client.get("/api/v1/departments/西吉县财政局/restrictions.xlsx",
                       params={"as_of": AS_OF, "type": "严重违法失信企业名单"}, headers=auth(keys.finance))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert "县财政局" in values[0][0] and AS_OF in values[0][0]
    assert tuple(values[1]) == COLUMNS
    assert [(v[0], v[3]) for v in values[2:]] == [(x["type"], x["party"]["key"]) for x in expected]


def test_exports_are_authorised_like_the_json_list(web_client, keys):
    url = "/api/v1/departments/县财政局/restrictions"
    assert web_client.get(url + ".csv").status_code == 401
    r = web_client.get(url + ".csv", headers=auth(keys.fdrc))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert web_client.get(url + ".xlsx", headers=auth(keys.admin)).status_code == 200
    assert web_client.get(url + ".pdf", headers=auth(keys.finance)).status_code == 422
    assert web_client.get("/api/v1/departments/县不存在局/restrictions.csv", headers=auth(keys.admin)).status_code == 404


def test_exported_cells_are_never_formulas():
    """A name in another department's file could read =HYPERLINK(…): Excel must show it, not run it."""
    row = ["黑名单", "企业", "=HYPERLINK(\"x\")", "91640422000000101M", "+1", "-2", "2026-01-01", "", "@SUM(A1)",
           "县财政局", "有效"]
    csv_rows = list(csv.reader(io.StringIO(to_csv([row]).decode("utf-8-sig"))))
    assert csv_rows[1][2] == "'=HYPERLINK(\"x\")" and csv_rows[1][4] == "'+1" and csv_rows[1][8] == "'@SUM(A1)"
    assert csv_rows[1][3] == "91640422000000101M"
    ws = load_workbook(io.BytesIO(to_xlsx([row], "标题"))).active
    cells = list(ws.iter_rows(min_row=3))[0]
    assert cells[2].value == "=HYPERLINK(\"x\")" and cells[2].data_type == "s"
    # a control character (a name typed into a check) cannot go into XLSX: it is left out, the sheet is written
    ws = load_workbook(io.BytesIO(to_xlsx([["西吉县\x01某\x1f公司"]], "标\x02题"))).active
    assert ws["A3"].value == "西吉县某公司" and ws["A1"].value == "标题"


@pytest.mark.parametrize("path", ["/", "/check", "/public"])
def test_pages_are_not_in_the_api_document(web_client, path):
    assert path not in web_client.get("/openapi.json").json()["paths"]


# --- uploads and input guards -----------------------------------------------------------------------------------
def _cap(model, field: str) -> int:
    return next(m.max_length for m in model.model_fields[field].metadata if hasattr(m, "max_length"))


def test_name_fields_take_more_than_the_api_and_the_page_checks_the_length():
    """A name field takes more than the API's cap (a name 200), so that a longer name pasted in is not cut silently:
    the page's own check (common.js, NAME_MAX as the API's) tells how long it is. A code field stops at the API's cap."""
    from api.models import PersonIn, SubjectIn
    from api.web.check_records import Subject
    from graph.queries.name_candidates import MAX_QUERY_CHARS

    def maxlength(page: str, field: str) -> int:
        html = (STATIC / f"page-{page}.html").read_text(encoding="utf-8")
        return int(re.search(rf'id="{field}"[^>]*\smaxlength="(\d+)"', html).group(1))

    common = (STATIC / "common.js").read_text(encoding="utf-8")
    input_max = int(re.search(r"INPUT_MAX = (\d+)", common).group(1))
    records_cap = next(m.max_length for m in Subject.metadata if hasattr(m, "max_length"))
    assert input_max > max(_cap(SubjectIn, "name"), MAX_QUERY_CHARS, records_cap)
    for page, field in (("check", "subject"), ("check", "app-name"), ("profile", "code"), ("public", "q"),
                        ("checks", "subject")):
        assert maxlength(page, field) == input_max, (page, field)
    assert maxlength("check", "app-uscc") == _cap(SubjectIn, "uscc")
    assert f"NAME_MAX = {_cap(PersonIn, 'name')}, CODE_MAX = {_cap(PersonIn, 'id_number')}" in common
    assert _cap(SubjectIn, "name") == MAX_QUERY_CHARS == records_cap == _cap(PersonIn, "name")


@pytest.mark.parametrize("kind", ["license", "penalty", "inspection", "blacklist", "enterprise", "member"])
def test_templates_carry_the_seeds_headers(web_client, kind):
    from graph.model import KINDS
    headers = ["序号", *(f.header for f in KINDS[kind].fields)]
    r = web_client.get(f"/api/v1/records/templates/{kind}.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode()) and "filename*=UTF-8''" in r.headers["content-disposition"]
    assert list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")))) == [headers]
    r = web_client.get(f"/api/v1/records/templates/{kind}.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[1]] == headers
    code = headers.index(KINDS[kind].fields[0].header) + 1
    assert sheet.column_dimensions[sheet.cell(1, code).column_letter].number_format == "@"  # 18 digits stay text
    assert web_client.get(f"/api/v1/records/templates/{kind}.pdf").status_code == 422
    assert web_client.get("/api/v1/records/templates/nothing.csv").status_code == 422


@pytest.mark.writes
def test_a_filled_template_loads_and_only_the_sender_fetches_its_rejects(web_client, keys):
    sheet = load_workbook(io.BytesIO(web_client.get("/api/v1/records/templates/license.xlsx").content))
    ws = sheet.active
    values = {"序号": "1", "统一社会信用代码（企业注册号）": E["CLEAR"], "企业名称": NAMES["CLEAR"], "许可文件编号": "西发改许〔2026〕5号",
              "有效期自": "2026-02-01", "许可机关": "县发改局"}
    ws.append([values.get(c.value, "") for c in ws[1]])
    ws.append([{**values, "序号": "2", "许可机关": "县财政局"}.get(c.value, "") for c in ws[1]])
    body = io.BytesIO()
    sheet.save(body)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = web_client.post("/api/v1/records/license", files={"file": ("许可.xlsx", body.getvalue(), xlsx)},
                        headers=auth(keys.fdrc))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert (answer["loaded"], answer["rejected"]) == (1, 1) and answer["rejects"][0]["serial"] == "2"
    assert "县财政局" in answer["rejects"][0]["reason"] and answer["rejects"][0]["field"] == "许可机关"
    url = answer["rejects_url"]
    assert web_client.get(url).status_code == 401
    assert web_client.get(url, headers=auth(keys.finance)).status_code == 403
    got = web_client.get(url, headers=auth(keys.fdrc))
    assert got.status_code == 200 and "许可-未载入的行.csv" in unquote(got.headers["content-disposition"])
    for bad in ("..%2F..%2Fapi.py", "x.csv", "nothing.rejects.csv", ".rejects.csv"):
        assert web_client.get(f"/api/v1/records/rejects/{bad}", headers=auth(keys.admin)).status_code == 404, bad


def _shown(message: str) -> str:
    """What the pages show of an API message (common.js `chinese`): the English in brackets at its end dropped."""
    return re.sub(r"\s*\((?![^()]*[\u4e00-\u9fff])[^()]*\)\s*(?=[:：]|$)", "", message).strip()


def test_messages_about_a_file_read_wholly_in_chinese_on_the_pages(tmp_path):
    """The English half of a refusal or notice names no Chinese header and holds no brackets of its own, so the pages
    can drop it whole; what is left has no English sentence."""
    from graph.loaders import LoadError, open_table
    from graph.loaders.headers import explain_no_kind
    from graph.loaders.merged import Range, fill_notice, header_refusal

    path = tmp_path / "名单.csv"
    messages = [explain_no_kind(["统一社会信用代码", "企业名称", "许可机关"]), explain_no_kind(["甲", "乙"]),
                fill_notice(["信息发送部门名称", "信息类型"], 3), header_refusal([Range(0, 0, 0, 1)], ["限制期限", ""])]
    for header in ("统一社会信用代码（企业注册号）,企业名称,限制期限自,信息类型",
                   "统一社会信用代码,企业注册号,企业名称,许可文件编号,许可机关"):
        path.write_text(header + "\n", encoding="utf-8")
        with pytest.raises(LoadError) as refused:
            open_table(path, "blacklist" if "限制" in header else "license")
        messages.append(refused.value.reason)
    for message in messages:
        shown = _shown(message)
        assert shown != message and not re.search(r"[A-Za-z]{4,} [a-z]{2,}", shown.replace("--kind", "")), message
