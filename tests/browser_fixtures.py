"""The browser and the demo county of the tests in headless Chromium (tests/test_web_browser*.py, test_web_screens.py,
test_web_alerts_browser.py, test_web_explore.py).

- `chromium`: Debian's Chromium driven by Playwright, launched once per test process. Each tab is a context of its
  own (`Tab` in tests/test_web_browser.py): no cookie, storage or cache is shared between tests.
- `demo`: `creditnet demo --enterprises 300` with two accounts, and a `creditnet serve` over it, for each module
  that asks for it. The county and its accounts are built once per test process (`_demo_home`); each module's
  server runs over a copy of that home of its own, so what one module writes (an upload, checks in the audit
  trail) no other module reads.

Skipped with the reason when /usr/bin/chromium (or Playwright) is missing, unless CREDITNET_REQUIRE_BROWSER=1
(as in CI), which turns that into a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import needs
from servers import free_port, stop, wait_for_health

from web_fixtures import serves_pages

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CREDITNET_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--lang=zh-CN"]  # the browser's own words (file picker, date fields) in Chinese, as in the office


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: apt-get install chromium chromium-driver (.ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="session")
def chromium():
    missing = _browser_missing()
    if missing:
        needs.unavailable(needs.BROWSER, missing)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", "from cli.main import app; app()", *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": "embedded",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}


class Demo:
    def __init__(self, home: Path, base: str, admin: str, department: str, scenarios: dict):
        self.home, self.base, self.admin, self.department, self.s = home, base, admin, department, scenarios


@pytest.fixture(scope="session")
def _demo_home(tmp_path_factory, chromium) -> tuple[Path, str, str]:
    """`creditnet demo --enterprises 300` in a home of its own and two accounts, once per test process: the home,
    the admin's key and 县司法局's. No server runs over it; the modules' servers run over copies (`demo`)."""
    home = tmp_path_factory.mktemp("web-demo") / "home"
    env = _env(home)
    _cli(env, "demo", "--enterprises", "300", "--json")
    admin = json.loads(_cli(env, "accounts", "add", "县市场监督管理局", "--role", "admin", "--json"))["key"]
    department = json.loads(_cli(env, "accounts", "add", "县司法局", "--json"))["key"]
    return home, admin, department


@pytest.fixture(scope="module")
def demo(tmp_path_factory, chromium, _demo_home):
    """The demo county with its two accounts in a home of this module's own (a copy of `_demo_home`), and the
    server over it."""
    built, admin, department = _demo_home
    home = tmp_path_factory.mktemp("web") / "home"
    shutil.copytree(built, home)
    env = _env(home)
    scenarios = json.loads((home / "demo-files" / "manifest.json").read_text(encoding="utf-8"))["scenarios"]
    port = free_port()
    from api.app import create_app
    if serves_pages(create_app()):
        command = [sys.executable, "-c", "from cli.main import app; app()", "serve", "--port", str(port),
                   "--log-level", "warning"]
    else:  # until api/app.py includes the web router: the same app, with it included (tests/web_fixtures.py)
        command = [sys.executable, "-m", "uvicorn", "web_fixtures:create_app_with_web", "--factory",
                   "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(proc, base, 60)
        yield Demo(home, base, admin, department, scenarios)
    finally:
        stop(proc)
