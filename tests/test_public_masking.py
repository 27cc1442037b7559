"""Personal ID numbers typed into free text reach the public only masked, on every store.

Departments' files go through the real loaders into the `county` store; a blacklist, a penalty file and a licence
file carry ID numbers in 法律描述, 备注, 详情 and a penalty's 变更内容, written the ways clerks write them
(county.written_in_free_text). The public profile and the public search are judged by
tests/id_number_detector.py, which shares nothing with api/masking.py: no full number may show, and each masked
form must (so that dropping the field could not pass). An enterprise's 15-digit registration number stays public, even one that reads like a
first-generation ID number.
"""
from __future__ import annotations

import pytest

from api_fixtures import app_client, auth
from county import (AS_OF, BLACKLIST_HEADERS, ENTERPRISE_HEADERS, FIRST_GENERATION, LICENSE_HEADERS, NAMES,
                    PENALTY_CHANGE_HEADERS, PENALTY_HEADERS, REG_NO_WITH_A_DATE, X_PERSON, E, uscc, write_csv,
                    written_in_free_text)
from id_number_detector import id_numbers_in

from api.masking import find_id_numbers
from graph.ingest import load_file

# Every test here loads departments' files into the county first.
pytestmark = pytest.mark.writes

WRITTEN = written_in_free_text()
OLD_FIRM = uscc(600)
OLD_FIRM_NAME = "西吉县老字号百货商店"


def _files(directory) -> list:
    directory.mkdir()
    texts = list(WRITTEN.values())
    code, name = E["CLEAR"], NAMES["CLEAR"]
    return [
        write_csv(directory / "registry.csv", ENTERPRISE_HEADERS, [
            ["1", OLD_FIRM, REG_NO_WITH_A_DATE, OLD_FIRM_NAME, "个人独资企业", "冯十一", "", "", "2001-05-01", "存续",
             "西吉县吉强镇", "西吉县市场监督管理局"]]),
        write_csv(directory / "blacklist.csv", BLACKLIST_HEADERS, [
            [str(i), code, name, "《测试依据》", text, f"2026-01-{i:02d}", "", "县发改局", "县财政局", "黑名单",
             "", "", "", ""] for i, (text, _) in enumerate(texts, 1)], "gbk"),
        write_csv(directory / "penalty.csv", PENALTY_HEADERS, [
            [str(i), code, name, "西吉县市场监督管理局", f"西市监罚〔2025〕{100 + i}号", "2025-07-08", "无照经营", "1000",
             "0", "罚款", text] for i, (text, _) in enumerate(texts, 1)]),
        write_csv(directory / "penalty-change.csv", PENALTY_CHANGE_HEADERS, [
            [str(i), code, name, f"西市监罚〔2025〕{100 + i}号", "县市场监督管理局", text, "2025-08-01"]
            for i, (text, _) in enumerate(texts, 1)]),
        write_csv(directory / "license.csv", LICENSE_HEADERS, [
            [str(i), code, name, f"西市监许〔2024〕{100 + i}号", "食品经营许可证", "2024-01-01", "2029-01-01",
             "县市场监督管理局", "餐饮服务", "有效", f"{text}企业注册号{REG_NO_WITH_A_DATE}"]
            for i, (text, _) in enumerate(texts, 1)]),
    ]


@pytest.fixture
def public(county, home, tmp_path, keys):
    for path in _files(tmp_path / "free-text"):
        report = load_file(county, path, home=home)
        assert report.loaded > 0 and not report.rejected, (path.name, report)
    with app_client() as client:
        yield client


def _unmasked(value) -> list[str]:
    return id_numbers_in(value) + find_id_numbers(value)


def test_free_text_id_numbers_are_masked_in_the_public_profile(public, keys):
    r = public.get(f"/api/v1/public/enterprises/{E['CLEAR']}", params={"as_of": AS_OF})
    assert r.status_code == 200
    body = r.json()
    assert _unmasked(r.text) == [] and _unmasked(body) == []
    fields = {"法律描述": [l["description"] for l in body["listings"]],
              "备注": [p["remarks"] for p in body["penalties"]],
              "变更内容": [c["content"] for p in body["penalties"] for c in p["changes"]],
              "详情": [lic["details"] for lic in body["licences"]]}
    fields = {field: "\n".join(v or "" for v in values) for field, values in fields.items()}
    for field, text in fields.items():
        for name, (_, masked) in WRITTEN.items():
            assert masked in text, (field, name, masked, text)
    # The registration number typed beside them is an enterprise's: public, and not masked.
    assert REG_NO_WITH_A_DATE in fields["详情"]
    # Departments still read the full numbers.
    departmental = public.get(f"/api/v1/enterprises/{E['CLEAR']}", headers=auth(keys.fdrc))
    assert set(id_numbers_in(departmental.json())) >= {FIRST_GENERATION, X_PERSON}


def test_a_registration_number_that_reads_like_a_date_stays_public(public):
    profile = public.get(f"/api/v1/public/enterprises/{OLD_FIRM}").json()
    assert profile["enterprise"]["reg_no"] == REG_NO_WITH_A_DATE and profile["enterprise"]["name"] == OLD_FIRM_NAME
    for q in (REG_NO_WITH_A_DATE, OLD_FIRM_NAME):
        body = public.get("/api/v1/public/search", params={"q": q}).json()
        assert [(h["key"], h["reg_no"]) for h in body["results"]] == [(OLD_FIRM, REG_NO_WITH_A_DATE)], body
        assert body["q"] == q
    by_reg_no = public.get(f"/api/v1/public/enterprises/{REG_NO_WITH_A_DATE}").json()
    assert by_reg_no["enterprise"]["key"] == OLD_FIRM and by_reg_no["enterprise"]["reg_no"] == REG_NO_WITH_A_DATE


@pytest.mark.parametrize("name", list(WRITTEN))
def test_public_search_echoes_a_typed_id_number_masked(public, name):
    text, masked = WRITTEN[name]
    r = public.get("/api/v1/public/search", params={"q": text})
    assert r.status_code == 200 and r.json()["results"] == []
    assert _unmasked(r.text) == [] and masked in r.json()["q"], r.text
    r = public.get(f"/api/v1/public/enterprises/{text}")
    assert r.status_code in (404, 422) and _unmasked(r.text) == [], r.text


def test_a_first_generation_number_searched_alone_is_read_as_a_registration_number(public):
    """Typed alone, 640422800101001 passes the registration number's check: the search reads it as a code and
    echoes it, as it would any enterprise's code; it finds no enterprise."""
    body = public.get("/api/v1/public/search", params={"q": FIRST_GENERATION}).json()
    assert body["match"] == "code" and body["results"] == [] and body["q"] == FIRST_GENERATION
