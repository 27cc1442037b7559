"""graph/rows.py on its own: what a row means for the graph, whatever store it goes to."""
from __future__ import annotations

from graph.rows import (Identity, code_kind, departments, fold, natural_key, record_props, registry_code,
                        registry_props, replacement_date, row_codes, settle)

USCC = "9144030010001686XA"
REG_NO = "440301103032184"


def test_a_code_says_its_kind_by_its_length():
    assert code_kind(USCC) == "uscc" and code_kind(REG_NO) == "reg_no"


def test_natural_keys_identify_a_record_within_its_enterprise():
    listing = {"list_type": "失信被执行人", "sender": ["西吉县人民法院"], "valid_from": "2026-01-01", "id_number": None}
    assert natural_key("blacklist", listing) == "失信被执行人|县法院|2026-01-01|"
    assert natural_key("penalty", {"decision_no": "西市监罚〔2025〕3号"}) == "西市监罚〔2025〕3号"
    assert natural_key("inspection", {"authority": ["县市场监管局"], "inspection_type": "双随机",
                                      "inspection_date": "2025-05-01"}) == "县市场监督管理局|双随机|2025-05-01"


def test_departments_keep_the_spelling_sent_beside_the_canonical_name():
    assert departments("blacklist", {"sender": ["县法院"], "receivers": ["西吉县市场监督管理局"]}) == [
        ("sent_by", "县法院", "县法院"), ("received_by", "县市场监督管理局", "西吉县市场监督管理局")]
    assert departments("license", {"authority": ["县卫计局"]}) == [("issued_by", "县卫计局", "县卫计局")]


def test_a_record_keeps_its_own_fields_not_its_addressing():
    props = record_props("blacklist", {"code": USCC, "code_kind": "uscc", "name": "甲", "list_type": "黑名单",
                                       "sender": ["县法院"], "receivers": ["县财政局", "县发改局"], "basis": None})
    assert props == {"name": "甲", "list_type": "黑名单", "sender_as_sent": "县法院", "receivers_as_sent": "县财政局、县发改局"}


def test_a_registry_row_is_filed_under_its_uscc_or_else_its_registration_number():
    assert registry_code({"code": USCC, "code_kind": "uscc", "reg_no": REG_NO}) == (USCC, "uscc")
    assert registry_code({"code": None, "code_kind": None, "reg_no": REG_NO}) == (REG_NO, "reg_no")
    assert registry_props({"code": USCC, "code_kind": "uscc", "name": "甲", "reg_no": REG_NO, "status": "存续",
                           "address": None}) == {"status": "存续"}


def test_a_change_takes_effect_on_its_date_else_the_new_holders_own():
    assert replacement_date({"change_date": "2025-08-01", "legal_rep_since": "2025-07-01"}) == "2025-08-01"
    assert replacement_date({"legal_rep_since": "2025-07-01"}) == "2025-07-01"
    assert replacement_date({}) is None


def test_which_enterprise_a_row_means_and_when_two_fold_into_one():
    assert row_codes(USCC, "uscc", REG_NO) == (USCC, REG_NO) and row_codes(REG_NO, "reg_no", None) == (None, REG_NO)
    assert fold(1, 2) == (1, 2)  # the one found by the USCC is kept
    assert fold(1, 1) is None and fold(None, 2) is None and fold(1, None) is None


def test_the_registry_overrides_and_a_record_only_names():
    known = Identity(None, REG_NO, "旧名称", False)
    by_record = settle(known, uscc=USCC, reg_no=None, name="部门写的名称", from_registry=False)
    assert by_record == Identity(USCC, REG_NO, "旧名称", False) and by_record.key == USCC
    by_registry = settle(known, uscc=USCC, reg_no=REG_NO, name="登记名称", from_registry=True)
    assert by_registry == Identity(USCC, REG_NO, "登记名称", True)
    assert settle(Identity(USCC, None, None, False), uscc=USCC, reg_no=None, name="甲", from_registry=False).name == "甲"
    assert settle(None, uscc=None, reg_no=REG_NO, name="乙", from_registry=False) == Identity(None, REG_NO, "乙", False)
