/* Front-desk console. Plain DOM, text only (never innerHTML with data). */
(function () {
  "use strict";
  var csrf = null, me = null;
  // The server's words (pump_assistant/vocabulary.py), spelled in this one place of the console;
  // tests/unit/test_vocabulary.py checks that they equal the Python enums.
  var VOCABULARY = {
    "Urgency": { "EMERGENCY": "emergency", "URGENT": "urgent", "ROUTINE": "routine" },
    "Channel": { "WEBCHAT": "webchat", "SMS": "sms", "REST": "rest", "CMDLINE": "cmdline", "UNKNOWN": "unknown" },
    "Intent": { "EMERGENCY": "emergency", "CLINICAL_QUESTION": "clinical_question" },
    "TicketStatus": { "OPEN": "open", "CLAIMED": "claimed", "RESOLVED": "resolved" },
    "AnswerKind": { "ANSWER": "answer", "CLARIFY": "clarify", "UNKNOWN": "unknown", "EMERGENCY": "emergency" },
    "DraftStatus": { "PENDING": "pending", "APPROVED": "approved", "REJECTED": "rejected" }
  };
  var URGENCY = VOCABULARY.Urgency, CHANNEL = VOCABULARY.Channel, INTENT = VOCABULARY.Intent;
  var STATUS = VOCABULARY.TicketStatus, ANSWER_KIND = VOCABULARY.AnswerKind, DRAFT = VOCABULARY.DraftStatus;
  var TITLE = "Front desk - pump assistant";
  var escalateMinutes = 5;
  var state = {
    filters: {}, cursor: null, rendered: {}, pending: null, selected: null, selectedUpdated: null,
    seenEmergencies: null, openEmergencies: [], audio: null
  };
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
  function turnTime(value) {  // Rasa events carry epoch seconds, staff turns ISO text
    if (typeof value === "number") return new Date(value * 1000).toISOString();
    return value;
  }
  function show(signedIn, who) {
    $("login-view").hidden = signedIn;
    $("app-view").hidden = !signedIn;
    $("logout").hidden = !signedIn;
    $("who").textContent = signedIn ? "Signed in as " + who : "";
    alertsButton();
    if (signedIn) { loadQueue(true); loadDrafts(); loadGaps(); loadAudit(); }
    else document.title = TITLE;
  }
  function signedInAs(d) {
    csrf = d.csrf; me = d;
    if (typeof d.escalate_after_minutes === "number") escalateMinutes = d.escalate_after_minutes;
    show(true, d.user);
  }

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    unlockAudio();  // a user gesture: the emergency beep may play from now on
    api("POST", "/login", { username: $("username").value, password: $("password").value }).then(function (d) {
      if (d._status !== 200) { $("login-error").textContent = d.detail || "Sign-in failed"; return; }
      $("password").value = ""; signedInAs(d);
    });
  });
  $("logout").addEventListener("click", function () {
    api("POST", "/logout").then(function () { csrf = null; me = null; state.seenEmergencies = null; show(false); $("username").focus(); });
  });

  // --- emergency alerts: a beep (WebAudio), a desktop notification, the title badge, escalation ---
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try { if (!state.audio) state.audio = new Context(); if (state.audio.resume) state.audio.resume(); } catch (err) { state.audio = null; }
  }
  function beep() {
    var ctx = state.audio;
    if (!ctx) return;
    [0, 0.35].forEach(function (start) {
      var osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.type = "square"; osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(ctx.currentTime + start); osc.stop(ctx.currentTime + start + 0.25);
    });
  }
  function alertsButton() {
    var button = $("alerts-on");
    button.hidden = !csrf || !("Notification" in window) || window.Notification.permission !== "default";
  }
  $("alerts-on").addEventListener("click", function () {  // asked from a user gesture, as browsers require
    unlockAudio();
    window.Notification.requestPermission().then(alertsButton, alertsButton);
  });
  function notify(t) {
    beep();
    if (!("Notification" in window) || window.Notification.permission !== "granted") return;
    try {
      var note = new window.Notification("Emergency hand-off", { body: t.summary || "A patient needs help now.", tag: "ticket-" + t.id });
      note.onclick = function () { window.focus(); openTicket(t.id); };
    } catch (err) { /* some browsers allow notifications from service workers only */ }
  }
  function emergencies(list) {
    state.openEmergencies = list || [];
    document.title = (state.openEmergencies.length ? "(" + state.openEmergencies.length + ") " : "") + TITLE;
    var first = state.seenEmergencies === null;
    if (first) state.seenEmergencies = {};
    state.openEmergencies.forEach(function (t) {
      if (!state.seenEmergencies[t.id] && !first) notify(t);
      state.seenEmergencies[t.id] = true;
    });
    escalate();
  }
  function minutesWaiting(t) { return (Date.now() - new Date(t.created_at).getTime()) / 60000; }
  // An emergency still unclaimed after DESK_ESCALATE_MINUTES: a banner above everything, and the row marked.
  function escalate() {
    var box = $("escalations"), overdue = state.openEmergencies.filter(function (t) { return minutesWaiting(t) >= escalateMinutes; });
    var shown = Array.prototype.map.call(box.children, function (n) { return n.getAttribute("data-ticket"); }).join(",");
    if (shown !== overdue.map(function (t) { return t.id; }).join(",")) {
      box.textContent = "";
      overdue.forEach(function (t) {
        var line = el("p", { class: "escalation", "data-ticket": t.id },
          "Emergency unclaimed for " + Math.floor(minutesWaiting(t)) + " minutes: \u201c" + (t.summary || "") + "\u201d");
        var open = el("button", { type: "button" }, "Open it");
        open.addEventListener("click", function () { openTicket(t.id); });
        line.appendChild(open);
        box.appendChild(line);
      });
    } else {
      overdue.forEach(function (t) {  // keep the minutes current without re-announcing
        var line = box.querySelector("[data-ticket='" + t.id + "']");
        if (line) line.firstChild.textContent = "Emergency unclaimed for " + Math.floor(minutesWaiting(t)) + " minutes: \u201c" + (t.summary || "") + "\u201d";
      });
    }
    Array.prototype.forEach.call($("queue").querySelectorAll("li.ticket"), function (row) {
      var overdueHere = overdue.some(function (t) { return t.id === row.getAttribute("data-ticket"); });
      row.classList.toggle("escalated", overdueHere);
      var note = row.querySelector(".escalated-note");
      if (overdueHere && !note) row.insertBefore(el("p", { class: "row escalated-note" }, "Unclaimed over " + escalateMinutes + " min \u2014 escalated"), row.firstChild);
      if (!overdueHere && note) note.remove();
    });
  }

  // --- the inbox: counts, filters, search, "mine", pages; new items announced, never pushed under the reader ---
  function filterQuery(cursor) {
    var f = state.filters, params = [];
    Object.keys(f).forEach(function (k) { if (f[k]) params.push(k + "=" + encodeURIComponent(f[k])); });
    if (cursor) params.push("cursor=" + encodeURIComponent(cursor));
    return "/queue" + (params.length ? "?" + params.join("&") : "");
  }
  function readFilters() {
    state.filters = { status: $("f-status").value, urgency: $("f-urgency").value, channel: $("f-channel").value,
      q: $("f-q").value.trim(), mine: $("f-mine").checked ? "1" : "" };
  }
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); readFilters(); loadQueue(true); });
  ["f-status", "f-urgency", "f-channel", "f-mine"].forEach(function (id) {
    $(id).addEventListener("change", function () { readFilters(); loadQueue(true); });
  });
  $("refresh").addEventListener("click", function () { loadQueue(true); });
  $("show-new").addEventListener("click", function () {
    if (state.pending) applyList(state.pending);
    $("queue").scrollTop = 0;
    $("queue").focus();
  });
  $("more").addEventListener("click", function () {
    if (!state.cursor) return;
    api("GET", filterQuery(state.cursor)).then(function (d) {
      if (d._status !== 200) return;
      d.handoffs.forEach(function (t) { if (!state.rendered[t.id]) { $("queue").appendChild(ticketRow(t)); state.rendered[t.id] = t.updated_at; } });
      state.cursor = d.next_cursor; $("more").hidden = !state.cursor;
      escalate();
    });
  });
  function readerAtTop() {
    var list = $("queue");
    return list.scrollTop <= 4 && list.getBoundingClientRect().top >= 0;
  }
  function loadQueue(force) {
    return api("GET", filterQuery()).then(function (d) {
      if (d._status !== 200) { $("counts").textContent = ""; $("counts").appendChild(el("li", { class: "error" }, d.detail || "The inbox could not be read")); return; }
      if (typeof d.escalate_after_minutes === "number") escalateMinutes = d.escalate_after_minutes;
      renderCounts(d.counts);
      var fresh = d.handoffs.filter(function (t) { return !state.rendered[t.id]; });
      if (force || !Object.keys(state.rendered).length || readerAtTop()) {
        applyList(d, !force);
      } else if (!fresh.length) {
        d.handoffs.forEach(function (t) { replaceRow(t); });
      } else {
        // The reader is down the list: update what they see in place, announce the rest.
        state.pending = d;
        d.handoffs.forEach(function (t) { replaceRow(t); });
        $("show-new").textContent = fresh.length + " new \u2014 show";
        $("new-items").hidden = false;
      }
      emergencies(d.open_emergencies);
      refreshSelected(d.handoffs);
    });
  }
  function applyList(d, keepPages) {
    var list = $("queue");
    if (keepPages && state.cursor && Object.keys(state.rendered).length > d.handoffs.length) {
      // More pages are loaded: update the first page's rows in place, add new ones at the top.
      d.handoffs.slice().reverse().forEach(function (t) {
        if (!replaceRow(t)) { list.insertBefore(ticketRow(t), list.firstChild); state.rendered[t.id] = t.updated_at; }
      });
    } else {
      list.textContent = "";
      state.rendered = {};
      if (!d.handoffs.length) list.appendChild(el("li", { class: "empty" }, "No hand-offs match."));
      d.handoffs.forEach(function (t) { list.appendChild(ticketRow(t)); state.rendered[t.id] = t.updated_at; });
      state.cursor = d.next_cursor;
    }
    $("more").hidden = !state.cursor;
    state.pending = null;
    $("new-items").hidden = true;
    escalate();
  }
  function replaceRow(t) {
    var old = $("queue").querySelector("li.ticket[data-ticket='" + t.id + "']");
    if (!old) return false;
    if (state.rendered[t.id] !== t.updated_at) { old.replaceWith(ticketRow(t)); state.rendered[t.id] = t.updated_at; }
    return true;
  }
  var CHANNEL_LABELS = {};
  CHANNEL_LABELS[CHANNEL.WEBCHAT] = "web chat"; CHANNEL_LABELS[CHANNEL.SMS] = "SMS"; CHANNEL_LABELS[CHANNEL.REST] = "REST";
  CHANNEL_LABELS[CHANNEL.CMDLINE] = "command line"; CHANNEL_LABELS[CHANNEL.UNKNOWN] = "unknown";
  function renderCounts(c) {
    var box = $("counts");
    box.textContent = "";
    if (!c) return;
    box.appendChild(el("li", { class: "total" }, c.total + " shown"));
    [URGENCY.EMERGENCY, URGENCY.URGENT, URGENCY.ROUTINE].forEach(function (u) { box.appendChild(el("li", { class: u, "data-count": u }, c.urgency[u] + " " + u)); });
    [STATUS.OPEN, STATUS.CLAIMED, STATUS.RESOLVED].forEach(function (s) { box.appendChild(el("li", { "data-count": s }, c.status[s] + " " + s)); });
  }
  function ticketRow(t) {
    var item = el("li", { class: "ticket " + t.urgency, "data-ticket": t.id });
    if (t.id === state.selected) item.classList.add("selected");
    var head = el("p", { class: "row" });
    head.append(el("span", { class: "badge urgency" }, t.urgency), " ",
      el("span", { class: "badge status" }, t.status + (t.claimed_by ? " by " + t.claimed_by : "")),
      " " + (CHANNEL_LABELS[t.channel] || t.channel) + " \u00b7 ", when(t.created_at));
    if (t.phone) head.append(" \u00b7 " + t.phone);
    if (t.opted_out) head.append(" \u00b7 texted STOP");
    item.appendChild(head);
    var open = el("button", { type: "button", class: "open", "aria-label": "Open: " + t.summary }, "\u201c" + t.summary + "\u201d");
    open.addEventListener("click", function () { openTicket(t.id); });
    item.appendChild(open);
    return item;
  }

  // --- one ticket in detail ---
  function openTicket(id) {
    state.selected = id;
    Array.prototype.forEach.call($("queue").querySelectorAll("li.ticket"), function (row) {
      row.classList.toggle("selected", row.getAttribute("data-ticket") === id);
    });
    return loadDetail(id, true);
  }
  function refreshSelected(list) {
    var t = (list || []).filter(function (x) { return x.id === state.selected; })[0];
    if (t && t.updated_at !== state.selectedUpdated) loadDetail(t.id, false);
  }
  function loadDetail(id, focus) {
    return api("GET", "/handoffs/" + encodeURIComponent(id)).then(function (t) {
      var box = $("detail");
      if (t._status !== 200) { box.textContent = ""; box.appendChild(el("h3", { id: "detail-title" }, "Ticket not found")); return; }
      // Keep what is being typed, and the focus, when the open ticket is redrawn.
      var typed = {}, focused = box.contains(document.activeElement) ? document.activeElement.id : "";
      Array.prototype.forEach.call(box.querySelectorAll("textarea"), function (a) { if (a.value) typed[a.id] = a.value; });
      box.textContent = "";
      renderDetail(box, t);
      Object.keys(typed).forEach(function (k) { if ($(k)) $(k).value = typed[k]; });
      if (focused && $(focused)) $(focused).focus();
      else if (focus) $("detail-title").focus();
      state.selectedUpdated = t.updated_at;
    });
  }
  function renderDetail(box, t) {
    box.setAttribute("data-ticket", t.id);
    box.appendChild(el("h3", { id: "detail-title", tabindex: "-1" }, (t.urgency === URGENCY.EMERGENCY ? "Emergency: " : "") + "\u201c" + t.summary + "\u201d"));
    var facts = el("dl", { class: "facts" });
    function fact(name, value) { var dd = el("dd"); if (typeof value === "string") dd.textContent = value; else dd.append(value); facts.append(el("dt", {}, name), dd); }
    fact("Urgency", t.urgency + " (" + t.reason + ")");
    fact("Status", t.status + (t.claimed_by ? " by " + t.claimed_by : ""));
    fact("Channel", CHANNEL_LABELS[t.channel] || t.channel);
    fact("Raised", when(t.created_at));
    if (t.phone) {
      var call = el("span");
      call.append(el("a", { href: "tel:" + t.phone, class: "call" }, "Call " + t.phone));
      fact("Phone", call);
    }
    if (t.channel === CHANNEL.SMS) fact("Texts", t.opted_out ? "Texted STOP: replies are not sent, call instead" : "Can receive texts (no STOP)");
    var c = t.contact || {};
    if (c.consent !== null && c.consent !== undefined) {
      fact("Contact", c.consent ? [c.name, c.phone, c.preferred_time].filter(Boolean).join(", ") || "Agreed to be contacted" : "Declined to be contacted");
    }
    if (t.patient_last_message) fact("Patient last wrote", when(t.patient_last_message.at));
    if (t.status === STATUS.RESOLVED) {
      fact("Resolved", t.resolved_by ? "by " + t.resolved_by : "yes");
      fact("Resolution note", t.resolution_note || "(none)");
    }
    box.appendChild(facts);
    box.appendChild(el("h4", {}, "Conversation"));
    var transcript = el("ol", { class: "transcript", "aria-label": "Transcript" });
    (t.transcript || []).forEach(function (turn) {
      var who = turn.role === "patient" ? "Patient" : turn.role === "staff" ? "Staff" + (turn.staff ? " (" + turn.staff + ")" : "") : "Assistant";
      var note = turn.delivered === false ? (turn.not_sent_because === "opted_out" ? " (not sent: texted STOP)" : " (not delivered)") : "";
      var li = el("li");
      li.append(el("span", { class: "who" }, who + ": "), el("span", { class: turn.button ? "button-press" : "" }, turn.text + note));
      if (turn.time) li.append(" ", when(turnTime(turn.time)));
      transcript.appendChild(li);
    });
    if (!t.transcript || !t.transcript.length) transcript.appendChild(el("li", {}, "Patient: " + t.trigger_message));
    if (t.earlier_turns_loaded === false) {
      box.appendChild(el("p", { class: "hint" }, "Earlier turns of this conversation could not be loaded just now; reopen the ticket to try again."));
    }
    box.appendChild(transcript);
    var status = el("p", { role: "status", class: "action-status" });
    if (t.status !== STATUS.RESOLVED) {
      var claim = el("button", { type: "button" }, t.status === STATUS.OPEN ? "Claim" : "Claimed");
      claim.disabled = t.status !== STATUS.OPEN;
      claim.addEventListener("click", function () { act(t.id, "claim", {}, status); });
      var reply = el("textarea", { id: "reply-" + t.id, rows: "3", maxlength: "1600" });
      var send = el("button", { type: "button" }, "Send reply");
      send.addEventListener("click", function () {
        act(t.id, "reply", { text: reply.value }, status, function () { if ($("reply-" + t.id)) $("reply-" + t.id).value = ""; });
      });
      var draft = el("button", { type: "button", class: "secondary" }, "Save reply as draft answer");
      draft.addEventListener("click", function () {
        api("POST", "/drafts", { question: t.trigger_message, text: reply.value }).then(function (d) {
          status.textContent = d._status === 201 ? "Draft saved for clinician review." : d.detail;
          loadDrafts();
        });
      });
      var note = el("textarea", { id: "note-" + t.id, rows: "2", maxlength: "2000" });
      var resolve = el("button", { type: "button", class: "secondary" }, "Resolve");
      resolve.addEventListener("click", function () {
        act(t.id, "resolve", { note: note.value }, status, function () { if ($("note-" + t.id)) $("note-" + t.id).value = ""; });
      });
      box.append(claim, el("label", { for: "reply-" + t.id }, "Reply to the patient"), reply, send, draft,
        el("label", { for: "note-" + t.id }, "Resolution note (what was done)"), note, resolve);
    }
    box.appendChild(status);
    if (t.audit && t.audit.length) {
      box.appendChild(el("h4", {}, "History"));
      var history = el("ol", { class: "audit", "aria-label": "Ticket history", tabindex: "0" });
      t.audit.forEach(function (e) { history.appendChild(auditEntry(e)); });
      box.appendChild(history);
    }
  }
  function act(id, verb, body, status, done) {
    api("POST", "/handoffs/" + encodeURIComponent(id) + "/" + verb, body || {}).then(function (d) {
      if (d._status !== 200) window.alert(d.detail || "That did not work");
      else { if (done) done(); status.textContent = verb === "resolve" ? "Resolved." : verb === "claim" ? "Claimed." : "Sent."; }
      loadDetail(id, false); loadQueue(true); loadAudit();
    });
  }

  // --- ask box ---
  $("ask-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var box = $("answers");
    box.textContent = "Looking up\u2026";
    api("GET", "/ask?q=" + encodeURIComponent($("question").value)).then(function (d) {
      box.textContent = "";
      if (d._status !== 200) { box.appendChild(el("p", { class: "error" }, d.detail)); return; }
      // The triage lines the patient would get (possible emergency, named symptom), shown first.
      (d.safety_lines || []).forEach(function (line) { box.appendChild(el("p", { class: "safety-line" }, line)); });
      if (!d.answers.length) { box.appendChild(el("p", { class: "no-answer" }, noAnswerAdvice(d.kind === ANSWER_KIND.EMERGENCY ? INTENT.EMERGENCY : d.intent))); return; }
      if (d.kind === ANSWER_KIND.CLARIFY) box.appendChild(el("p", {}, "Two answers are close; pick the right one:"));
      d.answers.forEach(function (a) { box.appendChild(answerCard(a)); });
      loadAudit();
    });
  });
  function noAnswerAdvice(intent) {
    if (intent === INTENT.EMERGENCY) return "This sounds like an emergency: the patient should call 911 now (988 for thoughts of self-harm).";
    if (intent === INTENT.CLINICAL_QUESTION) return "This is about the patient's own care: no approved answer. Hand it to a clinician.";
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

  // --- drafts: a clinician publishes one as a new answer version, or rejects it ---
  var registry = null;
  function loadDrafts() {
    var registryReady = registry ? Promise.resolve(registry) : api("GET", "/registry").then(function (r) { registry = r; return r; });
    return Promise.all([api("GET", "/drafts"), registryReady]).then(function (both) {
      var d = both[0], box = $("drafts");
      box.textContent = "";
      $("drafts-role").textContent = d.can_approve
        ? "As a clinician you can publish a draft as a new version of an approved answer (checked against its source page), or reject it."
        : "A clinician reviews these drafts; they are never shown to patients until approved.";
      var drafts = d.drafts || [];
      if (!drafts.length) { box.appendChild(el("p", { class: "none-yet" }, "No draft answers.")); return; }
      drafts.forEach(function (draft) { box.appendChild(draftCard(draft, d.can_approve)); });
    });
  }
  function field(parent, id, label, tag, value, attrs) {
    parent.appendChild(el("label", { for: id }, label));
    var input = el(tag, Object.assign({ id: id }, attrs || {}));
    input.value = value || "";
    parent.appendChild(input);
    return input;
  }
  function draftCard(draft, canApprove) {
    var card = el("article", { class: "draft", "data-draft": String(draft.id), "aria-labelledby": "draft-title-" + draft.id });
    card.appendChild(el("h3", { id: "draft-title-" + draft.id }, "Draft " + draft.id + ": \u201c" + draft.question + "\u201d"));
    card.appendChild(el("p", {}, draft.text));
    var meta = el("p", { class: "source" }, "By " + draft.author + " \u00b7 " + draft.status);
    if (draft.status === DRAFT.APPROVED) meta.append(" by " + draft.reviewed_by + " as " + draft.answer_id + " v" + draft.answer_version);
    if (draft.status === DRAFT.REJECTED) meta.append(" by " + draft.reviewed_by + (draft.review_note ? ": " + draft.review_note : ""));
    card.appendChild(meta);
    if (draft.status !== DRAFT.PENDING || !canApprove) return card;
    var p = "d" + draft.id + "-";
    var answerSelect = el("select", { id: p + "answer" });
    registry.answers.forEach(function (a) { answerSelect.appendChild(el("option", { value: a.id }, a.title + " (" + a.id + ", v" + a.version + ")")); });
    card.append(el("label", { for: p + "answer" }, "Becomes the next version of"), answerSelect);
    var title = field(card, p + "title", "Title", "input");
    var sms = field(card, p + "sms", "SMS lead (the text must open with it; at most 320 characters)", "textarea", "", { rows: "2" });
    var text = field(card, p + "text", "Answer text", "textarea", draft.text, { rows: "4" });
    var page = el("select", { id: p + "page" });
    registry.sources.forEach(function (s) { page.appendChild(el("option", { value: s.id }, s.title)); });
    card.append(el("label", { for: p + "page" }, "Source page"), page);
    var quotes = field(card, p + "quotes", "Quoted sentences from the page (one per line, word for word)", "textarea", "", { rows: "3" });
    function prefill() {
      var a = registry.answers.filter(function (x) { return x.id === answerSelect.value; })[0];
      if (!a) return;
      title.value = a.title; sms.value = a.sms;
      if (a.sources.length) { page.value = a.sources[0].page; quotes.value = a.sources[0].quotes.join("\n"); }
    }
    answerSelect.addEventListener("change", prefill);
    prefill();
    var problemBox = el("div", { role: "alert" });
    var problems = el("ul", { class: "problems", "aria-label": "Problems" });
    problemBox.appendChild(problems);
    var status = el("p", { role: "status" });
    var approve = el("button", { type: "button" }, "Approve and publish");
    approve.addEventListener("click", function () {
      api("POST", "/drafts/" + draft.id + "/approve", { answer_id: answerSelect.value, title: title.value, sms: sms.value,
        text: text.value, page: page.value, quotes: quotes.value.split("\n").filter(function (q) { return q.trim(); }) }).then(function (d) {
        problems.textContent = "";
        if (d._status === 200) { registry = null; status.textContent = "Published " + d.answer.id + " v" + d.answer.version + "."; loadDrafts(); loadAudit(); return; }
        (d.problems || [d.detail || "Not approved"]).forEach(function (msg) { problems.appendChild(el("li", {}, msg)); });
      });
    });
    var note = field(card, p + "reject-note", "Reason for rejecting (optional)", "input");
    var reject = el("button", { type: "button", class: "secondary" }, "Reject");
    reject.addEventListener("click", function () {
      api("POST", "/drafts/" + draft.id + "/reject", { note: note.value }).then(function (d) {
        if (d._status === 200) { loadDrafts(); loadAudit(); } else status.textContent = d.detail || "Not rejected";
      });
    });
    card.insertBefore(approve, note.previousSibling);
    card.append(reject, problemBox, status);
    return card;
  }

  // --- content gaps and the audit log ---
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
  function auditEntry(e) {
    var entry = el("li");
    entry.append(when(e.time), " \u2014 " + e.actor + " " + e.action + (e.subject ? " " + e.subject : "") + (e.detail ? ": " + e.detail : ""));
    return entry;
  }
  function loadAudit() {
    api("GET", "/audit").then(function (d) {
      var list = $("audit");
      list.textContent = "";
      (d.entries || []).forEach(function (e) { list.appendChild(auditEntry(e)); });
    });
  }

  api("GET", "/me").then(function (d) {
    if (d._status === 200) signedInAs(d); else show(false);
  });
  window.setInterval(function () { if (csrf) loadQueue(false); }, 10000);
  window.setInterval(function () { if (csrf) escalate(); }, 15000);
})();
