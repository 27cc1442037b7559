"""Cells that a spreadsheet would run as formulas, made inert for the files creditnet writes back to clerks.

A rejects file reproduces the cells a department sent. Excel treats a cell beginning with =, +, -, @ (or a
tab or carriage return before one) as a formula, so `=HYPERLINK("http://…")` or `=cmd|' /C calc'!A0` in a
department's file would run on the desk of whoever opens its rejects (OWASP, "CSV Injection"). Such a cell
is written with a single quote in front. So that the text as sent stays recoverable without guessing, a cell
that itself begins with a quote gets one too: removing one leading quote from every cell that has one gives
back exactly what was sent (`as_sent`).
"""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

NOTE = ("注：以 ' 开头的单元格前已加一个 '，以免 Excel 当作公式执行；去掉开头的一个 ' 即为原文 "
        "(a ' was put before cells that Excel would run as formulas, and before cells starting with '; "
        "remove one leading ' to get the text as sent)")


def inert(text: str) -> str:
    """The cell as written to a spreadsheet a person will open."""
    return QUOTE + text if text.startswith(FORMULA_START) or text.startswith(QUOTE) else text


def as_sent(cell: str) -> str:
    """The text as the department sent it, from a cell `inert` wrote."""
    return cell[1:] if cell.startswith(QUOTE) else cell
