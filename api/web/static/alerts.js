"use strict";
// A department's alerts (事中事后监管): a watched subject's answer changed. Each shows the answer before and after,
// the hits that changed, and what the department recorded; a form records a response (measure, note, official,
// date), which is append-only. A department sees and answers its own alerts; the admin sees every department's.
(() => {
  const session = Auth.require();
  if (!session) return;
  const { el, $ } = CN;
  const form = $("alerts-form"), error = $("alerts-error"), out = $("alerts-result");
  const select = $("department"), state = $("state");
  const VERDICT = { restricted: "受限", linked: "存在关联，需人工核查", clear: "未发现关联" };
  const RULE = {
    "subject-listed": "本身被列入名单",
    "officer-restricted": "法定代表人/负责人/董事/监事/经理是受限人员",
    "three-year-bar": "法定代表人/负责人所任企业被列入严重违法失信企业名单未满三年",
  };
  const CAUSE = { load: "数据更新后复查", refresh: "每日复查（名单按日期生效或到期）" };
  const CHANGES = [["added", "新增命中"], ["ended", "已结束的命中"], ["changed", "名单有变化的命中"]];
  let measures = [];

  const admin = session.role === "admin";
  if (admin) select.append(el("option", { value: "" }, "全部部门"));
  for (const d of session.departments || [session.department]) {
    select.append(el("option", { value: d, selected: !admin && d === session.department }, d));
  }
  select.disabled = !admin;
  const asked = CN.param("state");
  if (["open", "closed", "all"].includes(asked)) state.value = asked;

  function verdictTag(verdict) {
    return el("span", { class: `tag verdict-tag verdict-${verdict}` }, VERDICT[verdict] || CN.text(verdict));
  }

  function partyLink(party) {
    const label = `${party.name || ""}（${party.key}）`;
    return party.kind === "enterprise"
      ? el("a", { href: `/profile?code=${encodeURIComponent(party.key)}` }, label) : label;
  }

  function hitLine(hit) {
    const how = hit.binding ? `依法禁止：${RULE[hit.rule] || hit.rule}` : "关联，需人工核查";
    const listings = (hit.listings || []).map((l) =>
      el("li", {}, `${l.type || "名单"}，${l.sender || "?"} 发送，有效期 ${CN.validity(l.valid_from, l.valid_to)}`,
        l.basis ? `，依据 ${l.basis}` : ""));
    return el("li", { "data-party": hit.party.key }, partyLink(hit.party), `（${CN.KIND[hit.party.kind] || ""}，${how}，`,
      `${hit.hops} 层关系）`, listings.length ? el("ul", {}, listings) : null);
  }

  function answer(title, side) {
    return el("div", { class: "answer" }, el("h4", {}, title, " ", verdictTag(side.verdict)),
      side.hits.length ? el("ul", {}, side.hits.map(hitLine)) : el("p", { class: "empty", text: "无命中" }));
  }

  function responsesTable(list) {
    return CN.table([["措施", (r) => r.measure], ["说明", (r) => r.note], ["经办人", (r) => r.official],
                     ["措施日期", (r) => r.acted_on], ["记录时间", (r) => CN.dateTime(r.at)]],
                    list, { class: "responses", caption: "已记录的答复" });
  }

  function responseForm(alert, card) {
    const id = alert.id;
    const status = el("p", { class: "hint", role: "status" });
    const note = el("textarea", { id: `note-${id}`, rows: "2" });
    const official = el("input", { id: `official-${id}`, type: "text", autocomplete: "name" });
    const day = el("input", { id: `acted-${id}`, type: "date", value: CN.today() });
    const measure = el("select", { id: `measure-${id}` }, measures.map((m) => el("option", { value: m }, m)));
    const problem = el("p", { class: "error", role: "alert", hidden: true });
    const button = el("button", { type: "submit" }, alert.open ? "记录答复" : "补充答复");
    const f = el("form", { class: "respond no-print", novalidate: true, "aria-label": `答复提醒 ${id}` },
      el("div", { class: "row" },
        el("div", {}, el("label", { for: `measure-${id}` }, "采取的措施"), measure),
        el("div", { class: "grow" }, el("label", { for: `note-${id}` }, "说明（措施为“其他”时必填）"), note),
        el("div", {}, el("label", { for: `official-${id}` }, "经办人"), official),
        el("div", {}, el("label", { for: `acted-${id}` }, "措施日期"), day),
        el("div", { class: "actions" }, button)),
      problem, status);
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      CN.hideError(problem);
      if (measure.value === "其他" && !note.value.trim()) {
        CN.showError(problem, new Error("措施为“其他”时，请在说明中写明所采取的措施"));
        note.focus();
        return;
      }
      if (!official.value.trim()) {
        CN.showError(problem, new Error("请填写经办人姓名"));
        official.focus();
        return;
      }
      button.disabled = true;
      try {
        const body = { measure: measure.value, note: note.value.trim() || null, official: official.value.trim(),
                       acted_on: day.value || null };
        const { data } = await Auth.json("POST", `/api/v1/alerts/${id}/responses`, body);
        const fresh = alertCard(data);
        card.replaceWith(fresh);
        const done = fresh.querySelector("[role=status]") || fresh;
        done.textContent = `已记录答复：${body.measure}（经办人 ${body.official}）`;
        Auth.countAlerts();
      } catch (err) {
        CN.showError(problem, err);
        button.disabled = false;
      }
    });
    return f;
  }

  function alertCard(a) {
    const card = el("article", { class: `card alert ${a.open ? "open" : "closed"}`, id: `alert-${a.id}`,
                                 "data-alert": a.id, "aria-labelledby": `alert-title-${a.id}` });
    const changes = CHANGES.filter(([k]) => (a.changed[k] || []).length).map(([k, title]) =>
      el("div", { class: `change-${k}` }, el("h4", {}, `${title}（${a.changed[k].length}）`),
        el("ul", {}, a.changed[k].map(hitLine))));
    card.append(
      el("h3", { id: `alert-title-${a.id}` }, `提醒 ${a.id}：`, partyLink(a.party), " ",
        el("span", { class: `tag ${a.open ? "tag-open" : "tag-closed"}` }, a.open ? "待答复" : "已答复")),
      el("p", { class: "verdict-change" }, "核查结论：", verdictTag(a.before.verdict), " → ", verdictTag(a.after.verdict),
        " ", el("a", { href: `/check?key=${encodeURIComponent(a.party.key)}` }, "重新核查")),
      CN.keyValue([["部门", a.department], ["关注原因", (a.watched_for || []).join("；")],
                   ["生成时间", CN.dateTime(a.created_at)], ["核查日期", a.as_of], ["起因", CAUSE[a.cause] || a.cause],
                   ["数据版本", `${a.data_version.before} → ${a.data_version.after}`]]),
      el("div", { class: "changes" }, changes.length ? changes : el("p", { class: "empty", text: "命中未变，结论变化" })),
      el("details", {}, el("summary", {}, "变化前后的核查结论"),
        el("div", { class: "grid2" }, answer("变化前", a.before), answer("变化后", a.after))),
      ...(a.responses.length ? [responsesTable(a.responses)] : []));
    if (a.department === session.department) card.append(responseForm(a, card));
    else if (a.open) card.append(el("p", { class: "hint", text: `由${a.department}答复。` }));
    return card;
  }

  async function load() {
    CN.hideError(error);
    const q = new URLSearchParams({ limit: "500" });
    if (select.value) q.set("department", select.value);
    if (state.value !== "all") q.set(state.value, "true");
    try {
      const { data } = await Auth.json("GET", `/api/v1/alerts?${q}`);
      measures = data.measures || [];
      const word = { open: "待答复", closed: "已答复", all: "" }[state.value];
      CN.clear(out).append(
        el("h2", { id: "alerts-count" }, `${select.value || (admin ? "全部部门" : session.department)}：${word}提醒 ${data.alerts.length} 条`),
        el("p", { class: "hint", text: `待答复共 ${data.open} 条。` }),
        ...(data.alerts.length ? data.alerts.map(alertCard)
          : [el("p", { class: "empty card", text: state.value === "open" ? "没有待答复的提醒。" : "没有提醒。" })]));
    } catch (err) {
      CN.clear(out);
      CN.showError(error, err);
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
})();
