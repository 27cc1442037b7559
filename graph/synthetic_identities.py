"""The synthetic county's words and identities: the names, places, departments and record types it draws from,
and the pure functions that turn an index into a code, a name or an ID number (graph/synthetic.py)."""
from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

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
# The dense shape (`shape="dense"`), a county shaped like real registries' worst parts: professional nominees (代办,
# 挂名) sitting as 监事 or 股东 in 100–500 enterprises each, one of them a 失信被执行人; enterprise groups of up to 300
# members covering 10–20% of enterprises; and cross-shareholdings inside groups (a member holding shares in its
# holding company or in another member). The default county draws none of this, and stays byte for byte the same.
SHAPES = ("default", "dense")
DENSE_GROUP_SHARE = 0.27    # of companies (about 55% of enterprises): about 15% of enterprises in groups
DENSE_GROUP_SIZES = ((3, 30), (10, 25), (40, 20), (100, 15), (300, 10))
DENSE_NOMINEE_POSTS = (100, 500)   # each nominee's enterprises, drawn in this range
DENSE_NOMINEES_PER = 50_000        # three nominees, and one more per this many enterprises
DENSE_NOMINEE_COVER = 0.5          # at most this share of companies has a nominee (small counties)
DENSE_CROSS_TO_HOLDING = 0.2       # group members that hold shares in their holding company
DENSE_CROSS_TO_MEMBER = 0.2        # group members that hold shares in an earlier member


# --- identities ------------------------------------------------------------------------------------------
_M64 = (1 << 64) - 1


def mix(*parts: int) -> int:
    """splitmix64 over the parts: a stable hash (Python's hash() of a str is salted per process)."""
    x = 0
    for part in parts:
        x = (x ^ (part & _M64)) + 0x9E3779B97F4A7C15 & _M64
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _M64
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _M64
        x ^= x >> 31
    return x


class Permutation:
    """i -> (i * stride + offset) mod size: a bijection, so distinct indices never share a code."""

    def __init__(self, size: int, stride: int, offset: int):
        assert math.gcd(size, stride) == 1
        self.size, self.stride, self.offset = size, stride, offset % size

    def __call__(self, i: int) -> int:
        if not 0 <= i < self.size:
            raise ValueError(f"synthetic county too large: index {i} beyond {self.size}")
        return (i * self.stride + self.offset) % self.size


class Shuffle:
    """A keyed pseudo-random permutation of range(size): Feistel rounds over the next even power of two,
    walking the cycle back into range. Unlike an affine map it leaves no period in what it orders."""

    def __init__(self, size: int, key: int):
        self.size, self.keys = size, tuple(mix(key, r) for r in range(4))
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


def trade_name(n: int) -> str:
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


class Weighted:
    """Weighted choice by bisection on cumulative weights (random.choices rebuilds them on every call)."""

    def __init__(self, pairs):
        self.items = tuple(item for item, _ in pairs)
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


def years_after(start: date, years: int) -> date:
    return start + timedelta(days=round(365.25 * years) - 1)


def amount(rng: random.Random, yuan: int) -> str:
    # The three ways departments write money: "5000元", "0.5万元", "5,000".
    return (f"{yuan}元", f"{yuan / 10000:g}万元", f"{yuan:,}")[rng.randrange(3)]
