"""Enterprise codes and persons' ID numbers as departments type them: checked, keyed, and why one cannot be used.

A USCC or registration number keys an enterprise; a resident ID number (a first-generation 15-digit one converted
to its 18-digit form) or another document's kind and number keys a person; 证件类型 says which to expect, and a
valid USCC under a type that names no person's document is a corporate member.
"""
from __future__ import annotations

import re
from functools import lru_cache

from graph.identifiers import (InvalidIdentifier, document_key, id15_to_18, normalise_code, validate_id_number,
                               validate_reg_no, validate_uscc)
from graph.loaders.problems import FieldProblem


def is_formula(text: str) -> bool:
    return len(text) > 1 and text.startswith("=")


_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d+", re.I)
_FLOAT_REG_NO = re.compile(r"(\d{15})\.0+")


def parse_code(text: str) -> tuple[str, str, str | None]:
    """(code, "uscc" | "reg_no", warning) for an enterprise's code, or FieldProblem saying what is wrong."""
    if is_formula(text):
        raise FieldProblem(f"公式单元格“{text}”，请复制后“选择性粘贴-数值” (formula cell, paste values)")
    if _SCIENTIFIC.fullmatch(text.strip()):
        raise FieldProblem(f"代码被 Excel 显示为科学计数法“{text}”，数字已丢失；请将该列设为文本后重新导出 "
                           f"(scientific notation, digits lost; format the column as text)")
    code = normalise_code(text)
    float_reg = _FLOAT_REG_NO.fullmatch(code)
    if float_reg:
        code = float_reg.group(1)
    if len(code) == 15 and code.isdigit():
        if not code.isascii():  # str.isdigit() and int() accept Arabic-Indic and other digits; a key may not
            raise FieldProblem(f"注册号只能由数字 0-9 组成，实为“{code}” (a registration number has digits 0-9 only)")
        reg_no, warning = validate_reg_no(code)
        return reg_no, "reg_no", warning
    if len(code) != 18:
        raise FieldProblem(f"“{code}”不是统一社会信用代码(18位)或注册号(15位) "
                           f"(not a USCC or a registration number: {len(code)} characters)")
    try:
        return validate_uscc(code), "uscc", None
    except InvalidIdentifier as exc:
        # Excel keeps 15 significant digits: an all-digit USCC typed into a number cell comes back as
        # 916401052278583000 (CSV) or 916401052278583040 (the XLSX float), never as the code.
        if code.isdigit() and float(code) == float(code[:15] + "000"):
            raise FieldProblem(exc.reason + "；Excel 数字单元格只保留15位有效数字，请将该列设为文本 "
                               "(Excel keeps 15 digits: format the column as text)") from None
        raise FieldProblem(exc.reason) from None


# 证件类型 says how to read 证件号码: a resident ID has a check digit; a corporate member (a shareholder that is
# an enterprise) gives its USCC; passports and travel permits have formats of their own and are only folded.
_CORPORATE_ID = ("统一社会信用代码", "信用代码", "营业执照", "注册号")
_NOT_RESIDENT = ("外国人", "永久居留", "港澳", "台湾", "香港", "澳门", "护照", "通行证", "居住证")


@lru_cache(maxsize=1024)  # a file names the same few 证件类型 on every row
def id_type_class(id_type: str | None) -> str:
    folded = normalise_code(id_type or "")
    if any(word in folded for word in _CORPORATE_ID):
        return "corporate"
    if not folded or ("身份证" in folded and not any(word in folded for word in _NOT_RESIDENT)):
        return "resident"
    return "other"


_ORGANISATION_CODE = re.compile(r"[0-9A-Z]{8}-?[0-9X]")


def unusable_code(text: str) -> str | None:
    """Why a listing's code column names no one it can be keyed by, for what courts' exports hold there."""
    code = normalise_code(text)
    if "*" in code:
        return (f"号码“{code}”被部分隐去（含*），无法确定被列入的人员或企业：请向信息发送部门索取完整的证件号码或统一社会信用代码 "
                f"(a masked number names no one: ask the sender for the full number)")
    if _ORGANISATION_CODE.fullmatch(code):
        return (f"“{code}”是组织机构代码（9位），无法直接确定企业：请改填统一社会信用代码（其第9至17位即组织机构代码） "
                f"(an organisation code: give the enterprise's USCC)")
    return None


def _corporate_code(id_type: str | None, number: str) -> bool:
    """A USCC (its check digit holds) under a 证件类型 that names no person's document (企业, 公司, 法人, 单位 …):
    a corporate member, whose own listings and heads must reach the enterprise, not a person keyed by that text.
    A foreigner's permanent residence card has 18 digits too: its 证件类型 says so, and keeps it a person."""
    if len(number) != 18 or any(word in normalise_code(id_type or "") for word in _NOT_RESIDENT):
        return False
    try:
        validate_uscc(number)
    except InvalidIdentifier:
        return False
    return True


def _excel_rounded(code: str) -> bool:
    """A long number as Excel gives it back from a number cell: 15 significant digits, then zeros (what the sheet
    shows) or the binary float's exact digits (what an XLSX reader gets, 640422197008088960)."""
    if not (code.isascii() and code.isdigit() and len(code) >= 16):
        return False
    rounded = float(f"{float(code):.15g}")
    return code[15:] == "0" * (len(code) - 15) or int(code) == int(rounded)


def parse_id_number(text: str, id_type: str | None) -> tuple[str, str, str | None]:
    """(number, "person" | "enterprise", warning) or FieldProblem.

    A person's key: the 18-digit resident ID number (a first-generation 15-digit one is converted, and the warning
    says so: the caller keeps the number as sent), or, for another document (护照, 通行证 …), its kind and number
    (`护照:E12345678`). In a person's column a 15-digit number is a person's, never a registration number."""
    if id_type is not None and is_formula(id_type):
        # The type cell is emptied with a warning (its own field): read the number as having no type, or a
        # formula type would let any text through as a foreign document number.
        id_type = None
    cls = id_type_class(id_type)
    if is_formula(text):
        raise FieldProblem(f"公式单元格“{text}”，请复制后“选择性粘贴-数值” (formula cell, paste values)")
    if cls == "corporate":
        code, _, warning = parse_code(text)
        return code, "enterprise", warning
    if cls == "other":
        number = normalise_code(text)
        if not number:
            raise FieldProblem("证件号码为空 (ID number is empty)")
        if _corporate_code(id_type, number):
            return number, "enterprise", (f"证件类型“{id_type}”下的号码是有效的统一社会信用代码，按企业股东处理 "
                                          f"(a valid USCC: treated as a corporate member)")
        return document_key(id_type, number), "person", None
    code = normalise_code(text)
    if _SCIENTIFIC.fullmatch(text.strip()):
        raise FieldProblem(f"证件号码被 Excel 显示为科学计数法“{text}”，数字已丢失；请将该列设为文本后重新导出 "
                           f"(scientific notation, digits lost; format the column as text)")
    if len(code) == 15 and code.isascii() and code.isdigit():
        upgraded = id15_to_18(code)
        if upgraded is None:
            raise FieldProblem(f"15位证件号码“{code}”不是有效的第一代身份证号码（出生日期 {code[6:12]} 不存在）；企业股东请在证件类型"
                               f"填写统一社会信用代码或注册号 (not a valid 15-digit ID number: impossible birth date; for a "
                               f"corporate member, give its code type)")
        return upgraded, "person", (f"15位身份证号码 {code} 已按18位 {upgraded} 归集，原号码保留 "
                                    f"(first-generation ID number keyed by its 18-digit form; the number as sent is kept)")
    try:
        if not code.isascii():  # Arabic-Indic digits pass isdigit() and int(): not an ID number
            raise InvalidIdentifier(text, f"身份证号码只能由数字 0-9 和 X 组成，实为“{code}” "
                                          f"(an ID number has digits 0-9 and X only)")
        return validate_id_number(text), "person", None
    except InvalidIdentifier as exc:
        if _excel_rounded(code):
            # Excel keeps 15 significant digits: an ID number typed into a number cell comes back rounded.
            raise FieldProblem(exc.reason + "；该号码像是被 Excel 数字单元格截断为15位有效数字，请将该列设为文本后重新导出 "
                               "(Excel keeps 15 digits: format the column as text)") from None
        if id_type:
            raise FieldProblem(exc.reason) from None
        try:  # no 证件类型 given: a corporate shareholder's USCC is still recognisable by its check digit
            code, _, warning = parse_code(text)
        except FieldProblem:
            raise FieldProblem(exc.reason) from None
        return code, "enterprise", warning or "证件类型为空，证件号码是企业代码，按企业股东处理 (treated as a corporate member)"
