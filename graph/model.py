"""The domain: the record classes departments send, their fields, and the parties a check is about.

Each kind is declared once here (as followthemoney declares each entity type once): its canonical field
names, the Chinese header of the seed (work-plan §三) and the aliases real files use. Loaders, stores and
queries all read this table, so a new alias is added in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Roles that tie a person (or an enterprise) to an enterprise, as 人员类别 names them in the registry.
LEGAL_REPRESENTATIVE = "法定代表人"
RESPONSIBLE_PERSON = "负责人"
SHAREHOLDER = "股东"
DIRECTOR = "董事"
SUPERVISOR = "监事"
MANAGER = "经理"
FINANCE_OFFICER = "财务负责人"
BRANCH_OF = "分支机构"  # the member enterprise is a branch of the enterprise (a stored role never reads the other way)

# 公司法 2023 §178, 市场主体登记管理条例 §12: a restricted person may not hold these posts.
BINDING_ROLES = frozenset({LEGAL_REPRESENTATIVE, RESPONSIBLE_PERSON, DIRECTOR, SUPERVISOR, MANAGER})
# 企业信息公示暂行条例 §17: the three-year bar concerns the legal representative / responsible person.
HEAD_ROLES = frozenset({LEGAL_REPRESENTATIVE, RESPONSIBLE_PERSON})
SERIOUS_LIST = "严重违法失信企业名单"
THREE_YEAR_BAR_YEARS = 3


def listed_person(fields: dict) -> str | None:
    """The ID number of the natural person a listing row (or a listing's stored fields) names besides its
    enterprise, or None: no ID number, or the subject is a corporate code."""
    return fields["id_number"] if fields.get("id_number") and fields.get("member_kind", "person") == "person" else None

# Labels that are only other spellings of one role, folded to it when a row is read. Every other label is kept
# as the registry wrote it (执行董事兼总经理) and classified when a check reads it (graph/vocabulary/roles.toml).
ROLE_ALIASES = {
    "法人代表": LEGAL_REPRESENTATIVE, "法定代表": LEGAL_REPRESENTATIVE, "法人": LEGAL_REPRESENTATIVE,
    "legal_representative": LEGAL_REPRESENTATIVE, "shareholder": SHAREHOLDER, "director": DIRECTOR,
    "supervisor": SUPERVISOR, "manager": MANAGER, "responsible_person": RESPONSIBLE_PERSON,
}

# 人员类别 that name the tie from the other end. Every stored role reads "member is <role> of enterprise": a row on
# enterprise X naming Y with 分支机构 says Y is a branch of X. A row on X naming Y with 隶属企业 says Y is the
# enterprise X belongs to — X is the branch — so it is stored turned round: X is the 分支机构 of Y.
INVERSE_ROLES = {"隶属企业": BRANCH_OF}


def oriented_member(values: dict) -> dict:
    """A parsed member row as it is stored: a row whose 人员类别 names the tie from the other end (INVERSE_ROLES),
    and whose member is an enterprise, turned round (the member becomes the row's enterprise and the other way)."""
    role = INVERSE_ROLES.get(values.get("role") or "")
    if role is None or values.get("member_kind") != "enterprise":
        return values
    code, name = values["code"], values.get("name")
    other = values["id_number"]
    return {**values, "code": other, "code_kind": "reg_no" if len(other) == 15 else "uscc",
            "name": values.get("person_name"), "id_number": code, "person_name": name,
            "id_type": "注册号" if values.get("code_kind") == "reg_no" else "统一社会信用代码", "role": role}


# The seed's code column holds a USCC or, for older enterprises, a 15-digit registration number.
CODE_ALIASES = ("统一社会信用代码(企业注册号)", "统一社会信用代码", "uscc", "code", "credit_code",
                "unified_social_credit_code", "信用代码", "社会信用代码")
NAME_HEADERS = ("企业名称", "name", "enterprise_name", "enterprise", "名称", "市场主体名称", "单位名称", "企业(机构)名称")


@dataclass(frozen=True)
class Field:
    name: str                      # canonical name used everywhere in creditnet
    header: str                    # the seed's Chinese header
    aliases: tuple[str, ...] = ()  # other headers seen in real files, and English ones
    type: str = "text"             # text | date | amount | code | id_number | departments | role
    required: bool = False         # a row without a value is rejected


# The 失信被执行人 export courts send (中国执行信息公开网's columns): one column for a person's or an enterprise's
# name, one for the ID number or the enterprise's code, and no 信息类型 (the whole file is that list: see
# graph/loaders/headers.implied_columns).
COURT_NAME_HEADERS = ("被执行人姓名/名称", "被执行人名称/姓名", "失信被执行人姓名/名称", "被执行人")
COURT_CODE_HEADERS = ("身份证号码/组织机构代码", "证件号码/组织机构代码", "身份证号码/统一社会信用代码",
                      "证件号码/统一社会信用代码", "组织机构代码/身份证号码", "身份证号码/组织机构代码/统一社会信用代码")


def _code(required: bool = True, extra: tuple[str, ...] = ()) -> Field:
    return Field("code", "统一社会信用代码（企业注册号）", CODE_ALIASES + ("企业注册号", "注册号") + extra, "code", required)


def _name(extra: tuple[str, ...] = ()) -> Field:
    return Field("name", "企业名称", NAME_HEADERS[1:] + extra)


@dataclass(frozen=True)
class Kind:
    name: str            # CLI kind
    label: str           # Chinese name of the class
    fields: tuple[Field, ...]
    # Columns whose presence tells this kind apart from the others when detecting a file's kind.
    signature: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("enterprise", "企业登记", (
        Field("code", "统一社会信用代码", CODE_ALIASES[2:] + ("统一社会信用代码（企业注册号）", "统一社会信用代码(企业注册号)"), "code"),
        Field("reg_no", "注册号", ("企业注册号", "registration_number", "reg_no", "工商注册号"), "code"),
        Field("name", "企业名称", NAME_HEADERS[1:], required=True),
        Field("type", "企业类型", ("enterprise_type", "type", "市场主体类型", "公司类型")),
        Field("legal_rep", "法定代表人", ("法人代表", "法定代表人姓名", "法人", "legal_representative", "负责人", "经营者")),
        Field("legal_rep_id_type", "法定代表人证件类型", ("法人代表证件类型", "legal_representative_id_type")),
        Field("legal_rep_id_number", "法定代表人证件号码",
              ("法人代表证件号码", "法定代表人身份证号", "legal_representative_id_number"), "id_number"),
        Field("established", "成立日期", ("注册日期", "登记日期", "established", "registration_date", "成立时间"), "date"),
        Field("status", "登记状态", ("经营状态", "状态", "status", "企业状态")),
        Field("address", "住所", ("注册地址", "地址", "address", "经营场所", "企业地址")),
        Field("authority", "登记机关", ("registration_authority", "authority")),
        Field("capital", "注册资金", ("注册资本", "registered_capital", "capital"), "amount"),
        Field("scope", "经营范围", ("business_scope", "scope")),
        Field("province", "所在省份", ("省份", "province")),
        Field("region", "地区", ("所在地区", "region", "city")),
        # Tenure of the legal representative this row names, and the date of the change that named them: a later
        # row naming another one ends the earlier one's term on that date (docs/domain.md, "How departments really write records").
        Field("legal_rep_since", "法定代表人任职日期", ("法定代表人就任日期", "任职日期", "就任日期", "legal_rep_since"), "date"),
        Field("change_date", "变更日期", ("核准日期", "变更登记日期", "最近变更日期", "change_date", "approval_date"), "date"),
    ), ("法定代表人", "法人代表", "成立日期", "注册日期", "登记状态", "企业类型", "住所", "注册地址", "登记机关", "注册资金", "经营范围")),
    Kind("member", "企业人员", (
        Field("code", "统一社会信用代码",
              CODE_ALIASES[2:] + ("统一社会信用代码（企业注册号）", "统一社会信用代码(企业注册号)", "企业注册号", "注册号"),
              "code", True),
        _name(),
        Field("role", "人员类别", ("职务", "role", "position", "人员职务"), "role", True),
        Field("person_name", "姓名", ("人员姓名", "股东名称", "股东", "person_name", "member_name"), required=True),
        Field("id_type", "证件类型", ("id_type", "证照类型")),
        Field("id_number", "证件号码", ("证件号", "身份证号码", "id_number", "证照号码"), "id_number", True),
        Field("share", "出资比例", ("持股比例", "share", "share_ratio", "出资占比")),
        # Tenure: a 监事 who left years ago no longer binds the enterprise (a role is held from since until until).
        Field("since", "任职日期", ("就任日期", "任职起始日期", "任期起始日期", "任职开始日期", "since"), "date"),
        Field("until", "离任日期", ("卸任日期", "任职终止日期", "任期终止日期", "离职日期", "until"), "date"),
    ), ("人员类别", "出资比例", "职务")),
    Kind("license", "行政许可", (
        _code(), _name(),
        Field("license_no", "许可文件编号", ("license_number", "license_no", "许可证编号", "许可证号"), required=True),
        Field("license_name", "许可文件名称", ("license_name", "许可证名称")),
        Field("valid_from", "有效期自", ("valid_from",), "date"),
        Field("valid_to", "有效期至", ("valid_to",), "date"),
        Field("authority", "许可机关", ("issuing_authority", "authority", "发证机关"), "departments"),
        Field("content", "许可内容", ("content", "license_content")),
        Field("status", "状态", ("status",)),
        Field("details", "详情", ("details",)),
    ), ("许可文件编号", "许可机关", "许可内容", "有效期自")),
    Kind("license-change", "行政许可变更", (
        _code(), _name(),
        Field("license_no", "许可文件编号", ("license_number", "license_no", "许可证编号", "许可证号"), required=True),
        Field("license_name", "许可文件名称", ("license_name", "许可证名称")),
        Field("item", "变更事项", ("change_item", "item"), required=True),
        Field("before", "变更前内容", ("before",)),
        Field("after", "变更后内容", ("after",)),
        Field("change_date", "变更日期", ("change_date",), "date", True),
    ), ("变更事项", "变更前内容", "变更后内容")),
    Kind("penalty", "行政处罚", (
        _code(), _name(),
        Field("authority", "作出行政处罚决定机关名称", ("处罚机关", "decision_authority", "authority"), "departments"),
        Field("decision_no", "行政处罚决定书文号", ("决定书文号", "decision_number", "decision_no"), required=True),
        Field("decision_date", "作出行政处罚决定日期", ("处罚决定日期", "decision_date"), "date"),
        Field("violation_type", "违法行为类型", ("violation_type",)),
        Field("fine", "罚款金额", ("fine", "fine_amount"), "amount"),
        Field("confiscated", "没收金额", ("confiscated", "confiscation_amount"), "amount"),
        Field("penalty_type", "处罚种类", ("penalty_type",)),
        Field("remarks", "备注", ("remarks", "note")),
    ), ("作出行政处罚决定机关名称", "作出行政处罚决定日期", "违法行为类型", "处罚种类", "罚款金额")),
    Kind("penalty-change", "行政处罚变更", (
        _code(), _name(),
        Field("decision_no", "行政处罚决定书文号", ("决定书文号", "decision_number", "decision_no"), required=True),
        Field("authority", "作出变更决定机关名称", ("change_authority", "authority"), "departments"),
        Field("content", "变更内容", ("change_content", "content")),
        Field("change_date", "变更日期", ("change_date",), "date", True),
    ), ("作出变更决定机关名称", "变更内容")),
    Kind("inspection", "抽查检查结果", (
        _code(), _name(),
        Field("authority", "检查实施机关", ("inspection_authority", "authority"), "departments", True),
        Field("inspection_type", "抽查检查类型", ("inspection_type", "检查类型")),
        Field("inspection_date", "抽查检查日期", ("inspection_date", "检查日期"), "date", True),
        Field("result", "抽查检查结果", ("inspection_result", "result", "检查结果")),
    ), ("检查实施机关", "抽查检查类型", "抽查检查日期", "抽查检查结果")),
    Kind("blacklist", "黑名单", (
        _code(extra=COURT_CODE_HEADERS), _name(COURT_NAME_HEADERS),
        # Aliases: the headers county offices and courts write for the same columns (docs/formats.md).
        Field("basis", "限制法律依据", ("列入依据", "认定依据", "法律依据", "legal_basis", "basis")),
        Field("description", "法律描述", ("失信行为", "失信事实", "主要失信事实", "失信行为具体情形", "失信被执行人行为具体情形",
                                         "违法事实", "列入事由", "列入原因", "legal_description", "description")),
        Field("valid_from", "限制期限自", ("限制期限起", "限制起始日期", "限制开始日期", "列入日期", "列入时间", "认定日期",
                                            "认定时间", "发布日期", "发布时间", "公布日期", "valid_from", "restriction_from"),
              "date", True),
        Field("valid_to", "限制期限至", ("限制期限止", "限制截止日期", "限制期限截止日期", "限制结束日期", "移出日期", "移出时间",
                                          "届满日期", "有效期至", "valid_to", "restriction_to"), "date"),
        Field("sender", "信息发送部门名称", ("发送部门", "列入机关", "列入部门", "列入单位", "认定机关", "认定部门", "认定单位",
                                               "作出决定机关", "决定机关", "执行法院", "发布机关", "发布单位", "公布单位",
                                               "sending_department", "sender"), "departments", True),
        Field("receivers", "信息接收部门名称", ("接收部门", "接收单位", "receiving_departments", "receivers"), "departments"),
        Field("list_type", "信息类型", ("名单类型", "名单名称", "名单类别", "名单种类", "黑名单类型", "list_type",
                                        "information_type"), required=True),
        Field("person_role", "人员类别", ("当事人角色", "人员角色", "人员身份", "被执行人身份", "person_role"), "role"),
        Field("person_name", "姓名", ("当事人姓名", "被执行人姓名", "失信被执行人姓名", "人员姓名", "person_name")),
        Field("id_type", "证件类型", ("证件种类", "身份证件类型", "id_type")),
        Field("id_number", "证件号码", ("身份证号码", "身份证号", "证件号", "身份证件号码", "被执行人证件号码", "id_number"),
              "id_number"),
    ), ("限制法律依据", "限制期限自", "信息发送部门名称", "信息接收部门名称", "信息类型")),
)}

RECORD_KINDS = ("license", "license-change", "penalty", "penalty-change", "inspection", "blacklist")


@dataclass(frozen=True)
class Party:
    """An enterprise or a person: what a check is about and what it finds."""
    kind: str        # "enterprise" | "person"
    key: str         # USCC (or registration number where none is known) | normalised ID number
    name: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "name": self.name}


@dataclass
class Hit:
    party: Party
    hops: int
    binding: bool
    rule: str | None
    path: list[dict[str, Any]]
    restrictions: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)  # why this hit reads as it does (matched by name, the bar's end …)

    def as_dict(self) -> dict[str, Any]:
        return {"party": self.party.as_dict(), "hops": self.hops, "binding": self.binding, "rule": self.rule,
                "path": self.path, "restrictions": self.restrictions, "notes": self.notes}


@dataclass
class CheckResult:
    subject: Party
    as_of: str
    depth: int
    verdict: str                      # restricted | linked | clear
    hits: list[Hit] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # listings within reach, not active on as_of
    notes: list[str] = field(default_factory=list)
    data_version: int = 0
    truncated: bool = False
    # Penalties of note (吊销营业执照, 责令停产停业 …) of the subject and of enterprises its officers headed.
    penalties: list[dict[str, Any]] = field(default_factory=list)
    # Rejected rows that name a party within reach (graph/unread.py): what the store could not read about them.
    unread: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject.as_dict(), "as_of": self.as_of, "depth": self.depth,
                "verdict": self.verdict, "hits": [h.as_dict() for h in self.hits], "history": self.history,
                "penalties": self.penalties, "notes": self.notes, "data_version": self.data_version,
                "truncated": self.truncated, "unread": self.unread}
