"""A new applicant, perhaps not yet in the registry, with the persons it declares: read from an applicant file or an
API body, each person's number keyed as the loaders key it."""
from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InvalidRequest, InvalidSubject
from graph.identifiers import InvalidIdentifier, normalise_code, validate_uscc
from graph.model import ROLE_ALIASES
from graph.vocabulary import fold


def member_key(id_number: object, id_type: str | None = None) -> tuple[str, str]:
    """(key, "person" | "enterprise") of a declared member, keyed as the loaders key a member row
    (graph/loaders/codes.parse_id_number): the 18-digit resident ID (a 15-digit one converted), another document's
    kind and number, or a corporate shareholder's code (its own listings and heads then reach the applicant)."""
    from graph.loaders.codes import parse_id_number  # the package graph.loaders pulls in openpyxl: import late
    from graph.loaders.problems import FieldProblem
    try:
        key, kind, _ = parse_id_number(str(id_number if id_number is not None else ""), id_type)
    except FieldProblem as exc:
        raise InvalidIdentifier(normalise_code(id_number), str(exc)) from None
    return key, kind


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
        # The name is read as a typed name (graph/queries/name_candidates.py): refused for what a check by name
        # refuses (one character, over 200, wildcards, control characters), never checked as something else.
        from graph.queries.name_candidates import typed_name
        try:
            typed_name(data["name"])
        except InvalidRequest as exc:
            raise InvalidRequest(f"申请人 name：{exc.message}", {**exc.details, "field": "name"}) from None
        uscc = None
        if data.get("uscc"):
            try:
                uscc = validate_uscc(data["uscc"])
            except InvalidIdentifier as exc:
                raise InvalidSubject(f"uscc：{exc.reason}", {"field": "uscc", "expected": exc.expected}) from exc
        persons = []
        for i, p in enumerate(data.get("persons") or []):
            given = str(p.get("id_type") or "") or None  # none given: a USCC is still known by its check digit
            raw = p.get("id_number")
            try:
                number, kind = member_key(raw, given)
            except InvalidIdentifier as exc:
                raise InvalidSubject(f"persons[{i}].id_number：{exc.reason}",
                                     {"field": f"persons[{i}].id_number", "expected": exc.expected}) from exc
            role = fold(str(p.get("role") or ""))
            if not role:
                # A person without a role is not silently a 股东: a head or director binds, a shareholder links.
                raise InvalidSubject(f"persons[{i}].role 为空：请填写人员类别（法定代表人、董事、监事、经理、股东等） "
                                     f"(the person's role is required)", {"field": f"persons[{i}].role"})
            id_type = given or ("居民身份证" if kind == "person" else "统一社会信用代码")
            persons.append({"kind": kind, "name": str(p.get("name") or ""), "id_type": id_type, "id_number": number,
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
