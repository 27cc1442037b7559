"""The domain's words as data: list types → list categories (with the rules each triggers), role labels → role
classes. The tables are `list_types.toml` and `roles.toml` beside this module, each entry with its legal basis;
a county extends them without code in `CREDITNET_HOME/vocabulary/` (same file names, same shape).

Departments write the same list and the same office in many ways (docs/domain.md, "How departments really write records"): matching
exact strings let 严重违法企业名单 and 执行董事兼总经理 through as if they carried no rule. Here a list type is
normalised and matched by its ending, and a compound role label is split into its parts.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.names import to_simplified

PACKAGED = Path(__file__).parent
LOCAL_DIR = "vocabulary"

# Role classes. Binding rule 2 and the list categories' `bars` speak of these.
HEAD = "head"
DIRECTOR = "director"
SUPERVISOR = "supervisor"
SENIOR_MANAGER = "senior_manager"
SHAREHOLDER = "shareholder"
BRANCH = "branch"
OTHER = "other"
UNKNOWN = "unknown"
OFFICES = frozenset({HEAD, DIRECTOR, SUPERVISOR, SENIOR_MANAGER})  # 公司法 2023 §178, §265
ROLE_CLASS_TEXT = {HEAD: "负责人", DIRECTOR: "董事", SUPERVISOR: "监事", SENIOR_MANAGER: "高级管理人员",
                   SHAREHOLDER: "股东", BRANCH: "分支机构", OTHER: "其他", UNKNOWN: "未知职务"}

_ROLE_SPLIT = re.compile(r"[兼、，,/;；()\[\]【】]+")
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
# A year or a batch after the list's name: 严重违法失信企业名单-2021年, …2021年度, …第一批.
_SUFFIX = re.compile(r"[-_—－·.]*(?:\d{4}年?度?|第[一二三四五六七八九十\d]+批)$")
# What a system or a form adds after a list's name: 严重违法失信企业名单信息, …名单库, 严重违法失信名单管理.
_SYSTEM_SUFFIX = re.compile(r"(?:信息|数据|库|管理)+$")
# The persons on a list: 失信被执行人员(名单) is 失信被执行人(名单).
_PERSONS = re.compile(r"人员(?=名单$|名录$|$)")
_LIST_WORD = re.compile(r"(?:名单|名录)$")
# A list's name without 名单 (严重违法失信企业) names the list only when enough is left of it: 黑 is no list.
MIN_STEM = 4
GENERIC_LIST = "blacklist"  # 黑名单: many departments' different lists end so
_FORMER_PREFIXES = ("已离任", "离任", "前任", "曾任", "历任", "原")


@dataclass(frozen=True)
class ListCategory:
    id: str
    label: str
    names: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    bars: frozenset[str] = frozenset()     # role classes a person named on an active listing may not hold
    head_bar_years: int | None = None      # the three-year bar (企业信息公示暂行条例 §17)
    basis: str = ""
    bar_basis: str = ""

    @property
    def known(self) -> bool:
        return self.id != UNKNOWN


@dataclass(frozen=True)
class PenaltyKind:
    id: str
    label: str
    words: tuple[str, ...]
    years: int
    heads_linked: bool = False
    basis: str = ""
    sector_word: str = ""
    sector_basis: str = ""

    def basis_for(self, text: str) -> str:
        """The sector law's basis where the record names the sector (食品 → 食品安全法 §135), else the general one."""
        return self.sector_basis if self.sector_word and self.sector_word in text else self.basis


UNKNOWN_LIST = ListCategory(UNKNOWN, "未知名单", basis="名单分类表未收录此信息类型：对被列入主体本身仍为受限，对其他主体仅提示关联")


def fold(text: str) -> str:
    """Full width folded, spaces removed, traditional characters simplified: how the tables compare words."""
    return to_simplified(_SPACES.sub("", unicodedata.normalize("NFKC", text or "")))


def normalise_list_type(text: str | None) -> str:
    """严重违法失信企业名单（黑名单） → 严重违法失信企业名单: width folded, spaces and bracketed parts removed."""
    return _BRACKETED.sub("", fold(text or ""))


def _list_name(text: str) -> str:
    """A list type reduced to the list's name: a trailing year or batch, and what a system adds after the name
    (信息, 库, 管理), removed; 人员 read as 人 (失信被执行人员名单 → 失信被执行人名单)."""
    name = _SUFFIX.sub("", text)
    name = _SYSTEM_SUFFIX.sub("", name)
    return _PERSONS.sub("人", _SUFFIX.sub("", name))


def _endings(names: Iterable[str]) -> tuple[str, ...]:
    """The endings a category's names match by: each name, and each name without its 名单 or 名录 when at least
    MIN_STEM characters are left (严重违法失信企业名单 → 严重违法失信企业; 黑名单 keeps its 名单)."""
    out: list[str] = []
    for n in names:
        folded = fold(n)
        stem = _LIST_WORD.sub("", folded)
        out += [folded] + ([stem] if stem != folded and len(stem) >= MIN_STEM else [])
    return tuple(dict.fromkeys(out))


class Vocabulary:
    def __init__(self, categories: list[ListCategory], roles: dict[str, str], penalties: Iterable[PenaltyKind] = ()):
        self.categories = categories
        self.roles = roles
        self.penalties = list(penalties)
        # Every word that makes a 处罚种类 a penalty of note, folded: a Neo4j check sends them with its neighbourhood.
        self.penalty_words = tuple(sorted({fold(w) for k in self.penalties for w in k.words}))
        # Longest endings first, so that 副总经理 wins over 经理 and 财务负责人 over 负责人.
        self._endings = sorted(roles, key=len, reverse=True)
        self._list_endings = {c.id: _endings(c.names) for c in categories}

    @lru_cache(maxsize=4096)
    def list_category(self, list_type: str | None) -> ListCategory:
        """The list's category: its name without brackets and a trailing year or batch, or a bracketed part that
        names a list (黑名单（严重违法失信企业名单）); a specific category wins over the generic 黑名单."""
        folded = fold(list_type or "")
        candidates = [_list_name(normalise_list_type(list_type))]
        candidates += [_list_name(m.group()[1:-1]) for m in _BRACKETED.finditer(folded)]
        found = [c for c in (self._category(name) for name in candidates if name) if c is not None]
        return next((c for c in found if c.id != GENERIC_LIST), found[0] if found else UNKNOWN_LIST)

    def _category(self, name: str) -> ListCategory | None:
        for category in self.categories:
            if any(word in name for word in category.exclude):
                continue
            if any(name.endswith(e) for e in self._list_endings[category.id]):
                return category
        return None

    @lru_cache(maxsize=1024)
    def penalty_kind(self, penalty_type: str | None) -> PenaltyKind | None:
        """The kind of note a 处罚种类 names (吊销营业执照, 责令停产停业 …), or None for an ordinary penalty."""
        text = fold(penalty_type or "")
        return next((k for k in self.penalties if any(fold(w) in text for w in k.words)), None) if text else None

    @lru_cache(maxsize=4096)
    def classes_of(self, labels: frozenset[str]) -> frozenset[str]:
        """The classes of every role a party holds (asked for each member of every enterprise checked)."""
        return frozenset().union(*(self.role_classes(label) for label in labels))

    def _former(self, part: str) -> bool:
        """A label naming an office held before (原法定代表人, 前任监事, 曾任董事, 已离任经理): 原 before a known label
        exactly (原始股东 is not one), the others before any label known by its ending."""
        for prefix in _FORMER_PREFIXES:
            rest = part[len(prefix):] if part.startswith(prefix) else None
            if not rest:
                continue
            if rest in self.roles or (prefix != "原" and any(rest.endswith(e) for e in self._endings if len(e) >= 2)):
                return True
        return False

    @lru_cache(maxsize=4096)
    def role_classes(self, label: str | None) -> frozenset[str]:
        """The classes of a role label's parts; {"unknown"} when no part is known.

        A part found only by its ending keeps that ending's class, but when the class is no office (委派代表 in
        执行事务合伙人委派代表 is "other") the label is also "unknown": what comes before the ending may make it an
        office the table lacks, so the load warns and `creditnet stats` lists it, instead of a silent link."""
        classes: set[str] = set()
        guessed = False
        for part in _ROLE_SPLIT.split(fold(label or "")):
            if not part:
                continue
            found = self.roles.get(part) or self.roles.get(part.lower())
            if found is None and self._former(part):
                classes.add(OTHER)  # 原法定代表人, 前任监事: a holder no more, a link for review, never an office
                continue
            if found is None:
                found = next((self.roles[e] for e in self._endings if len(e) >= 2 and part.endswith(e)), None)
                guessed = guessed or (found is not None and found not in OFFICES)
            if found is not None:
                classes.add(found)
        if guessed:
            classes.add(UNKNOWN)
        return frozenset(classes) or frozenset({UNKNOWN})


def _read(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _categories(data: dict) -> list[ListCategory]:
    out = []
    for c in data.get("category", []):
        out.append(ListCategory(
            id=str(c["id"]), label=str(c.get("label", c["id"])), names=tuple(c.get("names", ())),
            exclude=tuple(c.get("exclude", ())), bars=frozenset(c.get("bars", ())),
            head_bar_years=c.get("head_bar_years"), basis=str(c.get("basis", "")), bar_basis=str(c.get("bar_basis", ""))))
    return out


def _penalties(data: dict) -> list[PenaltyKind]:
    return [PenaltyKind(id=str(k["id"]), label=str(k.get("label", k["id"])), words=tuple(k.get("words", ())),
                        years=int(k.get("years", 3)), heads_linked=bool(k.get("heads_linked", False)),
                        basis=str(k.get("basis", "")), sector_word=str(k.get("sector_word", "")),
                        sector_basis=str(k.get("sector_basis", ""))) for k in data.get("kind", [])]


@lru_cache(maxsize=8)
def _load(home: str | None) -> Vocabulary:
    categories = _categories(_read(PACKAGED / "list_types.toml"))
    penalties = _penalties(_read(PACKAGED / "penalties.toml"))
    roles = {fold(k): v for k, v in _read(PACKAGED / "roles.toml").get("labels", {}).items()}
    if home:
        local = Path(home) / LOCAL_DIR
        if (local / "list_types.toml").is_file():
            extra = _categories(_read(local / "list_types.toml"))
            ids = {c.id for c in extra}
            categories = extra + [c for c in categories if c.id not in ids]
        if (local / "roles.toml").is_file():
            roles.update({fold(k): v for k, v in _read(local / "roles.toml").get("labels", {}).items()})
        if (local / "penalties.toml").is_file():
            penalties = _penalties(_read(local / "penalties.toml")) + penalties
    return Vocabulary(categories, roles, penalties)


_current: tuple[object, Vocabulary] | None = None  # (the settings object, its vocabulary): asked per listing and role
# graph.settings, imported when first asked (it pulls in pydantic, which a file's reading process may never need),
# then kept: an import statement run on every call cost 2 µs, and a check asks the vocabulary several times.
_get_settings: Callable[[], Any] | None = None


def vocabulary(home: str | Path | None = None) -> Vocabulary:
    """The packaged tables with the local additions of `home` (default: CREDITNET_HOME)."""
    global _current, _get_settings
    if home is None:
        if _get_settings is None:
            from graph.settings import get_settings
            _get_settings = get_settings
        try:
            settings = _get_settings()
        except Exception:  # settings that do not validate must not stop a file being read
            return _load(None)
        if _current is not None and _current[0] is settings:
            return _current[1]
        found = _load(str(settings.home))
        _current = (settings, found)
        return found
    return _load(str(home))


def list_category(list_type: str | None) -> ListCategory:
    return vocabulary().list_category(list_type)


def list_identity(list_type: str | None) -> str:
    """What a listing's natural key holds of its list type: the list, however its name is spelt. A list of a
    specific category is that category's first name (失信被执行人名单 and 失信被执行人 are one list); any other
    (the generic 黑名单 category, which many different lists fall in, or none) is its name normalised."""
    category = list_category(list_type)
    if category.known and category.id != GENERIC_LIST:
        return category.names[0]
    return _list_name(normalise_list_type(list_type)) or (list_type or "")


def role_classes(label: str | None) -> frozenset[str]:
    return vocabulary().role_classes(label)


def classes_of(labels) -> frozenset[str]:
    return vocabulary().classes_of(frozenset(labels))


def penalty_kind(penalty_type: str | None) -> PenaltyKind | None:
    return vocabulary().penalty_kind(penalty_type)


def penalty_words() -> list[str]:
    """Every word that makes a 处罚种类 a penalty of note: stores fetch only those penalties with a neighbourhood."""
    return list(vocabulary().penalty_words)
