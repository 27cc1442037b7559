"""Open a department's file, whatever it is, and stream its rows as ParsedRow or Reject.

Files arrive as CSV saved by Excel on Windows (GBK/GB18030), UTF-8 with or without a BOM, sometimes
UTF-16 ("Unicode text"), or XLSX — and the extension cannot be trusted (an .xlsx renamed .csv, a screenshot
renamed .csv). So the format and the encoding are read from the bytes. Rows are streamed, never read
whole: a province's registry extract is gigabytes. File-level failures raise LoadError with a message the
clerk can act on; row-level failures are Rejects in the stream.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
import zlib
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, time
from itertools import chain, islice, zip_longest
from pathlib import Path
from typing import Callable, Iterator

from graph.loaders import headers as hdr
from graph.loaders.columns import ColumnValidator
from graph.loaders.fields import ParsedRow, Reject, RowValidator
from graph.loaders.merged import MergedCells, fill_notice, find_ranges, header_refusal
from graph.loaders.senders import OwnRecords
from graph.model import KINDS


class LoadError(Exception):
    """A file that cannot be loaded at all; `reason` says what is wrong and what to do (Chinese, English)."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason

    def __reduce__(self):
        # Raised in the reading child, it crosses the pipe pickled; the default pickling calls the class with the
        # message alone, which cannot be unpickled (no `reason`): the writer got a TypeError instead.
        return LoadError, (self.path, self.reason)


SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1 << 20
COLUMN_BATCH = 512                    # rows validated together, column by column (graph/loaders/columns.py)
HEADER_SEARCH_ROWS = 10               # a title row ("西吉县行政处罚信息汇总表") may sit above the header
MAX_UNCOMPRESSED = 1 << 30            # zip-bomb guard: refuse a workbook that inflates beyond 1 GB …
MAX_RATIO, RATIO_FLOOR = 200, 10 << 20  # … or a part > 10 MB that inflated more than 200×
# A cell in Excel's last column makes openpyxl pad its row to 16,384 cells: a 50 KB sheet with one such cell
# per row costs minutes. No department's table is this wide, so a wider sheet is refused before reading.
MAX_COLUMNS = 1000
_MAGIC = {b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"GIF8": "GIF 图片", b"%PDF": "PDF 文档",
          b"Rar!": "RAR 压缩包", b"\x1f\x8b": "gzip 压缩包", b"7z\xbc\xaf": "7z 压缩包"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
# Cells in three-letter columns (AAA = 703 onwards): the only ones that can lie beyond MAX_COLUMNS.
_WIDE_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{3})[0-9]")


def _not_a_table(path: Path, what: str = "二进制文件") -> LoadError:
    return LoadError(path, f"不是表格文件（{what}），请上传 CSV 或 XLSX (not a table: upload CSV or XLSX)")


def _sniff_encoding(path: Path, sample: bytes) -> tuple[str, str]:
    """(label, codec): a BOM decides; else strict UTF-8, strict GB18030 (a superset of GBK), then
    charset-normalizer's guess — each checked over the whole file, a chunk at a time."""
    bom = "utf-8-sig" if sample.startswith(codecs.BOM_UTF8) else \
        "utf-16" if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None
    if bom:
        if not _decodes(path, bom):
            raise LoadError(path, f"文件以 {bom} 标记开头，但内容不是 {bom} 编码，请另存为 UTF-8 CSV "
                                  f"(BOM says {bom} but the content is not; save as UTF-8 CSV)")
        return bom, bom
    if b"\x00" in sample:
        # UTF-16 without a BOM ("Unicode text" from old Excel) has NUL in every other byte for CJK-free text.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 5 and not even and _decodes(path, "utf-16-le"):
            return "utf-16", "utf-16-le"
        if even > len(sample) // 5 and not odd and _decodes(path, "utf-16-be"):
            return "utf-16", "utf-16-be"
        raise _not_a_table(path, "含 NUL 字节")
    if len(_CONTROL.findall(sample)) > len(sample) // 100:
        raise _not_a_table(path)
    for codec in ("utf-8", "gb18030"):
        if _decodes(path, codec):
            return codec, codec
    from charset_normalizer import from_bytes
    guess = from_bytes(sample).best()
    if guess is not None and _decodes(path, guess.encoding):
        return guess.encoding, guess.encoding
    raise LoadError(path, "无法识别文件编码，请另存为 UTF-8 CSV (unknown text encoding; save as UTF-8 CSV)")


def _decodes(path: Path, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    nul_allowed = codec.startswith("utf-16")
    with path.open("rb") as f:
        try:
            while chunk := f.read(CHUNK_BYTES):
                if not nul_allowed and b"\x00" in chunk:
                    raise _not_a_table(path, "含 NUL 字节")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


class _CsvSource:
    def __init__(self, path: Path, codec: str, size: int):
        self.path, self.codec, self.size = path, codec, size
        self._raw: io.BufferedReader | None = None
        self.done = False
        with path.open(encoding=codec, newline="") as f:  # a bounded read: one line may be the whole file
            first = next((line for line in f.read(SAMPLE_BYTES).splitlines() if line.strip()), "")
        counts = {d: first.count(d) for d in ",\t;|"}
        self.delimiter = "," if counts[","] or not any(counts.values()) else max(counts, key=lambda d: counts[d])

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number where the record starts, cells) for each non-empty record."""
        self.done = False
        with self.path.open("rb") as raw, io.TextIOWrapper(raw, encoding=self.codec, newline="") as text:
            self._raw = raw
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            start = 1
            try:
                for cells in reader:
                    if any(map(str.strip, cells)):  # a blank cell strips to "", which is false
                        yield start, cells
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise LoadError(self.path, f"第 {start} 行起 CSV 格式错误：{exc}（常见原因：引号不配对）"
                                           f"(malformed CSV from line {start}: usually an unbalanced quote)") from None
            finally:
                self._raw = None
        self.done = True

    def progress(self) -> float:
        if self.done:
            return 1.0
        raw = self._raw
        try:
            return min(raw.tell() / self.size, 1.0) if raw and self.size else 0.0
        except ValueError:  # closed between the check and the call
            return 0.0


def _check_zip(path: Path) -> None:
    """Refuse what is not an .xlsx, or would inflate into a zip bomb, before openpyxl touches it. The sizes
    come from the central directory; zipfile stops reading a part at its declared size, so they cannot lie."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise LoadError(path, "压缩包不是 Excel 工作簿，请上传 CSV 或 XLSX (a zip file, not an .xlsx workbook)")
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                raise LoadError(path, "工作簿解压后超过 1 GB，请拆分后上传 (workbook inflates beyond 1 GB; split it)")
            for i in infos:
                if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    raise LoadError(path, f"工作簿中 {i.filename} 压缩比异常（疑似压缩炸弹），已拒绝 "
                                          f"(suspicious compression ratio: possible zip bomb)")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise LoadError(path, f"xlsx 文件已损坏，无法打开：{exc}，请在 Excel 中重新保存 "
                              f"(damaged .xlsx: not a valid zip; re-save it in Excel)") from None


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _cell_text(value: object, formula: object = None) -> str:
    """A cell as the clerk sees it. Whole numbers lose Excel's ".0" (a 15-digit 注册号 stored as a number must
    come out exact); dates become ISO; a formula with no cached value shows as its formula text."""
    if value is None:
        text = str(getattr(formula, "text", formula or ""))
        return text if text.startswith("=") else ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _XlsxSource:
    def __init__(self, path: Path):
        self.path = path
        _check_zip(path)
        self.total_rows = self.rows_read = 0
        self.done = False
        # The worksheet read: the first, unless it holds no table (a 填表说明 sheet before the data; open_table).
        self.sheet = 0
        self.sheet_names: list[str] = []
        self.merged = MergedCells(set())  # the sheet's merged ranges (graph/loaders/merged.py), found by _scan

    @contextmanager
    def _open(self, data_only: bool) -> Iterator:
        """The worksheet `self.sheet`. openpyxl is handed a file object, not the path: given a path it refuses any
        extension but .xlsx, and the extension is not evidence of anything here."""
        from openpyxl import load_workbook
        with self.path.open("rb") as f:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
                    wb = load_workbook(f, read_only=True, data_only=data_only)
            except Exception as exc:  # openpyxl raises many kinds for damaged parts
                raise LoadError(self.path, f"无法读取 xlsx：{exc}，请在 Excel 中重新保存 "
                                           f"(cannot read the .xlsx; re-save it in Excel)") from None
            try:
                if not wb.worksheets:
                    raise LoadError(self.path, "工作簿中没有工作表 (no worksheet in the workbook)")
                self.sheet_names = list(wb.sheetnames)
                yield wb.worksheets[self.sheet]
            finally:
                wb.close()

    def _scan(self, ws) -> bool:
        """Stream the sheet's XML once: refuse a sheet wider than MAX_COLUMNS; find its merged ranges; say whether
        it has formulas."""
        self.merged = MergedCells(set())
        part = getattr(ws, "_worksheet_path", None)
        if part is None:
            return True
        formulas, widest, tail = False, 0, b""
        ranges: set = set()
        with zipfile.ZipFile(self.path) as zf, zf.open(part) as f:
            while chunk := f.read(CHUNK_BYTES):
                text = tail + chunk
                formulas = formulas or bool(_FORMULA_TAG.search(text))
                widest = max([widest, *(_column_number(m) for m in _WIDE_CELL.findall(text))])
                if b"mergeCell" in text:
                    ranges |= find_ranges(text)
                tail = chunk[-256:]
        self.merged = MergedCells(ranges)
        if widest > MAX_COLUMNS:
            raise LoadError(self.path, f"工作表有 {widest} 列，超过 {MAX_COLUMNS} 列；请删除表格右侧多余的单元格后重新保存 "
                                       f"(the sheet is {widest} columns wide, more than {MAX_COLUMNS}: delete the stray "
                                       f"cells on the right)")
        return formulas

    def first_rows(self, sheet: int) -> list[list[str]]:
        """The first non-empty rows of another worksheet: does it hold a table too?"""
        found: list[list[str]] = []
        saved, self.sheet = self.sheet, sheet
        try:
            with self._open(data_only=True) as ws:
                for row in self._guarded(ws.iter_rows(values_only=True)):
                    cells = [_cell_text(v, None) for v in row]
                    if any(c.strip() for c in cells):
                        found.append(cells)
                    if len(found) >= HEADER_SEARCH_ROWS:
                        break
        finally:
            self.sheet = saved
        return found

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """One worksheet (`self.sheet`); values are Excel's cached results (data_only). Where a formula has no
        cached value (a file written by a program, never opened in Excel) a second reader supplies the
        formula text, so that the row can be rejected with a reason instead of loading an empty code."""
        self.done, self.rows_read = False, 0
        with ExitStack() as stack:
            ws = stack.enter_context(self._open(data_only=True))
            try:
                self.total_rows = ws.max_row or 0
                has_formulas = self._scan(ws)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise self._damaged(exc) from None
            ws.reset_dimensions()  # some writers record a wrong <dimension>; trusting it would drop rows
            values = self._guarded(ws.iter_rows(values_only=True))
            formulas: Iterator = iter(())
            if has_formulas:
                formula_ws = stack.enter_context(self._open(data_only=False))
                formula_ws.reset_dimensions()
                formulas = self._guarded(formula_ws.iter_rows(values_only=True))
            merged = self.merged
            for number, row in enumerate(values, 1):
                self.rows_read = number
                cells = [_cell_text(v, f) for v, f in zip_longest(row, next(formulas, ()))]
                own = any(c.strip() for c in cells)  # a row with nothing but merged values is an empty row
                if merged:
                    cells = merged.fill(number, cells)
                if own:
                    yield number, cells
        self.done = True

    def _damaged(self, exc: Exception) -> LoadError:
        return LoadError(self.path, f"无法读取 xlsx 工作表：{exc}，请在 Excel 中重新保存 "
                                    f"(the sheet is damaged or not a plain worksheet; re-save it in Excel)")

    def _guarded(self, rows: Iterator) -> Iterator:
        """openpyxl parses the sheet as rows are asked for, so a damaged part (cut-off XML, a bad checksum,
        entity expansion the parser refuses) surfaces mid-stream, as any of many exception types."""
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise self._damaged(exc) from None
            yield row

    def progress(self) -> float:
        if self.done:
            return 1.0
        return min(self.rows_read / self.total_rows, 1.0) if self.total_rows else 0.0


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
                 mapping: hdr.HeaderMap, source: _CsvSource | _XlsxSource, pending: Iterator | None,
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
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
    except FileNotFoundError:
        raise LoadError(path, "文件不存在 (file not found)") from None
    except IsADirectoryError:
        raise LoadError(path, "这是目录，不是文件 (a directory, not a file)") from None
    except OSError as exc:
        raise LoadError(path, f"无法读取文件：{exc.strerror} (cannot read the file)") from None
    if not sample.strip():
        raise LoadError(path, "文件为空 (empty file)")
    source: _CsvSource | _XlsxSource
    if sample.startswith(b"PK\x03\x04"):
        source, encoding = _XlsxSource(path), "xlsx"
    elif sample.startswith(b"PK"):
        raise LoadError(path, "xlsx 文件已损坏，无法打开，请在 Excel 中重新保存 (damaged .xlsx; re-save it in Excel)")
    elif sample.startswith(_OLE2):
        raise LoadError(path, "旧版 Excel (.xls) 或加密的工作簿，请另存为 .xlsx 或 CSV 并取消密码 "
                              "(legacy .xls or encrypted workbook: save as .xlsx or CSV without a password)")
    else:
        for magic, what in _MAGIC.items():
            if sample.startswith(magic):
                raise _not_a_table(path, what)
        encoding, codec = _sniff_encoding(path, sample)
        source = _CsvSource(path, codec, size)
    records = source.records()
    header_row, header_cells, pending = _find_header(path, records, kind)
    notices: list[tuple[str, str]] = []
    if isinstance(source, _XlsxSource) and len(source.sheet_names) > 1:
        header_row, header_cells, pending, notices = _choose_sheet(path, source, kind, header_row, header_cells, pending)
    headers = _column_names(header_cells)
    if isinstance(source, _XlsxSource) and source.merged:
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


def _choose_sheet(path: Path, source: _XlsxSource, kind: str | None, header_row: int, header_cells: list[str],
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
