"""A department withdraws (撤回) or corrects (更正) records it sent.

Only the record's sender (the department that sent a listing, or issued a licence, penalty or inspection) may, or
the bureau (admin). Nothing is deleted: the record stays, with an event saying who withdrew or corrected it, when
and why (graph/record_state.py); it stops counting from that day, and an answer as of an earlier day still says what
the data said then. A correction is a row of the record's kind that names, in the column 原记录编号, the ID of the
record it replaces (docs/formats.md, "Withdrawing and correcting records"): the row is loaded as any row is, and the
record it names is ended as corrected by it — or, where the row has the record's own natural key (the same licence
number, the same listing), the record is corrected in place and its fields as they were are kept in the event.

Each withdrawal or correction is one transaction (all its records, or none), moves the data version, and is
written to the audit trail (`audit`, called just before the commit).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from graph.accounts import Forbidden
from graph.departments import canonical_department
from graph.errors import FileRejected, InvalidRequest, NotFound
from graph.model import KINDS, RECORD_KINDS
from graph.record_state import (AMENDED, CORRECTED, ENTERED, EVENT_TEXT, WITHDRAWN, RecordInfo, ending,
                                parse_record_id)
from graph.row_writes import write_row
from graph.rows import departments, natural_key
from graph.stores.base import GraphStore, GraphWriter

# The column of a correction file naming the record each row replaces (its ID, as profiles and answers show it).
REPLACES_HEADERS = ("原记录编号", "被更正记录编号", "更正对象", "原记录", "record_id", "replaces")
Audit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Actor:
    """Who withdraws, corrects or registers: an API account (its key id), or `cli` with the department named by
    --department. `department` None: the bureau's operator, who acts for every department."""
    account: str
    department: str | None
    is_admin: bool

    @classmethod
    def cli(cls, department: str | None) -> "Actor":
        return cls("cli", canonical_department(department) if department else None, department is None)

    def may_amend(self, record: RecordInfo) -> bool:
        return self.is_admin or (self.department is not None and self.department in record.senders)

    def refuse(self, record: RecordInfo) -> Forbidden:
        senders = "、".join(record.senders) or "（未载）"
        return Forbidden(f"记录 {record.record_id} 由{senders}报送，{self.department}不能撤回或更正它；请联系报送部门，或由县市场"
                         f"监督管理局处理 (a department may withdraw or correct only the records it sent)",
                         {"record_id": record.record_id, "senders": record.senders, "department": self.department})


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def event(kind: str, actor: Actor, reason: str | None, *, effective: str | None = None, source: str | None = None,
          other: str | None = None, before: dict | None = None, at: str | None = None) -> dict[str, Any]:
    return {"event": kind, "effective": effective or date.today().isoformat(), "at": at or now(),
            "department": actor.department, "account": actor.account, "reason": reason, "source": source,
            "other": other, "before": None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True)}


def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidRequest("请说明原因 (--reason)：撤回和更正都须写明原因 (a reason is required)", {"field": "reason"})
    return reason.strip()


class Records:
    """Records found by one writer, by ID or by (kind, code, natural key), each enterprise's asked once."""

    def __init__(self, writer: GraphWriter):
        self.writer = writer
        self._under: dict[tuple[str, str | None], list[RecordInfo]] = {}

    def under(self, kind: str, code: str | None, fresh: bool = False) -> list[RecordInfo]:
        if fresh or (kind, code) not in self._under:
            self._under[(kind, code)] = self.writer.records_under(kind, code)
        return self._under[(kind, code)]

    def by_id(self, text: str, kind: str | None = None) -> RecordInfo:
        parsed = parse_record_id(text)
        if parsed is None or parsed[0] not in RECORD_KINDS or (kind is not None and parsed[0] != kind):
            expected = f"（{KINDS[kind].label}记录编号以 {kind}. 开头）" if kind else ""
            raise InvalidRequest(f"“{text}”不是记录编号{expected}；记录编号见企业画像和核查结果中的“记录编号” "
                                 f"(not a record ID of this kind)", {"record_id": text})
        record_kind, key, _ = parsed
        for info in self.under(record_kind, key):
            if info.record_id == text.strip():
                return info
        raise NotFound(f"没有编号为 {text} 的记录 (no such record)", {"record_id": text})

    def by_row(self, kind: str, values: dict[str, Any], fresh: bool = False) -> RecordInfo | None:
        natural = natural_key(kind, values)
        return next((i for i in self.under(kind, values.get("code"), fresh) if i.natural == natural), None)


def _still_counting(info: RecordInfo) -> None:
    end = ending(info.events)
    if end is not None and end["event"] in (WITHDRAWN, CORRECTED):
        raise InvalidRequest(f"记录 {info.record_id} 已于 {end['effective']} {EVENT_TEXT[end['event']]}，不能再次撤回或更正 "
                             f"(already {end['event']})", {"record_id": info.record_id, "ending": end})


def _rows(path: Path, kind: str | None, filename: str):
    """A file's valid rows, or InvalidRequest naming every row that is not (nothing is changed by half a file)."""
    from graph.loaders import LoadError, ParsedRow, open_table
    try:
        table = open_table(path, kind)
        if table.kind not in RECORD_KINDS:
            raise InvalidRequest(f"{filename}：{KINDS[table.kind].label}不是部门报送的记录，不能撤回或更正 "
                                 f"(only records can be withdrawn or corrected)", {"file": filename})
        rows, bad = [], []
        for item in table.rows():
            if isinstance(item, ParsedRow):
                rows.append(item)
            else:
                bad.append({"row": item.row_number, "field": item.field, "reason": item.reason})
    except LoadError as exc:
        raise FileRejected(f"{filename}：{exc.reason}", {"file": filename}) from exc
    if bad:
        raise InvalidRequest(f"{filename}：第 {bad[0]['row']} 行有误（{bad[0]['field']}：{bad[0]['reason']}），本文件未作任何更改；"
                             f"请改正后重新提交 (invalid rows: nothing was changed)", {"file": filename, "rows": bad[:100]})
    if not rows:
        raise InvalidRequest(f"{filename}：文件中没有记录 (no rows)", {"file": filename})
    return table, rows


def withdraw(store: GraphStore, actor: Actor, reason: str | None, *, record_ids: list[str] = (),  # type: ignore[assignment]
             path: Path | None = None, kind: str | None = None, filename: str | None = None,
             audit: Audit | None = None) -> dict[str, Any]:
    """Withdraw records named by their IDs, or by the rows of a file (their natural keys, as the rows were sent)."""
    reason = _require_reason(reason)
    if not record_ids and path is None:
        raise InvalidRequest("请给出要撤回的记录编号或文件 (give record IDs or a file)")
    filename = filename or (str(path) if path else None)
    rows = []
    if path is not None:
        table, rows = _rows(path, kind, filename or str(path))
        kind = table.kind
    withdrawn: list[dict[str, Any]] = []
    with store.writer(filename or "withdrawal") as writer:
        found = Records(writer)
        targets = [found.by_id(text, kind) for text in record_ids]
        for row in rows:
            info = found.by_row(kind, row.values)  # type: ignore[arg-type]
            if info is None:
                raise NotFound(f"第 {row.row_number} 行的记录不在库中（按{KINDS[kind].label}的识别字段查找），本文件未作任何更改 "  # type: ignore[index]
                               f"(row {row.row_number}: no such record; nothing was changed)", {"row": row.row_number})
            targets.append(info)
        at = now()
        for info in {t.record_id: t for t in targets}.values():
            if not actor.may_amend(info):
                raise actor.refuse(info)
            _still_counting(info)
            writer.add_event(info, event(WITHDRAWN, actor, reason, source=filename, at=at))
            withdrawn.append(info.summary())
        entry = {"action": "withdraw", "at": at, "account": actor.account, "department": actor.department,
                 "reason": reason, "source": filename, "records": [w["record_id"] for w in withdrawn]}
        if audit is not None:
            audit(entry)
    return {"withdrawn": withdrawn, "reason": reason, "at": at, "data_version": store.data_version()}


def replaces_column(headers: list[str]) -> str | None:
    """The header of a correction file's 原记录编号 column, or None."""
    from graph.loaders.headers import normalise_header
    wanted = {normalise_header(h) for h in REPLACES_HEADERS}
    return next((h for h in headers if normalise_header(h) in wanted), None)


def correct(store: GraphStore, path: Path, actor: Actor, reason: str | None, *, kind: str | None = None,
            filename: str | None = None, audit: Audit | None = None) -> dict[str, Any]:
    """Load a file of corrected rows, each naming in 原记录编号 the record it replaces; end each named record as
    corrected (or correct it in place, where the row has its natural key)."""
    reason = _require_reason(reason)
    filename = filename or str(path)
    table, rows = _rows(path, kind, filename)
    kind = table.kind
    column = replaces_column(table.headers)
    if column is None:
        raise FileRejected(f"{filename}：更正文件须有“原记录编号”列，填写每行所更正记录的编号（见企业画像或核查结果）"
                           f" (a correction file needs the column 原记录编号)", {"file": filename})
    pairs = []
    for row in rows:
        old = (row.original.get(column) or "").strip()
        if not old:
            raise InvalidRequest(f"{filename}：第 {row.row_number} 行没有填写原记录编号，本文件未作任何更改 "
                                 f"(row {row.row_number}: 原记录编号 is empty; nothing was changed)", {"row": row.row_number})
        if not actor.is_admin:
            others = sorted({c for rel, c, _ in departments(kind, row.values) if rel != "received_by"} - {actor.department})
            if others:
                raise Forbidden(f"{filename}：第 {row.row_number} 行由{'、'.join(others)}报送，{actor.department}只能更正本部门的记录 "
                                f"(a department may send only its own records)", {"row": row.row_number})
        pairs.append((row, old))
    corrected: list[dict[str, Any]] = []
    at = now()
    with store.writer(filename) as writer:
        found = Records(writer)
        olds = []
        for row, old_id in pairs:
            info = found.by_id(old_id, kind)
            if not actor.may_amend(info):
                raise actor.refuse(info)
            _still_counting(info)
            olds.append((info, found.by_row(kind, row.values) is not None))
        if len({o.record_id for o, _ in olds}) != len(olds):
            raise InvalidRequest(f"{filename}：同一原记录被多行更正，本文件未作任何更改 (one record named by several rows)")
        for row, _ in pairs:
            write_row(writer, kind, row.values)
        for (row, _), (old, existed) in zip(pairs, olds):
            new = found.by_row(kind, row.values, fresh=True)
            assert new is not None, "the row was just written"
            if new.record_id == old.record_id:
                writer.add_event(old, event(AMENDED, actor, reason, source=filename, before=old.fields, at=at))
            else:
                writer.add_event(old, event(CORRECTED, actor, reason, source=filename, other=new.record_id, at=at))
                if not existed:  # a record the correction made counts from the correction's day on
                    writer.add_event(new, event(ENTERED, actor, reason, source=filename, other=old.record_id, at=at))
            corrected.append({**old.summary(), "ending": None, "replaced_by": new.record_id, "row": row.row_number,
                              "in_place": new.record_id == old.record_id})
        if audit is not None:
            audit({"action": "correct", "at": at, "account": actor.account, "department": actor.department,
                   "reason": reason, "source": filename,
                   "records": [f"{c['record_id']} → {c['replaced_by']}" for c in corrected]})
    return {"corrected": corrected, "reason": reason, "at": at, "data_version": store.data_version()}

