"""The joint-punishment rules of DOMAIN.md, on the hand-built county, on every store."""
from __future__ import annotations

from datetime import date

import pytest

from county import AS_OF, E, OLD_REG_NO, P, id_number, uscc
from graph.errors import InvalidSubject, NotFound
from graph.queries.check import RULE_OFFICER, RULE_SUBJECT, RULE_THREE_YEAR_BAR, Applicant, check
from graph.settings import get_settings

ON = date.fromisoformat(AS_OF)


def run(store, key=None, **kw):
    kw.setdefault("as_of", ON)
    return check(store, settings=get_settings(), key=key, **kw)


def hit_keys(result):
    return {h.party.key: h for h in result.hits}


def test_listed_enterprise_is_restricted_by_itself(county):
    r = run(county, E["LISTED"])
    assert r.verdict == "restricted"
    h = hit_keys(r)[E["LISTED"]]
    assert (h.hops, h.binding, h.rule, h.path) == (0, True, RULE_SUBJECT, [])
    [listing] = h.restrictions
    assert listing["type"] == "经营异常名录"
    assert listing["sender"] == "县市场监督管理局"  # 西吉县市场监督管理局 maps to the county's node
    assert listing["receivers"] == ["县发改局", "县财政局"]
    assert listing["basis"] == "《企业信息公示暂行条例》第十七条"
    assert (listing["valid_from"], listing["valid_to"]) == ("2026-01-10", None)


def test_restricted_person_is_restricted_at_hops_zero(county):
    r = run(county, P["RESTRICTED"].lower())  # lower-case x is the same number
    assert r.subject.kind == "person" and r.verdict == "restricted"
    h = hit_keys(r)[P["RESTRICTED"]]
    assert (h.hops, h.rule) == (0, RULE_SUBJECT)


def test_enterprise_whose_legal_representative_is_restricted(county):
    r = run(county, E["OFFICER"])
    assert r.verdict == "restricted"
    h = hit_keys(r)[P["RESTRICTED"]]
    assert (h.hops, h.binding, h.rule) == (1, True, RULE_OFFICER)
    assert h.path[0]["relation"] == "法定代表人"
    assert h.path[0]["source"]["key"] == P["RESTRICTED"] and h.path[0]["target"]["key"] == E["OFFICER"]


def test_restricted_shareholder_is_only_a_link(county):
    r = run(county, E["SHAREHOLDER_ONLY"])
    assert r.verdict == "linked"
    h = hit_keys(r)[P["RESTRICTED"]]
    assert (h.hops, h.binding, h.rule) == (1, False, None)


def test_two_hops_through_a_shared_shareholder(county):
    r = run(county, E["TWO_HOPS"])
    assert r.verdict == "linked"
    h = hit_keys(r)[E["LISTED"]]
    assert h.hops == 2
    assert [s["source"]["key"] for s in h.path] == [P["SHARED"], P["SHARED"]]
    assert [s["target"]["key"] for s in h.path] == [E["TWO_HOPS"], E["LISTED"]]


def test_depth_bounds_links(county):
    assert run(county, E["CHAIN"], depth=3).verdict == "linked"
    assert hit_keys(run(county, E["CHAIN"], depth=3))[E["LISTED"]].hops == 3
    assert run(county, E["CHAIN"], depth=2).verdict == "clear"
    assert run(county, E["TWO_HOPS"], depth=1).verdict == "clear"


def test_three_year_bar_from_the_registry(county):
    r = run(county, E["BAR"])
    assert r.verdict == "restricted"
    h = hit_keys(r)[E["SERIOUS"]]
    assert (h.binding, h.rule, h.hops) == (True, RULE_THREE_YEAR_BAR, 2)
    assert [s["relation"] for s in h.path] == ["法定代表人", "法定代表人"]
    # The bar holds even at depth 1: a binding rule is the law, not a search radius.
    assert run(county, E["BAR"], depth=1).verdict == "restricted"
    # The head himself is barred from serving as legal representative.
    assert run(county, P["HEAD"]).verdict == "restricted"


def test_three_year_bar_ends_after_three_years(county):
    r = run(county, E["BAR_OLD"])
    assert r.verdict == "linked"
    assert hit_keys(r)[E["SERIOUS_OLD"]].binding is False
    # The same listing one day before its third anniversary still bars.
    assert run(county, E["BAR_OLD"], as_of=date(2024, 12, 31)).verdict == "restricted"


def test_expired_listing_is_history_not_a_restriction(county):
    r = run(county, E["EXPIRED"])
    assert r.verdict == "clear" and r.hits == []
    [entry] = r.history
    assert entry["party"]["key"] == E["EXPIRED"] and entry["restrictions"][0]["status"] == "expired"


def test_future_listing_applies_from_its_start(county):
    assert run(county, E["FUTURE"]).verdict == "clear"
    assert run(county, E["FUTURE"]).history[0]["restrictions"][0]["status"] == "future"
    assert run(county, E["FUTURE"], as_of=date(2026, 9, 1)).verdict == "restricted"
    assert run(county, E["FUTURE"], as_of=date(2027, 9, 1)).verdict == "restricted"  # the last day counts
    assert run(county, E["FUTURE"], as_of=date(2027, 9, 2)).verdict == "clear"


def test_listing_sent_by_registration_number(county):
    by_code = run(county, E["OLD"])
    by_reg = run(county, OLD_REG_NO)
    assert by_code.verdict == by_reg.verdict == "restricted"
    assert by_reg.subject.key == E["OLD"]


def test_clear_enterprise(county):
    r = run(county, E["CLEAR"])
    assert (r.verdict, r.hits, r.history) == ("clear", [], [])


def test_restricted_director_binds(county):
    r = run(county, E["DIRECTOR"])
    assert r.verdict == "restricted"
    h = hit_keys(r)[P["DIRECTOR"]]
    assert (h.rule, h.path[0]["relation"]) == (RULE_OFFICER, "董事")
    assert run(county, E["DIRECTOR"], as_of=date(2028, 3, 2)).verdict == "clear"


def test_name_lookup_normalises_brackets_and_width(county):
    for name in ("西吉县某某商贸(集团)有限公司", "西吉县某某商贸（集团）有限公司", " 西吉县某某商贸 (集团) 有限公司"):
        r = check(county, settings=get_settings(), name=name, as_of=ON)
        assert r.subject.key == E["BRACKETS"] and r.verdict == "restricted"
    with pytest.raises(NotFound):
        check(county, settings=get_settings(), name="不存在的公司", as_of=ON)


def test_unknown_valid_code_is_clear_with_a_note(county):
    r = run(county, uscc(4242))
    assert r.verdict == "clear" and "unknown subject" in r.notes[-1]
    r = run(county, id_number(99, "19900101"))
    assert r.verdict == "clear" and r.subject.kind == "person"


@pytest.mark.parametrize("bad,expected", [("911000001000044477", "3"), ("11010519491231002Y", None),
                                          ("11010519491231003X", "8")])
def test_invalid_key_names_the_expected_check_digit(county, bad, expected):
    with pytest.raises(InvalidSubject) as exc:
        run(county, bad)
    if expected:
        assert f"check digit should be {expected}" in exc.value.message


# Digits of other scripts pass str.isdigit() and int(); NFKC leaves them as they are. Arabic-Indic and
# Devanagari renderings of a registration number and an ID number, and a USCC with two Arabic-Indic digits.
OTHER_SCRIPTS = ["\u0665\u0662\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0665\u0660\u0661\u0668",
                 "".join(chr(0x0966 + int(c)) if c.isdigit() else c for c in "11010519491231002X"),
                 "9164042\u0661\u0662MA7XXXXXX"]


@pytest.mark.parametrize("bad", OTHER_SCRIPTS, ids=["arabic-indic-reg-no", "devanagari-id", "mixed-uscc"])
def test_digits_of_other_scripts_are_refused_with_the_reason(county, bad):
    with pytest.raises(InvalidSubject) as exc:
        run(county, bad)
    assert "digits 0-9" in exc.value.message and "0-9" in exc.value.message.split("(")[0]


def test_new_applicant_with_a_restricted_person(county):
    applicant = Applicant.from_dict({"name": "西吉县新公司", "persons": [
        {"name": "张三", "id_type": "居民身份证", "id_number": P["RESTRICTED"], "role": "监事"},
        {"name": "李四", "id_type": "居民身份证", "id_number": P["HEAD"], "role": "股东"}]})
    r = check(county, settings=get_settings(), applicant=applicant, as_of=ON)
    assert r.verdict == "restricted"
    keys = hit_keys(r)
    assert keys[P["RESTRICTED"]].rule == RULE_OFFICER
    assert keys[E["SERIOUS"]].binding is False  # a shareholder is not barred; the link shows


def test_new_applicant_whose_legal_representative_is_barred(county):
    applicant = Applicant.from_dict({"name": "西吉县另一家公司", "uscc": uscc(8888), "persons": [
        {"name": "李四", "id_type": "居民身份证", "id_number": P["HEAD"], "role": "法定代表人"}]})
    r = check(county, settings=get_settings(), applicant=applicant, as_of=ON)
    assert r.verdict == "restricted"
    assert hit_keys(r)[E["SERIOUS"]].rule == RULE_THREE_YEAR_BAR


def test_result_shape(county):
    d = run(county, E["OFFICER"]).as_dict()
    assert set(d) >= {"subject", "as_of", "depth", "verdict", "hits"}
    assert set(d["subject"]) == {"kind", "key", "name"}
    h = d["hits"][0]
    assert set(h) == {"party", "hops", "binding", "rule", "path", "restrictions", "notes"}
    assert set(h["restrictions"][0]) >= {"type", "basis", "description", "valid_from", "valid_to", "sender", "receivers"}
    assert d["data_version"] > 0
