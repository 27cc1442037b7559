"""Records sent through the API (the seed's 相关部门信息交换): the same loader, validation and rejects file as
`creditnet load`, plus the one rule the CLI does not need — a department sends only its own records."""
from __future__ import annotations

import csv
import re
import uuid
from pathlib import Path
from typing import Any

from graph.accounts import Account, Forbidden
from graph.amendments import Actor
from graph.departments import canonical_department
from graph.errors import FileRejected, InvalidRequest
from graph.ingest import LoadReport, load_file
from graph.model import KINDS, RECORD_KINDS
from graph.stores.base import GraphStore

# The column naming the department that issued or sent each kind of record. Change kinds without one
# (行政许可变更) may be sent by any department.
DEPARTMENT_FIELD = {"license": "authority", "penalty": "authority", "penalty-change": "authority",
                    "inspection": "authority", "blacklist": "sender"}
# Registry data (企业登记, 企业人员) is kept by market supervision: only the admin account sends it.
REGISTRY_KINDS = ("enterprise", "member")
UPLOAD_KINDS = RECORD_KINDS + REGISTRY_KINDS
JSON_FIRST_ROW = 2  # a JSON row i becomes CSV row i + 2 (the header is row 1), as a clerk counts in Excel


def check_kind_allowed(kind: str, account: Account) -> None:
    if kind in REGISTRY_KINDS and not account.is_admin:
        raise Forbidden(f"{KINDS[kind].label}数据由县市场监督管理局管理员账户报送 (registry data: admin only)",
                        {"kind": kind})


def upload_path(directory: Path, account: Account, filename: str) -> Path:
    """Where to keep an upload while it loads. The name says who sent it: it shows in the load history and
    in the rejects file's name."""
    stem = re.sub(r"[^\w.\-]+", "_", Path(filename or "upload").stem)[:60] or "upload"
    suffix = re.sub(r"[^\w.]+", "", Path(filename or "").suffix)[:10] or ".csv"
    return directory / f"{account.department}-{account.key_id}-{uuid.uuid4().hex[:6]}-{stem}{suffix}"


def write_json_rows(rows: Any, target: Path) -> int:
    """Write a JSON array of row objects (keyed by the seed's headers) as a UTF-8 CSV; return the row count."""
    def bad(field: str, message: str) -> InvalidRequest:
        return InvalidRequest(f"请求内容有误 (invalid request): {field or 'body'}: {message}",
                              {"fields": [{"field": field, "in": "body", "message": message}]})

    if not isinstance(rows, list):
        raise bad("", "应为行对象的数组 (expected a JSON array of row objects)")
    if not rows:
        raise bad("", "数组为空 (the array is empty)")
    headers: list[str] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise bad(f"[{i}]", "应为对象，键为表头 (expected an object keyed by column headers)")
        for k, v in row.items():
            if isinstance(v, (dict, list)):
                raise bad(f"[{i}].{k}", "单元格应为文本或数字 (a cell is text or a number)")
            if k not in headers:
                headers.append(k)
    with target.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        for row in rows:
            out.writerow(["" if row.get(h) is None else str(row.get(h)) for h in headers])
    return len(rows)


def refused_as_sent(exc: FileRejected, path: Path, filename: str) -> FileRejected:
    """The refusal naming the file as its sender named it, not the server's temporary copy (whose path says
    nothing to the clerk and tells a caller how the server lays out its disk)."""
    message = exc.message.replace(str(path), filename).replace(path.name, filename)
    return FileRejected(message, {**exc.details, "file": filename})


def foreign_rows(path: Path, kind: str, department: str, filename: str, limit: int = 20) -> list[dict[str, Any]]:
    """Rows (that would load) naming a department other than `department` as issuer or sender."""
    from graph.loaders import LoadError, ParsedRow, open_table

    field = DEPARTMENT_FIELD.get(kind)
    if field is None:
        return []
    out: list[dict[str, Any]] = []
    try:
        for item in open_table(path, kind).rows():
            if not isinstance(item, ParsedRow):
                continue  # rejected anyway
            others = [n for n in item.values.get(field) or [] if canonical_department(n) != department]
            if others:
                out.append({"row": item.row_number, "departments": others})
                if len(out) >= limit:
                    break
    except LoadError as exc:
        raise FileRejected(f"{filename}: {exc.reason}", {"file": filename}) from exc
    return out


def read_rejects(rejects_file: str, from_json: bool) -> list[dict[str, Any]]:
    """The rejected rows' number, field and reason, read back from the rejects file load_file wrote."""
    out = []
    with open(rejects_file, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for cells in reader:
            row = int(cells[0])
            out.append({"row": row, "index": row - JSON_FIRST_ROW if from_json else None,
                        "field": cells[1], "reason": cells[2]})
    return out


def load_upload(store: GraphStore, path: Path, kind: str, account: Account, home: Path, *, filename: str,
                from_json: bool, lock, after_change=None, snapshot=None, as_of=None) -> dict[str, Any]:
    """Refuse other departments' rows, then load atomically (one file at a time) and report every reject."""
    if not account.is_admin:
        foreign = foreign_rows(path, kind, account.department, filename)
        if foreign:
            raise Forbidden(f"文件中有其他部门的记录（第 {foreign[0]['row']} 行：{'、'.join(foreign[0]['departments'])}）；"
                            f"{account.department} 只能报送本部门的记录 (a department may send only its own records)",
                            {"department": account.department, "rows": foreign})
    with lock:
        try:
            report: LoadReport = load_file(store, path, kind=kind, home=home, snapshot=snapshot, as_of=as_of,
                                           actor=Actor(account.key_id, account.department, account.is_admin),
                                           source=filename)
        except FileRejected as exc:
            raise refused_as_sent(exc, path, filename) from exc
        if report.changed and after_change is not None:
            after_change()
    summary = report.summary()
    for w in summary["warnings"]["rows"]:
        w["index"] = w["row"] - JSON_FIRST_ROW if from_json and w["row"] >= JSON_FIRST_ROW else None
    return {"file": filename, "kind": report.kind, "rows": report.rows, "loaded": report.loaded,
            "rejected": report.rejected,
            "rejects": read_rejects(report.rejects_file, from_json) if report.rejects_file else [],
            "rejects_file": report.rejects_file, "warnings": summary["warnings"], "columns": summary["columns"],
            "data_version": report.data_version, "snapshot": report.snapshot, "resent": report.resent}
