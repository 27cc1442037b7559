"use strict";
// Where an enterprise stands, at a glance: a banner at the top of its profile (当前受限 / 有效名单 N 条 / 未发现),
// and a badge beside it in search results. A department's profile carries the check's own answer (`restriction`:
// its binding rules, officers and the three-year bar included); the public record and the public search count
// the enterprise's own active listings only, as the public record shows them. Served to the public pages too:
// it holds no key and names no endpoint.
const Standing = (() => {
  const { el } = CN;

  function listingText(l) {
    return `${l.type || l.list_type || "名单"}（${l.sender || "发送部门不详"}，${CN.validity(l.valid_from, l.valid_to)}）`;
  }

  // Why a department's profile reads 当前受限, one line per binding rule; a rule that rests on a listing already
  // named above says so ("同一名单"): one listing naming the legal representative is not two listings.
  function reasonText(reason, ownIds) {
    const same = (reason.record_ids || []).some((id) => ownIds.has(id)) ? "（与上列为同一名单）" : "";
    const first = (reason.path || [])[0];
    const roles = first ? (first.roles || [first.relation]).join("、") : "";
    const name = reason.party.name || reason.party.key;
    if (reason.rule === "officer-restricted") {
      return `${roles} ${name} 是受限人员，依法不得担任该职务${same}`;
    }
    if (reason.rule === "three-year-bar") {
      const head = first ? first.source.name || first.source.key : "";
      return `${roles} ${head} 所任的 ${name} 被列入严重违法失信企业名单未满三年，三年内不得担任其他企业的法定代表人/负责人${same}`;
    }
    return null;  // subject-listed: the listings themselves are named above
  }

  // listings: the profile's listings, each with its status on `asOf`; restriction: {restricted, reasons} or null.
  function banner(listings, restriction, asOf, scope) {
    const active = listings.filter((l) => l.status === "active");
    const inactive = listings.length - active.length;
    const restricted = restriction ? restriction.restricted : active.length > 0;
    const state = restricted ? "restricted" : active.length ? "listed" : "clear";
    const ownIds = new Set(active.map((l) => l.record_id).filter(Boolean));
    const lines = active.map((l) => `被列入：${listingText(l)}`);
    for (const reason of (restriction && restriction.reasons) || []) {
      const line = reasonText(reason, ownIds);
      if (line) lines.push(line);
    }
    const headline = { restricted: "当前受限", listed: `有效名单 ${active.length} 条`, clear: "未发现" }[state];
    const summary = {
      restricted: active.length ? `有效名单 ${active.length} 条` : "本企业无有效名单，因下列人员或关联企业受限",
      listed: "不构成法定禁止，请核查",
      clear: inactive ? `未发现有效名单（不在有效期内的名单 ${inactive} 条，见下方）` : "未发现名单记录",
    }[state];
    return el("section", { class: `standing standing-${state}`, role: "status", "data-standing": state,
                           "aria-label": "名单状态" },
      el("p", { class: "standing-head" }, el("strong", { text: headline }), el("span", { text: summary })),
      lines.length ? el("ul", {}, lines.map((t) => el("li", { text: t }))) : null,
      el("p", { class: "standing-foot", text: `状态日期 ${asOf}。${scope}` }));
  }

  // A search result's badge: the enterprise's own listings active today.
  function badge(activeListings) {
    return activeListings > 0
      ? el("span", { class: "standing-badge standing-restricted", text: `当前受限 · 有效名单 ${activeListings} 条` })
      : el("span", { class: "standing-badge standing-clear", text: "未发现有效名单" });
  }

  return { banner, badge };
})();
