"""Settings of the HTTP service only (environment prefix CREDITNET_, like graph.settings.Settings)."""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITNET_", extra="ignore")

    max_upload_mb: float = Field(50, gt=0, description="Largest request body accepted by POST /api/v1/records/{kind}, in MB.")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
