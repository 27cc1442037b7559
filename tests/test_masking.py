"""api/masking.py on the shapes that are hard to tell: first-generation 15-digit ID numbers beside 15-digit
registration numbers, and 18-digit numbers written after letters, split, with a lower-case x or in full width.
Every masked answer is judged by tests/id_number_detector.py, which shares nothing with the masking."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from county import (E, FIRST_GENERATION, OLD_REG_NO, REG_NO_WITH_A_DATE, X_PERSON, full_width, grouped, id_number,
                    written_in_free_text)
from id_number_detector import id_numbers_in, is_first_generation_id, is_resident_id

from api.masking import find_id_numbers, mask_secrets, mask_text, scrub
from graph.identifiers import InvalidIdentifier, mask_id_number, reg_no_check_digit, validate_id_number

PERSON = id_number(41)
# A first-generation number (1975-12-31) whose last digit fails the registration number's check.
FAILS_REG_NO_CHECK = "640422751231002"
BYD_REG_NO = "440301103032184"  # a pre-2007 registration number that fails the check; positions 7–12 no date


def test_the_test_numbers_are_what_they_claim():
    assert is_resident_id(PERSON) and is_resident_id(X_PERSON) and X_PERSON.endswith("X")
    assert is_first_generation_id(FIRST_GENERATION) and reg_no_check_digit(FIRST_GENERATION[:14]) == "1"
    assert is_first_generation_id(FAILS_REG_NO_CHECK) and reg_no_check_digit(FAILS_REG_NO_CHECK[:14]) != "2"
    assert reg_no_check_digit(REG_NO_WITH_A_DATE[:14]) == REG_NO_WITH_A_DATE[-1]
    assert REG_NO_WITH_A_DATE[6:12] == "001015"


def test_mask_id_number_keeps_the_region_and_the_last_four():
    assert mask_id_number(FIRST_GENERATION) == "640422*****1001"
    assert mask_id_number("６４０４２２８００１０１００１") == "640422*****1001"
    assert mask_id_number(PERSON) == PERSON[:6] + "*" * 8 + PERSON[-4:]
    assert mask_id_number(X_PERSON.lower()) == "640422********306X"


@pytest.mark.parametrize("name", list(written_in_free_text()))
def test_free_text_as_clerks_write_it(name):
    text, masked = written_in_free_text()[name]
    assert id_numbers_in(text), text  # the detector sees the full number ...
    out = mask_text(text)
    assert masked in out and id_numbers_in(out) == [] and find_id_numbers(out) == [], out  # ... and it is masked
    words_before = re.split("[0-9０-９]", text)[0]
    assert out.startswith(words_before) and out.endswith("，已列入名单。")  # the words around stay


@pytest.mark.parametrize("written", [
    f"No{PERSON}", f"ID:{grouped(PERSON, ' ')}", grouped(PERSON, "/"), grouped(PERSON, "／"), f"x{PERSON}y",
    f"证件{X_PERSON.lower()}", f"ＮＯ{full_width(PERSON)}", f"ｎｏ{full_width(X_PERSON.lower())}", f"A_{PERSON}_B",
    grouped(PERSON, " / "), f"{PERSON}7", f"1{PERSON}", f"{PERSON}{X_PERSON}"])
def test_an_18_digit_number_is_masked_however_it_is_written(written):
    out = mask_text(written)
    assert id_numbers_in(out) == [] and find_id_numbers(written), (written, out)
    assert mask_id_number(PERSON) in out or mask_id_number(X_PERSON) in out


@pytest.mark.parametrize("text, masked", [
    (f"身份证号{FIRST_GENERATION}", "640422*****1001"),
    (f"身份证号码：{FIRST_GENERATION}", "640422*****1001"),
    (f"身份证号No.{FIRST_GENERATION}", "640422*****1001"),
    (f"公民身份号码 {grouped(FIRST_GENERATION, ' ')}", "640422*****1001"),
    (f"证件号码/{full_width(FIRST_GENERATION)}", "640422*****1001"),
    (f"GET /api/v1/persons/{FIRST_GENERATION} HTTP/1.1", "640422*****1001"),
    (f'{{"id_number": "{FIRST_GENERATION}"}}', "640422*****1001"),
    # No personal word, but the registration number's check fails and positions 7–12 are a date.
    (f"备注：{FAILS_REG_NO_CHECK}", "640422*****1002"),
    (FAILS_REG_NO_CHECK, "640422*****1002"),
    # After a personal word, 16 or 17 digits are an ID number mistyped: no enterprise code has that length.
    (f"身份证号码为{FIRST_GENERATION}0", "640422******0010"),
    (f"证件号码{PERSON[:-1]}", "640422*******" + PERSON[-5:-1]),
])
def test_a_15_digit_number_is_a_persons_after_a_personal_word_or_when_no_registration_number(text, masked):
    out = mask_secrets(text)
    assert masked in out and find_id_numbers(text) and id_numbers_in(out) == [], out


@pytest.mark.parametrize("text", [
    FIRST_GENERATION,                                       # alone, its check digit holds: a registration number
    f"注册号{FIRST_GENERATION}", f"企业注册号{REG_NO_WITH_A_DATE}", OLD_REG_NO, BYD_REG_NO,
    f"注册号 {BYD_REG_NO}",                                 # fails the check, but 10-30-32 is no date
    f"注册号{FIRST_GENERATION}0",                            # 16 digits with no personal word: neither kind
    "身份证号640422801301001",                              # month 13: no birth date
    f"GET /api/v1/enterprises/{REG_NO_WITH_A_DATE} HTTP/1.1",
])
def test_a_15_digit_number_without_those_signs_is_a_registration_number_and_public(text):
    assert mask_secrets(text) == text and find_id_numbers(text) == []


def test_the_personal_word_before_one_number_does_not_mark_the_next():
    text = f"法定代表人身份证号{FIRST_GENERATION}，企业注册号{REG_NO_WITH_A_DATE}"
    assert mask_text(text) == f"法定代表人身份证号640422*****1001，企业注册号{REG_NO_WITH_A_DATE}"


def test_scrub_masks_a_persons_field_and_keeps_an_enterprises_code():
    data = {"enterprise": {"key": E["OLD"], "reg_no": REG_NO_WITH_A_DATE, "code": FAILS_REG_NO_CHECK,
                           "legal_rep_id_number": FIRST_GENERATION},
            "members": [{"id_number": FIRST_GENERATION, "masked_id": REG_NO_WITH_A_DATE},
                        {"证件号码": full_width(FIRST_GENERATION)}, {"id_number": "G12345678"}],
            "remarks": f"注册号{REG_NO_WITH_A_DATE}；身份证号{FIRST_GENERATION}"}
    out = scrub(data)
    assert out["enterprise"] == {"key": E["OLD"], "reg_no": REG_NO_WITH_A_DATE, "code": FAILS_REG_NO_CHECK,
                                 "legal_rep_id_number": "640422*****1001"}
    assert out["members"] == [{"id_number": "640422*****1001", "masked_id": "640422*****5006"},
                              {"证件号码": "640422*****1001"}, {"id_number": "G12345678"}]
    assert out["remarks"] == f"注册号{REG_NO_WITH_A_DATE}；身份证号640422*****1001"
    # Error answers scrub codes too (they echo what the caller typed): a registration number still shows.
    errors = scrub({"details": {"key": REG_NO_WITH_A_DATE, "id_number": FIRST_GENERATION}}, keep_codes=False,
                   mask=mask_secrets)
    assert errors == {"details": {"key": REG_NO_WITH_A_DATE, "id_number": "640422*****1001"}}


def test_log_lines_with_the_new_shapes():
    person = mask_id_number(PERSON)
    for line, masked in [
            (f'127.0.0.1:5000 - "GET /api/v1/persons/No{PERSON} HTTP/1.1" 404', person),
            (f'"GET /api/v1/persons/{grouped(PERSON, "/")} HTTP/1.1" 404', person),
            (f'"GET /api/v1/public/search?q=%E8%BA%AB%E4%BB%BD%E8%AF%81%E5%8F%B7No{PERSON} HTTP/1.1" 200', person),
            (f'"GET /api/v1/public/search?q=ID%EF%BC%AE{quote(full_width(PERSON))}"', person),
            (f'"GET /api/v1/public/search?q=%E8%BA%AB%E4%BB%BD%E8%AF%81%E5%8F%B7{FIRST_GENERATION} HTTP/1.1" 200',
             "640422*****1001"),
            (f'"GET /api/v1/persons/{FIRST_GENERATION} HTTP/1.1" 404', "640422*****1001"),
            (f"ValueError: 证件号码 {X_PERSON.lower()} not found", "640422********306X")]:
        out = mask_secrets(line)
        assert masked in out and id_numbers_in(out) == [] and find_id_numbers(out) == [], (line, out)


def test_ordinary_numbers_stay_as_they_are():
    for text in ("电话 0951 1234 5678 9012 3456", "2025-07-08 12:30:00,123 data_version 42", E["LISTED"],
                 "罚款金额由5000元变更为3000元", f"{'9' * 30}", "XXXXXXXXXXXXXXXXXX", "127.0.0.1:51234 200 OK",
                 "a3f09e1c2b7d4e6f8a9b0c1d2e3f4a5b"):
        assert mask_secrets(text) == text and find_id_numbers(text) == [], text


def test_the_detector_reads_the_standards():
    """The detector must see what it claims to see, or the privacy tests would pass on a blind check."""
    assert id_numbers_in({"x": [f"身份证号No{PERSON}"]}) == [PERSON]
    assert id_numbers_in({PERSON: 1}) == [PERSON]  # a dict key
    assert id_numbers_in(f"q=%E8%BA%AB%E4%BB%BD%E8%AF%81{FIRST_GENERATION}") == [FIRST_GENERATION]
    assert id_numbers_in(f"{grouped(PERSON, ' - ')}") == [PERSON]
    assert id_numbers_in(PERSON[:-1] + ("1" if PERSON[-1] != "1" else "2")) == []  # a wrong check character
    assert id_numbers_in(FIRST_GENERATION) == [] and id_numbers_in(f"注册号{FIRST_GENERATION}") == []
    assert id_numbers_in(mask_id_number(PERSON)) == [] and id_numbers_in("640422*****1001") == []
    assert id_numbers_in(E["LISTED"]) == [] and id_numbers_in(f"{PERSON[:10]}\n{PERSON[10:]}") == []


@pytest.mark.parametrize("typed", [FIRST_GENERATION, FIRST_GENERATION + "0", PERSON[:-1]])
def test_an_error_message_that_echoes_a_mistyped_number_is_masked(typed):
    """validate_id_number's message names the number 22 characters after 身份证号码; error answers carry it."""
    with pytest.raises(InvalidIdentifier) as raised:
        validate_id_number(typed)
    assert typed in raised.value.reason
    body = scrub({"error": {"message": f"persons[0].id_number：{raised.value.reason}", "details": {"id_number": typed}}},
                 keep_codes=False, mask=mask_secrets)
    assert typed not in str(body) and mask_id_number(typed) in body["error"]["message"]
    assert body["error"]["details"]["id_number"] == mask_id_number(typed) and id_numbers_in(body) == []
