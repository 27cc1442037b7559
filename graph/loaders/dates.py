"""Dates as county offices and courts write them, read into a day (YYYY-MM-DD), no day (an open end), or a reason.

One rule above the others: a date that might restrict someone is never shortened by the reading. An end of a period
written with a month or a year only (限制期限至 2024年3月) is read as the last day of that month or year, a start
(限制期限自, 任职日期 …) as the first day, each with a note the load shows as a warning. Forms whose reading would be
a guess (3/1/2024, 24-3-1) are refused with a reason that says how to write the date. docs/formats.md, "Dates",
lists every form.

Excel serial numbers: a date cell that lost its format shows as a whole number (45352), or with a fraction
(45352.0, 45352.5: a time of day). A number whose whole part lies in 1900–2100 is never read as a serial (it would be
a day in 1905): it is a year (2024, 2024.0), a year and month (2024.3, 2024.03, 2024.12) or refused (2024.50).
A six-digit YYYYMM (202403, year 1900–2100, month 1–12) is a year and month, not a serial (a day in 2454).
"""
from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date, timedelta

from graph.loaders.problems import FieldProblem
from graph.vocabulary import fold

HOW = "请写成 YYYY-MM-DD，如 2024-03-01"
HOW_EN = "write it as YYYY-MM-DD, e.g. 2024-03-01"
COMPLETE = "请补全日期，写成 YYYY-MM-DD"

# The ends of periods; every other date field (限制期限自, 有效期自, 任职日期, 处罚决定日期 …) is read as a start.
END_FIELDS = frozenset({"valid_to", "until"})
# How clerks write "no end" at the end of a period (an empty cell is None already: fields.NULLS). Also read after a
# leading 至 or a trailing 止 / 为止 is removed (至履行完毕之日止).
OPEN_ENDS = frozenset({
    "长期", "永久", "长期有效", "永久有效", "无期限", "无限期", "不限", "无固定期限", "终身", "至今", "无", "暂无", "待定",
    "履行完毕", "履行完毕之日", "在任", "现任", "任职中",
})
# Words at an end that are no date but say the period has not ended, or that the end is not known: never an end.
STILL_IN_FORCE = frozenset({
    "不详", "未知", "未解除", "尚未解除", "未移出", "暂不移出", "尚未移出", "未撤销", "见备注", "详见备注", "未履行",
    "未履行完毕", "待履行", "至履行完毕", "至履行完毕时", "未满", "未定",
})
_DASHES = re.compile(r"[-‐‑‒–—―─━_]+")  # any run of dashes: nothing written (NFKC has folded － and ﹣ to -)
_NOTE = re.compile(r"(.+?)\s*[(\[【]([^()\[\]【】]*)[)\]】]")  # a bracketed note after the date (NFKC folds （）)
_WEEKDAY = re.compile(r"(.+?)\s*(?:星期|礼拜|周)([一二三四五六日天])")
_WEEKDAYS = "一二三四五六日"
_END_AFFIXES = re.compile(r"(?:至|到)?\s*(.+?)\s*(?:为止|止)?")
_START_AFFIXES = re.compile(r"(?:自|从)?\s*(.+?)\s*(?:起|开始)?")

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile("[〇○零一二三四五六七八九十]+")

_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                  r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})\s*(?:[-/]\s*(\d{1,2})|年\s*(\d{1,2})\s*月份?)")
_NUMBER_MONTH = re.compile(r"(\d{4})\.(\d{1,2})|(\d{4})(\d{2})")  # 2024.3, 2024.03; 202403
_YEAR = re.compile(r"(\d{4})(?:\s*年度?|\.0+)?")
_SERIAL = re.compile(r"(\d{1,7})(?:\.\d+)?")
_TWO_DIGIT_YEAR = re.compile(r"(\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DAY_MONTH_ORDER = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})")
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_NOT_SERIAL = range(1900, 2101)  # a year, never a serial (serials 1900–2100 are days in 1905)


def read_date(text: str, end: bool) -> tuple[str | None, str | None]:
    """(day or None, note or None) for a date cell; `end` for the end of a period (限制期限至, 有效期至, 离任日期),
    where an open end (长期, 无固定期限, 在任, ——— …) is None and a month or a year is read as its last day. The note
    is for the load's warnings (the caller names the field); a FieldProblem says what was read and how to write it."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if _DASHES.fullmatch(folded):
        return None, None
    if end:
        bracketed = _NOTE.fullmatch(folded)
        head = bracketed.group(1) if bracketed else folded
        if _open_end(head):  # 长期（至履行完毕）, 现任（待换届）: the word decides, the note is kept for the clerk
            return None, (f"“{text}”按无截止日期导入，括号中的“{bracketed.group(2).strip()}”未读取 (no end date; the note "
                          f"in brackets is not read)" if bracketed else None)
        if fold(head) in STILL_IN_FORCE:
            # Not a date, but not an end either: read as none (the listing or the term goes on), and say so.
            return None, (f"“{text}”不是日期，按无截止日期（仍在期限内）导入，请向报送部门核实 (not a date: read as no end, "
                          f"still in force; please check with the sender)")
    notes: list[str] = []
    body = folded
    note = _NOTE.fullmatch(body)
    if note:
        body, remark = note.group(1), note.group(2).strip()
        if not _WEEKDAY.fullmatch("x" + remark):
            notes.append(f"“{text}”注明暂定，日期确定后请更正 (a provisional date)" if "暂定" in remark else
                         f"“{text}”括号中的“{remark}”未读取，请核对 (the note in brackets is not read)")
        else:
            body += remark
    weekday = _WEEKDAY.fullmatch(body)
    if weekday:
        body = weekday.group(1)
    affixes = (_END_AFFIXES if end else _START_AFFIXES).fullmatch(body)
    if affixes:
        body = affixes.group(1)
    body = _CN_NUMBER.sub(_arabic, body.replace("元月", "1月")).replace("号", "日")
    day, precision = _day(text, body, end)
    if precision:
        notes.insert(0, precision)
    if weekday and date.fromisoformat(day).weekday() != _WEEKDAYS.index(weekday.group(2).replace("天", "日")):
        notes.append(f"“{text}”中的星期与日期 {day} 不符，已按日期导入，请核对 (the weekday does not match the date)")
    return day, "；".join(notes) or None


def parse_date(text: str) -> str:
    """The day a start-like date cell names (read_date with end=False), or FieldProblem."""
    day, _ = read_date(text, end=False)
    if day is None:
        raise FieldProblem(f"“{text}”不是日期；{HOW} (not a date; {HOW_EN})")
    return day


def _open_end(folded: str) -> bool:
    word = fold(folded)
    if word in OPEN_ENDS:
        return True
    stripped = _END_AFFIXES.fullmatch(word)
    return stripped is not None and stripped.group(1) in OPEN_ENDS


def _arabic(match: re.Match) -> str:
    """二〇二四 → 2024 (digit by digit), 十二 → 12, 三十一 → 31; anything else is left as written (and refused)."""
    numeral = match.group()
    if "十" not in numeral:
        return "".join(str(_CN_DIGITS[c]) for c in numeral)
    tens, _, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return numeral
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0))


def _day(text: str, body: str, end: bool) -> tuple[str, str | None]:
    """(day, note on its precision) for the date part of a cell."""
    match = _YMD.fullmatch(body) or _COMPACT.fullmatch(body)
    if match:
        return _real(text, *(int(g) for g in match.groups())), None
    match = _MONTH.fullmatch(body)
    if match:
        year, month = int(match.group(1)), int(match.group(2) or match.group(3))
        return _month(text, year, month, end)
    match = _NUMBER_MONTH.fullmatch(body)
    if match:
        year, digits = int(match.group(1) or match.group(3)), match.group(2) or match.group(4)
        if year in _NOT_SERIAL and 1 <= int(digits) <= 12:
            if digits == "1":
                # Excel stores 2024.10 typed into a number cell as 2024.1: January or October. An end is read as
                # October's last day, a start as January's first: the reading that covers both.
                day, _ = _month(text, year, 10 if end else 1, end)
                which = "较晚的10月最后一天" if end else "较早的1月第一天"
                return day, (f"“{text}”可能是{year}年1月，也可能是{year}年10月（Excel 把 {year}.10 存为 {year}.1），按{which} "
                             f"{day} 导入{'，期限不因此缩短' if end else ''}；{COMPLETE} (January or October: read as "
                             f"{'the later month' if end else 'the earlier month'}'s {'last' if end else 'first'} day, "
                             f"{day})")
            return _month(text, year, int(digits), end)
    match = _YEAR.fullmatch(body)
    if match and int(match.group(1)) in _NOT_SERIAL:
        year = int(match.group(1))
        day = (date(year, 12, 31) if end else date(year, 1, 1)).isoformat()
        return day, (f"“{text}”只有年份，按该年{'最后' if end else '第'}一天 {day} 导入"
                                 f"{'，期限不因此缩短' if end else ''}；{COMPLETE} (a year only: read as its "
                                 f"{'last' if end else 'first'} day, {day})")
    match = _SERIAL.fullmatch(body)
    if match:
        if int(match.group(1)) in _NOT_SERIAL:
            raise FieldProblem(f"“{text}”既不是年月（如 2024.3）也不是 Excel 日期序号；{HOW} (neither a year and month "
                               f"nor an Excel serial number; {HOW_EN})")
        serial = float(body)
        if 1 <= serial <= EXCEL_MAX_SERIAL:
            # Excel counts from 1899-12-30 because it believes 1900 was a leap year (serial 60 = 1900-02-29).
            base = date(1899, 12, 30) if serial >= 61 else date(1899, 12, 31)
            return (base + timedelta(days=int(serial))).isoformat(), None
    match = _TWO_DIGIT_YEAR.fullmatch(body)
    if match:
        raise FieldProblem(f"“{text}”的年份只有两位（{match.group(1)}），无法确定是哪个世纪；年份须写四位，{HOW} "
                           f"(a two-digit year; {HOW_EN})")
    match = _DAY_MONTH_ORDER.fullmatch(body)
    if match:
        first, second, y = match.groups()
        raise FieldProblem(f"“{text}”无法确定月和日的顺序（{y}年{first}月{second}日还是{y}年{second}月{first}日）；"
                           f"请按年-月-日写成 YYYY-MM-DD，如 {y}-{int(first):02d}-{int(second):02d} "
                           f"(the order of month and day is unknown; {HOW_EN})")
    raise FieldProblem(f"无法识别的日期：“{text}”；{HOW} (unrecognised date; {HOW_EN})")


def _real(text: str, year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        why = f"没有{month}月" if not 1 <= month <= 12 else f"{year}年{month}月没有{day}日" if year else "没有0年"
        raise FieldProblem(f"日期不存在：“{text}”（{why}）；{HOW} "
                           f"(impossible date; {HOW_EN})") from None


def _month(text: str, year: int, month: int, end: bool) -> tuple[str, str]:
    if not 1 <= month <= 12:
        raise FieldProblem(f"日期不存在：“{text}”（没有{month}月）；{HOW} (impossible date; {HOW_EN})")
    day = date(year, month, monthrange(year, month)[1] if end else 1).isoformat()
    return day, (f"“{text}”只有年月，按该月{'最后' if end else '第'}一天 {day} 导入{'，期限不因此缩短' if end else ''}；"
                 f"{COMPLETE} (a month only: read as its {'last' if end else 'first'} day, {day})")
