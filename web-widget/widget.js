/*
 * ohcontact web-chat widget: a chat with the occupational health (OH)
 * service for any intranet page.
 *
 *   <script src="https://OHCONTACT/widget.js" data-org="CODE"
 *           data-token="OPTIONAL_IDENTITY_TOKEN" data-lang="OPTIONAL_LANG" async></script>
 *
 * Plain JavaScript, no build step: the server puts the widget's words, in
 * every language, where WORDS is (from its locale files). Everything lives
 * in a Shadow DOM so the page's styles and ours stay apart. The only global
 * is window.OHContactWidget with open() and close().
 */
(function () {
  "use strict";

  // WORDS[lang][id]: text with {{.Field}} placeholders, or plural forms.
  var WORDS = /*ohcontact:words*/{};
  var MAX_CHARS = 1000;
  var AUTHORS = { staff: "you", bot: "bot", clinician: "clinician" };
  var TOKEN_ERRORS = { token_expired: 1, token_invalid: 1, token_replayed: 1, session_expired: 1 };
  var SEND_ERRORS = { rate_limited: 1, too_long: 1, bad_request: 1, too_many_chats: 1 };

  var script = document.currentScript ||
    document.querySelector('script[src*="widget.js"][data-org]');
  if (!script || window.OHContactWidget) return;
  var org = script.getAttribute("data-org") || "";
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(org)) return;

  // The server is wherever this script came from: /ws/chat beside widget.js.
  var src = new URL(script.src, location.href);
  var wsURL = (src.protocol === "https:" ? "wss://" : "ws://") + src.host +
    src.pathname.replace(/[^/]*$/, "") + "ws/chat?org=" + encodeURIComponent(org);

  // sessionStorage: the conversation's state, and the signature of the last
  // identity token used (a page restored from cache offers it again).
  var STORE_KEY = "ohcontact:" + org;
  var SPENT_KEY = "ohcontact:" + org + ":spent-token";

  var stored = readStore();
  var session = stored.session || "";
  var service = stored.service || "";
  var seen = stored.seen || 0;        // last seq shown with the panel open
  // The conversation's language, else the page's, until the server says.
  var lang = matchLang(stored.lang || script.getAttribute("data-lang") || document.documentElement.lang);
  var notice = "";        // the server's 24/7 notice, in lang
  var identity = "";      // "staff" or "anonymous" once the server has said
  var token = script.getAttribute("data-token") || "";
  if (token && tokenSignature(token) === storageGet(SPENT_KEY)) token = "";

  var ws = null;          // the current socket, null when none
  var helloToken = "";    // the token sent in this socket's hello
  var isReady = false;    // the server answered this socket's hello
  var stopped = false;    // the server refused us (close code 1008)
  var everReady = false;
  var attempts = 0;       // reconnections since the last ready
  var timer = 0;
  var lastSeq = 0;        // the "after" of the next hello
  var rendered = {};      // seq -> true
  var outbox = [];        // unacknowledged sends: {id, text, el, sent}
  var sentEls = {};       // client id -> its element in the transcript
  var ending = false;     // "End chat and clear" sent, "ended" not yet seen
  var lastError = "";

  // ---- words -----------------------------------------------------------

  // matchLang returns the supported language for a BCP 47 tag, as the
  // server's locales.Match does.
  function matchLang(tag) {
    var l = String(tag || "").toLowerCase().split(/[-_]/)[0];
    return l === "cy" || l === "pl" ? l : "en-GB";
  }

  // t returns word id in the current language with data's fields filled
  // in; a plural word takes the form for data.Count.
  function t(id, data) {
    var w = (WORDS[lang] || {})[id] || (WORDS["en-GB"] || {})[id] || id;
    data = data || {};
    if (typeof w === "object") w = w[new Intl.PluralRules(lang).select(data.Count)] || w.other;
    return w.replace(/\{\{\.(\w+)\}\}/g, function (_, k) { return String(data[k]); });
  }

  // ---- DOM -------------------------------------------------------------

  // h builds an element: attributes, then children (strings become text).
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    var k;
    for (k in attrs) el.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) {
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  var host = h("ohcontact-widget");
  var root = host.attachShadow({ mode: "open" });
  addStyles(root);

  var launcherLabel = h("span");
  var badgeText = h("span");
  var launcherBadge = h("span", { "class": "badge", hidden: "" }, [h("span", { "class": "vh" }, [", "]), badgeText]);
  var launcher = h("button", { type: "button", "class": "launcher" },
    [icon(), launcherLabel, launcherBadge]);
  var announcer = h("p", { "class": "vh", role: "status" });

  var title = h("h2", { id: "ohc-title" });
  var closeText = h("span");
  var closeBtn = h("button", { type: "button", "class": "close" },
    [h("span", { "aria-hidden": "true" }, ["\u00d7 "]), closeText]);
  var noticeEl = h("p", { "class": "notice" });
  var identityLine = h("p", { "class": "hint", hidden: "" });
  var log = h("ol", { "class": "messages" });
  // The log scrolls, so it takes focus for keyboard scrolling.
  var logBox = h("div", { "class": "log", role: "log", "aria-live": "polite", tabindex: "0" }, [identityLine, log]);
  var statusEl = h("p", { "class": "status", role: "status" });
  var alertEl = h("p", { "class": "alert", role: "alert" });
  var label = h("label", { "for": "ohc-text" });
  var textarea = h("textarea", { id: "ohc-text", rows: "1", autocomplete: "off", "aria-describedby": "ohc-count" });
  var countEl = h("p", { id: "ohc-count", "class": "count" });
  var sendBtn = h("button", { type: "submit", "class": "btn send" });
  var endBtn = h("button", { type: "button", "class": "end" });
  var confirmText = h("p", { id: "ohc-confirm", tabindex: "-1" });
  var yesBtn = h("button", { type: "button", "class": "btn btn-warning" });
  var noBtn = h("button", { type: "button", "class": "btn btn-secondary" });
  var confirmBox = h("div", { "class": "confirm", role: "group", "aria-labelledby": "ohc-confirm", hidden: "" },
    [confirmText, h("div", { "class": "buttons" }, [yesBtn, noBtn])]);
  // In reading and focus order: the box, Send, then End chat and clear,
  // which the grid shows beside the label, out of the way.
  var form = h("form", { "class": "form" }, [label, countEl, textarea, sendBtn, endBtn, confirmBox]);
  var panel = h("section", { "class": "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "ohc-title", hidden: "" }, [
    h("div", { "class": "header" }, [title, closeBtn]),
    noticeEl, logBox, statusEl, alertEl, form
  ]);
  // A landmark, so that everything on the page is in one.
  var aside = h("aside", null, [launcher, announcer, panel]);
  root.appendChild(aside);

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var path = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // ---- rendering -------------------------------------------------------

  // showWords puts the widget's words in the current language everywhere
  // they show, the names of authors already in the transcript included.
  function showWords() {
    var name = service || t("service"), i, who = log.querySelectorAll("[data-author]");
    aside.setAttribute("lang", lang);
    aside.setAttribute("aria-label", t("landmark"));
    launcherLabel.textContent = t("launch", { OH: name });
    badgeText.textContent = t("new");
    title.textContent = name;
    closeBtn.setAttribute("aria-label", t("close_label"));
    closeText.textContent = t("close");
    setText(noticeEl, notice || t("notice"));
    identityLine.textContent = identity ? t(identity === "staff" ? "signed_in" : "anonymous") : "";
    identityLine.hidden = !identity;
    logBox.setAttribute("aria-label", t("log"));
    label.textContent = t("label");
    sendBtn.textContent = t("send");
    endBtn.textContent = t("end");
    confirmText.textContent = t("end_confirm");
    yesBtn.textContent = t("end_yes");
    noBtn.textContent = t("cancel");
    for (i = 0; i < who.length; i++) who[i].textContent = t(who[i].getAttribute("data-author"));
    outbox.forEach(function (o) { setMeta(o.el, t(o.sent ? "sending" : "waiting")); });
    updateCount();
  }

  // setLang switches the widget's words to language l, with the server's
  // notice in it when given.
  function setLang(l, text) {
    lang = matchLang(l);
    notice = text || "";
    showWords();
    save();
  }

  function setText(el, text) {
    el.textContent = "";
    appendLinked(el, text);
  }

  // appendLinked adds text to el as text nodes, with http(s) URLs as links.
  function appendLinked(el, text) {
    var re = /https?:\/\/[^\s<>"]+/g;
    var last = 0, m, url, href;
    while ((m = re.exec(text)) !== null) {
      url = m[0].replace(/[.,;:!?)\]'}]+$/, "");
      re.lastIndex = m.index + url.length;
      el.appendChild(document.createTextNode(text.slice(last, m.index)));
      href = safeURL(url);
      el.appendChild(href ? h("a", { href: href, rel: "noopener noreferrer", target: "_blank" },
        [url, h("span", { "class": "vh" }, [" " + t("new_tab")])]) : document.createTextNode(url));
      last = re.lastIndex;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
  }

  function safeURL(u) {
    try {
      var p = new URL(u);
      return p.protocol === "http:" || p.protocol === "https:" ? p.href : null;
    } catch (e) {
      return null;
    }
  }

  // messageEl returns a transcript entry: who wrote it and when, then the text.
  function messageEl(author, text) {
    var who = AUTHORS[author] || "other";
    var meta = h("span", { "class": "meta" });
    var body = h("div", { "class": "text" });
    appendLinked(body, text);
    return h("li", { "class": "msg msg-" + (AUTHORS[author] ? author : "bot") }, [
      h("p", { "class": "who" }, [h("strong", { "data-author": who }, [t(who)]), " ", meta]),
      body
    ]);
  }

  function setMeta(el, text) {
    el.querySelector(".meta").textContent = text;
  }

  function timeOf(at) {
    var d = new Date(at);
    if (isNaN(d.getTime())) return "";
    return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  // place puts a message in seq order, before any still being sent.
  function place(el, seq) {
    var kids = log.children, i, k, s;
    for (i = 0; i < kids.length; i++) {
      k = kids[i];
      if (k === el) continue;
      s = k.getAttribute("data-seq");
      if (s ? Number(s) > seq : k.classList.contains("pending")) break;
    }
    var before = i < kids.length ? kids[i] : null;
    if (el.parentNode !== log || el.nextSibling !== before) log.insertBefore(el, before);
  }

  // reveal scrolls the log to the newest message, unless what came after
  // the person's last message is taller than the log: then to the start of
  // the first of it (a crisis reply is read from its start).
  function reveal() {
    var kids = log.children, i = kids.length, first = null, top;
    while (i-- > 0 && !kids[i].classList.contains("msg-staff")) {
      if (kids[i].classList.contains("msg")) first = kids[i];
    }
    logBox.scrollTop = logBox.scrollHeight;
    if (!first || !first.getBoundingClientRect) return;
    top = first.getBoundingClientRect().top - logBox.getBoundingClientRect().top + logBox.scrollTop;
    if (logBox.scrollHeight - top > logBox.clientHeight) logBox.scrollTop = top - 8;
  }

  function setStatus(text) {
    statusEl.textContent = text;
  }

  function showAlert(text) {
    // Emptied first so that the same message twice is announced twice.
    alertEl.textContent = "";
    setTimeout(function () { alertEl.textContent = text; }, 50);
  }

  // updateCount says how many characters are left: to screen readers
  // always, on screen from three quarters of the limit.
  function updateCount() {
    var n = Array.from(textarea.value).length;
    var over = n > MAX_CHARS;
    countEl.textContent = n === 0 ? t("count_max") :
      over ? t("count_over", { Count: n - MAX_CHARS }) : t("count_left", { Count: MAX_CHARS - n });
    countEl.classList.toggle("vh", n < MAX_CHARS * 3 / 4);
    countEl.classList.toggle("over", over);
    if (over) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  }

  // grow makes the message box as tall as its text, up to six lines.
  function grow() {
    if (!textarea.style) return;
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 4 + "px";
  }

  // ---- storage ---------------------------------------------------------

  function storageGet(key) {
    try {
      return sessionStorage.getItem(key);
    } catch (e) {
      return null; // storage disabled: the chat still works for this page
    }
  }

  function storageSet(key, value) {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch (e) { /* as above */ }
  }

  function readStore() {
    try {
      return JSON.parse(storageGet(STORE_KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  // save stores the conversation's state, or removes it when there is no
  // conversation. Once the person has asked to end it, it stays removed.
  function save() {
    if (ending) return;
    storageSet(STORE_KEY, session ? JSON.stringify({ session: session, service: service, seen: seen, lang: lang }) : null);
  }

  function tokenSignature(t) {
    return t.slice(t.lastIndexOf(".") + 1);
  }

  // ---- connection ------------------------------------------------------

  function connect() {
    if (ws || stopped) return;
    clearTimeout(timer);
    timer = 0;
    if (!everReady) setStatus(t("connecting"));
    var sock;
    try {
      sock = new WebSocket(wsURL);
    } catch (e) {
      retry();
      return;
    }
    ws = sock;
    sock.onopen = function () {
      helloToken = token;
      sock.send(JSON.stringify({ type: "hello", token: token, session: session, after: lastSeq, lang: lang }));
    };
    sock.onmessage = function (e) {
      if (sock === ws) receive(e.data);
    };
    sock.onclose = function (e) {
      if (sock === ws) closed(e.code, e.reason);
    };
  }

  function closed(code, reason) {
    ws = null;
    isReady = false;
    outbox.forEach(function (o) {
      o.sent = false;
      setMeta(o.el, t("waiting"));
    });
    if (code === 1000) {
      // The server is done with us: connect again when the person acts.
      if (!ending) setStatus("");
      return;
    }
    if (code === 1008) {
      stopped = true;
      setStatus(t("disconnected"));
      showAlert(lastError || reason || t("unavailable"));
      return;
    }
    retry();
  }

  // retry connects again after an exponential backoff with jitter: half to
  // all of 1 s, 2 s, 4 s … up to 30 s.
  function retry() {
    var base = Math.min(30000, 1000 * Math.pow(2, attempts++));
    setStatus(t("reconnecting"));
    timer = setTimeout(connect, base / 2 + Math.random() * base / 2);
  }

  function send(frame) {
    ws.send(JSON.stringify(frame));
  }

  function transmit(o) {
    send({ type: "send", id: o.id, text: o.text });
    o.sent = true;
    setMeta(o.el, t("sending"));
  }

  function receive(data) {
    var f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!f || typeof f.type !== "string") return;
    if (f.type === "ready") onReady(f);
    else if (f.type === "message") onMessage(f);
    else if (f.type === "error") onError(f);
    else if (f.type === "lang") setLang(str(f.lang), str(f.notice));
    else if (f.type === "ended") onEnded(str(f.session));
  }

  function onReady(f) {
    if (helloToken) {
      storageSet(SPENT_KEY, tokenSignature(helloToken));
      token = helloToken = "";
    }
    session = str(f.session);
    service = str(f.service) || service;
    identity = f.identity === "staff" ? "staff" : "anonymous";
    setLang(str(f.lang) || lang, str(f.notice));
    isReady = true;
    attempts = 0;
    lastError = "";
    setStatus(everReady ? t("reconnected") : "");
    everReady = true;
    if (ending) send({ type: "end" });
    else outbox.forEach(transmit);
  }

  function onMessage(f) {
    var seq = f.seq;
    if (ending || typeof seq !== "number" || seq < 1 || seq % 1 !== 0 || rendered[seq]) return;
    var el = typeof f.id === "string" && sentEls[f.id];
    if (el) {
      delete sentEls[f.id];
      outbox = outbox.filter(function (o) { return o.id !== f.id; });
      el.classList.remove("pending", "failed");
    } else {
      el = messageEl(f.author, str(f.text));
    }
    setMeta(el, timeOf(f.at));
    el.setAttribute("data-seq", String(seq));
    place(el, seq);
    rendered[seq] = true;
    if (seq > lastSeq) lastSeq = seq;
    if (panel.hidden) {
      if (f.author !== "staff" && seq > seen) {
        launcherBadge.hidden = false;
        announcer.textContent = t("new_from", { Who: t(AUTHORS[f.author] || "other") });
      }
    } else {
      seen = lastSeq;
      save();
    }
    reveal();
  }

  function onError(f) {
    lastError = str(f.message) || t("error");
    showAlert(lastError);
    if (TOKEN_ERRORS[f.code]) {
      // Not to be offered again, even by this page restored from cache.
      if (helloToken) storageSet(SPENT_KEY, tokenSignature(helloToken));
      // The chat goes on anonymously: a different conversation, whose
      // numbers start again.
      detach();
      forget();
    } else if (SEND_ERRORS[f.code]) {
      failSent();
    }
  }

  // failSent marks the sends the server has refused as not sent, and puts
  // the last one back in the box if that is empty. A late echo still
  // replaces its entry.
  function failSent() {
    var failed = outbox.filter(function (o) { return o.sent; });
    outbox = outbox.filter(function (o) { return !o.sent; });
    failed.forEach(function (o) {
      o.el.classList.remove("pending");
      o.el.classList.add("failed");
      setMeta(o.el, t("not_sent"));
    });
    if (failed.length && textarea.value === "") {
      textarea.value = failed[failed.length - 1].text;
      updateCount();
    }
  }

  // onEnded forgets the conversation. After "End chat and clear" the
  // transcript is already gone and the session is forgotten too; a signed-in
  // person gets next, a new session that says who they are (an anonymous
  // person none). When the service ends it (the flow finished), the
  // transcript stays on screen (it may hold crisis contacts) but belongs to
  // no conversation any more, and the session is kept: the person's next
  // message starts a new conversation as the same person.
  function onEnded(next) {
    detach();
    if (ending) {
      forget();
      session = next;
      if (!next) identity = "";
      showWords();
    } else {
      log.appendChild(h("li", { "class": "ended" }, [t("has_ended")]));
      setStatus(t("chat_ended"));
      restart();
      reveal();
    }
    ending = false;
    // Messages still to send go below, to a new conversation.
    outbox.forEach(function (o) {
      o.sent = false;
      log.appendChild(o.el);
    });
    var sock = ws;
    ws = null;
    isReady = false;
    if (sock) sock.close(1000);
    if (outbox.length) connect();
  }

  // detach leaves the transcript on screen but no longer part of the
  // conversation being followed.
  function detach() {
    var old = log.querySelectorAll("[data-seq]"), i;
    for (i = 0; i < old.length; i++) old[i].removeAttribute("data-seq");
  }

  // restart forgets the conversation but keeps the session.
  function restart() {
    token = helloToken = "";
    lastSeq = 0;
    rendered = {};
    seen = 0;
    save();
  }

  // forget forgets the conversation and who the person is.
  function forget() {
    session = "";
    restart();
  }

  function str(v) {
    return typeof v === "string" ? v : "";
  }

  // ---- actions ---------------------------------------------------------

  function newId() {
    var abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    var bytes = crypto.getRandomValues(new Uint8Array(22));
    var id = "", i;
    for (i = 0; i < bytes.length; i++) id += abc[bytes[i] & 63];
    return id;
  }

  function submit() {
    var text = textarea.value.trim();
    if (text === "") {
      showAlert(t("empty"));
      return;
    }
    if (Array.from(text).length > MAX_CHARS) {
      showAlert(t("too_long"));
      return;
    }
    if (stopped) {
      showAlert(lastError || t("unavailable"));
      return;
    }
    var o = { id: newId(), text: text, el: messageEl("staff", text), sent: false };
    o.el.classList.add("pending");
    setMeta(o.el, t("waiting"));
    log.appendChild(o.el);
    sentEls[o.id] = o.el;
    outbox.push(o);
    textarea.value = "";
    alertEl.textContent = "";
    updateCount();
    grow();
    reveal();
    if (isReady) transmit(o);
    else connect();
  }

  function endChat() {
    confirmBox.hidden = true;
    log.textContent = "";
    textarea.value = "";
    updateCount();
    grow();
    outbox = [];
    sentEls = {};
    alertEl.textContent = "";
    setStatus(t("cleared"));
    textarea.focus();
    if (!session) {
      forget();
      return;
    }
    // The session stays in memory until the server has ended the
    // conversation, and leaves storage now.
    storageSet(STORE_KEY, null);
    ending = true;
    if (isReady) send({ type: "end" });
    else connect();
  }

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcherBadge.hidden = true;
    announcer.textContent = "";
    seen = lastSeq;
    save();
    textarea.focus();
    grow();
    reveal();
    connect();
  }

  function close() {
    if (panel.hidden) return;
    confirmBox.hidden = true;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", close);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    submit();
  });
  textarea.addEventListener("input", function () {
    updateCount();
    grow();
  });
  textarea.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  endBtn.addEventListener("click", function () {
    confirmBox.hidden = false;
    confirmText.focus();
  });
  yesBtn.addEventListener("click", endChat);
  noBtn.addEventListener("click", function () {
    confirmBox.hidden = true;
    endBtn.focus();
  });
  panel.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    e.stopPropagation();
    if (!confirmBox.hidden) noBtn.click();
    else close();
  });
  window.addEventListener("online", function () {
    if (!ws && timer) connect();
  });

  showWords();
  window.OHContactWidget = Object.freeze({ open: open, close: close });

  function mount() {
    document.body.appendChild(host);
    // A conversation is under way in this tab: resume it now, so replies
    // that arrive while the panel is closed are shown on the launcher.
    if (session) connect();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  // ---- styles ----------------------------------------------------------

  function addStyles(shadow) {
    var css = [
      ":host{all:initial;font-family:\"Frutiger W01\",Arial,sans-serif;font-size:16px;line-height:1.5;color:#212b32;-webkit-font-smoothing:antialiased}",
      "@media (min-width:40.0625em){:host{font-size:19px}}",
      "*,*::before,*::after{box-sizing:border-box}",
      "[hidden]{display:none!important}",
      ".vh{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;clip-path:inset(50%)!important;border:0!important;white-space:nowrap!important}",
      "button,textarea{font:inherit;color:inherit;margin:0}",
      "p{margin:0 0 .75em}",
      // Focus: the NHS.UK yellow with a black underline, never no outline.
      "a:focus,button:focus,[tabindex]:focus{outline:4px solid transparent;outline-offset:4px;background-color:#ffeb3b;color:#212b32;box-shadow:0 -2px #ffeb3b,0 4px #212b32;text-decoration:none}",
      ".btn{display:inline-block;position:relative;padding:.5em 1em;border:2px solid transparent;border-radius:4px;background:#007f3b;color:#fff;font-weight:700;line-height:1.4;box-shadow:0 4px 0 #00401e;cursor:pointer;text-align:center}",
      ".btn:hover{background:#00662f}",
      ".btn:active{top:4px;box-shadow:none}",
      ".btn-secondary{background:#fff;color:#005eb8;border-color:#005eb8;box-shadow:0 4px 0 #005eb8}",
      ".btn-secondary:hover{background:#f0f4f5;color:#003087;border-color:#003087}",
      ".btn-warning{background:#d5281b;box-shadow:0 4px 0 #6b140e}",
      ".btn-warning:hover{background:#aa2016}",
      ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;align-items:center;gap:.5em;max-width:calc(100vw - 32px);padding:.6em 1em;border:2px solid transparent;border-radius:4px;background:#005eb8;color:#fff;font-weight:700;line-height:1.3;text-align:left;box-shadow:0 4px 0 #003087;cursor:pointer}",
      ".launcher:hover{background:#003087}",
      ".launcher svg{flex:none;width:1.4em;height:1.4em;fill:currentColor}",
      ".badge{padding:0 .5em;border-radius:1em;background:#fff;color:#005eb8}",
      ".panel{position:fixed;right:16px;bottom:16px;z-index:2147483001;display:flex;flex-direction:column;width:24em;max-width:calc(100vw - 32px);height:42em;max-height:calc(100vh - 32px);overflow-y:auto;overflow-wrap:anywhere;background:#f0f4f5;border:1px solid #d8dde0;border-radius:4px;box-shadow:0 4px 16px rgba(33,43,50,.3);animation:ohc-in .2s ease-out}",
      "@keyframes ohc-in{from{opacity:0;transform:translateY(1em)}}",
      "@media (max-width:30em){.panel{inset:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0;border:0}}",
      "@media (prefers-reduced-motion:reduce){.panel{animation:none}}",
      ".header{display:flex;align-items:center;justify-content:space-between;gap:.5em;padding:.375em .75em .375em 1em;background:#005eb8;color:#fff}",
      "h2{margin:0;font-size:1.1em;line-height:1.3;font-weight:700}",
      ".close{flex:none;padding:.125em .5em;border:2px solid #fff;border-radius:4px;background:transparent;color:#fff;font-weight:700;cursor:pointer}",
      ".close:hover{background:#003087}",
      // The log takes the room there is and scrolls; when there is too
      // little room for it (zoomed in, short screens) the panel scrolls.
      // The notice stays in view above it, kept short.
      ".panel>p,.log{flex:none;margin:0 1em .5em}",
      ".panel>.notice{margin-top:.5em;padding:.25em .5em;background:#fff9c4;border-left:8px solid #ffb81c;line-height:1.4}",
      // Small print is 16px: never smaller.
      ".hint,.who,.status,.ended,.notice,.count,.end{font-size:16px}",
      ".hint,.count{color:#4c6272}",
      ".log{flex:1 1 0;min-height:8em;padding:.25em;overflow-y:auto;scroll-behavior:smooth}",
      ".log>.hint{margin:0 0 .75em}",
      ".messages{margin:0;padding:0;list-style:none}",
      "@media (prefers-reduced-motion:reduce){.log{scroll-behavior:auto}}",
      ".log:focus{background:#f0f4f5;box-shadow:inset 0 0 0 3px #212b32;outline:4px solid #ffeb3b;outline-offset:0}",
      ".msg{max-width:90%;margin:0 0 .75em;padding:.5em .75em;border-radius:4px;background:#fff;border:1px solid #d8dde0}",
      ".msg-staff{margin-left:auto;background:#005eb8;border-color:#005eb8;color:#fff}",
      ".msg-clinician{border-left:6px solid #003087}",
      ".who{margin:0 0 .25em}",
      ".meta{color:#4c6272}",
      ".msg-staff .meta{color:#fff}",
      ".failed .meta{font-weight:700}",
      ".text{white-space:pre-wrap}",
      ".text a{color:#005eb8;text-decoration:underline}",
      ".text a:visited{color:#330072}",
      ".msg-staff .text a{color:#fff}",
      ".ended{margin:0 0 .75em;color:#4c6272;text-align:center}",
      ".status{color:#4c6272}",
      ".status:empty,.alert:empty{margin-bottom:0}",
      ".alert{font-weight:700}",
      ".alert:not(:empty){padding:.5em .75em;background:#fff;border-left:6px solid #d5281b}",
      // The box and Send side by side under the label, End chat and clear
      // beside the label.
      ".form{display:grid;grid-template-columns:1fr auto;align-items:end;gap:.25em .5em;padding:.5em 1em .75em;background:#fff;border-top:1px solid #d8dde0}",
      "label{font-weight:700}",
      ".end{grid-area:1/2;justify-self:end;padding:0;border:0;background:none;color:#005eb8;text-decoration:underline;cursor:pointer}",
      ".end:hover{color:#7c2855}",
      ".count{grid-column:1/-1;margin:0}",
      ".count.over{color:#d5281b;font-weight:700}",
      ".send{margin-bottom:4px}",
      "textarea{display:block;width:100%;max-height:9.5em;padding:.3em;border:2px solid #4c6272;border-radius:0;background:#fff;resize:none}",
      "textarea:focus{outline:4px solid #ffeb3b;outline-offset:0;border-color:#212b32;box-shadow:inset 0 0 0 2px #212b32}",
      "textarea[aria-invalid=true]{border-color:#d5281b}",
      ".buttons{display:flex;flex-wrap:wrap;gap:.75em;margin-top:.75em}",
      ".confirm{grid-column:1/-1;margin-top:.5em;padding:.75em;border-left:6px solid #d5281b;background:#f0f4f5}",
      ".confirm p{margin:0}",
      // Last, so that focus wins over hover.
      ".btn:focus,.launcher:focus,.close:focus{background:#ffeb3b;color:#212b32;box-shadow:0 4px 0 #212b32;outline:4px solid transparent;outline-offset:4px}",
      ".msg .text a:focus{color:#212b32}"
    ].join("\n");
    if (shadow.adoptedStyleSheets && typeof CSSStyleSheet === "function" && CSSStyleSheet.prototype.replaceSync) {
      // A constructed sheet is not an inline style, so a page's CSP allows it.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      shadow.appendChild(h("style", null, [css]));
    }
  }
})();
