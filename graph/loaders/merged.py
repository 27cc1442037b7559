"""Merged cells of an XLSX sheet: a court's or an office's sheet merges a column down the rows of one case
(信息发送部门名称, 信息类型, 限制法律依据 over every person of the case).

Excel keeps a merged range's value in its top-left cell only, and openpyxl's read-only reader gives the other cells
empty: each row below the first was rejected for a missing required field, and the persons on those rows came back
clear. The ranges are read from the sheet's `<mergeCells>` (read-only worksheets do not expose them) while the sheet
XML is scanned anyway (sources.XlsxSource._scan), and each empty cell of a range in the data rows is given the
range's top-left value. A range in the header row is another matter (a two-row header: 限制期限 over 自 / 至): the
file is refused, with what to write instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?\"")


def _column_index(letters: bytes) -> int:
    """0-based: A → 0."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass(frozen=True, order=True)
class Range:
    first_row: int   # 1-based, as Excel numbers rows
    first_col: int   # 0-based cell index
    last_row: int
    last_col: int

    @property
    def ref(self) -> str:
        return f"{_letters(self.first_col)}{self.first_row}:{_letters(self.last_col)}{self.last_row}"


def find_ranges(xml: bytes) -> set[Range]:
    """The merged ranges named in a piece of sheet XML (a chunk may repeat its neighbour's tail: a set)."""
    found = set()
    for a, r1, b, r2 in _MERGE_REF.findall(xml):
        first_col, last_col = _column_index(a), _column_index(b or a)
        first_row, last_row = int(r1), int(r2 or r1)
        if (first_row, first_col) != (last_row, last_col):
            found.add(Range(min(first_row, last_row), min(first_col, last_col), max(first_row, last_row),
                            max(first_col, last_col)))
    return found


class MergedCells:
    """A sheet's merged ranges, filled down and across as its rows stream past in order."""

    def __init__(self, ranges: set[Range]):
        self.ranges = sorted(ranges)
        self._next = 0
        self._active: list[Range] = []
        self._values: dict[Range, str] = {}

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def fill(self, number: int, cells: list[str]) -> list[str]:
        """Row `number`'s cells, each empty cell of a range that covers it given the range's top-left value. Called
        for every row in order, empty ones too (a range's top row sets its value)."""
        ranges = self.ranges
        while self._next < len(ranges) and ranges[self._next].first_row <= number:
            self._active.append(ranges[self._next])
            self._next += 1
        if not self._active:
            return cells
        self._active = [r for r in self._active if r.last_row >= number]
        for r in self._active:
            if r.first_row == number:
                self._values[r] = cells[r.first_col] if r.first_col < len(cells) else ""
            value = self._values.get(r, "")
            if not value.strip():
                continue
            if len(cells) <= r.last_col:
                cells = cells + [""] * (r.last_col + 1 - len(cells))
            for c in range(r.first_col, r.last_col + 1):
                if not cells[c].strip():
                    cells[c] = value
        for r in [r for r in self._active if r.last_row == number]:
            self._values.pop(r, None)
        return cells

    def header_ranges(self, header_row: int) -> list[Range]:
        """Ranges that make the header row more than one row, or one header cell wider than one column."""
        return [r for r in self.ranges if r.first_row <= header_row <= r.last_row
                and (r.last_col > r.first_col or r.last_row > header_row)]

    def data_fill(self, header_row: int, headers: list[str]) -> tuple[list[str], int]:
        """(the headers of the columns filled, how many rows were filled) in the rows below the header."""
        columns: set[int] = set()
        rows: set[int] = set()
        for r in self.ranges:
            if r.first_row > header_row and r.last_row > r.first_row:
                columns.update(range(r.first_col, r.last_col + 1))
                rows.update(range(r.first_row + 1, r.last_row + 1))
            elif r.first_row > header_row:  # merged across columns only
                columns.update(range(r.first_col + 1, r.last_col + 1))
                rows.add(r.first_row)
        names = [headers[c] if c < len(headers) else f"(第{c + 1}列)" for c in sorted(columns)]
        return names, len(rows)


def header_refusal(ranges: list[Range], header_cells: list[str]) -> str:
    """Why a sheet whose header row has merged cells is refused, and what to write instead."""
    shown = "、".join(f"{r.ref}“{header_cells[r.first_col].strip() if r.first_col < len(header_cells) else ''}”"
                     for r in ranges[:3])
    return (f"表头有合并单元格（{shown}）：多行表头或跨列的表头无法按列读取。请只保留一行表头，每列一个标准列名"
            f"（如“限制期限”拆为“限制期限自”“限制期限至”两列，见 docs/formats.md），取消合并后重新保存 "
            f"(merged header cells {', '.join(r.ref for r in ranges[:3])}: write one header row with the standard "
            f"headers, one per column, without merged cells)")


def fill_notice(columns: list[str], rows: int) -> str:
    return (f"合并单元格已按其左上角的值填入：{'、'.join(columns)}，共 {rows} 行；请核对这些行是否确属同一案件 "
            f"(merged cells filled with their top-left value: {len(columns)} columns, {rows} rows)")
