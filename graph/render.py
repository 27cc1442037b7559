"""Pictures of why: a check's chain, or a subject's neighbourhood, laid out with networkx and drawn as SVG.

An official must see *why* an applicant is restricted or linked (docs/domain.md): who is tied to whom by which
role, which listing, and which department sent it. The pictures are drawn on the server so that the web
page needs no third-party JavaScript, and so that a printed case file shows exactly what the screen showed.

Nodes are enterprises, persons, listings and departments, each kind in its own colour; a restricted party
(the subject of a listing active on the check's date) has a red border. Pictures are printed and filed, so
a person is always labelled with the masked ID number (region and last four), whoever asks. Every text is
escaped: names come from departments' files and may hold anything, `<script>` included.
"""
from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from graph.errors import InvalidRequest
from graph.identifiers import mask_id_number
from graph.queries.listings import is_active
from graph.queries.neighbours import node_id
from graph.queries.subject import resolve
from graph.queries.traversal import Reach, node, traverse
from graph.stores.base import GraphStore

MAX_NODES = 150          # a picture with more is unreadable, and the layout grows quadratically
MAX_PARTIES = 110        # of which parties; the rest is left for their listings and departments
FONT = "'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
FONT_SIZE = 13
NODE_H = 44
LABEL_EM = 13            # longest label, in em (a CJK character is one em); longer ones end in "…"

# kind -> (fill, border, legend text)
STYLE = {
    "enterprise": ("#e8f0fb", "#3566a8", "企业"),
    "person": ("#eaf6ec", "#2f7d3b", "人员"),
    "listing": ("#fdf1e3", "#b86a12", "名单"),
    "department": ("#f0ecf7", "#6a4c93", "部门"),
}
RESTRICTED = "#c62828"
EDGE = "#6b7280"


@dataclass
class Picture:
    """A graph to draw: nodes with `kind`, `label`, `sub`, `restricted`, `subject`; edges with `label`."""
    graph: nx.DiGraph
    title: str
    notes: list[str] = field(default_factory=list)
    data_version: int | None = None


# --- building the graphs ------------------------------------------------------------------------------------
def party_id(party: dict[str, Any]) -> tuple[str, str]:
    return (party["kind"], party["key"])


def _add_party(g: nx.DiGraph, party: dict[str, Any], **attrs: Any) -> tuple[str, str]:
    n = party_id(party)
    sub = mask_id_number(party["key"]) if party["kind"] == "person" else party["key"]
    if n not in g:
        g.add_node(n, kind=party["kind"], label=party.get("name") or sub, sub=sub, restricted=False, subject=False,
                   id=node_id(party), name=party.get("name") or "")
    for k, v in attrs.items():
        g.nodes[n].setdefault(k, v)
    if party.get("name") and g.nodes[n]["label"] == sub:
        g.nodes[n]["label"] = party["name"]
        g.nodes[n].update(id=node_id(party), name=party["name"])
    return n


def validity(r: dict[str, Any]) -> str:
    start, end = r.get("valid_from") or "?", r.get("valid_to")
    return f"{start} 至 {end}" if end else f"{start} 起，无截止日期"


def _add_listings(g: nx.DiGraph, owner: tuple[str, str], restrictions: Iterable[dict[str, Any]], layer: int) -> None:
    """A listing node per restriction, tied to its party and to the department that sent it. A restriction
    may carry `_id`: one listing row names an enterprise and its person, and is drawn once for both."""
    for r in restrictions:
        lid = ("listing", r.get("_id") or f"{owner[1]}|{r.get('type')}|{r.get('valid_from')}|{r.get('sender')}")
        if lid not in g:
            # A listing's identity may hold a person's ID number: the page knows it by a digest only.
            digest = hashlib.sha1(lid[1].encode()).hexdigest()[:12]
            g.add_node(lid, kind="listing", label=r.get("type") or "名单", sub=validity(r), restricted=False,
                       subject=False, layer=layer, id=f"listing:{digest}")
        g.add_edge(owner, lid, label="被列入")
        if r.get("sender"):
            did = ("department", r["sender"])
            if did not in g:
                g.add_node(did, kind="department", label=r["sender"], sub="信息发送部门", restricted=False,
                           subject=False, layer=layer + 1, id=f"department:{r['sender']}")
            g.add_edge(did, lid, label="发送")


def _chain_order(path: list[dict[str, Any]], subject: dict[str, Any] | None, party: dict[str, Any]) -> list[dict]:
    """The parties of a chain from the subject to the hit party, in order."""
    if not path:
        return [party]
    ends = [path[0]["source"], path[0]["target"]]
    if subject is not None and party_id(subject) in map(party_id, ends):
        current = subject
    elif len(path) > 1:
        nxt = {party_id(path[1]["source"]), party_id(path[1]["target"])}
        current = next((e for e in ends if party_id(e) not in nxt), ends[0])
    else:
        current = next((e for e in ends if party_id(e) != party_id(party)), ends[0])
    order = [current]
    for step in path:
        a, b = step["source"], step["target"]
        current = b if party_id(a) == party_id(current) else a
        order.append(current)
    if subject is not None and party_id(order[0]) != party_id(subject):
        order.insert(0, subject)  # a three-year bar read from a person subject: the person heads the chain
    return order


def _require_a_chain(path: list[dict[str, Any]], order: list[dict], subject: dict[str, Any] | None,
                     party: dict[str, Any]) -> None:
    """A check's hit is the subject itself, or is reached from it step by step. A hit sent to be drawn that is
    neither (steps that do not join, a path that never reaches the party) is no check's answer: refused,
    rather than drawn as a chain that does not exist."""
    drawn = set(map(party_id, order))
    sent = {party_id(p) for step in path for p in (step["source"], step["target"])}
    sent |= {party_id(party)} | ({party_id(subject)} if subject is not None else set())
    if sent - drawn or party_id(order[-1]) != party_id(party):
        raise InvalidRequest("关系链不连贯：hit.path 应从主体逐步连到 hit.party，请按核查结果原样发送 "
                             "(hit.path is not a chain from the subject to hit.party: send a hit as a check returned it)",
                             {"fields": [{"field": "hit.path", "in": "body", "message": "not a chain"}]})


def chain_picture(hit: dict[str, Any], subject: dict[str, Any] | None = None,
                  restricted_keys: Iterable[tuple[str, str]] = ()) -> Picture:
    """One hit of a check: subject → … → restricted party → its listings ← the departments that sent them.
    `restricted_keys` marks other parties of the chain that are themselves restricted (other hits)."""
    g = nx.DiGraph()
    party = hit["party"]
    order = _chain_order(hit.get("path") or [], subject, party)
    _require_a_chain(hit.get("path") or [], order, subject, party)
    for layer, p in enumerate(order):
        _add_party(g, p, layer=layer)
    for step in hit.get("path") or []:
        a, b = _add_party(g, step["source"]), _add_party(g, step["target"])
        g.add_edge(a, b, label="、".join(step.get("roles") or [step.get("relation") or "关联"]))
    if subject is not None:
        g.nodes[_add_party(g, subject)]["subject"] = True
    target = party_id(party)
    g.nodes[target]["restricted"] = True
    for n in set(restricted_keys) & set(g.nodes):
        g.nodes[n]["restricted"] = True
    _add_listings(g, target, hit.get("restrictions") or [], layer=len(order))
    who = party.get("name") or party["key"]
    if subject is None or party_id(subject) == target:
        return Picture(g, f"关系链：{who}（本身被列入名单）")
    return Picture(g, f"关系链：{subject.get('name') or subject['key']} → {who}")


@dataclass
class Neighbourhood(Picture):
    subject: dict[str, Any] = field(default_factory=dict)
    truncated: bool = False
    parties_cut: int = 0  # when the party bound cut the network: how many parties were drawn (else 0)


def neighbourhood_picture(store: GraphStore, *, key: str | None = None, name: str | None = None,
                          as_of: date | None = None, depth: int = 3, max_nodes: int = MAX_NODES) -> Neighbourhood:
    """Every party within `depth` hops of the subject (registry roles only, as the check counts hops), with
    the listings active on `as_of` and their sending departments; at most `max_nodes` nodes."""
    on = (as_of or date.today()).isoformat()
    max_parties = max(1, min(MAX_PARTIES, max_nodes))
    with store.reader() as reader:
        subject, notes = resolve(reader, key, name)
        reach: Reach = traverse(reader, subject, depth, max_parties, on=on)
        listings = reader.listings_of([reach.party(n) for n in reach.hops])
        version = reader.data_version
    g = nx.DiGraph()
    for n, hops in sorted(reach.hops.items(), key=lambda kv: (kv[1], kv[0])):
        _add_party(g, reach.party(n).as_dict(), layer=hops, hops=hops)
    g.nodes[reach.start]["subject"] = True
    for (m, e), roles in sorted(reach.roles.items()):
        if m in reach.hops and e in reach.hops:
            g.add_edge(m, e, label="、".join(sorted(roles)))
    omitted = 0
    for party, rows in sorted(listings.items(), key=lambda kv: (reach.hops.get(node(kv[0]), 0), node(kv[0]))):
        active = [r for r in rows if is_active(r, on)]
        if not active:
            continue
        g.nodes[node(party)]["restricted"] = True
        for r in sorted(active, key=lambda r: (r.get("valid_from") or "", r.get("list_type") or "")):
            ident = "|".join(str(r.get(f) or "") for f in ("name", "list_type", "sender", "valid_from", "id_number"))
            if ("listing", ident) not in g and g.number_of_nodes() + 2 > max_nodes:
                omitted += 1
                continue
            _add_listings(g, node(party), [{"type": r.get("list_type"), "valid_from": r.get("valid_from"),
                                             "valid_to": r.get("valid_to"), "sender": r.get("sender"),
                                             "_id": ident}], layer=reach.hops[node(party)] + 1)
    if reach.truncated:
        notes.append(f"关系网较大，只画出了最近的 {len(reach.hops)} 个主体")
    if omitted:
        notes.append(f"另有 {omitted} 条有效名单未画出（图中节点已达 {max_nodes} 个）")
    subj = reach.party(reach.start).as_dict()
    return Neighbourhood(g, f"关系网络：{subj['name'] or subj['key']}（{depth} 层以内，{on}）", notes, version,
                         subject=subj, truncated=reach.truncated or bool(omitted),
                         parties_cut=len(reach.hops) if reach.truncated else 0)


# --- layout ---------------------------------------------------------------------------------------------------
def text_em(text: str) -> float:
    """Width of a text in em: a CJK (wide) character is one em, a Latin one about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def clip(text: str, em: float = LABEL_EM) -> str:
    if text_em(text) <= em:
        return text
    out, width = "", 0.0
    for c in text:
        width += text_em(c)
        if width > em - 1:
            break
        out += c
    return out + "…"


def node_width(attrs: dict[str, Any]) -> float:
    em = max(text_em(clip(attrs.get("label") or "")), text_em(clip(attrs.get("sub") or "", LABEL_EM + 4)) * 0.85)
    return max(96.0, em * FONT_SIZE + 28)


Pos = dict[Any, tuple[float, float]]


def chain_layout(g: nx.DiGraph) -> Pos:
    """Left to right by `layer` (the chain, then listings, then departments), nodes of a layer stacked."""
    raw = nx.multipartite_layout(g, subset_key="layer", align="vertical")
    layers = sorted({g.nodes[n]["layer"] for n in g})
    widths = {l: max(node_width(g.nodes[n]) for n in g if g.nodes[n]["layer"] == l) for l in layers}
    x, column_x = 0.0, {}
    for l in layers:
        column_x[l] = x + widths[l] / 2
        x += widths[l] + 110  # room for an edge label between columns
    pos: Pos = {}
    for l in layers:
        members = sorted((n for n in g if g.nodes[n]["layer"] == l), key=lambda n: raw[n][1])
        for i, n in enumerate(members):
            pos[n] = (column_x[l], (i - (len(members) - 1) / 2) * (NODE_H + 34))
    return pos


def spread_layout(g: nx.DiGraph, seed: int = 7) -> Pos:
    """Force-directed, started from rings by distance from the subject so that the subject sits in the middle;
    the seed makes the same data give the same picture. Then boxes that still overlap are pushed apart."""
    if g.number_of_nodes() == 1:
        return {n: (0.0, 0.0) for n in g}
    rings: dict[int, list] = {}
    for n in g:
        rings.setdefault(g.nodes[n].get("layer", 0), []).append(n)
    shells = [sorted(rings[k], key=str) for k in sorted(rings)]
    start = nx.shell_layout(g, nlist=shells) if len(shells) > 1 else None
    raw = nx.spring_layout(g.to_undirected(), pos=start, seed=seed, iterations=150,
                           k=2.0 / math.sqrt(g.number_of_nodes()))
    side = max(760.0, 260.0 * math.sqrt(g.number_of_nodes()))
    pos = {n: (float(p[0]) * side / 2, float(p[1]) * side / 2 * 0.7) for n, p in raw.items()}
    return _separate(g, pos)


def _separate(g: nx.DiGraph, pos: Pos, rounds: int = 40, gap_x: float = 70.0, gap_y: float = 36.0) -> Pos:
    """Push overlapping boxes apart; the gaps leave room for an edge's label between neighbours."""
    size = {n: (node_width(g.nodes[n]) + gap_x, NODE_H + gap_y) for n in g}
    nodes = sorted(g, key=str)
    xy = {n: list(pos[n]) for n in nodes}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                dx, dy = xy[b][0] - xy[a][0], xy[b][1] - xy[a][1]
                ox = (size[a][0] + size[b][0]) / 2 - abs(dx)
                oy = (size[a][1] + size[b][1]) / 2 - abs(dy)
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                if ox < oy:  # push along the axis that needs the smaller move
                    s = ox / 2 * (1 if dx >= 0 else -1)
                    xy[a][0] -= s
                    xy[b][0] += s
                else:
                    s = oy / 2 * (1 if dy >= 0 else -1)
                    xy[a][1] -= s
                    xy[b][1] += s
        if not moved:
            break
    return {n: (v[0], v[1]) for n, v in xy.items()}


# --- SVG ------------------------------------------------------------------------------------------------------
def _attr(value: Any) -> str:
    return quoteattr(str(value))


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def _box_edge_point(cx: float, cy: float, w: float, h: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from a box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((w / 2) / abs(dx) if dx else math.inf, (h / 2) / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def to_svg(picture: Picture, pos: Pos) -> str:
    g = picture.graph
    margin, legend_h = 24.0, 34.0
    boxes = {n: (pos[n][0], pos[n][1], node_width(g.nodes[n]), NODE_H) for n in g}
    min_x = min(x - w / 2 for x, _, w, _ in boxes.values()) - margin
    max_x = max(x + w / 2 for x, _, w, _ in boxes.values()) + margin
    min_y = min(y - h / 2 for _, y, _, h in boxes.values()) - margin - legend_h - 22
    notes_h = 18.0 * len(picture.notes)
    max_y = max(y + h / 2 for _, y, _, h in boxes.values()) + margin + notes_h
    width = max(max_x - min_x, 560.0)
    height = max_y - min_y
    ox, oy = -min_x, -min_y
    # Several pictures share one page, and url(#id) finds the first element with that id in the page, even in
    # a picture that is hidden (then the arrows vanish): each picture names its marker after its content.
    arrow = "arrow-" + hashlib.sha1(repr((picture.title, sorted(map(str, g)))).encode()).hexdigest()[:10]
    # The page tells an official why a hit's chain is not all drawn: the party bound, when it cut the network.
    parties_cut = getattr(picture, "parties_cut", 0)
    cut = f' data-parties-cut="{parties_cut}"' if parties_cut else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(height)}" '
           f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" role="img" aria-label={_attr(picture.title)} '
           f'font-family={_attr(FONT)} font-size="{FONT_SIZE}" class="creditnet-graph"{cut}>',
           f"<title>{escape(picture.title)}</title>",
           f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/></marker></defs>',
           f'<rect x="0" y="0" width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>',
           f'<text x="{_fmt(margin)}" y="{_fmt(margin)}" font-size="15" font-weight="bold" fill="#111827">'
           f"{escape(picture.title)}</text>"]
    out.append(_legend(margin, margin + 14))
    for a, b, attrs in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        ends = (g.nodes[a].get("id") or "", g.nodes[b].get("id") or "")
        out.append(_edge(boxes[a], boxes[b], attrs.get("label") or "", ox, oy, arrow, ends))
    for n in sorted(g, key=lambda n: (g.nodes[n]["kind"], str(n))):
        x, y, w, h = boxes[n]
        out.append(_node(g.nodes[n], x + ox, y + oy, w, h))
    for i, note in enumerate(picture.notes):
        out.append(f'<text x="{_fmt(margin)}" y="{_fmt(height - margin / 2 - 18 * (len(picture.notes) - 1 - i))}" '
                   f'fill="#92400e">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _legend(x: float, y: float) -> str:
    parts = ['<g class="legend">']
    for kind, (fill, stroke, text) in STYLE.items():  # data-kind: the page draws added nodes as the legend says
        parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}" '
                     f'data-kind="{kind}"/>'
                     f'<text x="{_fmt(x + 19)}" y="{_fmt(y + 12)}" fill="#374151">{text}</text>')
        x += 62
    parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="14" height="14" rx="3" fill="#ffffff" '
                 f'stroke="{RESTRICTED}" stroke-width="3"/>'
                 f'<text x="{_fmt(x + 19)}" y="{_fmt(y + 12)}" fill="#374151">受限（名单有效）</text></g>')
    return "".join(parts)


def _edge(a, b, label: str, ox: float, oy: float, arrow: str, ends: tuple[str, str] = ("", "")) -> str:
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    x1, y1 = _box_edge_point(ax, ay, aw, ah, bx, by)
    x2, y2 = _box_edge_point(bx, by, bw, bh, ax, ay)
    mx, my = (x1 + x2) / 2 + ox, (y1 + y2) / 2 + oy
    text = clip(label, 10)
    return (f'<g class="edge" data-from={_attr(ends[0])} data-to={_attr(ends[1])}>'
            f'<line x1="{_fmt(x1 + ox)}" y1="{_fmt(y1 + oy)}" x2="{_fmt(x2 + ox)}" y2="{_fmt(y2 + oy)}" '
            f'stroke="{EDGE}" stroke-width="1.4" marker-end="url(#{arrow})"/>'
            f'<text x="{_fmt(mx)}" y="{_fmt(my - 4)}" text-anchor="middle" font-size="12" fill="#1f2937" '
            f'stroke="#ffffff" stroke-width="4" paint-order="stroke">{escape(text)}</text></g>')


def _node(attrs: dict[str, Any], x: float, y: float, w: float, h: float) -> str:
    fill, stroke, kind_text = STYLE[attrs["kind"]]
    label, sub = attrs.get("label") or "", attrs.get("sub") or ""
    border, border_w = (RESTRICTED, 3) if attrs.get("restricted") else (stroke, 1.5)
    rx = h / 2 if attrs["kind"] == "person" else 4 if attrs["kind"] != "department" else 0
    tip = f"{kind_text}：{label}" + (f"（{sub}）" if sub and sub != label else "")
    if attrs.get("restricted"):
        tip += "，受限"
    # What the page needs to explore from a node (api/web/static/explore.js): its name in the picture, an
    # enterprise's public code, a person's name (their ID number only masked, as printed).
    data = f' data-id={_attr(attrs.get("id") or "")} data-kind={_attr(attrs["kind"])}'
    if attrs["kind"] == "enterprise":
        data += f' data-key={_attr(attrs["id"].partition(":")[2])} data-name={_attr(attrs.get("name") or "")}'
    elif attrs["kind"] == "person":
        data += f' data-masked={_attr(sub)} data-name={_attr(attrs.get("name") or "")}'
    parts = [f'<g class={_attr("node " + attrs["kind"] + (" restricted" if attrs.get("restricted") else ""))}{data}>',
             f"<title>{escape(tip)}</title>"]
    if attrs.get("subject"):  # a second outline: the subject of the check stands out in print, too
        parts.append(f'<rect x="{_fmt(x - w / 2 - 4)}" y="{_fmt(y - h / 2 - 4)}" width="{_fmt(w + 8)}" '
                     f'height="{_fmt(h + 8)}" rx="{_fmt(rx + 4)}" fill="none" stroke="#111827" '
                     f'stroke-dasharray="4 3"/>')
    parts.append(f'<rect x="{_fmt(x - w / 2)}" y="{_fmt(y - h / 2)}" width="{_fmt(w)}" height="{_fmt(h)}" '
                 f'rx="{_fmt(rx)}" fill="{fill}" stroke="{border}" stroke-width="{border_w}"/>')
    parts.append(f'<text x="{_fmt(x)}" y="{_fmt(y - 3)}" text-anchor="middle" fill="#111827" font-weight="bold">'
                 f"{escape(clip(label))}</text>")
    parts.append(f'<text x="{_fmt(x)}" y="{_fmt(y + 14)}" text-anchor="middle" font-size="11" fill="#4b5563">'
                 f"{escape(clip(sub, LABEL_EM + 4))}</text>")
    badge = "核查对象" if attrs.get("subject") else ""
    if attrs.get("restricted"):
        badge = (badge + " · 受限") if badge else "受限"
    if badge:
        parts.append(f'<text x="{_fmt(x - w / 2 + 2)}" y="{_fmt(y - h / 2 - 8)}" font-size="11" '
                     f'fill="{RESTRICTED if attrs.get("restricted") else "#111827"}">{badge}</text>')
    parts.append("</g>")
    return "".join(parts)


def chain_svg(hit: dict[str, Any], subject: dict[str, Any] | None = None,
              restricted_keys: Iterable[tuple[str, str]] = ()) -> str:
    picture = chain_picture(hit, subject, restricted_keys)
    return to_svg(picture, chain_layout(picture.graph))


def neighbourhood_svg(picture: Picture) -> str:
    return to_svg(picture, spread_layout(picture.graph))
