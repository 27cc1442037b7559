"""Applicant files as officials save them (`creditnet check --applicant FILE`): Notepad on Chinese Windows saves GBK,
and a hand-written file has the wrong shape now and then. Every wrong shape is an exit-2 error that names the field;
no declared person is dropped or misread."""
from __future__ import annotations

import json

import pytest
from county import id_number, uscc
from test_real_world_files import LISTINGS, listing_row, load, write
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
AS_OF = "2026-06-01"


def check_file(path):
    return runner.invoke(app, ["check", "--applicant", str(path), "--as-of", AS_OF, "--json"], catch_exceptions=False)


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "西吉县新公司", "persons": "失信人"}, "persons"),
    ({"name": "西吉县新公司", "persons": {"name": "张三"}}, "persons"),
    ({"name": "西吉县新公司", "persons": ["张三"]}, "persons[0]"),
    ({"name": "西吉县新公司", "persons": [None]}, "persons[0]"),
    ({"name": ["西吉县新公司"], "persons": []}, "name"),
    ({"name": 12, "persons": []}, "name"),
    ({"name": "西吉县新公司", "uscc": 91640422, "persons": []}, "uscc"),
    ({"name": "西吉县新公司", "person": [{"name": "张三"}]}, "person"),
    ({"name": "西吉县新公司", "persons": [{"name": "张三", "id_number": "x", "role": "股东", "职务": "董事"}]},
     "persons[0].职务"),
    ({"name": "西吉县新公司", "persons": [{"name": ["张三"], "id_number": "x", "role": "股东"}]}, "persons[0].name"),
    ({"name": "西吉县新公司", "persons": [{"name": "张三", "id_number": 6.4e17, "role": "股东"}]}, "persons[0].id_number"),
    ({"name": "西吉县新公司", "persons": [{"name": "张三", "id_number": "x", "role": ["董事"]}]}, "persons[0].role"),
    (["西吉县新公司"], "(整体)"),
])
def test_a_wrong_shape_is_an_error_naming_the_field(home, tmp_path, body, field):
    path = tmp_path / "applicant.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    r = check_file(path)
    assert r.exit_code == 2, r.output
    error = json.loads(r.stdout)["error"]
    assert error["code"] == "invalid_request" and field in error["message"]


@pytest.mark.parametrize("id_type", ["统一社会信用代码", "企业", ""])
def test_a_declared_corporate_shareholder_brings_its_own_listings(store, home, tmp_path, id_type):
    """A corporate shareholder declared by its code (under any 证件类型 that names no person's document, or none)
    is the enterprise: its listing reaches the applicant as a link, never a person keyed by that text."""
    shareholder = uscc(9803)
    load(store, home, write(tmp_path / "court.csv", LISTINGS, [
        listing_row(shareholder, "西吉县某投资有限公司", "2026-01-01", "", "失信被执行人")]))
    path = tmp_path / "applicant.json"
    path.write_text(json.dumps({"name": "西吉县新公司", "persons": [
        {"name": "西吉县某投资有限公司", "id_type": id_type, "id_number": shareholder, "role": "股东"}]},
        ensure_ascii=False), encoding="utf-8")
    r = check_file(path)
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert answer["verdict"] == "linked"
    assert [(h["party"]["kind"], h["party"]["key"]) for h in answer["hits"]] == [("enterprise", shareholder)]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_an_applicant_file_in_any_windows_encoding_is_read(store, home, tmp_path, encoding):
    person = id_number(981)
    load(store, home, write(tmp_path / "court.csv", LISTINGS, [
        listing_row(uscc(9802), "西吉县别家公司", "2026-01-01", "", "失信被执行人",
                    person=("法定代表人", "马小红", "居民身份证", person))]))
    path = tmp_path / "applicant.json"
    path.write_text(json.dumps({"name": "西吉县新申请有限公司", "persons": [
        {"name": "马小红", "id_type": "居民身份证", "id_number": person, "role": "法定代表人"}]}, ensure_ascii=False),
        encoding=encoding)
    r = check_file(path)
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert answer["verdict"] == "restricted" and answer["subject"]["name"] == "西吉县新申请有限公司"


def test_an_applicant_file_that_is_not_json_says_where(home, tmp_path):
    path = tmp_path / "applicant.json"
    path.write_bytes('{"name": "西吉县新公司",\n "persons": [}'.encode("gbk"))
    r = check_file(path)
    assert r.exit_code == 2 and "第 2 行" in json.loads(r.stdout)["error"]["message"]
