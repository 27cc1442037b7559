"""What the Neo4j writer buffers for each row, in the order the rows gave them: one named type per operation."""
from __future__ import annotations

from typing import Any, NamedTuple, Union

from graph.model import Party


class EnterpriseOp(NamedTuple):
    code: str
    code_kind: str
    name: str | None
    reg_no: str | None
    props: dict[str, Any] | None
    from_registry: bool


class PersonOp(NamedTuple):
    id_number: str
    name: str | None
    id_type: str | None
    from_listing: bool  # GraphWriter.person: a listing's name fills a gap only


class RoleOp(NamedTuple):
    member: Party
    code: str
    code_kind: str
    role: str
    share: str | None
    since: str | None
    until: str | None


class ReplaceOp(NamedTuple):
    """The registry names `person_id` as the holder of `role`: others' terms end on `on`."""
    code: str
    code_kind: str
    person_id: str
    role: str
    on: str


class RecordOp(NamedTuple):
    kind: str
    natural: str
    code: str | None       # None: a listing of a natural person alone
    code_kind: str | None
    props: dict[str, Any]
    departments: list[tuple[str, str, str]]


Op = Union[EnterpriseOp, PersonOp, RoleOp, ReplaceOp, RecordOp]
