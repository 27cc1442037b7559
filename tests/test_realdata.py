"""A load of the real registration extracts in ../shared/realdata (skipped with a reason where absent)."""
from __future__ import annotations

import csv

from graph.ingest import load_file
from graph.queries.profile import profile
from graph.queries.stats import stats


def test_real_registry_extracts_load_with_exact_counts(store, realdata, home):
    ningxia = load_file(store, realdata / "ningxia-2003.csv", home=home)
    zhejiang = load_file(store, realdata / "zhejiang-2002.csv", home=home)
    assert (ningxia.kind, ningxia.rows, ningxia.loaded, ningxia.rejected) == ("enterprise", 1104, 1104, 0)
    assert (zhejiang.kind, zhejiang.rows, zhejiang.loaded, zhejiang.rejected) == ("enterprise", 4298, 4216, 82)
    assert ningxia.columns["法人代表"] == "legal_rep" and ningxia.columns["注册日期"] == "established"
    with open(zhejiang.rejects_file, encoding="utf-8-sig", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    assert len(rejects) == 82 and all(r["行号"] and r["原因"] for r in rejects)
    s = stats(store)
    assert s["nodes"]["enterprise"] == s["nodes"]["enterprise_in_registry"]
    assert s["nodes"]["enterprise"] == len(_valid_codes(realdata))
    # The registry names legal representatives without ID numbers: the name stays on the enterprise.
    assert s["nodes"]["person"] == 0
    p = profile(store, "916401052278583193")
    assert p["enterprise"]["name"] == "银川市花木公司" and p["enterprise"]["legal_rep"] == "王光宁"
    assert p["enterprise"]["capital"] == 1_000_000.0 and p["enterprise"]["established"] == "2003-01-01"


def _valid_codes(realdata) -> set[str]:
    """Distinct codes among the rows that load (computed independently of the store)."""
    from graph.loaders import ParsedRow, open_table
    codes = set()
    for name in ("ningxia-2003.csv", "zhejiang-2002.csv"):
        for row in open_table(realdata / name).rows():
            if isinstance(row, ParsedRow):
                codes.add(row.values["code"])
    return codes
