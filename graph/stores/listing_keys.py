"""Listings keyed by their list, not by how its name was spelt.

A listing's natural key holds its list type (graph/rows.natural_key). Keyed by the spelling, a court's removal row
sent as 失信被执行人名单 did not find the listing it had sent as 失信被执行人: it became a second listing, and the
first stayed active. The key now holds the list's identity (graph/vocabulary.list_identity). Stores keyed before,
or under other list-type tables (local additions in CREDITNET_HOME move a spelling into a category), are re-keyed
when they open: each listing's key gets the identity of the list type it keeps, unless another listing of the same
enterprise already holds that key (two listings sent before under two spellings stay two; the later one decides
nothing about the earlier, so neither is dropped).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from graph.vocabulary import list_identity, vocabulary


def identities_fingerprint() -> str:
    """Changes whenever list identities may: the list-type table as loaded (packaged and local)."""
    table = [(c.id, c.names, c.exclude) for c in vocabulary().categories]
    return hashlib.blake2b(repr(table).encode(), digest_size=8).hexdigest()


def rekeyed(natural: str, list_type: str | None) -> str:
    """The listing's natural key with its list part made the list's identity (the rest — sender, start, person —
    as it was)."""
    parts = natural.rsplit("|", 3)
    if len(parts) != 4:
        return natural
    return "|".join([list_identity(list_type), *parts[1:]])


def plan(listings: Iterable[tuple[object, object, str, str | None]]) -> list[tuple[object, str]]:
    """(record, new key) for each listing whose key changes: `listings` is (record, enterprise, natural key, list
    type) for every listing. A new key another listing of the enterprise holds (or takes first) is not taken."""
    rows = list(listings)
    taken = {(scope, natural) for _, scope, natural, _ in rows}
    changes = []
    for record, scope, natural, list_type in rows:
        new = rekeyed(natural, list_type)
        if new != natural and (scope, new) not in taken:
            taken.add((scope, new))
            changes.append((record, new))
    return changes
