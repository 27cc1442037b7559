"use strict";
// Shared by every page, the public ones included: building the DOM, dates, errors, tables, the timeline.
// Data is only ever put into the page as text (textContent), never as HTML: names come from departments'
// files and may hold anything.

const CN = (() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(id) { return document.getElementById(id); }
  function param(name) { return new URLSearchParams(location.search).get(name) || ""; }
  function text(v) { return v === null || v === undefined || v === "" ? "—" : String(v); }
  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }
  function validity(from, to) { return `${from || "?"} 至 ${to || "长期（无截止日期）"}`; }
  function dateTime(value) {
    const d = value ? new Date(value) : new Date();
    if (isNaN(d)) return String(value);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }
  function money(v, textValue) {
    if (textValue) return textValue;
    if (v === null || v === undefined || v === "") return "—";
    return `${Number(v).toLocaleString("zh-CN")} 元`;
  }

  const STATUS = { active: "有效", expired: "已过期", future: "未生效" };
  const KIND = { enterprise: "企业", person: "人员" };
  function statusTag(status) {
    return el("span", { class: `tag tag-${status}`, text: STATUS[status] || text(status) });
  }

  // The API answers "中文 (English)"; the pages are in Chinese only.
  function chinese(message) {
    return String(message || "").replace(/\s*\((?![^()]*[\u4e00-\u9fff])[^()]*\)\s*(?=[:：]|$)/g, "").trim();
  }

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message); this.status = status; this.code = code; this.details = details || {};
    }
  }

  function describe(status, body) {
    const e = (body && body.error) || {};
    const generic = /^请求内容有误/.test(e.message || "");
    if (generic && e.details && Array.isArray(e.details.fields) && e.details.fields.length) {
      const names = e.details.fields.map((f) => f.field || f.in).filter(Boolean).join("、");
      return `请求内容有误，请检查：${names || "填写的内容"}`;
    }
    if (e.message) return chinese(e.message);
    if (status === 0) return "无法连接服务器，请检查网络后重试";
    return `服务器返回错误（${status}）`;
  }

  // fetch() with the API's error shape turned into an ApiError that carries a Chinese message.
  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({ credentials: "omit", cache: "no-store" }, options || {}));
    } catch (err) {
      throw new ApiError(0, "network", describe(0, null));
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (err) { body = null; }
      const e = (body && body.error) || {};
      throw new ApiError(response.status, e.code || "error", describe(response.status, body), e.details);
    }
    return response;
  }

  async function getJSON(url, options) {
    const response = await request(url, options);
    return { data: await response.json(), date: response.headers.get("date") };
  }

  function showError(node, err) {
    node.textContent = err instanceof ApiError ? err.message : `出错了：${err && err.message ? err.message : err}`;
    node.hidden = false;
  }
  function hideError(node) { node.hidden = true; node.textContent = ""; }

  // columns: [[title, row => text | Node, className?]]
  function table(columns, rows, options) {
    const opts = options || {};
    if (!rows.length) return el("p", { class: "empty", text: opts.empty || "无" });
    const head = el("tr", {}, columns.map(([title]) => el("th", { scope: "col", text: title })));
    const body = el("tbody");
    rows.forEach((row, i) => {
      body.append(el("tr", {}, columns.map(([, value, cls]) => {
        const v = value(row, i);
        return el("td", { class: cls }, v instanceof Node ? v : text(v));
      })));
      if (opts.after) for (const extra of opts.after(row, columns.length)) body.append(extra);
    });
    return el("div", { class: "table-wrap" }, el("table", { class: opts.class }, opts.caption ? el("caption", { text: opts.caption }) : null,
      el("thead", {}, head), body));
  }

  function keyValue(pairs) {
    return el("table", { class: "kv" }, el("tbody", {}, pairs.map(([k, v]) =>
      el("tr", {}, el("th", { scope: "row", text: k }), el("td", {}, v instanceof Node ? v : text(v))))));
  }

  // Listing history on one time axis: a lane per listing, a bar from 限制期限自 to 限制期限至 (open-ended bars
  // run to the end of the axis), and a line at the date the status is read on.
  function timeline(listings, asOf) {
    const rows = listings.filter((l) => l.valid_from);
    if (!rows.length) return el("p", { class: "empty", text: "无名单记录" });
    const day = (s) => Date.parse(`${s}T00:00:00Z`);
    const at = day(asOf || today());
    let lo = Math.min(at, ...rows.map((l) => day(l.valid_from)));
    let hi = Math.max(at, ...rows.map((l) => day(l.valid_to || l.valid_from)));
    const pad = Math.max((hi - lo) * 0.08, 90 * 864e5);
    lo -= pad; hi += pad;
    const pct = (t) => `${((t - lo) / (hi - lo)) * 100}%`;
    const axis = el("div", { class: "axis", "aria-hidden": "true" });
    const first = new Date(lo).getUTCFullYear() + 1, last = new Date(hi).getUTCFullYear();
    const step = Math.max(1, Math.ceil((last - first + 1) / 10));
    for (let y = first; y <= last; y += step) {
      const tick = el("span", { class: "tick", text: String(y) });
      tick.style.left = pct(Date.UTC(y, 0, 1));
      axis.append(tick);
    }
    const lanes = rows.map((l) => {
      const start = day(l.valid_from), end = l.valid_to ? day(l.valid_to) : hi;
      const label = `${l.type || l.list_type || "名单"}（${l.sender || "?"}）`;
      const bar = el("div", {
        class: `bar ${l.status || ""} ${l.valid_to ? "" : "open"}`, role: "img",
        "aria-label": `${label}：${validity(l.valid_from, l.valid_to)}，${STATUS[l.status] || ""}`,
        title: `${label}\n${validity(l.valid_from, l.valid_to)}\n${STATUS[l.status] || ""}`,
      });
      bar.style.left = pct(start);
      bar.style.width = `calc(${pct(end)} - ${pct(start)})`;
      const marker = el("div", { class: "today", "aria-hidden": "true" });
      marker.style.left = pct(at);
      return el("div", { class: "lane" }, el("div", { class: "lane-label", title: label, text: label }),
        el("div", { class: "track" }, bar, marker));
    });
    const now = el("div", { class: "today" }, el("span", { text: `状态日期 ${asOf || today()}` }));
    now.style.left = pct(at);
    const header = el("div", { class: "lane" }, el("div", { class: "lane-label" }),
      el("div", { class: "track" }, now));
    return el("div", { class: "timeline", role: "group", "aria-label": "名单时间轴" }, header, axis, lanes);
  }

  function listingPerson(l) {
    const p = l.person || (l.person_name ? { name: l.person_name, id: l.id_number } : null);
    if (!p) return "—";
    return `${l.person_role ? l.person_role + " " : ""}${p.name || ""}${p.id_masked || p.id ? "（" + (p.id_masked || p.id) + "）" : ""}`;
  }

  return { el, clear, $, param, text, today, validity, dateTime, money, STATUS, KIND, statusTag, chinese,
           ApiError, request, getJSON, showError, hideError, table, keyValue, timeline, listingPerson };
})();
