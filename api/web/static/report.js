"use strict";
// The bureau's report (联席会议 督查), for the admin: per receiving department, the listings received and how they
// were answered, and the alerts; exportable as Excel. Every department sees its own upload record (归集进度); the
// admin sees every department's, and the files the bureau loaded itself.
(() => {
  const session = Auth.require();
  if (!session) return;
  const { el, $ } = CN;
  const admin = session.role === "admin";
  const days = (v) => (v === null || v === undefined ? "—" : `${v}`);

  // --- the report (admin) ------------------------------------------------------------------------------------
  const form = $("report-form"), error = $("report-error"), out = $("report-result");
  $("as-of").value = CN.today();

  function query() {
    const q = new URLSearchParams({ as_of: $("as-of").value || CN.today() });
    if ($("since").value) q.set("since", $("since").value);
    return q;
  }

  function render(r) {
    const rows = [...r.departments, Object.assign({ department: "合计", total: true }, r.totals)];
    const columns = [
      ["部门", (d) => (d.total ? el("strong", {}, d.department) : d.department)],
      ["收到名单", (d) => d.received, "num"], ["已反馈", (d) => d.responded, "num"],
      ["按期反馈", (d) => d.in_time, "num"], ["逾期反馈", (d) => d.late, "num"],
      ["逾期未反馈", (d) => (d.overdue ? el("strong", { class: "overdue" }, String(d.overdue)) : "0"), "num"],
      ["未到期未反馈", (d) => d.pending, "num"], ["反馈用时中位数（天）", (d) => days(d.median_days), "num"],
      ["提醒未答复", (d) => d.alerts_open, "num"], ["提醒已答复", (d) => d.alerts_closed, "num"],
      ["提醒答复用时中位数（天）", (d) => days(d.alerts_median_days), "num"],
    ];
    const overdue = r.departments.flatMap((d) => d.overdue_listings.map((x) => Object.assign({ department: d.department }, x)));
    CN.clear(out).append(
      el("p", { class: "hint", id: "report-period" }, `${r.since ? `自 ${r.since} 起，` : ""}截至 ${r.as_of}；`,
        `名单自“限制期限自”或收到之日（取较晚者）起超过 ${r.overdue_days} 天未反馈为逾期；数据版本 ${r.data_version}。`),
      CN.table(columns, rows, { class: "report", empty: "该期间没有名单和提醒。" }),
      el("h3", {}, `逾期未反馈的名单（${overdue.length}）`),
      CN.table([["部门", (x) => x.department],
                ["对象", (x) => x.parties.map((p) => `${p.name || ""}（${p.key}）`).join("；")],
                ["信息类型", (x) => x.type], ["信息发送部门", (x) => x.sender],
                ["有效期", (x) => CN.validity(x.valid_from, x.valid_to)], ["收到日期", (x) => x.received_on || "—"],
                ["已过天数", (x) => x.days, "num"],
                ["记录编号", (x) => x.record_id]], overdue, { class: "overdue-listings", empty: "无" }));
  }

  async function loadReport() {
    CN.hideError(error);
    try {
      render((await Auth.json("GET", `/api/v1/feedback/report?${query()}`)).data);
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    }
  }

  // --- upload record (归集进度) -------------------------------------------------------------------------------
  async function loadUploads() {
    const target = $("uploads-result");
    try {
      const { data } = await Auth.json("GET", "/api/v1/feedback/uploads");
      CN.clear(target);
      if (!data.length) {
        target.append(el("p", { class: "empty", text: admin ? "尚无报送记录。" : `${session.department}尚未通过本系统报送文件。` }));
        return;
      }
      for (const r of data) {
        const last = r.last_upload;
        target.append(el("section", { class: "uploads", "data-department": r.department || "" },
          el("h3", {}, r.department || "管理员命令行导入（未注明报送部门）"),
          el("p", {}, `共 ${r.files} 个文件，${r.rows} 行，载入 ${r.loaded} 行，拒绝 ${r.rejected} 行；`,
            `最近一次报送：${CN.dateTime(last.at)}，${last.file}（${last.rows} 行，拒绝 ${last.rejected} 行）`),
          CN.table([["月份", (m) => m.month], ["记录类别", (m) => m.label], ["文件数", (m) => m.files, "num"],
                    ["行数", (m) => m.rows, "num"], ["载入", (m) => m.loaded, "num"],
                    ["拒绝", (m) => m.rejected, "num"]], r.months, { class: "months" })));
      }
    } catch (err) {
      CN.clear(target);
      CN.showError($("uploads-error"), err);
    }
  }

  if (admin) {
    $("report-section").hidden = false;
    form.addEventListener("submit", (event) => { event.preventDefault(); loadReport(); });
    $("export-xlsx").addEventListener("click", async () => {
      CN.hideError(error);
      try {
        await Auth.download(`/api/v1/feedback/report.xlsx?${query()}`, "督查报告.xlsx");
      } catch (err) {
        CN.showError(error, err);
      }
    });
    loadReport();
  } else {
    $("uploads-title").textContent = `归集进度：${session.department}的报送记录`;
  }
  loadUploads();
})();
