"""Personal ID numbers in public output (DOMAIN.md, "Public disclosure versus departmental sharing").

In public output an ID number is masked (keep the region and the last four). The public views are built
from an allow-list of fields; `scrub` then masks any ID number that still hides in free text (a clerk may
type one into 备注 or 详情), and `find_id_numbers` is the check the tests run over every public response.

People write ID numbers the way the loaders accept them (DOMAIN.md: "strip spaces, full-width → half-width"),
so the scan does too: full-width digits, and digits grouped by spaces, hyphens or `+` (a space in a query
string; `110101 19900307 123X`), count as an ID number when the 18 characters hold its birth date and check
digit. A request line carries a full-width number percent-encoded (`%EF%BC%91…`): `mask_secrets` decodes such
runs before it looks. A 15-digit number is a registration number here (DOMAIN.md), so a first-generation
15-digit ID number is not recognised.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import unquote

from graph.identifiers import InvalidIdentifier, looks_like_id_number, mask_id_number, validate_id_number

_DIGIT = "[0-9\uff10-\uff19]"
_CHECK = "[0-9Xx\uff10-\uff19\uff38\uff58]"
_SEPARATOR = "[ \u3000+\\-\u2010\u2011\uff0d]"  # spaces, `+` (a space in a query string), hyphens
_GAP = _SEPARATOR + "?"  # at most one separator between two digits
_WORD = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
# 18 digits (the last may be X), perhaps grouped, not part of a longer code.
_ID_SHAPED = re.compile(f"(?<![{_WORD}]){_DIGIT}(?:{_GAP}{_DIGIT}){{16}}{_GAP}{_CHECK}(?![{_WORD}])")
_SEPARATORS = re.compile(_SEPARATOR)
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# Enterprise codes are public and never personal: a USCC may by chance be shaped like a valid ID number.
CODE_FIELDS = frozenset({"key", "uscc", "reg_no", "code"})


def _compact(token: str) -> str:
    """An ID-shaped match as the loaders read it: separators out, full-width folded, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", token)).upper()


def is_id_number(token: str) -> bool:
    """A valid resident ID number (GB 11643: shape, birth date and check digit), written as people write it."""
    code = _compact(token)
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
            text = _decode_percent_runs(value) if "%" in value else value
            found.extend(m.group() for m in _ID_SHAPED.finditer(text) if is_id_number(m.group()))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(data)
    return found


def _mask_match(m: re.Match) -> str:
    token = m.group()
    return mask_id_number(_compact(token)) if is_id_number(token) else token


def mask_text(text: str) -> str:
    return _ID_SHAPED.sub(_mask_match, text)


def _decode_percent_runs(text: str) -> str:
    def decode(m: re.Match) -> str:
        try:
            return unquote(m.group(), errors="strict")
        except UnicodeDecodeError:  # not UTF-8: leave the run as it was
            return m.group()

    return _PERCENT_RUN.sub(decode, text)


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
    if "%" in text:
        # A URL in a log line carries full-width digits percent-encoded. The line is shown decoded only
        # when decoding reveals an ID number, so that every other line stays as it was written.
        decoded = _decode_percent_runs(text)
        if decoded != text:
            masked = mask_text(decoded)
            if masked != decoded:
                return masked
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
