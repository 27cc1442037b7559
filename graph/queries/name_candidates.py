"""The candidates a typed name may mean, best first, with the reasons of their scores (graph/queries/search.py asks
it for the name search, graph/queries/subject.py for a name a check cannot find as typed):
1. the store's name index finds them: every name holding one of the query's runs of two or three Han characters, a
   run that more than TERM_CAP names hold counting for nothing (`GraphReader.name_candidates`: exact on both stores,
   so both find the same candidates), and the names equal to the query once normalised;
2. one ranking for every store (graph/name_match.py) scores the best-placed candidates 0–100 with their reasons.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from graph.errors import InvalidRequest
from graph.name_match import TypedName, person_score, score
from graph.names import han_text, is_han, name_variants
from graph.stores.base import GraphReader

MAX_QUERY_CHARS = 200
MIN_QUERY_CHARS = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# A run of characters more names than this hold (商贸, 有限) says little about which one is meant, and reading all
# their names would make a search cost the county's size: such a run is left out of the candidates' count.
TERM_CAP = 200
# The most Han characters of the query turned into runs: a query of 200 characters must not ask 400 questions.
TERM_CHARS = 24
# Candidates scored in full: the ones holding the most of the query's runs, then the closest by edit similarity.
SCORED = 100
# Below this a candidate shares too little with the query to be offered.
MIN_SCORE = 40
# Wildcards and full-text syntax (LIKE's %, FTS5's and Lucene's * " ( NEAR …): a name never holds them, and a query
# that does is refused rather than passed on — the index is only ever asked about Han characters anyway.
_SYNTAX = re.compile(r"[%*?\"'\\^~{}|<>=:;`]|\bNEAR\s*\(", re.IGNORECASE)
_WILDCARDS = re.compile(r"[%*?\"'\\|]|\bNEAR\s*\(", re.IGNORECASE)



@dataclass
class Candidate:
    kind: str
    key: str
    name: str
    score: int
    reasons: list[str]
    status: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "name": self.name, "score": self.score, "reasons": self.reasons,
                "status": self.status}


def typed_name(query: str | None) -> TypedName:
    """The query read as a name, or InvalidRequest saying what is wrong with it (exit code 2, HTTP 422)."""
    text = (query or "").strip()
    if not text:
        raise InvalidRequest("请输入要查找的名称 (the name to search for is empty)", {"field": "q"})
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"名称最多 {MAX_QUERY_CHARS} 个字，您输入了 {len(text)} 个字：请只输入名称 (the name is longer "
                             f"than {MAX_QUERY_CHARS} characters)", {"field": "q", "max": MAX_QUERY_CHARS})
    # Invisible format characters (a zero-width space pasted with the name) are dropped by normalise_name; control
    # characters, surrogates and private-use characters are refused.
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in text):
        raise InvalidRequest("名称含有控制字符，请重新输入 (the name holds control characters)", {"field": "q"})
    # Full-width ＊ ％ ＂ … are the same wildcards once the width is folded, as the name will be (not the full-width
    # colon or semicolon a Chinese text writes: 证件号码：…).
    found = _SYNTAX.search(text) or _WILDCARDS.search(unicodedata.normalize("NFKC", text))
    if found:
        raise InvalidRequest(f"名称含有通配符或检索语法“{found.group(0)}”：请直接输入企业名称或其中的几个字，不支持通配符 "
                             f"(wildcards and search syntax are not accepted: type the name or part of it)",
                             {"field": "q", "found": found.group(0)})
    typed = TypedName.of(text)
    if len(typed.norm) < MIN_QUERY_CHARS:
        raise InvalidRequest(f"请至少输入 {MIN_QUERY_CHARS} 个字 (type at least {MIN_QUERY_CHARS} characters)",
                             {"field": "q", "min": MIN_QUERY_CHARS})
    return typed


def terms(typed: TypedName, kind: str) -> list[str]:
    """The runs of two and three Han characters the index is asked about: every run of the query except those
    wholly inside its region prefix or its company form (what most names share), so that the runs across the trade
    name's ends (县乙, 材有) still find a short trade name typed with a character swapped."""
    text = han_text(typed.norm)
    head = tail = 0
    if kind == "enterprise":
        parts = typed.parts
        head = len(han_text("".join(parts.regions)))
        tail = 0 if parts.branch else len(han_text(parts.form))
        if len(text) - head - tail < 2:  # a query that is all region or form: ask about all of it
            head = tail = 0
    found = set()
    for n in (2, 3):
        for i in range(len(text) - n + 1):
            if i + n > head and i < len(text) - tail:
                found.add(text[i:i + n])
    return sorted(found, key=lambda t: (text.index(t), len(t)))[:2 * TERM_CHARS]


def candidates(reader: GraphReader, typed: TypedName, kind: str = "enterprise", limit: int = DEFAULT_LIMIT,
               min_score: int = MIN_SCORE) -> list[Candidate]:
    """The best `limit` candidates for a typed name, without their status: what a check asks when a name is not
    registered as typed."""
    found: dict[str, tuple[str, int]] = {}
    for key, name, matched in reader.name_candidates(kind, terms(typed, kind), TERM_CAP):
        found[key] = (name, matched)
    if kind == "enterprise":
        # Names equal to the query (or with the other company form) always take part: a name of Latin letters only
        # has nothing in the index, and a common one ("西吉县商贸有限公司") may hold only common runs.
        for norm in [typed.norm, *name_variants(typed.norm)]:
            for party in reader.enterprises_by_name(norm, limit=MAX_LIMIT):
                found[party.key] = (party.name, max(found.get(party.key, ("", 0))[1], 1))
    else:
        # A person registered under exactly the name typed always takes part: a name of Latin letters (John Smith,
        # from a passport) has nothing in the index.
        written = " ".join(unicodedata.normalize("NFKC", typed.typed).split())
        for spelling in dict.fromkeys((written, written.upper(), written.title(), written.lower())):
            for party in reader.persons_by_name(spelling, limit=MAX_LIMIT):
                found[party.key] = (party.name, max(found.get(party.key, ("", 0))[1], 1))
    query_han = han_text(typed.norm)
    # The most-matched first; among as many, the closest by edit similarity of the Han characters as registered.
    best = sorted(found.items(), key=lambda item: -item[1][1])
    floor = best[SCORED - 1][1][1] if len(best) >= SCORED else 0
    placed = sorted((item for item in best if item[1][1] >= floor),
                    key=lambda item: (-item[1][1], -fuzz.ratio(query_han, _han(item[1][0])), item[0]))[:SCORED]
    scored = []
    for key, (name, _) in placed:
        points, reasons = score(typed, name) if kind == "enterprise" else person_score(typed, name)
        if points >= min_score:
            scored.append(Candidate(kind, key, name, points, reasons))
    scored.sort(key=lambda c: (-c.score, c.key))
    return scored[:limit]


def _han(name: str) -> str:
    return "".join(c for c in name if is_han(c))
