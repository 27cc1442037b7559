"""One settings class for every part of creditnet (environment prefix CREDITNET_)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    # Per-user data directory, as XDG asks; an official's laptop keeps the county's store here.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "creditnet"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITNET_", extra="ignore")

    home: Path = Field(default_factory=_default_home,
                       description="Directory of the embedded store, rejects files and the audit trail.")
    backend: Literal["embedded", "neo4j"] = Field(
        "embedded", description="Which store to use: embedded (SQLite + networkx, no server) or neo4j.")
    neo4j_uri: str = Field("bolt://127.0.0.1:7687", description="Bolt or neo4j:// URI of the Neo4j server or cluster.")
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: str = Field("", description="Neo4j password (empty when authentication is off).")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    neo4j_import_command: str = Field("", description=(
        "The command `creditnet load --bulk` runs to import the files it wrote into an empty Neo4j database, with "
        "the directory of those files as its last argument: it must stop the server, run neo4j-admin database "
        "import full with the directory's import.args, and start the server again (`scripts/neo4j-local import` "
        "does). Empty: the files are written and the command to run is printed (docs/stores.md)."))
    batch_size: int = Field(10_000, ge=1, le=100_000, description="Row operations per Neo4j write batch (one UNWIND "
                            "statement per kind of write per batch; 10,000 loaded 10-15% faster than 2,000).")
    load_cache_mb: int = Field(1024, ge=16, le=65_536, description=(
        "Most memory, in MB, the embedded store's SQLite page cache may take while a file loads (released after "
        "its commit; other connections keep 64 MB). Only pages the load touches are taken, so a county uses far "
        "less; at 1,000,000 enterprises (a 2.2 GB store) a 64 MB cache made each load spill its dirty pages to "
        "the WAL and read them back, half of a registry file's load time."))
    default_depth: int = Field(3, ge=0, le=6, description="Default depth of a check.")
    max_depth: int = Field(6, ge=0, le=10, description="Largest depth a check may ask for.")
    max_parties: int = Field(50_000, ge=100, description="Most parties a traversal visits before it stops (supernodes).")
    query_timeout_s: float = Field(10.0, gt=0, description="Time limit of one graph query, in seconds.")
    snapshot_max_ended_share: float = Field(0.2, ge=0, le=1, description=(
        "Largest share of its sender's records of a class that a full export (creditnet load --snapshot) may end "
        "without --confirm-snapshot: a truncated export must not lift half a county's listings."))

    @property
    def database_path(self) -> Path:
        return self.home / "creditnet.sqlite"

    @property
    def rejects_dir(self) -> Path:
        return self.home / "rejects"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
