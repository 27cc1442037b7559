"""What a test needs from the machine beyond Python: a server, a file outside the repository, a tool, a permission.

Where it is missing the test is skipped with the reason, unless the matching flag is 1: then it fails. scripts/test
sets CREDITNET_REQUIRE_NEO4J; .ci/run sets every flag, so that nothing in CI is skipped for something absent.
"""
from __future__ import annotations

import os
from typing import NoReturn

import pytest

NEO4J = "CREDITNET_REQUIRE_NEO4J"          # the test server (CREDITNET_TEST_NEO4J_URI)
BROWSER = "CREDITNET_REQUIRE_BROWSER"      # Chromium and Playwright, for the pages
REALDATA = "CREDITNET_REQUIRE_REALDATA"    # the real registration extracts beside the repository
TOOLS = "CREDITNET_REQUIRE_TOOLS"          # mount and the right to use it (a small tmpfs), git and the repository
FLAGS = (NEO4J, BROWSER, REALDATA, TOOLS)


def unavailable(flag: str, reason: str) -> NoReturn:
    """Skip with `reason`, or fail with it where `flag` is 1."""
    if flag not in FLAGS:
        raise ValueError(f"unknown flag {flag}")
    if os.environ.get(flag) == "1":
        pytest.fail(f"{flag}=1 but {reason}", pytrace=False)
    pytest.skip(reason)
