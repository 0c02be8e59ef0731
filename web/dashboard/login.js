// Sign-in: POST the token as JSON; the server answers with an HttpOnly session cookie.
"use strict";
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.hidden = true;
  let res;
  try {
    res = await fetch("/dashboard/login", {
      method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({token: document.getElementById("token").value}),
    });
  } catch (e) {
    error.textContent = "The server cannot be reached.";
    error.hidden = false;
    return;
  }
  if (res.ok) {
    window.location.assign("/dashboard");
    return;
  }
  const body = await res.json().catch(() => ({}));
  error.textContent = res.status === 401 ? "Wrong token." : (body.error || `Sign-in failed (${res.status}).`);
  error.hidden = false;
});
