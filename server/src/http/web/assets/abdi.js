// Abdi's one script: what pages cannot do as plain forms. Passkeys (WebAuthn) to enrol, to
// log in and to confirm a sensitive form (step-up), and live updates from the event stream.
// Every page works without it except the passkey ceremonies themselves.
"use strict";
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
  const b64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const lang = document.documentElement.lang || "id";

  async function api(path, body) {
    const r = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "accept-language": lang, "x-csrf-token": csrf() },
      body: JSON.stringify(body || {}),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((data.title || r.status) + (data.detail ? ": " + data.detail : ""));
    return data;
  }

  const creation = (o) => {
    const p = o.publicKey;
    p.challenge = bytes(p.challenge);
    p.user.id = bytes(p.user.id);
    (p.excludeCredentials || []).forEach((c) => { c.id = bytes(c.id); });
    return p;
  };
  const request = (o) => {
    const p = o.publicKey;
    p.challenge = bytes(p.challenge);
    (p.allowCredentials || []).forEach((c) => { c.id = bytes(c.id); });
    return p;
  };
  const registered = (c) => ({
    id: c.id, rawId: b64u(c.rawId), type: c.type,
    response: {
      clientDataJSON: b64u(c.response.clientDataJSON),
      attestationObject: b64u(c.response.attestationObject),
      transports: c.response.getTransports ? c.response.getTransports() : [],
    },
    extensions: c.getClientExtensionResults(),
  });
  const asserted = (c) => ({
    id: c.id, rawId: b64u(c.rawId), type: c.type,
    response: {
      clientDataJSON: b64u(c.response.clientDataJSON),
      authenticatorData: b64u(c.response.authenticatorData),
      signature: b64u(c.response.signature),
      userHandle: c.response.userHandle ? b64u(c.response.userHandle) : null,
    },
    extensions: c.getClientExtensionResults(),
  });
  const device = () => ({ device_name: navigator.userAgent.includes("Android") ? "Android browser" : "Browser", platform: "web" });

  function fail(form, e) {
    const out = form.querySelector("[data-error]");
    if (out) { out.textContent = e.message || String(e); out.hidden = false; out.focus?.(); }
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }

  async function enrol(form) {
    const challenge = await api("/api/v1/me/passkeys/registration");
    const cred = await navigator.credentials.create({ publicKey: creation(challenge.options) });
    const name = form.querySelector('[name="name"]')?.value || "Browser";
    await api("/api/v1/me/passkeys", { challenge_id: challenge.challenge_id, name, credential: registered(cred) });
    location.assign(form.dataset.next || "/");
  }

  let conditional = null;
  async function login(form, mediation) {
    const challenge = await api("/api/v1/auth/passkey/challenge");
    const options = { publicKey: request(challenge.options) };
    if (mediation) { conditional = new AbortController(); options.mediation = "conditional"; options.signal = conditional.signal; }
    const cred = await navigator.credentials.get(options);
    await api("/api/v1/auth/passkey", { challenge_id: challenge.challenge_id, credential: asserted(cred), device: device() });
    location.assign(form.dataset.next || "/");
  }

  async function stepUp() {
    const challenge = await api("/api/v1/me/step-up/challenge");
    const cred = await navigator.credentials.get({ publicKey: request(challenge.options) });
    await api("/api/v1/me/step-up", { challenge_id: challenge.challenge_id, credential: asserted(cred) });
  }

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    // A hidden input that carries what the visitor typed elsewhere (the NIP, as login_hint).
    form.querySelectorAll("[data-copy]").forEach((i) => {
      i.value = document.querySelector(i.dataset.copy)?.value || "";
    });
    const kind = form.dataset.passkey;
    const guarded = form.hasAttribute("data-step-up") ||
      (form.dataset.stepUpUnless && !form.querySelector(`[name="${form.dataset.stepUpUnless}"]`)?.checked);
    if (!kind && !guarded) return;
    if (form.dataset.confirmed) return;
    ev.preventDefault();
    form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const submitter = ev.submitter;
    const run = kind === "register" ? enrol(form)
      : kind === "login" ? (conditional?.abort(), login(form, false))
      : stepUp().then(() => {
        form.dataset.confirmed = "1";
        if (submitter && submitter.name) {
          const keep = document.createElement("input");
          keep.type = "hidden"; keep.name = submitter.name; keep.value = submitter.value;
          form.appendChild(keep);
        }
        form.submit();
      });
    run.catch((e) => fail(form, e));
  });

  // Passkeys offered as the NIP field is focused, where the browser can (conditional UI).
  const loginForm = document.querySelector('form[data-passkey="login"]');
  if (loginForm && window.PublicKeyCredential?.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then((ok) => {
      if (ok) login(loginForm, true).catch(() => {});
    });
  }

  // Live, on the pages that show something that changes: a request's page reloads when its
  // status changes, the notifications page lists new ones as they come. The stream closes
  // when the page goes; if the server refuses one more (a session holds a few at once), the
  // request's page asks for its state every few seconds instead.
  const watched = document.querySelector("[data-live-request]");
  const list = document.querySelector("[data-live-list]");
  if (csrf() && (watched || list)) {
    const stream = new EventSource("/api/v1/notifications/stream");
    window.addEventListener("pagehide", () => stream.close());
    stream.addEventListener("notification", (e) => {
      const n = JSON.parse(e.data);
      if (watched && n.request_id === watched.dataset.liveRequest) location.reload();
      if (list) {
        const li = document.createElement("li");
        li.className = "unread";
        const strong = document.createElement("strong");
        strong.textContent = (n.title && n.title[lang]) || "";
        const body = document.createElement("div");
        body.textContent = (n.body && n.body[lang]) || "";
        li.append(strong, body);
        list.prepend(li);
      }
    });
    stream.addEventListener("error", () => {
      if (stream.readyState !== EventSource.CLOSED || !watched) return;
      const seen = watched.dataset.version;
      setInterval(async () => {
        const r = await fetch("/api/v1/requests/" + watched.dataset.liveRequest, { credentials: "same-origin" });
        if (r.ok && String((await r.json()).version) !== seen) location.reload();
      }, 5000);
    });
  }
})();
