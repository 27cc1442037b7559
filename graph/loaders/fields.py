"""Cell values as departments type them, turned into checked values, and a row into a ParsedRow or a Reject.

The seed's rule is that a record that cannot be attached to an enterprise by its code is not collected, so a
missing or invalid code rejects the row with a reason the sending clerk can act on. Everything else is
lenient where the meaning is clear (dates in six spellings, capital as "5,000(万)") and strict where a
wrong guess would mislead a check (an impossible date, an ID number whose check digit fails).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from graph.departments import split_departments
from graph.identifiers import InvalidIdentifier, id15_to_18, normalise_code, plausible_id15, validate_id_number
from graph.loaders.codes import is_formula, parse_code, parse_id_number, unusable_code
from graph.loaders.dates import END_FIELDS, OPEN_ENDS, parse_date, read_date  # noqa: F401 (OPEN_ENDS, parse_date: re-exported)
from graph.loaders.problems import FieldProblem  # noqa: F401 (re-exported)
from graph.loaders.headers import normalise_header
from graph.model import COURT_CODE_HEADERS, KINDS, ROLE_ALIASES, Field
from graph.names import looks_like_person_name
from graph.vocabulary import UNKNOWN, fold, list_category, role_classes


@dataclass
class ParsedRow:
    row_number: int              # as the spreadsheet user sees it: the header is row 1
    values: dict[str, Any]       # canonical field name -> parsed value
    original: dict[str, str]     # source header -> raw cell text
    warnings: list[str] = field(default_factory=list)


@dataclass
class Reject:
    row_number: int
    field: str                   # the source header, or "" for a whole-row problem
    reason: str                  # Chinese, English in brackets
    original: dict[str, str]


class _Memo:
    """A parser's answers for the texts already seen in one file: the same 证件类型, dates, departments and
    enterprise codes come back on thousands of rows, and each parse is pure. A problem is remembered as its
    reason and raised afresh each time. Bounded: cleared when full (16,384 answers, a few MB), so a file of
    unique values (ID numbers) costs one small dict; codes repeat on neighbouring rows, so a small memo holds them."""

    LIMIT = 1 << 14

    def __init__(self, parse):
        self.parse = parse
        self.answers: dict = {}

    def __call__(self, *key):
        answer = self.answers.get(key, _UNSEEN)
        if answer is _UNSEEN:
            try:
                answer = self.parse(*key)
            except FieldProblem as exc:
                answer = _Problem(exc.reason)
            if len(self.answers) >= self.LIMIT:
                self.answers.clear()
            self.answers[key] = answer
        if type(answer) is _Problem:
            raise FieldProblem(answer.reason)
        return answer


class _Problem:
    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


_UNSEEN = object()


NULLS = frozenset({"", "n/a", "na", "-", "--", "—", "——", "/", "null", "none", "无", "#n/a"})


_TEXT_FORMULA = re.compile(r'="(.*)"')


def clean(raw: str | None) -> str | None:
    """Stripped text, or None for the ways clerks write "nothing"; `="0123"` (Excel's keep-as-text trick)
    is unwrapped."""
    if not raw:
        return None
    text = raw.strip()
    if len(text) >= 5 and text[0] != "=":  # most cells: no null spelling is this long, no formula
        return text
    if text.startswith("="):
        quoted = _TEXT_FORMULA.fullmatch(text)
        text = quoted.group(1).strip() if quoted else text
    return None if len(text) < 5 and text.lower() in NULLS else text


# --- amounts -----------------------------------------------------------------------------------------
_AMOUNT = re.compile(r"(?:人民币|rmb|¥)?(-?\d+(?:\.\d+)?)(.*)", re.I)
_FOREIGN = ("美元", "欧元", "港元", "港币", "日元", "英镑", "美金", "加元", "澳元", "新加坡元", "瑞士法郎")
_MULTIPLIERS = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}
_AMOUNT_NOISE = re.compile(r"[\s,()]")
_YUAN = re.compile(r"元|人民币|rmb", re.I)


def parse_amount(text: str) -> tuple[float | None, str | None]:
    """(yuan, warning): "5000元" → 5000, "5,000(万)" → 5e7, "51.8000(万元人民币)" → 518000, "05万人民币" → 50000.

    Foreign-currency capital (13(万美元)) is not converted: a rate would be a guess, so the value is None and
    the text is kept. An unparseable amount is not a reason to drop the record either.
    """
    folded = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", text))
    match = _AMOUNT.fullmatch(folded)
    if not match:
        return None, f"无法识别的金额“{text}”，已保留原文 (unrecognised amount, kept as text)"
    number, unit = match.groups()
    multiplier = _MULTIPLIERS.get(unit[:1])
    if _YUAN.sub("", unit[1:] if multiplier else unit):
        if any(currency in unit for currency in _FOREIGN):
            return None, f"外币金额“{text}”未换算为人民币，已保留原文 (foreign currency, not converted)"
        return None, f"无法识别的金额单位“{text}”，已保留原文 (unrecognised unit, kept as text)"
    # Decimal, so that 51.8 万 is 518000 and not 517999.99999999994.
    return (float(Decimal(number) * multiplier) if multiplier else float(number)), None


# --- codes and ID numbers ----------------------------------------------------------------------------
ID_TYPE_FIELD = {"id_number": "id_type", "legal_rep_id_number": "legal_rep_id_type"}

COURT_CODE_COLUMNS = frozenset(normalise_header(h) for h in COURT_CODE_HEADERS)

# Periods whose end before their start is a row that can never apply: rejected, not loaded silently.
PERIODS = (("valid_from", "valid_to"), ("since", "until"))
EARLIEST_DATE = "1949-10-01"


def _far_future() -> str:
    return f"{date.today().year + 100}-12-31"


class RowValidator:
    """Turns the cells of one row of a known kind into a ParsedRow or the first Reject found."""

    def __init__(self, kind: str, headers: list[str], column_map: dict[str, str]):
        self.kind = KINDS[kind]
        self.headers = headers
        self.columns: dict[str, tuple[int, str]] = {
            name: (i, h) for i, h in enumerate(headers) for name in [column_map.get(h)] if name}
        # Code columns first, so that a row with a bad code is rejected for its code. Enterprise codes are
        # handled together (_enterprise_code), as either column may hold either kind of number.
        # A listing's code column is read after its person (_listing_subject): it may be empty, or hold the
        # person's ID number, when a natural person is listed.
        fields = [f for f in self.kind.fields if f.type == "code" and kind not in ("enterprise", "blacklist")] + \
                 [f for f in self.kind.fields if f.type != "code"]
        # plain_text: a text field whose value is only stored (no required check, no warning to consider).
        self.plan = [(f, self.header(f.name), f.type == "text" and not f.required and f.name != "person_name")
                     for f in fields]
        self.with_member_kind = "id_number" in self.columns
        self.sources = [(name, h) for name, (_, h) in self.columns.items()]
        self.parse_code = _Memo(parse_code)
        self.read_date = _Memo(read_date)
        self.parse_amount = _Memo(parse_amount)
        self.parse_id_number = _Memo(parse_id_number)
        self.split_departments = _Memo(lambda text: tuple(split_departments(text)))

    def validate(self, row_number: int, cells: list[str]) -> ParsedRow | Reject:
        headers = self.headers
        if len(cells) == len(headers):
            original = dict(zip(headers, cells))
        else:
            original = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}
        extra = cells[len(headers):]
        if extra and any(c.strip() for c in extra):
            for n, cell in enumerate(extra, len(self.headers) + 1):
                original[f"(第{n}列)"] = cell
            return Reject(row_number, "", f"列数多于表头：表头 {len(self.headers)} 列，本行 {len(cells)} 列 "
                                          f"(more cells than headers)", original)
        raw = {name: clean(original[h]) for name, h in self.sources}
        values: dict[str, Any] = {"member_kind": None} if self.with_member_kind else {}
        warnings: list[str] = []
        try:
            if self.kind.name == "enterprise":
                self._enterprise_code(raw, values, warnings)
            for f, header, plain_text in self.plan:
                if plain_text:  # a text field without a rule of its own: the common case, kept inline
                    text = raw.get(f.name)
                    if text is not None and text[0] != "=":
                        values[f.name] = text
                        continue
                self.read_field(f, header, raw, values, warnings)
            if self.kind.name == "blacklist":
                self._listing_subject(raw, values, warnings)
            self._periods(values)
        except RowProblem as problem:
            return Reject(row_number, problem.header, problem.reason, original)
        return ParsedRow(row_number, values, original, warnings)

    def _periods(self, values: dict[str, Any]) -> None:
        """A period that ends before it starts can never apply: the row is rejected with the reason (loaded, it
        would restrict no one, silently)."""
        for start, end in PERIODS:
            first, last = values.get(start), values.get(end)
            if first and last and last < first:
                raise RowProblem(self.header(end), f"{self.header(end)} {last} 早于 {self.header(start)} {first}，"
                                                    f"期限不可能生效，请核对 (the period ends before it starts)")

    def _listing_subject(self, raw: dict[str, str | None], values: dict[str, Any], warnings: list[str]) -> None:
        """Whom a listing row lists. The seed's rule attaches a record to an enterprise by its code; a
        失信被执行人 row that lists a natural person has its code column empty, or holding the person's ID
        number: it is a listing of that person, keyed by the person (docs/domain.md, "How departments really write records")."""
        header = self.header("code")
        text = raw.get("code")
        person = values.get("id_number") if values.get("member_kind", "person") == "person" else None
        category = list_category(values.get("list_type"))
        if not category.known:
            warnings.append(f"{self.header('list_type')}：信息类型“{values.get('list_type')}”不在名单分类表中：对被列入的"
                            f"企业或人员本身仍为受限，对其他主体仅提示关联；可在 CREDITNET_HOME/vocabulary/list_types.toml 中补充 "
                            f"(unknown list type: it restricts its own subject; others are linked)")
        if text is None:
            if not person:
                raise RowProblem(header, f"缺少必填项：{header}（企业名单须有统一社会信用代码或注册号；自然人名单须有证件号码） "
                                          f"(required field is empty: a code, or the listed person's ID number)")
            values["code"] = values["code_kind"] = None
            warnings.append(f"{header}：为空，按自然人名单归集到证件号码所指的人员 (a listing of the named person)")
            return
        try:
            code, code_kind, warning = self.parse_code(text)
        except FieldProblem as exc:
            as_person = self._person_in_code_column(text)
            if as_person is None:
                raise RowProblem(header, unusable_code(text) or exc.reason) from None
            self._listed_person_by_code(header, text, as_person, person, values, warnings)
            return
        if code_kind == "reg_no" and person and id15_to_18(code) == person:
            self._listed_person_by_code(header, text, person, person, values, warnings)
            return
        if raw.get("id_number") is None:
            named = values.get("person_name") or (values.get("name") if looks_like_person_name(values.get("name")) else None)
            as_person = self._person_by_number(code, code_kind, warning, named, header)
            if as_person is not None:
                self._listed_person_by_code(header, text, as_person, None, values, warnings, (
                    f"{header}：“{code}”是{('“' + named + '”的') if named else ''}{'第一代' if len(code) == 15 else ''}"
                    f"身份证号码，不是企业代码：按该人员（18位 {as_person}）归集为自然人名单 (a person's ID number, not an "
                    f"enterprise's code: a listing of that person)"))
                return
            if code_kind == "reg_no" and named and plausible_id15(code) is not None:
                warning = (f"{header}：15位数字“{code}”按注册号归集（校验位相符），但它也是有效的第一代身份证号码，本行姓名"
                           f"“{named}”没有证件号码：若是该人员的身份证号码，请填入证件号码列后重新报送 (read "
                           f"as a registration number; it may be the named person's first-generation ID number)")
        values["code"], values["code_kind"] = code, code_kind
        if warning:
            warnings.append(warning)

    @staticmethod
    def _person_by_number(code: str, code_kind: str, warning: str | None, named: str | None, header: str) -> str | None:
        """The person whose ID number a listing's code column holds although it also reads as an enterprise's code,
        or None. In a court's mixed column (身份证号码/组织机构代码) a number that is a person's ID is theirs; in a
        code column, only on a row naming a person (姓名, or a person's name as 企业名称): a 15-digit number that
        fails the registration number's check, or an 18-digit one that is a valid resident ID (no real 工商 USCC
        is: region codes never begin with 9)."""
        mixed = normalise_header(header) in COURT_CODE_COLUMNS
        if not (mixed or named):
            return None
        if code_kind == "reg_no":
            return plausible_id15(code) if (mixed or warning) else None
        try:
            return validate_id_number(code)
        except InvalidIdentifier:
            return None

    def _person_in_code_column(self, text: str) -> str | None:
        try:
            number, member_kind, _ = parse_id_number(text, None)
        except FieldProblem:
            return None
        return number if member_kind == "person" else None

    @staticmethod
    def _listed_person_by_code(header: str, text: str, number: str, person: str | None, values: dict[str, Any],
                               warnings: list[str], how: str | None = None) -> None:
        if person and person != number:
            raise RowProblem(header, f"{header}中的身份证号码与证件号码列不一致，无法确定被列入的人员 "
                                      f"(the code column holds another person's ID number than 证件号码)")
        values["code"] = values["code_kind"] = None
        if not values.get("person_name") and values.get("name"):
            # A court's export has one name column for persons and enterprises (被执行人姓名/名称): a person's here.
            values["person_name"], values["name"] = values["name"], None
        if not person:
            values["id_number"], values["member_kind"] = number, "person"
            sent = normalise_code(text)
            if sent != number:
                values["id_number_as_sent"] = sent
        warnings.append(how or f"{header}：填写的是自然人身份证号码，按自然人名单归集到该人员 (a person's ID number: a "
                               f"listing of that person)")

    def header(self, name: str) -> str:
        return self.columns[name][1] if name in self.columns else self.kind.field(name).header

    def read_field(self, f: Field, header: str, raw: dict[str, str | None], values: dict[str, Any],
               warnings: list[str]) -> None:
        text = raw.get(f.name)
        if f.type == "text" and not (text and text[0] == "="):  # the common case, kept cheap
            values[f.name] = text
            if f.required and text is None:
                raise RowProblem(header, f"缺少必填项：{header} (required field is empty)")
            if f.name == "person_name" and text and self.kind.name == "blacklist" and not raw.get("id_number"):
                warnings.append(f"{header}“{text}”没有证件号码，无法与其他记录中的同一人关联 "
                                f"(name without an ID number: cannot be linked to the same person elsewhere)")
            return
        if f.type == "amount":
            values[f.name + "_text"] = text
        value: Any = None
        if text is not None and is_formula(text) and f.type not in ("code", "id_number"):
            warnings.append(f"{header}：公式单元格“{text}”没有计算结果，已置空 (formula without a value)")
        elif text is not None:
            try:
                value = self._parse(f, text, raw, values, warnings)
            except FieldProblem as exc:
                raise RowProblem(header, exc.reason) from None
        if f.type == "code" and value is not None:
            values["code_kind"] = value[1]
            if value[2]:
                warnings.append(value[2])
            value = value[0]
        values[f.name] = value
        if f.required and value is None:
            raise RowProblem(header, f"缺少必填项：{header} (required field is empty)")

    def _date(self, f: Field, text: str, values: dict[str, Any], warnings: list[str]) -> str | None:
        # 长期, 无固定期限, 在任 … at an end: no end date; a month or a year alone: its first day, or its last at
        # an end (docs/domain.md, "How departments really write records"; graph/loaders/dates.py).
        day, note = self.read_date(text, f.name in END_FIELDS)
        if note:
            warnings.append(f"{self.header(f.name)}：{note}")
        if day is None:
            return None
        if note and f.name == "valid_from":
            # A listing's start written as a month or a year only is read as its first day (the listing counts
            # from then); a bar counted from the start must not end before the last day it may mean.
            latest, _ = self.read_date(text, True)
            if latest and latest != day:
                values["valid_from_latest"] = latest
        if day < EARLIEST_DATE or day > _far_future():
            warnings.append(f"{self.header(f.name)}：日期 {day} 早于1949-10-01或远在未来，请核对；已按原值导入 "
                            f"(a date before 1949-10-01 or far in the future: loaded as sent, please check)")
        return day

    def _parse(self, f: Field, text: str, raw: dict[str, str | None], values: dict[str, Any],
               warnings: list[str]) -> Any:
        if f.type == "code":
            return self.parse_code(text)
        if f.type == "date":
            return self._date(f, text, values, warnings)
        if f.type == "amount":
            amount, warning = self.parse_amount(text)
            if warning:
                warnings.append(f"{self.header(f.name)}：{warning}")
            return amount
        if f.type == "id_number":
            try:
                number, member_kind, warning = self.parse_id_number(text, raw.get(ID_TYPE_FIELD.get(f.name, "id_type")))
            except FieldProblem as exc:
                if not self._person_is_secondary(f, raw):
                    raise
                # A mistyped ID number of the person a listing or a registry row names must not drop the row: the
                # enterprise is listed (or registered) all the same, and the person is kept by name, with a warning.
                warnings.append(f"{self.header(f.name)}：{exc.reason}；本行仍按企业导入，该人员仅按姓名记录，请更正证件号码后重新报送 "
                                f"(the row loads for its enterprise; the person is kept by name only until the number is corrected)")
                values[f.name + "_as_sent"] = normalise_code(text)
                return None
            if f.name == "id_number":
                values["member_kind"] = member_kind
            if warning:
                warnings.append(f"{self.header(f.name)}：{warning}")
                sent = normalise_code(text)
                if member_kind == "person" and len(sent) == 15 and sent != number:
                    values[f.name + "_as_sent"] = sent  # shown as sent; keyed by its 18-digit form
            return number
        if f.type == "departments":
            return list(self.split_departments(text)) or None
        if f.type == "role":
            # Kept as the registry wrote it; only pure synonyms of one role are folded to it (法人代表 → 法定代表人).
            folded = fold(text)
            label = ROLE_ALIASES.get(folded, ROLE_ALIASES.get(folded.lower(), text))
            # A listing's 人员类别 (被执行人, 失信被执行人 …) says how the person is listed, not an office they hold.
            if UNKNOWN in role_classes(label) and self.kind.name != "blacklist":
                warnings.append(f"{self.header(f.name)}：职务“{label}”不在职务分类表中，按不具约束力的关联处理；可在 "
                                f"CREDITNET_HOME/vocabulary/roles.toml 中补充 (unknown role label: a non-binding link)")
            return label
        return text

    def _person_is_secondary(self, f: Field, raw: dict[str, str | None]) -> bool:
        """The person a row names beside its enterprise (a listing's 证件号码, a registry row's 法定代表人证件号码),
        where the row has an enterprise code to stand on; in a member file the person is the row."""
        if self.kind.name == "blacklist" and f.name == "id_number":
            return raw.get("code") is not None
        return self.kind.name == "enterprise" and f.name == "legal_rep_id_number"

    def _enterprise_code(self, raw: dict[str, str | None], values: dict[str, Any], warnings: list[str]) -> None:
        """A registry row is attached by its USCC or, for older enterprises, its 注册号; either column may hold
        either (a 15-digit number in the 统一社会信用代码 column is a registration number)."""
        found: dict[str, str] = {}
        problems: list[tuple[str, str]] = []
        for name in ("code", "reg_no"):
            text = raw.get(name)
            if text is None:
                continue
            try:
                code, code_kind, warning = self.parse_code(text)
            except FieldProblem as exc:
                problems.append((self.header(name), exc.reason))
                continue
            found.setdefault(code_kind, code)
            warnings.extend(w for w in [warning] if w)
        if not found:
            if problems:
                raise RowProblem(*problems[0])
            header = self.header("code" if "code" in self.columns else "reg_no")
            raise RowProblem(header, f"缺少必填项：{header}（统一社会信用代码或注册号）(required field is empty)")
        for header, reason in problems:
            warnings.append(f"{header}：{reason}；已按另一列的代码归集 (attached by the other code column)")
        values["code_kind"] = "uscc" if "uscc" in found else "reg_no"
        values["code"] = found[values["code_kind"]]
        values["reg_no"] = found.get("reg_no")


class RowProblem(Exception):
    def __init__(self, header: str, reason: str):
        super().__init__(reason)
        self.header = header
        self.reason = reason
