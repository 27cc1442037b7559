"use strict";
// Name suggestions under a text field, as the official types (after 2 characters): the candidates of the name
// search, best first, with their score and how they differ. An ARIA combobox: ↓/↑ move through the list, Enter
// takes the highlighted one, Escape closes it; a click takes one too. `fetch(q)` answers the candidates (each page
// asks its own endpoint: the public page the public search, the others the departments' search with their key);
// `pick(candidate)` does what taking one means on that page. This file is served to the public pages too: it holds
// no key and names no endpoint.
const Suggest = (() => {
  const { el } = CN;
  const REASONS = {
    "form differs": "组织形式不同", "no company form": "未写组织形式", "no region prefix": "未写行政区划",
    "region prefix added": "多写了行政区划", "region differs": "行政区划不同", "region written differently": "行政区划写法不同",
    "short name": "简称", "part of the name": "名称的一部分", "characters swapped": "字序颠倒", "traditional characters": "繁体字",
    "head office, not the branch": "是总公司而非分公司", "a branch, not the head office": "是分公司而非总公司",
    "another branch": "另一分支机构",
  };
  function reason(r) {
    const m = /^(\d+) characters? differs?$/.exec(r);
    return m ? `${m[1]}个字不同` : REASONS[r] || r;
  }
  let count = 0;

  function attach(input, fetchCandidates, pick) {
    const id = `suggest-${++count}`;
    const list = el("ul", { id, class: "suggestions", role: "listbox", "aria-label": "相近的登记名称", hidden: true });
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");
    let items = [], active = -1, asked = 0, timer = null;

    function close() {
      list.hidden = true; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      active = i;
      [...list.children].forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
      if (i >= 0) input.setAttribute("aria-activedescendant", `${id}-${i}`);
      else input.removeAttribute("aria-activedescendant");
    }
    function take(i) {
      const c = items[i];
      close();
      if (c) pick(c);
    }
    function show(candidates) {
      CN.clear(list);
      items = candidates;
      if (!items.length) { close(); return; }
      items.forEach((c, i) => list.append(el("li", {
        id: `${id}-${i}`, role: "option", "aria-selected": "false", "data-key": c.key,
        onmousedown: (event) => { event.preventDefault(); take(i); },
      }, el("span", { class: "name", text: c.name || c.key }),
      // restricted today: the public search counts active listings, the departments' says so (status.restricted)
      (c.active_listings !== undefined ? c.active_listings > 0 : Boolean(c.status && c.status.restricted))
        ? el("span", { class: "tag tag-binding", text: "当前受限" }) : null,
      el("span", { class: "sub", text: [`相似度 ${c.score}`, (c.reasons || []).map(reason).join("、"), c.key]
        .filter(Boolean).join(" · ") }))));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
    }
    async function ask() {
      const q = input.value.trim();
      const mine = ++asked;
      // a code is not a name; a name longer than the API takes is told so when the form is sent
      if ([...q].length < 2 || [...q].length > CN.NAME_MAX || /^[0-9A-Za-z\s]+$/.test(q)) { close(); return; }
      try {
        const found = await fetchCandidates(q);
        if (mine === asked) show(found);
      } catch (err) {
        if (mine === asked) close();  // typing goes on; the form's own submit reports errors
      }
    }
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 150); });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && active < 0) {  // the form takes what was typed: no list left over its answer
        clearTimeout(timer); asked++; close(); return;
      }
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); take(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
    return { close };
  }

  return { attach, reason };
})();
