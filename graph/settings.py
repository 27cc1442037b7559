"""One settings class for every part of creditnet (environment prefix CREDITNET_)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import InvalidSetting


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

    @field_validator("home", mode="before")
    @classmethod
    def _home(cls, value: Any) -> Any:
        # An empty CREDITNET_HOME would be the current directory: a new, empty store there, checks answered from it.
        if isinstance(value, str) and not value.strip():
            raise ValueError("不能为空：请写存放数据的目录，或不设置此变量而用默认目录 (must name a directory; unset it for "
                             "the default)")
        return value

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
    return read_settings(Settings)


AnySettings = TypeVar("AnySettings", bound=BaseSettings)


def read_settings(cls: type[AnySettings]) -> AnySettings:
    """The settings from the environment; InvalidSetting, one line naming each bad CREDITNET_* variable, its value
    and what it accepts, instead of pydantic's report."""
    try:
        return cls()
    except ValidationError as exc:
        problems = [_problem(cls, e) for e in exc.errors()]
        raise InvalidSetting("；".join(p["message"] for p in problems), {"settings": problems}) from None


def _problem(cls: type[BaseSettings], error: Any) -> dict[str, str]:
    name = str(error["loc"][0]) if error.get("loc") else ""
    variable = f"{cls.model_config.get('env_prefix', '')}{name}".upper()
    value = str(error.get("input", ""))
    if error.get("type") == "value_error":  # a validator's own reason, already in both languages
        reason = str(error["ctx"]["error"]) if "error" in error.get("ctx", {}) else error.get("msg", "")
        message = f"设置 {variable} 的值“{value}”无效：{reason}"
    else:
        field = cls.model_fields.get(name)
        zh, en = _accepted(field) if field is not None else ("", "")
        message = (f"设置 {variable} 的值“{value}”无效，{zh or '请核对'} "
                   f"(invalid {variable}={value!r}: {'expected ' + en if en else error.get('msg', '')})")
    return {"variable": variable, "value": value, "message": message}


def _accepted(field: Any) -> tuple[str, str]:
    """What a setting accepts, in Chinese and in English: its choices, or the kind and range of its number."""
    kind = field.annotation
    if get_origin(kind) is Literal:
        choices = [str(c) for c in get_args(kind)]
        return "可选：" + "、".join(choices), "one of " + ", ".join(choices)
    if kind not in (int, float):
        return "", ""
    bounds = {attr: getattr(m, attr) for m in field.metadata for attr in ("ge", "gt", "le", "lt")
              if getattr(m, attr, None) is not None}
    shown = {attr: f"{b:g}" if isinstance(b, float) else str(b) for attr, b in bounds.items()}
    noun_zh, noun_en = ("整数", "an integer") if kind is int else ("数", "a number")
    if "ge" in shown and "le" in shown:
        return (f"应为 {shown['ge']} 到 {shown['le']} 之间的{noun_zh}",
                f"{noun_en} from {shown['ge']} to {shown['le']}")
    words = {"ge": ("不小于", "at least"), "gt": ("大于", "greater than"), "le": ("不大于", "at most"),
             "lt": ("小于", "less than")}
    zh = "、".join(f"{words[a][0]} {v}" for a, v in shown.items())
    en = " and ".join(f"{words[a][1]} {v}" for a, v in shown.items())
    return (f"应为{zh} 的{noun_zh}" if zh else f"应为{noun_zh}", f"{noun_en} {en}" if en else noun_en)
