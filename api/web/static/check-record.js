"use strict";
// A check as a record: hits grouped by the listing they share, the check's own address (/checks/{id}) to reopen
// it read-only from the audit trail, and the printed record for the case file (经办人 and 审核 lines, how to
// verify it, ID numbers masked). check.js draws the answer and calls these.
const CheckRecord = (() => {
  const { el } = CN;
  const RECORD_PATH = /^\/checks\/([0-9A-Za-z_-]{1,64})$/;

  // The check the address names, when the page is /checks/{id}.
  function recordedId() {
    const m = RECORD_PATH.exec(location.pathname);
    return m ? m[1] : null;
  }

  // After a check: the address becomes the check's own, so that a reload or a shared link shows this answer.
  function remember(checkId) {
    history.replaceState(null, "", `/checks/${encodeURIComponent(checkId)}`);
  }

  // A listing is the same listing wherever it is reached from: its record ID, else what identifies it as sent.
  function listingKey(r) {
    return r.record_id || [r.type, r.sender, r.valid_from, r.valid_to, r.basis, r.person_name].join("|");
  }

  // Hits that share a listing form one group (a listing on an enterprise that names its legal representative
  // reaches the subject through both). Returns the groups in the order of their first hit: [{hits: [i…], shared}].
  function groups(hits) {
    const owner = new Map();  // listing key → the group it belongs to
    const out = [];
    hits.forEach((hit, i) => {
      const keys = (hit.restrictions || []).map(listingKey);
      let group = keys.map((k) => owner.get(k)).find(Boolean);
      if (!group) { group = { hits: [], keys: new Map() }; out.push(group); }
      group.hits.push(i);
      keys.forEach((k) => { owner.set(k, group); group.keys.set(k, (group.keys.get(k) || 0) + 1); });
    });
    for (const g of out) g.shared = new Set([...g.keys].filter(([, n]) => n > 1).map(([k]) => k));
    return out;
  }

  function listingCount(hits) {
    return new Set(hits.flatMap((h) => (h.restrictions || []).map(listingKey))).size;
  }

  function hitsTitle(hits) {
    const listings = listingCount(hits);
    return listings < hits.length ? `命中 ${hits.length} 个主体，涉及 ${listings} 条名单` : `命中 ${hits.length} 条`;
  }

  // The hits drawn group by group: `card(hit, i, seen)` draws one; `seen` holds the keys of the listings an
  // earlier card of its group already shows in full.
  function drawHits(hits, card) {
    return groups(hits).map((g) => {
      if (g.hits.length === 1) return card(hits[g.hits[0]], g.hits[0], new Map());
      const seen = new Map();
      const cards = g.hits.map((i) => {
        const drawn = card(hits[i], i, seen);
        (hits[i].restrictions || []).forEach((r) => { if (!seen.has(listingKey(r))) seen.set(listingKey(r), i); });
        return drawn;
      });
      const first = hits[g.hits[0]].restrictions.find((r) => g.shared.has(listingKey(r)));
      const parties = g.hits.map((i) => hits[i].party.name || hits[i].party.key).join("、");
      return el("section", { class: "hit-group", "aria-label": "同一名单" },
        el("p", { class: "hit-group-head" }, el("strong", { text: "同一名单" }),
          ` ${first ? `${first.type || "名单"}（${first.sender || "发送部门不详"}）` : ""}经 ${g.hits.length} 个主体关联：${parties}。只算一条名单，不是 ${g.hits.length} 条。`),
        cards);
    });
  }

  // In a later card of a group, the shared listing is named, not repeated.
  function sameAs(restrictions, seen) {
    const shown = restrictions.filter((r) => seen.has(listingKey(r)));
    if (!shown.length) return null;
    const where = [...new Set(shown.map((r) => seen.get(listingKey(r)) + 1))].map((n) => `第 ${n} 条`).join("、");
    return el("p", { class: "same-listing", text: `同一名单：${shown.map((r) => r.type || "名单").join("、")}，详见${where}命中。` });
  }
  function unseen(restrictions, seen) { return restrictions.filter((r) => !seen.has(listingKey(r))); }

  // A person's ID number: in full on the screen (the department's own data), masked on paper.
  function mask(key) {
    const s = String(key || "");
    if (s.includes(":")) { const [kind, number] = s.split(/:(.*)/s); return `${kind}:${"*".repeat(Math.max(number.length - 4, 0))}${number.slice(-4)}`; }
    return s.length <= 10 ? "*".repeat(s.length) : s.slice(0, 6) + "*".repeat(s.length - 10) + s.slice(-4);
  }
  function idNumber(party) {
    if (party.kind !== "person") return party.key;
    return el("span", {}, el("span", { class: "screen-only", text: party.key }),
      el("span", { class: "paper-only", text: mask(party.key) }));
  }

  // Above the answer on /checks/{id}: what this is, and that nothing was checked again.
  function recordNotice(entry, result) {
    const subject = result.subject;
    const again = subject.kind === "enterprise" && subject.key !== "(新申请人)"
      ? el("a", { class: "button", href: `/check?key=${encodeURIComponent(subject.key)}` }, "按当前数据重新核查") : null;
    return el("div", { class: "record-notice no-print", role: "note" },
      el("p", {}, el("strong", { text: "核查记录（只读）" }),
        `：${CN.dateTime(entry.at)} ${entry.department || ""} 核查时系统的答复，按当时的数据版本 ${result.data_version} 作答，取自审计记录，未重新核查。`),
      el("div", { class: "toolbar" }, again, el("a", { class: "button secondary", href: "/check" }, "新的核查"),
        el("a", { class: "button secondary", href: "/checks" }, "核查记录列表")));
  }

  // The foot of the printed record: who handled and who reviewed it, and how anyone can verify it later.
  function paperFoot(result) {
    const address = `${location.origin}/checks/${result.check_id}`;
    return el("div", { class: "paper-only record-foot" },
      el("div", { class: "signatures" },
        el("span", { text: "经办人（签字）：" }), el("span", { class: "blank" }),
        el("span", { text: "审核（签字）：" }), el("span", { class: "blank" }),
        el("span", { text: "日期：" }), el("span", { class: "blank short" })),
      el("p", { class: "verify" }, `检查编号 ${result.check_id}（数据版本 ${result.data_version}）。核验方法：登录本系统打开 `,
        el("span", { class: "address", text: address }),
        "，或在“核查记录”中按编号查找，可看到系统当时的答复；审计记录不可修改。"));
  }

  return { recordedId, remember, groups, hitsTitle, drawHits, sameAs, unseen, mask, idNumber, recordNotice, paperFoot };
})();
