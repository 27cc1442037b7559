"""Normalising enterprise names, so that a name typed at the licence window finds the registered one."""
from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


# Traditional characters that enterprise names, list names and role labels use, and their simplified forms: a form
# filled in traditional characters names the same enterprise (西吉縣 … 有限公司 is 西吉县 … 有限公司).
_TRADITIONAL = str.maketrans(
    "嚴違業單錄經營異執稅體關聯懲會務縣場監門開發處罰證號類團個長東車馬電貿農產區廠鎮鄉園華興協貨運輸資環藥醫療飲館價網絡"
    "設計裝飾廣傳銷售財險銀額總歷職員負責義禮樂書畫質權屬圖達遠極勞動養殖種蘇閩陝寧甘覽後來時過還這國際連鎖機構備製"
    "際術學習實驗齊聲藝點擊濟統計歲歸師幣廳檢測繫係結級線練續網羅聽燈燒熱營億優傢倉儲勝勢匯廈縫紡織鋼鐵鋁銅鑽礦礎",
    "严违业单录经营异执税体关联惩会务县场监门开发处罚证号类团个长东车马电贸农产区厂镇乡园华兴协货运输资环药医疗饮馆价网络"
    "设计装饰广传销售财险银额总历职员负责义礼乐书画质权属图达远极劳动养殖种苏闽陕宁甘览后来时过还这国际连锁机构备制"
    "际术学习实验齐声艺点击济统计岁归师币厅检测系系结级线练续网罗听灯烧热营亿优家仓储胜势汇厦缝纺织钢铁铝铜钻矿础")


def to_simplified(text: str) -> str:
    return text.translate(_TRADITIONAL)


def normalise_name(name: str | None) -> str:
    """Fold width (NFKC turns （集团） into (集团)), drop spaces, unify brackets, traditional characters to
    simplified; case-fold Latin letters."""
    if not name:
        return ""
    text = to_simplified(unicodedata.normalize("NFKC", name))
    text = text.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    return _SPACE.sub("", text).casefold()


# The company forms a clerk writes for one another on a form (公司法: 有限责任公司 may be called 有限公司).
_FORMS = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"))


def name_variants(name: str | None) -> list[str]:
    """Other normalised spellings of the same registered name: the company form written the other way."""
    norm = normalise_name(name)
    out = []
    for long, short in _FORMS:
        if norm.endswith(long):
            out.append(norm[: -len(long)] + short)
        elif norm.endswith(short) and not norm.endswith(long):
            out.append(norm[: -len(short)] + long)
    return [v for v in out if v != norm]
