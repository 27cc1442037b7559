"""Validating a batch of rows column by column: the same answers as RowValidator, at a fraction of its cost.

Row by row, every cell paid for a dispatch on its field's type, a dict entry and a call or two (~1.5 µs a cell,
20–40 µs a row): half of a load's CPU. Here each column of a batch is handled in one pass: a text cell is
cleaned inline, and a typed cell (code, date, role, departments, ID number with its 证件类型) is looked up in
a per-file memo of answers, so a date or a code that recurs on a thousand rows is parsed once. The row's
values are then one `dict(zip(keys, values))`.

Only the plain case takes this path: a cell whose answer carries a warning or a problem (a bad code, a
formula, a foreign-currency amount, a missing required field) sends its whole row to RowValidator, so rejects,
their messages and warnings are exactly the row-by-row ones. The answer for a cell is computed by
RowValidator's own `_field` on that cell alone, so the two cannot drift apart; fields whose answer depends on
another column (an ID number on its 证件类型) are keyed on both cells. Blacklist files (whose 姓名 warning
depends on the ID number column, and which are small) always go row by row.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

from graph.identifiers import plain_id_number, plain_uscc
from graph.loaders.codes import id_type_class, is_formula, parse_code, parse_id_number
from graph.loaders.fields import ID_TYPE_FIELD, PERIODS, ParsedRow, Reject, RowProblem, RowValidator, clean
from graph.loaders.problems import FieldProblem

_SLOW = object()   # this cell's answer is not plain: validate its row with RowValidator
_MISS = object()
MEMO_LIMIT = 1 << 14  # answers kept per column; cleared when full (ID numbers are mostly unique)
NO_WARNINGS = ()   # a plain row's warnings, shared (what crosses the pipe: an empty list each cost a pickle memo)


def _plain_uscc(cell: str) -> str | None:
    """A code cell that parse_code would return unchanged as a USCC without a warning, else None (then
    parse_code decides). A digit, "E" and digits is what Excel made of a long number (parse_code refuses it
    as scientific notation), so an "E" in second place always takes parse_code's way."""
    return None if cell[1:2] == "E" else plain_uscc(cell)


def _clean_short(cell: str) -> Any:
    text = clean(cell)
    return _SLOW if text is not None and text[0] == "=" else text


def _clean_text(cells: Sequence[str]) -> list:
    """`clean` over a column, with its common case (a cell of five characters or more, not a formula) inline;
    a formula is _SLOW (RowValidator warns about it)."""
    return [s if len(s := c.strip()) >= 5 and s[0] != "=" else _clean_short(c) for c in cells]


class _Column:
    """One field of the kind: where its cell (and the cell it depends on) sits, and the keys it sets."""

    def __init__(self, keys: tuple[str, ...], index: int | None, depends: int | None,
                 answer: Callable[..., Any] | None, plain: bool, required: bool, as_list: bool):
        self.keys, self.index, self.depends = keys, index, depends
        self.answer, self.plain, self.required, self.as_list = answer, plain, required, as_list
        self.memo: dict | None = {}


class ColumnValidator:
    """Validates batches of (row number, cells) of one file; falls back to RowValidator row by row."""

    def __init__(self, validator: RowValidator):
        self.v = validator
        self.width = len(validator.headers)
        self.with_member_kind = validator.with_member_kind
        self.enabled = validator.kind.name != "blacklist"
        columns: list[_Column] = []
        if validator.kind.name == "enterprise":
            code_at, reg_at = self._index("code"), self._index("reg_no")
            registry_codes = _Column(("code_kind", "code", "reg_no"), code_at, reg_at, self._enterprise_answer,
                                     False, False, False)
            registry_codes.memo = None  # one pair a row: never seen twice
            columns.append(registry_codes)
        for f, header, plain_text in validator.plan:
            index = self._index(f.name)
            if f.type == "text":
                columns.append(_Column((f.name,), index, None, None, plain_text, f.required, False))
                continue
            if f.type == "code":
                keys: tuple[str, ...] = ("code_kind", f.name)
            elif f.type == "amount":
                keys = (f.name + "_text", f.name)
            elif f.type == "id_number" and f.name == "id_number" and self.with_member_kind:
                keys = ("member_kind", f.name)
            else:
                keys = (f.name,)
            depends = self._index(ID_TYPE_FIELD.get(f.name, "id_type")) if f.type == "id_number" else None
            answer = self._code_answer if f.type == "code" else \
                self._id_number_answer(f.required, len(keys) == 2) if f.type == "id_number" else \
                self._field_answer(f, header, keys)
            columns.append(_Column(keys, index, depends, answer, False, False, f.type == "departments"))
        self.columns = columns
        # The dict a plain row becomes: member_kind first (RowValidator sets it before any field), then the
        # fields' keys in the order RowValidator writes them.
        self.keys: list[str] = ["member_kind"] if self.with_member_kind else []
        self.slots: list[list[int]] = []
        for column in columns:
            slots = []
            for key in column.keys:
                if key == "member_kind":
                    slots.append(0)
                else:
                    slots.append(len(self.keys))
                    self.keys.append(key)
            self.slots.append(slots)

    def _index(self, name: str) -> int | None:
        found = self.v.columns.get(name)
        return found[0] if found else None

    def _field_answer(self, f, header: str, keys: tuple[str, ...]) -> Callable[[str], Any]:
        """Any other typed field (ID numbers and codes have their own, below): RowValidator's answer for it."""
        validator, name = self.v, f.name

        def answer(cell: str) -> Any:
            raw = {name: clean(cell)}
            values: dict[str, Any] = {"member_kind": None} if self.with_member_kind else {}
            warnings: list[str] = []
            try:
                validator.read_field(f, header, raw, values, warnings)
            except RowProblem:
                return _SLOW
            if warnings:
                return _SLOW
            value = tuple(values[k] for k in keys)
            # A memo's answer is shared by many rows: departments are kept as a tuple and copied per row.
            return (tuple(value[0]),) if f.type == "departments" and value[0] is not None else value
        return answer

    # Codes and ID numbers are mostly unique, so their answers are computed more often than looked up: these
    # two call the parsers directly, as RowValidator._field does for these types (the test of this module
    # compares both paths on the county's files and on the hostile corpus).
    def _code_answer(self, cell: str) -> Any:
        code = _plain_uscc(cell)
        if code is not None:
            return "uscc", code
        text = clean(cell)
        if text is None:
            return _SLOW  # a required field is empty
        try:
            code, code_kind, warning = parse_code(text)
        except FieldProblem:
            return _SLOW
        return _SLOW if warning else (code_kind, code)

    @staticmethod
    def _id_number_answer(required: bool, with_member_kind: bool) -> Callable[[str, str], Any]:
        def answer(cell: str, id_type_cell: str = "") -> Any:
            number = plain_id_number(cell)
            if number is not None:
                id_type = clean(id_type_cell)  # as parse_id_number reads it: a formula is no type at all
                if id_type_class(None if id_type is not None and is_formula(id_type) else id_type) == "resident":
                    return ("person", number) if with_member_kind else (number,)
            text = clean(cell)
            if text is None:
                return _SLOW if required else ((None, None) if with_member_kind else (None,))
            try:
                number, member_kind, warning = parse_id_number(text, clean(id_type_cell))
            except FieldProblem:
                return _SLOW
            if warning:
                return _SLOW
            return (member_kind, number) if with_member_kind else (number,)
        return answer

    @staticmethod
    def _enterprise_answer(code: str, reg_no: str = "") -> Any:
        """The registry's two code columns, as RowValidator._enterprise_code reads them when neither has a
        problem or a warning (each empty, or a code that parses plainly; one at least): anything else goes row
        by row, which says what is wrong. The parser is called directly, as for codes above: the pair is
        unique to its row, so a memo (RowValidator's, and this column's) only cost a miss and an insert."""
        if not reg_no and (plain := _plain_uscc(code)) is not None:  # the registry's common row
            return "uscc", plain, None
        found: dict[str, str] = {}
        for cell in (code, reg_no):
            text = clean(cell)
            if text is None:
                continue
            try:
                value, code_kind, warning = parse_code(text)
            except FieldProblem:
                return _SLOW
            if warning:
                return _SLOW
            found.setdefault(code_kind, value)
        if not found:
            return _SLOW  # a required field is empty
        code_kind = "uscc" if "uscc" in found else "reg_no"
        return code_kind, found[code_kind], found.get("reg_no")

    def _answers(self, column: _Column, cells: Sequence[str], others: Sequence[str] | None) -> list:
        memo, answer_of = column.memo, column.answer
        assert answer_of is not None  # a text column is cleaned in _plain_values, without an answer
        if memo is None:
            assert others is not None  # the registry's code pair, the one column without a memo, has both cells
            return list(map(answer_of, cells, others))
        keys = cells if others is None else list(zip(cells, others))
        get = memo.get
        answers = [get(k, _MISS) for k in keys]
        if _MISS in answers:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            for i, answer in enumerate(answers):
                if answer is _MISS:
                    k = keys[i]
                    answer = answer_of(*k) if others is not None else answer_of(k)
                    memo[k] = answers[i] = answer
        return answers

    def validate(self, batch: list[tuple[int, list[str]]],
                 by_row: Callable[[int, list[str]], ParsedRow | Reject | None]) -> Iterator[ParsedRow | Reject]:
        """The batch's rows in order; `by_row` validates one row the slow way (or returns None to skip it)."""
        rows, slow = self._plain_values(batch)
        headers, keys = self.v.headers, self.keys
        for i, ((number, cells), values) in enumerate(zip(batch, rows)):
            if i in slow:
                item = by_row(number, cells)
                if item is not None:
                    yield item
            else:
                yield ParsedRow(number, dict(zip(keys, values)), dict(zip(headers, cells)), [])

    def valid_tuples(self, batch: list[tuple[int, list[str]]],
                     by_row: Callable[[int, list[str]], ParsedRow | Reject | None],
                     prepare: Callable[[dict], dict | tuple] | None) -> list:
        """The batch's rows as a load hands them to its writer: a valid row as (row number, values — or
        `prepare(values)` —, warnings), a Reject whole; the same rows, values and warnings as `validate`.
        A plain row is built straight into its tuple, without the ParsedRow and the copy of its cells
        (`original`) that only a reject needs: ~1.5 µs a row of the reading process, which bounds the load."""
        rows, slow = self._plain_values(batch)
        keys = self.keys
        if not slow:
            if prepare is None:
                return [(number, dict(zip(keys, values)), NO_WARNINGS) for (number, _), values in zip(batch, rows)]
            return [(number, prepare(dict(zip(keys, values))), NO_WARNINGS) for (number, _), values in zip(batch, rows)]
        out = []
        item: ParsedRow | Reject | tuple | None
        for i, ((number, cells), values) in enumerate(zip(batch, rows)):
            if i in slow:
                item = by_row(number, cells)
                if item is None:
                    continue
                if type(item) is ParsedRow:
                    item = (number, item.values if prepare is None else prepare(item.values), item.warnings)
            else:
                values = dict(zip(keys, values))
                item = (number, values if prepare is None else prepare(values), NO_WARNINGS)
            out.append(item)
        return out

    def _plain_values(self, batch: list[tuple[int, list[str]]]) -> tuple[Iterable, set[int] | range]:
        """Each row's values in the order of `self.keys` (None where the row is not plain), and the positions
        of the rows that are not plain: those go to RowValidator."""
        width = self.width
        n = len(batch)
        if not self.enabled or not batch:
            return [None] * n, range(n)
        blank = [""] * n
        # A row with more or fewer cells than headers is validated row by row (it is padded or rejected there).
        slow = {i for i, (_, cells) in enumerate(batch) if len(cells) != width}
        grid = list(zip(*(cells if len(cells) == width else [""] * width for _, cells in batch)))
        out: list[Any] = [None] * len(self.keys)  # every slot is filled by its column below
        for column, slots in zip(self.columns, self.slots):
            cells = grid[column.index] if column.index is not None else blank
            if column.answer is None:  # text: cleaned inline; a formula, or an empty required cell, goes slow
                texts = _clean_text(cells)
                if _SLOW in texts or (column.required and None in texts):
                    slow.update(i for i, t in enumerate(texts) if t is _SLOW or (t is None and column.required))
                    texts = [None if t is _SLOW else t for t in texts]
                out[slots[0]] = texts
                continue
            others: Sequence[str] | None = None
            if column.depends is not None:
                others = grid[column.depends]
            elif column.keys[0] == "code_kind" and len(column.keys) == 3:  # the registry's two code columns
                others = blank
            answers = self._answers(column, cells, others)
            if _SLOW in answers:
                slow.update(i for i, a in enumerate(answers) if a is _SLOW)
                answers = [a if a is not _SLOW else (None,) * len(slots) for a in answers]
            if len(slots) == 1:
                values: Sequence[Any] = [a[0] for a in answers]
                out[slots[0]] = [None if x is None else list(x) for x in values] if column.as_list else values
                continue
            for slot, values in zip(slots, zip(*answers)):
                out[slot] = values
        for start, end in PERIODS:  # a period that ends before it starts: its row is rejected by RowValidator
            if start in self.keys and end in self.keys:
                firsts, lasts = out[self.keys.index(start)], out[self.keys.index(end)]
                slow.update(i for i, (a, b) in enumerate(zip(firsts, lasts)) if a and b and b < a)
        return zip(*out), slow
