"use strict";
// Sign in with the department's API key, then go where the official was going.
(() => {
  const form = CN.$("sign-in"), input = CN.$("key"), error = CN.$("sign-in-error");
  const reason = CN.param("reason");

  function next() {
    const target = CN.param("next");
    // Only a path on this site: never an address elsewhere.
    return target.startsWith("/") && !target.startsWith("//") ? target : "/check";
  }

  function showSignedIn(session) {
    CN.$("sign-in-card").hidden = true;
    CN.$("signed-in-card").hidden = false;
    CN.$("signed-in-as").textContent = Auth.describe(session);
  }

  if (Auth.key()) showSignedIn(Auth.session());
  else if (reason) { error.textContent = reason; error.hidden = false; }
  input.focus();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    CN.hideError(error);
    const value = input.value.trim();
    if (!value) { error.textContent = "请输入 API 密钥"; error.hidden = false; input.focus(); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await Auth.signIn(value);
      input.value = "";
      location.assign(next());
    } catch (err) {
      CN.showError(error, err.status === 401 ? new CN.ApiError(401, "", "密钥无效或已吊销，请核对后重试") : err);
      input.select();
    } finally {
      button.disabled = false;
    }
  });
})();
