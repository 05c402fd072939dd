// console.js: the case queue's live updates. The queue page opens
// GET /console/live with its own query string (its search, filters and
// page) and shows each snapshot the server sends: the rows, their count,
// when they were read, and the user's alerts (see "Live
// updates" in escalation/console's package doc). Without this script the
// page is the same, refreshed by hand.
(() => {
  "use strict";

  const table = document.querySelector("[data-console-queue]");
  const alerts = document.querySelector("[data-console-alerts]");
  const status = document.getElementById("live-status");
  if (!table || !alerts || !status || !("WebSocket" in window)) {
    return;
  }
  const rows = table.tBodies[0];
  const count = table.caption;
  const shown = document.querySelector("[data-console-shown]");

  const firstDelay = 1000;
  const maxDelay = 30000;
  let delay = firstDelay;
  let lastRows = null;

  // setStatus says, in the polite live region, whether the queue is live.
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
  // stays (so it is not announced again) with its case's status brought up
  // to date; new ones are added after it, gone ones removed.
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

  function show(snapshot) {
    showRows(snapshot.rows);
    setText(count, snapshot.caption);
    if (shown) {
      shown.dateTime = snapshot.at;
      setText(shown, snapshot.at_text);
    }
    showAlerts(snapshot.alerts);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/console/live${location.search}`);
    ws.addEventListener("message", (e) => {
      let snapshot;
      try {
        snapshot = JSON.parse(e.data);
      } catch {
        return;
      }
      if (snapshot.type !== "queue") {
        return;
      }
      show(snapshot);
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
})();
