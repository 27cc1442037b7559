"""The store factory: one setting chooses the embedded store or Neo4j."""
from __future__ import annotations

from graph.settings import Settings, get_settings
from graph.stores.base import GraphStore


def open_store(settings: Settings | None = None) -> GraphStore:
    settings = settings or get_settings()
    if settings.backend == "neo4j":
        from graph.stores.neo4j import Neo4jStore  # the driver is only imported where it is used
        return Neo4jStore.from_settings(settings)
    from graph.stores.embedded import EmbeddedStore
    return EmbeddedStore(settings.home, load_cache_mb=settings.load_cache_mb)
