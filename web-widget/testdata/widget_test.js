// Behaviour tests for widget.js as served (its path the first argument),
// run by widget_test.go with Node.
//
// The widget runs in a vm context with a small fake DOM, a fake WebSocket
// that the test plays the server on, fake timers and a sessionStorage that
// survives "reloads". It checks the protocol and state handling; looks and
// accessibility need a real browser.
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");
const assert = require("assert");

const source = fs.readFileSync(process.argv[2] || path.join(__dirname, "..", "widget.js"), "utf8");

// ---- fake DOM -------------------------------------------------------------

class Node {
  constructor() {
    this.childNodes = [];
    this.parentNode = null;
    this.listeners = {};
  }
  appendChild(c) {
    return this.insertBefore(c, null);
  }
  insertBefore(c, ref) {
    if (c.parentNode) c.parentNode.removeChild(c);
    const i = ref ? this.childNodes.indexOf(ref) : this.childNodes.length;
    if (i < 0) throw new Error("insertBefore: reference is not a child");
    this.childNodes.splice(i, 0, c);
    c.parentNode = this;
    return c;
  }
  removeChild(c) {
    this.childNodes.splice(this.childNodes.indexOf(c), 1);
    c.parentNode = null;
    return c;
  }
  get nextSibling() {
    if (!this.parentNode) return null;
    const s = this.parentNode.childNodes;
    return s[s.indexOf(this) + 1] || null;
  }
  get children() {
    return this.childNodes.filter((n) => n instanceof Element);
  }
  get textContent() {
    return this.childNodes.map((n) => n.textContent).join("");
  }
  set textContent(v) {
    this.childNodes.forEach((n) => { n.parentNode = null; });
    this.childNodes = [];
    if (v !== "") this.appendChild(new Text(String(v)));
  }
  addEventListener(type, fn) {
    (this.listeners[type] = this.listeners[type] || []).push(fn);
  }
  // dispatch fires an event that bubbles up through shadow roots.
  dispatch(type, props) {
    const ev = Object.assign({
      type, target: this, defaultPrevented: false, stopped: false,
      preventDefault() { this.defaultPrevented = true; },
      stopPropagation() { this.stopped = true; },
    }, props);
    for (let n = this; n && !ev.stopped; n = n.parentNode || n.host) {
      (n.listeners[type] || []).forEach((fn) => fn.call(n, ev));
    }
    return ev;
  }
  descendants() {
    const out = [];
    const walk = (n) => n.children.forEach((c) => { out.push(c); walk(c); });
    walk(this);
    return out;
  }
  querySelectorAll(sel) {
    let m;
    if ((m = /^\.([\w-]+)$/.exec(sel))) return this.descendants().filter((e) => e.classList.contains(m[1]));
    if ((m = /^\[([\w-]+)\]$/.exec(sel))) return this.descendants().filter((e) => e.getAttribute(m[1]) !== null);
    throw new Error("fake DOM: unsupported selector " + sel);
  }
  querySelector(sel) {
    return this.querySelectorAll(sel)[0] || null;
  }
}

class Text extends Node {
  constructor(data) {
    super();
    this.data = data;
  }
  get textContent() {
    return this.data;
  }
}

class Element extends Node {
  constructor(doc, tag) {
    super();
    this.ownerDocument = doc;
    this.tagName = tag.toUpperCase();
    this.attrs = new Map();
    this.value = "";
    this.scrollTop = 0;
  }
  setAttribute(k, v) {
    this.attrs.set(k, String(v));
  }
  getAttribute(k) {
    return this.attrs.has(k) ? this.attrs.get(k) : null;
  }
  removeAttribute(k) {
    this.attrs.delete(k);
  }
  get hidden() {
    return this.attrs.has("hidden");
  }
  set hidden(v) {
    if (v) this.setAttribute("hidden", "");
    else this.removeAttribute("hidden");
  }
  get classList() {
    const el = this;
    const list = () => (el.getAttribute("class") || "").split(/\s+/).filter(Boolean);
    const set = (l) => el.setAttribute("class", l.join(" "));
    return {
      contains: (c) => list().includes(c),
      add: (...cs) => set([...new Set(list().concat(cs))]),
      remove: (...cs) => set(list().filter((x) => !cs.includes(x))),
      toggle: (c, on) => (on ? set([...new Set(list().concat([c]))]) : set(list().filter((x) => x !== c))),
    };
  }
  get scrollHeight() {
    return 1000;
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  click() {
    const ev = this.dispatch("click");
    if (ev.defaultPrevented || this.tagName !== "BUTTON" || this.getAttribute("type") !== "submit") return;
    let f = this.parentNode;
    while (f && f.tagName !== "FORM") f = f.parentNode;
    if (f) f.dispatch("submit");
  }
  attachShadow() {
    this.shadowRoot = new Node();
    this.shadowRoot.host = this;
    return this.shadowRoot;
  }
}

// ---- fake browser -----------------------------------------------------------

class Storage {
  constructor() {
    this.m = new Map();
  }
  getItem(k) {
    return this.m.has(k) ? this.m.get(k) : null;
  }
  setItem(k, v) {
    this.m.set(k, String(v));
  }
  removeItem(k) {
    this.m.delete(k);
  }
}

// load runs widget.js in a fresh page and returns handles on it. Pass the
// previous page's storage to simulate a reload in the same tab.
function load(opts) {
  opts = Object.assign({ src: "https://oh.example.nhs.uk/widget.js", org: "RX1", token: "", lang: "", pageLang: "en-GB", storage: new Storage() }, opts);
  const doc = { activeElement: null, listeners: {}, documentElement: { lang: opts.pageLang } };
  doc.createElement = (t) => new Element(doc, t);
  doc.createElementNS = (ns, t) => new Element(doc, t);
  doc.createTextNode = (t) => new Text(t);
  doc.body = new Element(doc, "body");
  doc.addEventListener = () => {};
  const script = new Element(doc, "script");
  script.src = opts.src;
  script.setAttribute("data-org", opts.org);
  if (opts.token) script.setAttribute("data-token", opts.token);
  if (opts.lang) script.setAttribute("data-lang", opts.lang);
  doc.currentScript = script;

  const sockets = [];
  class WebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.readyState = 0;
      sockets.push(this);
    }
    send(d) {
      assert.strictEqual(this.readyState, 1, "send on a socket that is not open");
      this.sent.push(JSON.parse(d));
    }
    close(code) {
      this.readyState = 3;
      this.closedWith = code;
    }
    open() {
      this.readyState = 1;
      this.onopen({});
    }
    frame(obj) {
      this.onmessage({ data: typeof obj === "string" ? obj : JSON.stringify(obj) });
    }
    drop(code, reason) {
      this.readyState = 3;
      this.onclose({ code, reason: reason || "" });
    }
  }

  let timers = [];
  const sandbox = {
    document: doc,
    location: { href: "https://intranet.example.nhs.uk/home" },
    sessionStorage: opts.storage,
    crypto: { getRandomValues: (a) => { for (let i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256); return a; } },
    URL,
    WebSocket,
    setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimeout: () => { timers = []; },
    addEventListener: () => {},
    console,
  };
  sandbox.window = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(source, sandbox, { filename: "widget.js" });

  const host = doc.body.children[0];
  const root = host && host.shadowRoot;
  const all = () => root.descendants();
  const byText = (tag, text) => all().find((e) => e.tagName === tag && e.textContent.includes(text));
  const byAttr = (k, v) => all().find((e) => e.getAttribute(k) === v);
  return {
    doc, root, storage: opts.storage, sockets, sandbox,
    socket: () => sockets[sockets.length - 1],
    launcher: () => all().find((e) => (e.getAttribute("class") || "").includes("launcher")),
    // launcherText is the launcher's text as shown: without hidden parts.
    launcherText() {
      return this.launcher().children.filter((c) => !c.hidden).map((c) => c.textContent).join("");
    },
    panel: () => byAttr("role", "dialog"),
    title: () => byAttr("id", "ohc-title"),
    log: () => all().find((e) => e.tagName === "OL"),
    status: () => all().find((e) => e.getAttribute("role") === "status" && e.getAttribute("class") === "status"),
    alert: () => byAttr("role", "alert"),
    notice: () => all().find((e) => e.getAttribute("class") === "notice"),
    textarea: () => all().find((e) => e.tagName === "TEXTAREA"),
    button: (text) => byText("BUTTON", text),
    // messages returns the transcript as "who|meta|text|seq" strings.
    messages: () => all().find((e) => e.tagName === "OL").children.map((li) => {
      const meta = li.querySelector(".meta");
      const text = li.querySelector(".text");
      return text ? [li.querySelector(".who").children[0].textContent, meta.textContent, text.textContent, li.getAttribute("data-seq")].join("|") : li.textContent;
    }),
    type(text) {
      const t = this.textarea();
      t.value = text;
      t.dispatch("input");
    },
    // runTimers runs the timers due now, as the browser's event loop would.
    runTimers() {
      const due = timers;
      timers = [];
      due.forEach((t) => t.fn());
      return due.map((t) => t.ms);
    },
  };
}

// ---- scenarios --------------------------------------------------------------

const all = (p) => p.root.descendants();

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

const ready = { type: "ready", session: "s1.sess", identity: "staff", service: "Tyne OH", notice: "Not monitored 24/7. Call 999 in an emergency." };
const token = "eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

test("finds its server and connects only when opened", () => {
  const p = load({ src: "https://oh.example.nhs.uk/chat/widget.js", token });
  assert.ok(p.root, "no shadow root attached to an element in body");
  assert.strictEqual(p.launcherText(), "Chat with Occupational Health");
  assert.ok(p.panel().hidden);
  assert.ok(p.notice().textContent.includes("116 123"), "fallback notice missing before ready");
  assert.strictEqual(p.sockets.length, 0, "connected before the panel was opened");
  p.launcher().click();
  assert.ok(!p.panel().hidden);
  assert.ok(p.launcher().hidden);
  assert.strictEqual(p.doc.activeElement, p.textarea(), "focus did not move to the textarea");
  assert.strictEqual(p.socket().url, "wss://oh.example.nhs.uk/chat/ws/chat?org=RX1");
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent, [{ type: "hello", token, session: "", after: 0, lang: "en-GB" }]);
});

test("has the structure assistive technology needs", () => {
  const p = load();
  const all = p.root.descendants();
  const byId = (id) => all.find((e) => e.getAttribute("id") === id);
  const dialog = p.panel();
  assert.strictEqual(dialog.getAttribute("aria-modal"), "false");
  assert.strictEqual(byId(dialog.getAttribute("aria-labelledby")).tagName, "H2");
  const log = all.find((e) => e.getAttribute("role") === "log");
  assert.strictEqual(log.getAttribute("aria-live"), "polite");
  assert.strictEqual(log.getAttribute("tabindex"), "0");
  const label = all.find((e) => e.tagName === "LABEL");
  assert.strictEqual(label.textContent, "Your message");
  assert.strictEqual(byId(label.getAttribute("for")), p.textarea());
  assert.strictEqual(byId(p.textarea().getAttribute("aria-describedby")).textContent, "You can enter up to 1,000 characters.");
  assert.strictEqual(p.button("Close").getAttribute("aria-label"), "Close chat");
  assert.ok(p.status() && p.alert(), "status and alert regions missing");
  assert.strictEqual(all.filter((e) => e.tagName === "ASIDE").length, 1, "not in a landmark");
  for (const b of all.filter((e) => e.tagName === "BUTTON")) {
    assert.ok(b.getAttribute("type"), "button without a type: " + b.textContent);
    assert.ok(b.textContent.trim(), "button without text");
  }
  assert.ok(all.some((e) => e.tagName === "STYLE"), "no styles without constructable style sheets");
});

test("ws:// for a plain-http server", () => {
  const p = load({ src: "http://127.0.0.1:8080/widget.js" });
  p.sandbox.OHContactWidget.open();
  assert.strictEqual(p.socket().url, "ws://127.0.0.1:8080/ws/chat?org=RX1");
});

test("refuses a malformed organisation code", () => {
  const p = load({ org: "RX1\"><b" });
  assert.strictEqual(p.root, undefined);
  assert.strictEqual(p.sandbox.OHContactWidget, undefined);
});

test("ready names the service, shows the notice and stores the session", () => {
  const p = load({ token });
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  assert.strictEqual(p.title().textContent, "Tyne OH");
  assert.strictEqual(p.launcherText(), "Chat with Tyne OH");
  assert.strictEqual(p.notice().textContent, ready.notice);
  const stored = JSON.parse(p.storage.getItem("ohcontact:RX1"));
  assert.strictEqual(stored.session, "s1.sess");
  assert.strictEqual(p.storage.getItem("ohcontact:RX1:spent-token"), "c2lnbmF0dXJl");
});

test("sends, renders the echo in place and messages as text with safe links", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.type("  I'm off with my back\nsince Monday  ");
  p.button("Send").click();
  const send = p.socket().sent[1];
  assert.strictEqual(send.type, "send");
  assert.match(send.id, /^[A-Za-z0-9_-]{16,32}$/);
  assert.strictEqual(send.text, "I'm off with my back\nsince Monday");
  assert.strictEqual(p.textarea().value, "");
  assert.deepStrictEqual(p.messages(), ["You|Sending...|I'm off with my back\nsince Monday|"]);
  p.socket().frame({ type: "message", seq: 2, author: "bot", text: "Hello <b>there</b>. See https://example.nhs.uk/physio. Or javascript:alert(1)", at: "2026-03-02T09:30:00Z" });
  p.socket().frame({ type: "message", seq: 1, author: "staff", text: "I'm off with my back since Monday", at: "2026-03-02T09:29:00Z", id: send.id });
  p.socket().frame({ type: "message", seq: 2, author: "bot", text: "duplicate", at: "2026-03-02T09:30:00Z" });
  p.socket().frame({ type: "message", seq: 3, author: "clinician", text: "Hi, I'm Sam from OH.", at: "not a time" });
  p.socket().frame("not json");
  const msgs = p.messages();
  assert.strictEqual(msgs.length, 3, msgs.join("\n"));
  assert.match(msgs[0], /^You\|\d\d:\d\d\|I'm off with my back\nsince Monday\|1$/);
  assert.match(msgs[1], /^OH assistant\|\d\d:\d\d\|Hello <b>there<\/b>\. See https:\/\/example\.nhs\.uk\/physio \(opens in a new tab\)\. Or javascript:alert\(1\)\|2$/);
  assert.strictEqual(msgs[2], "OH clinician||Hi, I'm Sam from OH.|3");
  const links = p.log().descendants().filter((e) => e.tagName === "A");
  assert.strictEqual(links.length, 1);
  assert.strictEqual(links[0].getAttribute("href"), "https://example.nhs.uk/physio");
  assert.strictEqual(links[0].getAttribute("rel"), "noopener noreferrer");
  assert.strictEqual(links[0].getAttribute("target"), "_blank");
  assert.ok(!p.log().descendants().some((e) => e.tagName === "B"), "markup in a message became an element");
});

test("blocks a message over 1000 characters", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.type("a".repeat(1001));
  assert.strictEqual(p.textarea().getAttribute("aria-invalid"), "true");
  p.button("Send").click();
  p.runTimers();
  assert.strictEqual(p.socket().sent.length, 1, "a long message was sent");
  assert.match(p.alert().textContent, /too long/);
  p.type("\u{1F600}".repeat(1000)); // 1000 characters, 2000 UTF-16 units
  p.button("Send").click();
  assert.strictEqual(p.socket().sent.length, 2);
});

test("Enter sends, Shift+Enter does not", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.type("line one");
  let ev = p.textarea().dispatch("keydown", { key: "Enter", shiftKey: true });
  assert.ok(!ev.defaultPrevented);
  assert.strictEqual(p.socket().sent.length, 1);
  ev = p.textarea().dispatch("keydown", { key: "Enter", shiftKey: false });
  assert.ok(ev.defaultPrevented);
  assert.strictEqual(p.socket().sent.length, 2);
});

test("reconnects with backoff, resumes after the last seq and re-sends unacknowledged sends", () => {
  const p = load({ token });
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.socket().frame({ type: "message", seq: 1, author: "bot", text: "Hello", at: "2026-03-02T09:30:00Z" });
  p.type("are you there?");
  p.button("Send").click();
  const id = p.socket().sent[1].id;
  p.socket().drop(1006);
  assert.strictEqual(p.status().textContent, "Reconnecting...");
  assert.match(p.messages()[1], /Waiting to send/);
  const delays = [];
  for (let i = 0; i < 7; i++) {
    delays.push(p.runTimers()[0]);
    p.socket().drop(1006);
  }
  delays.forEach((d, i) => {
    const base = Math.min(30000, 1000 * 2 ** i);
    assert.ok(d >= base / 2 && d <= base, `attempt ${i}: delay ${d} outside [${base / 2}, ${base}]`);
  });
  p.runTimers();
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent, [{ type: "hello", token: "", session: "s1.sess", after: 1, lang: "en-GB" }]);
  p.socket().frame(ready);
  assert.strictEqual(p.status().textContent, "Reconnected.");
  assert.deepStrictEqual(p.socket().sent[1], { type: "send", id, text: "are you there?" });
  // The backoff starts again after a successful hello.
  p.socket().drop(1001);
  assert.ok(p.runTimers()[0] <= 1000);
});

test("a 1008 close stops reconnecting and shows the server's message", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame({ type: "error", code: "origin", message: "This page may not use the chat." });
  p.socket().drop(1008);
  p.runTimers();
  assert.strictEqual(p.sockets.length, 1);
  assert.strictEqual(p.alert().textContent, "This page may not use the chat.");
  p.type("hello");
  p.button("Send").click();
  assert.strictEqual(p.sockets.length, 1);
});

test("a 1000 close does not reconnect until the person acts", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.socket().drop(1000);
  assert.deepStrictEqual(p.runTimers(), []);
  p.type("back again");
  p.button("Send").click();
  assert.strictEqual(p.sockets.length, 2);
  p.socket().open();
  p.socket().frame(ready);
  assert.strictEqual(p.socket().sent[1].text, "back again");
});

test("a token error drops the token and the stored session, and either outcome is handled", () => {
  const storage = new Storage();
  storage.setItem("ohcontact:RX1", JSON.stringify({ session: "s1.old", service: "Tyne OH", seen: 0 }));
  const p = load({ token, storage });
  assert.strictEqual(p.sockets.length, 1, "a stored session should connect at load");
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent[0], { type: "hello", token, session: "s1.old", after: 0, lang: "en-GB" });
  p.socket().frame({ type: "error", code: "token_expired", message: "Your sign-in has expired." });
  p.runTimers();
  assert.strictEqual(p.alert().textContent, "Your sign-in has expired.");
  assert.strictEqual(storage.getItem("ohcontact:RX1"), null);
  // The server closes: the next hello is anonymous and fresh.
  p.socket().drop(1011);
  p.runTimers();
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent[0], { type: "hello", token: "", session: "", after: 0, lang: "en-GB" });
  // Or it carries on anonymously.
  p.socket().frame(Object.assign({}, ready, { identity: "anonymous", session: "s1.anon" }));
  assert.strictEqual(JSON.parse(storage.getItem("ohcontact:RX1")).session, "s1.anon");
  assert.strictEqual(storage.getItem("ohcontact:RX1:spent-token"), "c2lnbmF0dXJl", "a refused token would be offered again");
});

test("a reload re-renders the history, skips a spent token and flags unread replies", () => {
  const first = load({ token });
  first.launcher().click();
  first.socket().open();
  first.socket().frame(ready);
  first.socket().frame({ type: "message", seq: 1, author: "bot", text: "Hello", at: "2026-03-02T09:30:00Z" });
  first.button("Close").click();
  assert.strictEqual(first.doc.activeElement, first.launcher(), "focus did not return to the launcher");

  const p = load({ token, storage: first.storage }); // same cached page, same token
  assert.strictEqual(p.launcherText(), "Chat with Tyne OH");
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent[0], { type: "hello", token: "", session: "s1.sess", after: 0, lang: "en-GB" });
  p.socket().frame(ready);
  p.socket().frame({ type: "message", seq: 1, author: "bot", text: "Hello", at: "2026-03-02T09:30:00Z" });
  const badge = p.launcher().children[2];
  assert.ok(badge.hidden, "a message already seen was flagged as new");
  p.socket().frame({ type: "message", seq: 2, author: "clinician", text: "Are you free to talk?", at: "2026-03-02T10:00:00Z" });
  assert.ok(!badge.hidden);
  assert.strictEqual(p.launcherText(), "Chat with Tyne OH, New message");
  p.launcher().click();
  assert.ok(badge.hidden);
  assert.strictEqual(p.messages().length, 2);

  const fresh = load({ token: "eyJzdWIiOiIyIn0.bmV3", storage: first.storage }); // a new page view
  fresh.socket().open();
  assert.strictEqual(fresh.socket().sent[0].token, "eyJzdWIiOiIyIn0.bmV3");
});

test("End chat and clear asks first, then ends and forgets everything", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.socket().frame({ type: "message", seq: 1, author: "bot", text: "Hello", at: "2026-03-02T09:30:00Z" });
  p.button("End chat and clear").click();
  assert.strictEqual(p.socket().sent.length, 1, "ended without asking");
  assert.strictEqual(p.doc.activeElement.getAttribute("id"), "ohc-confirm");
  p.button("Cancel").click();
  assert.strictEqual(p.doc.activeElement, p.button("End chat and clear"));
  p.button("End chat and clear").click();
  p.button("Yes, end and clear").click();
  assert.deepStrictEqual(p.socket().sent[1], { type: "end" });
  assert.deepStrictEqual(p.messages(), []);
  assert.strictEqual(p.storage.getItem("ohcontact:RX1"), null);
  p.socket().frame({ type: "message", seq: 2, author: "bot", text: "Goodbye", at: "2026-03-02T09:31:00Z" });
  assert.deepStrictEqual(p.messages(), [], "a message arrived in the cleared transcript");
  const sock = p.socket();
  sock.frame({ type: "ended" });
  assert.strictEqual(sock.closedWith, 1000);
  assert.deepStrictEqual(p.messages(), []);
  // A new message starts a new, anonymous conversation from seq 0.
  p.type("new question");
  p.button("Send").click();
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent[0], { type: "hello", token: "", session: "", after: 0, lang: "en-GB" });
});

test("an ended conversation keeps its transcript on screen", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.socket().frame({ type: "message", seq: 1, author: "clinician", text: "Call 111 option 2 if you need to.", at: "2026-03-02T09:30:00Z" });
  p.socket().frame({ type: "ended" });
  assert.deepStrictEqual(p.messages().slice(1), ["This chat has ended."]);
  // The person stays who they are: the next message starts a new
  // conversation with the same session, from seq 0.
  assert.strictEqual(JSON.parse(p.storage.getItem("ohcontact:RX1")).session, ready.session);
  p.type("one more thing");
  p.button("Send").click();
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent[0], { type: "hello", token: "", session: ready.session, after: 0, lang: "en-GB" });
});

test("server refusals of a send mark it not sent and give the text back", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.type("too fast");
  p.button("Send").click();
  p.socket().frame({ type: "error", code: "rate_limited", message: "Slow down a little." });
  p.runTimers();
  assert.strictEqual(p.alert().textContent, "Slow down a little.");
  assert.match(p.messages()[0], /^You\|Not sent\|too fast\|$/);
  assert.strictEqual(p.textarea().value, "too fast");
});

test("the messages and replies of a conversation that closes at once are shown", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.type("sick");
  p.button("Send").click();
  const id = p.socket().sent[1].id;
  p.socket().frame({ type: "message", seq: 1, author: "staff", text: "sick", at: "2026-03-02T09:29:00Z", id });
  p.socket().frame({ type: "message", seq: 2, author: "bot", text: "Sign in to report an absence.", at: "2026-03-02T09:29:00Z" });
  p.socket().frame({ type: "ended" });
  const msgs = p.messages();
  assert.match(msgs[0], /^You\|\d\d:\d\d\|sick\|$/);
  assert.match(msgs[1], /^OH assistant\|\d\d:\d\d\|Sign in to report an absence\.\|$/);
  assert.strictEqual(msgs[2], "This chat has ended.");
});

test("End chat and clear keeps a signed-in person for the next conversation", () => {
  const p = load({ token });
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.button("End chat and clear").click();
  p.button("Yes, end and clear").click();
  p.socket().frame({ type: "ended", session: "s1.next" });
  assert.strictEqual(p.storage.getItem("ohcontact:RX1"), null, "the ended chat stayed in storage");
  p.type("hello again");
  p.button("Send").click();
  p.socket().open();
  assert.deepStrictEqual(p.socket().sent[0], { type: "hello", token: "", session: "s1.next", after: 0, lang: "en-GB" });
});

test("the widget's words follow the conversation's language", () => {
  const p = load();
  p.launcher().click();
  p.socket().open();
  p.socket().frame(ready);
  p.socket().frame({ type: "message", seq: 1, author: "bot", text: "Hello", at: "2026-03-02T09:30:00Z" });
  p.socket().frame({ type: "lang", lang: "cy", notice: "Nid yw'r sgwrs hon yn cael ei monitro 24/7." });
  assert.ok(p.button("Anfon"), "no Welsh Send button");
  assert.strictEqual(all(p).find((e) => e.tagName === "LABEL").textContent, "Eich neges");
  assert.strictEqual(p.notice().textContent, "Nid yw'r sgwrs hon yn cael ei monitro 24/7.");
  assert.match(p.messages()[0], /^Cynorthwyydd Iechyd Galwedigaethol\|/);
  assert.strictEqual(p.button("Cau").getAttribute("aria-label"), "Cau'r sgwrs");
  assert.strictEqual(all(p).find((e) => e.tagName === "ASIDE").getAttribute("lang"), "cy");
  p.type("a".repeat(998));
  assert.strictEqual(all(p).find((e) => e.getAttribute("id") === "ohc-count").textContent, "Mae gennych 2 nod ar ôl.");
  p.socket().frame({ type: "lang", lang: "pl", notice: "Ten czat nie jest monitorowany." });
  p.type("a".repeat(1003));
  assert.strictEqual(all(p).find((e) => e.getAttribute("id") === "ohc-count").textContent, "Masz 3 znaki za dużo.");
  assert.strictEqual(JSON.parse(p.storage.getItem("ohcontact:RX1")).lang, "pl");
});

test("the page's language sets the words before the first message", () => {
  const p = load({ lang: "cy-GB" });
  assert.strictEqual(p.launcherText(), "Sgwrsio â Iechyd Galwedigaethol");
  assert.match(p.notice().textContent, /^Nid yw'r sgwrs hon yn cael ei monitro 24\/7\..*999/);
  p.launcher().click();
  p.socket().open();
  assert.strictEqual(p.socket().sent[0].lang, "cy");
  assert.strictEqual(load({ pageLang: "pl" }).launcherText(), "Czat: Medycyna pracy");
});

test("Escape closes the panel", () => {
  const p = load();
  p.launcher().click();
  p.textarea().dispatch("keydown", { key: "Escape" });
  assert.ok(p.panel().hidden);
  assert.strictEqual(p.doc.activeElement, p.launcher());
});

let failed = 0;
for (const t of tests) {
  try {
    t.fn();
    console.log("ok   " + t.name);
  } catch (e) {
    failed++;
    console.log("FAIL " + t.name + "\n" + (e.stack || e));
  }
}
if (failed) {
  console.log(failed + " of " + tests.length + " failed");
  process.exit(1);
}
