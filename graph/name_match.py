"""How close a registered name is to a typed one: a score a person can read (0–100) and the reasons it is not 100.

One function for every store: the stores only find candidates (graph/stores, `name_candidates`), and this ranks
them, so both stores order the same candidates the same way. The score starts at 100 and loses points for each
difference, by how much it changes who is meant:
- the trade name (字号 and 行业, the name's core) is what names an enterprise: each character missing, extra or
  changed costs in proportion to the core's length (one character of four matters more than one of ten);
- a region prefix left out, or another spelling of the same company form (有限公司 for 有限责任公司), costs little:
  clerks and applicants write names so (docs/domain.md, "Real-world variation");
- another region, another kind of body (股份有限公司 for 有限公司) or a branch for its head office (分公司: a branch is
  an enterprise of its own) costs much.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz.distance import OSA, Levenshtein

from graph.names import NameParts, name_words, normalise_name, parse_name, to_simplified

# Reasons, as the answer gives them (docs/api.md lists them). English, stable: the pages and the CLI translate.
FORM_DIFFERS = "form differs"
NO_FORM = "no company form"
NO_REGION = "no region prefix"
REGION_ADDED = "region prefix added"
REGION_DIFFERS = "region differs"
REGION_SPELT = "region written differently"
SHORT_NAME = "short name"
PART_OF_NAME = "part of the name"
SWAPPED = "characters swapped"
TRADITIONAL = "traditional characters"
HEAD_OFFICE = "head office, not the branch"
BRANCH = "a branch, not the head office"
OTHER_BRANCH = "another branch"
REASON_TEXT = {
    FORM_DIFFERS: "组织形式不同", NO_FORM: "未写组织形式", NO_REGION: "未写行政区划", REGION_ADDED: "多写了行政区划",
    REGION_DIFFERS: "行政区划不同", REGION_SPELT: "行政区划写法不同", SHORT_NAME: "简称", PART_OF_NAME: "名称的一部分",
    SWAPPED: "字序颠倒", TRADITIONAL: "繁体字", HEAD_OFFICE: "是总公司而非分公司", BRANCH: "是分公司而非总公司",
    OTHER_BRANCH: "另一分支机构",
}


def differ_reason(n: int) -> str:
    return "1 character differs" if n == 1 else f"{n} characters differ"


def reason_text(reason: str) -> str:
    """A reason in Chinese, for the pages and the CLI's readable output."""
    if reason.endswith(("character differs", "characters differ")):
        return f"{reason.split()[0]}个字不同"
    return REASON_TEXT.get(reason, reason)


@dataclass(frozen=True)
class TypedName:
    """A name as typed, read once for all the candidates it is compared with."""
    typed: str
    norm: str

    @classmethod
    def of(cls, typed: str) -> TypedName:
        return cls(typed, normalise_name(typed))

    @cached_property
    def parts(self) -> NameParts:
        return parse_name(self.norm)

    @cached_property
    def written(self) -> str:
        return _written(self.typed)

    def traditional_against(self, registered_name: str) -> bool:
        """Whether the typed name and the registered one differ in traditional and simplified characters: the
        reason is given where the two are written differently and one of them is traditional."""
        registered = _written(registered_name)
        return registered != self.written and (to_simplified(self.written) != self.written
                                               or to_simplified(registered) != registered)


# Brackets left out or put in (西吉县聚源集团物流有限公司 for 西吉县聚源（集团）物流有限公司): the same name, as typed.
_NO_BRACKETS = str.maketrans("", "", "()[]")


def _written(name: str) -> str:
    """A name as written, its width and spaces folded: what tells traditional characters from simplified ones."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def _province(region: str) -> str | None:
    """The province a region word belongs to, where the table knows it (宁夏 for 西吉县 and 银川市)."""
    words = name_words()
    root = region
    for suffix in words.region_suffixes:
        if root.endswith(suffix) and len(root) > len(suffix):
            root = root[: -len(suffix)]
            break
    return words.province_of.get(root, root if root in words.provinces else None)


def _region_penalty(typed: tuple[str, ...], registered: tuple[str, ...]) -> tuple[int, str | None]:
    if typed == registered:
        return 0, None
    if not typed:
        return 2, NO_REGION
    if not registered:
        return 6, REGION_ADDED
    typed_set, registered_set = set(typed), set(registered)
    if typed_set <= registered_set or registered_set <= typed_set:
        return 2, REGION_SPELT
    typed_provinces = {p for p in map(_province, typed) if p}
    registered_provinces = {p for p in map(_province, registered) if p}
    local_typed = {r for r in typed if _province(r) != r}
    local_registered = {r for r in registered if _province(r) != r}
    if (typed_provinces and registered_provinces and not typed_provinces & registered_provinces) or \
            (local_typed and local_registered and not local_typed & local_registered):
        return 15, REGION_DIFFERS
    return 3, REGION_SPELT  # 宁夏 for 西吉县: the same place, written at another level


def _form_penalty(typed: NameParts, registered: NameParts) -> tuple[int, str | None]:
    if typed.form == registered.form and typed.group == registered.group:
        return 0, None
    if not typed.form:
        return (3, NO_FORM) if typed.group == registered.group else (6, FORM_DIFFERS)
    if typed.form_class == registered.form_class and typed.group == registered.group:
        return 2, FORM_DIFFERS
    return 10, FORM_DIFFERS


def _branch_penalty(typed: str, registered: str) -> tuple[int, str | None]:
    if typed == registered:
        return 0, None
    if not typed:
        return 30, BRANCH
    if not registered:
        return 30, HEAD_OFFICE
    return (5, differ_reason(1)) if Levenshtein.distance(typed, registered) == 1 else (15, OTHER_BRANCH)


def _core_penalty(typed: str, registered: str) -> tuple[int, str | None]:
    """Characters missing, extra, changed or swapped in the trade name, costed by the registered core's length."""
    if typed == registered:
        return 0, None
    length = max(len(registered), 3)
    if typed and typed in registered:
        # 鹏程 for 鹏程建材: a part of the name, as officials shorten names when they type.
        return round(30 * (len(registered) - len(typed)) / length) + 4, PART_OF_NAME
    edits = OSA.distance(typed, registered)
    reason = SWAPPED if edits < Levenshtein.distance(typed, registered) and edits == 1 else differ_reason(edits)
    return round(40 * edits / length), reason


def score(typed: TypedName, registered_name: str) -> tuple[int, list[str]]:
    """(0–100, reasons) for a registered name against the typed one. 100: the same name once width, brackets,
    spaces and traditional characters are folded."""
    norm = normalise_name(registered_name)
    reasons = [TRADITIONAL] if typed.traditional_against(registered_name) else []
    if norm == typed.norm or norm.translate(_NO_BRACKETS) == typed.norm.translate(_NO_BRACKETS):
        return 100, reasons
    q, r = typed.parts, parse_name(norm)
    penalties = [_region_penalty(q.regions, r.regions), _form_penalty(q, r), _branch_penalty(q.branch, r.branch)]
    core = _core_penalty(q.core, r.core)
    # A region typed without its suffix, or a character lost in it, leaves the region in the typed core (西吉鹏程建材):
    # compare region and core together too, and keep the kinder reading. Only where the regions differ: with the
    # same region, its characters would only dilute a trade name's differences (程远建材 is not 鹏程建材).
    if q.regions != r.regions:
        joined = _core_penalty("".join(q.regions) + q.core, "".join(r.regions) + r.core)
        if joined[0] < core[0] + penalties[0][0]:
            penalties[0], core = (0, None), joined
    penalties.append(core)
    found = [reason for _, reason in penalties if reason]
    if NO_REGION in found and NO_FORM in found:
        found = [SHORT_NAME if x == NO_REGION else x for x in found if x != NO_FORM]
    return max(0, 100 - sum(p for p, _ in penalties)), reasons + found


def person_score(typed: TypedName, registered_name: str) -> tuple[int, list[str]]:
    """A person's name has no parts: 100 when equal (width, spaces, traditional characters folded), else points
    off for each character missing, extra, changed or swapped."""
    reasons = [TRADITIONAL] if typed.traditional_against(registered_name) else []
    penalty, reason = _core_penalty(typed.norm, normalise_name(registered_name))
    return max(0, 100 - penalty), reasons + ([reason] if reason else [])
