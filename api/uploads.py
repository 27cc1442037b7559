"""Records sent through the API (the seed's 相关部门信息交换): the same loader, validation and rejects file as
`creditnet load`, with the sending account as the load's actor — a department's rows naming another department are
rejected row by row (graph/loaders/senders.py) — and registry data for the admin only."""
from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.accounts import Account, Forbidden
from graph.amendments import Actor
from graph.errors import FileRejected, InvalidRequest, NotFound
from graph.ingest import LoadReport, load_file, rejected_row
from graph.model import KINDS, RECORD_KINDS
from graph.stores.base import GraphStore

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


def read_rejects(rejects_file: str, from_json: bool, columns: dict[str, str]) -> list[dict[str, Any]]:
    """Every rejected row (graph.ingest.rejected_row: number, 序号, name, field, reason), read back from the rejects
    file load_file wrote: its first three columns are 行号, 字段, 原因, then the row as sent."""
    out = []
    with open(rejects_file, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        headers = next(reader, [])[3:]
        for cells in reader:
            row = int(cells[0])
            entry = rejected_row(row, cells[1], cells[2], dict(zip(headers, cells[3:])), columns)
            entry["index"] = row - JSON_FIRST_ROW if from_json else None
            out.append(entry)
    return out


def load_upload(store: GraphStore, path: Path, kind: str, account: Account, home: Path, *, filename: str,
                from_json: bool, lock, after_change=None, snapshot=None, as_of=None) -> dict[str, Any]:
    """Load atomically (one file at a time) and report every reject; a department's rows naming another department
    are rejected like any other bad row (graph/loaders/senders.py)."""
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
            "rejects": read_rejects(report.rejects_file, from_json, report.columns) if report.rejects_file else [],
            "rejects_file": report.rejects_file,
            "rejects_url": f"/api/v1/records/rejects/{quote(Path(report.rejects_file).name)}" if report.rejects_file else None,
            "warnings": summary["warnings"], "columns": summary["columns"],
            "data_version": report.data_version, "snapshot": report.snapshot, "resent": report.resent}


# --- what the upload page offers for download ------------------------------------------------------------------
# A rejects file's name (graph/ingest.py: "<time>-<the upload's name>.rejects.csv") begins with the upload's name,
# which says who sent it (upload_path): "<department>-<key id>-<6 hex>-<the file's own name>".
_REJECTS_NAME = re.compile(r"\d{8}-\d{6}-(?P<department>[\w.\-]+?)-[0-9a-f]{12}-[0-9a-f]{6}-(?P<stem>[\w.\-]*?)"
                           r"(?:-\d+)?\.rejects\.csv")
_ANY_REJECTS_NAME = re.compile(r"[\w][\w.\-]*\.rejects\.csv")
TEMPLATE_MEDIA = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _safe(text: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", text)


def rejects_file(directory: Path, name: str, account: Account) -> tuple[Path, str]:
    """The rejects file `name` under `directory` and the name to save it as, for the department that sent its file
    or the admin (who may also fetch the rejects of files loaded at the server)."""
    not_found = NotFound(f"没有找到被拒绝行文件“{name}”，可能已被管理员清理；请重新上传原文件查看 (no such rejects file)",
                         {"name": name})
    if not _ANY_REJECTS_NAME.fullmatch(name) or "/" in name:
        raise not_found
    sent = _REJECTS_NAME.fullmatch(name)
    if not account.is_admin and (sent is None or sent["department"] != _safe(account.department)):
        raise Forbidden("只能下载本部门上传文件的被拒绝行 (a department may fetch only the rejects of its own uploads)",
                        {"name": name})
    path = directory / name
    if not path.is_file():
        raise not_found
    stem = (sent["stem"] if sent else name.removesuffix(".rejects.csv")) or "上传文件"
    return path, f"{stem}-未载入的行.csv"


def template(kind: str, fmt: str) -> tuple[bytes, str]:
    """An empty file of the kind with the seed's headers (graph/model.py), 序号 first as the seed's forms have it:
    CSV in UTF-8 with a BOM (Excel opens it as it is), or XLSX with the code, ID and date columns as text, so that
    Excel neither rounds an 18-digit code nor turns a date into a serial number."""
    label = KINDS[kind].label
    fields = KINDS[kind].fields
    headers = ["序号", *(f.header for f in fields)]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow(headers)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), f"{label}模板.csv"
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = label
    ws.append(headers)
    for i, header in enumerate(headers, start=1):
        ws.cell(1, i).font = Font(bold=True)
        column = ws.column_dimensions[get_column_letter(i)]
        column.width = max(10, 2.2 * len(header) + 2)
        if i > 1 and fields[i - 2].type in ("code", "id_number", "date"):
            column.number_format = "@"
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), f"{label}模板.xlsx"
