"""The CLI through typer's CliRunner, on a real temporary store (every store)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api_fixtures import blacklist_csv, listing_row
from cli.main import app
from county import AS_OF, E, NAMES, P, uscc

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def loaded(store, county_files):
    result = invoke("load", "--json", *county_files.values())
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_load_json_one_object_per_file(loaded, county_files):
    assert [r["file"] for r in loaded] == [str(p) for p in county_files.values()]
    by_kind = {r["kind"]: r for r in loaded}
    assert set(by_kind) == set(county_files)
    assert set(by_kind["blacklist"]) == {"file", "kind", "rows", "loaded", "rejected", "rejects_file", "rejects", "warnings",
                                        "columns", "snapshot", "resent"}
    assert by_kind["blacklist"]["rejects"]["count"] == 3 and len(by_kind["blacklist"]["rejects"]["rows"]) == 3
    assert (by_kind["blacklist"]["loaded"], by_kind["blacklist"]["rejected"]) == (9, 3)
    assert by_kind["enterprise"]["rejects_file"] is None


def test_load_forced_kind_and_unreadable_file(store, county_files, tmp_path):
    r = invoke("load", "--kind", "penalty", county_files["license"])
    assert r.exit_code == 2 and "行政处罚决定书文号" in r.output.replace("\n", "")
    bad = tmp_path / "x.csv"
    bad.write_text("甲,乙\n1,2\n", encoding="utf-8")
    r = invoke("load", "--json", bad)
    assert r.exit_code == 2 and json.loads(r.stdout)["error"]["code"] == "file_rejected"
    r = invoke("load", tmp_path / "missing.csv")
    assert r.exit_code == 2


def test_load_on_behalf_of_a_department_rejects_another_departments_rows(store, tmp_path):
    """As on the API: the row the court sent is rejected row by row (with its 序号 and name), the rest loads."""
    path = tmp_path / "发改局名单.csv"
    path.write_bytes(blacklist_csv([listing_row(E["CLEAR"], NAMES["CLEAR"], sender="西吉县发展和改革局"),
                                    listing_row(E["EXPIRED"], NAMES["EXPIRED"], sender="县法院", n=7)]))
    r = invoke("load", "--json", "--department", "西吉县发展和改革局", path)
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert (report["loaded"], report["rejected"]) == (1, 1)
    [row] = report["rejects"]["rows"]
    assert {k: row[k] for k in ("row", "serial", "name", "field")} == \
        {"row": 3, "serial": "7", "name": NAMES["EXPIRED"], "field": "信息发送部门名称"}
    assert "县法院" in row["reason"] and "县发改局" in row["reason"]
    with open(report["rejects_file"], encoding="utf-8-sig") as fh:
        assert "县法院" in fh.read().splitlines()[1]
    r = invoke("load", path)  # the bureau's operator loads anyone's rows
    # read without the wrapping, which falls where the file's path leaves it
    assert r.exit_code == 0 and "拒绝0行" in "".join(r.output.split()), r.output


def test_a_missing_column_is_explained_in_chinese(store, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("统一社会信用代码（企业注册号）,企业名称,限制期限自,信息类型\n9144030010001686XA,甲,2026-01-01,黑名单\n",
                    encoding="utf-8")
    r = invoke("load", "--json", "--kind", "blacklist", path)
    message = json.loads(r.stdout)["error"]["message"]
    chinese, english = message.rsplit(" (", 1)
    assert "缺少必需的列：信息发送部门名称（按黑名单读取）" in chinese
    assert not any("\u4e00" <= c <= "\u9fff" for c in english), "the English part names no Chinese header"


def test_check_json_shape_and_verdicts(loaded):
    r = invoke("check", E["OFFICER"], "--as-of", AS_OF, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["verdict"] == "restricted" and data["subject"]["key"] == E["OFFICER"]
    assert data["check_id"] and data["data_version"] > 0
    assert json.loads(invoke("check", E["TWO_HOPS"], "--as-of", AS_OF, "--json").stdout)["verdict"] == "linked"
    assert json.loads(invoke("check", E["CLEAR"], "--as-of", AS_OF, "--json").stdout)["verdict"] == "clear"
    assert json.loads(invoke("check", E["CHAIN"], "--as-of", AS_OF, "--depth", 2, "--json").stdout)["verdict"] == "clear"


def test_check_readable_output_spells_out_the_chain(loaded):
    r = invoke("check", E["OFFICER"], "--as-of", AS_OF)
    assert r.exit_code == 0
    text = r.stdout.replace("\n", "")
    assert "受限" in text and "法定代表人" in text and "失信被执行人" in text and "县法院" in text


def test_check_by_name_and_applicant(loaded, tmp_path):
    r = invoke("check", "--name", "西吉县某某商贸(集团)有限公司", "--as-of", AS_OF, "--json")
    assert json.loads(r.stdout)["verdict"] == "restricted"
    applicant = tmp_path / "applicant.json"
    applicant.write_text(json.dumps({"name": "新公司", "persons": [
        {"name": "张三", "id_type": "居民身份证", "id_number": P["RESTRICTED"], "role": "法定代表人"}]},
        ensure_ascii=False), encoding="utf-8")
    r = invoke("check", "--applicant", applicant, "--as-of", AS_OF, "--json")
    assert json.loads(r.stdout)["verdict"] == "restricted"


def test_check_errors_say_what_to_do(loaded):
    r = invoke("check", "911000001000044477", "--json")
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["code"] == "invalid_identifier" and "check digit should be 3" in err["message"]
    r = invoke("check", uscc(4242), "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["verdict"] == "clear"
    r = invoke("check", "\u0665\u0662\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0665\u0660\u0661\u0668", "--json")
    assert r.exit_code == 2 and "Traceback" not in r.output
    err = json.loads(r.stdout)["error"]
    assert err["code"] == "invalid_identifier" and "digits 0-9" in err["message"]
    assert invoke("check").exit_code == 2
    assert invoke("check", E["CLEAR"], "--as-of", "2026/06/01").exit_code == 2


@pytest.mark.writes
def test_a_name_several_enterprises_share_lists_their_codes(store, tmp_path):
    """As the API's 409 gives them in details.candidates: the codes to check by, under the message."""
    from county import ENTERPRISE_HEADERS, write_csv
    shared = "西吉县吉强镇便民超市"
    rows = [[str(n), uscc(n), "", shared, "个体工商户", f"代表{n}", "", "", "2016-01-01", "存续", "西吉县",
             "西吉县市场监督管理局"] for n in (901, 902)]
    assert invoke("load", "-q", write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, rows)).exit_code == 0
    r = invoke("check", "--name", shared)
    assert r.exit_code == 2 and "对应多家企业" in r.output
    listed = r.output.split("\n")
    for n in (901, 902):
        assert f"  {uscc(n)}  {shared}" in listed, r.output
    assert json.loads(invoke("check", "--name", shared, "--json").stdout)["error"]["details"]["candidates"]


def test_a_new_applicant_is_named_in_one_pair_of_brackets(county, tmp_path):
    applicant = tmp_path / "applicant.json"
    applicant.write_text(json.dumps({"name": "西吉县鹏程新型建材有限公司", "persons": []}, ensure_ascii=False),
                         encoding="utf-8")
    r = invoke("check", "--applicant", applicant, "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    assert "检查对象：企业 西吉县鹏程新型建材有限公司（新申请人）" in r.stdout, r.stdout


@pytest.mark.parametrize("variable, value, accepted", [
    ("CREDITNET_BACKEND", "", "embedded、neo4j"),
    ("CREDITNET_DEFAULT_DEPTH", "deep", "0 到 6 之间的整数"),
    ("CREDITNET_QUERY_TIMEOUT_S", "0", "大于 0 的数"),
])
def test_an_invalid_setting_is_one_line_naming_it(home, monkeypatch, variable, value, accepted):
    from graph.settings import get_settings
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    for command in (["stats"], ["search", "鹏程建材"], ["load", "nothing.csv"]):
        r = invoke(*command)
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
        [line] = r.output.splitlines()
        assert f"设置 {variable} 的值“{value}”无效" in line and accepted in line and f"invalid {variable}=" in line
    error = json.loads(invoke("stats", "--json").stdout)["error"]
    assert error["code"] == "invalid_setting" and error["details"]["settings"][0]["variable"] == variable
    assert invoke("stats", "--help").exit_code == 0


def test_an_empty_home_is_refused_not_taken_for_the_current_directory(home, monkeypatch, tmp_path):
    """CREDITNET_HOME= would make a new, empty store in the working directory, and a listed code answered from it."""
    from graph.settings import get_settings
    monkeypatch.setenv("CREDITNET_HOME", " ")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    r = invoke("stats")
    assert r.exit_code == 2 and "设置 CREDITNET_HOME 的值" in r.output and "不能为空" in r.output, r.output
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_an_invalid_setting_before_it_starts(home, monkeypatch):
    monkeypatch.setenv("CREDITNET_AUDIT_SYNCHRONOUS", "off")
    r = invoke("serve", "--port", 1)
    assert r.exit_code == 2 and "Traceback" not in r.output
    [line] = r.output.splitlines()
    assert "CREDITNET_AUDIT_SYNCHRONOUS" in line and "“off”" in line and "NORMAL、FULL" in line


def test_search_table_at_80_columns_keeps_codes_whole_and_folds_names(county, monkeypatch):
    import io

    import cli.main
    from rich.console import Console
    screen = io.StringIO()
    monkeypatch.setattr(cli.main, "console", Console(file=screen, width=80))
    query = NAMES["BRACKETS"] + "西吉分公司"
    r = invoke("search", query)
    assert r.exit_code == 0, r.output
    found = json.loads(invoke("search", query, "--json").stdout)["candidates"]
    assert found and "…" not in screen.getvalue()
    rows: list[list[str]] = []
    for line in screen.getvalue().splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.split("│")[1:-1]]
            if cells[0]:
                rows.append(cells)
            else:  # a name or a reason folded onto the next line
                rows[-1] = [a + b for a, b in zip(rows[-1], cells)]
    assert [(row[1], row[2]) for row in rows] == [(c["name"].replace("(", "（").replace(")", "）"), c["key"])
                                                  for c in found]


def test_profile_relation_department_stats(loaded):
    p = json.loads(invoke("profile", E["CLEAR"], "--json").stdout)
    assert set(p["records"]) == {"license", "license-change", "penalty", "penalty-change", "inspection", "blacklist"}
    assert invoke("profile", E["CLEAR"]).exit_code == 0
    rel = json.loads(invoke("relation", E["TWO_HOPS"], E["LISTED"], "--json").stdout)
    assert rel["connected"] and rel["hops"] == 2
    assert "最短关系链" in invoke("relation", E["TWO_HOPS"], E["LISTED"]).stdout
    d = json.loads(invoke("department", "县财政局", "--as-of", AS_OF, "--json").stdout)
    assert d["department"] == "县财政局" and d["restrictions"]
    assert set(d["restrictions"][0]) >= {"party", "type", "basis", "valid_from", "valid_to", "sender", "receivers"}
    assert invoke("department", "县不存在局").exit_code == 3
    s = json.loads(invoke("stats", "--json").stdout)
    assert s["rejects"]["rows"] == 3
    assert "被拒绝的行" in invoke("stats").stdout


def test_reset_needs_yes(loaded):
    assert invoke("reset").exit_code == 2
    assert invoke("reset", "--yes").exit_code == 0
    assert json.loads(invoke("stats", "--json").stdout)["nodes"]["enterprise"] == 0


def test_every_command_has_help():
    import typer.main
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert command.help, f"{name} has no help text"
        r = invoke(name, "--help")
        assert r.exit_code == 0 and "Usage" in r.stdout
        sub = getattr(command, "commands", {})
        for sub_name, sub_command in sub.items():
            assert sub_command.help, f"{name} {sub_name} has no help text"
