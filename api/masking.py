"""Personal ID numbers in public output (docs/domain.md, "Public disclosure versus sharing between departments").

In public output an ID number is masked (keep the region and the last four). The public views are built
from an allow-list of fields; `scrub` then masks any ID number that still hides in free text (a clerk may
type one into 法律描述, 备注 or 详情), and `find_id_numbers` lists what would still need masking.

People write ID numbers the way the loaders accept them (docs/domain.md: "strip spaces, full-width → half-width"),
and some ways more: after letters (`身份证号No640422198001010012`), with a lower-case x, in full-width digits,
grouped by spaces, `/`, hyphens or `+` (a space in a query string). So the scan reads runs of digits (and X)
that at most three characters of punctuation or space keep apart, on one line; a letter or a CJK character
ends a run. Any 18 characters of a run that hold a real birth date (18xx–20xx) and the MOD 11-2 check
character are an ID number, wherever they sit in the run: a longer run that holds one shows it all the same.
A request line carries a full-width number percent-encoded (`%EF%BC%91…`): `mask_secrets` decodes such runs
before it looks.

A 15-digit number may be a first-generation resident ID number (region, YYMMDD, a 3-digit sequence) or an
enterprise's registration number (注册号, GS15-2006 check digit), which is public; a registration number's
positions 7–12 often read as a date, so the shape alone cannot tell them apart. The rule:
- in a field that holds a person's number (PERSON_FIELDS: id_number, legal_rep_id_number, 证件号码, …) a
  15-digit number is a person's and is masked;
- in an enterprise's code field (CODE_FIELDS: key, uscc, reg_no, code) it is a registration number and shown;
- in free text, a run of exactly 15 digits is masked when positions 7–12 are a real YYMMDD date and either a
  personal word (PERSONAL_WORDS: 身份证, 证件, 身份号码, 公民身份号码, `id_number`, the `persons/` of a URL)
  stands within the 24 characters before it with no other number in between, or it fails the registration
  number's check digit (a 注册号 that fails it is rare, pre-2007 only, and then shows masked). A 15-digit
  number with no personal word before it and a good check digit is read as a registration number and shown;
- after a personal word, a 16- or 17-digit number is an ID number mistyped (no enterprise code has that length)
  and is masked too, as it is in a person's field.
Masked, a 15-digit number keeps its region and last four too: `640422*****1001`.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from graph.identifiers import id15_to_18, looks_like_id_number, mask_id_number, plain_id_number, reg_no_check_digit

_RUN_CHAR = "[0-9Xx\uff10-\uff19\uff38\uff58]"
# Between two characters of a number: one to three characters that are neither letters, digits nor CJK, on
# one line (`_` counts as punctuation).
_GAP = r"(?:[^\w\r\n]|_){0,3}"
# At least 15 digits (or X) long: anything shorter cannot be an ID number.
_RUN = re.compile(f"{_RUN_CHAR}(?:{_GAP}{_RUN_CHAR}){{14,}}")
_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# Enterprise codes are public and never personal: a USCC may by chance be shaped like a valid ID number.
CODE_FIELDS = frozenset({"key", "uscc", "reg_no", "code"})
# Fields that hold a person's number: there a 15-digit number is a first-generation ID number.
PERSON_FIELDS = frozenset({"id_number", "legal_rep_id_number", "masked_id", "id_masked", "person_key",
                           "证件号码", "法定代表人证件号码", "身份证号码", "公民身份号码"})
# Words that, just before a 15-digit number in free text, make it a person's.
PERSONAL_WORDS = ("身份证", "身份号码", "公民身份", "居民身份", "证件", "id_number", "persons/")
# How far back a personal word counts: far enough for "身份证号码应为17位数字加1位校验码，实为“…”" (22), the
# message that echoes a mistyped number.
_CONTEXT = 24
_ANOTHER_NUMBER = re.compile("[0-9\uff10-\uff19]{6,}|[*＊]")


def _is_id_number(code: str) -> bool:
    """18 characters (digits, upper-case X last) of a GB 11643 number: birth date and check character."""
    return looks_like_id_number(code) and plain_id_number(code) is not None


def _is_first_generation(code: str, personal: bool) -> bool:
    if id15_to_18(code) is None:  # not 15 digits with a real YYMMDD birth date
        return False
    return personal or reg_no_check_digit(code[:14]) != code[14]


def _follows_personal_word(text: str, start: int) -> bool:
    """A personal word in the _CONTEXT characters before `start`, after any other number: in "身份证号…，注册号…"
    the word is the first number's, not the second's."""
    before = _ANOTHER_NUMBER.split(text[max(0, start - _CONTEXT):start])[-1].lower()
    return any(word in before for word in PERSONAL_WORDS)


def _id_numbers_in_run(m: re.Match) -> list[tuple[int, int, str]]:
    """(start, end, number) of each ID number in a run, the positions relative to the run."""
    token = m.group()
    places = [i for i, c in enumerate(token) if c.translate(_HALF_WIDTH) in "0123456789X"]
    code = "".join(token[i] for i in places).translate(_HALF_WIDTH)
    found, i = [], 0
    while i + 18 <= len(code):
        if _is_id_number(code[i:i + 18]):
            found.append((places[i], places[i + 17] + 1, code[i:i + 18]))
            i += 18
        else:
            i += 1
    if not found and 15 <= len(code) <= 17 and code.isdigit():
        personal = _follows_personal_word(m.string, m.start())
        if _is_first_generation(code, personal) or (personal and len(code) > 15):
            found.append((places[0], places[-1] + 1, code))
    return found


def is_id_number(token: str) -> bool:
    """A valid resident ID number (GB 11643: shape, birth date and check digit), written as people write it."""
    m = _RUN.fullmatch(token)
    return m is not None and [(start, end) for start, end, code in _id_numbers_in_run(m) if len(code) == 18] == [
        (0, len(token))]


def find_id_numbers(data: Any) -> list[str]:
    """Every unmasked ID number anywhere in a JSON value: in strings, inside free text, and in dict keys."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            text = _decode_percent_runs(value) if "%" in value else value
            for m in _RUN.finditer(text):
                found.extend(m.group()[start:end] for start, end, _ in _id_numbers_in_run(m))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(data)
    return found


def _mask_run(m: re.Match) -> str:
    token, out, done = m.group(), [], 0
    for start, end, code in _id_numbers_in_run(m):
        out += [token[done:start], mask_id_number(code)]
        done = end
    return "".join(out) + token[done:] if out else token


def mask_text(text: str) -> str:
    return _RUN.sub(_mask_run, text)


def mask_person_number(value: str) -> str:
    """A value from a field that holds a person's number (PERSON_FIELDS), with a 15- to 17-digit number masked:
    there it is a first-generation ID number (or one mistyped), whatever its digits say. An 18-character value is
    left to mask_text, which knows the check character; other values are returned as they are."""
    code = "".join(value.split()).translate(_HALF_WIDTH)
    return mask_id_number(code) if 15 <= len(code) <= 17 and code.isascii() and code.isdigit() else value


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
        if _field in PERSON_FIELDS:
            data = mask_person_number(data)
        return data if keep_codes and _field in CODE_FIELDS else mask(data)
    if isinstance(data, dict):
        return {mask(k) if isinstance(k, str) else k: scrub(v, keep_codes, k, mask) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [scrub(v, keep_codes, _field, mask) for v in data]
    return data
