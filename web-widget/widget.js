/*
 * ohcontact web-chat widget: a chat with the occupational health (OH)
 * service for any intranet page.
 *
 *   <script src="https://OHCONTACT/widget.js" data-org="CODE"
 *           data-token="OPTIONAL_IDENTITY_TOKEN" async></script>
 *
 * Plain JavaScript, no build step. Everything lives in a Shadow DOM so the
 * page's styles and ours stay apart. The only global is
 * window.OHContactWidget with open() and close().
 */
(function () {
  "use strict";

  var FALLBACK_NOTICE = "This chat is not monitored 24/7. In an emergency call 999. " +
    "For urgent mental health help call NHS 111 and choose option 2, " +
    "or call Samaritans free on 116 123.";
  var DEFAULT_SERVICE = "Occupational Health";
  var MAX_CHARS = 1000;
  var AUTHORS = { staff: "You", bot: "OH assistant", clinician: "OH clinician" };
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
  var launcherBadge = h("span", { "class": "badge", hidden: "" }, [h("span", { "class": "vh" }, [", "]), "New message"]);
  var launcher = h("button", { type: "button", "class": "launcher" },
    [icon(), launcherLabel, launcherBadge]);
  var announcer = h("p", { "class": "vh", role: "status" });

  var title = h("h2", { id: "ohc-title" });
  var closeBtn = h("button", { type: "button", "class": "close", "aria-label": "Close chat" },
    [h("span", { "aria-hidden": "true" }, ["\u00d7 "]), "Close"]);
  var notice = h("p", { "class": "notice" });
  var identityLine = h("p", { "class": "hint", hidden: "" });
  var log = h("ol", { "class": "messages" });
  // The log scrolls, so it takes focus for keyboard scrolling.
  var logBox = h("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Chat messages", tabindex: "0" }, [log]);
  var statusEl = h("p", { "class": "status", role: "status" });
  var alertEl = h("p", { "class": "alert", role: "alert" });
  var textarea = h("textarea", { id: "ohc-text", rows: "3", autocomplete: "off", "aria-describedby": "ohc-count" });
  var countEl = h("p", { id: "ohc-count", "class": "hint" });
  var sendBtn = h("button", { type: "submit", "class": "btn" }, ["Send"]);
  var endBtn = h("button", { type: "button", "class": "btn btn-secondary" }, ["End chat and clear"]);
  var confirmText = h("p", { id: "ohc-confirm", tabindex: "-1" },
    ["End this chat and clear it from this screen? Do this if other people use this computer."]);
  var yesBtn = h("button", { type: "button", "class": "btn btn-warning" }, ["Yes, end and clear"]);
  var noBtn = h("button", { type: "button", "class": "btn btn-secondary" }, ["Cancel"]);
  var confirmBox = h("div", { "class": "confirm", role: "group", "aria-labelledby": "ohc-confirm", hidden: "" },
    [confirmText, h("div", { "class": "buttons" }, [yesBtn, noBtn])]);
  var form = h("form", { "class": "form" }, [
    h("label", { "for": "ohc-text" }, ["Your message"]),
    countEl, textarea,
    h("div", { "class": "buttons" }, [sendBtn, endBtn]),
    confirmBox
  ]);
  var panel = h("section", { "class": "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "ohc-title", hidden: "" }, [
    h("div", { "class": "header" }, [title, closeBtn]),
    notice, identityLine, logBox, statusEl, alertEl, form
  ]);
  // A landmark, so that everything on the page is in one.
  root.appendChild(h("aside", { "aria-label": "Occupational health chat" }, [launcher, announcer, panel]));

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

  function showNames() {
    var name = service || DEFAULT_SERVICE;
    launcherLabel.textContent = "Chat with " + name;
    title.textContent = name;
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
        [url, h("span", { "class": "vh" }, [" (opens in a new tab)"])]) : document.createTextNode(url));
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
    var who = AUTHORS[author] || "OH service";
    var meta = h("span", { "class": "meta" });
    var body = h("div", { "class": "text" });
    appendLinked(body, text);
    return h("li", { "class": "msg msg-" + (AUTHORS[author] ? author : "bot") }, [
      h("p", { "class": "who" }, [h("strong", null, [who]), " ", meta]),
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

  function scrollDown() {
    logBox.scrollTop = logBox.scrollHeight;
  }

  function setStatus(text) {
    statusEl.textContent = text;
  }

  function showAlert(text) {
    // Emptied first so that the same message twice is announced twice.
    alertEl.textContent = "";
    setTimeout(function () { alertEl.textContent = text; }, 50);
  }

  function updateCount() {
    var n = Array.from(textarea.value).length;
    var over = n > MAX_CHARS;
    countEl.textContent = n === 0 ? "You can enter up to " + chars(MAX_CHARS) + "." :
      over ? "You have " + chars(n - MAX_CHARS) + " too many." :
        "You have " + chars(MAX_CHARS - n) + " remaining.";
    countEl.classList.toggle("over", over);
    if (over) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  }

  function chars(n) {
    return n + (n === 1 ? " character" : " characters");
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
    storageSet(STORE_KEY, session ? JSON.stringify({ session: session, service: service, seen: seen }) : null);
  }

  function tokenSignature(t) {
    return t.slice(t.lastIndexOf(".") + 1);
  }

  // ---- connection ------------------------------------------------------

  function connect() {
    if (ws || stopped) return;
    clearTimeout(timer);
    timer = 0;
    if (!everReady) setStatus("Connecting\u2026");
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
      sock.send(JSON.stringify({ type: "hello", token: token, session: session, after: lastSeq }));
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
      setMeta(o.el, "Waiting to send\u2026");
    });
    if (code === 1000) {
      // The server is done with us: connect again when the person acts.
      if (!ending) setStatus("");
      return;
    }
    if (code === 1008) {
      stopped = true;
      setStatus("Disconnected.");
      showAlert(lastError || reason || "The chat is not available. Refresh the page to try again.");
      return;
    }
    retry();
  }

  // retry connects again after an exponential backoff with jitter: half to
  // all of 1 s, 2 s, 4 s … up to 30 s.
  function retry() {
    var base = Math.min(30000, 1000 * Math.pow(2, attempts++));
    setStatus("Reconnecting\u2026");
    timer = setTimeout(connect, base / 2 + Math.random() * base / 2);
  }

  function send(frame) {
    ws.send(JSON.stringify(frame));
  }

  function transmit(o) {
    send({ type: "send", id: o.id, text: o.text });
    o.sent = true;
    setMeta(o.el, "Sending\u2026");
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
    else if (f.type === "ended") onEnded();
  }

  function onReady(f) {
    if (helloToken) {
      storageSet(SPENT_KEY, tokenSignature(helloToken));
      token = helloToken = "";
    }
    session = str(f.session);
    service = str(f.service) || service;
    setText(notice, str(f.notice) || FALLBACK_NOTICE);
    identityLine.textContent = f.identity === "staff" ?
      "You are signed in: the OH team can see who you are." :
      "You are anonymous: the OH team does not know who you are unless you tell them.";
    identityLine.hidden = false;
    showNames();
    save();
    isReady = true;
    attempts = 0;
    lastError = "";
    setStatus(everReady ? "Reconnected." : "");
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
        announcer.textContent = "New message from " + (AUTHORS[f.author] || "the OH service") + ".";
      }
    } else {
      seen = lastSeq;
      save();
    }
    scrollDown();
  }

  function onError(f) {
    lastError = str(f.message) || "Something went wrong. Try again.";
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
      setMeta(o.el, "Not sent");
    });
    if (failed.length && textarea.value === "") {
      textarea.value = failed[failed.length - 1].text;
      updateCount();
    }
  }

  // onEnded forgets the conversation. After "End chat and clear" the
  // transcript is already gone and the session (who the person is) is
  // forgotten too. When the service ends it (the flow finished), the
  // transcript stays on screen (it may hold crisis contacts) but belongs to
  // no conversation any more, and the session is kept: the person's next
  // message starts a new conversation as the same person.
  function onEnded() {
    detach();
    if (ending) {
      forget();
    } else {
      log.appendChild(h("li", { "class": "ended" }, ["This chat has ended."]));
      setStatus("Chat ended.");
      restart();
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
      showAlert("Enter a message.");
      return;
    }
    if (Array.from(text).length > MAX_CHARS) {
      showAlert("Your message is too long. Shorten it to " + MAX_CHARS + " characters or fewer.");
      return;
    }
    if (stopped) {
      showAlert(lastError || "The chat is not available. Refresh the page to try again.");
      return;
    }
    var o = { id: newId(), text: text, el: messageEl("staff", text), sent: false };
    o.el.classList.add("pending");
    setMeta(o.el, "Waiting to send\u2026");
    log.appendChild(o.el);
    sentEls[o.id] = o.el;
    outbox.push(o);
    textarea.value = "";
    alertEl.textContent = "";
    updateCount();
    scrollDown();
    if (isReady) transmit(o);
    else connect();
  }

  function endChat() {
    confirmBox.hidden = true;
    log.textContent = "";
    textarea.value = "";
    updateCount();
    outbox = [];
    sentEls = {};
    alertEl.textContent = "";
    setStatus("Chat ended and cleared.");
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
    scrollDown();
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
  textarea.addEventListener("input", updateCount);
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

  showNames();
  setText(notice, FALLBACK_NOTICE);
  updateCount();
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
      ".panel{position:fixed;right:16px;bottom:16px;z-index:2147483001;display:flex;flex-direction:column;width:22em;max-width:calc(100vw - 32px);height:36em;max-height:calc(100vh - 32px);overflow-y:auto;overflow-wrap:anywhere;background:#f0f4f5;border:1px solid #d8dde0;border-radius:4px;box-shadow:0 4px 16px rgba(33,43,50,.3);animation:ohc-in .2s ease-out}",
      "@keyframes ohc-in{from{opacity:0;transform:translateY(1em)}}",
      "@media (max-width:30em){.panel{inset:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0;border:0}}",
      "@media (prefers-reduced-motion:reduce){.panel{animation:none}}",
      ".header{display:flex;align-items:center;justify-content:space-between;gap:.5em;padding:.5em .75em .5em 1em;background:#005eb8;color:#fff}",
      "h2{margin:0;font-size:1.1em;line-height:1.3;font-weight:700}",
      ".close{flex:none;padding:.25em .5em;border:2px solid #fff;border-radius:4px;background:transparent;color:#fff;font-weight:700;cursor:pointer}",
      ".close:hover{background:#003087}",
      // The log takes the room there is and scrolls; when there is too
      // little room for it (zoomed in, short screens) the panel scrolls.
      ".panel>p,.log{flex:none;margin:0 1em .5em}",
      ".panel>.notice{margin-top:.75em;padding:.5em .75em;background:#fff9c4;border-left:8px solid #ffb81c}",
      // Small print is 16px: never smaller.
      ".hint,.who,.status,.ended{font-size:16px}",
      ".hint{color:#4c6272}",
      ".log{flex:1 1 0;min-height:8em;padding:.25em;overflow-y:auto;scroll-behavior:smooth}",
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
      ".form{padding:.75em 1em 1em;background:#fff;border-top:1px solid #d8dde0}",
      "label{display:block;font-weight:700}",
      ".form .hint{margin:0 0 .25em}",
      ".hint.over{color:#d5281b;font-weight:700}",
      "textarea{display:block;width:100%;min-height:4.5em;padding:.3em;border:2px solid #4c6272;border-radius:0;background:#fff;resize:vertical}",
      "textarea:focus{outline:4px solid #ffeb3b;outline-offset:0;border-color:#212b32;box-shadow:inset 0 0 0 2px #212b32}",
      "textarea[aria-invalid=true]{border-color:#d5281b}",
      ".buttons{display:flex;flex-wrap:wrap;gap:.75em;margin-top:.75em}",
      ".confirm{margin-top:1em;padding:.75em;border-left:6px solid #d5281b;background:#f0f4f5}",
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
