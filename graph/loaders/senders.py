"""A department sends only its own records (相关部门信息交换): a row whose issuing or sending department is another one
is rejected, row by row like any other bad row, with the reason in its rejects file, and the file's other rows load.

A record counts against an enterprise because the department that made the decision says so. A clerk who pastes
another department's rows into the monthly file would otherwise make their department the sender of a decision it
never took, and withdrawing it later would be that department's call, not the one that decided.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from graph.departments import canonical_department
from graph.loaders.fields import ParsedRow, Reject

# The column naming the department that issued or sent each kind of record. Change kinds without one (行政许可变更)
# may be sent by any department; registry kinds are the admin's (api/uploads.py).
DEPARTMENT_FIELD = {"license": "authority", "penalty": "authority", "penalty-change": "authority",
                    "inspection": "authority", "blacklist": "sender"}


class OwnRecords:
    """Turns the rows of a file sent on behalf of `department` that name another department into Rejects."""

    def __init__(self, department: str, header: str, headers: list[str]):
        self.department, self.header, self.headers = department, header, headers

    @classmethod
    def for_file(cls, kind: str, department: str | None, headers: list[str],
                 column_map: dict[str, str]) -> OwnRecords | None:
        """None when there is nothing to sort: no department (the bureau's operator, the admin), a kind any
        department may send, or a file without the department column (its rows name no department at all)."""
        field = DEPARTMENT_FIELD.get(kind)
        if not department or field is None:
            return None
        header = next((h for h, f in column_map.items() if f == field), None)
        return None if header is None else cls(canonical_department(department), header, headers)

    def others(self, values: dict[str, Any], field: str) -> list[str]:
        return [n for n in values.get(field) or () if canonical_department(n) != self.department]

    def reject(self, number: int, original: dict[str, str], others: list[str]) -> Reject:
        names = "、".join(others)
        return Reject(number, self.header,
                      f"本行的{self.header}是“{names}”，不是{self.department}：每个部门只能报送本部门的记录，"
                      f"请删去此行，由{names}自行报送 (another department's record: a department sends only its own)",
                      original)

    def sort_tuples(self, kind: str, items: list, batch: list[tuple[int, list[str]]],
                    prepare: Callable[[dict], dict | tuple] | None) -> list:
        """A batch as `ColumnValidator.valid_tuples` gives it (values not prepared yet): another department's
        rows as Rejects, the rest prepared."""
        field = DEPARTMENT_FIELD[kind]
        cells: dict[int, list[str]] | None = None
        out = []
        for item in items:
            if type(item) is tuple:
                number, values, warnings = item
                others = self.others(values, field)
                if others:
                    cells = cells if cells is not None else dict(batch)
                    row = cells[number]
                    item = self.reject(number, {h: (row[i] if i < len(row) else "") for i, h in enumerate(self.headers)},
                                       others)
                elif prepare is not None:
                    item = (number, prepare(values), warnings)
            out.append(item)
        return out

    def sort_rows(self, kind: str, rows: Iterable[ParsedRow | Reject]) -> Iterable[ParsedRow | Reject]:
        field = DEPARTMENT_FIELD[kind]
        for row in rows:
            if isinstance(row, ParsedRow) and (others := self.others(row.values, field)):
                yield self.reject(row.row_number, row.original, others)
            else:
                yield row
