"use strict";
// A department sends a file of its records; the answer lists what loaded and every rejected row with why.
(() => {
  if (!Auth.require()) return;
  const { el, $ } = CN;
  const form = $("upload-form"), error = $("upload-error"), out = $("upload-result");

  function render(r) {
    // 序号 is a row counter in every template, read as nothing on purpose.
    const ignored = r.columns ? r.columns.ignored.filter((h) => h.replace(/[\s*]/g, "") !== "序号") : [];
    CN.clear(out).append(el("section", { class: "card" },
      el("h2", {}, `上传结果：${r.file}`),
      el("div", { class: "summary" },
        el("div", {}, "数据行 ", el("strong", { text: String(r.rows) })),
        el("div", { class: "good" }, "已载入 ", el("strong", { id: "loaded-count", text: String(r.loaded) })),
        el("div", { class: r.rejected ? "bad" : "" }, "未载入 ", el("strong", { id: "rejected-count", text: String(r.rejected) })),
        el("div", {}, "数据版本 ", el("strong", { text: String(r.data_version) }))),
      r.rejected ? el("h3", {}, "未载入的行及原因") : el("p", {}, "所有行均已载入。"),
      // The row number as Excel shows it, and beside it what the clerk finds the row by in their own sheet.
      r.rejected ? CN.table([["行号", (x) => x.row, "num"], ["序号", (x) => x.serial], ["企业名称", (x) => x.name],
                             ["字段", (x) => x.field], ["原因", (x) => CN.chinese(x.reason)]],
                            r.rejects, { class: "rejects" }) : null,
      r.rejects_url ? el("div", { class: "toolbar" }, el("button", {
        type: "button", id: "rejects-download", class: "secondary",
        onclick: (event) => download(event.currentTarget, r.rejects_url) }, "下载未载入的行（CSV，改正后可重新上传）")) : null,
      r.rejected > r.rejects.length ? el("p", { class: "hint", text: `仅列出前 ${r.rejects.length} 行。` }) : null,
      ignored.length ? el("p", { class: "hint", text: `未读取的列：${ignored.join("、")}` }) : null,
      r.warnings && r.warnings.count ? el("details", {}, el("summary", {}, `提示（${r.warnings.count}）`),
        el("ul", {}, r.warnings.rows.map((w) => el("li", {
          text: `第${w.row}行：${w.field ? w.field + "：" : ""}${CN.chinese(w.message)}` }))),
        r.warnings.count > r.warnings.rows.length
          ? el("p", { class: "hint", text: `仅列出前 ${r.warnings.rows.length} 条。` }) : null) : null,
      r.snapshot ? el("h3", {}, `全量报送：终止 ${r.snapshot.ended_count} 条（原有效 ${r.snapshot.current_before} 条）`) : null,
      r.snapshot && r.snapshot.ended.length
        ? CN.table([["记录编号", (x) => x.record_id], ["主体", (x) => x.name || x.enterprise || ""],
                    ["记录", (x) => x.list_type || x.number || x.kind]], r.snapshot.ended, { class: "ended" }) : null));
    out.querySelector("h2").setAttribute("tabindex", "-1");
    out.querySelector("h2").focus();
  }

  async function download(button, url) {
    button.disabled = true;
    try {
      await Auth.download(url, "未载入的行.csv");
    } catch (err) {
      CN.showError(error, err);
    } finally {
      button.disabled = false;
    }
  }

  // The template of the chosen class, CSV or Excel: no key needed, it holds no data.
  function showTemplates() {
    const kind = $("kind");
    $("template-kind").textContent = kind.options[kind.selectedIndex].text.replace(/（仅管理员）$/, "");
    for (const fmt of ["csv", "xlsx"]) $(`template-${fmt}`).href = `/api/v1/records/templates/${encodeURIComponent(kind.value)}.${fmt}`;
  }
  $("kind").addEventListener("change", showTemplates);
  showTemplates();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    CN.hideError(error);
    const file = $("file").files[0];
    if (!file) { CN.showError(error, new Error("请选择要上传的文件")); $("file").focus(); return; }
    const data = new FormData();
    data.append("file", file, file.name);
    const button = $("upload-submit");
    button.disabled = true;
    button.textContent = "上传中…";
    try {
      const query = $("snapshot").checked
        ? `?snapshot=true${$("confirm-snapshot").checked ? "&confirm_snapshot=true" : ""}` : "";
      render((await Auth.json("POST", `/api/v1/records/${encodeURIComponent($("kind").value)}${query}`, data)).data);
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    } finally {
      button.disabled = false;
      button.textContent = "上传";
    }
  });
})();
