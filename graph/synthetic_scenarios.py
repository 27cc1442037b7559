"""Planted subjects of the synthetic county whose verdict is known exactly: the demo's examples and the
fixtures of the query tests.

Each scenario is built from enterprises and persons allocated to it alone (the background never draws
them, and their 字号 use characters the background's names never use), so nothing else within three hops
can change a verdict. Dates are relative to the reference date. Expected verdicts are for a check at
depth 3 on the reference date; `expected_by_depth` gives them for other depths where they differ.

Rules are named as graph/queries/check.py names them: "subject-listed" (the subject itself is listed),
"officer-restricted" (a binding post held by a restricted person), "three-year-bar" (企业信息公示暂行条例 §17).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

SERIOUS = "严重违法失信企业名单"
ABNORMAL = "经营异常名录"
DEBTOR = "失信被执行人"
TAX = "重大税收违法失信主体"
BLACKLIST = "黑名单"
SUBJECT_LISTED, OFFICER, THREE_YEAR_BAR = "subject-listed", "officer-restricted", "three-year-bar"


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _years_back(ref: date, years: int) -> date:
    try:
        return ref.replace(year=ref.year - years)
    except ValueError:  # 29 February
        return ref.replace(year=ref.year - years, day=28)


def _enterprise(ent, expected: str, rule: str | None, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    out = {"kind": "enterprise", "key": ent.uscc, "name": ent.name, "expected": expected, "rule": rule,
           "explanation": f"{zh} / {en}"}
    if ent.reg_no:
        out["reg_no"] = ent.reg_no
    return {**out, **extra}


def plant(c) -> dict[str, dict[str, Any]]:
    """Plant every scenario through the county builder `c` (graph.synthetic_county.County)."""
    ref = c.ref
    s: dict[str, dict[str, Any]] = {}

    def company(zihao: str, trade: str, head, holders, form: str = "有限公司", **kw):
        ent = c.new_enterprise(zihao, trade, form, **kw)
        c.register(ent, head, holders)
        c.records(ent)  # licences, penalties, inspections: they change no verdict
        return ent

    # The applicant itself is listed.
    p = c.new_person()
    e = company("鹏程", "建材", p, [("股东", p, "100%")])
    c.listing(e, SERIOUS, ref - _days(200), ref + _days(895), spelling="县市场监管局")
    s["restricted_enterprise"] = _enterprise(
        e, "restricted", SUBJECT_LISTED, "企业本身被列入严重违法失信企业名单且在有效期内",
        "the enterprise itself is on an active 严重违法失信企业名单 listing")

    # A person named on a 失信被执行人 listing, and another enterprise that person represents.
    debtor_head, other_holder = c.new_person(), c.new_person()
    debtor = company("骐骥", "运输", debtor_head, [("股东", debtor_head, "100%")])
    c.listing(debtor, DEBTOR, ref - _days(120), None, person=debtor_head)
    s["restricted_person"] = {
        "kind": "person", "key": debtor_head.id_number, "name": debtor_head.name, "expected": "restricted",
        "rule": SUBJECT_LISTED, "listed_via": debtor.uscc,
        "explanation": "此人作为法定代表人被列入失信被执行人名单（未设截止日期） / "
                       "the person is named on an active, open-ended 失信被执行人 listing"}
    e = company("麒麟", "商贸", debtor_head, [("股东", other_holder, "100%")])
    s["officer_restricted"] = _enterprise(
        e, "restricted", OFFICER, "法定代表人是失信被执行人（公司法第178条）",
        "its 法定代表人 is a restricted person (公司法 §178)", via=debtor_head.id_number)

    # Three-year bar: X's listing names nobody; the registry says P represents X and Y.
    p, holder = c.new_person(), c.new_person()
    x = company("凤翔", "餐饮", p, [("股东", p, "100%")])
    c.listing(x, SERIOUS, _years_back(ref, 1), _years_back(ref, -2))
    y = company("翱翔", "物流", p, [("股东", holder, "100%")])
    s["three_year_bar"] = _enterprise(
        y, "restricted", THREE_YEAR_BAR,
        "法定代表人同时是一年前被列入严重违法失信企业名单的企业的法定代表人，三年内不得担任（企业信息公示暂行条例第十七条）",
        "its legal representative represents an enterprise put on the 严重违法失信企业名单 a year ago "
        "(three-year bar, 企业信息公示暂行条例 §17)", listed=x.uscc, legal_representative=p.id_number)

    p, holder = c.new_person(), c.new_person()
    x = company("朔方", "畜牧", p, [("股东", p, "100%")])
    c.listing(x, SERIOUS, _years_back(ref, 4), None)
    y = company("峻岭", "劳务", p, [("股东", holder, "100%")])
    s["three_year_bar_expired"] = _enterprise(
        y, "linked", None, "法定代表人所在的另一企业四年前被列入严重违法失信企业名单，三年禁止期已过但名单仍有效",
        "the other enterprise of its legal representative was listed 4 years ago: the bar is over, "
        "the listing is still active", hops=2, listed=x.uscc, legal_representative=p.id_number)

    # A restricted person who only holds shares.
    debtor_head2, head = c.new_person(), c.new_person()
    debtor2 = company("琨瑜", "药业", debtor_head2, [("股东", debtor_head2, "100%")])
    c.listing(debtor2, DEBTOR, ref - _days(300), ref + _days(400), person=debtor_head2)
    e = company("璟煜", "服装", head, [("股东", head, "60%"), ("股东", debtor_head2, "40%")])
    s["linked_shareholder"] = _enterprise(
        e, "linked", None, "自然人股东（非法定代表人、董监高）是失信被执行人",
        "a natural-person shareholder (no binding post) is a restricted person", hops=1,
        via=debtor_head2.id_number)

    # A shareholder shared with a listed enterprise.
    head_r, shared, head_l = c.new_person(), c.new_person(), c.new_person()
    listed = company("炜烨", "粮油", head_r, [("股东", head_r, "50%"), ("股东", shared, "50%")])
    c.listing(listed, TAX, ref - _days(500), ref + _days(595))
    e = company("翊辰", "装饰工程", head_l, [("股东", head_l, "70%"), ("股东", shared, "30%")])
    s["linked_two_hops"] = _enterprise(
        e, "linked", None, "与被列入重大税收违法失信主体的企业有共同股东（两跳）",
        "shares a shareholder with an enterprise on the 重大税收违法失信主体 list (2 hops)", hops=2,
        listed=listed.uscc, via=shared.id_number)

    # A <- B <- C <- D by corporate shareholding; D is listed, three hops from A.
    pd, pc, pb, pa = (c.new_person() for _ in range(4))
    d = company("燊荣", "环保科技", pd, [("股东", pd, "100%")])
    c.listing(d, ABNORMAL, ref - _days(300), None)
    cc = company("珂睿", "信息技术", pc, [("股东", d, "60%"), ("股东", pc, "40%")])
    b = company("蔚蓝", "电子科技", pb, [("股东", cc, "100%")])
    a = company("桐君", "文化传媒", pa, [("股东", b, "51%"), ("股东", pa, "49%")])
    s["linked_corporate_chain"] = _enterprise(
        a, "linked", None, "法人股东的法人股东的法人股东被列入经营异常名录（三跳）",
        "its corporate shareholder's corporate shareholder's corporate shareholder is listed (3 hops)",
        hops=3, expected_by_depth={"1": "clear", "2": "clear", "3": "linked"}, listed=d.uscc,
        chain=[b.uscc, cc.uscc, d.uscc])

    # Listings outside the reference date.
    p = c.new_person()
    e = company("楠溪", "汽车服务", p, [("股东", p, "100%")])
    c.listing(e, BLACKLIST, _years_back(ref, 5), _years_back(ref, 2), sender="县人社局")
    s["expired_only"] = _enterprise(
        e, "clear", None, "唯一的名单记录已过期（可见于历史）", "its only listing has expired (shown as history)")
    p = c.new_person()
    e = company("蓓蕾", "酒店管理", p, [("股东", p, "100%")])
    c.listing(e, BLACKLIST, ref + _days(30), ref + _days(760), sender="县安监局")
    s["future_only"] = _enterprise(
        e, "clear", None, "名单记录尚未生效（限制期限自在参考日之后）",
        "its only listing starts after the reference date")

    # Nothing within reach: its people hold no other post.
    p, holder = c.new_person(), c.new_person()
    e = company("琮璜", "农业科技", p, [("股东", p, "55%"), ("股东", holder, "45%")])
    s["clear"] = _enterprise(e, "clear", None, "三跳内无任何名单记录", "nothing listed within three hops")

    # An older enterprise listed under its 注册号 only.
    p = c.new_person()
    e = company("砚池", "建筑工程", p, [("股东", p, "100%")], old=True)
    c.listing(e, ABNORMAL, ref - _days(90), None, by_reg_no=True)
    s["by_reg_no"] = _enterprise(
        e, "restricted", SUBJECT_LISTED, "名单以注册号报送，按统一社会信用代码或注册号查询均应受限",
        "listed under its 注册号 only: restricted whether checked by USCC or by 注册号")

    # A name with full-width brackets, found when typed with ASCII ones.
    p = c.new_person()
    e = company("骏业", "商贸", p, [("股东", p, "100%")], form="（集团）有限公司")
    c.listing(e, BLACKLIST, ref - _days(60), ref + _days(670), sender="县建环局")
    s["name_lookup"] = _enterprise(
        e, "restricted", SUBJECT_LISTED, "名称含全角括号，用半角括号查询也应找到并受限",
        "name has full-width brackets; a query with ASCII brackets finds it, restricted",
        query_name=e.name.replace("（", "(").replace("）", ")"))

    # Listed, then re-sent later in the file with an end before the reference date.
    p = c.new_person()
    e = company("蕙质", "旅游开发", p, [("股东", p, "100%")])
    c.listing(e, ABNORMAL, ref - _days(400), None, removed_on=ref - _days(30))
    s["early_removal"] = _enterprise(
        e, "clear", None, "名单经重新报送提前移出（同一名单，限制期限至提前）",
        "the listing was re-sent with an earlier 限制期限至 (early removal)")
    return s
