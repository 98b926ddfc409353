/* Clinic pump assistant chat widget.
 * Embed: <script src="https://clinic.example/widget.js" data-rasa-url="https://assistant.clinic.example" defer></script>
 * Optional: data-title, data-greeting, data-history. No dependencies, no third-party requests, no inline script or style
 * (works under a strict Content-Security-Policy); every message is rendered as text, never as HTML (911, 988 and
 * phone numbers in the clinic's replies become tap-to-call tel: links, built as elements around text nodes).
 * Below 480 px wide the open chat fills the screen (widget.css).
 * Talks to Rasa's socket.io channel ("webchat", Engine.IO v4 over WebSocket), which also carries staff replies
 * live; falls back to the REST channel when the socket cannot open, and keeps trying to get the socket back.
 * Private by default: the conversation and its session id are kept in sessionStorage, so they last as long as the
 * browser tab and are gone when it closes. data-history="local" keeps them in localStorage instead (they survive
 * closing the browser, until the patient clears them). "Clear conversation" wipes both stores and starts afresh.
 * Reopened with a stored session id, it asks the web service it is served from for what the conversation holds that
 * it has not seen (a staff reply sent while the tab was closed) and shows it, the newest messages in view.
 */
(function () {
  "use strict";
  // The flags the server sets on a bot message (pump_assistant/vocabulary.py), spelled in this one place of the
  // widget; tests/unit/test_vocabulary.py checks that they equal the Python enum.
  var VOCABULARY = {
    "DisplayFlag": {
      "URGENT": "urgent", "FROM_STAFF": "from_staff", "STAFF_NAME": "staff_name",
      "STAFF_JOINED": "staff_joined", "STAFF_LEFT": "staff_left"
    }
  };
  var FLAG = VOCABULARY.DisplayFlag;
  var script = document.currentScript;
  var base = (script && script.src) ? new URL(script.src) : new URL(window.location.href);
  var cfg = {
    rasaUrl: (script && script.dataset.rasaUrl) || "http://localhost:5005",
    title: (script && script.dataset.title) || "Pump questions",
    greeting: (script && script.dataset.greeting) ||
      "Hello! I answer questions about intrathecal pain pumps from our clinic's approved pages. I can't give medical advice. In an emergency, call 911.",
    // "session" (default): kept for this tab only; "local": kept on this device until cleared.
    history: (script && script.dataset.history === "local") ? "local" : "session"
  };
  var STORE = "pumpChat:" + cfg.rasaUrl;
  var state = load();
  var socket = null, socketReady = false, transport = "connecting";
  var generation = 0;  // bumped by "Clear conversation": late replies to the old conversation are dropped

  function webStorage(kind) {
    try { return kind === "local" ? window.localStorage : window.sessionStorage; } catch (e) { return null; /* blocked */ }
  }
  function load() {
    var empty = { sessionId: null, log: [] };
    var store = webStorage(cfg.history), saved = null;
    try { saved = store && store.getItem(STORE); } catch (e) { /* private mode */ }
    if (cfg.history === "session") {
      // A conversation an earlier version kept in localStorage moves to this tab and leaves the device's storage.
      var local = webStorage("local");
      try {
        var old = local && local.getItem(STORE);
        if (old) { local.removeItem(STORE); if (!saved) { saved = old; store && store.setItem(STORE, old); } }
      } catch (e) { /* private mode */ }
    }
    try { return JSON.parse(saved) || empty; } catch (e) { return empty; }
  }
  function save() {
    var store = webStorage(cfg.history);
    try { state.log = state.log.slice(-100); if (store) store.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function forget() {
    ["session", "local"].forEach(function (kind) {
      var store = webStorage(kind);
      try { if (store) store.removeItem(STORE); } catch (e) { /* private mode */ }
    });
  }
  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* ---------- DOM ---------- */
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("widget.css", base).href;
  document.head.appendChild(css);

  // A landmark of its own, so a page's landmarks still hold all its content.
  var root = el("aside", { class: "pc-root", "aria-label": "Chat with the clinic's assistant" });
  var launcher = el("button", { class: "pc-launcher", type: "button", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "pc-panel" }, "Chat: " + cfg.title);
  var panel = el("section", { id: "pc-panel", class: "pc-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "pc-title", hidden: "" });
  var header = el("header", { class: "pc-header" });
  var title = el("h2", { id: "pc-title", class: "pc-title" }, cfg.title);
  var actions = el("div", { class: "pc-actions" });
  var clear = el("button", { class: "pc-clear", type: "button" }, "Clear conversation");
  var close = el("button", { class: "pc-close", type: "button", "aria-label": "Close chat" }, "\u00d7");
  var notice = el("p", { class: "pc-notice" }, "Automated assistant, not a clinician. Emergency: call 911.");
  var log = el("div", { class: "pc-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  var typing = el("p", { class: "pc-typing", hidden: "", "aria-live": "polite" }, "Assistant is typing\u2026");
  var form = el("form", { class: "pc-form" });
  var label = el("label", { for: "pc-input", class: "pc-sr" }, "Your question");
  var input = el("input", { id: "pc-input", class: "pc-input", type: "text", autocomplete: "off", maxlength: "2000", placeholder: "Type your question" });
  var send = el("button", { class: "pc-send", type: "submit" }, "Send");
  actions.append(clear, close);
  header.append(title, actions);
  form.append(label, input, send);
  panel.append(header, notice, log, typing, form);
  root.append(launcher, panel);
  document.body.appendChild(root);

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    log.scrollTop = log.scrollHeight;  // the newest in view (a hidden log cannot scroll)
    if (!socket && !retryTimer && transport === "connecting") connect();
    input.focus();
  }
  function shut() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { panel.hidden ? open() : shut(); });
  close.addEventListener("click", shut);
  clear.addEventListener("click", clearConversation);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); shut(); } });

  /* ---------- rendering (text only) ---------- */
  function render(entry) {
    var item = el("div", { class: "pc-msg pc-" + entry.role });
    if (entry.role === "event") { item.textContent = entry.text; log.appendChild(item); return; }
    var lines = String(entry.text || "").split("\n\nSource: ");
    var body = el("p", { class: "pc-text" });
    // The patient's own words stay plain text; the clinic's replies get tap-to-call links.
    if (entry.role === "user") body.textContent = lines[0]; else appendCallable(body, lines[0]);
    item.appendChild(body);
    // Only the server marks an emergency reply: the greeting mentions 911 too.
    if (entry.role === "bot" && entry.urgent === true) {
      item.classList.add("pc-urgent");
      item.setAttribute("role", "alert");
    }
    if (lines[1]) item.appendChild(el("p", { class: "pc-source" }, "Source: " + lines[1]));
    if (entry.buttons && entry.buttons.length) {
      // "Did this answer help?": each button's payload names the answer it rates (its id, version and message
      // id, set by the server), so "No" under an older answer rates that answer, not the latest.
      var rating = entry.buttons.every(function (b) { return /^\/feedback_/.test(String(b.payload)); });
      var group = el("div", { class: "pc-buttons" + (rating ? " pc-feedback" : ""), role: "group",
                              "aria-label": rating ? "Rate this answer" : "Suggested replies" });
      entry.buttons.forEach(function (b) {
        var btn = el("button", { type: "button", class: "pc-choice" }, b.title);
        if (rating) {
          var rated = ratedAnswer(b.payload);
          if (rated) { btn.setAttribute("data-answer-id", rated.id); btn.setAttribute("data-answer-message", rated.message); }
          if (entry.rated !== undefined) {  // rated once: the choice stays shown, it cannot be sent again
            btn.disabled = true;
            btn.setAttribute("aria-pressed", String(entry.rated === b.title));
          }
        }
        btn.addEventListener("click", function () {
          if (rating) {
            if (entry.rated !== undefined) return;
            entry.rated = b.title; save();
            Array.prototype.forEach.call(group.children, function (other) {
              other.disabled = true;
              other.setAttribute("aria-pressed", String(other === btn));
            });
            input.focus();
          }
          sendMessage(b.payload, b.title);
        });
        group.appendChild(btn);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function ratedAnswer(payload) {
    var match = /^\/feedback_\w+(\{.*\})$/.exec(String(payload));
    if (!match) return null;
    try {
      var named = JSON.parse(match[1]);
      return { id: String(named.rated_answer_id || ""), message: String(named.rated_message_id || "") };
    } catch (e) { return null; }
  }

  /* ---------- tap to call: 911, 988 and phone numbers, as tel: links built from text nodes ---------- */
  // A US number ("(555) 010-0199", "555-010-0199", "+1 555 010 0911", "+15550100199"), or 911 / 988 on their own.
  var CALLABLE = /(?:\+?1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}|\+1\d{10}|911|988/g;
  function telHref(number) {
    var digits = number.replace(/\D/g, "");
    if (digits === "911" || digits === "988") return "tel:" + digits;
    if (digits.length === 10) return "tel:+1" + digits;
    return "tel:+" + digits;  // 11 digits starting with the country code 1
  }
  // Appends text to node: plain text nodes, and <a href="tel:..."> for the numbers in it. Nothing is parsed as
  // HTML, whatever the text holds.
  function appendCallable(node, text) {
    var at = 0, match;
    CALLABLE.lastIndex = 0;
    while ((match = CALLABLE.exec(text)) !== null) {
      var start = match.index, end = start + match[0].length;
      // Part of a longer number or word ("0911", "9880", "A911"): not a number to call.
      if (/[0-9A-Za-z]/.test(text.charAt(start - 1)) || /[0-9A-Za-z]/.test(text.charAt(end))) {
        CALLABLE.lastIndex = start + 1;
        continue;
      }
      if (start > at) node.appendChild(document.createTextNode(text.slice(at, start)));
      var link = el("a", { class: "pc-tel", href: telHref(match[0]) }, match[0]);
      node.appendChild(link);
      at = end;
    }
    if (at < text.length) node.appendChild(document.createTextNode(text.slice(at)));
  }

  function add(entry) {
    state.log.push(entry);
    save();
    render(entry);
  }

  function fromBot(message) {
    typing.hidden = true;
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) { return { title: b.title, payload: b.payload }; });
    var text = message.text || "";
    // The server's time of the message (socket and history carry it): the history asks only for what came later.
    var ts = (typeof message.timestamp === "number" && isFinite(message.timestamp)) ? message.timestamp : undefined;
    if (ts !== undefined && !(ts <= (state.synced || 0))) state.synced = ts;
    // A notice, not a reply: the server flags it (pump_assistant/vocabulary.py's DisplayFlag); its words may change.
    if (message[FLAG.STAFF_JOINED] === true || message[FLAG.STAFF_LEFT] === true) {
      add({ role: "event", text: text, ts: ts });
      return;
    }
    // (The log's own field "urgent" keeps what was stored by earlier visits readable.)
    add({ role: message[FLAG.FROM_STAFF] ? "staff" : "bot", text: text, buttons: buttons, urgent: message[FLAG.URGENT] === true, ts: ts });
  }

  /* ---------- reopening: what the conversation holds that this browser has not seen ---------- */
  function catchUp() {
    var sessionId = state.sessionId, since = state.synced || 0, asked = generation;
    if (!/^[0-9a-f]{32}$/.test(String(sessionId))) return;
    var url = new URL("widget/api/conversation/" + sessionId + "/messages", base);
    url.searchParams.set("after", String(since));
    fetch(url.href, { credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        if (asked !== generation || state.sessionId !== sessionId) return;
        merge((body && body.messages) || []);
      })
      .catch(function () { /* offline or unavailable: what this browser has stays as it is */ });
  }
  // Messages this browser already shows are skipped: by the server's time when it has one, else (replies that came
  // over REST, or kept by an older widget) by their text, in order, after the last message it has a time for.
  // Only what comes after the last message it recognises is added; the patient's own words it always has.
  function merge(messages) {
    var known = {}, from = 0;
    state.log.forEach(function (entry, i) {
      if (typeof entry.ts === "number") { known[entry.ts] = true; from = i + 1; }
    });
    var cursor = from, lastSeen = -1;
    messages.forEach(function (m, i) {
      if (!m || typeof m.text !== "string") return;
      if (known[m.timestamp]) { lastSeen = i; return; }
      for (var j = cursor; j < state.log.length; j++) {
        if (state.log[j].text === m.text && (state.log[j].role === "user") === (m.role === "user")) {
          state.log[j].ts = m.timestamp; cursor = j + 1; lastSeen = i;
          return;
        }
      }
    });
    messages.forEach(function (m, i) {
      if (i > lastSeen && m && m.role !== "user") {
        // The history names a staff reply by its role, and carries the other flags as the socket does.
        var message = { text: m.text, timestamp: m.timestamp };
        message[FLAG.FROM_STAFF] = m.role === "staff";
        [FLAG.URGENT, FLAG.STAFF_JOINED, FLAG.STAFF_LEFT].forEach(function (flag) { message[flag] = m[flag] === true; });
        fromBot(message);
      } else if (m && typeof m.timestamp === "number" && !(m.timestamp <= (state.synced || 0))) {
        state.synced = m.timestamp;
      }
    });
    save();
  }

  /* ---------- transport: socket.io (Engine.IO v4), REST fallback ---------- */
  // Staff replies can only be pushed over the socket, and Rasa sends them on the
  // channel of the patient's latest message: so messages typed while the socket
  // is (re)connecting wait for it rather than going over REST at once.
  var CONNECT_TIMEOUT = 4000, RETRY_FIRST = 2000, RETRY_MAX = 60000;
  var pending = [], retryDelay = RETRY_FIRST, retryTimer = null;

  function connect() {
    retryTimer = null;
    var url = new URL("/socket.io/?EIO=4&transport=websocket", cfg.rasaUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    var ws;
    try { ws = new WebSocket(url.href); } catch (e) { useRest(); return; }
    socket = ws;
    var fallbackTimer = window.setTimeout(function () {
      if (ws === socket && !socketReady) { try { ws.close(); } catch (e) {} useRest(); }
    }, CONNECT_TIMEOUT);
    ws.onmessage = function (event) {
      if (ws !== socket) return;
      var data = String(event.data);
      var type = data.charAt(0);
      if (type === "0") { ws.send("40"); }
      else if (type === "2") { ws.send("3"); }
      else if (type === "4") { onSocketIo(data.slice(1), fallbackTimer); }
    };
    ws.onclose = function () {
      window.clearTimeout(fallbackTimer);
      if (ws !== socket) return;
      socket = null;
      if (socketReady) {
        socketReady = false;
        transport = "connecting";
        retryDelay = RETRY_FIRST;
      } else {
        useRest();
      }
      // Also from REST mode, so live staff replies come back once the socket can open.
      scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    if (retryTimer) return;
    retryTimer = window.setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX);
  }
  function emit(name, payload) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send("42" + JSON.stringify([name, payload]));
    return true;
  }
  function onSocketIo(packet, fallbackTimer) {
    var type = packet.charAt(0);
    if (type === "0") { emit("session_request", { session_id: state.sessionId }); }
    else if (type === "4") { try { socket.close(); } catch (e) {} }
    else if (type === "2") {
      var parsed; try { parsed = JSON.parse(packet.slice(1)); } catch (e) { return; }
      if (parsed[0] === "session_confirm") {
        state.sessionId = parsed[1]; save();
        socketReady = true; transport = "socket"; retryDelay = RETRY_FIRST;
        window.clearTimeout(fallbackTimer);
        flush();
      } else if (parsed[0] === "bot_uttered") { fromBot(parsed[1] || {}); }
    }
  }
  function useRest() {
    if (!state.sessionId) { state.sessionId = newSessionId(); save(); }
    transport = "rest";
    flush();
  }
  function flush() {
    var queued = pending;
    pending = [];
    queued.forEach(deliver);
  }

  function deliver(text) {
    if (transport === "socket" && socketReady && emit("user_uttered", { message: text, session_id: state.sessionId })) return;
    if (transport !== "rest") {
      pending.push(text);
      if (!socket && !retryTimer) connect();
      return;
    }
    var sentIn = generation;
    fetch(new URL("/webhooks/rest/webhook", cfg.rasaUrl).href, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sessionId, message: text })
    }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (messages) { if (sentIn !== generation) return; (messages || []).forEach(fromBot); typing.hidden = true; })
      .catch(function () {
        if (sentIn !== generation) return;
        typing.hidden = true;
        add({ role: "bot", text: "Sorry, I can't reach the assistant right now. Please call the clinic. In an emergency, call 911." });
      });
  }

  function sendMessage(text, shown) {
    text = String(text || "").trim();
    if (!text) return;
    add({ role: "user", text: shown || text });
    typing.hidden = false;
    deliver(text);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    sendMessage(text);
  });

  /* ---------- "Clear conversation": nothing of it stays in this browser ---------- */
  function clearConversation() {
    generation += 1;
    forget();
    var old = socket;
    socket = null; socketReady = false; transport = "connecting";
    if (old) { try { old.close(); } catch (e) {} }  // its room is the old conversation's
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    retryDelay = RETRY_FIRST;
    pending = [];
    typing.hidden = true;
    state = { sessionId: null, log: [], synced: 0 };
    while (log.firstChild) log.removeChild(log.firstChild);
    // Shown, not kept: says what happened, to screen readers too (the log is a live region).
    render({ role: "event", text: "Conversation cleared. Nothing from it is kept in this browser." });
    begin();
    connect();  // a new conversation: the server gives it a new session id
    input.focus();
  }

  function begin() {
    if (!state.log.length) { state.log.push({ role: "bot", text: cfg.greeting }); save(); }
    state.log.forEach(render);
  }
  begin();
  if (state.sessionId) { connect(); catchUp(); }
})();
