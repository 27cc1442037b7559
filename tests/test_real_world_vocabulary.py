"""List names and role labels as county offices and courts write them (DOMAIN.md, "Real-world variation"): a
system's suffix (信息, 库, 管理), 人员 for 人, a list named without 名单 — and a role label the table knows only by
its ending — must not turn a bar into a mere link without a word."""
from __future__ import annotations

import pytest
from county import id_number, uscc
from test_real_world_files import (LISTINGS, MEMBERS, REGISTRY, listing_row, load, registry_row, verdict, write)

from graph.queries.check import RULE_OFFICER, RULE_THREE_YEAR_BAR
from graph.vocabulary import UNKNOWN, vocabulary


@pytest.mark.parametrize("list_type", ["严重违法失信企业名单信息", "严重违法失信企业", "严重违法失信企业名单库",
                                       "严重违法失信名单管理"])
def test_system_spellings_of_the_serious_violation_list_carry_the_three_year_bar(store, home, tmp_path, list_type):
    listed, applicant, head = uscc(9701), uscc(9702), id_number(971)
    [_, listings] = load(store, home,
                         write(tmp_path / "registry.csv", REGISTRY, [
                             registry_row(listed, "西吉县顺达矿业有限公司", "田野", head),
                             registry_row(applicant, "西吉县顺达物流有限公司", "田野", head)]),
                         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县顺达矿业有限公司", "2025-01-10", "",
                                                                           list_type, sender="县市场监督管理局")]))
    assert not any("不在名单分类表中" in str(w) for w in listings.warnings)
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[listed] == RULE_THREE_YEAR_BAR


@pytest.mark.parametrize("list_type", ["失信被执行人员", "失信被执行人员名单", "失信被执行人信息"])
def test_spellings_of_the_judgment_defaulter_list_bar_offices(store, home, tmp_path, list_type):
    person, applicant = id_number(972), uscc(9703)
    [_, court] = load(store, home,
                      write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县长城商贸有限公司", "监事", "白云", "居民身份证",
                                                                 person, ""]]),
                      write(tmp_path / "court.csv", LISTINGS, [listing_row(uscc(9704), "西吉县另一家公司", "2026-01-01", "",
                                                                          list_type,
                                                                          person=("法定代表人", "白云", "居民身份证", person))]))
    assert not any("不在名单分类表中" in str(w) for w in court.warnings)
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[person] == RULE_OFFICER


@pytest.mark.parametrize(("list_type", "category"), [
    ("限制高消费", UNKNOWN), ("限制高消费人员", UNKNOWN), ("被执行人", UNKNOWN), ("被执行人信息", UNKNOWN),
    ("经营异常名录", "abnormal-operations"), ("经营异常名录信息", "abnormal-operations"),
    ("政府采购严重违法失信行为记录名单", UNKNOWN), ("黑名单", "blacklist"), ("税收违法黑名单", "tax-violation")])
def test_other_measures_do_not_become_a_barring_list(list_type, category):
    assert vocabulary().list_category(list_type).id == category


def test_the_partnerships_appointed_representative_is_its_head(store, home, tmp_path):
    """执行事务合伙人委派代表 was found by its ending 委派代表 ("other"): a silent non-binding link."""
    listed, partnership, rep = uscc(9705), uscc(9706), id_number(973)
    [members, *_] = load(store, home,
                         write(tmp_path / "members.csv", MEMBERS, [[partnership, "西吉县兴农投资合伙企业（有限合伙）",
                                                                    "执行事务合伙人委派代表", "马骏", "居民身份证", rep, ""]]),
                         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县兴农矿业有限公司", "马骏", rep)]),
                         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县兴农矿业有限公司", "2025-01-10", "",
                                                                           "严重违法失信企业名单", sender="县市场监督管理局")]))
    assert not members.warnings
    r = verdict(store, key=partnership)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[listed] == RULE_THREE_YEAR_BAR


def test_a_label_found_only_by_an_ending_of_no_office_warns_and_is_counted(store, home, tmp_path):
    """A label the table knows only by a weak ending (…委派代表 → other) loads with the unknown-role warning and
    shows in `creditnet stats`, so that the bureau can class it; an office ending (常务副总经理) still binds."""
    from graph.queries.stats import stats

    person, applicant = id_number(974), uscc(9707)
    [members] = load(store, home, write(tmp_path / "members.csv", MEMBERS, [
        [applicant, "西吉县某公司", "清算组委派代表", "牛犇", "居民身份证", person, ""],
        [applicant, "西吉县某公司", "常务副总经理", "杨帆", "居民身份证", id_number(975), ""]]))
    assert [w for w in members.summary()["warnings"]["rows"] if "不在职务分类表中" in w["message"]] and \
        members.summary()["warnings"]["count"] == 1
    assert vocabulary().role_classes("常务副总经理") == {"senior_manager"}
    assert "清算组委派代表" in stats(store)["unknown"]["roles"]
