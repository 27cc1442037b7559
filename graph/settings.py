"""One settings class for every part of creditnet (environment prefix CREDITNET_)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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
    neo4j_rows_per_transaction: int = Field(100_000, ge=1, description=(
        "Most rows of a file written in one Neo4j transaction. A file with more is committed in parts of about "
        "this many rows, made visible by its last commit (docs/stores.md): the server's transaction memory then "
        "bounds a part, not the file. A 100,000-row registry file's transaction peaked at about 1.7 GB, inside the "
        "2.1 GB a 3 GB heap allows one transaction."))
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
    feedback_overdue_days: int = Field(15, ge=1, le=365, description=(
        "Days a receiving department has to record what it did about a listing (响应 → 反馈), counted from the "
        "listing's 限制期限自: the bureau's report (creditnet alerts report) counts a listing unanswered after them "
        "as overdue (逾期未反馈), and one answered after them as answered late."))

    alerts_workers: int = Field(2, ge=1, le=32, description=(
        "Processes a pass of alerts checks with when it re-checks thousands of watched subjects (a full re-screen): "
        "each has its own connection to the store. 1: everything in the process that runs the pass."))
    webhook_allowed_networks: str = Field("", description=(
        "Networks, besides this machine (loopback, always allowed), that a department's webhook may point to: "
        "addresses or CIDR blocks separated by commas, e.g. '10.20.0.0/16,192.168.8.5'. Every address the "
        "webhook's host name resolves to must be in one of them, at registration and again before each delivery. "
        "Link-local, multicast and unspecified addresses are refused whatever this says, and so is a block "
        "that covers every address."))
    webhook_timeout_s: float = Field(5.0, gt=0, le=60, description="Time limit of one webhook delivery attempt "
                                     "(connect and answer), in seconds.")
    webhook_max_attempts: int = Field(8, ge=1, le=50, description="Attempts of one delivery before it is given up "
                                      "(the alerts stay readable at GET /api/v1/alerts).")
    webhook_backoff_s: float = Field(30.0, ge=0, le=3600, description="Wait before the first retry of a failed "
                                     "delivery; doubled at each further attempt, at most one hour.")
    webhook_batch: int = Field(100, ge=1, le=1000, description="Most alerts one webhook delivery carries.")

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        from graph.supervision.addresses import parse_networks
        parse_networks(value)  # refuses a bad or unsafe entry at start-up, not at the first delivery
        return value

    @property
    def database_path(self) -> Path:
        return self.home / "creditnet.sqlite"

    @property
    def rejects_dir(self) -> Path:
        return self.home / "rejects"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
