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
