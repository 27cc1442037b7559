"""A seeded synthetic county: the registry and the six record classes, in the files departments send.

Used by `creditnet demo`, by tests and by benchmarks (1,000 to 1,000,000 enterprises). The same
(enterprises, seed, reference_date, formats) give byte-identical files, so a benchmark or a failing test
can be reproduced from its manifest alone.

How it stays fast and small at a million enterprises:
- identities (codes, names, ID numbers) are pure functions of an index, so a record or a corporate
  shareholder can name any enterprise or person without the county being held in memory;
- relations and records come from one random stream consumed in a fixed order, and every file is
  written row by row;
- the scenarios of `graph.synthetic_scenarios` are planted first, on enterprises and persons that the
  background never draws, so their expected verdicts are exact.
"""
from __future__ import annotations

import csv
import json
import math
import os
import random
import re
import shutil
from array import array
from bisect import bisect
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from graph import synthetic_scenarios
from graph.identifiers import USCC_ALPHABET, id_check_char, reg_no_check_digit, uscc_check_char
from graph.model import KINDS

REGION = "640422"  # 宁夏回族自治区固原市西吉县
COUNTY = "西吉县"
ALL_KINDS = ("enterprise", "member", "license", "license-change", "penalty", "penalty-change",
             "inspection", "blacklist")
# The registry formats of docs/domain.md; model.KINDS also knows optional columns (注册资金 …) that real
# extracts carry but the county's registry export does not.
COLUMNS = {kind: tuple(f.name for f in KINDS[kind].fields) for kind in ALL_KINDS}
COLUMNS["enterprise"] = COLUMNS["enterprise"][:COLUMNS["enterprise"].index("authority") + 1]
COLUMNS["member"] = COLUMNS["member"][:COLUMNS["member"].index("share") + 1]  # the registry extract has no tenure
HALF_WIDTH_CODE_KIND = "penalty-change"  # one department types the code header with ASCII brackets
FILE_FORMATS = {
    # kind -> (container, encoding): how the county's departments actually deliver them
    "mixed": {"enterprise": ("csv", "utf-8-sig"), "member": ("csv", "utf-8-sig"), "license": ("csv", "gbk"),
              "penalty": ("xlsx", None), "blacklist": ("xlsx", None)},
    "csv": {},
}
BAD_ROW_RATE = 0.005
BAD_ROWS_UP_TO = 100_000
IMPOSSIBLE_DATE = "2023-02-30"
MIN_ENTERPRISES = 100

# --- vocabulary (all of it in GBK, because license.csv is written in GBK) -------------------------------
ZIHAO = ("金鑫鼎盛兴隆华泰丰源祥瑞福宏达通宇恒德信诚利顺和安康乐荣昌富贵长新宝辉光明博正嘉豪晟凯胜昊天海川山峰林森"
         "润泽清雅美佳欣悦景宁夏六盘月星辰春秋永益众合万家百汇聚")
INDUSTRIES = ("商贸", "建材", "餐饮", "农业科技", "物流", "建筑工程", "清真食品", "马铃薯", "畜牧", "汽车服务",
              "电子科技", "文化传媒", "房地产开发", "劳务", "药业", "酒店管理", "装饰工程", "农资", "运输",
              "环保科技", "信息技术", "旅游开发", "服装", "粮油")
# Cooperatives take their own trade words; the list is as long as INDUSTRIES so names stay a bijection.
COOP_INDUSTRIES = ("马铃薯种植", "肉牛养殖", "中药材种植", "西芹种植", "小杂粮种植", "肉羊养殖", "蔬菜种植", "苗木",
                   "农机服务", "养蜂", "草畜", "枸杞种植", "冷凉蔬菜", "胡麻种植", "蚕豆种植", "玉米种植",
                   "马铃薯淀粉加工", "家禽养殖", "花卉种植", "食用菌种植", "农产品购销", "饲草加工", "土豆加工",
                   "中蜂养殖")
# Name endings, repeated to weight them: a uniform draw over slots gives the county's mix of forms.
FORMS = ("有限公司",) * 8 + ("有限责任公司", "股份有限公司", "（集团）有限公司") \
    + ("商贸部", "经营部", "经营部", "门市部", "店", "店") + ("专业合作社", "专业合作社")
FORM_CATEGORY = {"有限公司": "company", "有限责任公司": "company", "（集团）有限公司": "company",
                 "股份有限公司": "shares", "专业合作社": "coop", "分公司": "branch",
                 **{f: "individual" for f in ("商贸部", "经营部", "门市部", "店")}}
USCC_TYPE = {"company": "91", "shares": "91", "branch": "91", "individual": "92", "coop": "93"}
TOWNS = ("吉强镇", "兴隆镇", "平峰镇", "将台堡镇", "新营乡", "红耀乡", "田坪乡", "马建乡", "震湖乡", "兴平乡",
         "西滩乡", "王民乡", "什字乡", "马莲乡", "硝河乡", "偏城乡", "沙沟乡", "白崖乡", "火石寨乡")
STREETS = ("西兴路", "文化路", "团结路", "北环路", "建设路", "葫芦河路", "新华街", "南关街")
VILLAGES = ("杨河", "袁河", "夏寨", "龙王坝", "大坪", "单家集", "陈阳", "公易", "红旗", "新庄")
SURNAMES = "马马马马马马杨杨杨李李李王王王张张田田苏海丁何刘赵陈周吴金穆沙白冯韩郭黄罗梁宋谢高虎兰拓单"
GIVEN_MALE = "军伟强明刚平辉斌勇杰海涛鹏华宁福贵忠成龙虎仁义德文武兴旺国建东山林永清志学有禄俊"
GIVEN_FEMALE = "梅兰花霞芳丽娟英秀萍燕红玲琴凤莲翠艳静敏婷雪慧娜莉桂香晶月"
# Resident ID regions: mostly 西吉县, some from elsewhere in Ningxia.
ID_REGIONS = (REGION,) * 16 + ("640402", "640423", "640424", "640425", "640104", "640105", "640302", "640502")
BIRTH_FIRST, BIRTH_LAST = date(1950, 1, 1), date(2000, 12, 31)

# Seed attachment 2; the two supernodes (market supervision, state tax) weigh most everywhere.
DEPARTMENTS = ("县政府办", "县发改局", "县公安局", "县司法局", "县财政局", "县教体局", "县民政局", "县民宗局",
               "县人社局", "县国土局", "县建环局", "县交通局", "县水务局", "县农牧局", "县文广局", "县卫计局",
               "县审计局", "县统计局", "县林业局", "县安监局", "县市场监督管理局", "县商经局", "县扶贫办",
               "县粮食局", "县邮政局", "县烟草局", "县国税局", "县法院", "县检察院", "县运管所")
MARKET = "县市场监督管理局"
MARKET_SPELLINGS = (("县市场监督管理局", 70), ("县市场监管局", 20), ("西吉县市场监督管理局", 10))
INSPECTION_WEIGHTS = {MARKET: 40, "县国税局": 20, "县安监局": 6, "县卫计局": 5, "县交通局": 3, "县运管所": 3,
                      "县建环局": 3, "县烟草局": 3, "县农牧局": 2, "县人社局": 2, "县民宗局": 2, "县公安局": 2}
INSPECTION_TYPES = (("双随机抽查", 40), ("定向抽查", 20), ("不定向抽查", 15), ("专项检查", 15), ("日常检查", 10))
INSPECTION_RESULTS = (("未发现问题", 50), ("发现问题已责令改正", 18), ("未按规定公示年报", 8),
                      ("未发现开展本次抽查涉及的经营活动", 8), ("通过登记的住所（经营场所）无法联系", 6),
                      ("发现问题待后续处理", 6), ("不配合检查情节严重", 1))
# (department, licence name, 许可内容, number pattern, years valid, weight). Every pattern carries the
# global licence sequence behind a prefix of its own, so licence numbers are unique county-wide.
LICENCES = (
    (MARKET, "食品经营许可证", "预包装食品（含冷藏冷冻食品）销售；散装食品销售", "JY1640422{seq:07d}", 5, 30),
    (MARKET, "食品经营许可证", "热食类食品制售；冷食类食品制售", "JY2640422{seq:07d}", 5, 12),
    (MARKET, "食品生产许可证", "粮食加工品；薯类和膨化食品", "SC10164042{seq:07d}", 5, 3),
    ("县卫计局", "公共场所卫生许可证", "住宿；沐浴；美容美发", "宁卫公证字〔{year}〕第{seq:07d}号", 4, 8),
    ("县烟草局", "烟草专卖零售许可证", "卷烟、雪茄烟零售", "6404221{seq:07d}", 5, 10),
    ("县民宗局", "清真食品准营证", "清真食品生产经营", "宁西清准字第{seq:07d}号", 3, 5),
    ("县交通局", "道路运输经营许可证", "道路普通货物运输", "宁交运管许可固字640422{seq:07d}号", 4, 4),
    ("县运管所", "道路运输经营许可证", "机动车维修：二类机动车维修（小型车辆维修）", "宁交运管维修固字{seq:07d}号", 4, 4),
    ("县建环局", "建筑工程施工许可证", "房屋建筑工程施工", "640422{year}{seq:07d}0101", 2, 3),
    ("县安监局", "危险化学品经营许可证", "汽油、柴油零售（无储存）", "宁固西危化经字〔{year}〕{seq:07d}", 3, 3),
    ("县文广局", "娱乐经营许可证", "歌舞娱乐场所", "文娱经字〔{year}〕第{seq:07d}号", 2, 2),
    ("县林业局", "林木采伐许可证", "采伐杨树", "宁林采字〔{year}〕{seq:07d}号", 1, 2),
    ("县水务局", "取水许可证", "地下水取水", "取水（宁西）字〔{year}〕第{seq:07d}号", 5, 2),
    ("县农牧局", "兽药经营许可证", "兽用化学药品、中兽药经营", "（{year}）兽药经营证字640422{seq:07d}号", 5, 2),
    ("县农牧局", "农作物种子生产经营许可证", "马铃薯种薯生产经营", "D640422{seq:07d}", 5, 2),
    ("县公安局", "特种行业许可证", "旅馆业", "西公特字〔{year}〕第{seq:07d}号", 5, 2),
    ("县粮食局", "粮食收购许可证", "粮食收购", "宁粮收{seq:07d}", 3, 2),
    ("县国土局", "采矿许可证", "建筑用砂石开采", "C6404222{year}{seq:07d}", 3, 1),
    ("县人社局", "劳务派遣经营许可证", "劳务派遣", "宁劳派640422{year}{seq:07d}", 3, 1),
    ("县邮政局", "快递业务经营许可证", "国内快递（经营地域范围：西吉县）", "宁邮{year}{seq:07d}", 5, 1),
    ("县教体局", "民办学校办学许可证", "文化艺术培训", "教民164042270{seq:07d}号", 3, 1),
    ("县商经局", "酒类商品零售许可证", "酒类零售", "宁酒零字640422{seq:07d}号", 3, 2),
)
# (department, 文号 abbreviation, weight, violations)
PENALTIES = (
    (MARKET, "西市监罚", 36, ("未按规定公示年度报告", "销售过期食品", "无照经营", "虚假宣传",
                             "未取得食品经营许可从事食品经营", "销售不合格产品", "计量器具未按规定检定")),
    ("县国税局", "西国税罚", 28, ("未按规定期限办理纳税申报", "未按规定开具发票", "逃避缴纳税款", "未按规定保管账簿")),
    ("县安监局", "西安监罚", 5, ("未按规定开展安全生产教育培训", "未按规定设置安全警示标志")),
    ("县卫计局", "西卫计罚", 4, ("未取得卫生许可证从事公共场所经营", "从业人员未取得健康合格证明")),
    ("县交通局", "西交罚", 3, ("车辆超限运输",)),
    ("县运管所", "西运管罚", 3, ("未取得道路运输经营许可擅自从事道路运输",)),
    ("县建环局", "西建环罚", 3, ("未批先建", "超标排放大气污染物")),
    ("县烟草局", "西烟罚", 3, ("无证经营烟草制品零售业务",)),
    ("县农牧局", "西农牧罚", 2, ("经营假劣兽药", "经营未经审定的农作物种子")),
    ("县人社局", "西人社监罚", 2, ("拖欠劳动者工资", "未依法缴纳社会保险费")),
    ("县公安局", "西公（治）行罚决字", 2, ("违反旅馆业治安管理规定",)),
    ("县文广局", "西文广罚", 1, ("擅自从事娱乐场所经营活动",)), ("县林业局", "西林罚", 1, ("滥伐林木",)),
    ("县水务局", "西水罚", 1, ("未经批准擅自取水",)), ("县国土局", "西国土罚", 1, ("非法占用土地",)),
    ("县统计局", "西统罚", 1, ("提供不真实统计资料",)), ("县粮食局", "西粮罚", 1, ("未按规定备案从事粮食收购",)),
    ("县商经局", "西商经罚", 1, ("未按规定备案发行单用途商业预付卡",)), ("县民宗局", "西民宗罚", 1, ("违规使用清真标识",)),
    ("县发改局", "西发改价罚", 1, ("不明码标价",)), ("县财政局", "西财罚", 1, ("政府采购中提供虚假材料",)),
    ("县教体局", "西教体罚", 1, ("违规开展校外培训",)), ("县邮政局", "西邮罚", 1, ("未按规定验视快件",)),
)
PENALTY_KINDS = (("罚款", 55), ("警告", 15), ("警告；罚款", 12), ("罚款；没收违法所得", 10), ("责令停产停业", 5),
                 ("暂扣或者吊销许可证", 3))
FINES = (200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000, 100000)


@dataclass(frozen=True)
class ListType:
    name: str
    senders: tuple[tuple[str, str, str], ...]  # (department, 限制法律依据, 法律描述)
    weight: int
    person_share: float  # how often a row names the enterprise's legal representative
    open_share: float    # how often 限制期限至 is left empty
    years: tuple[int, ...]


LIST_TYPES = {lt.name: lt for lt in (
    ListType("经营异常名录", ((MARKET, "《企业经营异常名录管理暂行办法》第四条",
                             "未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告"),), 40, 0.05, 0.5, (1, 2)),
    ListType("严重违法失信企业名单", ((MARKET, "《企业信息公示暂行条例》第十七条",
                                   "被列入经营异常名录届满3年仍未履行相关义务"),), 12, 0.1, 0.3, (3,)),
    ListType("失信被执行人", (("县法院", "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
                             "有履行能力而拒不履行生效法律文书确定的义务"),), 22, 0.8, 0.4, (2, 3, 5)),
    ListType("重大税收违法失信主体", (("县国税局", "《重大税收违法失信主体信息公布管理办法》第六条",
                                   "偷税数额在100万元以上且占各种应纳税总额10%以上"),), 10, 0.3, 0.0, (3,)),
    ListType("黑名单", (
        ("县人社局", "《保障农民工工资支付条例》第四十八条", "拖欠农民工工资被列入失信联合惩戒对象名单"),
        ("县安监局", "《安全生产领域失信行为联合惩戒实施办法》", "发生较大以上生产安全责任事故"),
        ("县财政局", "《中华人民共和国政府采购法》第七十七条", "政府采购活动中提供虚假材料谋取中标"),
        ("县交通局", "《交通运输守信联合激励和失信联合惩戒对象名单管理办法》", "道路运输领域严重失信"),
        ("县建环局", "《建筑市场信用管理暂行办法》第十四条", "建筑市场主体严重失信行为"),
        ("县检察院", "《关于在全国范围内开展行贿犯罪档案查询工作的通知》", "单位行贿犯罪记录"),
        ("县粮食局", "《粮食流通管理条例》第四十九条", "粮食经营严重违法失信"),
        ("县卫计局", "《食品安全法》第一百三十五条", "违反食品安全法律规定情节严重")), 12, 0.2, 0.2, (1, 2, 3)),
)}
LISTED_SHARE = 0.02      # 1–3% of enterprises are listed
RESEND_SHARE = 0.08      # active listings later re-sent with an earlier end (an early removal)
CORPORATE_SHARE = 0.10   # shareholder slots taken by another enterprise
MAX_CHAIN = 4            # corporate shareholder levels above an enterprise
NO_HOLDINGS = 255        # depth marker: branches, individual businesses and cooperatives hold no shares
NEW_PERSON = 0.7         # otherwise an earlier person again, chosen in proportion to the posts they hold
# Enterprise groups (集团): off by default (`groups=0`). With a share above 0, that share of the background's
# companies belongs to a group: the group's holding company holds shares in each member, one controller is the
# legal representative of most members and one partner a shareholder of many. This puts cycles into the party
# graph (many paths between the same parties), which the default county, close to a forest, lacks; the
# benchmark uses it to see how path enumeration and a bounded search compare when paths multiply.
GROUP_SIZES = ((3, 35), (5, 25), (10, 20), (20, 12), (40, 8))   # members after the holding company, weight
GROUP_CONTROLLER_HEADS = 0.8   # members whose legal representative is the group's controller
GROUP_PARTNER_HOLDS = 0.6      # members in which the group's partner holds shares


@dataclass
class _Group:
    """An enterprise group being written: its holding company, controller and partner, and how many more
    members it takes."""
    holding: Enterprise
    controller: Person
    partner: Person
    room: int


# --- identities ------------------------------------------------------------------------------------------
_M64 = (1 << 64) - 1


def _mix(*parts: int) -> int:
    """splitmix64 over the parts: a stable hash (Python's hash() of a str is salted per process)."""
    x = 0
    for part in parts:
        x = (x ^ (part & _M64)) + 0x9E3779B97F4A7C15 & _M64
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _M64
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _M64
        x ^= x >> 31
    return x


class _Permutation:
    """i -> (i * stride + offset) mod size: a bijection, so distinct indices never share a code."""

    def __init__(self, size: int, stride: int, offset: int):
        assert math.gcd(size, stride) == 1
        self.size, self.stride, self.offset = size, stride, offset % size

    def __call__(self, i: int) -> int:
        if not 0 <= i < self.size:
            raise ValueError(f"synthetic county too large: index {i} beyond {self.size}")
        return (i * self.stride + self.offset) % self.size


class _Shuffle:
    """A keyed pseudo-random permutation of range(size): Feistel rounds over the next even power of two,
    walking the cycle back into range. Unlike an affine map it leaves no period in what it orders."""

    def __init__(self, size: int, key: int):
        self.size, self.keys = size, tuple(_mix(key, r) for r in range(4))
        self.half = (max(2, (size - 1).bit_length()) + 1) // 2
        self.mask = (1 << self.half) - 1

    def __call__(self, i: int) -> int:
        if not 0 <= i < self.size:
            raise ValueError(f"synthetic county too large: index {i} beyond {self.size}")
        x = i
        while True:
            left, right = x >> self.half, x & self.mask
            for key in self.keys:
                z = (right + key) * 0xBF58476D1CE4E5B9 & _M64
                left, right = right, left ^ ((z ^ z >> 31) * 0x94D049BB133111EB & _M64) >> 32 & self.mask
            x = left << self.half | right
            if x < self.size:
                return x


def _zihao(n: int) -> str:
    """The n-th trade name: two characters while they last, then three (real 字号 have two to four)."""
    pairs = len(ZIHAO) ** 2
    if n < pairs:
        return ZIHAO[n // len(ZIHAO)] + ZIHAO[n % len(ZIHAO)]
    n -= pairs
    if n >= len(ZIHAO) ** 3:
        raise ValueError("synthetic county too large for its trade names")
    return ZIHAO[n // pairs] + ZIHAO[n // len(ZIHAO) % len(ZIHAO)] + ZIHAO[n % len(ZIHAO)]


def org_code(body8: str) -> str:
    """GB 11714 organisation code: eight characters and their mod-11 check character."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str


@dataclass(frozen=True)
class Enterprise:
    index: int
    uscc: str
    reg_no: str  # 15-digit 注册号 of an older enterprise, "" otherwise
    name: str
    form: str    # the name's ending; decides the type
    established: date

    @property
    def category(self) -> str:
        return FORM_CATEGORY[self.form]


class _Weighted:
    """Weighted choice by bisection on cumulative weights (random.choices rebuilds them on every call)."""

    def __init__(self, pairs):
        self.items = tuple(item for item, _ in pairs)
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


def _years(start: date, years: int) -> date:
    return start + timedelta(days=round(365.25 * years) - 1)


def _amount(rng: random.Random, yuan: int) -> str:
    # The three ways departments write money: "5000元", "0.5万元", "5,000".
    return (f"{yuan}元", f"{yuan / 10000:g}万元", f"{yuan:,}")[rng.randrange(3)]


# --- files -----------------------------------------------------------------------------------------------
def headers(kind: str) -> list[str]:
    """The header row of a kind's file: 序号 and the seed's Chinese headers from model.KINDS."""
    out = ["序号"] + [KINDS[kind].field(name).header for name in COLUMNS[kind]]
    if kind == HALF_WIDTH_CODE_KIND:
        out[1] = out[1].replace("（", "(").replace("）", ")")
    return out


class _CsvSink:
    def __init__(self, path: Path, kind: str, encoding: str):
        self.path, self.rows = path, 0
        self._fh = open(path, "w", encoding=encoding, newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(headers(kind))

    def write(self, row: list) -> None:
        self.rows += 1
        self._writer.writerow([self.rows, *row])  # csv writes a date as ISO and None as ""

    def close(self) -> None:
        self._fh.close()


class _XlsxSink:
    """Write-only openpyxl sheet. Penalties carry real date cells, as Excel users type them."""

    def __init__(self, path: Path, kind: str, stamp: datetime):
        from openpyxl import Workbook
        self.path, self.rows, self._stamp = path, 0, stamp
        self._dates = kind == "penalty"
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(KINDS[kind].label)
        self._sheet.append(headers(kind))

    def write(self, row: list) -> None:
        self.rows += 1
        if not self._dates:
            row = [v.isoformat() if isinstance(v, date) else v for v in row]
        self._sheet.append([self.rows, *row])

    def close(self) -> None:
        self._book.save(self.path)
        _pin_zip(self.path, self._stamp)


def _pin_zip(path: Path, stamp: datetime) -> None:
    """Rewrite an XLSX with fixed timestamps: openpyxl stamps the zip entries and docProps with 'now'."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    tmp = path.with_suffix(".tmp")
    with ZipFile(path) as src, ZipFile(tmp, "w", ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = ZipInfo(item.filename, date_time=stamp.timetuple()[:6])
            info.compress_type, info.external_attr = ZIP_DEFLATED, 0o600 << 16
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, src.read(item))
                dst.writestr(info, data)
                continue
            with src.open(item) as r, dst.open(info, "w") as w:
                shutil.copyfileobj(r, w, 1 << 20)
    os.replace(tmp, path)


class _Files:
    """One streaming writer per kind, closed together."""

    def __init__(self, directory: Path, formats: str, stamp: datetime):
        self.sinks: dict[str, _CsvSink | _XlsxSink] = {}
        for kind in ALL_KINDS:
            container, encoding = FILE_FORMATS[formats].get(kind, ("csv", "utf-8"))
            if container == "xlsx":
                self.sinks[kind] = _XlsxSink(directory / f"{kind}.xlsx", kind, stamp)
            else:
                self.sinks[kind] = _CsvSink(directory / f"{kind}.csv", kind, encoding or "utf-8")

    def write(self, kind: str, row: list) -> None:
        self.sinks[kind].write(row)

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.close()


# --- manifest --------------------------------------------------------------------------------------------
@dataclass
class Manifest:
    directory: Path
    files: dict[str, list[Path]]   # kind -> files written
    rows: dict[str, int]           # kind -> data rows written (deliberately bad rows included)
    reference_date: str            # ISO date the validity periods are relative to
    scenarios: dict[str, dict]     # named example subjects with their expected verdicts
    rows_bad: dict[str, int] = field(default_factory=dict)  # kind -> deliberately bad rows among them
    seed: int = 7
    enterprises: int = 0
    formats: str = "mixed"
    groups: float = 0.0            # share of companies in enterprise groups (GROUP_SIZES); 0: none

    def to_json(self) -> str:
        """JSON with file names relative to the directory, so the manifest is as reproducible as the data."""
        files = {kind: [_relative(p, self.directory) for p in paths] for kind, paths in self.files.items()}
        shape = {"groups": self.groups} if self.groups else {}   # absent when 0: older manifests read the same
        return json.dumps({"reference_date": self.reference_date, "seed": self.seed, "enterprises": self.enterprises,
                           "formats": self.formats, **shape, "files": files, "rows": self.rows,
                           "rows_bad": self.rows_bad, "scenarios": self.scenarios}, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, directory: Path | str | None = None) -> Manifest:
        data = json.loads(text)
        base = Path(directory if directory is not None else data.get("directory", "."))
        return cls(directory=base, files={k: [base / p for p in v] for k, v in data["files"].items()},
                   rows=data["rows"], reference_date=data["reference_date"], scenarios=data["scenarios"],
                   rows_bad=data.get("rows_bad", {}), seed=data.get("seed", 7),
                   enterprises=data.get("enterprises", 0), formats=data.get("formats", "mixed"),
                   groups=data.get("groups", 0.0))

    @classmethod
    def load(cls, directory: Path | str) -> Manifest:
        return cls.from_json((Path(directory) / "manifest.json").read_text(encoding="utf-8"), directory)


def _relative(path: Path, directory: Path) -> str:
    try:
        return Path(path).relative_to(directory).as_posix()
    except ValueError:
        return str(path)


def generate(directory: Path | str, enterprises: int = 1000, seed: int = 7, reference_date: date | None = None,
             formats: str = "mixed", bad_rows: bool | None = None, groups: float = 0.0) -> Manifest:
    """Write a synthetic county into `directory` and return (and save as manifest.json) its manifest.

    `enterprises` counts every enterprise, scenario subjects included. Deliberately bad rows (about 0.5%
    of records) are sprinkled when `bad_rows` is true, by default up to 100,000 enterprises. `groups` is the
    share of background companies in enterprise groups (GROUP_SIZES); at 0, the default, the county is exactly
    what it was before groups existed.
    """
    if formats not in FILE_FORMATS:
        raise ValueError(f"formats must be one of {sorted(FILE_FORMATS)}, got {formats!r}")
    if not 0.0 <= groups <= 1.0:
        raise ValueError(f"groups is a share between 0 and 1, got {groups!r}")
    if enterprises < MIN_ENTERPRISES:
        raise ValueError(f"a synthetic county needs at least {MIN_ENTERPRISES} enterprises, got {enterprises}")
    ref = reference_date or date.today()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = _Files(directory, formats, datetime.combine(ref, time()))
    county = _County(files, enterprises, seed, ref, enterprises <= BAD_ROWS_UP_TO if bad_rows is None else bad_rows,
                     groups)
    try:
        scenarios = synthetic_scenarios.plant(county)
        county.background()
    finally:
        files.close()
    manifest = Manifest(
        directory=directory, files={k: [s.path] for k, s in files.sinks.items()},
        rows={k: s.rows for k, s in files.sinks.items()}, reference_date=ref.isoformat(), scenarios=scenarios,
        rows_bad={k: county.bad.get(k, 0) for k in ALL_KINDS}, seed=seed, enterprises=enterprises, formats=formats,
        groups=groups)
    (directory / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


# --- the county ------------------------------------------------------------------------------------------
class _County:
    """The generator's state. Scenario planting uses the public methods; `background` fills the rest."""

    def __init__(self, files: _Files, enterprises: int, seed: int, ref: date, bad_rows: bool, groups: float = 0.0):
        self.out, self.total, self.seed, self.ref, self.bad_rows = files, enterprises, seed, ref, bad_rows
        self.group_share = groups
        self.rng = random.Random(seed)
        self.bad: dict[str, int] = {}
        self.next_enterprise = self.next_person = 0
        self.first_background: int | None = None  # set once the scenarios are planted
        self.posts = array("q")                    # one entry per post held: preferential attachment
        self.depth = bytearray(enterprises)        # corporate shareholder levels above each enterprise
        self.licence_seq = 0
        self.decision_seq: dict[tuple[str, int], int] = {}
        self.resends: list[list] = []
        self.group: _Group | None = None           # the group new members join, while it has room
        self._forms = _Shuffle(len(FORMS) * (enterprises // len(FORMS) + 1), _mix(seed, 11))
        self._old_org = _Permutation(10 ** 8, 61_473_283, _mix(seed, 12))
        self._new_org = _Permutation(31 ** 6, 387_420_489, _mix(seed, 13))
        self._reg_no = _Permutation(10 ** 8, 48_271_207, _mix(seed, 14))
        birth_days = (BIRTH_LAST - BIRTH_FIRST).days + 1
        self._ids = _Permutation(birth_days * 1000, 19_999_999, _mix(seed, 15))
        self.new_since = min(date(2015, 10, 1), ref - timedelta(days=3 * 365))  # USCC era
        self.weighted = {name: _Weighted(pairs) for name, pairs in {
            "licence": [(x[:5], x[5]) for x in LICENCES], "penalty": [(x, x[2]) for x in PENALTIES],
            "inspector": [(d, INSPECTION_WEIGHTS.get(d, 1)) for d in DEPARTMENTS],
            "inspection_type": INSPECTION_TYPES, "result": INSPECTION_RESULTS, "penalty_kind": PENALTY_KINDS,
            "list_type": [(lt, lt.weight) for lt in LIST_TYPES.values()], "market": MARKET_SPELLINGS,
            "licences": ((0, 45), (1, 35), (2, 15), (3, 5)), "penalties": ((0, 80), (1, 15), (2, 4), (3, 1)),
            "inspections": ((0, 40), (1, 38), (2, 16), (3, 6)), "holders": ((1, 45), (2, 35), (3, 20)),
            "status": (("存续", 62), ("在业", 25), ("吊销", 6), ("注销", 7)),
            "town": [(t, 30 if t == "吉强镇" else 3) for t in TOWNS], "group_size": GROUP_SIZES}.items()}

    # identities ----------------------------------------------------------------------------------------
    def person(self, k: int) -> Person:
        h = _mix(self.seed, 2, k)
        day, seq = divmod(self._ids(k), 1000)
        first17 = f"{ID_REGIONS[h % len(ID_REGIONS)]}{BIRTH_FIRST + timedelta(days=day):%Y%m%d}{seq:03d}"
        given = GIVEN_MALE if seq % 2 else GIVEN_FEMALE  # the 17th digit is odd for men
        name = SURNAMES[(h >> 8) % len(SURNAMES)] + given[(h >> 16) % len(given)]
        if (h >> 24) % 3:
            name += given[(h >> 32) % len(given)]
        return Person(name, first17 + id_check_char(first17))

    def uscc(self, index: int, category: str, old: bool) -> str:
        if old:  # pre-2015 organisation codes are all digits
            body = f"{self._old_org(index):08d}"
        else:    # codes issued with the USCC begin "MA"
            n, chars = self._new_org(index), []
            for _ in range(6):
                n, r = divmod(n, 31)
                chars.append(USCC_ALPHABET[r])
            body = "MA" + "".join(chars)
        first17 = USCC_TYPE[category] + REGION + org_code(body)
        return first17 + uscc_check_char(first17)

    def reg_no(self, index: int) -> str:
        first14 = f"{REGION}{self._reg_no(index):08d}"
        return first14 + reg_no_check_digit(first14)

    def identity(self, i: int) -> Enterprise:
        """The background enterprise at index i, a pure function of i.

        A shuffled slot picks the name's ending (FORMS repeats endings to weight them); the slot's round
        and its rank among the slots of that ending number the enterprises of each ending 0, 1, 2 …
        without gaps or repeats, and that number spells trade and 字号, so names are unique.
        """
        assert self.first_background is not None, "background enterprises follow the scenarios"
        rounds, slot = divmod(self._forms(i - self.first_background), len(FORMS))
        form = FORMS[slot]
        n = rounds * FORMS.count(form) + FORMS[:slot].count(form)  # a few dozen comparisons
        n, t = divmod(n, len(INDUSTRIES))
        trade = (COOP_INDUSTRIES if form == "专业合作社" else INDUSTRIES)[t]
        if form.startswith(trade):  # "金鼎商贸商贸部" reads "金鼎商贸部"
            trade = ""
        zihao = _zihao(n)
        h = _mix(self.seed, 1, i)
        old = h % 100 < 5
        if old:
            established = date(1995, 1, 1) + timedelta(days=(h >> 8) % 7300)
        else:  # more enterprises were founded recently than long ago
            span = (self.ref - timedelta(days=30) - self.new_since).days
            established = self.new_since + timedelta(days=int(span * math.sqrt(((h >> 8) % 10 ** 6) / 10 ** 6)))
        return Enterprise(i, self.uscc(i, FORM_CATEGORY[form], old), self.reg_no(i) if old else "",
                          f"{COUNTY}{zihao}{trade}{form}", form, established)

    # building blocks shared with the scenarios --------------------------------------------------------
    def new_person(self) -> Person:
        """A person reserved for a scenario: background enterprises never draw them."""
        assert self.first_background is None, "scenario persons are allocated before the background"
        self.next_person += 1
        return self.person(self.next_person - 1)

    def new_enterprise(self, zihao: str, trade: str, form: str = "有限公司", *, old: bool = False) -> Enterprise:
        """An enterprise reserved for a scenario; `zihao` keeps its name apart from the background's."""
        assert self.first_background is None, "scenario enterprises are allocated before the background"
        i = self.next_enterprise
        self.next_enterprise += 1
        self.depth[i] = NO_HOLDINGS  # never drawn as a background shareholder
        established = date(2009, 6, 18) if old else self.ref - timedelta(days=2400 + 31 * i)
        return Enterprise(i, self.uscc(i, FORM_CATEGORY[form], old), self.reg_no(i) if old else "",
                          f"{COUNTY}{zihao}{trade}{form}", form, established)

    def register(self, ent: Enterprise, head: Person | None, members: list[tuple[str, Any, str]],
                 *, head_role: str = "法定代表人", type_: str | None = None, status: str = "存续",
                 head_name: str = "") -> None:
        """Write the enterprise row and its member rows (the head's own row first)."""
        rng = self.rng
        town = self.weighted["town"].pick(rng)
        if town == "吉强镇":
            address = f"{COUNTY}{town}{rng.choice(STREETS)}{rng.randrange(1, 300)}号"
        else:
            address = f"{COUNTY}{town}{rng.choice(VILLAGES)}村"
        authority = "西吉县市场监督管理局" if ent.established >= date(2015, 1, 1) else "西吉县工商行政管理局"
        self.out.write("enterprise", [
            ent.uscc, ent.reg_no, ent.name, type_ or _default_type(ent), head.name if head else head_name,
            "居民身份证" if head else "", head.id_number if head else "", ent.established, status, address, authority])
        if head:
            members = [(head_role, head, ""), *members]
        for role, party, share in members:
            if isinstance(party, Person):
                self.out.write("member", [ent.uscc, ent.name, role, party.name, "居民身份证", party.id_number, share])
            else:
                self.out.write("member", [ent.uscc, ent.name, role, party.name, "统一社会信用代码", party.uscc, share])

    def listing(self, ent: Enterprise, list_type: str, start: date, end: date | None = None, *,
                person: Person | None = None, sender: str | None = None, spelling: str | None = None,
                by_reg_no: bool = False, removed_on: date | None = None) -> list:
        """Write one blacklist row; `removed_on` later re-sends it with that end date (an early removal)."""
        lt = LIST_TYPES[list_type]
        dept, basis, description = next(s for s in lt.senders if sender in (None, s[0]))
        row = [ent.reg_no if by_reg_no else ent.uscc, ent.name, basis, description, start, end,
               spelling or dept, self._receivers(dept), lt.name,
               "法定代表人" if person else "", person.name if person else "", "居民身份证" if person else "",
               person.id_number if person else ""]
        self.out.write("blacklist", row)
        if removed_on is not None:
            self.resends.append([*row[:5], removed_on, *row[6:]])
        return row

    def records(self, ent: Enterprise, spoil: bool = False) -> None:
        """Licences, penalties and inspections (with their changes) about one enterprise."""
        w, rng = self.weighted, self.rng
        for _ in range(w["licences"].pick(rng)):
            self._licence(ent, spoil)
        for _ in range(w["penalties"].pick(rng)):
            self._penalty(ent, spoil)
        for _ in range(w["inspections"].pick(rng)):
            dept, day = w["inspector"].pick(rng), self._record_day(ent)
            row = [self._code(ent), ent.name, self._spell(dept), w["inspection_type"].pick(rng), day,
                   w["result"].pick(rng)]
            self._spoil("inspection", row, ent, 4, spoil)
            self.out.write("inspection", row)

    # background ----------------------------------------------------------------------------------------
    def background(self) -> None:
        self.first_background = self.next_enterprise
        self.next_enterprise = self.total
        parent, branches = None, 0
        for i in range(self.first_background, self.total):
            ent = self.identity(i)
            branch_draw = _mix(self.seed, 3, i) % 100 < 5
            if ent.category in ("company", "shares") and branch_draw and parent is not None:
                ent, head = self._register_branch(ent, parent, branches), None
                branches += 1
            else:
                if ent.category in ("company", "shares"):
                    parent, branches = ent, 0
                head = self._register_in_group(ent) if self._joins_group(ent) else self._register(ent)
            self.records(ent, spoil=True)
            self._maybe_list(ent, head)
        for row in self.resends:  # re-sent rows arrive after the rows they update
            self.out.write("blacklist", row)

    # enterprise groups (off unless group_share > 0) ------------------------------------------------------
    def _joins_group(self, ent: Enterprise) -> bool:
        # A hash of the index, not self.rng: with groups off nothing is drawn, so the county stays the same.
        return (self.group_share > 0 and ent.category in ("company", "shares")
                and _mix(self.seed, 21, ent.index) % 1_000_000 < self.group_share * 1_000_000)

    def _register_in_group(self, ent: Enterprise) -> Person | None:
        """The next member of the current group, or, when it is full, the holding company of a new one."""
        rng, group = self.rng, self.group
        if group is None or group.room == 0:
            head = self._register(ent)
            controller = head or self._draw(set())
            self.group = _Group(ent, controller, self._draw(set()), self.weighted["group_size"].pick(rng))
            return head
        group.room -= 1
        head = group.controller if rng.random() < GROUP_CONTROLLER_HEADS else self._draw(set())
        holders: list = []
        if self.depth[group.holding.index] < MAX_CHAIN:
            holders.append(group.holding)
            self.depth[ent.index] = max(self.depth[ent.index], self.depth[group.holding.index] + 1)
        if rng.random() < GROUP_PARTNER_HOLDS:
            holders.append(group.partner)
        taken: set[int] = set()
        while len(holders) < 2:
            holders.append(self._draw(taken))
        members = [("股东", h, s) for h, s in zip(holders, _split_shares(rng, len(holders)))]
        members += self._officers(ent.category, head, taken)
        self.register(ent, head, members, type_=_company_type(ent, holders), status=self.weighted["status"].pick(rng))
        return head

    def _draw(self, taken: set[int]) -> Person:
        """A background person; an earlier one in proportion to the posts they hold (Yule–Simon),
        so most people hold one post and a few hold dozens."""
        rng, posts = self.rng, self.posts
        k = -1
        if posts and rng.random() >= NEW_PERSON:
            for _ in range(3):  # the same person holds one post per enterprise here
                candidate = posts[rng.randrange(len(posts))]
                if candidate not in taken:
                    k = candidate
                    break
        if k < 0:
            k, self.next_person = self.next_person, self.next_person + 1
        taken.add(k)
        posts.append(k)
        return self.person(k)

    def _corporate_holder(self, i: int) -> Enterprise | None:
        rng, lo = self.rng, self.first_background
        assert lo is not None, "background enterprises follow the scenarios"
        for _ in range(4):
            j = rng.randrange(lo, i) if i - lo > 1 else None
            if j is not None and self.depth[j] < MAX_CHAIN:
                self.depth[i] = max(self.depth[i], self.depth[j] + 1)
                return self.identity(j)
        return None

    def _register(self, ent: Enterprise) -> Person | None:
        """Registry rows of a background enterprise; returns its head if named with an ID number."""
        rng, cat = self.rng, ent.category
        taken: set[int] = set()
        if cat == "individual":
            self.depth[ent.index] = NO_HOLDINGS
            head = self._draw(taken)
            members: list[tuple[str, Any, str]] = []
            role, type_ = "经营者", "个体工商户"
        else:
            if cat == "coop":
                self.depth[ent.index] = NO_HOLDINGS
            n = self.weighted["holders"].pick(rng) + (cat == "shares")
            holders = [(cat != "coop" and rng.random() < CORPORATE_SHARE and self._corporate_holder(ent.index))
                       or self._draw(taken) for _ in range(n)]
            people = [h for h in holders if isinstance(h, Person)]
            head = people[0] if people and rng.random() < 0.6 else self._draw(taken)
            holder_role = "出资人" if cat == "coop" else "股东"
            members = [(holder_role, h, s) for h, s in zip(holders, _split_shares(rng, n))]
            members += self._officers(cat, head, taken)
            role, type_ = "法定代表人", _company_type(ent, holders)
        if rng.random() < 0.02:
            # The name stays on the enterprise row, without an ID number, and no member row names the head.
            self.register(ent, None, members, type_=type_, status=self.weighted["status"].pick(rng),
                          head_name=self.person(self._fresh_person()).name)
            return None
        self.register(ent, head, members, head_role=role, type_=type_, status=self.weighted["status"].pick(rng))
        return head

    def _officers(self, cat: str, head: Person, taken: set[int]) -> list[tuple[str, Any, str]]:
        rng = self.rng
        if cat == "shares":
            return [("董事", head, ""), ("董事", self._draw(taken), ""), ("董事", self._draw(taken), ""),
                    ("监事", self._draw(taken), ""), ("经理", head, "")]
        if cat != "company":
            return []
        out = []
        if rng.random() < 0.1:
            out.append(("董事", head, ""))
        if rng.random() < 0.4:
            out.append(("监事", self._draw(taken), ""))  # a supervisor may not also run the company
        if rng.random() < 0.25:
            out.append(("经理", head, ""))
        if rng.random() < 0.1:
            out.append(("财务负责人", self._draw(taken), ""))
        return out

    def _register_branch(self, ent: Enterprise, parent: Enterprise, nth: int) -> Enterprise:
        town = TOWNS[nth % len(TOWNS)][:2] + ("" if nth < len(TOWNS) else str(nth // len(TOWNS) + 1))
        est = min(max(ent.established, parent.established + timedelta(days=30)), self.ref)
        branch = replace(ent, name=f"{parent.name}{town}分公司", form="分公司", established=est)
        self.depth[ent.index] = NO_HOLDINGS
        head = self._draw(set())
        kind = "股份有限公司分公司" if parent.category == "shares" else "有限责任公司分公司（自然人投资或控股）"
        self.register(branch, head, [("隶属企业", parent, "")], head_role="负责人", type_=kind,
                      status=self.weighted["status"].pick(self.rng))
        return branch

    def _fresh_person(self) -> int:
        self.next_person += 1
        return self.next_person - 1

    def _maybe_list(self, ent: Enterprise, head: Person | None) -> None:
        rng, ref = self.rng, self.ref
        if rng.random() >= LISTED_SHARE:
            return
        previous = None
        for _ in range(1 if rng.random() < 0.85 else 2):
            lt = self.weighted["list_type"].pick(rng)
            if lt is previous:  # the same type, sender and start would make the second row an update
                continue
            previous = lt
            sender, basis, description = lt.senders[rng.randrange(len(lt.senders))]
            if rng.random() < 0.05:
                start = ref + timedelta(days=rng.randrange(1, 180))
            else:
                start = max(ref - timedelta(days=rng.randrange(1, 6 * 365)), ent.established + timedelta(days=30))
            end = None if rng.random() < lt.open_share else _years(start, rng.choice(lt.years))
            person = head if head and rng.random() < lt.person_share else None
            row = [self._code(ent), ent.name, basis, description, start, end, self._spell(sender),
                   self._receivers(sender), lt.name, "法定代表人" if person else "", person.name if person else "",
                   "居民身份证" if person else "", person.id_number if person else ""]
            bad = self._spoil("blacklist", row, ent, 4, True)
            self.out.write("blacklist", row)
            if not bad and start < ref and (end is None or end > ref) and rng.random() < RESEND_SHARE:
                self.resends.append([*row[:5], start + timedelta(days=rng.randrange((ref - start).days)), *row[6:]])

    # records -------------------------------------------------------------------------------------------
    def _licence(self, ent: Enterprise, spoil: bool) -> None:
        rng, ref = self.rng, self.ref
        dept, title, content, pattern, years = self.weighted["licence"].pick(rng)
        self.licence_seq += 1
        start = self._record_day(ent)
        end = _years(start, years)
        number = pattern.format(year=start.year, seq=self.licence_seq)
        status = "有效" if end >= ref else "已过期"
        code, spelled = self._code(ent), self._spell(dept)
        row = [code, ent.name, number, title, start, end, spelled, content, status,
               ("新办", "延续", "变更", "")[rng.randrange(4)]]
        bad = self._spoil("license", row, ent, None, spoil)
        self.out.write("license", row)
        if bad or rng.random() >= 0.15:  # a change must name a licence that was collected
            return
        day = min(start + timedelta(days=rng.randrange(30, 900)), ref)
        item = rng.randrange(3)
        if item == 0:
            change = ["有效期至", end.isoformat(), _years(end + timedelta(days=1), years).isoformat()]
        elif item == 1:
            change = ["许可内容", content, content + "；网络食品销售"]
        else:
            change = ["状态", status, "注销"]
        row = [code, ent.name, number, title, *change, day]
        self._spoil("license-change", row, ent, 7, spoil)
        self.out.write("license-change", row)

    def _penalty(self, ent: Enterprise, spoil: bool) -> None:
        rng = self.rng
        dept, abbr, _, violations = self.weighted["penalty"].pick(rng)
        day = self._record_day(ent)
        serial = self.decision_seq[abbr, day.year] = self.decision_seq.get((abbr, day.year), 0) + 1
        number = f"{abbr}〔{day.year}〕{serial}号"
        kind = self.weighted["penalty_kind"].pick(rng)
        fine = FINES[rng.randrange(len(FINES))]
        code = self._code(ent)
        row = [code, ent.name, self._spell(dept), number, day, violations[rng.randrange(len(violations))],
               _amount(rng, fine) if "罚款" in kind else "",
               _amount(rng, FINES[rng.randrange(6)]) if "没收" in kind else "", kind,
               ("", "", "已履行", "当场缴纳")[rng.randrange(4)]]
        bad = self._spoil("penalty", row, ent, None, spoil)
        self.out.write("penalty", row)
        if bad or rng.random() >= 0.06:
            return
        changes = ["撤销原行政处罚决定（行政复议）"]
        if "罚款" in kind:
            changes.append(f"罚款金额由{fine}元变更为{fine // 2}元（行政复议）")
        if kind != "警告":
            changes.append(f"处罚种类由{kind}变更为警告")
        content = changes[rng.randrange(len(changes))]
        row = [code, ent.name, number, self._spell(dept), content,
               min(day + timedelta(days=rng.randrange(10, 200)), self.ref)]
        self._spoil("penalty-change", row, ent, 5, spoil)
        self.out.write("penalty-change", row)

    def _record_day(self, ent: Enterprise) -> date:
        start = max(ent.established, self.ref - timedelta(days=6 * 365))
        return start + timedelta(days=self.rng.randrange(max((self.ref - start).days, 0) + 1))

    def _code(self, ent: Enterprise) -> str:
        # Departments that filed an older enterprise before 2015 often still send its 注册号.
        return ent.reg_no if ent.reg_no and self.rng.random() < 0.3 else ent.uscc

    def _spell(self, dept: str) -> str:
        if dept == MARKET:
            return self.weighted["market"].pick(self.rng)
        return "西吉" + dept if self.rng.random() < 0.02 else dept

    def _receivers(self, sender: str) -> str:
        rng = self.rng
        others = [d for d in DEPARTMENTS if d != sender]
        return ("、", "；")[rng.randrange(2)].join(rng.sample(others, rng.randrange(1, 6)))

    def _spoil(self, kind: str, row: list, ent: Enterprise, date_col: int | None, enabled: bool) -> bool:
        """Damage a row the way clerks do (about 0.5%), so a demo shows rejects: a wrong check
        character, a missing code, or an impossible date in a required date column."""
        if not (enabled and self.bad_rows) or self.rng.random() >= BAD_ROW_RATE:
            return False
        how = self.rng.randrange(3 if date_col is not None else 2)
        if how == 0:
            check = USCC_ALPHABET.index(ent.uscc[-1])
            row[0] = ent.uscc[:-1] + USCC_ALPHABET[(check + 1 + self.rng.randrange(30)) % 31]
        elif how == 1:
            row[0] = ""
        else:
            assert date_col is not None  # how is 2 only where there is a date column
            row[date_col] = IMPOSSIBLE_DATE
        self.bad[kind] = self.bad.get(kind, 0) + 1
        return True


def _default_type(ent: Enterprise) -> str:
    return {"company": "有限责任公司（自然人投资或控股）", "shares": "股份有限公司（非上市、自然人投资或控股）",
            "individual": "个体工商户", "coop": "农民专业合作社", "branch": "有限责任公司分公司"}[ent.category]


def _company_type(ent: Enterprise, holders: list) -> str:
    if ent.category != "company":
        return _default_type(ent)
    if len(holders) == 1:
        return "有限责任公司（自然人独资）" if isinstance(holders[0], Person) else "有限责任公司（非自然人投资或控股的法人独资）"
    return _default_type(ent)


def _split_shares(rng: random.Random, n: int) -> list[str]:
    cuts = sorted(rng.sample(range(5, 100, 5), n - 1))
    return [f"{b - a}%" for a, b in zip([0, *cuts], [*cuts, 100])]
