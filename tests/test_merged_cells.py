"""Sheets as courts and county offices write them: a column merged down the rows of one case (信息发送部门名称,
信息类型, 限制法律依据), a title merged across the top, a two-row header with 限制期限 over 自 / 至."""
from __future__ import annotations

import pytest
from county import id_number, uscc
from openpyxl import Workbook
from test_real_world_files import LISTINGS, listing_row, load, verdict

from graph.errors import FileRejected
from graph.queries.check import RULE_SUBJECT

LETTER = {h: chr(65 + i) for i, h in enumerate(LISTINGS)}


def court_sheet(path, rows: list[list[str]], merge: tuple[str, ...] = ("限制法律依据", "信息发送部门名称", "信息类型"),
                title: bool = False):
    """One case over `rows`: the first row carries the case's columns, merged down over the others."""
    wb = Workbook()
    ws = wb.active
    top = 1
    if title:
        ws.append(["西吉县人民法院失信被执行人名单"])
        ws.merge_cells(f"A1:{LETTER[LISTINGS[-1]]}1")
        top = 2
    ws.append(LISTINGS)
    for i, row in enumerate(rows, 1):
        cells = ["" if i > 1 and LISTINGS[j + 1] in merge else c for j, c in enumerate(row)]
        ws.append([str(i), *cells])
    first, last = top + 1, top + len(rows)
    for header in merge:
        ws.merge_cells(f"{LETTER[header]}{first}:{LETTER[header]}{last}")
    wb.save(path)
    return path


def case_rows(n: int) -> tuple[list[str], list[list[str]]]:
    persons = [id_number(990 + i) for i in range(n)]
    rows = [listing_row("", "", "2026-01-05", "", "失信被执行人", person=("被执行人", f"被执行人{i}", "居民身份证", p))
            for i, p in enumerate(persons)]
    return persons, rows


@pytest.mark.parametrize("title", [False, True])
def test_persons_on_rows_under_merged_cells_are_restricted(store, home, tmp_path, title):
    persons, rows = case_rows(3)
    [report] = load(store, home, court_sheet(tmp_path / "court.xlsx", rows, title=title))
    assert (report.loaded, report.rejected) == (3, 0), report.summary()["rejects"]
    for person in persons:
        r = verdict(store, key=person)
        assert r.verdict == "restricted" and r.hits[0].rule == RULE_SUBJECT, person
    merged = [w["message"] for w in report.summary()["warnings"]["rows"] if "合并单元格" in w["message"]]
    assert len(merged) == 1
    assert all(h in merged[0] for h in ("限制法律依据", "信息发送部门名称", "信息类型")) and "共 2 行" in merged[0]


def test_an_enterprise_listing_case_merged_over_its_persons(store, home, tmp_path):
    """One enterprise, its code and name merged too, with two persons (the 法定代表人 and the 实际控制人)."""
    code, heads = uscc(9901), [id_number(995), id_number(996)]
    rows = [listing_row(code, "西吉县合并单元格有限公司", "2026-01-05", "", "失信被执行人",
                        person=("法定代表人", f"负责人{i}", "居民身份证", p)) for i, p in enumerate(heads)]
    path = court_sheet(tmp_path / "court.xlsx", rows,
                       merge=(LISTINGS[1], "企业名称", "限制法律依据", "限制期限自", "信息发送部门名称", "信息类型"))
    [report] = load(store, home, path)
    assert (report.loaded, report.rejected) == (2, 0), report.summary()["rejects"]
    assert verdict(store, key=code).verdict == "restricted"
    for person in heads:
        assert verdict(store, key=person).verdict == "restricted", person


def test_a_two_row_header_with_merged_cells_is_refused_saying_what_to_write(home, store, tmp_path):
    wb = Workbook()
    ws = wb.active
    top = [h for h in LISTINGS if h not in ("限制期限自", "限制期限至")]
    at = LISTINGS.index("限制期限自")
    ws.append([*top[:at], "限制期限", "", *top[at:]])
    ws.append(["" for _ in range(at)] + ["自", "至"] + ["" for _ in top[at:]])
    ws.merge_cells(f"{chr(65 + at)}1:{chr(66 + at)}1")
    for i in range(at):
        ws.merge_cells(f"{chr(65 + i)}1:{chr(65 + i)}2")
    ws.append(["1", *listing_row(uscc(9902), "西吉县两行表头有限公司", "2026-01-05", "", "失信被执行人")])
    path = tmp_path / "court.xlsx"
    wb.save(path)
    with pytest.raises(FileRejected) as exc:
        load(store, home, path)
    message = str(exc.value)
    assert "一行表头" in message and "限制期限自" in message and "--kind" not in message
