"""A load's summary says what was read and what was warned: `creditnet load` (--json, --dry-run --json, and its
readable lines) and the upload answer of POST /api/v1/records/{kind}, on every store.

The penalty file below has an unknown column (经办人), a fine in a foreign currency (a warning on 罚款金额) and a
pre-2007 registration number that fails its check digit (accepted with a warning).
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from api_fixtures import app_client, auth
from cli.main import app
from county import CODE, NAMES, E, PENALTY_HEADERS

runner = CliRunner()
HEADERS = PENALTY_HEADERS + ["经办人"]
BYD_REG_NO = "440301103032184"  # 比亚迪's: fails the GS15-2006 check, as some pre-2007 numbers do
READ = {h: f for h, f in zip(PENALTY_HEADERS[1:], ("code", "name", "authority", "decision_no", "decision_date",
                                                   "violation_type", "fine", "confiscated", "penalty_type", "remarks"))}


def penalty_row(n: int, code: str, fine: str, confiscated: str = "") -> list[str]:
    return [str(n), code, NAMES["CLEAR"], "县市场监督管理局", f"西市监罚〔2026〕{n}号", "2026-03-01", "无照经营", fine,
            confiscated, "罚款", "", "张科员"]


def penalty_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADERS)
    w.writerows(rows)
    return out.getvalue()


ROWS = [penalty_row(1, E["CLEAR"], "5000美元"), penalty_row(2, BYD_REG_NO, "3000元")]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def assert_warned(summary: dict) -> None:
    assert summary["warnings"]["count"] == 3
    unread, fine, reg_no = summary["warnings"]["rows"]
    # The column creditnet does not read is named on the header row: it might hold something that restricts.
    assert (unread["row"], unread["field"]) == (1, "经办人") and "未读取" in unread["message"]
    assert (fine["row"], fine["field"]) == (2, "罚款金额") and "5000美元" in fine["message"]
    assert not fine["message"].startswith("罚款金额")
    assert reg_no["row"] == 3 and "注册号校验位" in reg_no["message"]
    # The check digit's warning names the number, not its column, while the parser gives it as text: then it
    # concerns the row (""); given as a (header, message) pair, it names the code column.
    assert reg_no["field"] in ("", CODE)
    assert summary["columns"] == {"read": READ, "ignored": ["序号", "经办人"]}


def test_load_json_lists_warnings_with_row_and_field_and_the_columns(store, tmp_path):
    path = tmp_path / "penalty.csv"
    path.write_text(penalty_csv(ROWS), encoding="utf-8")
    for args in (("--dry-run", "--json"), ("--json",)):
        r = invoke("load", *args, path)
        assert r.exit_code == 0, r.output
        summary = json.loads(r.stdout)
        assert (summary["rows"], summary["loaded"], summary["rejected"]) == (2, 2, 0)
        assert_warned(summary)


def test_load_readable_summary_names_counts_warnings_and_ignored_columns(store, tmp_path):
    path = tmp_path / "penalty.csv"
    path.write_text(penalty_csv(ROWS), encoding="utf-8")
    r = invoke("load", "-q", path)
    assert r.exit_code == 0, r.output
    text = "".join(r.stdout.split())  # wrapped where the file's path leaves it, even inside a word
    assert "共2行，导入2行，拒绝0行，提示3条" in text
    assert "未读取的列：经办人" in text and "序号" not in text.split("未读取的列：")[1]
    # Each warning reads as it always has: 第N行：<header>：<what>.
    assert "提示：第2行：罚款金额：外币金额“5000美元”未换算为人民币" in text
    assert "提示：第3行：注册号校验位应为" in text


def test_the_count_is_every_warning_and_the_list_the_first_100(store, tmp_path):
    # Two warnings a row on 600 rows: 1,200, beyond the 100 listed and the 1,000 a report keeps.
    rows = [penalty_row(n, E["CLEAR"], "5000美元", "3万美元") for n in range(1, 601)]
    path = tmp_path / "many.csv"
    path.write_text(penalty_csv(rows), encoding="utf-8")
    r = invoke("load", "--json", path)
    summary = json.loads(r.stdout)
    assert summary["warnings"]["count"] == 1201  # and one on the header row: 经办人 is not read
    listed = summary["warnings"]["rows"]
    assert len(listed) == 100
    assert [(w["row"], w["field"]) for w in listed[:5]] == [(1, "经办人"), (2, "罚款金额"), (2, "没收金额"), (3, "罚款金额"),
                                                            (3, "没收金额")]
    assert listed[-1]["row"] == 51
    r = invoke("load", "--dry-run", "-q", path)
    text = "".join(r.stdout.split())  # wrapped where the file's path leaves it, even inside a word
    assert "提示1201条" in text and "另有1196条提示" in text


@pytest.fixture
def admin_client(store, keys):
    with app_client() as c:
        yield c, auth(keys.admin)


def test_upload_answer_lists_warnings_and_columns(admin_client):
    client, admin = admin_client
    data = penalty_csv(ROWS).encode("utf-8")
    r = client.post("/api/v1/records/penalty", files={"file": ("处罚.csv", data, "text/csv")}, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["loaded"], body["rejected"]) == (2, 2, 0)
    assert_warned(body)
    assert [w["index"] for w in body["warnings"]["rows"]] == [None, None, None]
    # Sent as JSON rows: each warning also says the row's place in the array, as a reject does.
    rows = [dict(zip(HEADERS, row)) for row in ROWS]
    body = client.post("/api/v1/records/penalty", json=rows, headers=admin).json()
    assert body["warnings"]["count"] == 3
    assert [(w["row"], w["index"], w["field"]) for w in body["warnings"]["rows"]][:2] == [(1, None, "经办人"), (2, 0, "罚款金额")]
    assert body["columns"]["ignored"] == ["序号", "经办人"]
