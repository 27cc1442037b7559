"use strict";
// Shared by every page, the public ones included: building the DOM, dates, errors, tables, the timeline.
// Data is only ever put into the page as text (textContent), never as HTML: names come from departments'
// files and may hold anything.

const CN = (() => {
  // The navigation folded behind 菜单 on a narrow screen (the button is hidden on a wide one).
  document.querySelectorAll(".menu-toggle").forEach((button) => button.addEventListener("click", () => {
    const open = button.closest(".top").classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
  }));

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

  // The API's field names, in the words of the form the official filled in.
  const FIELD = { name: "名称", key: "代码或证件号码", q: "查询内容", as_of: "日期", depth: "关联层数", uscc: "统一社会信用代码",
                  id_number: "证件号码", id_type: "证件类型", role: "人员类别", persons: "申报人员", reason: "原因",
                  record_ids: "记录编号", limit: "条数", type: "信息类型" };
  function fieldProblem(f) {
    const m = /^persons\[(\d+)\]\.(\w+)$/.exec(f.field || "");
    const label = m ? `第${Number(m[1]) + 1}人的${FIELD[m[2]] || m[2]}` : FIELD[f.field] || "填写的内容";
    const longest = /at most (\d+) (?:character|item)/.exec(f.message || "");
    if (longest) return `${label}最多 ${longest[1]} 个${/item/.test(f.message) ? "" : "字"}`;
    if (/missing|required/i.test(f.type || f.message || "")) return `请填写${label}`;
    if (/date/i.test(f.type || "")) return `${label}不是有效的日期`;
    return `${label}填写有误`;
  }

  function describe(status, body) {
    const e = (body && body.error) || {};
    const generic = /^请求内容有误/.test(e.message || "");
    if (generic && e.details && Array.isArray(e.details.fields) && e.details.fields.length) {
      return `${e.details.fields.slice(0, 3).map(fieldProblem).join("；")}，请修改后重试`;
    }
    // A path the API does not have: the page asked for something this server does not know (an old page).
    if (e.code === "not_found" && e.details && e.details.path) {
      return "系统中没有这项功能，可能是页面已过期：请刷新页面后重试；如仍出现，请联系县市场监督管理局";
    }
    if (e.message) return chinese(e.message);
    if (status === 0) return "无法连接服务器，请检查网络后重试";
    // No answer in the API's shape: the web server in front refused the request itself.
    if (status === 400 || status === 414 || status === 431) return "输入的内容太长或含有无法识别的字符，请检查后重试";
    if (status === 413) return "上传的内容太大，请拆分后重试";
    if (status >= 502 && status <= 504) return "服务器暂时无法连接，请稍后重试";
    return `服务器暂时无法处理（错误代码 ${status}），请稍后重试；如仍出现，请联系县市场监督管理局`;
  }

  // What an official typed into a subject field: a code (USCC, registration number, ID number) or a name. A run of
  // letters and digits of the wrong length is a mistyped code, not a name: say so, in their words. The API caps a
  // code at 64 characters and a name at 200.
  const NAME_MAX = 200, CODE_MAX = 64;
  // What a name field takes: more than the API does, so that a longer name pasted in is told how long it is (a
  // maxlength of 200 would cut it silently, and the shortened name then matches nothing).
  const INPUT_MAX = 2000;
  function nameLength(typed, what) {
    const n = [...typed].length;
    if (n > NAME_MAX) throw new Error(`${what || "企业名称"}最多 ${NAME_MAX} 个字，您输入了 ${n} 个字：请只输入${what || "企业名称"}`);
    return typed;
  }
  function foldCode(value) {
    return value.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
      .replace(/[\s\u3000]+/g, "").toUpperCase();
  }
  function subject(value) {
    const typed = value.trim();
    const code = foldCode(typed);
    if (/^[0-9A-Z]+$/.test(code) && (code.match(/[0-9]/g) || []).length >= 6) {
      if (code.length === 15 || code.length === 18) return { key: typed };
      throw new Error(code.length < 15 ? `代码应为 18 位（老企业的注册号为 15 位），您输入了 ${code.length} 位`
        : `代码应为 18 位，您输入了 ${code.length} 位`);
    }
    nameLength(typed);
    if ([...typed].length < 2) throw new Error("请输入企业名称（至少 2 个字），或 18 位统一社会信用代码");
    return { name: typed };
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

  // A prompt or the API's answer is shown as it is; only a fault of the page itself (a script error, in English)
  // is replaced by words the official can act on.
  function showError(node, err) {
    const message = String(err && err.message ? err.message : err || "");
    node.textContent = err instanceof ApiError || /[\u4e00-\u9fff]/.test(message) ? message : "页面出现问题，请刷新后重试";
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
      // data-label: on a narrow screen each row is a card, and each cell says which column it is (style.css).
      body.append(el("tr", {}, columns.map(([title, value, cls]) => {
        const v = value(row, i);
        return el("td", { class: cls, "data-label": title }, v instanceof Node ? v : text(v));
      })));
      if (opts.after) for (const extra of opts.after(row, columns.length)) body.append(extra);
    });
    return el("div", { class: "table-wrap" }, el("table", { class: `cards ${opts.class || ""}`.trim() },
      opts.caption ? el("caption", { text: opts.caption }) : null,
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
    // Near an end the date's label is aligned to that end, so it never runs off the page.
    const where = (at - lo) / (hi - lo);
    if (where < 0.25) now.classList.add("at-start"); else if (where > 0.75) now.classList.add("at-end");
    thinTicks(axis);
    const header = el("div", { class: "lane" }, el("div", { class: "lane-label" }),
      el("div", { class: "track" }, now));
    return el("div", { class: "timeline", role: "group", "aria-label": "名单时间轴" }, header, axis, lanes);
  }

  // Year labels that would touch the one before them (a narrow screen, a long span of years) are hidden, and so
  // is one that would run past the axis's end; measured whenever the axis changes width.
  function thinTicks(axis) {
    if (typeof ResizeObserver === "undefined") return;
    new ResizeObserver(() => {
      const { left: start, right: end } = axis.getBoundingClientRect();
      let right = -Infinity;
      for (const tick of axis.querySelectorAll(".tick")) {
        tick.hidden = false;
        const box = tick.getBoundingClientRect();
        tick.hidden = box.left < Math.max(right + 6, start - 2) || box.right > end + 2;
        if (!tick.hidden) right = box.right;
      }
    }).observe(axis);
  }

  function listingPerson(l) {
    const p = l.person || (l.person_name ? { name: l.person_name, id: l.id_number } : null);
    if (!p) return "—";
    return `${l.person_role ? l.person_role + " " : ""}${p.name || ""}${p.id_masked || p.id ? "（" + (p.id_masked || p.id) + "）" : ""}`;
  }

  return { el, clear, $, param, text, today, validity, dateTime, money, STATUS, KIND, statusTag, chinese,
           ApiError, request, getJSON, showError, hideError, table, keyValue, timeline, listingPerson,
           NAME_MAX, CODE_MAX, INPUT_MAX, nameLength, foldCode, subject };
})();
