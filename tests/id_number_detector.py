"""A second pair of eyes for public output: finds personal ID numbers without api/masking.py's patterns.

The privacy tests cannot judge the masking with the masking's own pattern: whatever it misses, they would miss
too. This detector reads text another way, from the standards alone (DOMAIN.md, "Identifiers"):

- fold full-width characters, percent-decode, and read a lower-case x as X;
- join digits that at most four characters of punctuation or space keep apart (`640422 / 19800101 / 0012`,
  `640422/19800101/0012`), while a letter, a CJK character or a line break ends a number;
- in every such run, try every 18-character window for a GB 11643-1999 number: 17 digits, a birth date from
  1800 on that exists, and the MOD 11-2 check character;
- in a run of 15 to 17 digits that follows a personal word (身份证, 证件, 身份号码, `id_number`, `persons/` …)
  within 24 characters, with no other number (6 digits or more, or a masked one) in between, try every
  15-character window for a first-generation number: a province's region code and a YYMMDD birth date that
  exists.

`id_numbers_in(value)` takes text or any JSON value (dict keys included) and returns the numbers it found,
upper-case and without separators.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any
from urllib.parse import unquote

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# GB/T 2260 provinces: the first two digits of any resident's region code.
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
             "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
PERSONAL_WORDS = ("身份证", "身份号码", "公民身份", "居民身份", "证件", "id_number", "idnumber", "persons/")
CONTEXT = 24
MAX_GAP = 4
# A digit or X, then more of them, each after at most MAX_GAP characters that are not letters, digits, CJK
# characters or line breaks (`_` counts as punctuation).
_RUN = re.compile(r"[0-9X](?:(?:[^\w\n\r]|_){0,%d}[0-9X])*" % MAX_GAP)


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_resident_id(code: str) -> bool:
    """18 characters of a GB 11643-1999 number: region, YYYYMMDD, sequence, MOD 11-2 check."""
    if len(code) != 18 or not code[:17].isdigit() or code[17] not in "0123456789X":
        return False
    year, month, day = int(code[6:10]), int(code[10:12]), int(code[12:14])
    if year < 1800 or not _real_date(year, month, day):
        return False
    total = sum(int(c) * w for c, w in zip(code[:17], WEIGHTS))
    return CHECK_CHARACTERS[total % 11] == code[17]


def is_first_generation_id(code: str) -> bool:
    """15 digits of a first-generation resident ID number: region, YYMMDD (19YY), a 3-digit sequence."""
    return (len(code) == 15 and code.isdigit() and code[:2] in PROVINCES
            and _real_date(1900 + int(code[6:8]), int(code[8:10]), int(code[10:12])))


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if "%" in text:
        text = unquote(text, errors="replace")
    text = unicodedata.normalize("NFKC", text)
    return text.replace("x", "X")


def id_numbers_in(value: Any) -> list[str]:
    """Every full personal ID number in `value` (text, or a JSON value), as found."""
    text = _text(value)
    lowered = text.lower()
    found = []
    for run in _RUN.finditer(text):
        digits = "".join(c for c in run.group() if c in "0123456789X")
        found += [digits[i:i + 18] for i in range(len(digits) - 17) if is_resident_id(digits[i:i + 18])]
        if 15 <= len(digits) <= 17 and digits.isdigit():
            before = re.split(r"\d{6,}|\*", lowered[max(0, run.start() - CONTEXT):run.start()])[-1]
            if any(word in before for word in PERSONAL_WORDS):
                found += [digits[i:i + 15] for i in range(len(digits) - 14) if is_first_generation_id(digits[i:i + 15])]
    return found
