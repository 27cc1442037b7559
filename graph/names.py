"""Normalising enterprise names, so that a name typed at the licence window finds the registered one, and reading a
name's parts (region prefix, trade name, company form, branch) for the name search (graph/queries/search.py)."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import opencc

_SPACE = re.compile(r"\s+")
# OpenCC's character and phrase tables (t2s): a form filled in traditional characters names the same enterprise
# (西吉縣 … 有限公司 is 西吉县 … 有限公司). One converter, built once: its tables load in ~10 ms.
_T2S = opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    # ASCII never changes, and most registered names are simplified already: OpenCC costs ~2 µs a name.
    return text if text.isascii() else _T2S.convert(text)


def normalise_name(name: str | None) -> str:
    """Fold width (NFKC turns （集团） into (集团)), drop spaces, unify brackets, traditional characters to
    simplified; case-fold Latin letters."""
    if not name:
        return ""
    text = to_simplified(unicodedata.normalize("NFKC", _invisible(name)))
    text = text.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    return _SPACE.sub("", text).casefold()


# What is no part of a name (graph/names._invisible): control characters but whitespace (Unicode's Cc), the format
# characters a copied cell or a pasted name carries (Cf: soft hyphen, zero-width spaces and joiners, direction marks,
# word joiners, a byte-order mark), and the quotation marks a name is written between on a form.
_NOT_OF_A_NAME = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                            "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb“”‘’「」『』《》〈〉]")
_END_PUNCTUATION = "。、，；：！？．"


def _invisible(text: str) -> str:
    """`text` without what is no part of a name: the invisible characters a copied cell or a pasted name carries
    (a zero-width space, ^A), the quotation marks it is written between (“西吉县鹏程建材有限公司”), and the full stop
    or comma after it. One regular expression: a load normalises every name it reads."""
    text = _NOT_OF_A_NAME.sub("", text)
    return text.rstrip().rstrip(_END_PUNCTUATION) if text and text[-1] in _END_PUNCTUATION + " \t\r\n" else text


def is_han(char: str) -> bool:
    """A CJK unified ideograph (the basic block and extension A: every character of a registered name here)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def han_text(name: str | None) -> str:
    """The Han characters of a normalised name, in order: what the name index of both stores holds, so that a
    bracket, a digit or a Latin letter can never make the two indexes disagree about which names contain a run of
    characters (docs/stores.md, "The name index")."""
    return "".join(c for c in normalise_name(name) if is_han(c))


def spaced_han(name: str | None) -> str:
    """The Han characters separated by spaces: the embedded store's FTS5 column, one token per character."""
    return " ".join(han_text(name))


# The company forms a clerk writes for one another on a form (公司法: 有限责任公司 may be called 有限公司).
_FORMS = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"))


def name_variants(name: str | None) -> list[str]:
    """Other normalised spellings of the same registered name: the company form written the other way."""
    norm = normalise_name(name)
    out = []
    for long, short in _FORMS:
        if norm.endswith(long):
            out.append(norm[: -len(long)] + short)
        elif norm.endswith(short) and not norm.endswith(long):
            out.append(norm[: -len(short)] + long)
    return [v for v in out if v != norm]


# --- a name's parts ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NameWords:
    """The words that make up a name's prefix and ending, from name_parts.toml."""
    regions: tuple[str, ...]            # read bare or with a suffix; longest first
    counties: tuple[str, ...]           # read only with a suffix; longest first
    region_suffixes: tuple[str, ...]    # longest first
    forms: tuple[tuple[str, str], ...]  # (ending, form class), longest first
    branches: tuple[str, ...]
    group: str
    provinces: frozenset[str]
    province_of: dict[str, str]         # a city's or county's province

    @cached_property
    def region_set(self) -> frozenset[str]:
        return frozenset(self.regions)

    @cached_property
    def county_set(self) -> frozenset[str]:
        return frozenset(self.counties)


@lru_cache(maxsize=1)
def name_words() -> NameWords:
    data = tomllib.loads((Path(__file__).parent / "vocabulary" / "name_parts.toml").read_text(encoding="utf-8"))
    def longest_first(words) -> tuple[str, ...]:
        return tuple(sorted({normalise_name(w) for w in words}, key=lambda w: (-len(w), w)))

    forms = [(normalise_name(ending), cls) for cls, endings in data["forms"].items() for ending in endings]
    return NameWords(longest_first(w for group in data["regions"].values() for w in group),
                     longest_first(w for group in data["counties"].values() for w in group),
                     longest_first(data["region_suffixes"]),
                     tuple(sorted(forms, key=lambda f: (-len(f[0]), f[0]))),
                     tuple(normalise_name(b) for b in data["branches"]), data["group"],
                     frozenset(data["regions"]["provinces"]),
                     {place: province for group, province in data["province_names"].items()
                      for table in ("regions", "counties") for place in data[table].get(group, ())})


@dataclass(frozen=True)
class NameParts:
    """A normalised name read as 行政区划 + 字号/行业 + 组织形式 (+ 分支机构): 宁夏 + 西吉县 | 鹏程建材 | 有限公司 |
    (宁夏分公司). `form_class` groups endings that mean the same kind of body (有限公司 ≈ 有限责任公司)."""
    regions: tuple[str, ...]
    core: str
    form: str
    form_class: str
    group: bool
    branch: str


def _suffixed(text: str, word: str, words: NameWords) -> str:
    """`word` with the region suffix that follows it in `text`, or ""."""
    rest = text[len(word):]
    return next((word + suffix for suffix in words.region_suffixes if rest.startswith(suffix)), "")


def _leading_region(text: str, words: NameWords, first: bool) -> str:
    # Longest first, by set look-ups of the name's first 5, 4, 3, 2 characters (a parse is asked for every
    # candidate a search scores: a loop over the tables' 180 words cost most of a search at 1,000,000 names).
    for length in (5, 4, 3, 2):
        region = text[:length]
        if region in words.region_set:
            # 宁夏 is in the table; 宁夏回族自治区 must not leave 回族自治区 behind.
            return _suffixed(text, region, words) or region
    for length in (5, 4, 3, 2):
        county = text[:length]
        if county in words.county_set and (found := _suffixed(text, county, words)):
            return found
    # A city or county in no table: two characters and 市/县/区 (东阳市), as the first word only, and not where the
    # next character makes it a word of the trade (鑫源市场).
    if first and len(text) > 3 and text[2] in "市县区" and text[3] not in "场政":
        return text[:3]
    return ""


def _trailing_region(text: str, words: NameWords) -> str:
    """The place `text` ends with (西吉, 西吉县, 宁夏), or "": a branch's own name written without its head office's
    form."""
    for length in (6, 5, 4, 3, 2):
        place = text[-length:]
        if len(text) <= length:
            continue
        if place in words.region_set or place in words.county_set:
            return place
        for suffix in words.region_suffixes:
            root = place[: -len(suffix)]
            if place.endswith(suffix) and len(root) >= 2 and (root in words.region_set or root in words.county_set):
                return place
    return ""


_HEAD_OFFICE_FORMS = ("limited", "shares", "company")
# Words that name a branch only after a head office's form (…有限公司西吉经营部): on their own, 西吉县鹏程建材经营部 is
# an enterprise of that name, not a branch.
_AFTER_A_FORM_ONLY = ("经营部", "门市部")


@lru_cache(maxsize=65536)
def parse_name(norm: str) -> NameParts:
    """The parts of a normalised name. What cannot be told apart stays in the core: a parse never empties it."""
    words = name_words()
    text, branch = norm, ""
    for word in words.branches:
        at = text.rfind(word)
        # …有限公司(兴隆分公司): the branch part written in brackets ends the name with its closing bracket.
        closed = text[-1:] in ")]" and text[:-1].endswith(word)
        if at > 0 and (text.endswith(word) or closed):
            # The branch's own name runs back to the head office's form: …有限公司 | 宁夏分公司.
            head_end = max((text.rfind(f, 0, at) + len(f) for f, cls in words.forms
                            if cls in _HEAD_OFFICE_FORMS and text.rfind(f, 0, at) > 0), default=-1)
            if head_end > 0:
                text, branch = text[:head_end], text[head_end:]
            elif word not in _AFTER_A_FORM_ONLY:
                # No head office's form before it, as officials type a branch (六盘山农业科技西吉分公司): the branch's
                # own name is the word and the place just before it, in brackets or not (鹏程建材(西吉)分公司).
                before = text[:at]
                opened = before.rfind("(") if before.endswith(")") else -1
                place = before[opened:] if opened > 0 else _trailing_region(before, words)
                if at - len(place) >= 2:
                    text, branch = text[:at - len(place)], text[at - len(place):]
            break
    regions: list[str] = []
    while True:
        region = _leading_region(text, words, not regions)
        if not region or len(text) - len(region) < 2:
            break
        regions.append(region)
        text = text[len(region):]
    form, form_class = "", ""
    for ending, cls in words.forms:
        if text.endswith(ending) and len(text) - len(ending) >= 2:
            form, form_class, text = ending, cls, text[: -len(ending)]
            break
    group = False
    for marker in (f"({words.group})", f"[{words.group}]", words.group):
        if text.endswith(marker) and len(text) - len(marker) >= 2:
            group, text = True, text[: -len(marker)]
            break
    return NameParts(tuple(regions), text, form, form_class, group, branch)


# What an enterprise's or organisation's name has and a person's does not.
_ORGANISATION_WORDS = re.compile(r"公司|厂|店|社|部|局|院|所|中心|商行|行$|馆|站|场|队|会|室|园|坊|处|铺|庄|团|集团|合作")
_PERSON_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}[·•．.][\u4e00-\u9fff·•．.]{1,12}")


def looks_like_person_name(name: str | None) -> bool:
    """Whether a name cell holds a person's name (马小红, 阿依古丽·买买提) rather than an enterprise's: two to four
    Han characters, or a name with a middle dot, and no word that names a business or an organisation."""
    text = re.sub(r"\s+", "", name or "")
    return bool(_PERSON_NAME.fullmatch(text)) and not _ORGANISATION_WORDS.search(text)


def fold_company_form(norm: str) -> str:
    """A normalised name with 有限责任公司 written 有限公司: one company form, as departments use the two (a name
    search ranks them as the same form, graph/name_match.py)."""
    return norm.replace("有限责任公司", "有限公司")


@lru_cache(maxsize=65536)  # asked for every enterprise a check is about: normalising a name costs ~2 µs
def folded_name(name: str | None) -> str:
    """`name` normalised (normalise_name) with its company form folded (fold_company_form)."""
    return fold_company_form(normalise_name(name))


# Endings that say what kind of body it is, not which: a caption drops them. A shop's ending (超市, 加工厂) is its
# trade and stays.
_CAPTION_DROPS = frozenset({"limited", "shares", "company", "partnership", "sole", "cooperative"})


def short_name(name: str | None, norm: str | None = None) -> str | None:
    """The distinctive part of an enterprise's name, for a caption where the whole name does not fit (Neo4j Browser
    cuts a caption to a few characters, so every enterprise of the county read "西吉县金金…"): the region prefix and
    the company form dropped, a branch kept — 西吉县金金建材有限公司 → 金金建材, …有限公司宁夏分公司 → 金金建材 宁夏分公司.
    As the name was written (width folded, spaces dropped), not case-folded or simplified. `norm`: the name
    already normalised (normalise_name), where the caller has it."""
    norm = normalise_name(name) if norm is None else norm
    if not norm:
        return None
    parts = parse_name(norm)
    start = sum(len(r) for r in parts.regions)
    written = _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))
    text = written if len(written) == len(norm) else norm  # the same characters, one for one: take the name's own
    core = text[start:start + len(parts.core)]
    if parts.form and parts.form_class not in _CAPTION_DROPS:
        core = text[start:start + len(parts.core) + len(parts.form)]
    branch = text[len(text) - len(parts.branch):] if parts.branch else ""
    return f"{core} {branch}" if branch else core
