"""A new applicant, perhaps not yet in the registry, with the persons it declares: read from an applicant file or an
API body, each person's number keyed as the loaders key it."""
from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import InvalidRequest, InvalidSubject
from graph.identifiers import InvalidIdentifier, document_key, id15_to_18, normalise_code, validate_id_number, validate_uscc
from graph.model import ROLE_ALIASES
from graph.vocabulary import fold


def person_key(id_number: object, id_type: str | None = None) -> str:
    """The key a person's number is stored under: the 18-digit resident ID (a 15-digit one converted), or the
    document's kind and number for other documents (graph/loaders/fields.parse_id_number does the same)."""
    from graph.loaders.fields import id_type_class  # the loaders pull in openpyxl: import late
    cls = id_type_class(id_type)
    if cls == "other":
        number = normalise_code(id_number)
        if not number:
            raise InvalidIdentifier(number, "证件号码为空 (ID number is empty)")
        return document_key(id_type, number)
    if cls == "corporate":
        raise InvalidIdentifier(normalise_code(id_number), "证件类型为企业代码，申报人员须为自然人 (a declared person must be a person)")
    code = normalise_code(id_number)
    if len(code) == 15:
        upgraded = id15_to_18(code)
        if upgraded is None:
            raise InvalidIdentifier(code, f"15位身份证号码中的出生日期 {code[6:12]} 不存在 (impossible birth date)")
        return upgraded
    return validate_id_number(code)


@dataclass
class Applicant:
    """A new applicant, perhaps not yet in the registry, with the persons it declares."""
    name: str
    uscc: str | None = None
    persons: list[dict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "Applicant":
        if not isinstance(data, dict) or not str(data.get("name") or "").strip():
            raise InvalidRequest("申请人文件须包含 name（企业名称） (the applicant needs a name)", {"field": "name"})
        uscc = None
        if data.get("uscc"):
            try:
                uscc = validate_uscc(data["uscc"])
            except InvalidIdentifier as exc:
                raise InvalidSubject(f"uscc：{exc.reason}", {"field": "uscc", "expected": exc.expected}) from exc
        persons = []
        for i, p in enumerate(data.get("persons") or []):
            id_type = str(p.get("id_type") or "居民身份证")
            raw = p.get("id_number")
            try:
                number = person_key(raw, id_type)
            except InvalidIdentifier as exc:
                raise InvalidSubject(f"persons[{i}].id_number：{exc.reason}",
                                     {"field": f"persons[{i}].id_number", "expected": exc.expected}) from exc
            role = fold(str(p.get("role") or ""))
            if not role:
                # A person without a role is not silently a 股东: a head or director binds, a shareholder links.
                raise InvalidSubject(f"persons[{i}].role 为空：请填写人员类别（法定代表人、董事、监事、经理、股东等） "
                                     f"(the person's role is required)", {"field": f"persons[{i}].role"})
            persons.append({"name": str(p.get("name") or ""), "id_type": id_type, "id_number": number,
                            "id_as_sent": normalise_code(raw), "role": ROLE_ALIASES.get(role, role)})
        return cls(str(data["name"]).strip(), uscc, persons)
