"use strict";
// The active listings this department must enforce (it is among the receiving departments), filterable by
// list type and exportable. A department reads its own; the admin account may pick any department.
(() => {
  const session = Auth.require();
  if (!session) return;
  const { el, $ } = CN;
  const form = $("dept-form"), error = $("dept-error"), out = $("dept-result");
  const select = $("department"), types = $("list-type");

  for (const d of session.departments || [session.department]) {
    select.append(el("option", { value: d, selected: d === session.department }, d));
  }
  select.disabled = session.role !== "admin";
  $("as-of").value = CN.today();

  function query(withType) {
    const q = new URLSearchParams({ as_of: $("as-of").value || CN.today() });
    if (withType && types.value) q.set("type", types.value);
    return q;
  }
  function base() { return `/api/v1/departments/${encodeURIComponent(select.value)}/restrictions`; }

  // The list types offered are those the department has on the date, whatever the current filter.
  function fillTypes(rows) {
    const keep = types.value;
    const seen = [...new Set(rows.map((r) => r.type).filter(Boolean))].sort();
    CN.clear(types).append(el("option", { value: "" }, "全部"), ...seen.map((t) => el("option", { value: t, selected: t === keep }, t)));
  }

  async function load() {
    CN.hideError(error);
    try {
      const all = (await Auth.json("GET", `${base()}?${query(false)}`)).data;
      fillTypes(all.restrictions);
      const data = types.value ? (await Auth.json("GET", `${base()}?${query(true)}`)).data : all;
      render(data);
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    }
  }

  function render(d) {
    const issued = Object.entries(d.issued || {});
    const KINDS = { license: "行政许可", "license-change": "行政许可变更", penalty: "行政处罚", "penalty-change": "行政处罚变更",
                    inspection: "抽查检查结果", blacklist: "名单" };
    CN.clear(out).append(el("section", { class: "card" },
      el("h2", {}, `${d.department} 应执行的有效名单：${d.restrictions.length} 条`),
      el("p", { class: "hint", text: `有效日期 ${d.as_of}${types.value ? "，信息类型 " + types.value : ""}，数据版本 ${d.data_version}` }),
      CN.table([
        ["信息类型", (r) => r.type],
        ["对象", (r) => (r.party.kind === "enterprise"
          ? el("a", { href: `/profile?code=${encodeURIComponent(r.party.key)}` }, r.party.name || r.party.key) : r.party.name)],
        ["代码/证件号码", (r) => r.party.key],
        ["限制法律依据", (r) => r.basis],
        ["有效期", (r) => CN.validity(r.valid_from, r.valid_to)],
        ["信息发送部门", (r) => r.sender],
        ["核查", (r) => el("a", { href: `/check?key=${encodeURIComponent(r.party.key)}` }, "核查")],
      ], d.restrictions, { empty: "本部门在该日期没有应执行的有效名单。" })),
      el("section", { class: "card" }, el("h2", {}, "本部门报送的记录"),
        issued.length ? el("p", {}, issued.map(([k, n]) => `${KINDS[k] || k} ${n} 条`).join("；")) : el("p", { class: "empty", text: "无" })));
  }

  async function exportAs(fmt) {
    CN.hideError(error);
    try {
      await Auth.download(`${base()}.${fmt}?${query(true)}`, `应执行名单.${fmt}`);
    } catch (err) {
      CN.showError(error, err);
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("export-csv").addEventListener("click", () => exportAs("csv"));
  $("export-xlsx").addEventListener("click", () => exportAs("xlsx"));
  load();
})();
