"""Which registered enterprises (or persons) does this typed name mean, best first, and why?

Officials and applicants write names as they remember them (docs/domain.md, "Real-world variation"): another
company form, no county prefix, a short name, a character missing, extra or swapped, traditional characters. The
candidates and their scores come from graph/queries/name_candidates.py.
Each candidate's status is the registry's 登记状态 and whether the check (graph/queries/check.py) finds it restricted
on the day asked. Persons are found by name for departments only: the public search never asks for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.errors import InvalidRequest
from graph.model import Party
from graph.queries.check import evaluate
from graph.queries.name_candidates import DEFAULT_LIMIT, MAX_LIMIT, Candidate, candidates, typed_name
from graph.settings import Settings
from graph.stores.base import GraphReader, GraphStore

KINDS = ("enterprise", "person")


@dataclass
class SearchResult:
    query: str
    normalised: str
    candidates: list[Candidate] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "normalised": self.normalised,
                "candidates": [c.as_dict() for c in self.candidates]}


def _limit(limit: int | None) -> int:
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit 应在 1 到 {MAX_LIMIT} 之间 (limit must be 1..{MAX_LIMIT})", {"field": "limit"})
    return limit


def with_status(reader: GraphReader, found: list[Candidate], as_of: date, settings: Settings) -> None:
    """Each candidate's 登记状态 and whether it is restricted on `as_of`, as the check decides it (its binding rules:
    depth 0, the rules reach as far as they must)."""
    for c in found:
        registration = (reader.enterprise(c.key) or {}).get("status") if c.kind == "enterprise" else None
        verdict = evaluate(reader, Party(c.kind, c.key, c.name), as_of, 0, settings).verdict
        c.status = {"registration": registration, "restricted": verdict == "restricted"}


def search(store: GraphStore, query: str | None, *, kind: str = "enterprise", limit: int | None = None,
           as_of: date | None = None, settings: Settings, status: bool = True) -> SearchResult:
    """Ranked candidates for a typed name. `status` False: names and scores only (the pages' suggestions)."""
    typed = typed_name(query)
    if kind not in KINDS:
        raise InvalidRequest("kind 应为 enterprise 或 person (kind must be enterprise or person)", {"field": "kind"})
    wanted = _limit(limit)

    def question(reader: GraphReader) -> SearchResult:
        found = candidates(reader, typed, kind, wanted)
        if status:
            with_status(reader, found, as_of or date.today(), settings)
        return SearchResult(typed.typed, typed.norm, found)

    return store.read(question)
