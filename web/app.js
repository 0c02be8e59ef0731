/* Lift web chat widget: talks to Rasa's socket.io channel (Lift's LiftSocketIOInput).
 *
 * The conversation survives a reload in two halves: Rasa keeps the tracker under the
 * session id (session_persistence), and this page keeps a transcript of what it showed in
 * localStorage, re-rendered on load. The session id comes from POST /session on the page
 * server: kept by the browser in dev, a signed server-issued token in prod.
 */
(function () {
  "use strict";

  var STORE_KEY = "lift.chat.v1";
  var MAX_STORED = 200;
  var TYPING_TIMEOUT_MS = 30000;

  var els = {
    log: document.getElementById("lift-log"),
    form: document.getElementById("lift-form"),
    input: document.getElementById("lift-input"),
    send: document.getElementById("lift-send"),
    typing: document.getElementById("lift-typing"),
    status: document.getElementById("lift-status"),
    reset: document.getElementById("lift-reset"),
  };

  var state = load();
  var socket = null;
  var ready = false;
  var outbox = [];
  var typingTimer = null;
  var connectFailures = 0;

  // --- storage ------------------------------------------------------------------

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (e) { /* unreadable storage: start fresh */ }
    return { session_id: null, token: null, messages: [] };
  }

  function save() {
    state.messages = state.messages.slice(-MAX_STORED);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* private mode or full: the chat still works, only without history */ }
  }

  // --- rendering --------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Bold (**x**) and bare http(s) links; everything else is text, never HTML.
  function formatText(text) {
    var frag = document.createDocumentFragment();
    var re = /(\*\*[^*\n]+\*\*|https?:\/\/[^\s<>()"']+)/g;
    var last = 0;
    var match;
    while ((match = re.exec(text)) !== null) {
      if (match.index > last) frag.appendChild(document.createTextNode(text.slice(last, match.index)));
      var token = match[0];
      if (token.indexOf("**") === 0) {
        frag.appendChild(el("strong", null, token.slice(2, -2)));
      } else {
        var a = el("a", null, token);
        a.href = token;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        frag.appendChild(a);
      }
      last = match.index + token.length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function safeImage(src) {
    // Same-origin paths and https only: a card must not load arbitrary schemes.
    return typeof src === "string" && (/^\/[^/]/.test(src) || /^https:\/\//.test(src)) ? src : null;
  }

  function renderCards(products) {
    var row = el("div", "cards");
    products.forEach(function (p) {
      if (!p || !p.name) return;
      var card = el("div", "card");
      card.dataset.sku = p.sku || "";
      var imgBox = el("div", "img");
      var src = safeImage(p.image);
      if (src) {
        var img = el("img");
        img.src = src;
        img.alt = p.name;
        img.loading = "lazy";
        img.addEventListener("error", function () { img.remove(); });
        imgBox.appendChild(img);
      }
      card.appendChild(imgBox);
      var body = el("div", "body");
      body.appendChild(el("div", "name", p.name));
      // Price and stock wording come from the server (lift.commerce.cards), so the card says
      // exactly what the chat text and the Slack/Messenger cards say.
      if (typeof p.price_label === "string") body.appendChild(el("div", "price", p.price_label));
      if (typeof p.stock_label === "string") {
        var level = p.stock_level === "low" || p.stock_level === "out" ? " " + p.stock_level : "";
        body.appendChild(el("div", "stock" + level, p.stock_label));
      }
      var actions = el("div", "actions");
      (p.buttons || []).forEach(function (b, i) {
        if (!b || typeof b.payload !== "string") return;
        var btn = el("button", i === 0 ? "primary" : null, b.title || "Select");
        btn.type = "button";
        btn.addEventListener("click", function () {
          sendMessage(b.payload, (b.title || "Select") + ": " + p.name);
        });
        actions.appendChild(btn);
      });
      body.appendChild(actions);
      card.appendChild(body);
      row.appendChild(card);
    });
    return row;
  }

  function quickReplies(msg) {
    var list = msg.quick_replies || msg.buttons || [];
    return Array.isArray(list) ? list.filter(function (q) { return q && typeof q.payload === "string"; }) : [];
  }

  function renderMessage(msg, repliesActive) {
    var li = el("li", "msg " + (msg.from === "user" ? "user" : "bot"));
    if (msg.text) {
      var bubble = el("div", "bubble");
      bubble.appendChild(formatText(String(msg.text)));
      li.appendChild(bubble);
    }
    var image = msg.attachment && msg.attachment.type === "image" && msg.attachment.payload
      ? safeImage(msg.attachment.payload.src || msg.attachment.payload.url) : null;
    if (image) {
      var wrap = el("div", "bubble");
      var img = el("img", "inline");
      img.src = image;
      img.alt = "";
      wrap.appendChild(img);
      li.appendChild(wrap);
    }
    var custom = msg.custom;
    if (custom && custom.type === "product_cards" && Array.isArray(custom.products)) {
      li.appendChild(renderCards(custom.products));
    }
    var replies = quickReplies(msg);
    if (replies.length && repliesActive) {
      var box = el("div", "quick-replies");
      replies.forEach(function (q) {
        var btn = el("button", null, q.title || q.payload);
        btn.type = "button";
        btn.addEventListener("click", function () {
          box.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          sendMessage(q.payload, q.title || q.payload);
        });
        box.appendChild(btn);
      });
      li.appendChild(box);
    }
    return li.childNodes.length ? li : null;
  }

  function renderAll() {
    els.log.textContent = "";
    var lastUser = -1;
    state.messages.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    state.messages.forEach(function (m, i) {
      var node = renderMessage(m, m.from === "bot" && i > lastUser);
      if (node) els.log.appendChild(node);
    });
    scrollDown();
  }

  function append(msg) {
    state.messages.push(msg);
    save();
    if (msg.from === "user") {
      // Quick replies answer the latest question only.
      els.log.querySelectorAll(".quick-replies").forEach(function (n) { n.remove(); });
    }
    var node = renderMessage(msg, msg.from === "bot");
    if (node) els.log.appendChild(node);
    scrollDown();
  }

  function scrollDown() {
    els.log.scrollTop = els.log.scrollHeight;
  }

  function setTyping(on) {
    clearTimeout(typingTimer);
    els.typing.hidden = !on;
    if (on) {
      typingTimer = setTimeout(function () { els.typing.hidden = true; }, TYPING_TIMEOUT_MS);
      scrollDown();
    }
  }

  function setStatus(kind, text) {
    els.status.dataset.state = kind;
    els.status.textContent = text;
  }

  // --- conversation -------------------------------------------------------------------

  function sendMessage(payload, shown) {
    var text = String(payload || "").trim();
    if (!text) return;
    append({ from: "user", text: shown || text, ts: Date.now() });
    setTyping(true);
    var data = { message: text, session_id: state.session_id };
    var page = pageSession();
    if (page) data.metadata = { session: page };
    if (ready && socket) socket.emit("user_uttered", data);
    else outbox.push(data);
  }

  // The store page's own session signals (UCI "Online Shoppers" column names, e.g.
  // ProductRelated, PageValues, BounceRates), published by the page as window.LiftPageSession
  // (an object, or a function returning one). Sent with each message as metadata.session for
  // the live purchase probability (lift.forecast); numbers and short strings only.
  function pageSession() {
    var src = window.LiftPageSession;
    try {
      if (typeof src === "function") src = src();
    } catch (e) { return null; }
    if (!src || typeof src !== "object") return null;
    var out = {};
    var n = 0;
    Object.keys(src).slice(0, 32).forEach(function (k) {
      var v = src[k];
      if (/^[A-Za-z_]{1,40}$/.test(k) && ((typeof v === "number" && isFinite(v)) ||
          typeof v === "boolean" || (typeof v === "string" && v.length <= 40))) {
        out[k] = v;
        n += 1;
      }
    });
    return n ? out : null;
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    var msg = { from: "bot", ts: Date.now() };
    ["text", "quick_replies", "buttons", "attachment", "custom"].forEach(function (k) {
      if (data[k] !== undefined && data[k] !== null) msg[k] = data[k];
    });
    append(msg);
  }

  function requestSession() {
    return fetch("/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: state.session_id, token: state.token }),
      credentials: "same-origin",
    }).then(function (r) {
      if (!r.ok) throw new Error("session " + r.status);
      return r.json();
    });
  }

  function connect() {
    setStatus("connecting", "Connecting…");
    requestSession().then(function (cfg) {
      if (state.session_id && cfg.session_id !== state.session_id) {
        state.messages = [];  // the server started a new conversation: the old transcript is not its
        renderAll();
      }
      state.session_id = cfg.session_id;
      state.token = cfg.token || null;
      save();
      var url = cfg.socket_url || (window.location.protocol + "//" + window.location.hostname + ":" + cfg.rasa_port);
      socket = window.io(url, {
        path: cfg.socket_path || "/socket.io",
        transports: ["websocket"],
        auth: state.token ? { token: state.token } : {},
        reconnectionDelayMax: 10000,
      });
      socket.on("connect", function () {
        connectFailures = 0;
        socket.emit("session_request", { session_id: state.session_id });
      });
      socket.on("session_confirm", function (id) {
        if (typeof id === "string" && id && id !== state.session_id) {
          state.session_id = id;
          save();
        }
        ready = true;
        setStatus("online", "Online");
        var pending = outbox.splice(0);
        pending.forEach(function (d) { d.session_id = state.session_id; socket.emit("user_uttered", d); });
      });
      socket.on("bot_uttered", onBotMessage);
      socket.on("bot_typing", function (d) { setTyping(!!(d && d.typing)); });
      socket.on("lift_error", function () { setTyping(false); });
      socket.on("disconnect", function () {
        ready = false;
        setStatus("offline", "Reconnecting…");
      });
      socket.on("connect_error", function () {
        ready = false;
        setStatus("offline", "Offline — retrying");
        connectFailures += 1;
        if (state.token && connectFailures >= 3) {
          // An expired or revoked session token: ask the page server for a fresh one.
          socket.close();
          socket = null;
          state.token = null;
          setTimeout(connect, 1000);
        }
      });
    }).catch(function () {
      setStatus("offline", "Offline — retrying");
      setTimeout(connect, 3000);
    });
  }

  function resetConversation() {
    if (socket) socket.close();
    socket = null;
    ready = false;
    outbox = [];
    state = { session_id: null, token: null, messages: [] };
    save();
    renderAll();
    setTyping(false);
    connect();
  }

  els.form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = els.input.value;
    els.input.value = "";
    sendMessage(text);
    els.input.focus();
  });
  els.reset.addEventListener("click", resetConversation);

  renderAll();
  connect();
})();
