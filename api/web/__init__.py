"""The web interface for officials (and the public pages): HTML pages with our own small JavaScript, served
at `/` by `creditnet serve`, and the few JSON-API additions the pages need — pictures of a check's chains
(SVG, drawn by graph/render.py), a department's listings as CSV/XLSX, who the signed-in key belongs to, and
the recorded checks to reopen (a department's own, every department's for the admin).

Everything is in one router so that the app includes it with one line.
"""
from __future__ import annotations

from fastapi import APIRouter

from api.web import check_records, exports, pages, pictures, session

router = APIRouter()
for module in (pages, pictures, exports, session, check_records):
    router.include_router(module.router)

__all__ = ["router"]
