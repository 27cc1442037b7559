"""How much is in the store: nodes per class, records per department, and what loads rejected."""
from __future__ import annotations

from typing import Any

from graph.stores.base import GraphStore


def stats(store: GraphStore) -> dict[str, Any]:
    counts, version = store.read(lambda reader: (reader.counts(), reader.data_version))
    history = store.load_history()
    rejects = {"rows": sum(h["rejected"] for h in history),
               "files": [{"file": h["file"], "rejected": h["rejected"], "rejects_file": h["rejects_file"]}
                         for h in history if h["rejected"]]}
    return {"store": store.name, "data_version": version, **counts, "loads": len(history), "rejects": rejects}
