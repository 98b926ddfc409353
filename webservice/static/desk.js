/* Front-desk console. Plain DOM, text only (never innerHTML with data). */
(function () {
  "use strict";
  var csrf = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return fetch("/desk/api" + path, { method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (data) { data._status = r.status; return data; }); });
  }
  // A readable local time for staff; the exact ISO value stays in <time datetime>.
  function when(iso) {
    var date = new Date(iso);
    var shown = isNaN(date) ? String(iso || "") : date.toLocaleString(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
    return el("time", { datetime: String(iso || "") }, shown);
  }
  function show(signedIn, who) {
    $("login-view").hidden = signedIn;
    $("app-view").hidden = !signedIn;
    $("logout").hidden = !signedIn;
    $("who").textContent = signedIn ? "Signed in as " + who : "";
    if (signedIn) { loadQueue(); loadGaps(); loadAudit(); }
  }

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "/login", { username: $("username").value, password: $("password").value }).then(function (d) {
      if (d._status !== 200) { $("login-error").textContent = d.detail || "Sign-in failed"; return; }
      csrf = d.csrf; $("password").value = ""; show(true, d.user);
    });
  });
  $("logout").addEventListener("click", function () {
    api("POST", "/logout").then(function () { csrf = null; show(false); $("username").focus(); });
  });

  $("ask-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var box = $("answers");
    box.textContent = "Looking up\u2026";
    api("GET", "/ask?q=" + encodeURIComponent($("question").value)).then(function (d) {
      box.textContent = "";
      if (d._status !== 200) { box.appendChild(el("p", { class: "error" }, d.detail)); return; }
      // The triage lines the patient would get (possible emergency, named symptom), shown first.
      (d.safety_lines || []).forEach(function (line) { box.appendChild(el("p", { class: "safety-line" }, line)); });
      if (!d.answers.length) { box.appendChild(el("p", { class: "no-answer" }, noAnswerAdvice(d.kind === "emergency" ? "emergency" : d.intent))); return; }
      if (d.kind === "clarify") box.appendChild(el("p", {}, "Two answers are close; pick the right one:"));
      d.answers.forEach(function (a) { box.appendChild(answerCard(a)); });
      loadAudit();
    });
  });

  function noAnswerAdvice(intent) {
    if (intent === "emergency") return "This sounds like an emergency: the patient should call 911 now (988 for thoughts of self-harm).";
    if (intent === "clinical_question") return "This is about the patient's own care: no approved answer. Hand it to a clinician.";
    return "No approved answer for this question. Hand it to a clinician, or save a reply as a draft answer.";
  }

  function answerCard(a) {
    var card = el("article", { class: "answer" });
    card.appendChild(el("h3", {}, a.title + " (v" + a.version + ")"));
    card.appendChild(el("p", {}, a.text));
    card.appendChild(el("p", { class: "source" }, a.source));
    var copy = el("button", { type: "button", class: "secondary" }, "Copy answer");
    copy.addEventListener("click", function () {
      var text = a.text + "\n" + a.source;
      (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(
        function () { copy.textContent = "Copied"; }, function () { copy.textContent = "Copy failed: select the text"; });
    });
    var numberLabel = el("label", { for: "sms-" + a.id }, "Send by SMS to (+15551234567)");
    var number = el("input", { id: "sms-" + a.id, type: "tel", autocomplete: "off" });
    var send = el("button", { type: "button" }, "Send SMS");
    var status = el("p", { role: "status" });
    send.addEventListener("click", function () {
      api("POST", "/sms", { to: number.value, answer_id: a.id }).then(function (d) {
        status.textContent = d._status === 200 ? "Sent." : (d.detail || "Not sent.");
        loadAudit();
      });
    });
    card.append(copy, numberLabel, number, send, status);
    return card;
  }

  function loadQueue() {
    api("GET", "/queue").then(function (d) {
      var list = $("queue");
      // The queue is redrawn on every refresh (every 10 s): keep replies being typed, and the focus.
      var drafts = {}, focused = list.contains(document.activeElement) ? document.activeElement.id : "";
      Array.prototype.forEach.call(list.querySelectorAll("textarea"), function (t) { if (t.value) drafts[t.id] = t.value; });
      list.textContent = "";
      if (!d.handoffs || !d.handoffs.length) { list.appendChild(el("li", {}, "No open hand-offs.")); return; }
      d.handoffs.forEach(function (t) { list.appendChild(ticketItem(t)); });
      Object.keys(drafts).forEach(function (id) { if ($(id)) $(id).value = drafts[id]; });
      if (focused && $(focused)) $(focused).focus();
    });
  }
  function ticketItem(t) {
    var item = el("li", { class: "ticket " + t.urgency, "data-ticket": t.id });
    var head = el("p");
    head.append(el("span", { class: "badge urgency" }, t.urgency), " ", el("span", { class: "badge" }, t.reason),
      " ", el("span", { class: "badge" }, t.status + (t.claimed_by ? " by " + t.claimed_by : "")),
      " ", el("span", {}, t.channel + " \u00b7 "), when(t.created_at));
    if (t.patient_last_message) head.append(el("span", {}, " \u00b7 patient last wrote "), when(t.patient_last_message.at));
    item.appendChild(head);
    if (t.channel === "sms") {
      // The phone number, tap-to-call, and whether the patient texted STOP (then replies are not sent).
      var phone = el("p", {}, "Phone: ");
      phone.append(el("a", { href: "tel:" + t.sender_id }, t.sender_id));
      if (t.opted_out) phone.append(" ", el("span", { class: "badge" }, "texted STOP: replies are not sent, call instead"));
      item.appendChild(phone);
    }
    item.appendChild(el("p", {}, "\u201c" + t.trigger_message + "\u201d"));
    var c = t.contact || {};
    if (c.consent !== null && c.consent !== undefined) {
      item.appendChild(el("p", {}, c.consent ? "Contact: " + [c.name, c.phone, c.preferred_time].filter(Boolean).join(", ") : "Declined to be contacted"));
    }
    var transcript = el("ol", { class: "transcript", "aria-label": "Transcript" });
    (t.transcript || []).forEach(function (turn) {
      var note = turn.delivered === false ? (turn.not_sent_because === "opted_out" ? " (not sent: texted STOP)" : " (not delivered)") : "";
      transcript.appendChild(el("li", {}, turn.role + ": " + turn.text + note));
    });
    item.appendChild(transcript);
    var claim = el("button", { type: "button" }, "Claim");
    claim.disabled = t.status !== "open";
    claim.addEventListener("click", function () { act(t.id, "claim"); });
    var replyLabel = el("label", { for: "reply-" + t.id }, "Reply to the patient");
    var reply = el("textarea", { id: "reply-" + t.id, rows: "2", maxlength: "1600" });
    var send = el("button", { type: "button" }, "Send reply");
    send.addEventListener("click", function () {
      act(t.id, "reply", { text: reply.value }, function () { if ($("reply-" + t.id)) $("reply-" + t.id).value = ""; });
    });
    var draft = el("button", { type: "button", class: "secondary" }, "Save reply as draft answer");
    draft.addEventListener("click", function () {
      api("POST", "/drafts", { question: t.trigger_message, text: reply.value }).then(function (d) {
        status.textContent = d._status === 201 ? "Draft saved for clinician review." : d.detail;
      });
    });
    var resolve = el("button", { type: "button", class: "secondary" }, "Resolve");
    resolve.addEventListener("click", function () { act(t.id, "resolve"); });
    var status = el("p", { role: "status" });
    item.append(claim, replyLabel, reply, send, draft, resolve, status);
    return item;
  }
  function act(id, verb, body, done) {
    api("POST", "/handoffs/" + encodeURIComponent(id) + "/" + verb, body || {}).then(function (d) {
      if (d._status !== 200) window.alert(d.detail || "That did not work");
      else if (done) done();
      loadQueue(); loadAudit();
    });
  }
  $("refresh").addEventListener("click", loadQueue);

  function loadGaps() {
    api("GET", "/gaps").then(function (d) {
      var box = $("gaps");
      box.textContent = "";
      var groups = d.unanswered || [];
      if (!groups.length) box.appendChild(el("p", { class: "none-yet" }, "No unanswered questions yet."));
      else {
        var table = el("table");
        var head = el("tr");
        ["Kind", "Topic", "Count", "Recent questions"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
        table.appendChild(head);
        groups.forEach(function (g) {
          var row = el("tr");
          row.append(el("td", {}, g.kind), el("td", {}, g.topic), el("td", {}, String(g.count)), el("td", {}, g.examples.join(" | ")));
          table.appendChild(row);
        });
        box.appendChild(table);
      }
      var ratings = el("ul", { "aria-label": "Answer ratings" });
      (d.ratings || []).forEach(function (r) {
        ratings.appendChild(el("li", {}, r.answer_id + " v" + r.answer_version + ": " + r.helpful + " helpful, " + r.not_helpful + " not helpful"));
      });
      box.appendChild(ratings);
    });
  }
  function loadAudit() {
    api("GET", "/audit").then(function (d) {
      var list = $("audit");
      list.textContent = "";
      (d.entries || []).forEach(function (e) {
        var entry = el("li");
        entry.append(when(e.time), " \u2014 " + e.actor + " " + e.action + (e.subject ? " " + e.subject : ""));
        list.appendChild(entry);
      });
    });
  }

  api("GET", "/me").then(function (d) {
    if (d._status === 200) { csrf = d.csrf; show(true, d.user); } else { show(false); }
  });
  window.setInterval(function () { if (csrf) loadQueue(); }, 10000);
})();
