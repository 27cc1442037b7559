"""The county's departments and the many spellings their names arrive in.

A listing names its sending department (信息发送部门名称) and the receiving ones (信息接收部门名称) as typed by a
clerk: 县市场监管局, 县市场监督管理局 and 西吉县市场监督管理局 are one bureau. The loader keeps what was sent;
`canonical_department` maps each spelling to one node so that "which listings did the market supervision
bureau send" has one answer. Names outside the table are returned folded but otherwise as given: a new
department is a new node until someone adds its aliases here.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Seed, attachment 2: the 30 departments of 西吉县 taking part in joint punishment, in the seed's order.
COUNTY_DEPARTMENTS: tuple[str, ...] = (
    "县政府办", "县发改局", "县公安局", "县司法局", "县财政局", "县教体局", "县民政局", "县民宗局", "县人社局",
    "县国土局", "县建环局", "县交通局", "县水务局", "县农牧局", "县文广局", "县卫计局", "县审计局", "县统计局",
    "县林业局", "县安监局", "县市场监督管理局", "县商经局", "县扶贫办", "县粮食局", "县邮政局", "县烟草局",
    "县国税局", "县法院", "县检察院", "县运管所",
)
MARKET_SUPERVISION = "县市场监督管理局"  # leads the work and allocates departments' access (seed §四, §五(一))

# Full names and common short forms, keyed by the folded name with the county prefix already reduced to 县.
# Predecessors map to their successor where the county merged them: 工商, 质监 and 食药监 became the market
# supervision bureau. 地税 is kept apart from 国税: before the 2018 merger they were different bureaus and a
# listing sent by one was not sent by the other. The 2018 merged tax bureau (县税务局) is the 国税 line's
# successor, so it joins 县国税局. 县公安局交警大队 is a unit of its own and is deliberately not mapped.
ALIASES: dict[str, str] = {
    "县人民政府办公室": "县政府办", "县政府办公室": "县政府办", "县府办": "县政府办",
    "县发展和改革局": "县发改局", "县发展改革局": "县发改局", "县发改委": "县发改局", "县发展和改革委员会": "县发改局",
    "县教育体育局": "县教体局", "县教育和体育局": "县教体局",
    "县民族宗教事务局": "县民宗局", "县民族宗教局": "县民宗局",
    "县人力资源和社会保障局": "县人社局", "县人力资源社会保障局": "县人社局", "县人社保局": "县人社局",
    "县国土资源局": "县国土局",
    "县交通运输局": "县交通局",
    "县卫生和计划生育局": "县卫计局", "县卫生计生局": "县卫计局",
    "县安全生产监督管理局": "县安监局", "县安全监管局": "县安监局",
    "县市场监管局": MARKET_SUPERVISION, "县市场局": MARKET_SUPERVISION, "县市监局": MARKET_SUPERVISION,
    "县工商局": MARKET_SUPERVISION, "县工商行政管理局": MARKET_SUPERVISION,
    "县质监局": MARKET_SUPERVISION, "县质量技术监督局": MARKET_SUPERVISION,
    "县食药监局": MARKET_SUPERVISION, "县食品药品监督管理局": MARKET_SUPERVISION,
    "县扶贫开发办公室": "县扶贫办", "县扶贫开发办": "县扶贫办",
    "县烟草专卖局": "县烟草局",
    "县国家税务局": "县国税局", "县国税": "县国税局", "县税务局": "县国税局", "国家税务总局西吉县税务局": "县国税局",
    "县地方税务局": "县地税局",
    "县人民法院": "县法院",
    "县人民检察院": "县检察院",
    "县道路运输管理所": "县运管所", "县运输管理所": "县运管所",
}

# Longest first, so 宁夏回族自治区西吉县 is removed whole rather than leaving 宁夏回族自治区.
_COUNTY_PREFIXES = ("宁夏回族自治区西吉县", "宁夏西吉县", "西吉县")
_SPACES = re.compile(r"[\s\u200b\ufeff]+")
_SEPARATORS = re.compile(r"[、，,；;\s]+")


@lru_cache(maxsize=4096)  # a load asks for the same few dozen departments on every record
def canonical_department(name: str) -> str:
    """The one node name for a department, however it was spelled.

    Folds full-width characters (NFKC), drops spaces, reduces the county prefix (西吉县…, 宁夏回族自治区西吉县…)
    to 县…, then applies ALIASES. Unknown names come back folded but otherwise as given.
    """
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", name or ""))
    if folded in ALIASES:
        return ALIASES[folded]
    for prefix in _COUNTY_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            folded = "县" + folded[len(prefix):]
            break
    return ALIASES.get(folded, folded)


def split_departments(text: str | None) -> list[str]:
    """Split a 信息接收部门名称 cell into names; clerks separate them with 、 ， , ； ; or spaces.

    The names are kept as sent (only stripped): canonicalising is `canonical_department`'s job, so that the
    record still shows what the sending department wrote.
    """
    if not text:
        return []
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
