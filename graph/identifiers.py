"""Identifiers of the credit system and their check digits.

Three kinds of key arrive in departments' files:
- the Unified Social Credit Code (USCC, GB 32100-2015), 18 characters;
- the older 15-digit registration number (注册号, GS15-2006, ISO 7064 MOD 11,10);
- the resident ID number (居民身份证号码, GB 11643-1999, ISO 7064 MOD 11-2).

Every value is normalised first (spaces stripped, full-width folded to half-width, upper case),
because Excel users paste codes with stray spaces and full-width letters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
# The standards' weights (GB 32100-2015, GB 11643-1999); the check characters below are computed another way.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

_SPACES = re.compile(r"[\s\u200b\ufeff]+")
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
# A load sees the same enterprise code on many rows (every member, every record): remember the answers.
_CACHE = 1 << 16


def _ascii_digits(text: str) -> bool:
    """0-9 only: str.isdigit() and int() also accept Arabic-Indic, Devanagari and other scripts' digits, which
    NFKC leaves as they are, and a key made of them is a key no one could look up."""
    return text.isascii() and text.isdigit()


def normalise_code(value: object) -> str:
    """Strip spaces, fold full-width to half-width and upper-case a code or ID number."""
    if value is None:
        return ""
    if type(value) is str and value.isascii() and value.isalnum():  # the common case: nothing to fold or strip
        return value.upper()
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub("", text).upper()


# The standards define the check characters by weighted sums (USCC_WEIGHTS, ID_WEIGHTS); int() reads them in a
# base congruent to the weights' ratio, in one step. The USCC's weights are 3**i mod 31 (1, 3, 9, 27, 19, …), so
# Σ v_i·3**i ≡ the 17 values, reversed, read in base 34 (34 ≡ 3 mod 31); the ID number's are 2**(17-i) mod 11
# (7, 9, 10, 5, …), so Σ d_i·2**(17-i) ≡ 2 × the 17 digits read in base 13 (13 ≡ 2 mod 11).
# tests/test_identifiers_plain.py holds both equal to the standards' sums.
_digits = bytearray(b"!" * 256)  # a USCC character's byte -> its value as a base-34 digit; "!" is no digit
for _value, _char in enumerate(USCC_ALPHABET):
    _digits[ord(_char)] = ord("0123456789ABCDEFGHIJKLMNOPQRSTU"[_value])
_USCC_DIGITS = bytes(_digits)


def uscc_check_char(first17: str) -> str:
    """The check character of a USCC's first 17 characters; ValueError if one is outside USCC_ALPHABET (lower
    case, I O Z S V, a space, anything non-ASCII: each becomes "!", which int() refuses)."""
    total = int(first17[:17].encode().translate(_USCC_DIGITS)[::-1], 34)
    return USCC_ALPHABET[(31 - total % 31) % 31]


def reg_no_check_digit(first14: str) -> str:
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)


def id_check_char(first17: str) -> str:
    """The check character of an ID number's first 17 characters, which the caller has checked are ASCII digits
    (int() would also read letters, "_" and other scripts' digits)."""
    return ID_CHECK[2 * int(first17[:17], 13) % 11]


class InvalidIdentifier(ValueError):
    """A code that cannot be what it claims to be; the message says why, in words a clerk can act on."""

    def __init__(self, value: str, reason: str, expected: str | None = None):
        super().__init__(reason)
        self.value = value
        self.reason = reason
        self.expected = expected


@lru_cache(maxsize=_CACHE)
def validate_uscc(value: object) -> str:
    """Return the normalised USCC or raise InvalidIdentifier saying what is wrong."""
    code = normalise_code(value)
    if not code:
        raise InvalidIdentifier(code, "统一社会信用代码为空 (code is empty)")
    if len(code) != 18:
        raise InvalidIdentifier(code, f"统一社会信用代码应为18位，实为{len(code)}位 (a USCC has 18 characters, got {len(code)})")
    bad = [c for c in code if c not in _USCC_VALUE]
    if bad:
        raise InvalidIdentifier(
            code, f"统一社会信用代码含非法字符 {''.join(sorted(set(bad)))} (I, O, Z, S, V are never used)")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(
            code, f"统一社会信用代码校验位应为 {expected}，实为 {code[17]} (check digit should be {expected})", expected)
    return code


@lru_cache(maxsize=_CACHE)
def validate_reg_no(value: object) -> tuple[str, str | None]:
    """Return (normalised 15-digit registration number, warning or None).

    Some numbers issued before 2007 fail the MOD 11,10 check (比亚迪's 440301103032184), so a failed check
    is a warning, not a rejection.
    """
    code = normalise_code(value)
    if len(code) != 15 or not _ascii_digits(code):
        raise InvalidIdentifier(code, f"注册号应为15位数字，实为“{code}” (a registration number has 15 digits)")
    expected = reg_no_check_digit(code[:14])
    if code[14] != expected:
        return code, f"注册号校验位应为 {expected}，实为 {code[14]}（2007年前的注册号可能如此，已接受）"
    return code, None


@lru_cache(maxsize=_CACHE)
def validate_id_number(value: object) -> str:
    """Return the normalised 18-digit resident ID number (upper-case X) or raise InvalidIdentifier."""
    code = normalise_code(value)
    if not code:
        raise InvalidIdentifier(code, "证件号码为空 (ID number is empty)")
    if len(code) != 18 or not _ascii_digits(code[:17]) or code[17] not in "0123456789X":
        raise InvalidIdentifier(code, f"身份证号码应为17位数字加1位校验码，实为“{code}” (an ID number has 18 characters)")
    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise InvalidIdentifier(code, f"身份证号码中的出生日期 {code[6:14]} 不存在 (impossible birth date)") from None
    expected = id_check_char(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(
            code, f"身份证号码校验位应为 {expected}，实为 {code[17]} (check digit should be {expected})", expected)
    return code


# The plain case of a load, without the normalising, the memo and the reasons: a cell that is already an
# upper-case code whose check character holds. Every other cell (None from these) goes to validate_uscc /
# validate_id_number, which say what is wrong; a loader's answer is therefore the same either way
# (tests/test_identifiers_plain.py compares them on bad input). At 1,000,000 enterprises a load checks ~5
# million codes and ID numbers, ~2–3 µs each the full way, ~0.5 here: the reading process is the slower half.
_BIRTH_DATES: set[str] = set()  # YYYYMMDD strings already seen to be real dates (~36,500 a century)


def plain_uscc(text: str) -> str | None:
    """`text` if it is an 18-character USCC as validate_uscc returns it (upper case, nothing to strip or fold,
    its check character right), else None."""
    if len(text) != 18:
        return None
    try:
        return text if text[17] == uscc_check_char(text) else None
    except ValueError:  # a character outside the alphabet
        return None


def plain_id_number(text: str) -> str | None:
    """`text` if it is a resident ID number as validate_id_number returns it (17 ASCII digits and a digit or an
    upper-case X, a real birth date, its check character right), else None."""
    if len(text) != 18 or text[17] not in "0123456789X" or not (text.isascii() and text[:17].isdigit()):
        return None
    birth = text[6:14]
    if birth not in _BIRTH_DATES:
        try:
            date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
        except ValueError:
            return None
        if len(_BIRTH_DATES) < 1 << 16:
            _BIRTH_DATES.add(birth)
    return text if id_check_char(text) == text[17] else None


def id15_to_18(value: object) -> str | None:
    """A first-generation 15-digit resident ID number (6-digit region, YYMMDD, 3-digit sequence; GB 11643-1989) in
    its 18-digit form — "19" inserted after the region, the MOD 11-2 check character appended — or None when the
    value is not 15 ASCII digits with a real birth date. Court and old registry records still carry them."""
    code = normalise_code(value)
    if len(code) != 15 or not _ascii_digits(code):
        return None
    try:
        date(1900 + int(code[6:8]), int(code[8:10]), int(code[10:12]))
    except ValueError:
        return None
    body = code[:6] + "19" + code[6:]
    return body + id_check_char(body)



# The provinces' two-digit codes (GB/T 2260) that begin every resident ID number's region.
_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
                       "71 81 82".split())


def plausible_id15(value: object) -> str | None:
    """The 18-digit form of a 15-digit value that could be a first-generation ID number — a province's region
    code and a real birth date — else None. A registration number also begins with its authority's region, so
    this tells the two apart only with the registration number's check digit (graph/loaders/fields.py)."""
    upgraded = id15_to_18(value)
    return upgraded if upgraded is not None and upgraded[:2] in _PROVINCES else None

# 证件类型 other than the resident ID card: a person is keyed by the document's kind and its number, so that a
# passport number and a travel permit's that happen to be equal are never one person.
DOCUMENT_TYPES = (
    ("外国人永久居留", "外国人永久居留身份证"), ("永久居留", "外国人永久居留身份证"),
    ("港澳台居民居住证", "港澳台居民居住证"), ("居住证", "港澳台居民居住证"),
    ("港澳", "港澳居民来往内地通行证"), ("香港", "港澳居民来往内地通行证"), ("澳门", "港澳居民来往内地通行证"),
    ("回乡证", "港澳居民来往内地通行证"), ("台湾", "台湾居民来往大陆通行证"), ("台胞", "台湾居民来往大陆通行证"),
    ("护照", "护照"), ("军官", "军官证"), ("士兵", "士兵证"), ("警官", "警官证"),
)


def document_type(id_type: str | None) -> str:
    """The canonical name of a non-resident document type (护照, 港澳居民来往内地通行证 …), or 其他证件."""
    folded = normalise_code(id_type or "")
    return next((name for word, name in DOCUMENT_TYPES if word in folded), "其他证件")


def document_key(id_type: str | None, number: object) -> str:
    """A person identified by another document than the resident ID card: `护照:E12345678`."""
    return f"{document_type(id_type)}:{normalise_code(number)}"


@dataclass(frozen=True)
class Identifier:
    kind: str  # "uscc" | "reg_no" | "id_number"
    value: str
    warning: str | None = None


def looks_like_id_number(code: str) -> bool:
    return len(code) == 18 and _ascii_digits(code[:17]) and code[17] in "0123456789X" and code[6:8] in ("18", "19", "20")


def classify(value: object) -> Identifier:
    """Tell what a key typed by an official is: a USCC, a registration number or an ID number.

    An 18-character string can be shaped like both a USCC and an ID number; the one whose check digit holds
    wins, and when neither holds the message names the check digit that was expected.
    """
    code = normalise_code(value)
    if not code.isascii():
        foreign = "".join(sorted({c for c in code if not c.isascii()}))
        raise InvalidIdentifier(
            code, f"“{code}”含有非 0-9、A-Z 的字符 {foreign}：代码和证件号码只能用半角数字 0-9 和字母，请按原件重新输入 "
                  f"(codes and ID numbers use digits 0-9 and letters A-Z only; re-type it from the document)")
    if len(code) == 15 and code.isdigit():
        reg, warning = validate_reg_no(code)
        return Identifier("reg_no", reg, warning)
    if len(code) == 18:
        errors = []
        if looks_like_id_number(code):
            try:
                return Identifier("id_number", validate_id_number(code))
            except InvalidIdentifier as exc:
                errors.append(exc)
        try:
            return Identifier("uscc", validate_uscc(code))
        except InvalidIdentifier as exc:
            errors.append(exc)
        raise errors[0]
    raise InvalidIdentifier(
        code, f"“{code}”不是统一社会信用代码(18位)、注册号(15位)或身份证号码(18位) "
              f"(not a USCC, registration number or ID number: {len(code)} characters)")


def is_document_key(key: str) -> bool:
    return ":" in key


def mask_id_number(value: str) -> str:
    """Mask a personal ID number for public output: keep the region (first six) and the last four. Another
    document's key (`护照:E12345678`) keeps its kind and the number's last four."""
    if is_document_key(str(value)):
        kind, _, number = str(value).partition(":")
        return f"{kind}:{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    code = normalise_code(value)
    if len(code) <= 10:
        return "*" * len(code)
    return code[:6] + "*" * (len(code) - 10) + code[-4:]
