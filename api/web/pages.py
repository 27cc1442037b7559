"""The pages: static HTML put together from one layout and a body per page, plus their CSS and JavaScript.

No page carries data: the signed-in pages fetch it from the JSON API with the key kept in the browser's
sessionStorage, the public pages from the public endpoints only. So a page served to someone not signed in
holds nothing personal, and the server needs no session of its own. Everything is served from this
origin (the office network may have no internet): no fonts, scripts or styles from elsewhere, which the
Content-Security-Policy below also enforces.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Path as PathParam
from fastapi.responses import HTMLResponse, Response

from graph.errors import NotFound

STATIC = Path(__file__).parent / "static"
ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Page:
    path: str
    body: str        # static/page-<body>.html
    title: str
    audience: str    # signed-in | public | sign-in
    scripts: tuple[str, ...]
    styles: tuple[str, ...] = ()  # beside style.css, for what only these pages show


PAGES = (
    Page("/", "index", "登录", "sign-in", ("auth.js", "index.js")),
    Page("/check", "check", "联合惩戒核查", "signed-in",
         ("auth.js", "suggest.js", "check-record.js", "explore.js", "check.js"), ("record.css", "explore.css")),
    Page("/checks", "checks", "核查记录与审计", "signed-in", ("auth.js", "checks.js"), ("record.css",)),
    Page("/profile", "profile", "企业信用画像", "signed-in", ("auth.js", "suggest.js", "standing.js", "profile.js"),
         ("record.css",)),
    Page("/department", "department", "本部门应执行名单", "signed-in", ("auth.js", "department.js")),
    Page("/upload", "upload", "报送数据", "signed-in", ("auth.js", "upload.js")),
    Page("/corrections", "corrections", "撤回与更正", "signed-in", ("auth.js", "corrections.js")),
    Page("/alerts", "alerts", "监管提醒", "signed-in", ("auth.js", "alerts.js")),
    Page("/report", "report", "督查与归集进度", "signed-in", ("auth.js", "report.js")),
    Page("/public", "public", "企业信用信息公开查询", "public", ("suggest.js", "standing.js", "public.js"), ("record.css",)),
    Page("/public/enterprise", "public-enterprise", "企业公开信息", "public", ("standing.js", "public.js"), ("record.css",)),
)
# One recorded check, reopened (check.js reads it from the audit trail): the check page, under the check's ID.
RECORD = Page("/checks/{check_id}", "check", "核查记录", "signed-in",
              ("auth.js", "suggest.js", "check-record.js", "explore.js", "check.js"), ("record.css", "explore.css"))

NAV = {
    "signed-in": (("/check", "核查"), ("/checks", "核查记录"), ("/profile", "企业画像"), ("/department", "本部门名单"),
                  ("/upload", "报送数据"), ("/corrections", "撤回与更正"), ("/alerts", "监管提醒"), ("/report", "督查"),
                  ("/public", "公开查询")),
    "public": (("/public", "公开查询"), ("/", "部门登录")),
    "sign-in": (("/", "部门登录"), ("/public", "公开查询")),
}


def _nav(page: Page) -> str:
    items = []
    for href, text in NAV[page.audience]:
        under = href in ("/public", "/checks") and page.path.startswith(href + "/")  # a record under its list
        current = ' aria-current="page"' if href == page.path or under else ""
        # The number of alerts not yet answered, filled in by auth.js once the key is known.
        count = ' <span id="open-alerts" class="count" hidden></span>' if href == "/alerts" else ""
        items.append(f'<li><a href="{href}"{current}>{text}{count}</a></li>')
    who = ('<div class="who"><span id="who" aria-live="polite"></span> '
           '<button type="button" id="sign-out" class="secondary">退出登录</button></div>'
           if page.audience == "signed-in" else "")
    # On a narrow screen the navigation folds behind this button (common.js opens it; style.css hides it when wide).
    menu = '<button type="button" class="menu-toggle" aria-expanded="false" aria-controls="main-nav">菜单</button>'
    return f'{menu}<nav id="main-nav" aria-label="主导航"><ul>{"".join(items)}</ul>{who}</nav>'


@lru_cache(maxsize=None)
def render(page: Page) -> str:
    layout = (STATIC / "layout.html").read_text(encoding="utf-8")
    body = (STATIC / f"page-{page.body}.html").read_text(encoding="utf-8")
    scripts = "\n".join([f'<link rel="stylesheet" href="/static/{s}">' for s in page.styles]
                        + [f'<script src="/static/{s}" defer></script>' for s in page.scripts])
    return (layout.replace("{{title}}", page.title).replace("{{page}}", page.body)
            .replace("{{audience}}", page.audience).replace("{{nav}}", _nav(page))
            .replace("{{body}}", body).replace("{{scripts}}", scripts))


def _route(page: Page):
    def serve() -> HTMLResponse:
        return HTMLResponse(render(page), headers=HEADERS)
    serve.__name__ = f"page_{page.body.replace('-', '_')}"
    return serve


for _page in PAGES:
    router.add_api_route(_page.path, _route(_page), methods=["GET"], response_class=HTMLResponse)


@router.get("/checks/{check_id}", response_class=HTMLResponse)
def page_recorded_check(check_id: str = PathParam(max_length=64, pattern=r"^[0-9A-Za-z_-]+$")) -> HTMLResponse:
    """The same page whatever the ID: the answer comes from GET /api/v1/checks/{id}, with its access rule."""
    return HTMLResponse(render(RECORD), headers=HEADERS)


def assets() -> dict[str, Path]:
    """The files /static/ serves: this directory's CSS, JavaScript and SVG, nothing else."""
    return {p.name: p for p in STATIC.iterdir() if p.suffix in ASSET_TYPES and p.is_file()}


@router.get("/static/{name}")
def asset(name: str) -> Response:
    path = assets().get(name)
    if path is None:
        raise NotFound(f"没有这个文件：{name}", {"name": name})
    return Response(path.read_bytes(), media_type=ASSET_TYPES[path.suffix], headers=HEADERS)


__all__ = ["PAGES", "RECORD", "assets", "render", "router"]
