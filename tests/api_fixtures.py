"""Fixtures for the API tests (registered for every test by tests/conftest.py; import only the helpers).

- `keys`: one API key per role the tests need, in the `home` of the test: 县发改局 and 县财政局 (department
  accounts), the market supervision bureau's admin account, and a revoked 县公安局 key.
- `client`: FastAPI's TestClient on an app over the `county` store (so: every backend), with `keys`.
- `auth(key)`: the Authorization header for a key.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from county import BLACKLIST_HEADERS

from api.app import create_app
from api.config import ApiSettings
from graph import accounts as accounts_module
from graph.accounts import Accounts

__all__ = ["Keys", "app_client", "auth", "blacklist_csv", "client", "fast_keys", "keys", "listing_row"]


@dataclass
class Keys:
    fdrc: str        # 县发改局, department
    finance: str     # 县财政局, department
    admin: str       # 县市场监督管理局, admin
    revoked: str     # 县公安局, department, revoked
    fdrc_id: str


def auth(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


@pytest.fixture
def fast_keys(monkeypatch):
    # The test keys are as random as real ones; fewer PBKDF2 rounds only make the suite quicker.
    monkeypatch.setattr(accounts_module, "ITERATIONS", 1000)


@pytest.fixture
def keys(home, fast_keys) -> Keys:
    with Accounts(home) as accounts:
        fdrc_account, fdrc = accounts.add("县发改局")
        _, finance = accounts.add("西吉县财政局")
        _, admin = accounts.add("县市场监管局", role="admin")
        _, revoked = accounts.add("县公安局")
        accounts.revoke("县公安局")
    return Keys(fdrc, finance, admin, revoked, fdrc_account.key_id)


def app_client(**api_settings) -> TestClient:
    """A TestClient over a new app (enter it with `with`); api_settings override ApiSettings."""
    return TestClient(create_app(api_settings=ApiSettings(**api_settings)))


@pytest.fixture
def client(county, keys):
    with app_client() as c:
        yield c


def listing_row(code: str, name: str, sender: str = "县发改局", start: str = "2026-01-01", n: int = 1,
                list_type: str = "黑名单") -> dict[str, str]:
    """One blacklist row keyed by the seed's headers."""
    return dict(zip(BLACKLIST_HEADERS, [str(n), code, name, "《测试依据》", "测试", start, "", sender, "县财政局",
                                        list_type, "", "", "", ""]))


def blacklist_csv(rows: list[dict[str, str]] | list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(BLACKLIST_HEADERS)
    for r in rows:
        w.writerow([r.get(h, "") for h in BLACKLIST_HEADERS] if isinstance(r, dict) else r)
    return out.getvalue().encode(encoding)

