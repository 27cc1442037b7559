"""Request and response models of the departmental API (the public views are in api/public.py).

Domain objects (graph.model) are not API models: the routes turn the library's answers into these with
`model_validate`, so the OpenAPI document says exactly what a department's approval system receives.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_BATCH = 1000


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable: invalid_identifier, not_found, unauthenticated, …")
    message: str = Field(description="What is wrong and what to do, in Chinese with English in brackets.")
    details: dict[str, Any] = Field(default_factory=dict, description="e.g. `fields` for an invalid body, "
                                    "`expected` for a wrong check digit.")


class ErrorOut(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorOut} for s in (401, 403, 404, 422)}


# --- checks --------------------------------------------------------------------------------------------
class PersonIn(BaseModel):
    """A person the applicant declares (法定代表人, 股东, 董事 …)."""
    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=200)
    id_type: str = Field("居民身份证", max_length=50)
    id_number: str = Field(min_length=1, max_length=64)
    role: str = Field("", max_length=50, description="人员类别, e.g. 法定代表人, 股东, 董事, 监事, 经理.")


class SubjectIn(BaseModel):
    """Whom to check. Either `key` (a USCC, 15-digit registration number or resident ID number), or an
    applicant object: `name` with `uscc` and/or `persons` (a new applicant, perhaps not yet registered),
    or `name` alone to look an enterprise up by its registered name."""
    # The OpenAPI document is public: its examples hold no resident ID number, not even a well-known sample.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"key": "91640422000000101M"},
        {"name": "西吉县新公司", "persons": [{"name": "JOHN SMITH", "id_type": "护照",
                                           "id_number": "E12345678", "role": "法定代表人"}]}]})
    key: Optional[str] = Field(None, max_length=64)
    name: Optional[str] = Field(None, max_length=200)
    uscc: Optional[str] = Field(None, max_length=64)
    persons: Optional[list[PersonIn]] = Field(None, max_length=500)
    as_of: Optional[date] = Field(None, description="Date of the check (default today).")
    depth: Optional[int] = Field(None, ge=0, le=10, description="Hops searched for links (default 3).")

    @model_validator(mode="after")
    def _one_subject(self) -> "SubjectIn":
        has_applicant = self.name is not None or self.uscc is not None or self.persons is not None
        if self.key is not None and has_applicant:
            raise ValueError("give either key, or an applicant object (name, uscc, persons) — not both")
        if self.key is None and not (self.name or "").strip():
            raise ValueError("give key (USCC / registration number / ID number) or name (the applicant's name)")
        return self

    @property
    def is_applicant(self) -> bool:
        return self.key is None and (self.uscc is not None or self.persons is not None)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjects: list[SubjectIn] = Field(min_length=1, max_length=MAX_BATCH,
                                      description=f"Up to {MAX_BATCH} subjects; each may set its own as_of/depth.")
    as_of: Optional[date] = None
    depth: Optional[int] = Field(None, ge=0, le=10)


class PartyOut(BaseModel):
    kind: Literal["enterprise", "person"]
    key: str
    name: str = ""


class CandidateStatusOut(BaseModel):
    registration: Optional[str] = Field(None, description="The registry's 登记状态 (存续, 吊销 …); null for persons.")
    restricted: bool = Field(description="Whether the check finds the party restricted on the day (a binding rule).")


class CandidateOut(BaseModel):
    kind: Literal["enterprise", "person"]
    key: str
    name: str
    score: int = Field(description="0–100: how close the registered name is to the query (100: the same name).")
    reasons: list[str] = Field(description="How it differs: form differs, no region prefix, short name, "
                                           "1 character differs, characters swapped, traditional characters …")
    status: Optional[CandidateStatusOut] = None


class SearchOut(BaseModel):
    query: str
    normalised: str = Field(description="The query with width, brackets, spaces and traditional characters folded.")
    candidates: list[CandidateOut]


class StepOut(BaseModel):
    """`source` holds `relation` (and all of `roles`) in `target`."""
    source: PartyOut
    relation: str
    roles: list[str]
    target: PartyOut
    until: Optional[str] = Field(None, description="The day the role ended, for a role no longer held.")


class EndingOut(BaseModel):
    event: Literal["withdrawn", "corrected", "ended"]
    effective: str = Field(description="The day from which the record no longer counts.")
    at: str
    department: Optional[str] = Field(None, description="On whose behalf; empty: the bureau.")
    reason: Optional[str] = None
    other: Optional[str] = Field(None, description="For a correction: the ID of the record that replaced it.")


class ObjectionBriefOut(BaseModel):
    id: int
    objector: str
    grounds: str
    status: str
    registered_at: str


class RestrictionOut(BaseModel):
    type: Optional[str] = Field(None, description="信息类型: the list.")
    basis: Optional[str] = Field(None, description="限制法律依据.")
    description: Optional[str] = None
    valid_from: Optional[str] = None
    valid_to: Optional[str] = Field(None, description="Empty: no end date.")
    sender: Optional[str] = Field(None, description="信息发送部门 (canonical name).")
    receivers: list[str] = []
    status: Literal["active", "expired", "future", "withdrawn", "corrected", "ended", "entered_later"] = Field(
        description="On as_of: active, expired, future; or why it does not count: withdrawn (撤回) or corrected (更正) "
                    "by its sender, ended (no longer in its sender's full export), entered_later (made by a correction "
                    "after as_of).")
    category: Optional[str] = Field(None, description="The list's category (graph/vocabulary/list_types.toml): "
                                    "serious-violation, judgment-defaulter, … or unknown.")
    person_name: Optional[str] = Field(None, description="姓名 of the person the listing names, as sent.")
    person_role: Optional[str] = Field(None, description="人员类别 of that person, as sent.")
    matched_by_name: Optional[bool] = Field(None, description="True: the listing names this person by 姓名 only, "
                                            "matched to the registry's person of that name in that enterprise.")
    record_id: Optional[str] = Field(None, description="记录编号: what the sending department names to withdraw or "
                                     "correct the record.")
    ending: Optional[EndingOut] = Field(None, description="The withdrawal, correction or full-export ending that ends "
                                        "the record now (it may be later than as_of: the answer then says what the data "
                                        "said on as_of).")
    objections: list[ObjectionBriefOut] = Field(default_factory=list, description="Objections (异议) open on as_of.")


class HitOut(BaseModel):
    party: PartyOut
    hops: int
    binding: bool = Field(description="True: the law forbids the applicant (a rule applies); false: a link to review.")
    rule: Optional[str] = Field(None, description="subject-listed | officer-restricted | three-year-bar (binding); "
                                                  "similar-name (a link: a restricted enterprise's name is very like "
                                                  "the applicant's); same-name-unregistered (a link: a listed enterprise "
                                                  "of the applicant's registered name under a code the registry lacks); "
                                                  "head-office-named (a link: the subject is named as a branch of a "
                                                  "restricted enterprise).")
    path: list[StepOut]
    restrictions: list[RestrictionOut]
    notes: list[str] = Field(default_factory=list, description="Why the hit reads as it does: the bar's last day, "
                             "a match by name, a listing removed early.")


class HistoryOut(BaseModel):
    party: PartyOut
    hops: int
    restrictions: list[RestrictionOut]


class PenaltyOut(BaseModel):
    """A penalty of note (吊销营业执照, 责令关闭, 吊销许可证, 责令停产停业, 限制从业) within its period."""
    party: PartyOut
    kind: str
    penalty_type: Optional[str] = None
    decision_no: Optional[str] = None
    decision_date: str
    authority: str = ""
    until: str = Field(description="The last day of the period the law attaches to it.")
    basis: str
    via: list[PartyOut] = Field(default_factory=list, description="The applicant's officers who headed that enterprise.")


class CheckOut(BaseModel):
    check_id: str = Field(description="Recorded in the audit trail: GET /api/v1/checks/{check_id} returns this answer.")
    subject: PartyOut
    as_of: str
    depth: int
    verdict: Literal["restricted", "linked", "clear"]
    hits: list[HitOut]
    history: list[HistoryOut] = Field(description="Listings within reach that are not active on as_of.")
    penalties: list[PenaltyOut] = Field(default_factory=list, description="Penalties of note of the subject and of "
                                        "enterprises its officers headed, within their periods.")
    notes: list[str]
    data_version: int
    truncated: bool
    unread: list[dict[str, Any]] = Field(default_factory=list, description="Rows a department sent about a party "
                                         "within reach that could not be read (file, row, field, reason, party): "
                                         "they may restrict it. Each is named in `notes` too.")


class BatchError(BaseModel):
    """A subject that could not be checked (an invalid key, an unknown or ambiguous name); not recorded."""
    index: int
    error: ErrorBody


class BatchOut(BaseModel):
    results: list[Union[CheckOut, BatchError]] = Field(description="One per subject, in the order sent.")
    checked: int
    failed: int


class RecordedCheckOut(BaseModel):
    check_id: str
    account: str = Field(description="Key id of the account that asked (or `cli`).")
    department: Optional[str]
    at: Optional[str] = Field(None, description="When it was answered (ISO time, UTC), as the audit trail recorded it.")
    result: CheckOut = Field(description="The answer exactly as it was given.")


# --- reading -------------------------------------------------------------------------------------------
class RestrictionReasonOut(BaseModel):
    rule: str = Field(description="subject-listed | officer-restricted | three-year-bar")
    party: PartyOut = Field(description="Whom the rule applies through: the enterprise itself, an officer, or the "
                                        "enterprise a head headed.")
    path: list[StepOut] = Field(default_factory=list, description="The chain from the enterprise to that party.")
    record_ids: list[str] = Field(description="The listings it rests on (记录编号).")


class RestrictionStatusOut(BaseModel):
    restricted: bool = Field(description="Whether the check's binding rules restrict the enterprise on as_of (a "
                                         "check at depth 0: links to review are the check's to show).")
    reasons: list[RestrictionReasonOut]


class ProfileOut(BaseModel):
    enterprise: dict[str, Any] = Field(description="Registry fields, `members` and `holds_roles_in`.")
    records: dict[str, list[dict[str, Any]]] = Field(description="Records by kind, changes applied; each with its "
                                                     "`record_id`, `record_status` (null while it counts), `ending`, "
                                                     "`events` and open `objections`.")
    as_of: str
    data_version: int
    notes: list[str] = Field(default_factory=list, description="Open objections, and records withdrawn, corrected or "
                             "ended after as_of.")
    restriction: Optional[RestrictionStatusOut] = Field(None, description="At a glance: restricted on as_of, and why.")


class PersonListingOut(RestrictionOut):
    enterprise_name: Optional[str] = Field(None, description="The enterprise the listing row was sent under.")
    person_role: Optional[str] = Field(None, description="人员类别 on the listing.")


class PersonRoleOut(BaseModel):
    enterprise: PartyOut
    roles: list[str]


class PersonOut(BaseModel):
    person: PartyOut
    restricted: bool = Field(description="Named on a listing active on as_of.")
    listings: list[PersonListingOut]
    roles: list[PersonRoleOut]
    as_of: str
    data_version: int


class RelationOut(BaseModel):
    a: PartyOut
    b: PartyOut
    depth: int
    connected: bool
    hops: Optional[int]
    chains: list[list[StepOut]]
    truncated: bool
    notes: list[str]
    data_version: int


class DepartmentRestrictionOut(RestrictionOut):
    party: PartyOut


class DepartmentOut(BaseModel):
    department: str
    as_of: str
    restrictions: list[DepartmentRestrictionOut]
    issued: dict[str, int]
    data_version: int


# --- records -------------------------------------------------------------------------------------------
class RejectOut(BaseModel):
    row: int = Field(description="Row number as the spreadsheet shows it (header = 1).")
    index: Optional[int] = Field(None, description="For a JSON upload: the position in the array (from 0).")
    serial: str = Field("", description="The row's 序号 (or 编号, 行号) as the department wrote it; empty if none.")
    name: str = Field("", description="The enterprise's name on the row (the person's, for a listing of a person "
                                      "alone); empty if none.")
    field: str
    reason: str


class WarningOut(BaseModel):
    row: int = Field(description="Row number as the spreadsheet shows it (header = 1).")
    index: Optional[int] = Field(None, description="For a JSON upload: the position in the array (from 0).")
    field: str = Field(description="The file's header of the column the warning concerns; empty when it concerns the row.")
    message: str


class WarningsOut(BaseModel):
    count: int = Field(description="Every warning of the file.")
    rows: list[WarningOut] = Field(description="The first 100 warnings, in file order.")


class ColumnsOut(BaseModel):
    read: dict[str, str] = Field(description="The file's header → the field it was read as.")
    ignored: list[str] = Field(description="The file's headers read as no field.")


class UploadOut(BaseModel):
    file: str
    kind: str
    rows: int
    loaded: int
    rejected: int
    rejects: list[RejectOut]
    rejects_file: Optional[str] = None
    rejects_url: Optional[str] = Field(None, description="Where the sending department (or the admin) downloads the "
                                       "rejects file: GET it with the same key.")
    warnings: WarningsOut
    columns: ColumnsOut
    data_version: int
    snapshot: Optional[dict[str, Any]] = Field(None, description="A full export's endings: department, ended_count, "
                                               "current_before, share, refused, and the first records `ended`.")
    resent: dict[str, list[str]] = Field(default_factory=dict, description="Records of the file ended before: "
                                         "`reinstated` (a full export had ended them) and `still_ended` (withdrawn or "
                                         "corrected: they stay so).")


class WithdrawalIn(BaseModel):
    record_ids: list[str] = Field(min_length=1, max_length=10_000, description="记录编号 of the records to withdraw.")
    reason: str = Field(min_length=1, description="Why: kept with each record and in the audit trail.")


class RecordSummaryOut(BaseModel):
    record_id: str
    kind: str
    enterprise: Optional[str] = None
    name: Optional[str] = None
    list_type: Optional[str] = None
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    person_name: Optional[str] = None
    number: Optional[str] = Field(None, description="许可文件编号 or 行政处罚决定书文号.")
    senders: list[str] = []


class WithdrawalOut(BaseModel):
    withdrawn: list[RecordSummaryOut]
    reason: str
    at: str
    data_version: int


class CorrectedOut(RecordSummaryOut):
    replaced_by: str = Field(description="The ID of the record that replaces it (its own ID when corrected in place).")
    row: int
    in_place: bool


class CorrectionOut(BaseModel):
    corrected: list[CorrectedOut]
    reason: str
    at: str
    data_version: int


class ObjectionIn(BaseModel):
    record_id: str = Field(description="记录编号 of the record objected to.")
    objector: str = Field(min_length=1, description="Who objects (the enterprise or the person).")
    grounds: str = Field(min_length=1, description="The grounds of the objection.")


class ObjectionStatusIn(BaseModel):
    status: Literal["核实", "更正", "驳回"]
    note: Optional[str] = None
    outcome: Optional[int] = Field(None, description="For 更正: the number (seq) of the withdrawal or correction "
                                   "event; default the record's latest.")


class ObjectionOut(BaseModel):
    id: int
    record_id: str
    objector: str
    grounds: str
    status: str
    registered_at: str
    history: list[dict[str, Any]]
    outcome: Optional[int] = Field(None, description="The event (seq) of the withdrawal or correction that upheld it.")
    record: dict[str, Any] = Field(description="The record it is against.")


class ObjectionsOut(BaseModel):
    objections: list[ObjectionOut]


class ChangeOut(BaseModel):
    seq: int
    at: str
    account: str
    department: Optional[str]
    action: str
    reason: Optional[str]
    source: Optional[str]
    records: list[str]
    details: dict[str, Any]


class ChangesOut(BaseModel):
    changes: list[ChangeOut]


# --- audit and health ----------------------------------------------------------------------------------
class AuditEntryOut(BaseModel):
    check_id: str
    at: str
    account: str
    department: Optional[str]
    subject_kind: str
    subject_key: str
    as_of: str
    depth: int
    verdict: str
    hit_keys: list[str]
    data_version: int
    store: str


class AuditOut(BaseModel):
    entries: list[AuditEntryOut]


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    ready: bool
    store: str
    data_version: Optional[int]
    message: Optional[str] = None
