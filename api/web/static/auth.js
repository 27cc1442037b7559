"use strict";
// The department's API key lives in sessionStorage only: it is gone when the tab closes or the official
// signs out, and it is sent only to this origin's API in the Authorization header.

const Auth = (() => {
  const KEY = "creditnet.key";
  const WHO = "creditnet.session";

  function key() { return sessionStorage.getItem(KEY); }
  function session() {
    try { return JSON.parse(sessionStorage.getItem(WHO) || "null"); } catch (err) { return null; }
  }

  async function signIn(apiKey) {
    const { data } = await CN.getJSON("/api/v1/web/session", { headers: { Authorization: `Bearer ${apiKey}` } });
    sessionStorage.setItem(KEY, apiKey);
    sessionStorage.setItem(WHO, JSON.stringify(data));
    return data;
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(WHO);
    location.assign(message ? `/?reason=${encodeURIComponent(message)}` : "/");
  }

  function describe(s) {
    return s ? `${s.department}${s.role === "admin" ? "（管理员）" : ""}` : "";
  }

  // Every signed-in page starts here: no key, no page (the page itself holds no data either way).
  function require() {
    if (!key()) {
      location.replace(`/?next=${encodeURIComponent(location.pathname + location.search)}`);
      return null;
    }
    const who = document.getElementById("who");
    if (who) who.textContent = describe(session());
    const out = document.getElementById("sign-out");
    if (out) out.addEventListener("click", () => signOut());
    countAlerts();
    return session();
  }

  // The menu's number of alerts not yet answered: the department's own, every department's for the admin.
  async function countAlerts() {
    const badge = document.getElementById("open-alerts");
    if (!badge) return;
    try {
      const { data } = await json("GET", "/api/v1/alerts?open=true&limit=1");
      badge.textContent = String(data.open);
      badge.title = `待答复的提醒 ${data.open} 条`;
      badge.hidden = data.open === 0;
    } catch (err) {
      badge.hidden = true;  // the menu works without it; the alerts page says what went wrong
    }
  }

  // A call to the JSON API with the key; an expired or revoked key signs the official out.
  async function call(method, url, body, options) {
    const headers = { Authorization: `Bearer ${key()}` };
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    try {
      return await CN.request(url, Object.assign({ method, headers, body: payload }, options || {}));
    } catch (err) {
      if (err instanceof CN.ApiError && err.status === 401) signOut("密钥无效或已吊销，请重新登录");
      throw err;
    }
  }

  async function json(method, url, body) {
    const response = await call(method, url, body);
    return { data: await response.json(), date: response.headers.get("date") };
  }

  async function text(method, url, body) {
    return (await call(method, url, body)).text();
  }

  // A download that needs the key: fetched, then handed to the browser as a file.
  async function download(url, fallbackName) {
    const response = await call("GET", url);
    const blob = await response.blob();
    const disposition = response.headers.get("content-disposition") || "";
    const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    const name = m ? decodeURIComponent(m[1]) : fallbackName;
    const href = URL.createObjectURL(blob);
    const a = CN.el("a", { href, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10000);
    return name;
  }

  return { key, session, signIn, signOut, require, describe, json, text, download, countAlerts };
})();
