"""Pictures of why, as SVG: one hit's chain, or a subject's neighbourhood (graph/render.py draws them); and the
neighbours of one node, as JSON, that the page adds to a neighbourhood picture when an official expands it.

Authenticated like the data they draw from: a recorded check is drawn for the department that asked (or
admin), as GET /checks/{id} reads it; a neighbourhood, or a node's neighbours, for any department, as
GET /relations reads it. Persons are named as the pictures name them: ID numbers masked.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, DepartmentDep, SettingsDep, StoreDep
from api.models import ERRORS, HitOut, PartyOut
from graph.accounts import Forbidden
from graph.errors import InvalidRequest, NotFound
from graph.queries.neighbours import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, neighbours as node_neighbours
from graph.render import chain_svg, neighbourhood_picture, neighbourhood_svg, party_id

router = APIRouter(prefix="/api/v1/render", tags=["checks"], responses=ERRORS)

SVG = "image/svg+xml"
# Names are personal data and the picture may be opened on its own: not cached, and inert if opened directly.
SVG_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
SVG_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {SVG: {}}, "description": "An SVG picture."}}


class ChainIn(BaseModel):
    """Either a recorded check (`check_id` and the hit's position `index`), or one hit as a check returned it
    (`hit`, with the check's `subject` to draw the chain from)."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"check_id": "11ba615f613343c783bfa565e84545eb", "index": 0}]})
    check_id: Optional[str] = Field(None, max_length=64)
    index: Optional[int] = Field(None, ge=0, le=10_000)
    hit: Optional[HitOut] = None
    subject: Optional[PartyOut] = None

    @model_validator(mode="after")
    def _one_source(self) -> "ChainIn":
        if (self.check_id is None) == (self.hit is None):
            raise ValueError("give check_id with index, or hit (with subject) — one of the two")
        if self.check_id is not None and self.index is None:
            raise ValueError("index (the hit's position in the check's hits) is required with check_id")
        return self


def svg_response(svg: str) -> Response:
    return Response(svg, media_type=SVG, headers=SVG_HEADERS)


@router.post("/chain", response_class=Response, responses=SVG_RESPONSE, summary="Picture of one hit's chain (SVG)")
def chain(body: ChainIn, trail: AuditDep, account: DepartmentDep) -> Response:
    """Subject → … → the restricted party → its listings ← the departments that sent them, left to right.
    Persons are labelled with masked ID numbers: the picture is printed for the case file."""
    if body.check_id is not None:
        entry = trail.get(body.check_id)
        if entry is None:
            raise NotFound(f"没有编号为 {body.check_id} 的检查记录 (no such check)", {"check_id": body.check_id})
        if not (account.is_admin or entry["department"] == account.department):
            raise Forbidden("只能查看本部门的检查记录 (a department may read only its own checks)",
                            {"check_id": body.check_id})
        result: dict[str, Any] = entry["result"]
        assert body.index is not None  # ChainIn requires it with check_id
        if body.index >= len(result["hits"]):
            raise NotFound(f"该检查只有 {len(result['hits'])} 条命中 (no hit at this index)",
                           {"check_id": body.check_id, "index": body.index, "hits": len(result["hits"])})
        hit, subject = result["hits"][body.index], result["subject"]
        others = [party_id(h["party"]) for h in result["hits"]]
    else:
        assert body.hit is not None  # ChainIn requires it without check_id
        hit, subject = body.hit.model_dump(), body.subject.model_dump() if body.subject else None
        others = []
    return svg_response(chain_svg(hit, subject, others))


@router.get("/neighbourhood", response_class=Response, responses=SVG_RESPONSE,
            summary="Picture of everything within reach of a subject (SVG)")
async def neighbourhood(store: StoreDep, settings: SettingsDep, account: DepartmentDep,
                        key: Optional[str] = Query(None, max_length=64,
                                                   description="USCC, registration number or ID number."),
                        name: Optional[str] = Query(None, max_length=200, description="Or the enterprise's exact name."),
                        depth: Optional[int] = Query(None, ge=1, le=10, description="Hops (default: the check's default)."),
                        as_of: Optional[date] = Query(None, description="Listings active on this date are shown (default today).")
                        ) -> Response:
    """The subject's parties within `depth` hops with their registry roles, the listings active on `as_of`
    (restricted parties in red) and the departments that sent them; at most 150 nodes, with a note if cut."""
    if (key is None) == (name is None):
        raise InvalidRequest("请给出 key（代码或证件号码）或 name（企业名称）之一 (give key or name)",
                             {"fields": [{"field": "key", "in": "query", "message": "key or name"}]})
    depth = settings.default_depth if depth is None else depth
    if depth > settings.max_depth:
        raise InvalidRequest(f"depth 应在 1 到 {settings.max_depth} 之间 (depth must be 1..{settings.max_depth})",
                             {"fields": [{"field": "depth", "in": "query", "message": "too deep"}]})

    def draw() -> str:  # a layout costs up to a second: off the event loop
        return neighbourhood_svg(neighbourhood_picture(store, key=key, name=name, as_of=as_of, depth=depth))

    return svg_response(await run_in_threadpool(draw))


class NodeOut(BaseModel):
    id: str = Field(description="The node's name in the picture (data-id): kind, code or masked ID number, name.")
    kind: str
    key: Optional[str] = Field(None, description="An enterprise's code; never a person's ID number.")
    masked: Optional[str] = Field(None, description="A person's ID number, region and last four only.")
    name: str
    restricted: bool = Field(description="On an active listing on as_of.")


class NeighbourOut(NodeOut):
    roles: list[str] = Field(description="The registry roles that tie it to the party, held on as_of.")
    member: bool = Field(description="True: it holds the roles in the party; false: the party holds them in it.")


class NeighboursOut(BaseModel):
    party: NodeOut
    neighbours: list[NeighbourOut]
    limit: int
    offset: int = Field(description="How many neighbours (in code order) were skipped before these.")
    total: int = Field(description="How many neighbours the party has (at least, when the traversal was cut).")
    truncated: bool = Field(description="More neighbours after these: expand again with offset + limit.")
    notes: list[str]
    as_of: str
    data_version: int


@router.get("/neighbours", response_model=NeighboursOut, tags=["checks"],
            summary="The parties one hop from one node of a neighbourhood picture (JSON)")
async def neighbours(store: StoreDep, account: DepartmentDep,
                     key: Optional[str] = Query(None, max_length=64,
                                                description="USCC, registration number or ID number of the node."),
                     via: Optional[str] = Query(None, max_length=64,
                                                description="Or, for a person as the picture shows them: the code of "
                                                            "an enterprise they are tied to …"),
                     person: Optional[str] = Query(None, max_length=64, description="… their masked ID number …"),
                     name: Optional[str] = Query(None, max_length=200, description="… and their name."),
                     as_of: Optional[date] = Query(None, description="Roles held and listings active on this date "
                                                                     "(default today)."),
                     limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT,
                                        description=f"At most this many neighbours (1–{MAX_LIMIT})."),
                     offset: int = Query(0, ge=0, le=MAX_OFFSET,
                                         description="Skip this many neighbours (in code order): the next ones of a "
                                                     "party expanded before.")
                     ) -> dict[str, Any]:
    """Each neighbour with the roles that tie it and whether it is restricted; persons masked as in the pictures.
    `total` of all; `truncated` (and a note) when more follow: ask again with `offset` for the next ones."""
    def ask() -> dict[str, Any]:
        return node_neighbours(store, key=key, via=via, person=person, name=name, as_of=as_of, limit=limit,
                               offset=offset)

    return await run_in_threadpool(ask)
