"""Settings of the HTTP service only (environment prefix CREDITNET_, like graph.settings.Settings)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITNET_", extra="ignore")

    max_upload_mb: float = Field(50, gt=0, description="Largest request body accepted by POST /api/v1/records/{kind}, in MB.")
    audit_synchronous: Literal["NORMAL", "FULL"] = Field(
        "NORMAL", description="NORMAL: a check is answered once its audit row is committed (it survives a crash of the "
        "service) and the row is on disk within about 0.2 s (a power cut can lose the last fraction of a second). "
        "FULL: every commit also waits for the disk before the answer goes out (slower; see RELIABILITY.md).")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
