"""A department's file as rows of cells: its format and encoding read from the bytes (the extension cannot be
trusted), then streamed as (row number, cells) from a CSV or an XLSX source. What the rows mean (which is the
header, which kind of file, which column is which field) is graph/loaders/reading.py's.
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
from itertools import zip_longest
from pathlib import Path
from typing import Iterator

from graph.loaders.merged import MergedCells, find_ranges


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
HEADER_SEARCH_ROWS = 10               # a title row ("西吉县行政处罚信息汇总表") may sit above the header
CHUNK_BYTES = 1 << 20
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


def sniff_encoding(path: Path, sample: bytes) -> tuple[str, str]:
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


class CsvSource:
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


class XlsxSource:
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


def open_source(path: Path) -> tuple[CsvSource | XlsxSource, str]:
    """The file's rows of cells, and its encoding ("xlsx" for a workbook); LoadError for a file that is not a table
    (missing, empty, an image, an old .xls or an encrypted workbook)."""
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
    if sample.startswith(b"PK\x03\x04"):
        return XlsxSource(path), "xlsx"
    if sample.startswith(b"PK"):
        raise LoadError(path, "xlsx 文件已损坏，无法打开，请在 Excel 中重新保存 (damaged .xlsx; re-save it in Excel)")
    if sample.startswith(_OLE2):
        raise LoadError(path, "旧版 Excel (.xls) 或加密的工作簿，请另存为 .xlsx 或 CSV 并取消密码 "
                              "(legacy .xls or encrypted workbook: save as .xlsx or CSV without a password)")
    for magic, what in _MAGIC.items():
        if sample.startswith(magic):
            raise _not_a_table(path, what)
    encoding, codec = sniff_encoding(path, sample)
    return CsvSource(path, codec, size), encoding
