"""Fixtures and helpers for the web interface's tests (tests/test_web*.py).

- `create_app_with_web()`: the service's app with the web router included — by api/app.py itself once it
  includes it, else here. It is also the uvicorn factory the browser test serves when `creditnet serve` does
  not serve the pages yet (`python -m uvicorn web_fixtures:create_app_with_web --factory`).
- `web_client`: TestClient over that app and the `county` store (so: every backend), with `keys`.
- `EXTERNAL_URL`, `external_urls(text, origin)`: what the "no internet needed" tests look for.
- `unmasked_id_numbers(text)`: full ID numbers in a page's text, as tests/id_number_detector.py reads them.
"""
from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from id_number_detector import id_numbers_in
from reliability.live_api import app_endpoints

from api.app import create_app
from api.config import ApiSettings

# The SVG namespace is a name, not an address anything is fetched from.
ALLOWED_URLS = ("http://www.w3.org/2000/svg",)
EXTERNAL_URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def serves_pages(app: FastAPI) -> bool:
    # app_endpoints reads the routes of included routers too (FastAPI ≥ 0.16x no longer flattens them into app.routes)
    return ("GET", "/check") in app_endpoints(app)


def create_app_with_web(**api_settings) -> FastAPI:
    app = create_app(api_settings=ApiSettings(**api_settings) if api_settings else None)
    if not serves_pages(app):
        from api.web import router
        app.include_router(router)
    return app


def external_urls(text: str, origin: str | None = None) -> list[str]:
    """Every http(s):// or protocol-relative URL in `text` that is not this page's own origin."""
    found = []
    for m in EXTERNAL_URL.finditer(text):
        url = m.group()
        if url.startswith("//") and m.start() > 0 and text[m.start() - 1] in ":/":
            continue
        if any(url.startswith(a) for a in ALLOWED_URLS) or (origin and url.startswith(origin)):
            continue
        if url.startswith("//") and not re.match(r"//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", url):
            continue  # a comment's "//" or a regex, not an address
        found.append(url)
    return found


def unmasked_id_numbers(text: str) -> list[str]:
    return id_numbers_in(text)


@pytest.fixture
def web_client(county, keys):
    with TestClient(create_app_with_web()) as c:
        yield c
