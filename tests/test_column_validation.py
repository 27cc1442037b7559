"""The column-wise validator (graph/loaders/columns.py) must give exactly what RowValidator gives row by row:
the same rows, values (and their key order), warnings, rejects and reasons. Compared on a synthetic county,
on every file of the hostile corpus, and on a file whose bad rows sit on the batch boundaries."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph import synthetic
from graph.loaders import LoadError, ParsedRow, open_table
from graph.loaders import headers as hdr
from graph.loaders.fields import RowValidator
from graph.loaders.reading import COLUMN_BATCH
from county import uscc
from tests.reliability.corpus import CASES


def _row_by_row(path: Path) -> list:
    """The reference: every record through RowValidator.validate, as Table.rows did before columns."""
    table = open_table(path)
    validator = RowValidator(table.kind, table.headers, table.column_map)
    serial = {i for i, h in enumerate(table.headers) if hdr.normalise_header(h) == "序号"}
    records = table._pending
    return [validator.validate(n, cells) for n, cells in records
            if not (serial and all(i in serial or not c.strip() for i, c in enumerate(cells)))]


def _same(path: Path) -> list:
    try:
        expected = _row_by_row(path)
    except LoadError:
        with pytest.raises(LoadError):
            list(open_table(path).rows())
        return []
    got = list(open_table(path).rows())
    assert [type(x) for x in got] == [type(x) for x in expected]
    for a, b in zip(got, expected):
        assert a == b, (path.name, a.row_number)
        if isinstance(a, ParsedRow):
            assert list(a.values) == list(b.values)  # the same key order, as the dicts go on to the writers
    # What a load sends its writer (Table.row_batches: plain rows built straight into tuples, without a
    # ParsedRow) holds the same rows: a valid row as (row number, values, warnings), a reject whole.
    sent = [item for batch in open_table(path).row_batches() for item in batch]
    assert len(sent) == len(expected)
    for a, b in zip(sent, expected):
        if isinstance(b, ParsedRow):
            assert type(a) is tuple and a[0] == b.row_number and a[1] == b.values and list(a[2]) == b.warnings, \
                (path.name, b.row_number)
            assert list(a[1]) == list(b.values)
        else:
            assert a == b, (path.name, b.row_number)
    return got


@pytest.fixture(scope="module")
def synthetic_county(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("synthetic")
    synthetic.generate(directory, enterprises=2000)
    return directory


@pytest.mark.parametrize("kind", ["enterprise", "member", "license", "license-change", "penalty",
                                  "penalty-change", "inspection", "blacklist"])
def test_synthetic_county_same_rows(synthetic_county, kind):
    path = next(synthetic_county.glob(f"{kind}.*"))  # CSV, or XLSX for some kinds
    rows = _same(path)
    assert len(rows) > 10


def test_hostile_corpus_same_rows(tmp_path):
    compared = 0
    for case in CASES:
        try:
            path = case.write(tmp_path / case.id)
        except Exception:  # a case that cannot be written here (e.g. a raw bomb) is covered by its own test
            continue
        try:
            open_table(path, case.kind)
        except LoadError:
            continue
        if case.kind:  # a forced kind: compare through the same kind
            continue
        _same(path)
        compared += 1
    assert compared > 30


def test_bad_rows_on_batch_boundaries(tmp_path):
    """Rejects, warnings and padded rows at the first, last and next batch's first row keep their place."""
    path = tmp_path / "penalty.csv"
    header = ["序号", "统一社会信用代码", "企业名称", "行政处罚决定书文号", "作出行政处罚决定日期", "罚款金额", "作出行政处罚决定机关名称"]
    rows = [[str(i), uscc(1000 + i), "西吉县某某商贸有限公司", f"西市监罚〔2025〕{i}号", "2025-07-08", "5000元",
             "西吉县市场监督管理局"] for i in range(2 * COLUMN_BATCH + 3)]
    rows[0][1] = "91640422MAJAC7AQ1X"                       # wrong check digit: rejected
    rows[COLUMN_BATCH - 1][5] = "13(万美元)"                 # a warning
    rows[COLUMN_BATCH][4] = "=TODAY()"                      # a formula: a warning, the date emptied
    rows[COLUMN_BATCH + 1] = rows[COLUMN_BATCH + 1][:4]     # a short row: padded
    rows[COLUMN_BATCH + 2] = [str(COLUMN_BATCH + 2)] + [""] * 6  # nothing but its 序号: not a row
    rows[-1] = rows[-1] + ["extra"]                          # more cells than headers: rejected
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    got = _same(path)
    assert len(got) == len(rows) - 1
    assert sum(1 for x in got if not isinstance(x, ParsedRow)) == 2
    assert sum(1 for x in got if isinstance(x, ParsedRow) and x.warnings) >= 2


def test_bad_codes_and_id_numbers_go_row_by_row(tmp_path):
    """The column path's shortcut for a plain USCC or resident ID number (graph/identifiers.py, plain_uscc and
    plain_id_number) takes only what the parsers would return unchanged; every near miss must come out as the
    row-by-row path says: rejected with its reason, folded, or accepted with a warning."""
    good_id = "11010519491231002X"
    bad_ids = ["11010519491231002Y", "110105194912310021", "11010519491331002X", "11010519490229002X",
               "11010519491231002x", " 11010519491231002X", "１１０１０５１９４９１２３１００２Ｘ", "1101051949123100",
               "11010519491231002X1", "=11010519491231002X", "11010519491231002", "٠١٠١٠٥١٩٤٩١٢٣١٠٠٢X", ""]
    bad_codes = ["91640422MAJAC7AQ1X", "91640422majac7aq1d", "91640422MAJAC7AQ1D ", "9164042２MAJAC7AQ1D",
                 "91640422MAJAC7AQ1", "91640422MAJAC7AQIO", "9E1234567890123456", "916401052278583000",
                 "9E1234567890123471", "440301103032184", "520000000005018", "520000000005018.0", "-", ""]
    member = tmp_path / "member.csv"
    rows = []
    for i in range(2 * COLUMN_BATCH):
        code, id_number, id_type = uscc(2000 + i), good_id, "居民身份证"
        if i % 7 == 1:
            id_number = bad_ids[(i // 7) % len(bad_ids)]
        if i % 11 == 2:
            code = bad_codes[(i // 11) % len(bad_codes)]
        if i % 13 == 3:
            id_type = ["护照", "统一社会信用代码", "", "=A1"][(i // 13) % 4]
        if i % 17 == 4:
            id_number = uscc(5000 + i)  # a corporate member's code in the ID column
        rows.append([str(i + 1), code, "西吉县某某商贸有限公司", "股东", "张三", id_type, id_number, "10%"])
    with member.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["序号", "统一社会信用代码", "企业名称", "人员类别", "姓名", "证件类型", "证件号码", "出资比例"],
                                  *rows])
    got = _same(member)
    assert 100 < sum(1 for x in got if not isinstance(x, ParsedRow)) < len(rows) - 100
    registry = tmp_path / "enterprise.csv"
    rows = []
    for i in range(2 * COLUMN_BATCH):
        code, reg_no, id_number = uscc(3000 + i), "", good_id
        if i % 5 == 1:
            code = bad_codes[(i // 5) % len(bad_codes)]
        if i % 9 == 2:
            reg_no = ["440301103032184", "520000000005018", "52000000000501", "-"][(i // 9) % 4]
        if i % 7 == 3:
            id_number = bad_ids[(i // 7) % len(bad_ids)]
        rows.append([str(i + 1), code, reg_no, "西吉县某某商贸有限公司", "有限责任公司", "张三", "居民身份证", id_number,
                     "2019-12-05", "存续", "西吉县吉强镇", "西吉县市场监督管理局"])
    with registry.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["序号", "统一社会信用代码", "注册号", "企业名称", "企业类型", "法定代表人", "法定代表人证件类型",
                                   "法定代表人证件号码", "成立日期", "登记状态", "住所", "登记机关"], *rows])
    got = _same(registry)
    assert 100 < sum(1 for x in got if not isinstance(x, ParsedRow)) < len(rows) - 100
    assert any(x.warnings for x in got if isinstance(x, ParsedRow))


def test_dates_as_offices_write_them_take_the_same_way(tmp_path):
    """Open ends, month-only and year-only dates (their warnings), dates with 号, a weekday or Chinese numerals, and
    ambiguous dates (rejected) come out of the column path as RowValidator gives them, around batch boundaries."""
    starts = ["2019-05-06", "2019年5月6号", "2019/05/06 星期一", "二〇一九年五月六日", "2019年5月", "2019.5", "2019年",
              "5/6/2019", "19-5-6", "———", "43591"]
    ends = ["", "在任", "现任", "至今", "2024年3月", "2024.1", "2024.10", "2024-12-31止", "至2024-12-31",
            "2024-12-31（暂定）", "——————", "---", "2024", "2024.50"]
    member = tmp_path / "member.csv"
    rows = [[str(i + 1), uscc(6000 + i), "西吉县某某商贸有限公司", "监事", "张三", "居民身份证", "11010519491231002X", "",
             starts[i % len(starts)], ends[i % len(ends)]] for i in range(2 * COLUMN_BATCH + 5)]
    with member.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["序号", "统一社会信用代码", "企业名称", "人员类别", "姓名", "证件类型", "证件号码", "出资比例",
                                   "任职日期", "离任日期"], *rows])
    got = _same(member)
    assert any(not isinstance(x, ParsedRow) for x in got)
    assert any(isinstance(x, ParsedRow) and x.values["until"] is None and x.original["离任日期"] == "在任" for x in got)
    assert any(isinstance(x, ParsedRow) and x.values["until"] == "2024-10-31" for x in got)
    licences = tmp_path / "license.csv"
    rows = [[str(i + 1), uscc(7000 + i), "西吉县某某商贸有限公司", f"JY1640422{i:06d}", "食品经营许可证",
             starts[i % len(starts)], ends[i % len(ends)], "西吉县市场监督管理局"] for i in range(2 * COLUMN_BATCH + 5)]
    with licences.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["序号", "统一社会信用代码", "企业名称", "许可文件编号", "许可文件名称", "有效期自", "有效期至",
                                   "许可机关"], *rows])
    got = _same(licences)
    assert any(isinstance(x, ParsedRow) and x.warnings for x in got)
