// console.js: live updates of the case queue and of a case page. The
// queue page opens GET /console/live with its own query string (its
// search, filters and page) and shows each snapshot the server sends:
// the rows, their count, when they were read, and the user's alerts.
// A case page opens GET /console/cases/{id}/live and swaps in the
// transcript, timeline and summary each frame carries, says when a new
// message from the person has come, and when the case's status or claim
// has changed under the user; it never touches the page's forms (see "Live
// updates" in escalation/console's package doc). Without this script the
// pages are the same, refreshed by hand.
(() => {
  "use strict";

  const status = document.getElementById("live-status");
  if (!status || !("WebSocket" in window)) {
    return;
  }

  const firstDelay = 1000;
  const maxDelay = 30000;

  // setStatus says, in the polite live region, whether the page is live.
  // Only a change is written, so that it is read out once.
  function setStatus(text, live) {
    if (status.textContent === text) {
      return;
    }
    status.textContent = text;
    status.classList.toggle("live-status-live", live);
    status.classList.toggle("live-status-down", !live);
  }

  function setText(el, text) {
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  // openLive opens the websocket at path and hands each frame of type to
  // show, reconnecting after a growing delay until the session ends.
  function openLive(path, type, show) {
    let delay = firstDelay;
    function connect() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${location.host}${path}`);
      ws.addEventListener("message", (e) => {
        let frame;
        try {
          frame = JSON.parse(e.data);
        } catch {
          return;
        }
        if (frame.type !== type) {
          return;
        }
        show(frame);
        delay = firstDelay;
        setStatus("Live", true);
      });
      ws.addEventListener("close", (e) => {
        if (e.code === 1008) { // the session has ended
          setStatus("Signed out: reload the page to sign in again.", false);
          return;
        }
        setStatus("Reconnecting…", false);
        setTimeout(connect, delay * (0.5 + Math.random() / 2));
        delay = Math.min(2 * delay, maxDelay);
      });
    }
    connect();
  }

  // queuePage keeps the queue's rows, count, time and alerts current.
  function queuePage(table, alerts) {
    const rows = table.tBodies[0];
    const count = table.caption;
    const shown = document.querySelector("[data-console-shown]");
    let lastRows = null;

    // showRows swaps the rows in, keeping the keyboard focus on the link of
    // the case it was on.
    function showRows(html) {
      if (html === lastRows) {
        return;
      }
      lastRows = html;
      const focused = document.activeElement;
      const row = focused && rows.contains(focused) ? focused.closest("tr[data-case-id]") : null;
      rows.innerHTML = html; // the server's template output, escaped there
      if (row) {
        const link = rows.querySelector(`tr[data-case-id="${CSS.escape(row.dataset.caseId)}"] a`);
        if (link) {
          link.focus();
        }
      }
    }

    // showAlerts keeps one banner per unseen alert: a banner already shown
    // stays (so it is not announced again) with its case's status brought
    // up to date; new ones are added after it, gone ones removed.
    function showAlerts(list) {
      const wanted = new Map(list.map((a) => [String(a.id), a]));
      for (const banner of alerts.querySelectorAll("[data-alert-id]")) {
        const a = wanted.get(banner.dataset.alertId);
        if (!a) {
          banner.remove();
          continue;
        }
        setText(banner.querySelector("[data-alert-status]"), a.status);
        wanted.delete(banner.dataset.alertId);
      }
      for (const a of wanted.values()) {
        const t = document.createElement("template");
        t.innerHTML = a.html; // the server's template output, escaped there
        alerts.append(t.content);
      }
    }

    // The page's own query string: its search, filters and page.
    openLive(`/console/live${location.search}`, "queue", (snapshot) => {
      showRows(snapshot.rows);
      setText(count, snapshot.caption);
      if (shown) {
        shown.dateTime = snapshot.at;
        setText(shown, snapshot.at_text);
      }
      showAlerts(snapshot.alerts);
    });
  }

  // casePage keeps a case page's transcript, timeline and summary current.
  // notices, a polite live region, carries what the page was rendered
  // with and receives the banners.
  function casePage(notices) {
    const id = notices.dataset.caseLive;
    const parts = {
      messages: document.querySelector("[data-case-messages]"),
      events: document.querySelector("[data-case-events]"),
      summary: document.querySelector("[data-case-summary]"),
    };
    const pageStatus = notices.dataset.caseStatus;
    const pageClaimedBy = notices.dataset.claimedBy;
    let lastInbound = Number(notices.dataset.lastInboundId) || 0;
    // fresh holds the ids of the person's messages that came after the
    // page was loaded: they stay marked as new.
    const fresh = new Set();
    const shown = {};

    // banner returns the notice banner named name, made when missing.
    function banner(name) {
      let b = notices.querySelector(`[data-notice="${name}"]`);
      if (!b) {
        b = document.createElement("div");
        b.className = `notice case-notice case-notice-${name}`;
        b.dataset.notice = name;
        b.append(document.createElement("p"));
        notices.append(b);
      }
      return b.firstChild;
    }

    // say fills p with text followed by a link to href.
    function say(p, text, link, href) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = link;
      p.replaceChildren(`${text} `, a);
    }

    // markFresh marks the person's new messages, with a word and a colour.
    function markFresh() {
      for (const li of parts.messages.querySelectorAll("li[data-message-id]")) {
        if (!fresh.has(li.dataset.messageId) || li.classList.contains("message-new")) {
          continue;
        }
        li.classList.add("message-new");
        const tag = document.createElement("strong");
        tag.className = "tag tag-new";
        tag.textContent = "New";
        li.querySelector(".message-meta").prepend(tag, " ");
      }
    }

    function showNewMessages(frame) {
      const newer = [...parts.messages.querySelectorAll("li.message-in[data-message-id]")]
        .filter((li) => Number(li.dataset.messageId) > lastInbound);
      lastInbound = frame.last_inbound_id;
      if (newer.length === 0) {
        return;
      }
      for (const li of newer) {
        fresh.add(li.dataset.messageId);
      }
      markFresh();
      const last = newer[newer.length - 1];
      const at = last.querySelector("time");
      say(banner("message"), `New message from the person${at ? `, ${at.textContent}` : ""}.`,
        "Read it", `#${last.id}`);
      // Scrolled to only when the user is not typing: the focus stays put.
      const active = document.activeElement;
      if (!active || !active.matches("input, textarea, select")) {
        last.scrollIntoView({block: "nearest"});
      }
    }

    function showStatus(frame) {
      const changed = frame.status !== pageStatus || String(frame.claimed_by) !== pageClaimedBy;
      const b = notices.querySelector("[data-notice='status']");
      if (!changed) {
        if (b) {
          b.remove();
        }
        return;
      }
      say(banner("status"), `This case has changed since the page was loaded: ${frame.status_text}. The forms below may no longer apply.`,
        "Reload the page", `/console/cases/${encodeURIComponent(id)}`);
    }

    // swap puts html into el, keeping the keyboard focus on the link or
    // control it was on (the same id, or else the same href).
    function swap(el, html) {
      const focused = document.activeElement;
      const was = focused && el.contains(focused) ? focused : null;
      el.innerHTML = html; // the server's template output, escaped there
      if (!was) {
        return;
      }
      const again = (was.id && el.querySelector(`#${CSS.escape(was.id)}`)) ||
        (was.getAttribute("href") && el.querySelector(`[href="${CSS.escape(was.getAttribute("href"))}"]`));
      if (again) {
        again.focus();
      }
    }

    openLive(`/console/cases/${encodeURIComponent(id)}/live`, "case", (frame) => {
      for (const [name, el] of Object.entries(parts)) {
        if (el && shown[name] !== frame[name]) {
          shown[name] = frame[name];
          swap(el, frame[name]);
        }
      }
      markFresh();
      if (frame.last_inbound_id > lastInbound) {
        showNewMessages(frame);
      }
      showStatus(frame);
    });
  }

  const table = document.querySelector("[data-console-queue]");
  const alerts = document.querySelector("[data-console-alerts]");
  const notices = document.querySelector("[data-case-live]");
  if (table && alerts) {
    queuePage(table, alerts);
  } else if (notices) {
    casePage(notices);
  }
})();

// A campaign page's progress (data-campaign-progress, holding the address
// of its fragment in data-src) is fetched again every 5 seconds, for as
// long as the page is open, and swapped in: the panel is the server's
// template "campaign_progress", so a fetch shows exactly what a reload
// would. A failed fetch is tried again at the next tick; a session that
// has ended (a redirect to the sign-in page) stops it. Without this script
// the page is the same, refreshed by hand.
(() => {
  "use strict";

  const panel = document.querySelector("[data-campaign-progress]");
  if (!panel || !("fetch" in window)) {
    return;
  }
  const src = panel.getAttribute("data-src");
  const every = 5000;

  async function refresh() {
    try {
      const res = await fetch(src, { credentials: "same-origin", redirect: "manual", headers: { Accept: "text/html" } });
      if (res.type === "opaqueredirect" || res.status === 401 || res.status === 403 || res.status === 404) {
        return; // signed out, or no longer theirs to see: stop
      }
      if (res.ok) {
        const html = await res.text();
        if (panel.innerHTML !== html) {
          panel.innerHTML = html;
        }
      }
    } catch (e) {
      // Offline for a moment: the next tick tries again.
    }
    setTimeout(refresh, every);
  }
  setTimeout(refresh, every);
})();
