"""A new applicant, perhaps not yet in the registry, with the persons it declares: read from an applicant file or an
API body, each person's number keyed as the loaders key it."""
from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from pathlib import Path

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
        # A declared person is an edge of a natural person to the applicant; a corporate shareholder is an enterprise
        # with its own listings and heads, which is checked by its code (docs/操作手册.md §二.2 says so).
        raise InvalidIdentifier(normalise_code(id_number), "证件类型为统一社会信用代码：申报人员只填自然人；法人股东请按其统一社会"
                                                           "信用代码另行核查，其结论对申请人为关联，须人工核查 (a declared person "
                                                           "must be a natural person: check a corporate shareholder by its own "
                                                           "code; what it finds is a link of the applicant's)")
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
    def from_file(cls, path: Path) -> "Applicant":
        """An applicant file: JSON in UTF-8 (with or without a BOM), UTF-16 with a BOM, or GB18030/GBK (what Notepad
        on Chinese Windows saves), as the loaders read a CSV."""
        try:
            data = json.loads(decode_text(path.read_bytes()))
        except UnicodeDecodeError:
            raise InvalidRequest(f"{path}：申请人文件的编码无法识别，请另存为 UTF-8 (unknown text encoding; save as UTF-8)",
                                 {"field": "file"}) from None
        except json.JSONDecodeError as exc:
            raise InvalidRequest(f"{path}：申请人文件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg} "
                                 f"(not valid JSON)", {"field": "file"}) from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> "Applicant":
        _check_shape(data)
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


APPLICANT_KEYS = ("name", "uscc", "persons")
PERSON_KEYS = ("name", "id_type", "id_number", "role")


def decode_text(raw: bytes) -> str:
    """A BOM decides (UTF-8, UTF-16); else strict UTF-8, then strict GB18030 (a superset of GBK)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw.decode("utf-8-sig")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _wrong(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"申请人文件 {field}：{message}", {"field": field})


def _check_shape(data: object) -> None:
    """Every field of the shape {"name": str, "uscc"?: str, "persons"?: [{"name", "id_type", "id_number", "role"}]},
    each wrong one named: a field ignored or misread could drop a declared person from the check."""
    if not isinstance(data, dict):
        raise _wrong("(整体)", '须为 JSON 对象 {"name": …, "persons": […]} (the applicant must be a JSON object)')
    unknown = [k for k in data if k not in APPLICANT_KEYS]
    if unknown:
        raise _wrong(str(unknown[0]), f"未知字段；可用字段：{'、'.join(APPLICANT_KEYS)} (unknown field)")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise _wrong("name", "须为企业名称（文字） (the applicant needs a name, as text)")
    if data.get("uscc") is not None and not isinstance(data["uscc"], str):
        raise _wrong("uscc", "须为文字（加引号） (the code must be a string)")
    persons = data.get("persons")
    if persons is None:
        return
    if not isinstance(persons, list):
        raise _wrong("persons", '须为人员列表 [{"name", "id_type", "id_number", "role"}, …] (persons must be a list)')
    for i, p in enumerate(persons):
        where = f"persons[{i}]"
        if not isinstance(p, dict):
            raise _wrong(where, '须为对象 {"name", "id_type", "id_number", "role"} (each person must be an object)')
        unknown = [k for k in p if k not in PERSON_KEYS]
        if unknown:
            raise _wrong(f"{where}.{unknown[0]}", f"未知字段；可用字段：{'、'.join(PERSON_KEYS)} (unknown field)")
        for key in ("name", "id_type", "role"):
            if p.get(key) is not None and not isinstance(p[key], str):
                raise _wrong(f"{where}.{key}", "须为文字 (must be a string)")
        number = p.get("id_number")
        if number is not None and (isinstance(number, bool) or not isinstance(number, (str, int))):
            raise _wrong(f"{where}.id_number", "须为文字（加引号） (the ID number must be a string)")
