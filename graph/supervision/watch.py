"""Which subjects does each department watch?

- Derived: every enterprise holding a licence the department issued (许可机关, mapped through the department alias
  table) that is active on the day: 有效期自 ≤ D ≤ 有效期至 (an empty side is open), and a 状态 that does not say the
  licence was cancelled, revoked or has lapsed.
- Its own list: codes or ID numbers it adds from a CSV/XLSX file (`add_from_file`), each row validated like any
  file's: a bad row is rejected with its row, field and reason, the rest are added.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import AbstractSet, Any, Iterator

from graph.departments import canonical_department
from graph.errors import FileRejected, InvalidSubject
from graph.identifiers import InvalidIdentifier, classify
from graph.loaders.fields import Reject
from graph.stores.base import GraphStore
from graph.supervision.db import SupervisionDB, now

# A licence whose 状态 holds one of these is not active whatever its dates say.
ENDED_STATUS = ("注销", "撤销", "吊销", "失效", "无效", "过期", "终止", "停用", "作废")
CODE_HEADERS = ("统一社会信用代码（企业注册号）", "统一社会信用代码(企业注册号)", "统一社会信用代码", "注册号", "证件号码",
                "身份证号码", "身份证号", "代码", "code", "id_number")
NAME_HEADERS = ("企业名称", "名称", "姓名", "name")
OWN_LIST = "本部门关注名单"

Subject = tuple[str, str]  # (party kind, key)


def licence_active(licence: dict[str, Any], on: str) -> bool:
    return _active(licence.get("valid_from"), licence.get("valid_to"), licence.get("status"), on)


def _active(start: Any, end: Any, status: Any, on: str) -> bool:
    status = status or ""
    return (not start or start <= on) and (not end or on <= end) and not any(w in status for w in ENDED_STATUS)


@dataclass
class Watched:
    """Every watched subject: who watches it and why (licence numbers, or the department's own list)."""
    by_subject: dict[Subject, dict[str, list[str]]] = field(default_factory=dict)  # subject -> department -> reasons
    names: dict[Subject, str] = field(default_factory=dict)

    def add(self, subject: Subject, department: str, reason: str, name: str | None) -> None:
        reasons = self.by_subject.setdefault(subject, {}).setdefault(department, [])
        if reason not in reasons:
            reasons.append(reason)
        if name and not self.names.get(subject):
            self.names[subject] = name


@dataclass
class WatchRows:
    """Every watched subject on a day (`subjects`), and the rows that say who watches each and why, put together
    only for the subjects asked (`of`): a pass after a load alerts about a few of a province's million subjects,
    and building who watches every one of them cost more than reading the rows."""
    subjects: set[Subject]
    licences: list[tuple[str, str | None, str, Any]]  # (enterprise key, name, department, licence number), active
    own: list[tuple[str, str, str, str | None]]       # (department, party kind, key, name): the departments' lists

    def of(self, wanted: AbstractSet[Subject] | None = None) -> Watched:
        """Who watches each subject of `wanted` (every subject: None), and why."""
        out = Watched()
        for key, name, dept, number in self.licences:
            if wanted is None or ("enterprise", key) in wanted:
                out.add(("enterprise", key), dept, f"许可 {number or ''}".strip(), name)
        for dept, kind, key, name in self.own:
            if wanted is None or (kind, key) in wanted:
                out.add((kind, key), dept, OWN_LIST, name)
        return out


def watch_rows(store: GraphStore, db: SupervisionDB, on: date, department: str | None = None) -> WatchRows:
    """Every department's watched subjects on `on` (or one department's), with the rows that say why."""
    day = on.isoformat()
    licences = [(key, name, dept, number)
                for start, end, status, number, key, name, dept in store.read(lambda r: list(r.licence_rows()))
                if (department is None or dept == department) and _active(start, end, status, day)]
    sql, args = "SELECT department, party_kind, party_key, name FROM watch", []
    if department is not None:
        sql, args = sql + " WHERE department = ?", [department]
    own = db.conn.execute(sql, args).fetchall()
    subjects = {("enterprise", key) for key, _, _, _ in licences}
    subjects.update((kind, key) for _, kind, key, _ in own)
    return WatchRows(subjects, licences, own)


def watched(store: GraphStore, db: SupervisionDB, on: date, department: str | None = None) -> Watched:
    """Every department's watched subjects on `on` (or one department's)."""
    return watch_rows(store, db, on, department).of()


def listing(store: GraphStore, db: SupervisionDB, department: str, on: date) -> list[dict[str, Any]]:
    """One department's watched subjects, each with why: for `watch list`."""
    canonical = canonical_department(department)
    w = watched(store, db, on, canonical)
    return [{"party": {"kind": kind, "key": key, "name": w.names.get((kind, key), "")},
             "watched_for": depts[canonical]}
            for (kind, key), depts in sorted(w.by_subject.items())]


@dataclass
class WatchFileReport:
    file: str
    rows: int = 0
    added: int = 0
    already: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "added": self.added, "already": self.already,
                "rejected": len(self.rejects),
                "rejects": [{"row": r.row_number, "field": r.field, "reason": r.reason} for r in self.rejects]}


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a CSV or XLSX file, read as the loaders read a department's file."""
    from graph.loaders.sources import (SAMPLE_BYTES, CsvSource, LoadError, XlsxSource,  # one reader for all files
                                       sniff_encoding)
    try:
        with path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
        if not sample.strip():
            raise FileRejected(f"{path}：文件为空 (empty file)", {"file": str(path)})
        source: Any
        if sample.startswith(b"PK\x03\x04"):
            source = XlsxSource(path)
        else:
            _, codec = sniff_encoding(path, sample)
            source = CsvSource(path, codec, path.stat().st_size)
        yield from source.records()
    except LoadError as exc:
        raise FileRejected(str(exc), {"file": str(path)}) from exc
    except OSError as exc:
        raise FileRejected(f"{path}：无法读取文件（{exc.strerror}）(cannot read the file)", {"file": str(path)}) from exc


def read_watch_file(path: Path) -> tuple[list[tuple[int, str, str, str, str | None]], list[Reject], int]:
    """([(row, party kind, key, code kind, name)], rejects, rows read). The code column is the first whose header is
    a code's (统一社会信用代码, 证件号码 …); a file without such a header holds codes in its first column."""
    records = list(_records(path))
    if not records:
        raise FileRejected(f"{path}：文件为空 (empty file)", {"file": str(path)})
    first = [c.strip() for c in records[0][1]]
    code_col = next((i for i, h in enumerate(first) if h in CODE_HEADERS), None)
    name_col = next((i for i, h in enumerate(first) if h in NAME_HEADERS), None)
    if code_col is None:
        try:
            classify(first[0] if first else "")
        except InvalidIdentifier:
            raise FileRejected(f"{path}：找不到代码列（表头应为 统一社会信用代码 或 证件号码）(no code column: head it "
                               f"统一社会信用代码 or 证件号码)", {"file": str(path)}) from None
        code_col, header, body = 0, ["统一社会信用代码"], records
    else:
        header, body = first, records[1:]
    out, rejects = [], []
    for row, cells in body:
        original = {(header[i] if i < len(header) else str(i + 1)): c for i, c in enumerate(cells)}
        raw = cells[code_col].strip() if code_col < len(cells) else ""
        field_name = header[code_col]
        if not raw:
            rejects.append(Reject(row, field_name, "代码为空 (no code)", original))
            continue
        try:
            ident = classify(raw)
        except InvalidIdentifier as exc:
            rejects.append(Reject(row, field_name, str(exc), original))
            continue
        name = cells[name_col].strip() if name_col is not None and name_col < len(cells) else None
        kind = "person" if ident.kind == "id_number" else "enterprise"
        out.append((row, kind, ident.value, ident.kind, name or None))
    return out, rejects, len(body)


def add_codes(db: SupervisionDB, department: str, codes: list[str], *, account: str | None = None
              ) -> WatchFileReport:
    """Add codes or ID numbers sent as a list (the API): each validated, a bad one rejected with its index."""
    rows, rejects = [], []
    for i, raw in enumerate(codes):
        try:
            ident = classify(raw)
        except InvalidIdentifier as exc:
            rejects.append(Reject(i, "codes", str(exc), {"code": str(raw)}))
            continue
        rows.append((i, "person" if ident.kind == "id_number" else "enterprise", ident.value, ident.kind, None))
    report = WatchFileReport("(api)", rows=len(codes), rejects=rejects)
    _insert(db, canonical_department(department), rows, report, account)
    return report


def _insert(db: SupervisionDB, canonical: str, rows: list, report: WatchFileReport, account: str | None) -> None:
    with db.transaction() as conn:
        for _row, kind, key, code_kind, name in rows:
            cur = conn.execute("INSERT OR IGNORE INTO watch (department, party_kind, party_key, code_kind, name, added_at, "
                               "added_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (canonical, kind, key, code_kind, name, now(), account))
            if cur.rowcount:
                report.added += 1
            else:
                report.already += 1


def add_from_file(db: SupervisionDB, department: str, path: Path, *, account: str | None = None,
                  rejects_dir: Path | None = None) -> WatchFileReport:
    """Add the file's valid rows to the department's own list (one transaction); the rejects go to a rejects file
    under `rejects_dir` as a load's do."""
    canonical = canonical_department(department)
    rows, rejects, n = read_watch_file(Path(path))
    report = WatchFileReport(str(path), rows=n, rejects=rejects)
    _insert(db, canonical, rows, report, account)
    if rejects and rejects_dir is not None:
        from graph.ingest import rejects_path, write_rejects  # the loads' rejects file, in the same place
        write_rejects(rejects_path(rejects_dir.parent, Path(path)), rejects)
    return report


def remove(db: SupervisionDB, department: str, keys: list[str]) -> int:
    """Remove codes or ID numbers from the department's own list; how many were there."""
    canonical = canonical_department(department)
    removed = 0
    with db.transaction() as conn:
        for key in keys:
            try:
                value = classify(key).value
            except InvalidIdentifier as exc:
                raise InvalidSubject(str(exc), {"code": key}) from None
            removed += conn.execute("DELETE FROM watch WHERE department = ? AND party_key = ?",
                                    (canonical, value)).rowcount
    return removed
