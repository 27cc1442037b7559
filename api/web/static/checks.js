"use strict";
// Recorded checks, newest first, from the audit trail: a department's own, every department's for the admin
// (the audit page), filtered by department, date, subject and verdict, and exported. Each opens at /checks/{id},
// the answer as it was given. A person checked is shown with the ID number masked.
(() => {
  const session = Auth.require();
  if (!session) return;
  const { el, $ } = CN;
  const form = $("checks-form"), error = $("checks-error"), out = $("checks-result");
  const select = $("department");
  const admin = session.role === "admin";
  const VERDICT = { restricted: "受限", linked: "存在关联，需人工核查", clear: "未发现关联" };
  const CHECK_ID = /^[0-9a-f]{32}$/i;

  if (admin) select.append(el("option", { value: "" }, "全部部门"));
  for (const d of session.departments || [session.department]) {
    select.append(el("option", { value: d, selected: !admin && d === session.department }, d));
  }
  select.disabled = !admin;

  // The filters as the address holds them, so that a filtered list can be reloaded and passed on; not the
  // subject, which may be an ID number (an address is kept in the browser's history).
  const FIELDS = ["department", "since", "until", "verdict"];
  const field = (f) => $(f === "verdict" ? "verdict-filter" : f);  // #verdict is the check page's verdict
  function query(withSubject) {
    const q = new URLSearchParams();
    for (const f of withSubject ? [...FIELDS, "subject"] : FIELDS) {
      const v = field(f).value.trim();
      if (v && !(f === "department" && !admin)) q.set(f, v);
    }
    return q;
  }

  function verdictTag(v) {
    return el("span", { class: `tag ${v === "restricted" ? "tag-binding" : v === "linked" ? "tag-link" : "tag-clear"}`, text: VERDICT[v] || v });
  }

  function render(d) {
    const scope = d.department || "全部部门";
    CN.clear(out).append(el("section", { class: "card" },
      el("h2", {}, `${scope} 的核查记录：${d.records.length} 条${d.more ? "（只列出最近的这些，请缩小范围或导出）" : ""}`),
      el("p", { class: "hint", text: "点击核查对象打开当时的核查结果（只读，取自审计记录）。个人证件号码已隐去。" }),
      CN.table([
        ["检查时间", (r) => CN.dateTime(r.at), "when"],
        ["核查对象", (r) => el("a", { href: `/checks/${encodeURIComponent(r.check_id)}` }, r.subject.name || r.subject.key)],
        ["代码/证件号码", (r) => r.subject.key],
        ["结论", (r) => verdictTag(r.verdict)],
        ["命中", (r) => String(r.hits), "num"],
        ["核查日期", (r) => r.as_of],
        ["核查部门", (r) => r.department],
        ["数据版本", (r) => String(r.data_version), "num"],
        ["检查编号", (r) => r.check_id, "id"],
      ], d.records, { class: "records", empty: "没有符合条件的核查记录。" })));
  }

  async function load() {
    CN.hideError(error);
    const typed = $("subject").value.trim();
    try { CN.nameLength(typed, "核查对象"); } catch (err) { CN.clear(out); CN.showError(error, err); return; }
    if (CHECK_ID.test(typed)) { location.assign(`/checks/${typed.toLowerCase()}`); return; }  // a check's ID: open it
    CN.clear(out);  // the previous list goes at once: it must not be read as the answer to the new filters
    const shown = query(false);
    history.replaceState(null, "", `/checks${shown.toString() ? "?" + shown : ""}`);
    try {
      render((await Auth.json("GET", `/api/v1/checks?${query(true)}`)).data);
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    }
  }

  async function exportAs(fmt) {
    CN.hideError(error);
    try {
      await Auth.download(`/api/v1/checks.${fmt}?${query(true)}`, `核查记录.${fmt}`);
    } catch (err) {
      CN.showError(error, err);
    }
  }

  for (const f of FIELDS) {
    const v = CN.param(f);
    if (v && !(f === "department" && !admin)) field(f).value = v;
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("export-csv").addEventListener("click", () => exportAs("csv"));
  $("export-xlsx").addEventListener("click", () => exportAs("xlsx"));
  load();
})();
