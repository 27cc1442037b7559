"""Department names: one node per department however a clerk spelled it, and splitting receiver lists."""
from __future__ import annotations

import pytest

from graph.departments import ALIASES, COUNTY_DEPARTMENTS, canonical_department, split_departments


def test_the_thirty_county_departments():
    assert len(COUNTY_DEPARTMENTS) == len(set(COUNTY_DEPARTMENTS)) == 30
    assert COUNTY_DEPARTMENTS[0] == "县政府办" and COUNTY_DEPARTMENTS[-1] == "县运管所"
    assert all(canonical_department(name) == name for name in COUNTY_DEPARTMENTS)


@pytest.mark.parametrize("sent, canonical", [
    ("县市场监管局", "县市场监督管理局"),
    ("县市场监督管理局", "县市场监督管理局"),
    ("西吉县市场监督管理局", "县市场监督管理局"),
    ("宁夏回族自治区西吉县市场监督管理局", "县市场监督管理局"),
    (" 西吉县 市场监管局 ", "县市场监督管理局"),
    ("县工商局", "县市场监督管理局"),                # the bureau's predecessor
    ("县工商行政管理局", "县市场监督管理局"),
    ("县人民法院", "县法院"),
    ("西吉县人民法院", "县法院"),
    ("县人民检察院", "县检察院"),
    ("县国家税务局", "县国税局"),
    ("国家税务总局西吉县税务局", "县国税局"),
    ("县地方税务局", "县地税局"),                    # 地税 stays apart from 国税
    ("县人力资源和社会保障局", "县人社局"),
    ("县道路运输管理所", "县运管所"),
    ("县公安局交警大队", "县公安局交警大队"),          # a unit of its own, not the 公安局
    ("县公安局（交警大队）", "县公安局(交警大队)"),     # unknown: folded (NFKC) but otherwise kept
    ("固原市中级人民法院", "固原市中级人民法院"),
    ("西吉县", "西吉县"),                            # the county itself is not a department
])
def test_canonical_department(sent, canonical):
    assert canonical_department(sent) == canonical


def test_every_alias_points_at_a_known_department():
    assert set(ALIASES.values()) <= set(COUNTY_DEPARTMENTS) | {"县地税局"}


@pytest.mark.parametrize("text, names", [
    ("县发改局、县国土局，县法院", ["县发改局", "县国土局", "县法院"]),
    ("县发改局,县国土局;县法院；县检察院", ["县发改局", "县国土局", "县法院", "县检察院"]),
    ("县发改局 县国土局\u3000县法院", ["县发改局", "县国土局", "县法院"]),
    ("、县发改局、、 ,", ["县发改局"]),
    ("西吉县市场监督管理局", ["西吉县市场监督管理局"]),  # kept as sent: canonicalising is a separate step
    ("", []),
    (None, []),
])
def test_split_departments(text, names):
    assert split_departments(text) == names
