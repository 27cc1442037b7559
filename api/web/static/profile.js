"use strict";
// Everything under one enterprise (全景画像): registry data, people, licences and penalties with their
// changes, inspections, and the listings with their history on a timeline. Departments only.
(() => {
  if (!Auth.require()) return;
  const { el, $, table, text } = CN;
  const form = $("profile-form"), error = $("profile-error"), out = $("profile");

  // The roles held on the profile's date, then the terms that ended (kept as history: a bar follows who held the
  // post at the time).
  function tenure(m) {
    const ended = (m.terms || []).filter((t) => t.until && !(m.roles || []).includes(t.role))
      .map((t) => `${t.role}（${t.since || "?"} 至 ${t.until}，已离任）`);
    return [(m.roles || []).join("、"), ...ended].filter(Boolean).join("；") || "—";
  }

  function party(p) {
    if (p.kind === "enterprise") return el("a", { href: `/profile?code=${encodeURIComponent(p.key)}` }, p.name || p.key);
    return p.name || p.key;
  }

  function changeRows(record, columns) {
    return (record.changes || []).map((c) => el("tr", { class: "change" }, el("td", { colspan: String(columns) },
      `变更（${c.change_date || "?"}）：`, c.item ? `${c.item} ` : "",
      c.before !== undefined || c.after !== undefined ? `由“${text(c.before)}”改为“${text(c.after)}”` : text(c.content))));
  }

  function render(p) {
    const e = p.enterprise, r = p.records;
    const original = (lic, f) => (lic.original && lic.original[f] ? `${text(lic[f])}（原 ${lic.original[f]}）` : lic[f]);
    CN.clear(out).append(
      Standing.banner(r.blacklist, p.restriction || null, p.as_of, "按核查的法定禁止规则判断（本企业、任职人员、三年禁入）；关联关系请点“核查此企业”。"),
      el("section", { class: "card" }, el("h2", {}, e.name || e.key),
        CN.keyValue([
          ["统一社会信用代码", e.uscc], ["注册号", e.reg_no], ["企业类型", e.type], ["法定代表人", e.legal_rep],
          ["法定代表人证件号码", e.legal_rep_id_number], ["成立日期", e.established], ["登记状态", e.status],
          ["住所", e.address], ["登记机关", e.authority], ["注册资本", e.capital ? CN.money(e.capital) : null],
          ["经营范围", e.scope], ["登记来源", e.in_registry ? "登记机关" : "仅见于部门记录（尚无登记数据）"],
        ]),
        el("div", { class: "toolbar" }, el("a", { class: "button", href: `/check?key=${encodeURIComponent(e.key)}` }, "核查此企业"))),
      el("section", { class: "card" }, el("h2", {}, "人员及出资企业"),
        table([["人员类别", (m) => tenure(m)], ["姓名/名称", (m) => party(m.party)],
               ["证件号码/代码", (m) => m.party.key], ["类型", (m) => CN.KIND[m.party.kind]]], e.members || []),
        el("h3", {}, "在其他企业任职或出资"),
        table([["企业", (m) => party(m.party)], ["代码", (m) => m.party.key], ["身份", (m) => tenure(m)]],
              e.holds_roles_in || [])),
      el("section", { class: "card" }, el("h2", {}, `名单（${r.blacklist.length}）`),
        CN.timeline(r.blacklist.map((l) => Object.assign({ type: l.list_type }, l)), p.as_of),
        table([["信息类型", (l) => l.list_type], ["限制法律依据", (l) => l.basis], ["法律描述", (l) => l.description],
               ["有效期", (l) => CN.validity(l.valid_from, l.valid_to)], ["信息发送部门", (l) => l.sender],
               ["信息接收部门", (l) => (l.receivers || []).join("、")], ["列入人员", (l) => CN.listingPerson(l)],
               ["状态", (l) => CN.statusTag(l.status)]], r.blacklist)),
      el("section", { class: "card" }, el("h2", {}, `行政许可（${r.license.length}）`),
        table([["许可文件编号", (l) => l.license_no], ["许可文件名称", (l) => original(l, "license_name")],
               ["有效期自", (l) => original(l, "valid_from")], ["有效期至", (l) => original(l, "valid_to")],
               ["许可机关", (l) => (l.authority || []).join("、")], ["许可内容", (l) => original(l, "content")],
               ["状态", (l) => original(l, "status")]], r.license, { after: changeRows })),
      el("section", { class: "card" }, el("h2", {}, `行政处罚（${r.penalty.length}）`),
        table([["决定书文号", (x) => x.decision_no], ["处罚机关", (x) => (x.authority || []).join("、")],
               ["决定日期", (x) => x.decision_date], ["违法行为类型", (x) => x.violation_type],
               ["罚款", (x) => CN.money(x.fine, x.fine_text), "num"], ["没收", (x) => CN.money(x.confiscated, x.confiscated_text), "num"],
               ["处罚种类", (x) => x.penalty_type], ["当前状态", (x) => x.current_status]], r.penalty, { after: changeRows })),
      el("section", { class: "card" }, el("h2", {}, `抽查检查（${r.inspection.length}）`),
        table([["检查实施机关", (x) => (x.authority || []).join("、")], ["类型", (x) => x.inspection_type],
               ["日期", (x) => x.inspection_date], ["结果", (x) => x.result]], r.inspection)),
      el("p", { class: "hint", text: `名单状态日期 ${p.as_of}，数据版本 ${p.data_version}` }),
    );
  }

  async function load(code, asOf) {
    CN.hideError(error);
    const q = asOf ? `?as_of=${encodeURIComponent(asOf)}` : "";
    try {
      const { data } = await Auth.json("GET", `/api/v1/enterprises/${encodeURIComponent(code)}${q}`);
      render(data);
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    }
  }

  // A name typed instead of a code: the registered names like it; picking one opens its profile.
  Suggest.attach($("code"), async (q) => (await Auth.json("GET", `/api/v1/search?q=${encodeURIComponent(q)}&limit=8`)).data.candidates,
    (c) => { $("code").value = c.key; form.requestSubmit(); });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("code").value.trim();
    if (!code) { CN.showError(error, new Error("请输入统一社会信用代码或注册号")); return; }
    try {
      if (CN.subject(code).name) throw new Error("请输入统一社会信用代码或注册号；输入企业名称时，请从名称下方列出的企业中选择");
    } catch (err) { CN.showError(error, err); $("code").focus(); return; }
    history.replaceState(null, "", `/profile?code=${encodeURIComponent(code)}`);
    load(code, $("as-of").value);
  });

  $("as-of").value = CN.today();
  const code = CN.param("code");
  if (code) { $("code").value = code; load(code, $("as-of").value); } else $("code").focus();
})();
