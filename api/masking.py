"""Personal ID numbers in public output (DOMAIN.md, "Public disclosure versus departmental sharing").

In public output an ID number is masked (keep the region and the last four). The public views are built
from an allow-list of fields; `scrub` then masks any ID number that still hides in free text (a clerk may
type one into 备注 or 详情), and `find_id_numbers` is the check the tests run over every public response.
"""
from __future__ import annotations

import re
from typing import Any

from graph.identifiers import InvalidIdentifier, looks_like_id_number, mask_id_number, validate_id_number

# An 18-character run of 17 digits and a check character, not part of a longer code.
_ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
# Enterprise codes are public and never personal: a USCC may by chance be shaped like a valid ID number.
CODE_FIELDS = frozenset({"key", "uscc", "reg_no", "code"})


def is_id_number(token: str) -> bool:
    """A valid resident ID number (GB 11643: shape, birth date and check digit)."""
    code = token.upper()
    if not looks_like_id_number(code):
        return False
    try:
        validate_id_number(code)
    except InvalidIdentifier:
        return False
    return True


def find_id_numbers(data: Any) -> list[str]:
    """Every unmasked ID number anywhere in a JSON value: in strings, inside free text, and in dict keys."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.extend(t for t in _ID_SHAPED.findall(value) if is_id_number(t))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(data)
    return found


def mask_text(text: str) -> str:
    return _ID_SHAPED.sub(lambda m: mask_id_number(m.group()) if is_id_number(m.group()) else m.group(), text)


# `cn_<key id>_<secret>` (graph/accounts.py): the key id may be shown, the secret never.
_API_KEY = re.compile(r"\b(cn_[0-9A-Za-z]+_)[A-Za-z0-9_\-]{8,}")
# An Authorization header's value, should anything print headers.
_CREDENTIALS = re.compile(r"(?i)\b(bearer|basic)(\s+|%20|\+)[^\s'\",;&]+")


def mask_secrets(text: str) -> str:
    """The text with ID numbers masked (region and last four) and API key secrets and credentials replaced:
    for log lines, and for answers that echo what a caller typed."""
    if "cn_" in text:  # the substring tests spare most log lines the regular expressions
        text = _API_KEY.sub(r"\1***", text)
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered:
        text = _CREDENTIALS.sub(r"\1\2***", text)
    return mask_text(text)


def scrub(data: Any, keep_codes: bool = True, _field: str | None = None, mask=mask_text) -> Any:
    """A copy of a JSON value with every ID number masked. keep_codes leaves enterprise code fields as they
    are (public views); error details echo what the caller typed, so they are scrubbed whole, with
    `mask=mask_secrets` so that a key pasted into the wrong place is not echoed either."""
    if isinstance(data, str):
        return data if keep_codes and _field in CODE_FIELDS else mask(data)
    if isinstance(data, dict):
        return {mask(k) if isinstance(k, str) else k: scrub(v, keep_codes, k, mask) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [scrub(v, keep_codes, _field, mask) for v in data]
    return data
