"use strict";
// Public pages: no key, no Authorization header, only /api/v1/public/… — whatever is signed in in this tab.
// The public endpoints mask every ID number; these pages show only what they answer.
(() => {
  const { el, $, table } = CN;
  const page = document.body.dataset.page;

  async function search(q) {
    const error = $("search-error"), out = $("search-result");
    CN.hideError(error);
    try {
      const { data } = await CN.getJSON(`/api/v1/public/search?q=${encodeURIComponent(q)}`);
      CN.clear(out).append(el("section", { class: "card" },
        el("h2", {}, data.results.length ? `找到 ${data.results.length} 家企业` : "没有找到企业"),
        data.results.length ? el("ul", { class: "results" }, data.results.map((e) => el("li", {},
          el("a", { href: `/public/enterprise?code=${encodeURIComponent(e.key)}` }, e.name || e.key),
          Standing.badge(e.active_listings || 0),
          el("span", { class: "sub", text: [e.score === null || e.score === undefined ? null : `相似度 ${e.score}`,
            (e.reasons || []).map(Suggest.reason).join("、"), e.uscc || e.reg_no, e.status, e.address].filter(Boolean).join(" · ") }))))
          : el("p", { class: "hint", text: "请输入企业名称（可以是简称或名称的一部分），或统一社会信用代码、注册号。" })));
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    }
  }

  function members(list) {
    return table([["身份", (m) => m.roles.join("、")], ["姓名/名称", (m) => (m.kind === "enterprise"
      ? el("a", { href: `/public/enterprise?code=${encodeURIComponent(m.key)}` }, m.name || m.key) : m.name)],
      ["证件号码（已隐去）/代码", (m) => m.key || m.id_masked || "非公示项"]], list);
  }

  function changes(record, columns) {
    return (record.changes || []).map((c) => el("tr", { class: "change" }, el("td", { colspan: String(columns) },
      `变更（${c.change_date || "?"}）：${c.item ? c.item + " " : ""}${c.before || c.after ? `由“${CN.text(c.before)}”改为“${CN.text(c.after)}”` : CN.text(c.content)}`)));
  }

  function profile(p) {
    const e = p.enterprise;
    document.title = `${e.name || e.key} · 企业公开信息`;
    CN.clear($("public-profile")).append(
      Standing.banner(p.listings, null, p.as_of, "仅反映本企业自身的名单信息；办理业务以部门核查为准。"),
      el("section", { class: "card" }, el("h2", {}, e.name || e.key), CN.keyValue([
        ["统一社会信用代码", e.uscc], ["注册号", e.reg_no], ["企业类型", e.type], ["法定代表人", e.legal_rep],
        ["成立日期", e.established], ["登记状态", e.status], ["住所", e.address], ["登记机关", e.authority],
        ["经营范围", e.scope]])),
      el("section", { class: "card" }, el("h2", {}, "人员及出资企业"), members(p.members),
        el("h3", {}, "在其他企业任职或出资"), members(p.holds_roles_in)),
      el("section", { class: "card" }, el("h2", {}, `名单（${p.listings.length}）`),
        CN.timeline(p.listings, p.as_of),
        table([["信息类型", (l) => l.type], ["限制法律依据", (l) => l.basis], ["有效期", (l) => CN.validity(l.valid_from, l.valid_to)],
               ["信息发送部门", (l) => l.sender], ["列入人员", (l) => CN.listingPerson(l)], ["状态", (l) => CN.statusTag(l.status)]],
              p.listings)),
      el("section", { class: "card" }, el("h2", {}, `行政许可（${p.licences.length}）`),
        table([["许可文件编号", (l) => l.license_no], ["许可文件名称", (l) => l.license_name],
               ["有效期", (l) => CN.validity(l.valid_from, l.valid_to)], ["许可机关", (l) => l.authority.join("、")],
               ["许可内容", (l) => l.content], ["状态", (l) => l.status]], p.licences, { after: changes })),
      el("section", { class: "card" }, el("h2", {}, `行政处罚（${p.penalties.length}）`),
        table([["决定书文号", (x) => x.decision_no], ["处罚机关", (x) => x.authority.join("、")], ["决定日期", (x) => x.decision_date],
               ["违法行为类型", (x) => x.violation_type], ["罚款", (x) => CN.money(x.fine, x.fine_text), "num"],
               ["处罚种类", (x) => x.penalty_type], ["当前状态", (x) => x.current_status]], p.penalties, { after: changes })),
      el("section", { class: "card" }, el("h2", {}, `抽查检查（${p.inspections.length}）`),
        table([["检查实施机关", (x) => x.authority.join("、")], ["类型", (x) => x.inspection_type],
               ["日期", (x) => x.inspection_date], ["结果", (x) => x.result]], p.inspections)),
      el("p", { class: "hint", text: `名单状态日期 ${p.as_of}，数据版本 ${p.data_version}。个人证件号码不公示。` }));
  }

  if (page === "public") {
    const form = $("search-form");
    // Enterprises whose names are like what is typed (never persons): picking one opens its public record.
    Suggest.attach($("q"), async (q) => (await CN.getJSON(`/api/v1/public/search?q=${encodeURIComponent(q)}`)).data.results,
      (c) => { location.href = `/public/enterprise?code=${encodeURIComponent(c.key)}`; });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const q = $("q").value.trim();
      if (!q) { CN.showError($("search-error"), new Error("请输入企业名称或代码")); return; }
      try { CN.subject(q); } catch (err) { CN.showError($("search-error"), err); $("q").focus(); return; }
      history.replaceState(null, "", `/public?q=${encodeURIComponent(q)}`);
      search(q);
    });
    const q = CN.param("q");
    if (q) { $("q").value = q; search(q); } else $("q").focus();
  } else {
    const code = CN.param("code");
    if (!code) CN.showError($("public-error"), new Error("缺少企业代码"));
    else CN.getJSON(`/api/v1/public/enterprises/${encodeURIComponent(code)}`)
      .then(({ data }) => profile(data)).catch((err) => CN.showError($("public-error"), err));
  }
})();
