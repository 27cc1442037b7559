"""What an alert keeps of a check's hit, and how a listing of one subject is named: the same whether read from a
check's hit (graph/supervision/rescreen.py) or from a department's listings (report.py, responses.py)."""
from __future__ import annotations

import hashlib
from typing import Any

from graph.model import Hit


def listing_id(party_key: str, restriction: dict[str, Any]) -> str:
    """A listing of one subject, the same whether read from a check's hit or from a department's listings."""
    text = "|".join(str(x or "") for x in (party_key, restriction.get("type"), restriction.get("sender"),
                                            restriction.get("valid_from"), restriction.get("person_name")))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def summarise(hit: Hit) -> dict[str, Any]:
    """What an alert keeps of a hit: who, by which rule, the listings active on the day."""
    active = [r for r in hit.restrictions if r.get("status") == "active"] or hit.restrictions
    return {"key": f"{hit.party.kind}:{hit.party.key}|{hit.rule or 'link'}", "party": hit.party.as_dict(),
            "binding": hit.binding, "rule": hit.rule, "hops": hit.hops,
            "listings": [{"id": listing_id(hit.party.key, r), "type": r.get("type"), "sender": r.get("sender"),
                          "receivers": r.get("receivers") or [], "valid_from": r.get("valid_from"),
                          "valid_to": r.get("valid_to"), "basis": r.get("basis")} for r in active]}
