"""The hand-written corpus of hostile files: each case is a file a department (or an attacker) could send,
with the behaviour it must get.

A case is either a *table* — a header and rows, each row saying whether it must load, be rejected (with the
field and a fragment of the reason) or load with a warning — written in some format (CSV in an encoding,
XLSX), or *raw bytes* that must be refused as a whole with a message naming the file and saying why.
For a table the corpus can also write its *valid part* (only the rows that must load), so that a test can
show the rejected rows left no trace: loading the whole file after its valid part changes nothing.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import random
import re
import struct
import zipfile
from dataclasses import dataclass, field
from functools import cache
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook

from county import (BLACKLIST_HEADERS, CODE, ENTERPRISE_HEADERS, LICENSE_HEADERS, MEMBER_HEADERS, PENALTY_HEADERS,
                    id_number, reg_no, uscc)
from graph.identifiers import reg_no_check_digit

OK, REJECT, WARN, SKIP = "ok", "reject", "warn", "skip"
DATE_HEADER = "作出行政处罚决定日期"


@dataclass
class Row:
    cells: list[Any]
    outcome: str = OK               # ok | reject | warn | skip (a blank row: not a row at all)
    field: str = ""                 # reject: the header named in the rejects file ("" = the whole row)
    fragment: str = ""              # reject: part of the reason; warn: part of the warning


@dataclass
class Case:
    id: str
    what: str                                      # the behaviour it must get, in words
    header: list[Any] | None = None
    rows: list[Row] = field(default_factory=list)
    fmt: str = "utf-8"                             # a CSV encoding, "utf-16-be-bom", or "xlsx"
    delimiter: str = ","
    preamble: list[list[Any]] = field(default_factory=list)   # rows above the header (a title row)
    kind: str | None = None                        # --kind, when the case forces it
    raw: Callable[[], bytes] | None = None         # for a file that is not a table at all
    refused: str | None = None                     # a fragment of the FileRejected message
    suffix: str = ".csv"
    verify: Callable[[Any], None] | None = None    # further checks on the store after loading

    # --- expectations ------------------------------------------------------------------------------------
    @property
    def file_refused(self) -> bool:
        return self.refused is not None

    def expected_rows(self) -> list[tuple[int, Row]]:
        """(row number as the clerk sees it, row) for every data row."""
        return [(n, r) for n, r in zip(self._row_numbers(), self.rows) if r.outcome != SKIP]

    @property
    def counts(self) -> tuple[int, int, int]:
        rows = self.expected_rows()
        rejected = sum(1 for _, r in rows if r.outcome == REJECT)
        return len(rows), len(rows) - rejected, rejected

    def _row_numbers(self) -> list[int]:
        if self.fmt == "xlsx":
            first = len(self.preamble) + 2
            return list(range(first, first + len(self.rows)))
        # CSV: the line where the record starts (an embedded newline moves the rows below it down).
        numbers, line = [], 1 + sum(_lines(self._csv_text([r])) for r in self.preamble + [self.header])
        for r in self.rows:
            numbers.append(line)
            line += _lines(self._csv_text([r.cells]))
        return numbers

    # --- writing -----------------------------------------------------------------------------------------
    def write(self, directory: Path, valid_part: bool = False) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.id}{'-valid' if valid_part else ''}{self.suffix}"
        if self.raw is not None:
            path.write_bytes(self.raw())
            return path
        rows = [r.cells for r in self.rows if not valid_part or r.outcome in (OK, WARN)]
        table = [*self.preamble, self.header, *rows]
        if self.fmt == "xlsx":
            wb = Workbook()
            for row in table:
                wb.active.append(row)
            wb.save(path)
        elif self.fmt == "utf-16-be-bom":
            path.write_bytes(codecs.BOM_UTF16_BE + self._csv_text(table).encode("utf-16-be"))
        else:
            path.write_bytes(self._csv_text(table).encode(self.fmt))
        return path

    def _csv_text(self, rows: list[list[Any]]) -> str:
        buf = io.StringIO(newline="")
        csv.writer(buf, delimiter=self.delimiter, lineterminator="\r\n").writerows(
            [["" if c is None else str(c) for c in row] for row in rows])
        return buf.getvalue()


def _lines(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text))


# --- building blocks ---------------------------------------------------------------------------------------
NAME = "西吉县某某商贸有限公司"
DEPT = "西吉县市场监督管理局"
C = [uscc(1000 + i) for i in range(60)]          # valid codes, one per row where a row must be its own record


def penalty(i: int, code: str | None = None, *, date: Any = "2025-07-08", fine: Any = "5000元", name: str = NAME,
            remarks: str = "", no: str | None = None) -> list[Any]:
    """One penalty row in the seed's column order (序号 first)."""
    return [str(i), C[i % len(C)] if code is None else code, name, DEPT, no or f"西市监罚〔2025〕{i}号", date,
            "无照经营", fine, "", "罚款", remarks]


def blacklist(i: int, *, person: list[str] | None = None, valid_from: str = "2026-01-01") -> list[Any]:
    p = person or ["", "", "", ""]
    return [str(i), C[i % len(C)], NAME, "《企业信息公示暂行条例》第十七条", "描述", valid_from, "", "县法院", "县财政局、县发改局",
            "失信被执行人", *p]


def _wrong_check(code: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:-1] + next(c for c in alphabet if c != code[-1])


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as GBK: what a CSV saved as UTF-8 looks like when opened as GBK and saved again."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def _arabic_digits(text: str) -> str:
    """The same number in Arabic-Indic digits: str.isdigit() and int() accept them, a key must not."""
    return "".join(chr(0x660 + int(c)) if c.isdigit() else c for c in text)


def _old_reg_no_failing_check() -> str:
    body = "64042200012345"
    return body + str((int(reg_no_check_digit(body)) + 1) % 10)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" + bytes(64)
SHEET = "xl/worksheets/sheet1.xml"


def _xlsx_bytes(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes | None], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The same workbook with some parts replaced (None: removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dst:
        for item in src.infolist():
            content = replace.get(item.filename, src.read(item.filename))
            if content is not None:
                dst.writestr(item.filename, content)
    return out.getvalue()


@cache
def _base_workbook() -> bytes:
    return _xlsx_bytes([PENALTY_HEADERS, penalty(1)])


def _sheet_xml() -> bytes:
    with zipfile.ZipFile(io.BytesIO(_base_workbook())) as zf:
        return zf.read(SHEET)


def _inflating_workbook(inflated: int) -> bytes:
    """A real .xlsx whose sheet inflates to `inflated` bytes of repeated rows (compressed to a tiny fraction)."""
    head, tail = _sheet_xml().split(b"</sheetData>")
    row = b'<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>'
    return _rezip(_base_workbook(), {SHEET: head + row * (inflated // len(row)) + b"</sheetData>" + tail})


@cache
def zip_bomb() -> bytes:
    """A real .xlsx whose sheet inflates from ~100 KB to 100 MB of repeated rows."""
    return _inflating_workbook(100_000_000)


def _patch_sizes(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size that the local header and the central directory declare for one part."""
    blob = bytearray(data)
    encoded = name.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := blob.find(signature, start)) >= 0:
            (name_len,) = struct.unpack_from("<H", blob, start + name_len_at)
            if blob[start + name_at:start + name_at + name_len] == encoded:
                struct.pack_into("<I", blob, start + size_at, size)
            start += 4
    return bytes(blob)


@cache
def zip_bomb_declaring_huge() -> bytes:
    """Its central directory declares a 4 GB sheet: refused before anything is inflated."""
    return _patch_sizes(_base_workbook(), SHEET, 0xFFFF_FFF0)


@cache
def zip_bomb_lying_small() -> bytes:
    """It declares a 1 KB sheet that really inflates to 50 MB: reading stops at the declared size and the
    checksum fails, so the file is refused instead of inflated."""
    return _patch_sizes(zip_bomb_smaller(), SHEET, 1024)


@cache
def zip_bomb_smaller() -> bytes:
    return _inflating_workbook(50_000_000)


@cache
def billion_laughs() -> bytes:
    """XML entity expansion inside the sheet (the parser refuses it: expat's amplification limit)."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = _sheet_xml()
    xml = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode() + \
        re.sub(rb"<is><t>[^<]*</t>", b"<is><t>&a9;</t>", xml, count=1)
    return _rezip(_base_workbook(), {SHEET: xml})


@cache
def truncated_sheet() -> bytes:
    xml = _sheet_xml()
    return _rezip(_base_workbook(), {SHEET: xml[:len(xml) // 2]})


@cache
def wide_sheet() -> bytes:
    """A small file whose rows each hold a cell in Excel's last column (XFD): a reader that pads every row
    to its last cell does 16,384 cells of work per row — minutes of CPU for a 50 KB upload."""
    wb = Workbook()
    ws = wb.active
    ws.append(PENALTY_HEADERS)
    for i in range(2000):
        ws.append(penalty(i))
        ws.cell(row=i + 2, column=16384, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def not_a_workbook_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return buf.getvalue()


def _random_bytes(seed: int, n: int = 20_000) -> bytes:
    return random.Random(seed).randbytes(n)


@cache
def _long_cell_csv() -> bytes:
    header = ",".join(PENALTY_HEADERS)
    row = ",".join(penalty(1)[:-1] + ["备" * 200_000])
    return f"{header}\r\n{row}\r\n".encode("utf-8")


# --- the corpus --------------------------------------------------------------------------------------------
def _verify_penalty(code: str, **expected) -> Callable:
    def verify(store) -> None:
        from graph.queries.profile import profile
        records = profile(store, code)["records"]["penalty"]
        for key, value in expected.items():
            assert any(r.get(key) == value for r in records), (key, value, [r.get(key) for r in records])
    return verify


def _verify_enterprises(codes: list[str]) -> Callable:
    def verify(store) -> None:
        from graph.queries.profile import profile
        for code in codes:
            assert profile(store, code)["enterprise"]["key"] == code
    return verify


def _verify_names(code: str, names: set[str]) -> Callable:
    def verify(store) -> None:
        from graph.queries.profile import profile
        p = profile(store, code)
        assert {r["name"] for r in p["records"]["penalty"]} | {p["enterprise"]["name"]} >= names
    return verify


def _verify_person(code: str, id_number_: str) -> Callable:
    def verify(store) -> None:
        from graph.queries.profile import profile
        listings = profile(store, code)["records"]["blacklist"]
        assert id_number_ in {l.get("id_number") for l in listings}
    return verify


SHUFFLED = PENALTY_HEADERS[:]
random.Random(3).shuffle(SHUFFLED)


def _reorder(row: list[Any]) -> list[Any]:
    return [row[PENALTY_HEADERS.index(h)] for h in SHUFFLED]


OLD_BAD = _old_reg_no_failing_check()
GOOD_REG = reg_no(777)
PERSON = next(id_number(n) for n in range(1, 100) if id_number(n).endswith("X"))  # to write it with a lower-case x
MULTILINE = '第一行\r\n第二行 "引号", 逗号\n第三行'
LONG_TEXT = "很长的备注" * 10_000
GB18030_ONLY = "䶮𠀀"   # not in GBK
MOJI_NAME = _mojibake("杭州某某服装有限公司")

CASES: list[Case] = [
    # --- empty and nearly empty ----------------------------------------------------------------------------
    Case("empty", "a 0-byte file is refused: empty file", raw=lambda: b"", refused="文件为空"),
    Case("blank-lines", "only blank lines and spaces are refused: empty file", raw=lambda: b" \r\n\t\r\n\r\n",
         refused="文件为空"),
    Case("only-commas", "a CSV of empty cells is refused: empty file", raw=lambda: b",,,,\r\n,,\r\n", refused="文件为空"),
    Case("header-only", "a header with no rows loads nothing and changes nothing", header=PENALTY_HEADERS),
    Case("header-only-xlsx", "an XLSX with a header and no rows loads nothing", header=PENALTY_HEADERS, fmt="xlsx",
         suffix=".xlsx"),
    Case("template-serials", "rows holding nothing but a pre-filled 序号 are not rows", header=PENALTY_HEADERS,
         rows=[Row(penalty(1)), Row(["2"] + [""] * 10, SKIP), Row(["3"], SKIP)]),
    # --- headers -------------------------------------------------------------------------------------------
    Case("no-known-columns", "headers creditnet does not know: refused, and the message says to use --kind",
         raw=lambda: "甲,乙,丙\r\n1,2,3\r\n".encode(), refused="--kind"),
    Case("duplicate-known-column", "the same field twice (企业名称 twice): refused, naming the columns",
         raw=lambda: ",".join(PENALTY_HEADERS + ["企业名称"]).encode() + b"\r\n", refused="列名重复"),
    Case("duplicate-code-columns", "both spellings of the code column: refused as duplicate columns",
         raw=lambda: ",".join([CODE, "统一社会信用代码"] + PENALTY_HEADERS[2:]).encode() + b"\r\n", refused="列名重复"),
    Case("duplicate-unknown-columns", "two unknown columns with one name are kept apart and ignored: loads",
         header=PENALTY_HEADERS + ["联系人", "联系人"], rows=[Row(penalty(1) + ["甲", "乙"])]),
    Case("missing-required-column", "no 行政处罚决定书文号 column (kind detected): refused, naming the column",
         raw=lambda: ",".join(h for h in PENALTY_HEADERS if h != "行政处罚决定书文号").encode() + b"\r\n",
         refused="行政处罚决定书文号"),
    Case("missing-required-column-forced", "--kind penalty on a licence file: refused, naming the missing column",
         kind="penalty", raw=lambda: ",".join(LICENSE_HEADERS).encode() + b"\r\n", refused="行政处罚决定书文号"),
    Case("missing-code-column", "no code column: refused, naming it",
         raw=lambda: ",".join(PENALTY_HEADERS[:1] + PENALTY_HEADERS[2:]).encode() + b"\r\n", refused="统一社会信用代码"),
    Case("columns-any-order", "columns in a shuffled order load into the right fields", header=SHUFFLED,
         rows=[Row(_reorder(penalty(1, date="2025/7/8", fine="1.2万元")))],
         verify=_verify_penalty(C[1], decision_date="2025-07-08", fine=12000.0, decision_no="西市监罚〔2025〕1号")),
    Case("extra-columns", "extra columns are ignored; the fields still load", header=PENALTY_HEADERS + ["联系电话", "备用"],
         rows=[Row(penalty(2) + ["13800000000", "x"])], verify=_verify_penalty(C[2], decision_no="西市监罚〔2025〕2号")),
    Case("title-row", "a title row above the header is skipped; row numbers stay the clerk's",
         preamble=[["西吉县行政处罚信息汇总表"]], header=PENALTY_HEADERS,
         rows=[Row(penalty(3)), Row(penalty(4, code=""), REJECT, CODE, "缺少必填项")]),
    # --- encodings -----------------------------------------------------------------------------------------
    Case("utf8-bom", "UTF-8 with a BOM", header=PENALTY_HEADERS, rows=[Row(penalty(5))], fmt="utf-8-sig",
         verify=_verify_names(C[5], {NAME})),
    Case("utf8-no-bom", "UTF-8 without a BOM", header=PENALTY_HEADERS, rows=[Row(penalty(6))],
         verify=_verify_names(C[6], {NAME})),
    Case("gbk", "GBK, as Excel on Windows saves it", header=PENALTY_HEADERS, rows=[Row(penalty(7))], fmt="gbk",
         verify=_verify_names(C[7], {NAME})),
    Case("gb18030", "GB18030 with characters GBK lacks", header=PENALTY_HEADERS,
         rows=[Row(penalty(8, name=NAME + GB18030_ONLY))], fmt="gb18030", verify=_verify_names(C[8], {NAME + GB18030_ONLY})),
    Case("utf16-tab", "UTF-16 with BOM, tab-separated (Excel's Unicode text)", header=PENALTY_HEADERS,
         rows=[Row(penalty(9))], fmt="utf-16", delimiter="\t", verify=_verify_names(C[9], {NAME})),
    Case("utf16-be", "UTF-16 big-endian with BOM", header=PENALTY_HEADERS, rows=[Row(penalty(10))], fmt="utf-16-be-bom",
         verify=_verify_names(C[10], {NAME})),
    Case("mojibake-names", "names mis-decoded earlier (mojibake) are only text: they load verbatim",
         header=PENALTY_HEADERS, rows=[Row(penalty(11, name=MOJI_NAME))], verify=_verify_names(C[11], {MOJI_NAME})),
    Case("mojibake-damaged-rows", "rows damaged like zhejiang-2002.csv (mis-decoded, shifted) are rejected, "
         "the good rows load", header=PENALTY_HEADERS, rows=[
             Row(penalty(12)),
             Row(penalty(13, code=_mojibake("浙江省杭州市西湖区文三路")), REJECT, CODE, "统一社会信用代码"),
             Row(penalty(14, code="91330100\ufffd\ufffd0522904B"), REJECT, CODE, "非法字符"),
             Row([_mojibake("某公司")] + penalty(15, remarks="备注"), REJECT, "", "列数多于表头")]),
    Case("mojibake-headers", "a whole file mis-decoded (GBK read as Latin-1, saved as UTF-8): no known columns",
         raw=lambda: ",".join(PENALTY_HEADERS).encode("gbk").decode("latin-1").encode("utf-8") + b"\r\n",
         refused="--kind"),
    Case("bom-lies", "a UTF-8 BOM on GBK content is refused, saying so", raw=lambda: codecs.BOM_UTF8 +
         ",".join(PENALTY_HEADERS).encode("gbk"), refused="BOM"),
    # --- CSV structure -------------------------------------------------------------------------------------
    Case("ragged-rows", "short rows load with the missing cells empty; rows longer than the header are rejected "
         "whole", header=PENALTY_HEADERS, rows=[
             Row(penalty(16)[:5]), Row(penalty(17) + ["", ""]),
             Row(penalty(18) + ["多出来的"], REJECT, "", "列数多于表头")]),
    Case("embedded-newlines-quotes", "newlines, quotes and commas inside quoted cells load verbatim; the rows "
         "below keep their line numbers", header=PENALTY_HEADERS, rows=[
             Row(penalty(19, remarks=MULTILINE)),
             Row(penalty(20, date="2025-02-30"), REJECT, DATE_HEADER, "impossible date")],
         verify=_verify_penalty(C[19], remarks=MULTILINE)),
    Case("unbalanced-quote", "an unbalanced quote is refused, naming the line",
         raw=lambda: (",".join(PENALTY_HEADERS) + "\r\n" + ",".join(penalty(1)) + "\r\n1,\"" + C[1] + ",甲\r\n"
                      ).encode(), refused="第 3 行"),
    Case("cell-over-csv-limit", "a cell of 200,000 characters (over the CSV field limit) is refused as malformed CSV",
         raw=_long_cell_csv, refused="CSV 格式错误"),
    Case("long-text", "a 50,000-character remark loads verbatim", header=PENALTY_HEADERS,
         rows=[Row(penalty(21, remarks=LONG_TEXT))], verify=_verify_penalty(C[21], remarks=LONG_TEXT)),
    Case("control-characters", "a few control characters inside text load verbatim", header=PENALTY_HEADERS,
         rows=[Row(penalty(22, remarks="响铃\x07退格\x08"))], verify=_verify_penalty(C[22], remarks="响铃\x07退格\x08")),
    # --- XLSX ------------------------------------------------------------------------------------------------
    Case("xlsx-formulas", "formula cells (=HYPERLINK) with no cached value: in the code column the row is "
         "rejected; elsewhere the cell is emptied with a warning", header=PENALTY_HEADERS, fmt="xlsx", suffix=".xlsx",
         rows=[Row(penalty(23, code=f'=HYPERLINK("http://x.example/{C[23]}","{C[23]}")'), REJECT, CODE, "公式单元格"),
               Row(penalty(24, name='=HYPERLINK("http://x.example","某公司")'), WARN, fragment="公式单元格")]),
    Case("xlsx-numbers-as-text", "numbers stored as text and numbers stored as numbers in XLSX", fmt="xlsx",
         suffix=".xlsx", header=PENALTY_HEADERS, rows=[
             Row(penalty(25, fine="5000", date="2025/7/8")),
             Row(penalty(26, code=int(GOOD_REG), fine=5000, date=45846)),
             Row(penalty(27, date=datetime(2025, 7, 8), fine=1234.5)),
             Row(penalty(28, code=9.16401052278583e17), REJECT, CODE, "15位有效数字")],  # a USCC Excel kept as a number
         verify=_verify_penalty(GOOD_REG, decision_date="2025-07-08", fine=5000.0)),
    Case("xlsx-renamed-csv", "an XLSX renamed .csv is read as XLSX (the bytes decide, not the name)",
         header=PENALTY_HEADERS, fmt="xlsx", suffix=".csv", rows=[Row(penalty(29))]),
    Case("xlsx-zip-bomb", "a workbook whose sheet inflates 1000×: refused before it is inflated",
         raw=zip_bomb, refused="zip bomb", suffix=".xlsx"),
    Case("xlsx-zip-bomb-declared", "a workbook declaring a 4 GB part: refused", raw=zip_bomb_declaring_huge,
         refused="1 GB", suffix=".xlsx"),
    Case("xlsx-zip-bomb-lying", "a workbook declaring 1 KB for a 50 MB sheet: refused, never inflated",
         raw=zip_bomb_lying_small, refused="无法读取 xlsx", suffix=".xlsx"),
    Case("xlsx-billion-laughs", "XML entity expansion in the sheet: refused", raw=billion_laughs, refused="无法读取 xlsx 工作表",
         suffix=".xlsx"),
    Case("xlsx-truncated-sheet", "a sheet cut off half-way: refused as a damaged workbook", raw=truncated_sheet,
         refused="无法读取 xlsx 工作表", suffix=".xlsx"),
    Case("xlsx-wide-rows", "cells in Excel's last column (XFD): refused at once, not minutes of padding",
         raw=wide_sheet, refused="超过 1000 列", suffix=".xlsx"),
    Case("xlsx-no-sheet", "a workbook without its sheet part: refused",
         raw=lambda: _rezip(_base_workbook(), {SHEET: None}), refused="工作表", suffix=".xlsx"),
    Case("xlsx-truncated-file", "the first half of a workbook: refused as damaged",
         raw=lambda: _base_workbook()[:len(_base_workbook()) // 2], refused="xlsx 文件已损坏", suffix=".xlsx"),
    Case("zip-not-workbook", "a zip that is not a workbook: refused", raw=not_a_workbook_zip, refused="Excel",
         suffix=".xlsx"),
    # --- not a table at all ---------------------------------------------------------------------------------
    Case("png-renamed-csv", "a screenshot renamed .csv: refused as not a table", raw=lambda: PNG, refused="不是表格文件"),
    Case("pdf-renamed-csv", "a PDF renamed .csv: refused", raw=lambda: b"%PDF-1.7\n" + bytes(range(256)),
         refused="PDF"),
    Case("gzip-renamed-csv", "a gzip archive renamed .csv: refused", raw=lambda: gzip.compress(b"a,b\n" * 100),
         refused="gzip"),
    Case("elf-renamed-csv", "an executable renamed .csv: refused", raw=lambda: b"\x7fELF\x02\x01\x01" + bytes(4000),
         refused="不是表格文件"),
    Case("xls-ole2", "a legacy .xls (or an encrypted workbook): refused, saying to save as .xlsx",
         raw=lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), refused=".xls", suffix=".xls"),
    Case("random-bytes", "random bytes: refused", raw=lambda: _random_bytes(1), refused="不是表格文件"),
    Case("random-high-bytes", "random bytes with no NUL or control byte: refused, never loaded as text",
         raw=lambda: bytes(b for b in _random_bytes(2, 60_000) if b >= 0x80)[:20_000], refused="无法识别文件编码"),
    # --- codes ---------------------------------------------------------------------------------------------
    Case("codes-normalised", "codes with spaces, full-width characters, lower case, zero-width spaces and tabs "
         "are normalised and load", header=PENALTY_HEADERS, rows=[
             Row(penalty(30, code=f" {C[30][:6]} {C[30][6:12]}  {C[30][12:]} ")),
             Row(penalty(31, code=_fullwidth(C[31]))),
             Row(penalty(32, code=C[32].lower())),
             Row(penalty(33, code="\u200b" + C[33] + "\u3000")),
             Row(penalty(34, code="\t" + C[34]))],
         verify=_verify_enterprises([C[30], C[31], C[32], C[33], C[34]])),
    Case("codes-invalid", "codes of the wrong length, wrong check digit, letters a USCC never uses, lost digits "
         "or nothing are rejected, naming the code column", header=PENALTY_HEADERS, rows=[
             Row(penalty(35, code=C[35][:17]), REJECT, CODE, "17 characters"),
             Row(penalty(36, code=C[36] + "1"), REJECT, CODE, "19 characters"),
             Row(penalty(37, code=_wrong_check(C[37])), REJECT, CODE, "check digit should be"),
             Row(penalty(38, code=C[38][:10] + "O" + C[38][11:]), REJECT, CODE, "非法字符"),
             Row(penalty(39, code="9.16401E+17"), REJECT, CODE, "科学计数法"),
             Row(penalty(40, code="N/A"), REJECT, CODE, "缺少必填项"),
             Row(penalty(41, code=""), REJECT, CODE, "缺少必填项"),
             Row(penalty(54, code=_arabic_digits(GOOD_REG)), REJECT, CODE, "0-9"),
             Row(penalty(42))]),
    Case("reg-no-15", "15-digit registration numbers: a valid one loads; one failing its check loads with a warning; "
         "one with a letter is rejected", header=PENALTY_HEADERS, rows=[
             Row(penalty(43, code=GOOD_REG)),
             Row(penalty(44, code=OLD_BAD), WARN, fragment="注册号校验位"),
             Row(penalty(45, code=GOOD_REG[:14] + "A"), REJECT, CODE, "18位")],
         verify=_verify_enterprises([GOOD_REG, OLD_BAD])),
    Case("excel-text-trick", 'Excel\'s ="…" keep-as-text trick is unwrapped', header=PENALTY_HEADERS,
         rows=[Row(penalty(46, code=f'="{C[46]}"'))], verify=_verify_enterprises([C[46]])),
    # --- dates ---------------------------------------------------------------------------------------------
    Case("dates-every-format", "every date form Excel produces is read as 2025-07-08", header=PENALTY_HEADERS,
         rows=[Row(penalty(50 + i, code=C[47], date=d, no=f"日期{i}")) for i, d in enumerate([
             "2025-07-08", "2025/7/8", "2025年7月8日", "20250708", "45846", "45846.0", "2025-07-08 00:00:00",
             "2025.7.8", "２０２５－０７－０８", "2025-7-8T09:30:00", " 2025 年 7 月 8 日 "])],
         verify=lambda store: _dates_all(store, C[47], "2025-07-08", 11)),
    Case("dates-impossible", "impossible or unreadable dates reject the row, naming the date column",
         header=PENALTY_HEADERS, rows=[
             Row(penalty(70 + i, date=d), REJECT, DATE_HEADER, fragment)
             for i, (d, fragment) in enumerate([
                 ("2025-02-29", "impossible date"), ("2024-02-30", "impossible date"), ("2025-13-01", "impossible date"),
                 ("20250230", "impossible date"), ("2025年2月30日", "impossible date"), ("3/1/2025", "order of month and day"),
                 ("0", "unrecognised date"), ("明天", "unrecognised date"), ("99999999", "impossible date"),
                 ("3000000", "unrecognised date"), ("2025-07-08-01", "unrecognised date")])]),
    # --- amounts -------------------------------------------------------------------------------------------
    Case("amounts", "amounts like 5,000(万) and 5000元 are read as yuan; foreign or unreadable ones load as "
         "text with a warning", header=PENALTY_HEADERS, rows=[
             Row(penalty(90, code=C[48], fine="5,000(万)", no="金额1")),
             Row(penalty(91, code=C[48], fine="5000元", no="金额2")),
             Row(penalty(92, code=C[48], fine="51.8000(万元人民币)", no="金额3")),
             Row(penalty(93, code=C[48], fine="13(万美元)", no="金额4"), WARN, fragment="foreign currency"),
             Row(penalty(94, code=C[48], fine="大约五千", no="金额5"), WARN, fragment="unrecognised amount")],
         verify=_verify_penalty(C[48], fine=50_000_000.0)),
    # --- persons -------------------------------------------------------------------------------------------
    Case("id-numbers", "ID numbers: a lower-case x is the same number; a wrong check digit or an impossible "
         "birth date of the listed person keeps the enterprise's listing, with the person by name and a warning; "
         "a passport number is kept", header=BLACKLIST_HEADERS, rows=[
             Row(blacklist(1, person=["法定代表人", "张三", "居民身份证", PERSON.lower()])),
             Row(blacklist(2, person=["法定代表人", "李四", "居民身份证", _wrong_check(PERSON)]), WARN,
                 fragment="check digit"),
             Row(blacklist(3, person=["法定代表人", "王五", "居民身份证", "640422198002300011"]), WARN,
                 fragment="impossible birth date"),
             Row(blacklist(4, person=["法定代表人", "Smith", "护照", "E12345678"])),
             Row(blacklist(5, person=["法定代表人", "赵六", "居民身份证", _arabic_digits(PERSON)]), WARN, fragment="0-9")],
         verify=_verify_person(C[1], PERSON)),
    Case("enterprise-codes", "registry rows: a 注册号 in the code column is read as one; one bad column of two "
         "is a warning; both bad rejects the row", header=ENTERPRISE_HEADERS, rows=[
             Row(["1", GOOD_REG, "", "甲厂", "", "", "", "", "2003-01-01", "存续", "", ""]),
             Row(["2", _wrong_check(C[50]), reg_no(778), "乙厂", "", "", "", "", "", "", "", ""], WARN,
                 fragment="已按另一列"),
             Row(["3", _wrong_check(C[51]), "123", "丙厂", "", "", "", "", "", "", "", ""], REJECT, "统一社会信用代码",
                 "check digit")],
         verify=_verify_enterprises([GOOD_REG, reg_no(778)])),
    Case("member-corporate", "a corporate shareholder (证件类型 统一社会信用代码) loads as an enterprise member",
         header=MEMBER_HEADERS, rows=[Row(["1", C[52], "甲公司", "股东", "乙公司", "统一社会信用代码", C[53], "51%"]),
                                      Row(["2", C[52], "甲公司", "股东", "丙公司", "统一社会信用代码", "12345"], REJECT,
                                          "证件号码", "")],
         verify=_verify_enterprises([C[52], C[53]])),
]


def _dates_all(store, code: str, iso: str, n: int) -> None:
    from graph.queries.profile import profile
    records = profile(store, code)["records"]["penalty"]
    assert len(records) == n and {r["decision_date"] for r in records} == {iso}


BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"
