"""The web interface for officials (and the public pages): HTML pages with our own small JavaScript, served
at `/` by `creditnet serve`, and the few JSON-API additions the pages need — pictures of a check's chains
(SVG, drawn by graph/render.py), a department's listings as CSV/XLSX, and who the signed-in key belongs to.

Everything is in one router so that the app includes it with one line.
"""
from __future__ import annotations

from fastapi import APIRouter

from api.web import exports, pages, pictures, session

router = APIRouter()
for module in (pages, pictures, exports, session):
    router.include_router(module.router)

__all__ = ["router"]
