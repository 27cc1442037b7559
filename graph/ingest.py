"""Loading a department's file into a store: read and validate (graph.loaders), then write (a GraphWriter).

One file is one transaction. Rows that fail validation are written to a rejects file beside the store
(the original row, its row number, the field and the reason) and the valid rows of the same file load.
"""
from __future__ import annotations

import csv
import errno
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from graph.errors import FileRejected, StoreUnavailable
from graph.formula_cells import NOTE, inert
from graph.listed_names import ListedNames
from graph.model import KINDS, RECORD_KINDS
from graph.row_writes import write_row
from graph.stores.base import GraphStore, GraphWriter
from graph.stores.changes import MAX_CODES, row_codes
from graph.unread import unread_entries

if TYPE_CHECKING:
    from graph.amendments import Actor
    from graph.loaders.read_ahead import ReadAhead
    from graph.snapshots import Snapshot

MAX_WARNINGS = 1000  # a report keeps the first warnings; a million-row file must not keep a million
SHOWN_WARNINGS = 100  # a load summary lists the first warnings; its count is all of them


@dataclass(frozen=True)
class RowWarning:
    """A loaded row's warning: the row's number as the spreadsheet shows it (header = 1), the file's header of the
    column it concerns ("" when it concerns the row), and what was noticed."""
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：" + (f"{self.field}：{self.message}" if self.field else self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class LoadReport:
    file: str
    kind: str
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    warnings: list[RowWarning] = field(default_factory=list)  # the first MAX_WARNINGS
    warning_count: int = 0                                     # all of them
    columns: dict[str, str] = field(default_factory=dict)      # the file's header -> the field it was read as
    ignored_columns: list[str] = field(default_factory=list)   # the file's headers read as no field
    reject_rows: list[dict[str, Any]] = field(default_factory=list)  # the first SHOWN_WARNINGS rejects (rejected_row)
    encoding: str = ""
    changed: bool = False
    data_version: int = 0
    dry_run: bool = False
    # A full export's endings (graph/snapshots.py), and records sent again that had been ended before.
    snapshot: dict[str, Any] | None = None
    resent: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The load's counts: what the store's load history keeps."""
        return {"file": self.file, "kind": self.kind, "rows": self.rows, "loaded": self.loaded,
                "rejected": self.rejected, "rejects_file": self.rejects_file}

    def summary(self) -> dict[str, Any]:
        """The counts, the warnings (the first SHOWN_WARNINGS; `count` is all of them) and how the columns were read."""
        return {**self.as_dict(),
                "rejects": {"count": self.rejected, "rows": list(self.reject_rows)},
                "warnings": {"count": self.warning_count, "rows": [w.as_dict() for w in self.warnings[:SHOWN_WARNINGS]]},
                "columns": {"read": dict(self.columns), "ignored": list(self.ignored_columns)},
                "snapshot": self.snapshot, "resent": dict(self.resent)}

    def add_warnings(self, row: int, found: list | tuple) -> None:
        """One row's warnings, each a (header, message) pair or a text (of the row, or "<header>：<message>")."""
        self.warning_count += len(found)
        room = MAX_WARNINGS - len(self.warnings)
        if room > 0:
            self.warnings.extend(self._row_warning(row, w) for w in found[:room])

    def _row_warning(self, row: int, warning: tuple[str, str] | str) -> RowWarning:
        if isinstance(warning, tuple):
            header, message = warning
            return RowWarning(row, header or "", message)
        header, colon, message = warning.partition("：")
        if colon and header in self.columns:
            return RowWarning(row, header, message)
        return RowWarning(row, "", warning)


HEADER_ROW = 1
SERIAL_HEADERS = frozenset({"序号", "编号", "行号", "no", "no.", "#"})


def header_warnings(kind: str, columns: dict[str, str], ignored: list[str]) -> list[tuple[str, str]]:
    """What the header row itself tells the clerk: a column creditnet does not read may hold something that
    restricts someone (a 限制期限止 typed for 限制期限至 made every listing permanent, silently), and a listing file
    without its end column makes every listing open-ended."""
    out = [(h, f"此列未读取（不是{KINDS[kind].label}的已知字段）；如其中有限制期限、证件号码等信息，请改用标准表头后重新导入 "
               f"(column not read: if it holds a period, an ID number or the like, use the standard header)")
           for h in ignored if h.strip().lower() not in SERIAL_HEADERS]
    if kind == "enterprise" and "legal_rep" in columns.values() and "legal_rep_id_number" not in columns.values():
        out.append(("法定代表人证件号码", "文件有法定代表人姓名，但没有“法定代表人证件号码”列：这些法定代表人无法与名单中的人员关联，"
                                          "三年禁入等规则只能按企业本身适用；请补充证件号码 (legal representatives without ID numbers "
                                          "cannot be tied to listed persons)"))
    if kind == "blacklist" and "valid_to" not in columns.values():
        out.append(("限制期限至", "文件没有“限制期限至”列：本文件的所有名单均按无截止日期（长期）处理，请核对 "
                                  "(no 限制期限至 column: every listing of this file is open-ended)"))
    return out


class _DryRun(Exception):
    """Raised inside the writer block to roll a dry run back."""


class _Settles:
    """Which of an earlier load's remembered rejects this load settles: the watched codes it loads a row for, the
    watched rows (those known by an enterprise's name only) it loads."""

    def __init__(self, remembered: list[tuple[str, int]]):
        self.watched_codes = {code for code, _ in remembered}
        self.watched_rows = {row for _, row in remembered}
        self.codes: set[str] = set()
        self.rows: set[int] = set()

    def loaded(self, row_number: int, codes: list[str]) -> None:
        if row_number in self.watched_rows:
            self.rows.add(row_number)
        self.codes.update(c for c in (code.split(":", 1)[1] for code in codes) if c in self.watched_codes)


def _write_batch(writer: GraphWriter, kind: str, batch: list, rejects: list, touched: set[str], add_warnings,
                 snapshot: Snapshot | None, baseline, settles: _Settles, names: ListedNames) -> None:
    """A batch's valid rows to the writer (a full export's baseline sees each first); its rejects kept aside."""
    for item in batch:
        if type(item) is not tuple:  # a valid row is (row number, values, warnings)
            rejects.append(item)
            continue
        row_number, values, row_warnings = item
        if baseline is not None and isinstance(values, dict):
            baseline.see(writer, kind, snapshot, values)
        write_row(writer, kind, values)
        names.see(kind, row_number, values)
        codes = row_codes(kind, values)
        if settles.watched_codes:
            settles.loaded(row_number, codes)
        if len(touched) <= MAX_CODES:  # beyond, the version says "every party" (graph/stores/changes.py)
            touched.update(codes)
        if row_warnings:
            add_warnings(row_number, row_warnings)


def _what_became_of_records(writer: GraphWriter, report: LoadReport, kind: str, snapshot: Snapshot | None,
                            actor: Actor | None, source: str, dry_run: bool, baseline=None,
                            rejects: list | None = None) -> None:
    """Records of this file ended before come back (or say they stay withdrawn); a full export ends what it lacks."""
    from graph.amendments import Actor
    from graph.snapshots import Unreadable, end_missing, restore_resent
    effective = writer.as_of or date.today().isoformat()
    actor = actor or (snapshot.actor if snapshot is not None else Actor("cli", None, True))
    report.resent = restore_resent(writer, effective, source, actor)
    if report.resent["still_ended"]:
        report.add_warnings(HEADER_ROW, [f"本文件中有 {len(report.resent['still_ended'])} 条记录此前已被撤回或更正，再次报送不会恢复它们："
                                         f"{'、'.join(report.resent['still_ended'][:20])} (records withdrawn or corrected "
                                         f"before stay so when sent again)"])
    if snapshot is not None:
        rejects = rejects or []
        unreadable = Unreadable.of(kind, unread_entries(kind, report.columns, rejects, source, date.today()), rejects)
        report.snapshot = end_missing(writer, kind, snapshot, effective, source, dry_run, baseline, unreadable)


def rejects_path(home: Path, source: Path) -> Path:
    """A new file under home/rejects named after the source: only word characters, dots and dashes of its name
    (no separator can lead elsewhere), at most 150 bytes of it (a long Chinese name must not exceed the file
    system's 255), and never an earlier rejects file's name (two loads of one name in one second)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = re.sub(r"[^\w.\-]+", "_", source.stem).encode("utf-8")[:150].decode("utf-8", "ignore")
    directory = home / "rejects"
    target = directory / f"{stamp}-{stem}.rejects.csv"
    n = 1
    while target.exists():
        n += 1
        target = directory / f"{stamp}-{stem}-{n}.rejects.csv"
    return target


def load_file(store: GraphStore, path: str | os.PathLike, *, kind: str | None = None, home: Path,
              dry_run: bool = False, progress: Callable[[float], None] | None = None,
              ahead: ReadAhead | None = None, as_of: date | None = None, snapshot: Snapshot | None = None,
              actor: Actor | None = None, source: str | None = None) -> LoadReport:
    """Load one file atomically and return its report; raise FileRejected when it cannot be read at all.
    `ahead`: the command's files (graph/loaders/read_ahead.py), whose next one is read while this one commits.
    `as_of`: the date a registry change takes effect when the file gives none (default today), and the date of a
    full export (`snapshot`, graph/snapshots.py): its sender's records it lacks end then.
    `actor`: who loads (events a load makes name them; a department's rows naming another department are rejected);
    `source`: the file's name as its sender gave it."""
    from graph.loaders import LoadError  # the loaders pull in openpyxl: import late
    from graph.loaders.pipeline import Reading

    path = Path(path)
    # A full export reads its rows as dicts (no store-prepared rows): its baseline looks at each before it is written.
    # A department's own account sends only its own records (graph/loaders/senders.py); the operator and the admin
    # send anyone's. A command's files read ahead know the department already.
    department = actor.department if actor is not None and not actor.is_admin else None
    reading = ahead.take(path) if ahead is not None else Reading(path, kind, None if snapshot else store.row_preparer,
                                                                 department=department)
    with reading:
        try:
            table = reading.open()
        except LoadError as exc:
            raise FileRejected(str(exc), {"file": str(path)}) from exc
        report = LoadReport(file=str(path), kind=table.kind, columns=dict(table.column_map),
                            ignored_columns=list(table.ignored_columns), encoding=table.encoding, dry_run=dry_run)
        report.add_warnings(HEADER_ROW, [*table.notices,
                                         *header_warnings(table.kind, report.columns, report.ignored_columns)])
        rejects: list = []
        before = store.data_version()
        if snapshot is not None:
            from graph.snapshots import check_kind
            check_kind(table.kind)
        try:
            with store.writer(str(path)) as writer:
                writer.as_of = (as_of or date.today()).isoformat()
                writer.track_senders = snapshot is not None
                kind, add_warnings = table.kind, report.add_warnings
                touched: set[str] = set()  # the parties the rows name: what follow-up supervision walks back from
                # What earlier loads of this file left unread (graph/unread.py): only its codes and rows are watched,
                # so that memory does not grow with the file.
                settles = _Settles(store.read(lambda r: r.unread_of_file(source or path.name, table.kind)))
                names = ListedNames(store.read, next((h for h, f in report.columns.items() if f == "id_number"), "证件号码"))
                baseline = None
                if snapshot is not None:
                    from graph.snapshots import Baseline
                    baseline = Baseline()
                for batch, fraction in reading.batches():
                    if not report.rows and 0 < fraction < 1:  # the first batch: how large is the file?
                        writer.expect_rows(int(len(batch) / fraction))
                    report.rows += len(batch)
                    _write_batch(writer, kind, batch, rejects, touched, add_warnings, snapshot, baseline, settles,
                                 names)
                    names.warn(add_warnings)
                    report.loaded = report.rows - len(rejects)
                    if not dry_run:
                        writer.rows_written(report.rows)
                    if progress:
                        progress(fraction)
                if ahead is not None:  # the next file is read while this one's last writes and commit run
                    ahead.rows_done()
                reading.close()
                if kind in RECORD_KINDS:
                    _what_became_of_records(writer, report, kind, snapshot, actor, source or path.name, dry_run,
                                            baseline, rejects)
                if dry_run:
                    raise _DryRun
                # Rejected rows that might restrict someone stay in the store, under the codes they name: every check
                # that reaches those parties says so (graph/unread.py). A file sent again replaces its earlier ones.
                sent_as = source or path.name
                writer.record_unread(kind, sent_as, unread_entries(kind, report.columns, rejects, sent_as, date.today()),
                                     settles.codes, settles.rows)
                # Inside the transaction: if the rejects cannot be written (a full disk), the file is not loaded
                # either, and the clerk is not left with loaded rows whose rejected neighbours are nowhere.
                if rejects:
                    report.rejects_file = str(write_rejects(rejects_path(home, path), rejects))
                report.rejected = len(rejects)
                # committed with the file, or not at all; with who sent it (the upload record, 归集进度)
                writer.log_load({**report.as_dict(), "sender": actor.department if actor is not None else None,
                                 "sent_as": sent_as})
                writer.note_touched(touched)
        except _DryRun:
            pass
        except BaseException as exc:
            if report.rejects_file:  # written, but the commit failed: the file did not load, so neither did its rejects
                Path(report.rejects_file).unlink(missing_ok=True)
                report.rejects_file = None
            if isinstance(exc, LoadError):  # the file broke part-way (e.g. undecodable bytes deep inside): nothing kept
                raise FileRejected(str(exc), {"file": str(path)}) from exc
            raise
    report.rejected = len(rejects)
    # Why rows were refused, in the summary too: a dry run writes no rejects file, and a clerk checking a file
    # before sending it must see the reasons.
    report.reject_rows = rejected_rows(rejects[:SHOWN_WARNINGS], report.columns)
    report.data_version = store.data_version()
    report.changed = report.data_version != before
    if progress:
        progress(1.0)
    return report


def rejected_rows(rejects: list, columns: dict[str, str]) -> list[dict[str, Any]]:
    """Rejected rows as a summary lists them (`rejected_row`)."""
    return [rejected_row(r.row_number, r.field, r.reason, r.original or {}, columns) for r in rejects]


def rejected_row(row: int, field: str, reason: str, original: dict[str, str], columns: dict[str, str]) -> dict[str, Any]:
    """A rejected row's number, and beside it what the clerk recognises the row by: its 序号 as the department wrote
    it, and the enterprise's name (the person's, for a listing of a person alone); then the column and the reason."""
    from graph.loaders.headers import normalise_header
    serial = next((v for h, v in original.items()
                   if h not in columns and normalise_header(h) in SERIAL_HEADERS and (v or "").strip()), "")
    name = next((original[h] for f in ("name", "person_name") for h, name in columns.items()
                 if name == f and (original.get(h) or "").strip()), "")
    return {"row": row, "serial": serial.strip(), "name": name.strip(), "field": field, "reason": reason}


def write_rejects(target: Path, rejects: list) -> Path:
    """Write rejected rows as CSV (UTF-8 with BOM so Excel opens it): row number, field, reason, then the row.
    Cells Excel would run as formulas are made inert (graph/formula_cells.py); when any was, a last header
    cell says so and how to get the text as sent.
    The file appears whole or not at all; a failure (a full disk) raises StoreUnavailable naming the directory."""
    headers: list[str] = []
    for r in rejects:
        for h in r.original:
            if h not in headers:
                headers.append(h)
    sent = [[*headers]] + [["" if r.original.get(h) is None else str(r.original[h]) for h in headers] for r in rejects]
    written = [[inert(cell) for cell in row] for row in sent]
    changed = written != sent
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["行号", "字段", "原因", *written[0], *([NOTE] if changed else [])])
            for r, cells in zip(rejects, written[1:]):
                out.writerow([r.row_number, r.field, r.reason, *cells])
        os.replace(tmp, target)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        why = "磁盘已满" if exc.errno == errno.ENOSPC else f"无法写入（{exc.strerror}）"
        raise StoreUnavailable(f"被拒绝行文件无法写入 {target.parent}：{why}。本文件未导入，数据保持导入前的状态；"
                               f"请清理磁盘空间或检查目录权限后重新导入 (cannot write the rejects file in {target.parent}: "
                               f"{exc.strerror}; nothing of this file was kept)", {"directory": str(target.parent)}) from exc
    return target
