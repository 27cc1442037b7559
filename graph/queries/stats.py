"""How much is in the store: nodes per class, records per department, and what loads rejected."""
from __future__ import annotations

from typing import Any

from graph.stores.base import GraphStore
from graph.vocabulary import UNKNOWN, vocabulary


def unknown_words(used: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The list types and role labels in the store that the vocabulary does not know, with how often each is used:
    what the bureau adds to CREDITNET_HOME/vocabulary/ (an unknown list restricts only its own subject, an unknown
    role is a non-binding link)."""
    v = vocabulary()
    return {"list_types": {w: n for w, n in sorted(used["list_types"].items()) if not v.list_category(w).known},
            "roles": {w: n for w, n in sorted(used["roles"].items()) if UNKNOWN in v.role_classes(w)}}


def stats(store: GraphStore) -> dict[str, Any]:
    counts, version, used = store.read(lambda reader: (reader.counts(), reader.data_version, reader.words_used()))
    counts["unknown"] = unknown_words(used)
    history = store.load_history()
    rejects = {"rows": sum(h["rejected"] for h in history),
               "files": [{"file": h["file"], "rejected": h["rejected"], "rejects_file": h["rejects_file"]}
                         for h in history if h["rejected"]]}
    return {"store": store.name, "data_version": version, **counts, "loads": len(history), "rejects": rejects}
