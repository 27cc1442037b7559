"""Open a department's file, whatever it is, and stream its rows as ParsedRow or Reject.

Its rows of cells come from graph/loaders/sources.py; this module finds the header, the file's kind and which
column is which field. Files arrive as CSV saved by Excel on Windows (GBK/GB18030), UTF-8 with or without a BOM, sometimes
UTF-16 ("Unicode text"), or XLSX — and the extension cannot be trusted (an .xlsx renamed .csv, a screenshot
renamed .csv). So the format and the encoding are read from the bytes. Rows are streamed, never read
whole: a province's registry extract is gigabytes. File-level failures raise LoadError with a message the
clerk can act on; row-level failures are Rejects in the stream.
"""
from __future__ import annotations

from itertools import chain, islice
from pathlib import Path
from typing import Callable, Iterator

from graph.loaders import headers as hdr
from graph.loaders.columns import ColumnValidator
from graph.loaders.fields import ParsedRow, Reject, RowValidator
from graph.loaders.merged import MergedCells, fill_notice, header_refusal
from graph.loaders.senders import OwnRecords
from graph.loaders.sources import HEADER_SEARCH_ROWS, CsvSource, LoadError, XlsxSource, open_source
from graph.model import KINDS

COLUMN_BATCH = 512                    # rows validated together, column by column (graph/loaders/columns.py)


def _column_names(cells: list[str]) -> list[str]:
    """Header cells as in the file; trailing blanks dropped, blank or repeated ones named by position so
    no cell of `original` is lost."""
    names = list(cells)
    while names and not names[-1].strip():
        names.pop()
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name.strip():
            names[i] = f"(第{i + 1}列)"
        elif name in seen and hdr.normalise_header(name) not in hdr.KNOWN_HEADERS:
            names[i] = f"{name}(第{i + 1}列)"
        seen.add(names[i])
    return names


class Table:
    """One department's file, opened and understood: its kind, encoding and which column is which field."""

    def __init__(self, path: Path, kind: str, encoding: str, header_row: int, headers: list[str],
                 mapping: hdr.HeaderMap, source: CsvSource | XlsxSource, pending: Iterator | None,
                 notices: list[tuple[str, str]] | None = None, department: str | None = None,
                 implied: list[str] | None = None):
        self.path, self.kind, self.encoding = path, kind, encoding
        # The cells of columns the file leaves out (headers.implied_columns), after its own.
        self.implied = implied or []
        # (header, message) for the load summary's header row: which worksheet was read, and which were not.
        self.notices = notices or []
        self.header_row, self.headers = header_row, headers
        self.column_map, self.ignored_columns = mapping.column_map, mapping.ignored_columns
        self.size_bytes = path.stat().st_size
        self._source, self._pending = source, pending
        # Sent on behalf of a department: its rows naming another department are rejected (graph/loaders/senders.py).
        self.own = OwnRecords.for_file(kind, department, headers, self.column_map)

    def rows(self) -> Iterator[ParsedRow | Reject]:
        """Each data row in file order. May raise LoadError mid-stream if the CSV turns out malformed."""
        for columns, batch, by_row in self._record_batches():
            if self.own is None:
                yield from columns.validate(batch, by_row)
            else:
                yield from self.own.sort_rows(self.kind, columns.validate(batch, by_row))

    def row_batches(self, prepare: Callable[[dict], dict | tuple] | None = None) -> Iterator[list]:
        """The same rows as `rows()`, a batch at a time, as a load hands them to its writer: a valid row as the
        tuple (row number, values — prepared by the store's row preparer if given —, warnings), a Reject whole
        (graph/loaders/pipeline.py says why)."""
        for columns, batch, by_row in self._record_batches():
            if self.own is None:
                yield columns.valid_tuples(batch, by_row, prepare)
            else:
                yield self.own.sort_tuples(self.kind, columns.valid_tuples(batch, by_row, None), batch, prepare)

    def _record_batches(self) -> Iterator[tuple[ColumnValidator, list, Callable]]:
        records, self._pending = self._pending, None
        if records is None:
            records = ((n, cells) for n, cells in self._source.records() if n > self.header_row)
        if self.implied:
            records = self._with_implied(records)
        validator = RowValidator(self.kind, self.headers, self.column_map)
        # Templates come with 序号 pre-filled down the sheet; a row with nothing but its 序号 is an empty row.
        serial = {i for i, h in enumerate(self.headers) if hdr.normalise_header(h) == "序号"}

        def by_row(number: int, cells: list[str]) -> ParsedRow | Reject | None:
            if serial and all(i in serial or not c.strip() for i, c in enumerate(cells)):
                return None
            return validator.validate(number, cells)

        # Such a row has an empty code, which the column-wise path always hands back to by_row.
        columns = ColumnValidator(validator)
        while batch := list(islice(records, COLUMN_BATCH)):
            yield columns, batch, by_row

    def _with_implied(self, records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
        """Each row with the implied cells where their headers stand: after the file's own columns (a short row
        padded to them), before any cells beyond its header (which the validator still refuses)."""
        own = len(self.headers) - len(self.implied)
        for number, cells in records:
            yield number, [*cells[:own], *[""] * (own - len(cells)), *self.implied, *cells[own:]]

    def progress(self) -> float:
        """Fraction of the file consumed so far (bytes for CSV, rows for XLSX), for a progress bar."""
        return self._source.progress()

    def __repr__(self) -> str:
        return f"Table({str(self.path)!r}, kind={self.kind!r}, encoding={self.encoding!r})"


def open_table(path: Path | str, kind: str | None = None, department: str | None = None) -> Table:
    """Open a CSV or XLSX file and work out its kind (unless given) and its columns; raise LoadError if the
    file cannot be loaded at all. `department`: the file is sent on its behalf, so that rows naming another
    department as issuer or sender are rejected."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise LoadError(path, f"未知的文件类型 {kind}，可选：{'、'.join(KINDS)} (unknown kind)")
    source, encoding = open_source(path)
    records = source.records()
    header_row, header_cells, pending = _find_header(path, records, kind)
    notices: list[tuple[str, str]] = []
    if isinstance(source, XlsxSource) and len(source.sheet_names) > 1:
        header_row, header_cells, pending, notices = _choose_sheet(path, source, kind, header_row, header_cells, pending)
    headers = _column_names(header_cells)
    if isinstance(source, XlsxSource) and source.merged:
        notices += _merged_notices(path, source.merged, header_row, header_cells, headers)
    implied = hdr.implied_columns(headers, kind)
    for header, value in implied.items():
        notices.append((header, f"文件没有“{header}”列，按法院失信被执行人名单读取：每行的{header}为“{value}” "
                                f"(a court's export without this column: every row is read as this list)"))
    headers = headers + list(implied)
    kind = kind or hdr.detect_kind(headers)
    if kind is None:
        raise LoadError(path, hdr.explain_no_kind(headers))
    mapping = hdr.map_headers(headers, kind)
    for name, cols in mapping.duplicates.items():
        raise LoadError(path, f"列名重复：{'、'.join(cols)} 都对应 {KINDS[kind].field(name).header}，请删除多余的列 "
                              f"(duplicate columns for one field)")
    missing = mapping.missing_required()
    if missing:
        # The English part names no header: the pages show the Chinese part alone (it ends at the bracket).
        raise LoadError(path, f"缺少必需的列：{'、'.join(missing)}（按{KINDS[kind].label}读取）。请在表头中补上这些列"
                              f"（可对照{KINDS[kind].label}模板）后重新报送 (missing required columns for kind {kind})")
    return Table(path, kind, encoding, header_row, headers, mapping, source, pending, notices, department,
                 list(implied.values()))


def _merged_notices(path: Path, merged: MergedCells, header_row: int, header_cells: list[str],
                    headers: list[str]) -> list[tuple[str, str]]:
    """Refuse a header with merged cells; say once which columns of the data rows were filled, and how many rows."""
    in_header = merged.header_ranges(header_row)
    if in_header:
        raise LoadError(path, header_refusal(in_header, header_cells))
    columns, rows = merged.data_fill(header_row, headers)
    return [("合并单元格", fill_notice(columns, rows))] if rows else []


def _has_header(rows: list[list[str]], kind: str | None) -> bool:
    return any(hdr.header_score(cells, kind) >= 2 for cells in rows)


def _choose_sheet(path: Path, source: XlsxSource, kind: str | None, header_row: int, header_cells: list[str],
                  pending: Iterator) -> tuple[int, list[str], Iterator, list[tuple[str, str]]]:
    """A workbook of several sheets: a first sheet without a header row (填表说明, 封面) gives way to the first sheet
    that has one, and every other sheet that looks like a table too is named in the summary, since it is not read
    (one file, one table): nothing a department sent is skipped without a word."""
    names, notices = source.sheet_names, []
    if hdr.header_score(header_cells, kind) < 2:
        for i in range(1, len(names)):
            if _has_header(source.first_rows(i), kind):
                source.sheet = i
                header_row, header_cells, pending = _find_header(path, source.records(), kind)
                notices.append(("工作表", f"第一张工作表“{names[0]}”没有表头，已读取工作表“{names[i]}” "
                                          f"(the first sheet has no header row; read sheet {i + 1})"))
                break
    for i, name in enumerate(names):
        if i != source.sheet and _has_header(source.first_rows(i), kind):
            notices.append(("工作表", f"工作表“{name}”也像一张数据表，未读取：每个文件只读取一张工作表，请将其另存为单独的文件后导入 "
                                      f"(sheet {i + 1} looks like a table too and was not read: one sheet per file)"))
    return header_row, header_cells, pending, notices


def _find_header(path: Path, records: Iterator, kind: str | None) -> tuple[int, list[str], Iterator]:
    """The header is the first row that looks like one (≥ 2 known column names) among the first rows; a
    title row above it is skipped. Failing that, the first non-empty row, so the error can show it."""
    seen = []
    for record in records:
        seen.append(record)
        if hdr.header_score(record[1], kind) >= 2:
            return record[0], record[1], records
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise LoadError(path, "文件为空 (empty file)")
    number, cells = seen[0]
    return number, cells, chain(seen[1:], records)
