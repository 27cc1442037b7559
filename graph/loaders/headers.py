"""Header matching and kind detection: which column is which field, and what kind of file this is.

Departments type their headers by hand in Excel, so the same column arrives as `统一社会信用代码（企业注册号）`
(full-width brackets, as in the seed), `统一社会信用代码(企业注册号)`, ` 统一社会信用代码 ` with stray spaces or a
BOM, `*统一社会信用代码` (templates star their required columns) or `统一社会信用代码\n(企业注册号)` (a wrapped
header cell). Every header, in the file and in `graph.model.KINDS`, is folded the same way before comparing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from graph.model import COURT_CODE_HEADERS, COURT_NAME_HEADERS, KINDS, Kind

_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_NOTE = re.compile(r"[(\[【].*$")  # a bracketed note a template adds after the header (folded: half-width)


def normalise_header(text: object) -> str:
    """Fold a header for comparison: NFKC (full-width brackets → half-width), no spaces, BOM, zero-width
    characters or required-field stars, lower case (for English headers)."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    return _INVISIBLE.sub("", folded).strip("*").lower()


def _header_index(kind: Kind) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in kind.fields:
        for header in (f.header, *f.aliases):
            index.setdefault(normalise_header(header), f.name)
    return index


HEADER_INDEX: dict[str, dict[str, str]] = {name: _header_index(kind) for name, kind in KINDS.items()}
KNOWN_HEADERS = frozenset(h for index in HEADER_INDEX.values() for h in index)


def code_fields(kind: str) -> tuple[str, ...]:
    """The columns that attach a row to an enterprise: the code, or for registry extracts a 注册号."""
    return ("code", "reg_no") if kind == "enterprise" else ("code",)


@dataclass
class HeaderMap:
    kind: str
    column_map: dict[str, str]          # source header -> field name
    ignored_columns: list[str]
    duplicates: dict[str, list[str]]    # field name -> the source headers that all map to it

    def missing_required(self) -> list[str]:
        """Seed headers of required columns absent from the file (a code column counts once)."""
        kind = KINDS[self.kind]
        present = set(self.column_map.values())
        missing = [f.header for f in kind.fields
                   if f.required and f.name not in present and f.name not in code_fields(self.kind)]
        if not present & set(code_fields(self.kind)):
            missing.insert(0, " / ".join(kind.field(n).header for n in code_fields(self.kind)))
        return missing


def map_headers(headers: list[str], kind: str) -> HeaderMap:
    index = HEADER_INDEX[kind]
    column_map: dict[str, str] = {}
    ignored: list[str] = []
    by_field: dict[str, list[str]] = {}
    for header in headers:
        norm = normalise_header(header)
        name = index.get(norm)
        if name is None and norm:  # a note after the header: 限制期限至（长期的不填）
            name = index.get(_NOTE.sub("", norm))
        if name is None:  # 序号 (a row counter in every template) lands here too
            if norm:  # a blank header cell is an unused column, not worth listing
                ignored.append(header)
            continue
        column_map[header] = name
        by_field.setdefault(name, []).append(header)
    duplicates = {name: hs for name, hs in by_field.items() if len(hs) > 1}
    return HeaderMap(kind, column_map, ignored, duplicates)


def _signature_fields(kind: str) -> frozenset[str]:
    # Signature columns are named by their Chinese headers; compared by field, so that English headers
    # (aliases) count as well.
    return frozenset(HEADER_INDEX[kind][normalise_header(s)] for s in KINDS[kind].signature)


SIGNATURE_FIELDS = {name: _signature_fields(name) for name in KINDS}


@dataclass
class Fit:
    score: int            # known columns plus signature columns present
    signature: int        # signature columns present
    mapping: HeaderMap

    @property
    def fits(self) -> bool:
        """Code column, every required column and at least one signature column: without the last, any file
        with a code and a name would pass as an enterprise register."""
        return self.signature > 0 and not self.mapping.missing_required()


def rank_kinds(headers: list[str]) -> list[Fit]:
    """Every kind scored by its known columns plus its signature columns, best first."""
    fits = []
    for kind in KINDS:
        mapping = map_headers(headers, kind)
        present = set(mapping.column_map.values())
        signature = len(present & SIGNATURE_FIELDS[kind])
        fits.append(Fit(len(present) + signature, signature, mapping))
    return sorted(fits, key=lambda f: -f.score)


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose columns the headers fit best, or None.

    A kind fits only when the file has its code column, every required column and one of its signature
    columns; a tie between the best is no answer. The signature columns tell apart kinds that share columns:
    blacklist and member both have 人员类别/姓名/证件号码, penalty and penalty-change share 行政处罚决定书文号,
    license and license-change share 许可文件编号.
    """
    fitting = [f for f in rank_kinds(headers) if f.fits]
    if not fitting:
        return None
    tied = [f.mapping.kind for f in fitting if f.score == fitting[0].score]
    return tied[0] if len(tied) == 1 else None


def explain_no_kind(headers: list[str]) -> str:
    """Why detection failed, in words a clerk can act on: the closest kind and what it lacks."""
    shown = "、".join(h for h in headers if h) or "（空）"
    ranked = [f for f in rank_kinds(headers) if f.score]
    if not ranked:
        return (f"无法识别文件类型：未找到已知列（表头：{shown}）。请按模板填写表头，或选择记录类别（命令行用 --kind 指定） "
                f"(no known columns; use --kind)")
    fits = [f for f in ranked if f.fits]
    fitting = [f.mapping.kind for f in fits if f.score == fits[0].score]
    if len(fitting) > 1:
        return (f"无法识别文件类型：表头同样符合{'、'.join(KINDS[k].label for k in fitting[:3])}。请选择记录类别"
                f"（命令行用 --kind 指定） (ambiguous kind: {', '.join(fitting[:3])}; use --kind)")
    closest = ranked[0].mapping
    missing = "、".join(closest.missing_required()) or "、".join(KINDS[closest.kind].signature[:3])
    # The English part names no header: the pages show the Chinese part alone, cut at the bracket of the English one.
    return (f"无法识别文件类型：未找到已知列的完整组合；最接近{KINDS[closest.kind].label}，但缺少列：{missing}（表头：{shown}）。"
            f"请按模板补上这些列，或选择记录类别（命令行用 --kind 指定） "
            f"(no known columns for any kind; closest is {closest.kind}; use --kind)")


def header_score(cells: list[str], kind: str | None = None) -> int:
    """How many cells are known headers: used to find the header row below a title row."""
    known = HEADER_INDEX[kind] if kind else KNOWN_HEADERS
    return sum(1 for c in cells if normalise_header(c) in known)


# Headers only a court's 失信被执行人 export has (中国执行信息公开网's columns).
_COURT_EXPORT = frozenset(normalise_header(h) for h in (
    "失信被执行人行为具体情形", "执行法院", "被执行人的履行情况", "生效法律文书确定的义务", "执行依据文号", "做出执行依据单位",
    *COURT_NAME_HEADERS, *COURT_CODE_HEADERS))
COURT_LIST_TYPE = "失信被执行人"


def implied_columns(headers: list[str], kind: str | None) -> dict[str, str]:
    """Columns a file leaves out because the whole file is one value of them, as {seed header: value}: a court's
    失信被执行人 export (two or more of its own columns) has no 信息类型, and every row is that list."""
    if kind not in (None, "blacklist") or "list_type" in map_headers(headers, "blacklist").column_map.values():
        return {}
    if len({normalise_header(h) for h in headers} & _COURT_EXPORT) < 2:
        return {}
    return {KINDS["blacklist"].field("list_type").header: COURT_LIST_TYPE}
