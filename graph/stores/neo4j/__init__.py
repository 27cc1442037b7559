"""The Neo4j store (a province): errors, writer, reader, store and its Cypher, one module each."""
from graph.stores.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
