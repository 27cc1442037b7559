"""plain_uscc and plain_id_number (graph/identifiers.py) are the loaders' shortcut for the common case. They must
never accept what validate_uscc / validate_id_number refuse or would fold into another text, and must take the
plain valid code, so that a load's answers are the validators' answers. The check characters themselves are
computed by int() in another base (graph/identifiers.py says why); they are held here to the standards' own
weighted sums."""
from __future__ import annotations

import random

import pytest

from hypothesis import given, settings, strategies as st

from graph.identifiers import (ID_CHECK, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS, InvalidIdentifier, id_check_char,
                               plain_id_number, plain_uscc, uscc_check_char, validate_id_number, validate_uscc)


def _full(validate, text: str) -> str | None:
    try:
        return validate(text)
    except InvalidIdentifier:
        return None


def _agrees(plain, validate, text: str) -> None:
    full = _full(validate, text)
    got = plain(text)
    if got is not None:
        assert got == full == text, text
    else:  # declined: fine, unless the text was already the validator's own answer
        assert full != text, text


def _near_misses(valid: str, alphabet: str) -> list[str]:
    """Every one-character change of a valid code, and the usual ways clerks damage one."""
    out = [valid[:i] + c + valid[i + 1:] for i in range(len(valid)) for c in alphabet]
    out += [valid.lower(), valid + " ", " " + valid, valid[:-1], valid + "0", "=" + valid, valid.replace("0", "０"),
            valid[:9] + " " + valid[9:], valid[:17] + "x", ""]
    return out


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17), st.text(alphabet="0123456789", min_size=17,
                                                                           max_size=17))
def test_check_characters_are_the_standards_weighted_sums(uscc17, id17):
    """GB 32100-2015: 31 − (Σ value × weight mod 31); GB 11643-1999: Σ digit × weight mod 11 indexes 10X98765432."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(uscc17, USCC_WEIGHTS))
    assert uscc_check_char(uscc17) == USCC_ALPHABET[(31 - total % 31) % 31]
    assert id_check_char(id17) == ID_CHECK[sum(int(d) * w for d, w in zip(id17, ID_WEIGHTS)) % 11]


def test_check_characters_of_published_examples():
    assert id_check_char("11010519491231002") == "X"     # GB 11643-1999's own example
    assert uscc_check_char("91350100M000100Y4") == "3"   # 91350100M000100Y43, the example quoted with GB 32100
    for outside in ("91350100m000100Y4", "91350100O000100Y4", "91350100M000100Y_", "91350100M000100Y４"):
        with pytest.raises(ValueError):
            uscc_check_char(outside)


def test_uscc_every_near_miss():
    rng = random.Random(7)
    for _ in range(40):
        first17 = "9" + "".join(rng.choice(USCC_ALPHABET) for _ in range(16))
        valid = first17 + uscc_check_char(first17)
        assert plain_uscc(valid) == valid
        for text in _near_misses(valid, USCC_ALPHABET + "IOZSVabc "):
            _agrees(plain_uscc, validate_uscc, text)


def test_id_number_every_near_miss():
    rng = random.Random(7)
    for _ in range(40):
        birth = f"{rng.randint(1900, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 31):02d}"
        first17 = f"6404{rng.randint(10, 99)}{birth}{rng.randint(0, 999):03d}"
        valid = first17 + id_check_char(first17)
        for text in _near_misses(valid, "0123456789XxA "):
            _agrees(plain_id_number, validate_id_number, text)
    assert plain_id_number("11010519491231002X") == "11010519491231002X"
    assert plain_id_number("11010519490229002X") is None  # 1949-02-29 did not exist


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789XABCDEFGHJKLMNPQRTUWXYIOZSVx ０Ｘ", min_size=0, max_size=20))
def test_any_text(text):
    _agrees(plain_uscc, validate_uscc, text)
    _agrees(plain_id_number, validate_id_number, text)
