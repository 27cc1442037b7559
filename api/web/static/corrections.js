"use strict";
// A department withdraws or corrects records it sent; the answer lists each record and what became of it.
(() => {
  if (!Auth.require()) return;
  const { el, $ } = CN;
  const form = $("corrections-form"), error = $("corrections-error"), out = $("corrections-result");
  const action = () => form.querySelector("input[name=action]:checked").value;

  form.addEventListener("change", () => {
    $("ids-field").hidden = action() !== "withdraw-ids";
    $("file-field").hidden = action() === "withdraw-ids";
  });

  const who = (r) => [r.name || r.enterprise || "", r.person_name || ""].filter(Boolean).join("，");
  const what = (r) => r.list_type || r.number || r.kind;

  function render(r) {
    const withdrawn = !!r.withdrawn;
    const rows = withdrawn ? r.withdrawn : r.corrected;
    CN.clear(out).append(el("section", { class: "card" },
      el("h2", {}, withdrawn ? `已撤回 ${rows.length} 条记录` : `已更正 ${rows.length} 条记录`),
      el("p", {}, `原因：${r.reason}；数据版本 ${r.data_version}`),
      CN.table(withdrawn
        ? [["记录编号", (x) => x.record_id], ["主体", who], ["记录", what], ["自", (x) => x.valid_from || ""]]
        : [["行号", (x) => x.row, "num"], ["原记录编号", (x) => x.record_id], ["主体", who], ["记录", what],
           ["更正为", (x) => (x.in_place ? "原记录内容已更正" : x.replaced_by)]],
        rows, { class: "changes" })));
    out.querySelector("h2").setAttribute("tabindex", "-1");
    out.querySelector("h2").focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    CN.hideError(error);
    const reason = $("reason").value.trim();
    if (!reason) { CN.showError(error, new Error("请填写原因")); $("reason").focus(); return; }
    const kind = encodeURIComponent($("kind").value);
    let url, body;
    if (action() === "withdraw-ids") {
      const ids = $("record-ids").value.split(/\s+/).filter(Boolean);
      if (!ids.length) { CN.showError(error, new Error("请填写记录编号")); $("record-ids").focus(); return; }
      url = `/api/v1/records/${kind}/withdrawals`;
      body = { record_ids: ids, reason };
    } else {
      const file = $("file").files[0];
      if (!file) { CN.showError(error, new Error("请选择文件")); $("file").focus(); return; }
      url = `/api/v1/records/${kind}/${action() === "correct-file" ? "corrections" : "withdrawals"}`;
      body = new FormData();
      body.append("file", file, file.name);
      body.append("reason", reason);
    }
    const button = $("corrections-submit");
    button.disabled = true;
    try {
      render((await Auth.json("POST", url, body)).data);
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    } finally {
      button.disabled = false;
    }
  });
})();
