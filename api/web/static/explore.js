"use strict";
// The pictures drawn by the server (graph/render.py), made explorable in place: drag to move, the wheel, two
// fingers or the buttons to zoom, 适应屏幕 to see it whole; a click on an enterprise or a person selects it, and the
// bar under the picture opens its profile or adds its neighbours (展开, one hop, at most `limit`, from
// GET /api/v1/render/neighbours); a hit's chain can be marked. Only the viewBox changes: the picture the server
// drew stays as it was, and is printed whole.
// Why not a graph library: the server already lays out and draws the picture that is printed for the case file,
// and the pages must work offline; a library would be a second drawing to vendor, keep up to date and agree with.
const Explore = (() => {
  const { el } = CN;
  const SVG = "http://www.w3.org/2000/svg";
  const RESTRICTED = "#c62828";
  const NODE_H = 44, FONT_SIZE = 13, LABEL_EM = 13;  // as graph/render.py draws a node
  const views = new Set();
  const api = { limit: 30 };  // how many neighbours one 展开 asks for (the API allows 30 at most)

  // --- geometry -------------------------------------------------------------------------------------------------
  function viewBox(svg) { return svg.getAttribute("viewBox").split(/[\s,]+/).map(Number); }
  function setViewBox(svg, [x, y, w, h]) { svg.setAttribute("viewBox", [x, y, w, h].map((v) => v.toFixed(1)).join(" ")); }
  function union(a, b) {
    const x = Math.min(a[0], b[0]), y = Math.min(a[1], b[1]);
    return [x, y, Math.max(a[0] + a[2], b[0] + b[2]) - x, Math.max(a[1] + a[3], b[1] + b[3]) - y];
  }
  // A point of the screen in the picture's coordinates.
  function toPicture(svg, clientX, clientY) {
    const p = svg.createSVGPoint();
    p.x = clientX; p.y = clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  function box(g) {  // a node's own box: its filled rect (the subject's dashed outline has no fill)
    const r = g.querySelector("rect:not([fill='none'])");
    const [x, y, w, h] = ["x", "y", "width", "height"].map((a) => Number(r.getAttribute(a)));
    return { x, y, w, h, cx: x + w / 2, cy: y + h / 2 };
  }
  // Where the line from a box's centre towards (tx, ty) leaves the box (as graph/render.py draws edges).
  function edgePoint(b, tx, ty) {
    const dx = tx - b.cx, dy = ty - b.cy;
    if (!dx && !dy) return [b.cx, b.cy];
    const s = Math.min(dx ? (b.w / 2) / Math.abs(dx) : Infinity, dy ? (b.h / 2) / Math.abs(dy) : Infinity);
    return [b.cx + dx * s, b.cy + dy * s];
  }
  function textEm(s) { return [...s].reduce((n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 1 : 0.6), 0); }
  function clip(s, em) {
    if (textEm(s) <= em) return s;
    let out = "";
    for (const c of s) { if (textEm(out + c) > em - 1) break; out += c; }
    return out + "…";
  }

  function svgEl(tag, attrs, text) {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  }

  // --- one picture ----------------------------------------------------------------------------------------------
  // figure: the container the SVG was put in. options: { expand: true to offer 展开, asOf, subject (the check's
  // subject, whose full key the page holds) }.
  function attach(figure, options) {
    const opts = options || {};
    const svg = figure.querySelector("svg");
    const home = viewBox(svg);
    const view = { svg, figure, home: home.slice(), expanded: new Map(), selected: null };
    figure.classList.add("explore");
    // As wide as the page, but a small picture (a chain of two) is not blown up past a quarter over its size.
    const drawnWidth = Number(svg.getAttribute("width"));
    if (drawnWidth) svg.style.setProperty("--drawn-width", `${Math.round(drawnWidth)}px`);
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("role", "group");  // no longer one image: its nodes are buttons a screen reader must reach
    svg.setAttribute("aria-roledescription", "可缩放的关系图");
    svg.setAttribute("aria-keyshortcuts", "Enter Escape");
    svg.setAttribute("aria-description", "方向键移动图，＋、－缩放，0 适应屏幕；按回车键进入各个节点，方向键在节点间移动，Esc 返回");
    const note = el("p", { class: "explore-note", hidden: true, role: "status" });
    const panel = el("div", { class: "explore-panel no-print", hidden: true, "aria-live": "polite" });
    const bar = el("div", { class: "toolbar explore-bar", role: "toolbar", "aria-label": "关系图操作" },
      el("button", { type: "button", class: "secondary", "aria-label": "放大", onclick: () => zoom(view, 1.4) }, "＋ 放大"),
      el("button", { type: "button", class: "secondary", "aria-label": "缩小", onclick: () => zoom(view, 1 / 1.4) }, "－ 缩小"),
      el("button", { type: "button", class: "secondary", onclick: () => fit(view) }, "适应屏幕"),
      el("span", { class: "hint", text: "拖动可移动，滚轮或双指可缩放；点击企业或人员查看详情（键盘：在图上按回车键进入节点，Esc 返回）" }));
    figure.insertBefore(bar, svg);
    svg.after(panel, note);
    Object.assign(view, { note, panel, opts });
    svg.querySelectorAll("g.node[data-kind='enterprise'], g.node[data-kind='person']").forEach((g) => selectable(view, g));
    listen(view);
    views.add(view);
    return {
      svg, zoom: (f) => zoom(view, f), fit: () => fit(view), select: (id) => select(view, find(view, id)),
      highlight: (hit, subject) => highlight(view, hit, subject), clear: () => clearHighlight(view),
      expand: (id) => expand(view, find(view, id)),
    };
  }

  function find(view, id) {
    return [...view.svg.querySelectorAll("g.node")].find((g) => g.getAttribute("data-id") === id) || null;
  }

  // The picture is one Tab stop (a big one has over a hundred nodes, and the hits come after it): Enter on the
  // picture goes into its nodes, the arrow keys move between them in reading order, Escape goes back to the picture.
  function selectable(view, g) {
    const title = g.querySelector("title");
    g.setAttribute("tabindex", "-1");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", `${title ? title.textContent : ""}：选中查看详情`);
    g.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(view, g); }
      else if (step) { e.preventDefault(); e.stopPropagation(); moveFocus(view, g, step); }
      else if (e.key === "Home" || e.key === "End") { e.preventDefault(); moveFocus(view, null, e.key === "Home" ? 1 : -1); }
      else if (e.key === "Escape") { e.preventDefault(); view.svg.focus(); }
    });
  }

  function readingOrder(view) {
    const nodes = [...view.svg.querySelectorAll("g.node[role='button']")].map((g) => ({ g, b: box(g) }));
    nodes.sort((p, q) => Math.round(p.b.cy / 30) - Math.round(q.b.cy / 30) || p.b.cx - q.b.cx);
    return nodes.map((n) => n.g);
  }

  function moveFocus(view, from, step) {
    const nodes = readingOrder(view);
    if (!nodes.length) return;
    const i = from ? nodes.indexOf(from) : -1;
    const to = from ? nodes[(i + step + nodes.length) % nodes.length] : nodes[step > 0 ? 0 : nodes.length - 1];
    to.focus();
    // Keep the focused node on screen: centre the view on it when it is outside.
    const [x, y, w, h] = viewBox(view.svg), b = box(to);
    if (b.x < x || b.y < y || b.x + b.w > x + w || b.y + b.h > y + h) setViewBox(view.svg, [b.cx - w / 2, b.cy - h / 2, w, h]);
  }

  function zoom(view, factor, at) {
    const [x, y, w, h] = viewBox(view.svg);
    const [, , hw, hh] = view.home;
    // Between a twentieth of the whole and twice it: further in is one box, further out a dot.
    const f = Math.min(Math.max(factor, w / (hw * 2)), w / (hw / 20));
    const cx = at ? at.x : x + w / 2, cy = at ? at.y : y + h / 2;
    setViewBox(view.svg, [cx - (cx - x) / f, cy - (cy - y) / f, w / f, h / f]);
  }

  function fit(view) { setViewBox(view.svg, view.home); }

  function panBy(view, dxPx, dyPx) {
    const [x, y, w, h] = viewBox(view.svg);
    const r = view.svg.getBoundingClientRect();
    const scale = Math.max(w / r.width, h / r.height);  // preserveAspectRatio "meet": the larger ratio applies
    setViewBox(view.svg, [x - dxPx * scale, y - dyPx * scale, w, h]);
  }

  // Drag (mouse, pen or one finger) moves the picture; two fingers zoom; a press that does not move is a click.
  function listen(view) {
    const svg = view.svg;
    const pointers = new Map();
    let moved = false, pinch = 0;
    svg.addEventListener("pointerdown", (e) => {
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY });
      if (pointers.size === 1) moved = false;
      if (pointers.size === 2) pinch = distance(pointers);
    });
    svg.addEventListener("pointermove", (e) => {
      const p = pointers.get(e.pointerId);
      if (!p) return;
      if (pointers.size === 2) {
        p.x = e.clientX; p.y = e.clientY;
        const d = distance(pointers);
        if (pinch && d) {
          const [a, b] = [...pointers.values()];
          zoom(view, d / pinch, toPicture(svg, (a.x + b.x) / 2, (a.y + b.y) / 2));
        }
        pinch = d; moved = true;
        return;
      }
      if (!moved && Math.hypot(e.clientX - p.x0, e.clientY - p.y0) < 5) return;
      if (!moved) svg.setPointerCapture(e.pointerId);
      moved = true;
      svg.classList.add("panning");
      panBy(view, e.clientX - p.x, e.clientY - p.y);
      p.x = e.clientX; p.y = e.clientY;
    });
    const end = (e) => {
      const was = pointers.get(e.pointerId);
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = 0;
      svg.classList.remove("panning");
      if (!was || moved || e.type !== "pointerup") return;
      const g = e.target.closest && e.target.closest("g.node[role='button']");
      if (g) select(view, g);
    };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      zoom(view, e.deltaY < 0 ? 1.2 : 1 / 1.2, toPicture(svg, e.clientX, e.clientY));
    }, { passive: false });
    svg.addEventListener("keydown", (e) => {
      if (e.target !== svg) return;
      const step = { ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40] }[e.key];
      if (step) { e.preventDefault(); panBy(view, ...step); }
      else if (e.key === "+" || e.key === "=") zoom(view, 1.4);
      else if (e.key === "-") zoom(view, 1 / 1.4);
      else if (e.key === "0") fit(view);
      else if (e.key === "Enter") {
        e.preventDefault();
        const into = view.selected && view.selected.isConnected ? view.selected : null;
        if (into) into.focus(); else moveFocus(view, null, 1);
      }
    });
  }
  function distance(pointers) {
    const [a, b] = [...pointers.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  }

  // --- selecting a node -----------------------------------------------------------------------------------------
  function select(view, g) {
    if (!g) return;
    view.svg.querySelectorAll("g.node.selected").forEach((n) => n.classList.remove("selected"));
    g.classList.add("selected");
    view.selected = g;
    const kind = g.getAttribute("data-kind"), id = g.getAttribute("data-id");
    const name = g.getAttribute("data-name");
    const code = kind === "person" ? g.getAttribute("data-masked") : g.getAttribute("data-key");
    const restricted = g.classList.contains("restricted");
    const label = kind === "person" ? `${name || "（未登记姓名）"}（人员，证件号码 ${code}）` : `${name || code}（企业，${code}）`;
    const actions = [];
    if (kind === "enterprise") {
      actions.push(el("a", { class: "button", href: `/profile?code=${encodeURIComponent(code)}` }, "查看企业画像"));
    }
    if (view.opts.expand) {
      const seen = view.expanded.get(id);
      const done = Boolean(seen) && seen.next >= seen.total;
      actions.push(el("button", { type: "button", class: "secondary", disabled: done,
                                  onclick: (e) => expand(view, g, e.currentTarget) }, expandLabel(seen)));
    }
    CN.clear(view.panel).append(...[el("p", {}, el("strong", { text: "已选中：" }), label,
      restricted ? el("span", { class: "tag tag-active", text: "受限" }) : null),
      actions.length ? el("div", { class: "actions" }, actions) : null,
      kind === "person" ? el("p", { class: "hint", text: "人员没有企业画像；展开可看到其任职或出资的企业。" }) : null,
    ].filter(Boolean));
    view.panel.hidden = false;
  }

  // --- adding a node's neighbours -------------------------------------------------------------------------------
  // view.expanded: a node's id → { next, total }: how many of its neighbours (in code order) have been asked for and
  // drawn, and how many it has. A node with more is expanded again for the next ones, so that none is out of reach.
  function expandLabel(seen) {
    if (!seen) return `展开关联主体（最多 ${api.limit} 个）`;
    if (seen.next >= seen.total) return "已展开";
    return `再展开 ${Math.min(api.limit, seen.total - seen.next)} 个（已画出 ${seen.next} / 共 ${seen.total} 个）`;
  }

  function query(view, g) {
    const seen = view.expanded.get(g.getAttribute("data-id"));
    const p = new URLSearchParams({ limit: String(api.limit) });
    if (seen && seen.next) p.set("offset", String(seen.next));
    if (view.opts.asOf) p.set("as_of", view.opts.asOf);
    const subject = view.opts.subject;
    if (g.getAttribute("data-kind") === "enterprise") p.set("key", g.getAttribute("data-key"));
    else if (subject && nodeId(subject) === g.getAttribute("data-id")) p.set("key", subject.key);
    else {
      // A person is asked about as the picture shows them: by an enterprise tied to them, masked number and name.
      const id = g.getAttribute("data-id");
      const via = [...view.svg.querySelectorAll("g.edge")].map((e) =>
        e.getAttribute("data-from") === id ? e.getAttribute("data-to") : e.getAttribute("data-to") === id ? e.getAttribute("data-from") : null)
        .find((other) => other && other.startsWith("enterprise:"));
      if (!via) throw new Error("无法展开这名人员：图中没有与其关联的企业");
      p.set("via", via.slice("enterprise:".length));
      p.set("person", g.getAttribute("data-masked"));
      p.set("name", g.getAttribute("data-name") || "");
    }
    return `/api/v1/render/neighbours?${p}`;
  }

  async function expand(view, g, button) {
    if (!g) return null;
    const id = g.getAttribute("data-id");
    const before = view.expanded.get(id);
    if (before && before.next >= before.total) return null;
    if (button) { button.disabled = true; button.textContent = "展开中…"; }
    let answer;
    try {
      answer = (await Auth.json("GET", query(view, g))).data;
    } catch (err) {
      say(view, err.message);
      if (button) { button.disabled = false; button.textContent = expandLabel(before); }
      return null;
    }
    const next = answer.offset + answer.neighbours.length;
    // Past the last one the server counted, nothing more can be asked for: the node is done.
    view.expanded.set(id, { next, total: answer.neighbours.length ? Math.max(answer.total, next) : next });
    const added = draw(view, g, answer);
    const name = answer.party.name || answer.party.masked || answer.party.key;
    const which = answer.offset || answer.total > next
      ? `第 ${answer.offset + 1}–${next} 个关联主体（共 ${answer.total} 个）` : `${answer.neighbours.length} 个关联主体`;
    say(view, [`已展开“${name}”：${which}，新画出 ${added} 个`, ...answer.notes.map(CN.chinese)].join("；"));
    if (view.selected === g) select(view, g);
    return answer;
  }

  // A note about the picture; a screen-only one (what to click) is left off the printed record.
  function say(view, text, how) {
    view.note.textContent = text;
    view.note.hidden = false;
    view.note.classList.toggle("no-print", Boolean(how && how.screenOnly));
  }

  // The neighbours not yet in the picture are set on an arc around the expanded node, facing away from the
  // picture's middle; an edge is drawn for every tie the picture does not show yet.
  function draw(view, g, answer) {
    const svg = view.svg, from = box(g);
    const [hx, hy, hw, hh] = view.home;
    const away = Math.atan2(from.cy - (hy + hh / 2), from.cx - (hx + hw / 2));
    const fresh = answer.neighbours.filter((n) => !find(view, n.id));
    const boxes = [...svg.querySelectorAll("g.node")].map(box);
    const span = Math.min(Math.PI * 1.8, Math.max(fresh.length - 1, 0) * 0.5);
    const firstNode = svg.querySelector("g.node");
    let extent = null;
    fresh.forEach((n, i) => {
      const w = nodeWidth(n.name || n.masked || n.key, n.kind === "person" ? n.masked : n.key);
      const angle = away + (fresh.length > 1 ? span * (i / (fresh.length - 1) - 0.5) : 0);
      let r = 230 + 8 * fresh.length, b;
      for (let tries = 0; tries < 12; tries += 1, r += 60) {
        b = { x: from.cx + r * Math.cos(angle) - w / 2, y: from.cy + r * Math.sin(angle) - NODE_H / 2, w, h: NODE_H };
        if (!boxes.some((o) => b.x < o.x + o.w + 16 && o.x < b.x + b.w + 16 && b.y < o.y + o.h + 12 && o.y < b.y + b.h + 12)) break;
      }
      b.cx = b.x + w / 2; b.cy = b.y + NODE_H / 2;
      boxes.push(b);
      const node = nodeElement(svg, n, b);
      svg.append(node);
      selectable(view, node);
      const margin = 40;
      const around = [b.x - margin, b.y - margin - 16, b.w + 2 * margin, b.h + 2 * margin + 16];
      extent = extent ? union(extent, around) : around;
    });
    const drawn = new Set([...svg.querySelectorAll("g.edge")].map((e) => `${e.getAttribute("data-from")}>${e.getAttribute("data-to")}`));
    for (const n of answer.neighbours) {
      const [a, b] = n.member ? [n.id, answer.party.id] : [answer.party.id, n.id];
      const ga = find(view, a), gb = find(view, b);
      if (!ga || !gb || drawn.has(`${a}>${b}`)) continue;
      svg.insertBefore(edgeElement(svg, a, b, box(ga), box(gb), (n.roles || []).join("、") || "关联"), firstNode);
    }
    if (extent) {
      view.home = union(view.home, extent);
      setViewBox(svg, union(viewBox(svg), extent));
    }
    return fresh.length;
  }

  function nodeWidth(label, sub) {
    const em = Math.max(textEm(clip(label || "", LABEL_EM)), textEm(clip(sub || "", LABEL_EM + 4)) * 0.85);
    return Math.max(96, em * FONT_SIZE + 28);
  }

  function nodeElement(svg, n, b) {
    const legend = svg.querySelector(`g.legend rect[data-kind='${n.kind}']`);
    const fill = legend ? legend.getAttribute("fill") : "#ffffff", stroke = legend ? legend.getAttribute("stroke") : "#6b7280";
    const label = n.name || n.masked || n.key || "", sub = n.kind === "person" ? n.masked : n.key;
    const kindText = n.kind === "person" ? "人员" : "企业";
    const g = svgEl("g", { class: `node ${n.kind} added${n.restricted ? " restricted" : ""}`, "data-id": n.id,
                           "data-kind": n.kind, "data-key": n.kind === "enterprise" ? n.key : null,
                           "data-masked": n.kind === "person" ? n.masked : null, "data-name": n.name || "" });
    g.append(svgEl("title", {}, `${kindText}：${label}${sub && sub !== label ? `（${sub}）` : ""}${n.restricted ? "，受限" : ""}`),
      svgEl("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: n.kind === "person" ? b.h / 2 : 4, fill,
                      stroke: n.restricted ? RESTRICTED : stroke, "stroke-width": n.restricted ? 3 : 1.5 }),
      svgEl("text", { x: b.cx, y: b.cy - 3, "text-anchor": "middle", fill: "#111827", "font-weight": "bold" }, clip(label, LABEL_EM)),
      svgEl("text", { x: b.cx, y: b.cy + 14, "text-anchor": "middle", "font-size": 11, fill: "#4b5563" }, clip(sub || "", LABEL_EM + 4)));
    if (n.restricted) g.append(svgEl("text", { x: b.x + 2, y: b.y - 8, "font-size": 11, fill: RESTRICTED }, "受限"));
    return g;
  }

  function edgeElement(svg, from, to, a, b, label) {
    const marker = svg.querySelector("marker");
    const [x1, y1] = edgePoint(a, b.cx, b.cy), [x2, y2] = edgePoint(b, a.cx, a.cy);
    const g = svgEl("g", { class: "edge added", "data-from": from, "data-to": to });
    g.append(svgEl("line", { x1, y1, x2, y2, stroke: "#6b7280", "stroke-width": 1.4,
                             "marker-end": marker ? `url(#${marker.id})` : null }),
      svgEl("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "text-anchor": "middle", "font-size": 12, fill: "#1f2937",
                      stroke: "#ffffff", "stroke-width": 4, "paint-order": "stroke" }, clip(label, 10)));
    return g;
  }

  // --- a hit's chain --------------------------------------------------------------------------------------------
  // A party's name in the picture, as graph/queries/neighbours.py node_id writes it (a person's number masked).
  function nodeId(p) {
    return p.kind === "person" ? `person:${CheckRecord.mask(p.key)}:${p.name || ""}` : `${p.kind}:${p.key}`;
  }

  function clearHighlight(view) {
    view.svg.classList.remove("highlighting");
    view.svg.querySelectorAll(".hl").forEach((n) => n.classList.remove("hl"));
  }

  // The hit's chain from the subject (each step member → enterprise, as the picture draws it), the hit's party, its
  // listings and the departments that sent them. Returns how many of the chain's parties the picture lacks.
  function highlight(view, hit, subject) {
    clearHighlight(view);
    const ids = new Set([nodeId(subject), nodeId(hit.party)]);
    const ties = new Set();
    for (const s of hit.path || []) {
      ids.add(nodeId(s.source)); ids.add(nodeId(s.target));
      ties.add(`${nodeId(s.source)}>${nodeId(s.target)}`);
    }
    const party = nodeId(hit.party);
    const edges = [...view.svg.querySelectorAll("g.edge")];
    const listings = new Set(edges.filter((e) => e.getAttribute("data-from") === party && e.getAttribute("data-to").startsWith("listing:"))
      .map((e) => e.getAttribute("data-to")));
    const marked = [];
    for (const e of edges) {
      const a = e.getAttribute("data-from"), b = e.getAttribute("data-to");
      if (ties.has(`${a}>${b}`) || (a === party && listings.has(b)) || (a.startsWith("department:") && listings.has(b))) {
        e.classList.add("hl");
        ids.add(a); ids.add(b);
      }
    }
    let missing = 0;
    for (const id of ids) {
      const g = find(view, id);
      if (g) { g.classList.add("hl"); marked.push(box(g)); } else if (!id.startsWith("listing:")) missing += 1;
    }
    view.svg.classList.add("highlighting");
    if (marked.length) {
      const around = marked.map((b) => [b.x - 60, b.y - 60, b.w + 120, b.h + 120]).reduce(union);
      const [, , w, h] = view.home;
      // Not closer than a third of the whole picture: the chain is seen among its neighbours.
      const [x, y, aw, ah] = around;
      const fw = Math.max(aw, w / 3), fh = Math.max(ah, h / 3);
      setViewBox(view.svg, [x + aw / 2 - fw / 2, y + ah / 2 - fh / 2, fw, fh]);
    }
    say(view, missing ? missingNote(view, hit, subject, missing) : "已在图中标出这条关系链（红色）；点“适应屏幕”可看全图",
      { screenOnly: true });
    return missing;
  }

  // Why part of a chain is not in the picture, and how to bring it in: the last drawn party of the chain (from the
  // subject on) expanded, again while more remain, reaches the next one.
  function missingNote(view, hit, subject, missing) {
    const order = [nodeId(subject)];
    for (const s of hit.path || []) for (const id of [nodeId(s.source), nodeId(s.target)]) if (!order.includes(id)) order.push(id);
    if (!order.includes(nodeId(hit.party))) order.push(nodeId(hit.party));
    const gap = order.findIndex((id) => !find(view, id));
    const last = gap > 0 ? find(view, order[gap - 1]) : null;
    const cut = view.svg.getAttribute("data-parties-cut");
    const why = cut ? `关系网较大，图中只画出了最近的 ${cut} 个主体`
      : "图中只画出核查日期仍在任的关系，最多 150 个节点";
    const how = last && view.opts.expand
      ? `：请选中链上最后一个画出的主体“${last.getAttribute("data-name") || last.getAttribute("data-key") || ""}”，点“展开关联主体”（需要时再点“再展开”）画出其余部分` : "";
    return `已在图中标出这条关系链；其中 ${missing} 个主体不在图中（${why}）${how}`;
  }

  // Printed, a picture is whole whatever part of it is on the screen; then it comes back as it was.
  window.addEventListener("beforeprint", () => views.forEach((v) => {
    if (!v.svg.isConnected) { views.delete(v); return; }
    v.saved = v.svg.getAttribute("viewBox");
    setViewBox(v.svg, v.home);
  }));
  window.addEventListener("afterprint", () => views.forEach((v) => { if (v.saved) v.svg.setAttribute("viewBox", v.saved); }));

  return Object.assign(api, { attach, nodeId });
})();
