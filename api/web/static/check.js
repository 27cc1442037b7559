"use strict";
// The check: a subject (code, ID number or name) or a new applicant; the verdict first, then every hit with
// its chain, listing, legal basis, validity and sending department; pictures drawn by the server on request.
(() => {
  if (!Auth.require()) return;
  const { el, $ } = CN;
  const form = $("check-form"), error = $("check-error"), result = $("result");
  const persons = $("persons");
  const VIRTUAL = "(新申请人)";
  const ROLES = ["法定代表人", "负责人", "执行事务合伙人", "股东", "董事", "董事长", "监事", "经理", "副经理", "财务负责人", "董事会秘书"];
  const ID_TYPES = ["居民身份证", "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证"];  // natural persons only (a corporate shareholder is checked by its code)
  const VERDICT = {
    restricted: ["受限", "依法不得办理：申请人本身，或其法定代表人、负责人、董事、监事、经理受联合惩戒限制。"],
    linked: ["存在关联，需人工核查", "所选层数内有受限主体，但不构成法定禁止，请核查关系后决定。"],
    clear: ["未发现关联", "所选层数内未发现受限主体。"],
  };
  const RULE = {
    "subject-listed": "申请人本身被列入名单",
    "officer-restricted": "法定代表人/负责人/董事/监事/经理是受限人员（《公司法》第178条；《市场主体登记管理条例》第12条）",
    "three-year-bar": "法定代表人/负责人所任企业被列入严重违法失信企业名单未满三年（《企业信息公示暂行条例》第17条）",
  };

  // --- the form ----------------------------------------------------------------------------------------
  function options(values, selected) {
    return values.map((v) => el("option", { value: v, selected: v === selected }, v));
  }

  function addPerson(p) {
    const n = persons.children.length + 1;
    const person = p || {};
    const row = el("tr", {},
      el("td", { "data-label": "人员类别" }, el("select", { "aria-label": `第${n}人 人员类别`, "data-field": "role" }, options(ROLES, person.role || "法定代表人"))),
      el("td", { "data-label": "姓名" }, el("input", { type: "text", "aria-label": `第${n}人 姓名`, "data-field": "name", maxlength: CN.INPUT_MAX, value: person.name || "" })),
      el("td", { "data-label": "证件类型" }, el("select", { "aria-label": `第${n}人 证件类型`, "data-field": "id_type" }, options(ID_TYPES, person.id_type || "居民身份证"))),
      el("td", { "data-label": "证件号码" }, el("input", { type: "text", "aria-label": `第${n}人 证件号码`, "data-field": "id_number", spellcheck: "false", maxlength: CN.CODE_MAX,
                                 value: person.id_number || "" })),
      el("td", {}, el("button", { type: "button", class: "secondary", "aria-label": `删除第${n}人`,
                                  onclick: () => { row.remove(); } }, "删除")));
    persons.append(row);
    return row;
  }

  function mode() { return form.querySelector("input[name=mode]:checked").value; }
  function showMode() {
    $("by-key").hidden = mode() !== "key";
    $("by-applicant").hidden = mode() !== "applicant";
  }
  form.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", showMode));
  $("add-person").addEventListener("click", () => addPerson().querySelector("input").focus());
  addPerson();
  $("as-of").value = CN.today();

  function body() {
    const common = { as_of: $("as-of").value || undefined, depth: Number($("depth").value) };
    if (mode() === "key") {
      const value = $("subject").value.trim();
      if (!value) throw new Error("请输入统一社会信用代码、注册号、身份证号码或企业名称");
      return Object.assign(CN.subject(value), common);  // a code of the wrong length is told so, not searched as a name
    }
    const name = $("app-name").value.trim();
    if (!name) throw new Error("请填写新申请人的企业名称");
    CN.nameLength(name);
    const list = [...persons.querySelectorAll("tr")].map((tr) => {
      const get = (f) => tr.querySelector(`[data-field=${f}]`).value.trim();
      return { role: get("role"), name: get("name"), id_type: get("id_type"), id_number: get("id_number") };
    }).filter((p) => p.id_number || p.name);
    list.forEach((p) => CN.nameLength(p.name, "姓名"));
    const missing = list.find((p) => !p.id_number);
    if (missing) throw new Error(`请填写 ${missing.name || "人员"} 的证件号码`);
    const uscc = $("app-uscc").value.trim();
    return Object.assign({ name, persons: list }, uscc ? { uscc } : {}, common);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    CN.hideError(error);
    let payload;
    try { payload = body(); } catch (err) { CN.showError(error, err); return; }
    // The previous answer goes at once: an official must never read an old verdict as the new one.
    CN.clear(result).hidden = true;
    const button = $("check-submit");
    button.disabled = true;
    button.textContent = "核查中…";
    try {
      const { data, date } = await Auth.json("POST", "/api/v1/checks", payload);
      render(data, date);
      CheckRecord.remember(data.check_id);
    } catch (err) {
      CN.showError(error, err);
    } finally {
      button.disabled = false;
      button.textContent = "核查";
    }
  });

  // --- pictures ----------------------------------------------------------------------------------------
  // The SVG comes from our own server, escaped there; it is still parsed as SVG and stripped of anything
  // active before it enters the page.
  function insertSvg(container, svgText) {
    const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
    const root = doc.documentElement;
    if (root.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) throw new Error("图形无法显示");
    root.querySelectorAll("script, foreignObject").forEach((n) => n.remove());
    root.querySelectorAll("*").forEach((n) => [...n.attributes].forEach((a) => {
      if (/^on/i.test(a.name)) n.removeAttribute(a.name);
    }));
    CN.clear(container).append(document.importNode(root, true));
    container.hidden = false;
  }

  // A button that shows (or folds away) a picture drawn by the server, made explorable (explore.js) once drawn.
  // `button.open()` shows it and gives its explorer (null when it could not be drawn).
  function pictureButton(label, container, load, exploring) {
    const button = el("button", { type: "button", class: "secondary", "aria-expanded": "false" }, label);
    let view = null;
    button.open = async () => {
      if (view && container.querySelector("svg")) {
        container.hidden = false;
        button.setAttribute("aria-expanded", "true");
        return view;
      }
      button.disabled = true;
      try {
        insertSvg(container, await load());
        view = Explore.attach(container, exploring);
        button.setAttribute("aria-expanded", "true");
      } catch (err) {
        CN.clear(container).append(el("p", { class: "error", role: "alert", text: err.message }));
        container.hidden = false;
      } finally {
        button.disabled = false;
      }
      return view;
    };
    button.addEventListener("click", () => {
      if (!container.hidden) { container.hidden = true; button.setAttribute("aria-expanded", "false"); return; }
      button.open();
    });
    return button;
  }

  // --- the answer --------------------------------------------------------------------------------------
  function partyText(p) { return `${p.name || p.key}（${CN.KIND[p.kind] || p.kind}）`; }

  function chain(path) {
    if (!path.length) return null;
    return el("ol", { class: "chain", "aria-label": "关系链" }, path.map((s) =>
      el("li", {}, `${partyText(s.source)} 是 ${s.target.name || s.target.key} 的 ${(s.roles || [s.relation]).join("、")}`)));
  }

  function restrictions(rows) {
    return CN.table([
      ["信息类型", (r) => r.type],
      ["限制法律依据", (r) => r.basis],
      ["法律描述", (r) => r.description],
      ["有效期", (r) => CN.validity(r.valid_from, r.valid_to)],
      ["信息发送部门", (r) => r.sender],
      ["信息接收部门", (r) => (r.receivers || []).join("、")],
      ["名单所列人员", (r) => (r.person_name ? `${r.person_name}（${r.person_role || "未注明职务"}）${r.matched_by_name ? "，按姓名匹配" : ""}` : "")],
      ["状态", (r) => CN.statusTag(r.status)],
    ], rows);
  }

  function penalties(rows) {
    if (!rows.length) return null;
    return el("section", { class: "card" }, el("h2", { text: `须注意的处罚（${rows.length} 条，在法定期限内）` }),
      CN.table([
        ["对象", (p) => partyText(p.party)], ["处罚", (p) => `${p.kind}（${p.penalty_type || ""}）`],
        ["决定日期", (p) => p.decision_date], ["期限至", (p) => p.until], ["机关", (p) => p.authority],
        ["经由", (p) => (p.via || []).map(partyText).join("、")], ["依据", (p) => p.basis],
      ], rows));
  }

  // The neighbourhood picture of the answer on the page, when it is offered (not on a recorded check).
  let neighbourhoodButton = null;

  function markChain(result, hit, container) {
    return el("button", { type: "button", class: "secondary", onclick: async () => {
      const view = await neighbourhoodButton.open();
      if (!view) return;
      view.highlight(hit, result.subject);
      container.scrollIntoView({ block: "nearest" });
    } }, "在网络图中标出");
  }

  function hitCard(result, hit, i, seen) {
    const rows = CheckRecord.unseen(hit.restrictions || [], seen);
    const figure = el("div", { class: "figure fit", hidden: true, "aria-label": `第${i + 1}条命中的关系图` });
    const distance = hit.hops === 0 ? "申请人本身" : `第 ${hit.hops} 层关系`;
    return el("article", { class: `hit${hit.binding ? " binding" : ""}`, "data-party": hit.party.key },
      el("h3", {}, `${i + 1}. ${partyText(hit.party)}`,
        el("span", { class: `tag ${hit.binding ? "tag-binding" : "tag-link"}`, text: hit.binding ? "依法禁止" : "关联，需人工核查" })),
      el("p", {}, "代码/证件号码：", CheckRecord.idNumber(hit.party), `；距离：${distance}；`,
        hit.binding ? `适用规则：${RULE[hit.rule] || hit.rule}` : "不构成法定禁止，请人工核查"),
      chain(hit.path || []),
      rows.length ? restrictions(rows) : null,
      CheckRecord.sameAs(hit.restrictions || [], seen),
      (hit.notes || []).length ? el("ul", { class: "note" }, hit.notes.map((n) => el("li", { text: CN.chinese(n) }))) : null,
      el("div", { class: "toolbar" }, pictureButton("查看关系图", figure, () =>
        Auth.text("POST", "/api/v1/render/chain", { check_id: result.check_id, index: i })),
        neighbourhoodButton ? markChain(result, hit, neighbourhoodButton.figure) : null),
      figure);
  }

  function history(rows) {
    if (!rows.length) return null;
    const flat = rows.flatMap((h) => h.restrictions.map((r) => Object.assign({ party: h.party, hops: h.hops }, r)));
    return el("details", { class: "card" }, el("summary", {}, `不在有效期内的名单（${flat.length} 条，不构成限制）`),
      CN.table([
        ["对象", (r) => partyText(r.party)], ["距离", (r) => (r.hops ? `第 ${r.hops} 层` : "本身")],
        ["信息类型", (r) => r.type], ["有效期", (r) => CN.validity(r.valid_from, r.valid_to)],
        ["信息发送部门", (r) => r.sender], ["状态", (r) => CN.statusTag(r.status)],
      ], flat));
  }

  function render(r, serverDate, recorded) {
    const [word, explanation] = VERDICT[r.verdict];
    const session = Auth.session() || {};
    const subject = r.subject;
    const known = subject.key !== VIRTUAL;
    const neighbourhood = el("div", { class: "figure", hidden: true, "aria-label": "关系网络图" });
    const params = new URLSearchParams({ key: subject.key, depth: String(Math.max(1, r.depth)), as_of: r.as_of });
    // Drawn from today's data: offered (and explored, node by node) only where the check was just made.
    neighbourhoodButton = known && !recorded ? pictureButton(`关系网络图（${Math.max(1, r.depth)} 层以内）`, neighbourhood,
      () => Auth.text("GET", `/api/v1/render/neighbourhood?${params}`), { expand: true, asOf: r.as_of, subject }) : null;
    if (neighbourhoodButton) neighbourhoodButton.figure = neighbourhood;
    const meta = [
      ["核查对象", partyText(subject)], ["代码/证件号码", CheckRecord.idNumber(subject)], ["核查日期", r.as_of],
      ["关联层数", `${r.depth} 层`], ["检查编号", r.check_id], ["检查时间", CN.dateTime(serverDate)],
      ["数据版本", r.data_version], ["核查部门", (recorded ? recorded.department : session.department) || "—"],
    ];
    CN.clear(result).append(...[
      el("div", { class: "print-only" }, el("h2", { text: "企业信用联合惩戒核查记录" })),
      recorded ? CheckRecord.recordNotice(recorded, r) : null,
      el("h2", { id: "result-title", class: "visually-hidden" }, "核查结果"),
      el("div", { id: "verdict", class: `verdict verdict-${r.verdict}`, tabindex: "-1", "data-verdict": r.verdict },
        word, el("small", { text: explanation })),
      el("dl", { class: "meta" }, meta.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, v instanceof Node ? v : CN.text(v))])),
      el("div", { class: "toolbar" },
        el("button", { type: "button", id: "print", onclick: () => window.print() }, "打印/保存为PDF"),
        neighbourhoodButton,
        known && subject.kind === "enterprise"
          ? el("a", { class: "button", href: `/profile?code=${encodeURIComponent(subject.key)}` }, "查看企业画像") : null),
      neighbourhood,
      r.notes.length ? el("ul", { class: "note" }, r.notes.map((n) => el("li", { text: CN.chinese(n) }))) : null,
      el("h2", { id: "hits-title" }, r.hits.length ? CheckRecord.hitsTitle(r.hits) : "未发现受限主体"),
      CheckRecord.drawHits(r.hits, (h, i, seen) => hitCard(r, h, i, seen)),
      penalties(r.penalties || []),
      history(r.history || []),
      CheckRecord.paperFoot(r),
    ].flat().filter(Boolean));
    result.hidden = false;
    $("verdict").focus();
  }

  // A name typed into the subject field: the registered names like it, to pick one (its code is then checked).
  Suggest.attach($("subject"), async (q) => (await Auth.json("GET", `/api/v1/search?q=${encodeURIComponent(q)}&limit=8`)).data.candidates,
    (c) => { $("subject").value = c.key; form.requestSubmit(); });

  // /checks/{id}: the answer as the audit trail holds it, read-only (the form stays away until asked for).
  const recordedId = CheckRecord.recordedId();
  // /check?key=… (from a profile or a department's list) checks at once.
  const preset = CN.param("key");
  if (recordedId) {
    form.closest("section").hidden = true;
    Auth.json("GET", `/api/v1/checks/${encodeURIComponent(recordedId)}`)
      .then(({ data }) => render(data.result, data.at, data))
      .catch((err) => { result.hidden = false; CN.clear(result).append(el("p", { class: "error", role: "alert", text: err.message })); });
  } else if (preset) {
    $("subject").value = preset;
    form.requestSubmit();
  } else {
    $("subject").focus();
  }
})();
