"""Is this enterprise restricted today, and why, at a glance (the banner on its profile)?

The check's binding rules decide it, as a check at depth 0 would: the enterprise itself on an active listing, an
officer on a list that bars them from that office, a head under the three-year bar. Links to review are a
check's question, not a profile's: the banner says 当前受限 or not, and the check page says the rest.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from graph.model import Party
from graph.queries.check import evaluate
from graph.settings import Settings
from graph.stores.base import GraphReader


def restriction_status(reader: GraphReader, party: Party, on: date, settings: Settings) -> dict[str, Any]:
    """`restricted`, and `reasons`: each binding rule that applies, the party it applies through (with the chain
    to it, as the check spells it) and the record IDs of the listings it rests on (one listing may stand behind
    two reasons: the enterprise's own listing that names its legal representative)."""
    result = evaluate(reader, party, on, 0, settings)
    reasons = [{"rule": h.rule, "party": h.party.as_dict(), "path": h.path,
                "record_ids": [r["record_id"] for r in h.restrictions if r.get("record_id")]}
               for h in result.hits if h.binding]
    return {"restricted": result.verdict == "restricted", "reasons": reasons}
