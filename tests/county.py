"""A tiny hand-built county whose every verdict is known: the fixture the rule tests read.

Reference date 2026-06-01. Each enterprise below exists for one rule or edge case; the comment says which.
Files are written with the seed's exact Chinese headers, so the tests exercise the real loaders.
"""
from __future__ import annotations

import csv
from pathlib import Path

from graph.identifiers import id_check_char, mask_id_number, reg_no_check_digit, uscc_check_char

AS_OF = "2026-06-01"


def uscc(n: int) -> str:
    body = f"91640422{n:09d}"
    return body + uscc_check_char(body)


def id_number(n: int, born: str = "19800101") -> str:
    body = f"640422{born}{n:03d}"
    return body + id_check_char(body)


def reg_no(n: int) -> str:
    body = f"64042200{n:06d}"
    return body + reg_no_check_digit(body)


E = {name: uscc(i) for i, name in enumerate([
    "LISTED", "OFFICER", "SHAREHOLDER_ONLY", "TWO_HOPS", "CLEAR", "EXPIRED", "FUTURE", "CHAIN", "C1", "C2",
    "SERIOUS", "BAR", "SERIOUS_OLD", "BAR_OLD", "OLD", "BRACKETS", "DIRECTOR"], start=101)}
P = {name: id_number(i) for i, name in enumerate(
    ["RESTRICTED", "HEAD", "SHARED", "CLEAN", "HEAD_OLD", "REP", "DIRECTOR"], start=1)}
OLD_REG_NO = reg_no(4321)
NAMES = {
    "LISTED": "西吉县甲商贸有限公司", "OFFICER": "西吉县乙建材有限公司", "SHAREHOLDER_ONLY": "西吉县丙农业有限公司",
    "TWO_HOPS": "西吉县丁运输有限公司", "CLEAR": "西吉县戊餐饮有限公司", "EXPIRED": "西吉县己超市有限公司",
    "FUTURE": "西吉县庚药店有限公司", "CHAIN": "西吉县辛科技有限公司", "C1": "西吉县壬投资有限公司",
    "C2": "西吉县癸控股有限公司", "SERIOUS": "西吉县子矿业有限公司", "BAR": "西吉县丑物流有限公司",
    "SERIOUS_OLD": "西吉县寅化工有限公司", "BAR_OLD": "西吉县卯服装有限公司", "OLD": "西吉县辰粮油加工厂",
    "BRACKETS": "西吉县某某商贸（集团）有限公司", "DIRECTOR": "西吉县巳旅游有限公司",
}
PERSON_NAMES = {"RESTRICTED": "张三", "HEAD": "李四", "SHARED": "王五", "CLEAN": "赵六", "HEAD_OLD": "钱七",
                "REP": "孙八", "DIRECTOR": "周九"}

# ID numbers as clerks type them into free text (法律描述, 备注, 详情), in the shapes a pattern of "18 digits
# between non-word characters" misses; each a different person, so that each masked form can be looked for.
# FIRST_GENERATION is a 15-digit number of 1980-01-01 whose digits also pass the registration number's check:
# only the words before it say it is a person's. REG_NO_WITH_A_DATE is an enterprise's registration number
# whose positions 7–12 read as a date (1900-10-15): public.
FIRST_GENERATION = "640422800101001"
FIRST_GENERATION_AFTER_LETTERS = "640422751231002"
REG_NO_WITH_A_DATE = reg_no(101500)
X_PERSON = "64042219851212306X"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def grouped(code: str, separator: str) -> str:
    """An ID number as it is often written: region, birth date, the last four."""
    return separator.join((code[:6], code[6:14], code[14:]))


def written_in_free_text() -> dict[str, tuple[str, str]]:
    """name -> (free text holding a full personal ID number, that number masked as public output shows it)."""
    written = {
        "after_letters": (id_number(31), "法定代表人身份证号No{}"),
        "spaced_after_letters": (id_number(32), "身份证ID {}"),
        "slashed": (id_number(33), "证件号码：{}"),
        "lower_case_x": (X_PERSON, "负责人身份证ID{}"),
        "full_width_after_letters": (id_number(34), "证件号ＮＯ{}"),
        "first_generation": (FIRST_GENERATION, "原法定代表人身份证号{}"),
        "first_generation_after_letters": (FIRST_GENERATION_AFTER_LETTERS, "公民身份号码No.{}"),
    }
    shapes = {"spaced_after_letters": lambda c: grouped(c, " "), "slashed": lambda c: grouped(c, "/"),
              "lower_case_x": str.lower, "full_width_after_letters": full_width}
    return {name: (text.format(shapes.get(name, str)(code)) + "，已列入名单。", mask_id_number(code))
            for name, (code, text) in written.items()}


CODE = "统一社会信用代码（企业注册号）"
ENTERPRISE_HEADERS = ["序号", "统一社会信用代码", "注册号", "企业名称", "企业类型", "法定代表人", "法定代表人证件类型",
                      "法定代表人证件号码", "成立日期", "登记状态", "住所", "登记机关"]
MEMBER_HEADERS = ["序号", "统一社会信用代码", "企业名称", "人员类别", "姓名", "证件类型", "证件号码", "出资比例"]
BLACKLIST_HEADERS = ["序号", CODE, "企业名称", "限制法律依据", "法律描述", "限制期限自", "限制期限至", "信息发送部门名称",
                     "信息接收部门名称", "信息类型", "人员类别", "姓名", "证件类型", "证件号码"]
LICENSE_HEADERS = ["序号", CODE, "企业名称", "许可文件编号", "许可文件名称", "有效期自", "有效期至", "许可机关", "许可内容",
                   "状态", "详情"]
LICENSE_CHANGE_HEADERS = ["序号", CODE, "企业名称", "许可文件编号", "许可文件名称", "变更事项", "变更前内容", "变更后内容",
                          "变更日期"]
PENALTY_HEADERS = ["序号", CODE, "企业名称", "作出行政处罚决定机关名称", "行政处罚决定书文号", "作出行政处罚决定日期",
                   "违法行为类型", "罚款金额", "没收金额", "处罚种类", "备注"]
PENALTY_CHANGE_HEADERS = ["序号", CODE, "企业名称", "行政处罚决定书文号", "作出变更决定机关名称", "变更内容", "变更日期"]
INSPECTION_HEADERS = ["序号", CODE, "企业名称", "检查实施机关", "抽查检查类型", "抽查检查日期", "抽查检查结果"]


# Every other enterprise has a legal representative of its own, so that no accidental hub links them.
for _i, _e in enumerate(E):
    P.setdefault(f"REP_{_e}", id_number(200 + _i, "19750505"))
    PERSON_NAMES.setdefault(f"REP_{_e}", f"代表{_i}")


def _rep(e: str) -> str:
    """Who is the legal representative of each enterprise (registry)."""
    return {"OFFICER": "RESTRICTED", "SERIOUS": "HEAD", "BAR": "HEAD", "SERIOUS_OLD": "HEAD_OLD",
            "BAR_OLD": "HEAD_OLD", "CLEAR": "CLEAN"}.get(e, f"REP_{e}")


def enterprise_rows() -> list[list[str]]:
    rows = []
    for i, (name, code) in enumerate(E.items(), 1):
        rep = _rep(name)
        rows.append([str(i), code, OLD_REG_NO if name == "OLD" else "", NAMES[name], "有限责任公司",
                     PERSON_NAMES[rep], "居民身份证", P[rep], "2015-03-01", "存续", "西吉县吉强镇", "西吉县市场监督管理局"])
    # A registry row that names its legal representative without an ID number: the name stays on the enterprise.
    rows.append([str(len(rows) + 1), uscc(999), "", "西吉县无证件商店", "个体工商户", "吴十", "", "", "2016-01-01", "存续",
                 "西吉县", "西吉县市场监督管理局"])
    return rows


def member_rows() -> list[list[str]]:
    m = [
        ("SHAREHOLDER_ONLY", "股东", "person", "RESTRICTED"),      # linked, hops 1, not binding
        ("TWO_HOPS", "股东", "person", "SHARED"),
        ("LISTED", "股东", "person", "SHARED"),                      # TWO_HOPS –SHARED– LISTED: hops 2
        ("CHAIN", "股东", "enterprise", "C1"),
        ("C1", "股东", "enterprise", "C2"),
        ("C2", "股东", "enterprise", "LISTED"),                      # CHAIN → C1 → C2 → LISTED: hops 3
        ("DIRECTOR", "董事", "person", "DIRECTOR"),
    ]
    rows = []
    for i, (ent, role, kind, who) in enumerate(m, 1):
        if kind == "person":
            rows.append([str(i), E[ent], NAMES[ent], role, PERSON_NAMES[who], "居民身份证", P[who], "30%"])
        else:
            rows.append([str(i), E[ent], NAMES[ent], role, NAMES[who], "统一社会信用代码", E[who], "51%"])
    return rows


def blacklist_rows() -> list[list[str]]:
    def row(code, name, basis, start, end, sender, receivers, list_type, person=None):
        p = ["", "", "", ""] if person is None else ["法定代表人", PERSON_NAMES[person], "居民身份证", P[person]]
        if person == "DIRECTOR":
            p[0] = "董事"
        return [code, name, basis, "测试描述", start, end, sender, receivers, list_type, *p]
    rows = [
        row(E["LISTED"], NAMES["LISTED"], "《企业信息公示暂行条例》第十七条", "2026-01-10", "", "西吉县市场监督管理局",
            "县财政局、县发改局", "经营异常名录"),
        row(E["EXPIRED"], NAMES["EXPIRED"], "依据A", "2024-01-01", "2025-12-31", "县税务局", "县财政局", "重大税收违法失信主体"),
        row(E["FUTURE"], NAMES["FUTURE"], "依据B", "2026-09-01", "2027-09-01", "县法院", "县财政局；县国土局", "失信被执行人"),
        # A person named on a listing of another (unregistered) enterprise: the person is restricted.
        row(uscc(500), "西吉县失信主体公司", "《最高人民法院关于公布失信被执行人名单信息的若干规定》", "2026-01-01", "", "县法院",
            "县市场监管局 县公安局", "失信被执行人", person="RESTRICTED"),
        # Serious list, names nobody: the registry says HEAD represents SERIOUS (and BAR). Listed one year ago.
        row(E["SERIOUS"], NAMES["SERIOUS"], "《企业信息公示暂行条例》第十七条", "2025-06-01", "", "县市场监督管理局",
            "县财政局", "严重违法失信企业名单"),
        # Serious list four years ago, still listed: the three-year bar is over, the link remains.
        row(E["SERIOUS_OLD"], NAMES["SERIOUS_OLD"], "《企业信息公示暂行条例》第十七条", "2022-01-01", "", "县市场监督管理局",
            "县财政局", "严重违法失信企业名单"),
        # Sent by registration number only: attaches to the enterprise the registry knows by both.
        row(OLD_REG_NO, NAMES["OLD"], "依据C", "2026-02-01", "", "县国税局", "县财政局", "黑名单"),
        # A 董事 named on another enterprise's listing binds the enterprise where he sits on the board.
        row(uscc(501), "西吉县另一失信公司", "依据E", "2026-03-01", "2028-03-01", "县法院", "县财政局", "失信被执行人",
            person="DIRECTOR"),
        row(E["BRACKETS"], "西吉县某某商贸(集团)有限公司", "依据D", "2026-01-01", "", "县发改局", "县财政局", "黑名单"),
    ]
    return [[str(i), *r] for i, r in enumerate(rows, 1)]


def bad_blacklist_rows() -> list[list[str]]:
    """Rows that must be rejected: a wrong check digit, a missing code, an impossible date."""
    bad_code = E["CLEAR"][:-1] + ("0" if E["CLEAR"][-1] != "0" else "1")
    return [
        ["90", bad_code, "坏代码公司", "依据", "", "2026-01-01", "", "县法院", "县财政局", "黑名单", "", "", "", ""],
        ["91", "", "无代码公司", "依据", "", "2026-01-01", "", "县法院", "县财政局", "黑名单", "", "", "", ""],
        ["92", uscc(777), "日期错公司", "依据", "", "2023-02-30", "", "县法院", "县财政局", "黑名单", "", "", "", ""],
    ]


def write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return path


def write_county(directory: Path) -> dict[str, Path]:
    """Write the county's files; return kind -> path, in the order they should load."""
    directory.mkdir(parents=True, exist_ok=True)
    lic_no = "西市监许〔2024〕1号"
    return {
        "enterprise": write_csv(directory / "registry.csv", ENTERPRISE_HEADERS, enterprise_rows(), "utf-8-sig"),
        "member": write_csv(directory / "members.csv", MEMBER_HEADERS, member_rows()),
        "blacklist": write_csv(directory / "blacklist.csv", BLACKLIST_HEADERS, blacklist_rows() + bad_blacklist_rows(),
                               "gbk"),
        "license": write_csv(directory / "license.csv", LICENSE_HEADERS, [
            ["1", E["CLEAR"], NAMES["CLEAR"], lic_no, "食品经营许可证", "2024-01-01", "2029-01-01", "县市场监督管理局",
             "餐饮服务", "有效", ""]]),
        "license-change": write_csv(directory / "license-change.csv", LICENSE_CHANGE_HEADERS, [
            ["1", E["CLEAR"], NAMES["CLEAR"], lic_no, "食品经营许可证", "有效期至", "2029-01-01", "2030-01-01", "2025-05-05"]]),
        "penalty": write_csv(directory / "penalty.csv", PENALTY_HEADERS, [
            ["1", E["LISTED"], NAMES["LISTED"], "西吉县市场监督管理局", "西市监罚〔2025〕7号", "2025-07-08", "无照经营",
             "5,000元", "0", "罚款", ""]]),
        "penalty-change": write_csv(directory / "penalty-change.csv", PENALTY_CHANGE_HEADERS, [
            ["1", E["LISTED"], NAMES["LISTED"], "西市监罚〔2025〕7号", "县市场监督管理局", "罚款金额由5000元变更为3000元",
             "2025-08-01"]]),
        "inspection": write_csv(directory / "inspection.csv", INSPECTION_HEADERS, [
            ["1", E["CLEAR"], NAMES["CLEAR"], "县市场监督管理局", "双随机抽查", "2025-09-09", "未发现问题"]]),
    }
