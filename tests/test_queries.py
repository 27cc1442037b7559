"""Profile, relation, department and stats on the hand-built county, on every store."""
from __future__ import annotations

from datetime import date

import pytest

from county import AS_OF, E, NAMES, OLD_REG_NO, P, uscc
from graph.errors import InvalidSubject, NotFound
from graph.queries.department import department
from graph.queries.profile import profile
from graph.queries.relation import relation
from graph.queries.stats import stats
from graph.settings import get_settings

ON = date.fromisoformat(AS_OF)


def test_profile_collects_every_class_and_applies_changes(county):
    p = profile(county, E["CLEAR"], ON)
    assert p["enterprise"]["name"] == NAMES["CLEAR"] and p["enterprise"]["legal_rep"] == "赵六"
    assert p["enterprise"]["in_registry"] is True
    [lic] = p["records"]["license"]
    assert lic["valid_to"] == "2030-01-01"  # the licence change moved it
    assert lic["original"] == {"valid_to": "2029-01-01"}
    assert [c["item"] for c in lic["changes"]] == ["有效期至"]
    assert lic["departments"] == ["县市场监督管理局"]
    assert len(p["records"]["license-change"]) == 1
    [insp] = p["records"]["inspection"]
    assert insp["result"] == "未发现问题" and insp["inspection_date"] == "2025-09-09"
    assert [m["party"]["key"] for m in p["enterprise"]["members"]] == [P["CLEAN"]]


def test_profile_penalty_with_change_and_listing_status(county):
    p = profile(county, E["LISTED"], ON)
    [pen] = p["records"]["penalty"]
    assert pen["fine"] == 5000.0 and pen["current_status"] == "已变更"
    assert pen["latest_change"] == "罚款金额由5000元变更为3000元"
    [listing] = p["records"]["blacklist"]
    assert listing["status"] == "active" and listing["list_type"] == "经营异常名录"
    assert set(p["records"]) == {"license", "license-change", "penalty", "penalty-change", "inspection", "blacklist"}


def test_profile_by_registration_number_and_errors(county):
    assert profile(county, OLD_REG_NO, ON)["enterprise"]["uscc"] == E["OLD"]
    with pytest.raises(NotFound):
        profile(county, uscc(4242), ON)
    with pytest.raises(InvalidSubject):
        profile(county, "911000001000044477", ON)


def test_enterprise_created_from_a_record_before_the_registry(county):
    # Listed under a valid code the registry does not know: created from the record's code and name.
    p = profile(county, uscc(500), ON)
    assert p["enterprise"]["name"] == "西吉县失信主体公司" and p["enterprise"]["in_registry"] is False


def test_registry_name_without_id_stays_on_the_enterprise(county):
    p = profile(county, uscc(999), ON)
    assert p["enterprise"]["legal_rep"] == "吴十" and p["enterprise"]["members"] == []


def test_relation_finds_shortest_chains(county):
    r = relation(county, E["TWO_HOPS"], E["LISTED"], settings=get_settings())
    assert r["connected"] and r["hops"] == 2
    assert [[s["source"]["key"] for s in c] for c in r["chains"]] == [[P["SHARED"], P["SHARED"]]]
    r = relation(county, E["CHAIN"], E["LISTED"], settings=get_settings())
    assert r["hops"] == 3 and [s["relation"] for s in r["chains"][0]] == ["股东", "股东", "股东"]
    assert relation(county, E["CHAIN"], E["LISTED"], depth=2, settings=get_settings())["connected"] is False
    assert relation(county, E["CLEAR"], E["LISTED"], settings=get_settings())["connected"] is False


def test_department_must_enforce_listings_it_receives(county):
    d = department(county, "西吉县财政局", ON)
    assert d["department"] == "县财政局"
    types = sorted(r["type"] for r in d["restrictions"])
    # Active on 2026-06-01 and received by 县财政局; the expired, future and old-bar ones excluded or included by date.
    keys = {r["party"]["key"] for r in d["restrictions"]}
    assert E["LISTED"] in keys and E["SERIOUS"] in keys and E["EXPIRED"] not in keys and E["FUTURE"] not in keys
    assert "严重违法失信企业名单" in types
    assert d["issued"] == {}
    assert department(county, "县财政局", date(2026, 9, 1))["restrictions"] != d["restrictions"]


def test_department_issued_counts_and_spellings(county):
    d = department(county, "县市场监管局", ON)  # a common short spelling of the same bureau
    assert d["department"] == "县市场监督管理局"
    assert d["issued"] == {"license": 1, "penalty": 1, "penalty-change": 1, "inspection": 1, "blacklist": 3}
    # 县市场监管局 receives the listing that names a restricted person: both subjects are listed.
    subjects = {r["party"]["key"] for r in d["restrictions"]}
    assert P["RESTRICTED"] in subjects and uscc(500) in subjects
    with pytest.raises(NotFound):
        department(county, "县不存在局", ON)


def test_stats(county):
    s = stats(county)
    assert s["nodes"]["enterprise"] == 20 and s["nodes"]["enterprise_in_registry"] == 18
    assert s["records"] == {"blacklist": 9, "license": 1, "license-change": 1, "penalty": 1, "penalty-change": 1,
                            "inspection": 1}
    assert s["rejects"]["rows"] == 3 and s["loads"] == 8
    assert s["per_department"]["县法院"] == {"blacklist": 3}
