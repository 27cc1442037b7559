"""What the public may read (docs/domain.md, "Public disclosure versus sharing between departments").

Public: registration data, licences, penalties, inspection results and list memberships of enterprises.
Departments only: personal ID numbers and full personal details. So these views are allow-lists: a field is
public only when it is declared here. A person appears by name and role, with the ID number masked
(`640422********0315`); natural-person shareholders' IDs are 非公示项 on the official system too.
"""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, Field

from graph.identifiers import mask_id_number


def _masked(value: Any) -> Optional[str]:
    return mask_id_number(str(value)) if value else None


class PublicEnterprise(BaseModel):
    key: str
    uscc: Optional[str] = None
    reg_no: Optional[str] = None
    name: Optional[str] = None
    type: Optional[str] = None
    legal_rep: Optional[str] = Field(None, description="法定代表人 name (public); the ID number is not.")
    established: Optional[str] = None
    status: Optional[str] = None
    address: Optional[str] = None
    authority: Optional[str] = Field(None, description="登记机关.")
    capital: Optional[float] = None
    scope: Optional[str] = None
    province: Optional[str] = None
    region: Optional[str] = None
    in_registry: bool = False


class PublicPerson(BaseModel):
    name: Optional[str] = None
    id_masked: Optional[str] = Field(None, description="Region and last four only.")


class PublicMember(BaseModel):
    kind: str
    name: Optional[str] = None
    key: Optional[str] = Field(None, description="An enterprise's code; never a person's ID number.")
    id_masked: Optional[str] = None
    roles: list[str]

    @classmethod
    def from_edge(cls, party: dict[str, Any], roles: list[str]) -> "PublicMember":
        if party.get("kind") == "enterprise":
            return cls(kind="enterprise", name=party.get("name"), key=party.get("key"), roles=roles)
        return cls(kind="person", name=party.get("name"), id_masked=_masked(party.get("key")), roles=roles)


class PublicChange(BaseModel):
    change_date: Optional[str] = None
    item: Optional[str] = None
    before: Optional[str] = None
    after: Optional[str] = None
    content: Optional[str] = None


class PublicLicence(BaseModel):
    license_no: Optional[str] = None
    license_name: Optional[str] = None
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    authority: list[str] = []
    content: Optional[str] = None
    status: Optional[str] = None
    details: Optional[str] = None
    changes: list[PublicChange] = []


class PublicPenalty(BaseModel):
    decision_no: Optional[str] = None
    authority: list[str] = []
    decision_date: Optional[str] = None
    violation_type: Optional[str] = None
    fine: Optional[float] = None
    fine_text: Optional[str] = None
    confiscated: Optional[float] = None
    confiscated_text: Optional[str] = None
    penalty_type: Optional[str] = None
    remarks: Optional[str] = None
    current_status: Optional[str] = None
    latest_change: Optional[str] = None
    changes: list[PublicChange] = []


class PublicInspection(BaseModel):
    authority: list[str] = []
    inspection_type: Optional[str] = None
    inspection_date: Optional[str] = None
    result: Optional[str] = None


class PublicListing(BaseModel):
    type: Optional[str] = Field(None, description="信息类型.")
    basis: Optional[str] = None
    description: Optional[str] = None
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    sender: Optional[str] = None
    receivers: list[str] = []
    status: Optional[str] = None
    person_role: Optional[str] = Field(None, description="人员类别 of a person named on the listing.")
    person: Optional[PublicPerson] = None

    @classmethod
    def from_listing(cls, l: dict[str, Any]) -> "PublicListing":
        person = None
        if l.get("person_name") or l.get("id_number"):
            person = PublicPerson(name=l.get("person_name"), id_masked=_masked(l.get("id_number")))
        return cls(type=l.get("list_type"), basis=l.get("basis"), description=l.get("description"),
                   valid_from=l.get("valid_from"), valid_to=l.get("valid_to"), sender=l.get("sender"),
                   receivers=l.get("receivers") or [], status=l.get("status"), person_role=l.get("person_role"),
                   person=person)


class PublicProfile(BaseModel):
    enterprise: PublicEnterprise
    members: list[PublicMember]
    holds_roles_in: list[PublicMember]
    licences: list[PublicLicence]
    penalties: list[PublicPenalty]
    inspections: list[PublicInspection]
    listings: list[PublicListing]
    as_of: str
    data_version: int

    @classmethod
    def from_profile(cls, data: dict[str, Any]) -> "PublicProfile":
        e = data["enterprise"]
        # A record its department withdrew or corrected was wrong: the public sees the correction, never the error
        # (个人信息保护法 §46). One a full export ended is public history, as an expired listing is.
        records = {kind: [r for r in rows if r.get("record_status") not in WRONG]
                   for kind, rows in data["records"].items()}
        return cls(
            enterprise=PublicEnterprise.model_validate(_only(e, PublicEnterprise)),
            # Those who hold a role on the day: a former legal representative is history, not who runs it now.
            members=[PublicMember.from_edge(m["party"], m["roles"]) for m in e.get("members", []) if m["roles"]],
            holds_roles_in=[PublicMember.from_edge(m["party"], m["roles"]) for m in e.get("holds_roles_in", [])
                            if m["roles"]],
            licences=[_with_changes(PublicLicence, r) for r in records.get("license", [])],
            penalties=[_with_changes(PublicPenalty, r) for r in records.get("penalty", [])],
            inspections=[PublicInspection.model_validate(_only(r, PublicInspection)) for r in records.get("inspection", [])],
            listings=[PublicListing.from_listing(l) for l in records.get("blacklist", [])],
            as_of=data["as_of"], data_version=data["data_version"])


WRONG = frozenset({"withdrawn", "corrected", "entered_later"})


class PublicSearchHit(BaseModel):
    key: str
    uscc: Optional[str] = None
    reg_no: Optional[str] = None
    name: Optional[str] = None
    status: Optional[str] = None
    address: Optional[str] = None
    score: Optional[int] = Field(None, description="By name: 0–100, how close the name is to q (100: the same name).")
    reasons: list[str] = Field(default_factory=list, description="By name: how the name differs from q.")
    active_listings: int = Field(0, description="The enterprise's own listings active today (its record shows them).")


class PublicSearchOut(BaseModel):
    q: str
    match: str = Field(description="code | name: how q was read. By name: enterprises only, best first.")
    results: list[PublicSearchHit]
    data_version: int


def _only(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The fields `model` declares, taken from `data`; anything else in `data` is left behind. Values of the
    wrong type are dropped or, for text fields, turned into text (registry cells may arrive as numbers)."""
    out = {}
    for name, f in model.model_fields.items():
        value = data.get(name)
        if value is None:
            continue
        if f.annotation in (str, Optional[str]):
            if isinstance(value, (dict, list)):
                continue
            value = value if isinstance(value, str) else str(value)
        elif f.annotation == Optional[float] and (isinstance(value, bool) or not isinstance(value, (int, float))):
            continue
        elif f.annotation == list[str]:
            if not isinstance(value, list):
                continue
            value = [str(v) for v in value]
        elif f.annotation is bool:
            value = bool(value)
        else:
            continue  # nested models are built by their own from_* methods
        out[name] = value
    return out


def _with_changes(model: type[PublicLicence] | type[PublicPenalty], record: dict[str, Any]):
    out = _only(record, model)
    out["changes"] = [PublicChange.model_validate(_only(c, PublicChange)) for c in record.get("changes", [])]
    return model.model_validate(out)
