"""Files as county departments and courts really write them (DOMAIN.md, "Real-world variation"): no restricted
applicant may come back clear, and no clear one restricted.

Each test writes its own small files — GBK from Excel, compound role labels, first-generation 15-digit ID
numbers, 长期 for an open end, tenure columns, listings of natural persons — loads them through the real loaders
into both stores, and checks the verdict a licence official would see. Reference date: AS_OF.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from county import id_number, uscc

from graph.identifiers import id15_to_18
from graph.ingest import load_file
from graph.queries.check import RULE_OFFICER, RULE_SUBJECT, RULE_THREE_YEAR_BAR, Applicant, check
from graph.settings import get_settings

AS_OF = date(2026, 6, 1)
CODE = "统一社会信用代码（企业注册号）"
REGISTRY = ["序号", "统一社会信用代码", "企业名称", "企业类型", "法定代表人", "法定代表人证件类型", "法定代表人证件号码",
            "成立日期", "登记状态"]
MEMBERS = ["序号", "统一社会信用代码", "企业名称", "人员类别", "姓名", "证件类型", "证件号码", "出资比例"]
LISTINGS = ["序号", CODE, "企业名称", "限制法律依据", "法律描述", "限制期限自", "限制期限至", "信息发送部门名称",
            "信息接收部门名称", "信息类型", "人员类别", "姓名", "证件类型", "证件号码"]
COURT_BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》"


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for i, row in enumerate(rows, 1):
            out.writerow([str(i), *row])
    return path


def load(store, home, *files: Path):
    return [load_file(store, f, home=home) for f in files]


def registry_row(code: str, name: str, rep: str, rep_id: str, status: str = "存续") -> list[str]:
    return [code, name, "有限责任公司", rep, "居民身份证", rep_id, "2015-03-02", status]


def listing_row(code: str, name: str, start: str, end: str, list_type: str, *, person: tuple = ("", "", "", ""),
                sender: str = "西吉县人民法院") -> list[str]:
    return [code, name, COURT_BASIS, "未履行生效法律文书确定的义务", start, end, sender, "县市场监督管理局、县发改局",
            list_type, *person]


def verdict(store, **kw):
    return check(store, settings=get_settings(), as_of=kw.pop("as_of", AS_OF), **kw)


# --- 1. An applicant given by name only ----------------------------------------------------------------------
def test_an_applicant_given_by_name_is_found_in_the_registry(store, home, tmp_path):
    code = uscc(9101)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(code, "西吉县鹏程建材有限公司", "马文", id_number(911))]),
         write(tmp_path / "listings.csv", LISTINGS,
               [listing_row(code, "西吉县鹏程建材有限公司", "2026-01-05", "", "失信被执行人")]))
    for persons in ([], [{"name": "杨丽", "id_number": id_number(912), "role": "监事"}]):
        applicant = Applicant.from_dict({"name": "西吉县鹏程建材有限公司 ", "persons": persons})
        r = verdict(store, applicant=applicant)
        assert r.verdict == "restricted" and r.subject.key == code
        assert r.hits[0].rule == RULE_SUBJECT
        assert any("按名称在登记信息中找到" in n for n in r.notes) and not any("新申请人" in n for n in r.notes)


def test_an_applicant_whose_code_is_registered_under_another_name_gets_a_note(store, home, tmp_path):
    code = uscc(9102)
    load(store, home, write(tmp_path / "registry.csv", REGISTRY,
                            [registry_row(code, "西吉县恒达商贸有限公司", "马文", id_number(913))]))
    r = verdict(store, applicant=Applicant.from_dict({"name": "西吉县宏达商贸有限公司", "uscc": code, "persons": []}))
    assert r.subject.key == code and any("登记的名称为“西吉县恒达商贸有限公司”" in n for n in r.notes)


def test_an_applicant_person_without_a_role_is_an_error_naming_the_field():
    from graph.errors import InvalidSubject
    with pytest.raises(InvalidSubject) as caught:
        Applicant.from_dict({"name": "西吉县新公司", "persons": [{"name": "张三", "id_number": id_number(914)}]})
    assert caught.value.details["field"] == "persons[0].role"


# --- 2. First-generation 15-digit ID numbers -----------------------------------------------------------------
ID15 = "640422800101123"   # region 640422, born 1980-01-01, sequence 123
ID15_AS_18 = id15_to_18(ID15)


def test_a_court_listing_naming_a_person_by_a_15_digit_number_restricts_everywhere(store, home, tmp_path):
    """The court writes the 失信被执行人's 15-digit number, with 证件类型 empty; the registry has the 18-digit one."""
    listed, applicant = uscc(9201), uscc(9202)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [
             registry_row(listed, "西吉县兴隆养殖有限公司", "马进财", ID15_AS_18),
             registry_row(applicant, "西吉县富源农业有限公司", "李强", id_number(921))], encoding="gbk"),
         write(tmp_path / "members.csv", MEMBERS, [
             [applicant, "西吉县富源农业有限公司", "执行董事兼总经理", "马进财", "居民身份证", ID15_AS_18, ""]], encoding="gbk"),
         write(tmp_path / "court.csv", LISTINGS, [
             listing_row(listed, "西吉县兴隆养殖有限公司", "2026-02-01", "长期", "失信被执行人",
                         person=("法定代表人", "马进财", "", ID15))], encoding="gbk"))
    assert verdict(store, key=listed).verdict == "restricted"
    person = verdict(store, key=ID15)
    assert person.verdict == "restricted" and person.subject.key == ID15_AS_18
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted"
    assert {h.party.key: h.rule for h in r.hits}[ID15_AS_18] == RULE_OFFICER


# --- 3. Open-ended and impossible periods --------------------------------------------------------------------
@pytest.mark.parametrize("open_end", ["长期", "永久", "长期有效", "无期限", "至今", "无", "—", "无固定期限", "终身", "暂无",
                                      "待定", "履行完毕", "履行完毕为止", "——————", "---"])
def test_an_open_end_written_in_words_is_no_end_date(store, home, tmp_path, open_end):
    code = uscc(9301)
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县某某公司", "2025-01-01", open_end, "失信被执行人")]))
    assert report.loaded == 1 and report.rejected == 0
    assert verdict(store, key=code).verdict == "restricted"


@pytest.mark.parametrize("end", ["长期（至履行完毕）", "现任（待换届）", "不详", "未解除", "暂不移出", "見備註"])
def test_an_end_that_says_the_period_goes_on_is_no_end_date_and_warns(store, home, tmp_path, end):
    """An open-end word with a note, or a word saying the listing has not ended or its end is unknown: no end date
    (it still restricts), with a warning naming the cell — not a rejected row."""
    code = uscc(9302)
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县某某公司", "2025-01-01", end, "失信被执行人")]))
    assert (report.loaded, report.rejected) == (1, 0) and any(end in m for m in _warnings(report, "限制期限至"))
    assert verdict(store, key=code).verdict == "restricted"


def test_a_period_that_ends_before_it_starts_is_rejected_with_the_reason(store, home, tmp_path):
    code = uscc(9302)
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县某某公司", "2025-06-01", "2025-01-01", "失信被执行人"),
        listing_row(uscc(9303), "西吉县另一公司", "2025-06-01", "1948-01-01", "失信被执行人")]))
    assert report.loaded == 0 and report.rejected == 2
    rejects = Path(report.rejects_file).read_text(encoding="utf-8-sig")
    assert "早于" in rejects and "限制期限至" in rejects


def test_a_date_before_1949_loads_with_a_warning(store, home, tmp_path):
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(uscc(9304), "西吉县某某公司", "1900-01-01", "", "失信被执行人")]))
    assert report.loaded == 1 and any("1949-10-01" in str(w) for w in report.warnings)


# --- 4. Listings of natural persons, and persons without an ID number ----------------------------------------
@pytest.mark.parametrize("code_cell", ["", "person"])
def test_a_listing_of_a_natural_person_restricts_that_person(store, home, tmp_path, code_cell):
    person, applicant = id_number(941), uscc(9401)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(applicant, "西吉县金穗粮油有限公司", "王芳", id_number(942))]),
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县金穗粮油有限公司", "监事", "马福", "居民身份证", person, ""]]),
         write(tmp_path / "court.csv", LISTINGS, [
             listing_row(person if code_cell == "person" else "", "", "2026-03-01", "", "失信被执行人",
                         person=("被执行人", "马福", "居民身份证", person))]))
    assert verdict(store, key=person).verdict == "restricted"
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[person] == RULE_OFFICER


def test_a_listing_naming_a_person_by_name_only_is_matched_to_the_registry(store, home, tmp_path):
    listed, applicant, person = uscc(9402), uscc(9403), id_number(943)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [
             registry_row(listed, "西吉县宏图建筑有限公司", "海军", person),
             registry_row(applicant, "西吉县宏图劳务有限公司", "苏梅", id_number(944))]),
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县宏图劳务有限公司", "董事", "海军", "居民身份证", person, ""]]),
         write(tmp_path / "court.csv", LISTINGS, [
             listing_row(listed, "西吉县宏图建筑有限公司", "2026-03-01", "", "失信被执行人",
                         person=("法定代表人", "海军", "", ""))]))
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted"
    hit = {h.party.key: h for h in r.hits}[person]
    assert hit.rule == RULE_OFFICER and any("按姓名" in n for n in hit.notes)
    assert hit.restrictions[0]["matched_by_name"] is True


def test_an_unmatched_name_is_shown_in_the_answer(store, home, tmp_path):
    listed = uscc(9404)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县远航运输有限公司", "丁一", id_number(945))]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(listed, "西吉县远航运输有限公司", "2026-03-01", "", "失信被执行人",
                                                             person=("股东", "丁二", "", ""))]))
    r = verdict(store, key=listed)
    assert r.hits[0].restrictions[0]["person_name"] == "丁二"


def test_a_head_the_registry_names_without_an_id_number_is_never_a_silent_clear(store, home, tmp_path):
    """The registry file has no 法定代表人证件号码 column: the answer says the head could not be checked, and a
    listed person of exactly that name is a link for review (a name alone is not a bar)."""
    applicant, other, person = uscc(9406), uscc(9407), id_number(947)
    load(store, home,
         write(tmp_path / "registry.csv", ["序号", "统一社会信用代码", "企业名称", "法定代表人", "成立日期", "登记状态"], [
             [applicant, "西吉县青山建材有限公司", "马 小 军", "2019-01-01", "存续"],
             [other, "西吉县青山石料有限公司", "马小兵", "2019-01-01", "存续"]]),
         write(tmp_path / "court.csv", LISTINGS, [
             listing_row("", "", "2026-03-01", "长期", "失信被执行人", person=("被执行人", "马小军", "居民身份证", person))]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked"
    hit = {h.party.key: h for h in r.hits}[person]
    assert not hit.binding and hit.restrictions[0]["matched_by_name"] is True
    assert any("同名" in n for n in hit.notes)
    assert any("无法核查其本人" in n for n in r.notes)
    # Another head given without an ID number and named on no listing: clear, and the answer still says why.
    r = verdict(store, key=other)
    assert r.verdict == "clear" and any("无法核查其本人" in n for n in r.notes)


def test_a_registry_head_with_a_mistyped_id_is_still_noted_when_a_member_file_names_another_head(store, home, tmp_path):
    """The registry's 法定代表人 is kept by name only (a mistyped ID number); a member file names another person
    法人. The named head still cannot be checked, and the answer keeps saying so."""
    applicant, person, other = uscc(9409), id_number(949), id_number(950)
    bad = person[:-1] + ("0" if person[-1] != "0" else "1")
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(applicant, "西吉县丰源农业有限公司", "马国强", bad)]),
         write(tmp_path / "court.csv", LISTINGS, [
             listing_row("", "", "2026-01-01", "", "失信被执行人", person=("被执行人", "马国强", "居民身份证", person))]),
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县丰源农业有限公司", "法人", "刘某", "居民身份证", other, ""]]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked" and any("无法核查其本人" in n for n in r.notes)
    assert any(h.party.key == person and any("同名" in n for n in h.notes) for h in r.hits)


def test_a_shareholder_named_on_a_serious_violation_listing_is_not_given_the_head_bar(store, home, tmp_path):
    """企业信息公示暂行条例 §17 bars the listed enterprise's 法定代表人/负责人: a listing that names a person as its
    股东 does not bar them from heading another enterprise (a link, not a bar); one naming nobody's role says the
    role must be checked."""
    listed, applicant, holder = uscc(9410), uscc(9411), id_number(951)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县黑甲有限公司", "头人", id_number(952)),
                                                     registry_row(applicant, "西吉县白乙有限公司", "股东人", holder)]),
         write(tmp_path / "members.csv", MEMBERS, [[listed, "西吉县黑甲有限公司", "股东", "股东人", "居民身份证", holder, "30%"]]),
         write(tmp_path / "list.csv", LISTINGS, [
             listing_row(listed, "西吉县黑甲有限公司", "2025-03-01", "", "严重违法失信企业名单",
                         person=("股东", "股东人", "居民身份证", holder))]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked", [(h.party.key, h.rule) for h in r.hits]
    assert not any(h.rule == RULE_THREE_YEAR_BAR for h in r.hits)


def test_a_court_export_with_its_own_headers_is_read(store, home, tmp_path):
    """Courts and offices write 列入机关, 当事人姓名, 身份证号码 …; each is read as the seed's column."""
    person = id_number(948)
    header = ["序号", "统一社会信用代码", "名单名称", "列入时间", "移出时间", "列入机关", "失信行为具体情形",
              "当事人姓名", "当事人角色", "身份证号码"]
    report = load(store, home, write(tmp_path / "court.csv", header, [
        ["", "失信被执行人名单", "2026-03-01", "", "西吉县人民法院", "有履行能力而拒不履行", "马小红", "被执行人", person]]))[0]
    assert report.loaded == 1 and report.summary()["columns"]["ignored"] == ["序号"]
    assert verdict(store, key=person).verdict == "restricted"


# --- 5. Vocabulary: list names and role labels ----------------------------------------------------------------
@pytest.mark.parametrize("list_type", ["严重违法企业名单", "严重违法失信名单", "市场监督管理严重违法失信名单",
                                       "严重违法失信企业名单（黑名单）", "西吉县市场监督管理局严重违法失信企业名单"])
def test_every_spelling_of_the_serious_violation_list_carries_the_three_year_bar(store, home, tmp_path, list_type):
    listed, applicant, head = uscc(9501), uscc(9502), id_number(951)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [
             registry_row(listed, "西吉县顺达矿业有限公司", "田野", head),
             registry_row(applicant, "西吉县顺达物流有限公司", "田野", head)]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县顺达矿业有限公司", "2025-01-10", "", list_type,
                                                           sender="县市场监督管理局")]))
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[listed] == RULE_THREE_YEAR_BAR


@pytest.mark.parametrize("label", ["执行董事兼总经理", "董事长、总经理", "法定代表人（执行董事）", "独立董事", "职工董事",
                                   "职工监事", "副经理", "副总经理", "财务负责人", "董事会秘书", "首席代表"])
def test_compound_and_variant_role_labels_bind(store, home, tmp_path, label):
    person, applicant = id_number(952), uscc(9503)
    load(store, home,
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县长城商贸有限公司", label, "白云", "居民身份证", person, ""]]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(uscc(9504), "西吉县另一家公司", "2026-01-01", "", "失信被执行人",
                                                             person=("法定代表人", "白云", "居民身份证", person))]))
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted", label
    assert {h.party.key: h.rule for h in r.hits}[person] == RULE_OFFICER


@pytest.mark.parametrize("label", ["原法定代表人", "前任监事", "曾任董事长", "已离任经理"])
def test_a_former_office_written_in_the_label_is_a_link_not_a_bar(store, home, tmp_path, label):
    """原法定代表人, 前任监事 …: the registry says the person held the office before; a listed former holder is a
    link for review, not an officer who bars the applicant."""
    person, applicant = id_number(957), uscc(9507)
    load(store, home,
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县长城商贸有限公司", label, "白云", "居民身份证", person, ""]]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(uscc(9508), "西吉县另一家公司", "2026-01-01", "", "失信被执行人",
                                                             person=("法定代表人", "白云", "居民身份证", person))]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked" and not any(h.binding for h in r.hits), label


def test_a_person_on_a_list_that_bars_no_office_is_a_link_not_a_bar(store, home, tmp_path):
    """Today any listed person binds: a clear applicant whose director's other company is on the tax list came
    back restricted."""
    person, applicant = id_number(953), uscc(9505)
    load(store, home,
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县清泉饮品有限公司", "董事", "高山", "居民身份证", person, ""]]),
         write(tmp_path / "tax.csv", LISTINGS, [listing_row(uscc(9506), "西吉县别家公司", "2026-01-01", "", "重大税收违法失信主体",
                                                           person=("法定代表人", "高山", "居民身份证", person),
                                                           sender="县税务局")]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked" and not any(h.binding for h in r.hits)


def test_an_unknown_list_type_restricts_its_subject_and_warns(store, home, tmp_path):
    code = uscc(9507)
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县某某公司", "2026-01-01", "", "拖欠农民工工资失信联合惩戒对象名单", sender="县人社局")]))
    assert any("不在名单分类表中" in str(w) for w in report.warnings)
    assert verdict(store, key=code).verdict == "restricted"


def test_an_unknown_role_label_is_a_link_and_warns(store, home, tmp_path):
    person, applicant = id_number(954), uscc(9508)
    [members, _] = load(store, home,
                        write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县某公司", "驾驶员", "牛犇", "居民身份证", person, ""]]),
                        write(tmp_path / "court.csv", LISTINGS, [listing_row(uscc(9509), "西吉县别公司", "2026-01-01", "",
                                                                            "失信被执行人",
                                                                            person=("法定代表人", "牛犇", "居民身份证", person))]))
    assert any("不在职务分类表中" in str(w) for w in members.warnings)
    r = verdict(store, key=applicant)
    assert r.verdict == "linked"


# --- 6. Time: tenure, changes of legal representative, the bar's last day ----------------------------------
@pytest.mark.parametrize(("as_of", "expected"), [(date(2024, 3, 1), "restricted"), (date(2024, 3, 2), "clear")])
def test_the_three_year_bar_ends_on_the_corresponding_day(store, home, tmp_path, as_of, expected):
    listed, applicant, head = uscc(9601), uscc(9602), id_number(961)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县甲公司", "何平", head),
                                                      registry_row(applicant, "西吉县乙公司", "何平", head)]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县甲公司", "2021-03-01", "", "严重违法失信企业名单")]))
    r = verdict(store, key=applicant, as_of=as_of)
    assert r.verdict == expected or (expected == "clear" and r.verdict != "restricted")


def test_a_serious_listing_removed_early_is_never_a_silent_clear(store, home, tmp_path):
    listed, applicant, head = uscc(9603), uscc(9604), id_number(962)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县丙公司", "吴江", head),
                                                      registry_row(applicant, "西吉县丁公司", "吴江", head)]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县丙公司", "2025-01-01", "2025-09-30",
                                                           "严重违法失信企业名单")]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked"
    assert any("提前移出" in n for h in r.hits for n in h.notes)


def test_a_supervisor_who_left_no_longer_binds(store, home, tmp_path):
    person, applicant = id_number(963), uscc(9605)
    load(store, home,
         write(tmp_path / "members.csv", MEMBERS + ["任职日期", "离任日期"], [
             [applicant, "西吉县戊公司", "监事", "罗成", "居民身份证", person, "", "2015-01-01", "2020-06-30"]]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(uscc(9606), "西吉县别公司", "2026-01-01", "", "失信被执行人",
                                                             person=("法定代表人", "罗成", "居民身份证", person))]))
    assert verdict(store, key=applicant).verdict != "restricted"
    # On a date while the supervisor still sat, the same data binds.
    assert verdict(store, key=applicant, as_of=date(2020, 1, 1)).verdict == "clear"  # the listing began in 2026


def test_the_bar_follows_the_head_on_the_listing_date_not_the_successor(store, home, tmp_path):
    listed, old_firm, new_firm = uscc(9607), uscc(9608), uscc(9609)
    old_head, new_head = id_number(964), id_number(965)
    load(store, home,
         write(tmp_path / "registry-2024.csv", REGISTRY, [registry_row(listed, "西吉县庚公司", "金大", old_head),
                                                           registry_row(old_firm, "西吉县辛公司", "金大", old_head),
                                                           registry_row(new_firm, "西吉县壬公司", "木二", new_head)]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县庚公司", "2025-01-10", "", "严重违法失信企业名单")]),
         write(tmp_path / "registry-2025.csv", REGISTRY + ["变更日期"],
               [[*registry_row(listed, "西吉县庚公司", "木二", new_head), "2025-08-01"]]))
    assert verdict(store, key=old_firm).verdict == "restricted"     # the head on the listing date stays barred
    r = verdict(store, key=new_firm)
    assert r.verdict != "restricted"                                   # the successor does not inherit the bar


# --- 7. Revocations and heavy penalties are shown -------------------------------------------------------------
PENALTIES = ["序号", CODE, "企业名称", "作出行政处罚决定机关名称", "行政处罚决定书文号", "作出行政处罚决定日期", "违法行为类型",
             "罚款金额", "没收金额", "处罚种类", "备注"]


def test_an_officer_who_headed_an_enterprise_whose_licence_was_revoked_is_a_link(store, home, tmp_path):
    revoked, applicant, person = uscc(9701), uscc(9702), id_number(971)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(revoked, "西吉县旧厂有限公司", "宋江", person),
                                                      registry_row(applicant, "西吉县新厂有限公司", "林冲", id_number(972))]),
         write(tmp_path / "members.csv", MEMBERS, [[applicant, "西吉县新厂有限公司", "董事", "宋江", "居民身份证", person, ""]]),
         write(tmp_path / "penalties.csv", PENALTIES, [[revoked, "西吉县旧厂有限公司", "县市场监督管理局", "西市监罚〔2024〕12号",
                                                       "2024-05-01", "无照经营", "", "", "吊销营业执照", ""]]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked"
    [hit] = [h for h in r.hits if h.party.key == revoked]
    assert not hit.binding and hit.restrictions[0]["type"] == "吊销营业执照" and "§178" in hit.restrictions[0]["basis"]
    assert [p["kind"] for p in r.penalties] == ["吊销营业执照"]
    # Three years on (民法典 §201–202) it is no longer shown.
    assert verdict(store, key=applicant, as_of=date(2027, 5, 2)).verdict == "clear"


def test_a_registry_status_of_revoked_without_a_date_is_a_link_for_review(store, home, tmp_path):
    revoked, applicant, person = uscc(9703), uscc(9704), id_number(973)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [
             registry_row(revoked, "西吉县老店有限公司", "卢俊", person, status="吊销，未注销"),
             registry_row(applicant, "西吉县新店有限公司", "卢俊", person)]))
    r = verdict(store, key=applicant)
    assert r.verdict == "linked" and any("吊销日期" in n for h in r.hits for n in h.notes)


def test_a_revoked_food_licence_cites_the_food_safety_law(store, home, tmp_path):
    code = uscc(9705)
    load(store, home, write(tmp_path / "penalties.csv", PENALTIES, [
        [code, "西吉县香满园餐饮有限公司", "县市场监督管理局", "西市监罚〔2025〕3号", "2025-02-01", "食品安全违法",
         "20000", "", "罚款；吊销食品经营许可证", ""]]))
    [p] = verdict(store, key=code).penalties
    assert p["kind"] == "吊销许可证" and "食品安全法 §135" in p["basis"] and p["until"] == "2030-02-01"


def test_stats_lists_unknown_list_types_and_role_labels_with_counts(store, home, tmp_path):
    from graph.queries.stats import stats
    load(store, home,
         write(tmp_path / "members.csv", MEMBERS, [[uscc(9801), "西吉县某公司", "驾驶员", "甲", "居民身份证", id_number(981), ""],
                                                    [uscc(9802), "西吉县某公司二", "驾驶员", "乙", "居民身份证", id_number(982), ""],
                                                    [uscc(9802), "西吉县某公司二", "监事", "丙", "居民身份证", id_number(983), ""]]),
         write(tmp_path / "l.csv", LISTINGS, [listing_row(uscc(9803), "西吉县某公司三", "2026-01-01", "", "欠薪黑名单对象"),
                                              listing_row(uscc(9804), "西吉县某公司四", "2026-01-01", "", "失信被执行人")]))
    unknown = stats(store)["unknown"]
    assert unknown == {"list_types": {"欠薪黑名单对象": 1}, "roles": {"驾驶员": 2}}


# --- The same through the API, as an approval system calls it --------------------------------------------------
def test_the_api_finds_a_name_only_applicant_and_a_15_digit_person(store, home, tmp_path, fast_keys):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.accounts import Accounts
    listed = uscc(9901)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县德胜商贸有限公司", "马德胜", ID15_AS_18)]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(listed, "西吉县德胜商贸有限公司", "2026-02-01", "长期", "失信被执行人",
                                                             person=("法定代表人", "马德胜", "居民身份证", ID15))]))
    with Accounts(home) as accounts:
        _, key = accounts.add("县发改局")
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app()) as client:
        body = client.post("/api/v1/checks", json={"name": "西吉县德胜商贸有限公司", "persons": [], "as_of": AS_OF.isoformat()},
                           headers=headers).json()
        assert body["verdict"] == "restricted" and body["subject"]["key"] == listed
        person = client.get(f"/api/v1/persons/{ID15}", headers=headers).json()
        assert person["person"]["key"] == ID15_AS_18 and person["restricted"] is True
        declared = client.post("/api/v1/checks", json={"name": "西吉县新办公司", "as_of": AS_OF.isoformat(), "persons": [
            {"name": "马德胜", "id_number": ID15, "role": "执行董事兼总经理"}]}, headers=headers).json()
        assert declared["verdict"] == "restricted"


def test_an_older_registry_file_sent_again_keeps_the_former_heads_bar(store, home, tmp_path):
    """A clerk re-sends the 2020 extract after the 2022 change: the 2020 head is current again from the load's
    date, and her term on the listing date is kept, so the enterprise she heads elsewhere stays barred."""
    listed, other, chen, yang = uscc(9610), uscc(9611), id_number(966), id_number(967)
    old = write(tmp_path / "registry-2020.csv", REGISTRY, [registry_row(listed, "西吉县辛矿业有限公司", "陈静", chen),
                                                            registry_row(other, "西吉县壬运输有限公司", "陈静", chen)],
                encoding="gbk")
    load(store, home, old,
         write(tmp_path / "registry-2022.csv", REGISTRY + ["变更日期"],
               [[*registry_row(listed, "西吉县辛矿业有限公司", "杨磊", yang), "2022.5.1"]]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县辛矿业有限公司", "2022-01-10", "", "严重违法失信名单",
                                                           sender="县市场监督管理局")]))
    assert verdict(store, key=other, as_of=date(2023, 1, 1)).verdict == "restricted"
    load(store, home, old)
    assert verdict(store, key=other, as_of=date(2023, 1, 1)).verdict == "restricted"
    version = store.data_version()
    load(store, home, old)  # the same file once more changes nothing
    assert store.data_version() == version


@pytest.mark.parametrize("end_header", ["限制期限止", "限制期限至\n（长期的不填）"])
def test_an_end_column_written_otherwise_is_read(store, home, tmp_path, end_header):
    code = uscc(9310)
    headers = [end_header if h == "限制期限至" else h for h in LISTINGS]
    [report] = load(store, home, write(tmp_path / "l.csv", headers, [
        listing_row(code, "西吉县装载测试有限公司", "2022-01-01", "2023-01-01", "严重违法失信企业名单")]))
    assert report.columns[end_header] == "valid_to"
    assert verdict(store, key=code, as_of=date(2024, 6, 1)).verdict == "clear"


def test_an_unread_column_and_a_missing_end_column_are_warned(store, home, tmp_path):
    headers = [("限制期间截止" if h == "限制期限至" else h) for h in LISTINGS]
    [report] = load(store, home, write(tmp_path / "l.csv", headers, [
        listing_row(uscc(9311), "西吉县某公司", "2022-01-01", "2023-01-01", "失信被执行人")]))
    fields = {(w.row, w.field) for w in report.warnings}
    assert (1, "限制期间截止") in fields and (1, "限制期限至") in fields


def test_a_mistyped_id_number_of_the_listed_person_keeps_the_enterprise_listed(store, home, tmp_path):
    code, good = uscc(9320), id_number(932)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县错号公司", "2026-01-01", "", "严重违法失信企业名单", person=("法定代表人", "钱多", "居民身份证", bad))]))
    assert (report.loaded, report.rejected) == (1, 0) and any("仅按姓名" in w.message for w in report.warnings)
    r = verdict(store, key=code)
    assert r.verdict == "restricted" and r.hits[0].restrictions[0]["person_name"] == "钱多"


@pytest.mark.parametrize("typed", ["西吉县未羊机械有限责任公司", "西吉縣未羊機械有限公司"])
def test_an_applicant_named_with_another_company_form_or_in_traditional_characters_is_found(store, home, tmp_path, typed):
    code = uscc(9103)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(code, "西吉县未羊机械有限公司", "羊一", id_number(915))]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(code, "西吉县未羊机械有限公司", "2026-01-05", "", "失信被执行人")]))
    r = verdict(store, applicant=Applicant.from_dict({"name": typed, "persons": [
        {"name": "新监事", "id_number": id_number(916), "role": "监事"}]}))
    assert r.verdict == "restricted" and r.subject.key == code
    assert any("一并核查" in n for n in r.notes)


def test_an_applicant_name_not_in_the_registry_says_what_to_do(store, home, tmp_path):
    load(store, home, write(tmp_path / "registry.csv", REGISTRY, [
        registry_row(uscc(9104), "西吉县乙建材有限公司", "乙一", id_number(917))]))
    r = verdict(store, applicant=Applicant.from_dict({"name": "乙建材有限公司", "persons": []}))
    assert r.verdict == "clear" and any("请用统一社会信用代码核查" in n for n in r.notes)


def test_a_dry_run_says_why_each_row_would_be_refused(store, home, tmp_path):
    import json as _json

    from typer.testing import CliRunner

    from cli.main import app
    path = write(tmp_path / "l.csv", LISTINGS, [listing_row(uscc(9330), "西吉县某公司", "2025-06-01", "2025-01-01", "失信被执行人")])
    result = CliRunner().invoke(app, ["load", "--dry-run", "--json", str(path)])
    summary = _json.loads(result.stdout)
    assert summary["rejects_file"] is None and summary["rejects"]["count"] == 1
    [reason] = summary["rejects"]["rows"]
    assert (reason["row"], reason["field"]) == (2, "限制期限至") and "早于" in reason["reason"]
    text = CliRunner().invoke(app, ["load", "--dry-run", "-q", str(path)]).stdout
    assert "拒绝：第2行 限制期限至" in text


def test_a_workbook_opening_with_instructions_is_read_from_its_data_sheet(store, home, tmp_path):
    """Templates often open with a 填表说明 sheet; the data sheet after it is read, and the summary says which, and
    that a further sheet that looks like a table was not read."""
    from openpyxl import Workbook

    listed = uscc(9408)
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["1. 统一社会信用代码为18位"])
    notes.append(["2. 长期有效的限制期限至填写“长期”"])
    for title, code in (("数据", listed), ("2025年", uscc(9409))):
        sheet = wb.create_sheet(title)
        sheet.append(LISTINGS)
        sheet.append(["1", *listing_row(code, "西吉县工作表测试有限公司", "2026-03-01", "长期", "严重违法失信企业名单")])
    path = tmp_path / "listings.xlsx"
    wb.save(path)
    report = load(store, home, path)[0]
    assert report.loaded == 1
    messages = [w["message"] for w in report.summary()["warnings"]["rows"]]
    assert any("已读取工作表“数据”" in m for m in messages)
    assert any("工作表“2025年”" in m and "未读取" in m for m in messages)
    assert verdict(store, key=listed).verdict == "restricted"


def test_a_rejected_row_is_named_in_every_answer_that_reaches_its_party(store, home, tmp_path):
    """Never a silent clear: a 失信被执行人 row that could not be read (an impossible date) leaves the enterprise and
    its officer without the listing, and every check that reaches them says which row could not be read; the mended
    file, sent again under its name, replaces the note with the listing."""
    listed, officer_of, person = uscc(9412), uscc(9413), id_number(953)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县未读商贸有限公司", "未读", person),
                                                     registry_row(officer_of, "西吉县旁及商贸有限公司", "旁及", id_number(954))]),
         write(tmp_path / "members.csv", MEMBERS, [[officer_of, "西吉县旁及商贸有限公司", "监事", "未读", "居民身份证", person, ""]]))
    # Asked before the row comes: what a store keeps per data version (the codes rows are kept under) is not kept past it.
    assert verdict(store, key=officer_of).unread == []
    court = tmp_path / "court.csv"
    bad = load(store, home, write(court, LISTINGS, [listing_row(listed, "西吉县未读商贸有限公司", "2026-02-30", "", "失信被执行人",
                                                              person=("法定代表人", "未读", "居民身份证", person))]))[0]
    assert bad.rejected == 1 and bad.changed  # the store now knows a row about them could not be read
    for key, hops in ((listed, 0), (person, 0), (officer_of, 1)):
        r = verdict(store, key=key)
        # The listing row may be the one that restricts them (the subject itself, or its 监事): never `clear`.
        assert r.verdict == "linked" and not r.hits and "人工核查" in r.notes[0]
        assert [(u["source"], u["row"], u["field"]) for u in r.unread] == [("court.csv", 2, "限制期限自")] * len(r.unread)
        assert r.unread and min(u["hops"] for u in r.unread) == hops
        assert any("未能导入" in n for n in r.notes)
    again = load(store, home, court)[0]  # the same file again: nothing new
    assert not again.changed
    # Another department's export that happens to share the name, about someone else, settles nothing.
    other = tmp_path / "other"
    other.mkdir()
    load(store, home, write(other / "court.csv", LISTINGS, [listing_row(uscc(9414), "西吉县别家商贸有限公司", "2026-02-01", "",
                                                                       "失信被执行人", sender="县市场监督管理局")]))
    assert verdict(store, key=officer_of).unread
    load(store, home, write(court, LISTINGS, [listing_row(listed, "西吉县未读商贸有限公司", "2026-02-28", "", "失信被执行人",
                                                        person=("法定代表人", "未读", "居民身份证", person))]))
    r = verdict(store, key=officer_of)
    assert r.verdict == "restricted" and r.unread == [] and not any("未能导入" in n for n in r.notes)


# --- 5. Codes and dates as county offices and courts write them -------------------------------------------------
def _warnings(report, field: str | None = None) -> list[str]:
    """The load summary's warnings (of one column's field, when given)."""
    return [w["message"] for w in report.summary()["warnings"]["rows"] if field is None or w["field"] == field]


@pytest.mark.parametrize("id_cell", ["", ID15])
def test_a_15_digit_id_number_in_the_code_column_of_a_court_listing_lists_the_person(store, home, tmp_path, id_cell):
    """The court writes the 失信被执行人's first-generation number in the code column (it fails a registration
    number's check digit), with 证件号码 empty or the same number: the person is listed, no made-up enterprise."""
    applicant = uscc(9701)
    reports = load(store, home,
                   write(tmp_path / "registry.csv", REGISTRY, [
                       registry_row(applicant, "西吉县丰源牧业有限公司", "王芳", id_number(971))], encoding="gbk"),
                   write(tmp_path / "members.csv", MEMBERS, [
                       [applicant, "西吉县丰源牧业有限公司", "监事", "马进财", "居民身份证", ID15_AS_18, ""]], encoding="gbk"),
                   write(tmp_path / "court.csv", LISTINGS, [
                       listing_row(ID15, "", "2026-02-01", "", "失信被执行人", person=("被执行人", "马进财", "", id_cell))],
                       encoding="gbk"))
    court = reports[-1]
    assert (court.loaded, court.rejected) == (1, 0)
    assert store.read(lambda r: r.enterprise_by_code(ID15, "reg_no")) is None
    person = verdict(store, key=ID15_AS_18)
    assert person.verdict == "restricted" and person.subject.key == ID15_AS_18
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[ID15_AS_18] == RULE_OFFICER
    if not id_cell:
        assert any("第一代身份证号码" in m and ID15_AS_18 in m and "自然人名单" in m for m in _warnings(court))


def test_a_15_digit_code_that_is_both_a_registration_number_and_an_id_number_stays_the_enterprise_and_warns(
        store, home, tmp_path):
    """It passes the registration number's check digit and is a plausible first-generation ID number: the enterprise
    stays listed under it, and the load says it may be the named person's number."""
    from graph.identifiers import reg_no_check_digit

    both = "64042280010112" + reg_no_check_digit("64042280010112")
    [report] = load(store, home, write(tmp_path / "court.csv", LISTINGS, [
        listing_row(both, "西吉县老字号商店", "2026-02-01", "", "失信被执行人", person=("经营者", "马进财", "", ""))]))
    assert (report.loaded, report.rejected) == (1, 0)
    assert verdict(store, key=both).verdict == "restricted"
    assert any("也是有效的第一代身份证号码" in m and both in m for m in _warnings(report))


@pytest.mark.parametrize(("end", "last_day", "warned"), [
    ("2026-12-31止", "2026-12-31", None), ("至2026-12-31", "2026-12-31", None),
    ("2026-12-31（暂定）", "2026-12-31", "暂定"), ("2026-12-31(暂定)", "2026-12-31", "暂定"),
    ("2026年12月", "2026-12-31", "该月最后一天 2026-12-31"), ("2026.12", "2026-12-31", "该月最后一天 2026-12-31"),
    ("2026年", "2026-12-31", "该年最后一天 2026-12-31"),
])
def test_an_end_date_written_as_offices_write_it_is_that_date(store, home, tmp_path, end, last_day, warned):
    code = uscc(9702)
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县某某公司", "2025-01-01", end, "失信被执行人")]))
    assert (report.loaded, report.rejected) == (1, 0)
    assert verdict(store, key=code, as_of=date.fromisoformat(last_day)).verdict == "restricted"
    assert verdict(store, key=code, as_of=date(2027, 1, 1)).verdict != "restricted"
    if warned:
        assert any(warned in m for m in _warnings(report, "限制期限至"))


@pytest.mark.parametrize(("start", "first_day", "warned"), [
    ("2024年3月1号", "2024-03-01", None), ("2024/03/01 星期五", "2024-03-01", None),
    ("二〇二四年三月一日", "2024-03-01", None), ("二零二四年三月一日", "2024-03-01", None),
    ("2024年3月", "2024-03-01", "该月第一天 2024-03-01"), ("2024.3", "2024-03-01", "该月第一天 2024-03-01"),
    ("2024-03", "2024-03-01", "该月第一天 2024-03-01"), ("2024年", "2024-01-01", "该年第一天 2024-01-01"),
])
def test_a_start_date_written_as_offices_write_it_is_that_date(store, home, tmp_path, start, first_day, warned):
    """2024.3 is March 2024, never the Excel serial 2024.3 (1905-07-16): the listing starts then, not in 1905."""
    code = uscc(9703)
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(code, "西吉县某某公司", start, "2026-12-31", "严重违法失信名单")]))
    assert (report.loaded, report.rejected) == (1, 0)
    day = date.fromisoformat(first_day)
    assert verdict(store, key=code, as_of=day).verdict == "restricted"
    assert verdict(store, key=code, as_of=date.fromordinal(day.toordinal() - 1)).verdict != "restricted"
    messages = _warnings(report)
    assert not any("1949-10-01" in m for m in messages)
    if warned:
        assert any(warned in m for m in _warnings(report, "限制期限自"))


@pytest.mark.parametrize(("start", "why"), [("3/1/2024", "月和日的顺序"), ("24-3-1", "年份只有两位")])
def test_an_ambiguous_date_is_rejected_saying_how_to_write_it(store, home, tmp_path, start, why):
    [report] = load(store, home, write(tmp_path / "l.csv", LISTINGS, [
        listing_row(uscc(9704), "西吉县某某公司", start, "", "失信被执行人")]))
    assert (report.loaded, report.rejected) == (0, 1)
    [reject] = report.summary()["rejects"]["rows"]
    assert reject["field"] == "限制期限自" and why in reject["reason"] and f"“{start}”" in reject["reason"]
    assert "写成 YYYY-MM-DD" in reject["reason"]


@pytest.mark.parametrize("still", ["在任", "现任", "至今"])
def test_a_member_still_in_office_binds(store, home, tmp_path, still):
    """离任日期 written 在任 / 现任 / 至今: the supervisor has not left, and binds the enterprise."""
    person, applicant = id_number(972), uscc(9705)
    [members, court] = load(store, home,
                            write(tmp_path / "members.csv", MEMBERS + ["任职日期", "离任日期"], [
                                [applicant, "西吉县己公司", "监事", "罗成", "居民身份证", person, "", "2019年", still]]),
                            write(tmp_path / "court.csv", LISTINGS, [
                                listing_row("", "", "2026-01-01", "", "失信被执行人",
                                            person=("被执行人", "罗成", "居民身份证", person))]))
    assert (members.loaded, members.rejected) == (1, 0)
    assert any("2019-01-01" in m for m in _warnings(members, "任职日期"))
    r = verdict(store, key=applicant)
    assert r.verdict == "restricted" and {h.party.key: h.rule for h in r.hits}[person] == RULE_OFFICER


def test_a_rejected_row_with_a_mistyped_code_still_reaches_the_enterprise_it_names(store, home, tmp_path):
    """A check digit one off: the row cannot be tied by its code, but it names the registered enterprise exactly."""
    listed = uscc(9415)
    typo = listed[:-1] + ("0" if listed[-1] != "0" else "1")
    load(store, home, write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县六合建筑有限公司", "六合", id_number(955))]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(typo, "西吉县六合建筑有限公司", "2026-02-01", "", "失信被执行人")]))
    r = verdict(store, key=listed)
    assert len(r.unread) == 1 and r.unread[0]["row"] == 2 and r.unread[0]["party"]["key"] == listed
    assert sum("未能导入" in n for n in r.notes) == 1


def test_a_listing_naming_another_persons_id_number_keeps_their_registered_name_and_says_so(store, home, tmp_path):
    """A court clerk types 马文's ID number for the 失信被执行人 张强. The ID number is the key, so 马文's enterprise is
    restricted (never a silent clear), but 马文 keeps his registered name, the load warns on the row, and the
    answer says the names differ so that the official verifies before refusing."""
    innocent, other, rep = uscc(9801), uscc(9802), id_number(981)
    registry = write(tmp_path / "registry.csv", REGISTRY, [registry_row(innocent, "西吉县马文商贸有限公司", "马文", rep)])
    listings = write(tmp_path / "court.csv", LISTINGS, [
        listing_row(other, "西吉县张强建材有限公司", "2026-01-05", "", "失信被执行人",
                    person=("法定代表人", "张强", "居民身份证", rep))])
    _, report = load(store, home, registry, listings)
    assert any("属于“马文”" in m and "张强" in m for m in _warnings(report, "证件号码"))
    r = verdict(store, key=innocent)
    assert r.verdict == "restricted"
    [hit] = [h for h in r.hits if h.party.key == rep]
    assert hit.party.name == "马文"
    assert any("“张强”" in n and "“马文”" in n and "核实证件号码" in n for n in hit.notes)
    # The listed enterprise's own answer names the person as the court wrote them.
    assert verdict(store, key=other).hits[0].restrictions[0]["person_name"] == "张强"
    # Loaded the other way round (the court's file first), the registry's name still wins.
    load(store, home, listings, registry)
    assert store.read(lambda reader: reader.person(rep)).name == "马文"


def test_a_corporate_member_whose_type_names_no_person_is_the_enterprise(store, home, tmp_path):
    """A member file's 证件类型 written 企业 (not 统一社会信用代码) over a valid USCC: the shareholder is the enterprise,
    so its listing reaches the company it holds, and the load says how the row was read."""
    company, holder = uscc(9811), uscc(9812)
    members = write(tmp_path / "members.csv", MEMBERS,
                    [[company, "西吉县控股子公司", "股东", "西吉县母公司", "企业", holder, "60%"]])
    court = write(tmp_path / "court.csv", LISTINGS, [listing_row(holder, "西吉县母公司", "2026-01-05", "", "失信被执行人")])
    report, _ = load(store, home, members, court)
    assert any("按企业股东处理" in m for m in _warnings(report, "证件号码"))
    r = verdict(store, key=company)
    assert r.verdict == "linked" and [(h.party.kind, h.party.key) for h in r.hits] == [("enterprise", holder)]


def test_a_courts_own_defaulter_export_is_read_whole(store, home, tmp_path):
    """The export courts send from 中国执行信息公开网: 被执行人姓名/名称 and 身份证号码/组织机构代码 for persons and
    enterprises alike, no 信息类型 (every row is a 失信被执行人), GBK. Persons and enterprises are listed; a masked
    number or an organisation code is refused saying what to send instead, and the enterprise it names is told
    of it in every answer that reaches it."""
    person, company, named_only = id_number(991), uscc(9901), uscc(9902)
    load(store, home, write(tmp_path / "registry.csv", REGISTRY, [
        registry_row(named_only, "西吉县只有机构代码有限公司", "马六", id_number(992))]))
    header = ["序号", "被执行人姓名/名称", "身份证号码/组织机构代码", "执行法院", "省份", "案号", "立案时间",
              "生效法律文书确定的义务", "失信被执行人行为具体情形", "发布时间"]
    court = ["西吉县人民法院", "宁夏", "（2025）宁0422执1号", "2025-01-02", "给付货款", "有履行能力而拒不履行"]
    [report] = load(store, home, write(tmp_path / "court.csv", header, [
        ["马小红", person, *court, "2025-03-01"],
        ["西吉县欠款建材有限公司", company, *court, "2025-03-02"],
        ["西吉县只有机构代码有限公司", named_only[8:17], *court, "2025-03-03"],
        ["马大红", person[:10] + "****" + person[14:], *court, "2025-03-04"]], encoding="gbk"))
    assert (report.loaded, report.rejected) == (2, 2)
    reasons = [r["reason"] for r in report.reject_rows]
    assert "组织机构代码" in reasons[0] and "统一社会信用代码" in reasons[0] and "部分隐去" in reasons[1]
    assert any("按法院失信被执行人名单读取" in m for m in _warnings(report, "信息类型"))
    r = verdict(store, key=person)
    assert r.verdict == "restricted" and r.subject.name == "马小红"
    assert r.hits[0].restrictions[0]["type"] == "失信被执行人"
    assert verdict(store, key=company).verdict == "restricted"
    noted = verdict(store, key=named_only)
    assert any(u["row"] == 4 for u in noted.unread)


@pytest.mark.parametrize(("start", "as_of", "expected"), [
    ("2021年3月", date(2021, 3, 1), "restricted"),    # counts from the month's first day
    ("2021年3月", date(2024, 3, 31), "restricted"),   # three years after the last day it may mean
    ("2021年3月", date(2024, 4, 1), "clear"),
    ("2021", date(2024, 12, 31), "restricted")])
def test_a_bar_from_a_start_sent_as_a_month_is_not_shortened(store, home, tmp_path, start, as_of, expected):
    """限制期限自 2021年3月: the listing may have started on any day of March, so its head is barred through
    2024-03-31, not 2024-03-01 (never a silent clear in between); the answer says how it was counted."""
    listed, applicant, head = uscc(9611), uscc(9612), id_number(963)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(listed, "西吉县月份公司", "郑月", head),
                                                      registry_row(applicant, "西吉县申请公司", "郑月", head)]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(listed, "西吉县月份公司", start, "",
                                                            "严重违法失信企业名单")]))
    r = verdict(store, key=applicant, as_of=as_of)
    assert r.verdict == expected or (expected == "clear" and r.verdict != "restricted")
    if expected == "restricted" and as_of.year == 2024:
        assert any("最后可能的一天" in n for h in r.hits for n in h.notes)


def _listings_of(store, key):
    return store.read(lambda r: r.records_of(key)).get("blacklist", [])


def test_a_removal_sent_under_another_spelling_of_the_list_ends_the_listing(store, home, tmp_path):
    """The court lists as 失信被执行人名单 and sends the removal (限制期限至 filled in) as 失信被执行人: one list, one
    listing, now ended — not a second listing beside an active first."""
    code = uscc(9821)
    load(store, home, write(tmp_path / "court.csv", LISTINGS, [
        listing_row(code, "西吉县拖欠有限公司", "2025-01-05", "", "失信被执行人名单")]))
    assert verdict(store, key=code).verdict == "restricted"
    load(store, home, write(tmp_path / "court-removal.csv", LISTINGS, [
        listing_row(code, "西吉县拖欠有限公司", "2025-01-05", "2026-03-01", "失信被执行人")]))
    assert len(_listings_of(store, code)) == 1
    assert verdict(store, key=code).verdict != "restricted"


def test_a_store_keyed_by_the_lists_spelling_is_rekeyed_when_it_opens(store, home, tmp_path):
    """A store whose listings were keyed by the list's spelling (earlier versions, or another list-type table)
    gets them keyed by the list when it opens, so that a removal under another spelling still finds them."""
    code = uscc(9822)
    load(store, home, write(tmp_path / "court.csv", LISTINGS, [
        listing_row(code, "西吉县旧键有限公司", "2025-01-05", "", "失信被执行人名单")]))
    old = "失信被执行人名单|"
    if store.name == "embedded":
        import sqlite3
        with sqlite3.connect(store.path) as conn:
            conn.execute("UPDATE record SET natural = ? || substr(natural, length('失信被执行人|') + 1) "
                         "WHERE kind = 'blacklist'", (old,))
            conn.execute("DELETE FROM meta WHERE key = 'list_identities'")
        store.close()
        from graph.stores.embedded import EmbeddedStore
        store = EmbeddedStore(store.home)
    else:
        with store._session() as s:
            s.run("MATCH (r:Listing) SET r.natural = $old + substring(r.natural, size('失信被执行人|')), "
                  "r.uid = 'blacklist|' + r.eid + '|' + $old + substring(r.natural, size('失信被执行人|'))", old=old).consume()
            s.run("MATCH (m:CreditnetMeta) REMOVE m.list_identities").consume()
        store.init_schema()
    load(store, home, write(tmp_path / "court-removal.csv", LISTINGS, [
        listing_row(code, "西吉县旧键有限公司", "2025-01-05", "2026-03-01", "失信被执行人")]))
    assert len(_listings_of(store, code)) == 1
    assert verdict(store, key=code).verdict != "restricted"


COURT_EXPORT = ["序号", "被执行人姓名/名称", "身份证号码/组织机构代码", "执行法院", "失信被执行人行为具体情形", "发布时间"]


@pytest.mark.parametrize("number", [ID15, id_number(19)])  # id_number(19) also passes a USCC's check
def test_a_persons_number_in_the_courts_mixed_column_lists_the_person(store, home, tmp_path, number):
    """In 身份证号码/组织机构代码 a 15-digit first-generation ID, or an 18-digit ID that also reads as a valid USCC,
    is the person's: the person and the enterprise they head are restricted, no enterprise named after them."""
    person = id15_to_18(number) if len(number) == 15 else number
    company = uscc(9831)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(company, "西吉县明达商贸有限公司", "马小明", person)]),
         write(tmp_path / "court.csv", COURT_EXPORT, [["马小明", number, "西吉县人民法院", "有履行能力而拒不履行", "2025-03-01"]],
               encoding="gbk"))
    assert verdict(store, key=person).verdict == "restricted"
    assert verdict(store, key=company).verdict == "restricted"


def test_a_persons_name_and_number_in_the_enterprise_columns_list_the_person(store, home, tmp_path):
    """The standard columns with the person's name as 企业名称, their ID number (valid as a USCC too) as the code and
    姓名 empty: a listing of that person, not of an enterprise called 丁四."""
    person, company = id_number(28), uscc(9832)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(company, "西吉县丁四商贸有限公司", "丁四", person)]),
         write(tmp_path / "court.csv", LISTINGS, [listing_row(person, "丁四", "2025-03-01", "", "失信被执行人")]))
    assert verdict(store, key=company).verdict == "restricted"


@pytest.mark.parametrize("number", ["mistyped", "masked"])
def test_a_person_listing_with_an_unusable_number_is_noted_for_the_person_of_that_name(store, home, tmp_path, number):
    """A court row for a person alone whose ID number fails its check digit, or is masked (6404221980****0012): it
    cannot be keyed, but it names the person, so every answer reaching a person of that name says so."""
    person, company = id_number(993), uscc(9841)
    sent = person[:-1] + ("0" if person[-1] != "0" else "1") if number == "mistyped" else person[:10] + "****" + person[14:]
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(company, "西吉县田二商贸有限公司", "田二", person)]),
         write(tmp_path / "court.csv", COURT_EXPORT, [["田二", sent, "西吉县人民法院", "拒不履行", "2025-03-01"]]))
    for key in (person, company):
        r = verdict(store, key=key)
        assert [u["row"] for u in r.unread] == [2] and any("未能导入" in n for n in r.notes)


def test_a_listing_without_a_code_reaches_the_enterprise_registered_under_the_other_company_form(store, home, tmp_path):
    """The listing names 西吉县兴隆餐饮有限公司 without a code; the registry has 西吉县兴隆餐饮有限责任公司: the row is
    the enterprise's (one form, as a name search takes them), and its answer is not `clear`."""
    company = uscc(9842)
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(company, "西吉县兴隆餐饮有限责任公司", "兴隆", id_number(994))]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row("", "西吉县兴隆餐饮有限公司", "2025-03-01", "", "严重违法失信企业名单")]))
    r = verdict(store, key=company)
    assert r.verdict == "linked" and [u["row"] for u in r.unread] == [2]


def test_a_listing_under_an_old_registration_number_the_registry_lacks_reaches_the_registered_name(store, home, tmp_path):
    """The registry has the enterprise by its USCC only; the listing names it by its old 注册号. The listing makes an
    enterprise of its own, and the registered one's answer links to it (same name) instead of a silent clear."""
    company, old = uscc(9851), "640422600000039"
    load(store, home,
         write(tmp_path / "registry.csv", REGISTRY, [registry_row(company, "西吉县老字号三有限公司", "老三", id_number(995))]),
         write(tmp_path / "msb.csv", LISTINGS, [listing_row(old, "西吉县老字号三有限公司", "2025-03-01", "", "严重违法失信企业名单")]))
    r = verdict(store, key=company)
    assert r.verdict == "linked" and [(h.party.key, h.rule) for h in r.hits] == [(old, "same-name-unregistered")]
