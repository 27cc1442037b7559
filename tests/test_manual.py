"""What docs/操作手册.md and README.md tell their readers, held to what creditnet does."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from county import AS_OF, ENTERPRISE_HEADERS, uscc, write_csv
from graph.errors import NotFound
from graph.queries.check import check
from graph.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
MANUAL = (REPO / "docs" / "操作手册.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")
NEO4J_SETTINGS = ("CREDITNET_BACKEND=neo4j", "CREDITNET_NEO4J_URI", "CREDITNET_NEO4J_USER", "CREDITNET_NEO4J_PASSWORD",
                  "CREDITNET_NEO4J_DATABASE")


@pytest.mark.parametrize("document, stores", [(MANUAL, "(stores.md)"), (README, "(docs/stores.md)")])
def test_the_manual_and_the_readme_say_how_to_use_neo4j(document, stores):
    for setting in NEO4J_SETTINGS:
        assert f"`{setting}" in document, setting
    assert stores in document


@pytest.mark.writes
def test_company_forms_in_a_check_by_name_are_as_the_manual_says(store, home, tmp_path):
    from graph.ingest import load_file
    rows = [[str(i), uscc(n), "", name, "有限责任公司", f"代表{n}", "", "", "2016-01-01", "存续", "西吉县",
             "西吉县市场监督管理局"]
            for i, (n, name) in enumerate([(801, "西吉县德盛建筑工程有限公司"), (802, "西吉县六盘农业科技股份有限公司")], 1)]
    load_file(store, write_csv(tmp_path / "registry.csv", ENTERPRISE_HEADERS, rows), home=home)
    on = date.fromisoformat(AS_OF)

    assert "`西吉县德盛建筑工程有限责任公司`" in MANUAL and "`西吉县德盛建筑工程有限公司`" in MANUAL
    found = check(store, settings=get_settings(), name="西吉县德盛建筑工程有限责任公司", as_of=on)
    assert found.subject.key == uscc(801)
    assert any("按公司形式不同的登记名称" in note for note in found.notes)  # the note the manual quotes
    assert "按公司形式不同的登记名称……找到，请核对" in MANUAL

    assert "股份有限公司与有限公司是不同的公司形式，不会当作同一家企业" in MANUAL
    with pytest.raises(NotFound) as refused:
        check(store, settings=get_settings(), name="西吉县六盘农业科技有限公司", as_of=on)
    assert uscc(802) in [c["key"] for c in refused.value.details["candidates"]]  # listed as a similar name
    found = check(store, settings=get_settings(), name="西吉县六盘农业科技股份公司", as_of=on)
    assert found.subject.key == uscc(802) and "股份有限公司和股份公司也是这样" in MANUAL
