"""Reading departments' files: formats, encodings, headers, kind detection, value parsing and rejects.

Every test writes a real file into tmp_path (CSV in the encodings Excel produces, XLSX via openpyxl) and
reads it through `open_table`, as the CLI and the API do. The realdata tests read the two registry extracts
from ../shared/realdata (or $CREDITNET_REALDATA): skipped where they are absent, a failure under
CREDITNET_REQUIRE_REALDATA=1.
"""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.loaders import LoadError, ParsedRow, Reject, detect_kind, open_table
from graph.loaders.dates import read_date
from graph.loaders.fields import parse_amount, parse_date
from graph.model import KINDS

USCC = "91440300192317458F"        # 比亚迪, valid
USCC_BAD = "91440300192317458A"    # check character should be F
REG_NO = "520000000005018"         # valid MOD 11,10
OLD_REG_NO = "440301103032184"     # fails the check: accepted with a warning (pre-2007)
ID_NUMBER = "11010519491231002X"
NAME = "比亚迪股份有限公司"

# The seed's headers, exactly as DOMAIN.md lists them, with one valid row each.
SEED = {
    "license": ("序号、统一社会信用代码（企业注册号）、企业名称、许可文件编号、许可文件名称、有效期自、有效期至、"
                "许可机关、许可内容、状态、详情",
                [USCC, NAME, "宁食药许〔2017〕12号", "食品经营许可证", "2017-03-01", "2022-02-28", "县市场监督管理局",
                 "预包装食品销售", "有效", ""]),
    "license-change": ("序号、统一社会信用代码（企业注册号）、企业名称、许可文件编号、许可文件名称、变更事项、"
                       "变更前内容、变更后内容、变更日期",
                       [USCC, NAME, "宁食药许〔2017〕12号", "食品经营许可证", "经营场所", "南街1号", "北街2号", "2017-05-01"]),
    "penalty": ("序号、统一社会信用代码（企业注册号）、企业名称、作出行政处罚决定机关名称、行政处罚决定书文号、"
                "作出行政处罚决定日期、违法行为类型、罚款金额、没收金额、处罚种类、备注",
                [USCC, NAME, "县市场监督管理局", "西市监罚字〔2017〕3号", "2017/3/5", "无照经营", "5000元", "1.2万元",
                 "罚款", ""]),
    "penalty-change": ("序号、统一社会信用代码（企业注册号）、企业名称、行政处罚决定书文号、作出变更决定机关名称、变更内容、变更日期",
                       [USCC, NAME, "西市监罚字〔2017〕3号", "县市场监管局", "罚款改为3000元", "2017年4月1日"]),
    "inspection": ("序号、统一社会信用代码（企业注册号）、企业名称、检查实施机关、抽查检查类型、抽查检查日期、抽查检查结果",
                   [USCC, NAME, "县市场监督管理局、县安监局", "双随机抽查", "20170310", "未发现问题"]),
    "blacklist": ("序号、统一社会信用代码（企业注册号）、企业名称、限制法律依据、法律描述、限制期限自、限制期限至、信息发送部门名称、"
                  "信息接收部门名称、信息类型、人员类别、姓名、证件类型、证件号码",
                  [USCC, NAME, "《企业信息公示暂行条例》第十七条", "弄虚作假", "2017-03-07", "", "县市场监督管理局",
                   "县发改局、县国土局，县法院", "严重违法失信企业名单", "法定代表人", "张三", "居民身份证", ID_NUMBER]),
    "enterprise": ("序号、统一社会信用代码、注册号、企业名称、企业类型、法定代表人、法定代表人证件类型、"
                   "法定代表人证件号码、成立日期、登记状态、住所、登记机关",
                   [USCC, REG_NO, NAME, "股份有限公司", "王传福", "居民身份证", ID_NUMBER, "1995-02-10", "存续",
                    "深圳市坪山区比亚迪路3009号", "深圳市市场监督管理局"]),
    "member": ("序号、统一社会信用代码、企业名称、人员类别、姓名、证件类型、证件号码、出资比例",
               [USCC, NAME, "董事长", "王传福", "身份证", ID_NUMBER, "17.64%"]),
}
EXPECTED = {
    "license": {"valid_to": "2022-02-28", "authority": ["县市场监督管理局"]},
    "license-change": {"item": "经营场所", "change_date": "2017-05-01"},
    "penalty": {"decision_date": "2017-03-05", "fine": 5000.0, "fine_text": "5000元", "confiscated": 12000.0},
    "penalty-change": {"change_date": "2017-04-01", "authority": ["县市场监管局"]},
    "inspection": {"inspection_date": "2017-03-10", "authority": ["县市场监督管理局", "县安监局"]},
    "blacklist": {"receivers": ["县发改局", "县国土局", "县法院"], "valid_to": None, "id_number": ID_NUMBER,
                  "member_kind": "person", "person_role": "法定代表人"},
    "enterprise": {"reg_no": REG_NO, "code_kind": "uscc", "established": "1995-02-10",
                   "legal_rep_id_number": ID_NUMBER},
    "member": {"role": "董事长", "member_kind": "person", "id_number": ID_NUMBER},
}
LONG_CODE, SHORT_CODE = "统一社会信用代码（企业注册号）", "统一社会信用代码"


def seed_table(kind: str, variant: str = "seed") -> tuple[list[str], list[str]]:
    """Header and one row; `no-serial` drops 序号 and uses the other spelling of the code column,
    `half-width` folds the brackets."""
    header, row = SEED[kind][0].split("、"), ["1", *SEED[kind][1]]
    if variant == "no-serial":
        header, row = header[1:], row[1:]
        header = [{LONG_CODE: SHORT_CODE, SHORT_CODE: LONG_CODE}.get(h, h) for h in header]
    elif variant == "half-width":
        header = [unicodedata.normalize("NFKC", h) for h in header]
    return header, row


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def write_table(path: Path, rows: list[list[object]], fmt: str) -> Path:
    return write_xlsx(path, rows) if fmt == "xlsx" else write_csv(path, rows, fmt)


def read(path: Path, kind: str | None = None) -> list[ParsedRow | Reject]:
    return list(open_table(path, kind).rows())


def summary(rows: list[ParsedRow | Reject]) -> list[tuple[int, str, str]]:
    return [(r.row_number, type(r).__name__, r.field if isinstance(r, Reject) else "") for r in rows]


# --- every kind, every header spelling, every encoding ------------------------------------------------
ENCODING_LABEL = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030", "xlsx": "xlsx"}


@pytest.mark.parametrize("fmt", list(ENCODING_LABEL))
@pytest.mark.parametrize("variant", ["seed", "no-serial", "half-width"])
@pytest.mark.parametrize("kind", list(SEED))
def test_seed_headers_every_kind_and_encoding(tmp_path, kind, variant, fmt):
    header, row = seed_table(kind, variant)
    table = open_table(write_table(tmp_path / "in.dat", [header, row], fmt))
    assert (table.kind, table.encoding) == (kind, ENCODING_LABEL[fmt])
    serial = ["序号"] if variant != "no-serial" else []
    assert table.ignored_columns == serial and len(set(table.column_map.values())) == len(header) - len(serial)
    [parsed] = table.rows()
    assert isinstance(parsed, ParsedRow), parsed
    assert parsed.row_number == 2 and parsed.values["code"] == USCC and parsed.values["name"] == NAME
    assert parsed.original[header[-1]] == row[-1]
    for name, value in EXPECTED[kind].items():
        assert parsed.values[name] == value, name
    assert table.progress() == 1.0


@pytest.mark.parametrize("kind", list(KINDS))
def test_english_alias_headers(tmp_path, kind):
    header = [next(a for a in f.aliases if a.isascii()) for f in KINDS[kind].fields]
    assert detect_kind([h.upper() for h in header]) == kind  # English headers are matched case-insensitively
    [parsed] = read(write_csv(tmp_path / "en.csv", [header, SEED[kind][1]]))
    assert isinstance(parsed, ParsedRow) and parsed.values["code"] == USCC


def test_utf16_and_tab_separated(tmp_path):
    text = "\t".join(seed_table("inspection")[0]) + "\r\n" + "\t".join(seed_table("inspection")[1]) + "\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    table = open_table(path)
    assert (table.kind, table.encoding) == ("inspection", "utf-16")
    assert [r.values["inspection_date"] for r in table.rows()] == ["2017-03-10"]


@pytest.mark.parametrize("encoding, label", [("utf-16-le", "utf-16"), ("cp1252", None)])
def test_other_encodings(tmp_path, encoding, label):
    """BOM-less UTF-16 is told by its NUL pattern; what is neither UTF-8 nor GB18030 goes to charset-normalizer."""
    path = tmp_path / "x.csv"
    path.write_bytes(f"code,name,license_number\r\n{USCC},Café Ÿ,1\r\n".encode(encoding))
    table = open_table(path)
    assert table.encoding == label if label else table.encoding not in ("utf-8", "gb18030")
    assert [r.values["code"] for r in table.rows()] == [USCC]


# --- kind detection ---------------------------------------------------------------------------------
REALDATA_HEADER = "企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址".split(",")


@pytest.mark.parametrize("headers, kind", [
    (REALDATA_HEADER, "enterprise"),
    (["注册号", "企业名称", "法定代表人"], "enterprise"),   # an old registry extract without USCC
    ([SHORT_CODE, "企业名称", "人员类别", "姓名", "证件号码"], "member"),
    ([LONG_CODE, "企业名称", "行政处罚决定书文号", "处罚种类"], "penalty"),
    ([LONG_CODE, "企业名称", "行政处罚决定书文号"], None),    # penalty or its change? no signature column
    ([SHORT_CODE, "企业名称"], None),                        # a code and a name alone do not make a register
    ([LONG_CODE, "企业名称", "许可文件编号"], "license"),
    (["姓名", "证件号码", "人员类别"], None),                # no code column: nothing fits
    (["foo", "bar"], None),
])
def test_detect_kind(headers, kind):
    assert detect_kind(headers) == kind


def test_unknown_headers_say_use_kind(tmp_path):
    with pytest.raises(LoadError) as err:
        open_table(write_csv(tmp_path / "x.csv", [["甲", "乙"], ["1", "2"]]))
    assert "无法识别文件类型：未找到已知列" in err.value.reason and "--kind" in err.value.reason


def test_near_miss_names_the_missing_column(tmp_path):
    with pytest.raises(LoadError) as err:
        open_table(write_csv(tmp_path / "x.csv", [[LONG_CODE, "企业名称", "信息类型", "限制期限自"],
                                                  [USCC, NAME, "黑名单", "2017-01-01"]]))
    assert "blacklist" in err.value.reason and "信息发送部门名称" in err.value.reason and "--kind" in err.value.reason


def test_forced_kind_missing_required_column(tmp_path):
    path = write_csv(tmp_path / "p.csv", [[LONG_CODE, "企业名称", "变更内容"], [USCC, NAME, "x"]])
    with pytest.raises(LoadError) as err:
        open_table(path, kind="penalty-change")
    assert "行政处罚决定书文号" in err.value.reason and "变更日期" in err.value.reason


def test_duplicate_columns(tmp_path):
    path = write_csv(tmp_path / "d.csv", [[LONG_CODE, SHORT_CODE, "企业名称", "许可文件编号"], [USCC, USCC, NAME, "1"]])
    with pytest.raises(LoadError) as err:
        open_table(path)
    assert LONG_CODE in err.value.reason and SHORT_CODE in err.value.reason


def test_columns_in_any_order_extras_ignored_and_title_row(tmp_path):
    rows = [["西吉县行政许可信息汇总表"], ["备注栏", " 许可文件编号 ", "企业名称", "*统一社会信用代码"], ["x", "A-1", NAME, USCC]]
    table = open_table(write_csv(tmp_path / "t.csv", rows))
    assert (table.kind, table.header_row, table.ignored_columns) == ("license", 2, ["备注栏"])
    assert table.column_map == {" 许可文件编号 ": "license_no", "企业名称": "name", "*统一社会信用代码": "code"}
    [row] = table.rows()
    assert row.row_number == 3 and row.values["license_no"] == "A-1" and row.original["备注栏"] == "x"


# --- rejects, row numbers, ragged rows, embedded newlines --------------------------------------------
def test_rejects_carry_file_row_numbers(tmp_path):
    header = ",".join(seed_table("penalty", "no-serial")[0])
    text = (f"{header}\r\n"
            f"{USCC},甲,县市场监管局,罚1,2017-03-05,,,,,\r\n"                 # 2 ok
            f"{USCC_BAD},乙,县市场监管局,罚2,2017-03-05,,,,,\r\n"             # 3 check digit
            f",丙,县市场监管局,罚3,2017-03-05,,,,,\r\n"                       # 4 no code
            f'{USCC},丁,县市场监管局,罚4,2017-03-05,,,,,"第一行\r\n第二行 ""引号"""\r\n'  # 5-6 ok, one record
            f"{USCC},戊,县市场监管局,罚5,2017-02-30,,,,,\r\n"                 # 7 impossible date
            f"\r\n"                                                          # 8 blank, skipped
            f"N/A,己,县市场监管局,罚6,,,,,,\r\n"                              # 9 code N/A
            f"{OLD_REG_NO},庚,县市场监管局,罚7,45846,,,,,\r\n"               # 10 ok: old 注册号, serial date
            f"{USCC},辛,县市场监管局,,2017-03-05,,,,,\r\n"                     # 11 no 文书号
            f"{USCC},壬,县市场监管局,罚9,2017-03-05,,,,,,多出\r\n"             # 12 ragged: more
            f"{USCC},癸,县市场监管局,罚10\r\n")                                # 13 ragged: fewer, fine
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    rows = read(path)
    assert summary(rows) == [
        (2, "ParsedRow", ""), (3, "Reject", SHORT_CODE), (4, "Reject", SHORT_CODE), (5, "ParsedRow", ""),
        (7, "Reject", "作出行政处罚决定日期"), (9, "Reject", SHORT_CODE), (10, "ParsedRow", ""),
        (11, "Reject", "行政处罚决定书文号"), (12, "Reject", ""), (13, "ParsedRow", "")]
    by_row = {r.row_number: r for r in rows}
    assert "校验位应为 F，实为 A" in by_row[3].reason
    assert by_row[4].reason == f"缺少必填项：{SHORT_CODE} (required field is empty)"
    assert by_row[5].values["remarks"] == '第一行\r\n第二行 "引号"'
    assert "2017-02-30" in by_row[7].reason and "impossible date" in by_row[7].reason
    assert by_row[10].values["code"] == OLD_REG_NO and by_row[10].values["code_kind"] == "reg_no"
    assert by_row[10].values["decision_date"] == "2025-07-08" and "校验位" in by_row[10].warnings[0]
    assert "列数多于表头" in by_row[12].reason and by_row[12].original["(第11列)"] == "多出"
    assert by_row[13].values["remarks"] is None and by_row[13].original["备注"] == ""


def test_template_rows_with_only_a_serial_number_are_empty(tmp_path):
    header, row = seed_table("inspection")
    rows = read(write_csv(tmp_path / "t.csv", [header, row, ["2"] + [""] * (len(header) - 1), ["3"]]))
    assert summary(rows) == [(2, "ParsedRow", "")]


def test_unbalanced_quote_is_a_load_error(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(f"{SHORT_CODE},企业名称,许可文件编号\n{USCC},\"甲,1\n{USCC},乙,2\n", encoding="utf-8")
    with pytest.raises(LoadError, match="引号"):
        read(path)


# --- values ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("2025-07-08", "2025-07-08"), ("2025/7/8", "2025-07-08"), ("2025.7.8", "2025-07-08"),
    ("2025年7月8日", "2025-07-08"), ("20250708", "2025-07-08"), ("45846", "2025-07-08"),
    ("45846.5", "2025-07-08"), ("2025-07-08 00:00:00", "2025-07-08"), ("2025/7/8 13:45", "2025-07-08"),
    ("2025-07-08T10:00:00", "2025-07-08"), ("２０２５－０７－０８", "2025-07-08"), ("1", "1900-01-01"),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("2025-02-30", "impossible date"), ("20251301", "impossible date"), ("2024-13", "impossible date"),
    ("明年", "unrecognised date"), ("3000000", "unrecognised date"), ("长期", "unrecognised date"),
    ("3/1/2024", "order of month and day is unknown"), ("24-3-1", "two-digit year"), ("24年3月1日", "two-digit year"),
    ("2024.50", "neither a year and month nor an Excel serial"), ("2024.123", "neither a year and month"),
])
def test_bad_dates(text, reason):
    """Every rejected date says what was read and how to write it."""
    with pytest.raises(ValueError, match=reason) as exc:
        parse_date(text)
    assert f"“{text}”" in str(exc.value) and "写成 YYYY-MM-DD" in str(exc.value)


@pytest.mark.parametrize("text, end, expected, note", [
    # Start dates as offices write them.
    ("2024年3月1号", False, "2024-03-01", None), ("2024/03/01 星期五", False, "2024-03-01", None),
    ("2024-03-01（星期五）", False, "2024-03-01", None), ("2024/03/01 星期一", False, "2024-03-01", "星期与日期"),
    ("二〇二四年三月一日", False, "2024-03-01", None), ("二零二四年十二月三十一日", False, "2024-12-31", None),
    ("二○二四年元月二十日", False, "2024-01-20", None),
    # A month or a year alone: a start takes the first day, an end the last (a restriction is never shortened).
    ("2024年3月", False, "2024-03-01", "该月第一天 2024-03-01"), ("2024年3月", True, "2024-03-31", "该月最后一天 2024-03-31"),
    ("2024.3", False, "2024-03-01", "只有年月"), ("2024.3", True, "2024-03-31", "只有年月"),
    ("2024.03", False, "2024-03-01", "只有年月"), ("2024-03", True, "2024-03-31", "只有年月"),
    ("2024/3", False, "2024-03-01", "只有年月"), ("202403", True, "2024-03-31", "只有年月"),
    ("2024.12", True, "2024-12-31", "只有年月"), ("2024.10", True, "2024-10-31", "只有年月"),
    ("2024.1", False, "2024-01-01", "10月"), ("2024.1", True, "2024-10-31", "较晚的10月"),
    ("2024年", False, "2024-01-01", "该年第一天 2024-01-01"), ("2019年", True, "2019-12-31", "该年最后一天 2019-12-31"),
    ("2024", False, "2024-01-01", "只有年份"), ("2024.0", True, "2024-12-31", "只有年份"),
    # Excel serial numbers: whole, or with a fraction, and never with a whole part 1900–2100.
    ("45352", False, "2024-03-01", None), ("45352.0", False, "2024-03-01", None), ("45352.5", True, "2024-03-01", None),
    # Ends as offices write them.
    ("2026-12-31止", True, "2026-12-31", None), ("至2026-12-31", True, "2026-12-31", None),
    ("至2026年12月31日止", True, "2026-12-31", None), ("2027-03-01（暂定）", True, "2027-03-01", "暂定"),
    ("2027-03-01(暂定)", True, "2027-03-01", "暂定"), ("2027-03-01(另行通知)", True, "2027-03-01", "另行通知"),
    ("自2024-03-01起", False, "2024-03-01", None),
] + [(word, True, None, None) for word in (
    "无固定期限", "终身", "暂无", "待定", "履行完毕", "履行完毕为止", "至履行完毕之日止", "——————", "---", "－－", "长期",
    "永久", "至今", "在任", "现任", "長期")])
def test_dates_as_offices_write_them(text, end, expected, note):
    day, warning = read_date(text, end)
    assert day == expected
    assert (warning is None) if note is None else (note in warning and f"“{text}”" in warning)


@pytest.mark.parametrize("text, expected", [
    ("5000元", 5000.0), ("5,000(万)", 50_000_000.0), ("51.8000(万元人民币)", 518_000.0), ("05万人民币", 50_000.0),
    ("100(万)", 1_000_000.0), ("3.5万元", 35_000.0), ("18,100(万元)", 181_000_000.0), ("50万人民币元", 500_000.0),
    ("1.2亿元", 120_000_000.0), ("￥1,234.5", 1234.5), ("100（万）", 1_000_000.0),
])
def test_amounts(text, expected):
    assert parse_amount(text) == (expected, None)


@pytest.mark.parametrize("text, warning", [("13(万美元)", "foreign currency"), ("约五万", "unrecognised amount"),
                                           ("100(万股)", "unrecognised unit")])
def test_amounts_kept_as_text(text, warning):
    value, message = parse_amount(text)
    assert value is None and warning in message


@pytest.mark.parametrize("null", ["", "N/A", "NA", "n/a", "-", "—", "null", "NULL", "无", "  "])
def test_null_values(tmp_path, null):
    header, row = seed_table("penalty")
    row[header.index("罚款金额")] = row[header.index("备注")] = row[header.index("作出行政处罚决定日期")] = null
    [parsed] = read(write_csv(tmp_path / "n.csv", [header, row]))
    assert parsed.values["fine"] is None and parsed.values["remarks"] is None and parsed.values["decision_date"] is None
    assert parsed.warnings == []


def test_unparseable_amount_is_a_warning_not_a_reject(tmp_path):
    header, row = seed_table("penalty")
    row[header.index("罚款金额")] = "待定"
    [parsed] = read(write_csv(tmp_path / "a.csv", [header, row]))
    assert parsed.values["fine"] is None and parsed.values["fine_text"] == "待定" and "罚款金额" in parsed.warnings[0]


def member_rows(*people: tuple[str, str]) -> list[list[str]]:
    return [[SHORT_CODE, "企业名称", "人员类别", "姓名", "证件类型", "证件号码"],
            *[[USCC, NAME, "股东", "某", id_type, number] for id_type, number in people]]


def test_member_id_numbers_follow_their_id_type(tmp_path):
    rows = read(write_csv(tmp_path / "m.csv", member_rows(
        ("", ID_NUMBER.lower()), ("中华人民共和国居民身份证", "110105194912310021"), ("统一社会信用代码", "9144030010001686XA"),
        ("营业执照", OLD_REG_NO), ("护照", " e1234 5678 "), ("", "9144030010001686XA"), ("居民身份证", ""),
        ("外国人永久居留身份证", "USA110079010101"), ("统一社会信用代码", USCC_BAD))))
    assert summary(rows) == [(2, "ParsedRow", ""), (3, "Reject", "证件号码"), *[(n, "ParsedRow", "") for n in range(4, 8)],
                             (8, "Reject", "证件号码"), (9, "ParsedRow", ""), (10, "Reject", "证件号码")]
    got = {r.row_number: (r.values["id_number"], r.values["member_kind"]) for r in rows if isinstance(r, ParsedRow)}
    assert got == {2: (ID_NUMBER, "person"), 4: ("9144030010001686XA", "enterprise"), 5: (OLD_REG_NO, "enterprise"),
                   6: ("护照:E12345678", "person"), 7: ("9144030010001686XA", "enterprise"),
                   9: ("外国人永久居留身份证:USA110079010101", "person")}
    by_row = {r.row_number: r for r in rows}
    assert "校验位" in by_row[3].reason and by_row[8].reason.startswith("缺少必填项：证件号码")


def test_blacklist_person_is_optional_but_checked(tmp_path):
    header, row = seed_table("blacklist")
    enterprise_only = row[:-4] + ["", "", "", ""]
    name_only = row[:-4] + ["法定代表人", "李四", "", ""]
    bad_id = row[:-1] + ["110105194912310022"]
    rows = read(write_csv(tmp_path / "b.csv", [header, enterprise_only, name_only, bad_id]))
    # A mistyped ID number of the listed person keeps the enterprise's listing: the person by name, with a warning.
    assert summary(rows) == [(2, "ParsedRow", ""), (3, "ParsedRow", ""), (4, "ParsedRow", "")]
    assert rows[0].values["person_name"] is None and rows[0].warnings == []
    assert rows[1].values["person_name"] == "李四" and "没有证件号码" in rows[1].warnings[0]
    assert rows[2].values["id_number"] is None and rows[2].values["id_number_as_sent"] == "110105194912310022"
    assert any("校验位" in w and "仅按姓名" in w for w in rows[2].warnings)


@pytest.mark.parametrize("code, reg_no, expected", [
    (USCC, "", ("uscc", USCC, None)),
    (REG_NO, "", ("reg_no", REG_NO, REG_NO)),                # a 15-digit number in the USCC column
    ("", OLD_REG_NO, ("reg_no", OLD_REG_NO, OLD_REG_NO)),
    (USCC_BAD, REG_NO, ("reg_no", REG_NO, REG_NO)),          # one valid code is enough (with a warning)
    (OLD_REG_NO + ".0", "", ("reg_no", OLD_REG_NO, OLD_REG_NO)),  # pandas wrote the number as a float
])
def test_enterprise_code_or_registration_number(tmp_path, code, reg_no, expected):
    [row] = read(write_csv(tmp_path / "e.csv", [[SHORT_CODE, "注册号", "企业名称"], [code, reg_no, NAME]]), "enterprise")
    assert (row.values["code_kind"], row.values["code"], row.values["reg_no"]) == expected


@pytest.mark.parametrize("code, reg_no, field, reason", [
    ("", "", SHORT_CODE, "缺少必填项"), (USCC_BAD, "", SHORT_CODE, "校验位应为 F"), ("", "12345", "注册号", "15"),
    ("9.14403E+17", "", SHORT_CODE, "科学计数法"), ('=A1&"X"', "", SHORT_CODE, "formula cell"),
    ("916401052278583000", "", SHORT_CODE, "15位有效数字"),     # Excel rounded it
    ("916401052278583194", "", SHORT_CODE, "校验位应为 3，实为 4 (check digit should be 3)"),
])
def test_enterprise_without_a_valid_code_is_rejected(tmp_path, code, reg_no, field, reason):
    [row] = read(write_csv(tmp_path / "e.csv", [[SHORT_CODE, "注册号", "企业名称"], [code, reg_no, NAME]]), "enterprise")
    assert isinstance(row, Reject) and row.field == field and reason in row.reason


def test_excel_text_trick_is_unwrapped(tmp_path):
    [row] = read(write_csv(tmp_path / "e.csv", [[SHORT_CODE, "企业名称"], [f'="{OLD_REG_NO}"', NAME]]), "enterprise")
    assert row.values["code"] == OLD_REG_NO


# --- XLSX ----------------------------------------------------------------------------------------------
def test_xlsx_numbers_dates_and_formulas(tmp_path):
    header = seed_table("penalty", "no-serial")[0]
    path = write_xlsx(tmp_path / "p.xlsx", [
        header,
        [int(OLD_REG_NO), "甲", "县市场监管局", "罚1", datetime(2025, 7, 8), None, 5000, 1234.5],
        [None, None, None, None, None],                                   # empty row: skipped
        ['=CONCATENATE("9144","0300192317458F")', "乙", "县市场监管局", "罚2", 45846],
        [9.16401052278583e17, "丙", "县市场监管局", "罚3", "2025/7/8"],     # a USCC Excel stored as a number
    ])
    table = open_table(path.rename(tmp_path / "p.csv"))               # the extension does not matter
    rows = list(table.rows())
    assert table.encoding == "xlsx" and summary(rows) == [(2, "ParsedRow", ""), (4, "Reject", SHORT_CODE),
                                                          (5, "Reject", SHORT_CODE)]
    first = rows[0]
    assert first.values["code"] == OLD_REG_NO and first.original[SHORT_CODE] == OLD_REG_NO
    assert first.values["decision_date"] == "2025-07-08"
    assert (first.values["fine"], first.values["confiscated_text"]) == (5000.0, "1234.5")
    assert "公式单元格" in rows[1].reason and "paste values" in rows[1].reason
    assert "15位有效数字" in rows[2].reason


def test_xlsx_formula_with_cached_value_uses_the_value(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [[SHORT_CODE, "企业名称", "许可文件编号"],
                                             ['="9144030019231745"&"8F"', NAME, "1"]])
    cached = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(cached, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":   # what Excel writes after calculating
                data = data.replace(b"<v></v>", f"<v>{USCC}</v>".encode()).replace(b"<v />", f"<v>{USCC}</v>".encode())
                data = data.replace(b'<c r="A2">', b'<c r="A2" t="str">')
            dst.writestr(item, data)
    [row] = read(cached)
    assert isinstance(row, ParsedRow) and row.values["code"] == USCC


def test_xlsx_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (11 << 20))
    with pytest.raises(LoadError, match="zip bomb"):
        open_table(path)


# --- file-level failures ----------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.mark.parametrize("content, message", [
    (b"", "文件为空"), (b"  \r\n\t\n", "文件为空"), (b",,,\r\n,,\r\n", "文件为空"),
    (PNG, "不是表格文件"), (b"code,name\x00\x01\x02,x\n" * 10, "不是表格文件"),
    (b"PK\x03\x04 this is not really a zip", "damaged .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls"),
    (b"\xef\xbb\xbf" + "企业名称".encode("gbk"), "BOM"),
])
def test_file_level_failures(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as err:
        open_table(path)
    assert err.value.path == path


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="file not found"):
        open_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_header_only_file_has_no_rows(tmp_path, fmt):
    table = open_table(write_table(tmp_path / "h.dat", [seed_table("blacklist")[0]], fmt))
    assert table.kind == "blacklist" and list(table.rows()) == []


def test_rows_stream_and_report_progress(tmp_path):
    header, row = seed_table("license")
    path = write_csv(tmp_path / "big.csv", [header] + [row] * 3000)
    table = open_table(path)
    rows = table.rows()
    seen = [next(rows) for _ in range(100)]
    assert 0 < table.progress() < 0.5 and len(seen) == 100
    assert sum(1 for _ in rows) == 2900 and table.progress() == 1.0
    assert sum(1 for _ in table.rows()) == 3000  # rows() can be read again


# --- real registry extracts ----------------------------------------------------------------------------
# zhejiang's 82 damaged rows (the last 82 of the file, mis-decoded and shifted): 12 have an 11th cell, the other
# 70 have text where the code should be (59 of the wrong length, 11 with characters a USCC never uses).
ZHEJIANG_RAGGED = [4218, 4219, 4225, 4228, 4230, 4231, 4233, 4251, 4259, 4261, 4262, 4263]


@pytest.mark.parametrize("name, parsed, rejected, reasons", [
    ("ningxia-2003.csv", 1104, 0, {}),
    ("zhejiang-2002.csv", 4216, 82, {"列数多于表头": 12, "不是统一社会信用代码": 59, "含非法字符": 11}),
])
def test_realdata(realdata, name, parsed, rejected, reasons):
    path = realdata / name
    table = open_table(path)
    assert (table.kind, table.encoding, table.ignored_columns) == ("enterprise", "utf-8", [])
    assert table.column_map["法人代表"] == "legal_rep" and table.column_map["注册日期"] == "established"
    rows = list(table.rows())
    rejects = [r for r in rows if isinstance(r, Reject)]
    assert (len(rows) - len(rejects), len(rejects)) == (parsed, rejected)
    histogram = Counter(next(k for k in reasons if k in r.reason) for r in rejects)
    assert histogram == Counter(reasons)
    for r in rejects:
        assert r.row_number >= 2 and r.field in ("", "统一社会信用代码") and r.reason and r.original
    if rejects:
        assert [r.row_number for r in rejects if r.field == ""] == ZHEJIANG_RAGGED
        assert sorted(r.row_number for r in rejects) == list(range(4218, 4300))
    good = [r for r in rows if isinstance(r, ParsedRow)]
    assert all(r.values["code_kind"] == "uscc" and r.values["established"] for r in good)


def test_a_formula_id_type_is_read_as_no_type_not_as_a_foreign_document():
    """证件类型 `=…` without a cached value is emptied with a warning; the number beside it must then meet the
    rules for a number with no type (a resident ID or a corporate code), not pass as a passport number.
    Found by the generated junk cases (tests/reliability/test_hostile_files.py)."""
    from graph.loaders.fields import RowValidator
    from graph.identifiers import id_check_char
    kind = KINDS["member"]
    validator = RowValidator("member", [f.header for f in kind.fields], {f.header: f.name for f in kind.fields})
    code = "91640422000000007J"
    assert isinstance(validator.validate(2, [code, "某公司", "股东", "张三", "=A1", "0", ""]), Reject)
    body = "11010119900307001"
    good = validator.validate(3, [code, "某公司", "股东", "张三", "=A1", body + id_check_char(body), ""])
    assert isinstance(good, ParsedRow)
    assert good.values["id_number"] == body + id_check_char(body) and good.values["id_type"] is None
    assert any("公式" in w for w in good.warnings)


def test_an_id_number_rounded_by_an_excel_number_cell_says_to_format_the_column_as_text():
    from graph.loaders.codes import parse_id_number
    from graph.loaders.problems import FieldProblem
    for cell in ("640422197008088960", "640422198001010000", "6.40422197008089E+17"):
        with pytest.raises(FieldProblem, match="设为文本"):
            parse_id_number(cell, "居民身份证")
    with pytest.raises(FieldProblem) as caught:  # an ordinary mistyped check digit is not blamed on Excel
        parse_id_number("640422198001010011", "居民身份证")
    assert "Excel" not in caught.value.reason


@pytest.mark.parametrize(("code_cell", "name", "id_cell", "listed"), [
    ("640422800101123", "马进财", "", "person"),                 # fails the registration check: the person's
    ("640422800101123", "马进财", "640422800101123", "person"),  # the person's own number, sent twice
    ("640422800101123", "", "", "reg_no"),                      # no person named: a registration number
    ("640422800101123", "马进财", "110105194912310021", "reg_no"),  # another number of the person's own (mistyped)
    ("640422800101123", "马进财", "11010519491231002X", "reg_no"),  # another person's number: the enterprise's code
    ("990422800101123", "马进财", "", "reg_no"),                 # no province 99: not an ID number
    ("640422801301123", "马进财", "", "reg_no"),                 # no month 13: not an ID number
])
def test_a_15_digit_number_in_a_listing_code_column(code_cell, name, id_cell, listed):
    from graph.identifiers import id15_to_18
    from graph.loaders.fields import RowValidator
    kind = KINDS["blacklist"]
    validator = RowValidator("blacklist", [f.header for f in kind.fields], {f.header: f.name for f in kind.fields})
    row = validator.validate(2, [code_cell, "", "", "", "2026-01-01", "", "西吉县人民法院", "", "失信被执行人", "被执行人",
                                 name, "", id_cell])
    assert isinstance(row, ParsedRow)
    if listed == "person":
        assert row.values["code"] is None and row.values["id_number"] == id15_to_18(code_cell)
    else:
        assert (row.values["code"], row.values["code_kind"]) == (code_cell, "reg_no")
