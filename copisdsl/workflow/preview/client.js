// copis watch --serve: keeps this page in step with the build. Added by the
// preview server while serving; the report on disk does not contain it.
//
// The server streams the build status (/_copis/events). When this page's
// journey is rebuilt, the new page is fetched and its body swapped in, so the
// scroll position and the state of toggles survive; while the journey does
// not compile, its errors are shown over the last good page.
(function () {
  "use strict";
  var me = document.currentScript;
  var page = me.getAttribute("data-page") || "";
  var placeholder = me.hasAttribute("data-placeholder");
  var revision = Number(me.getAttribute("data-revision"));
  var session = me.getAttribute("data-session");
  var source = null;   // the journey file this page shows, once the status names it
  var wanted = null;   // the revision to fetch next
  var busy = false;
  var SCROLL = "copis-scroll:" + location.pathname;
  var OVERLAY = "copis-overlay";
  var BADGE = "copis-disconnected";

  function restoreScroll() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(SCROLL) || "null"); } catch (e) { saved = null; }
    if (!saved) return;
    window.scrollTo(saved[0], saved[1]);
    window.addEventListener("load", function () {
      window.scrollTo(saved[0], saved[1]);
      sessionStorage.removeItem(SCROLL);
    });
  }

  function reload() {
    try { sessionStorage.setItem(SCROLL, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) { /* private mode */ }
    location.reload();
  }

  function ours(node) {
    return node.nodeType === 1 && (node.id === OVERLAY || node.id === BADGE ||
      (node.tagName === "SCRIPT" && node.getAttribute("src") === me.getAttribute("src")));
  }

  function swap(doc) {
    var x = window.scrollX, y = window.scrollY;
    var checked = {}, open = {};
    document.querySelectorAll("input[id]").forEach(function (i) { checked[i.id] = i.checked; });
    document.querySelectorAll("details[id]").forEach(function (d) { open[d.id] = d.open; });
    document.title = doc.title;
    var styles = document.head.querySelectorAll("style");
    var fresh = doc.head.querySelectorAll("style");
    styles.forEach(function (s, i) {
      if (i >= fresh.length) s.remove();
      else if (s.textContent !== fresh[i].textContent) s.textContent = fresh[i].textContent;
    });
    for (var i = styles.length; i < fresh.length; i++) document.head.appendChild(document.importNode(fresh[i], true));
    var kept = Array.prototype.filter.call(document.body.childNodes, ours);
    var nodes = Array.prototype.filter.call(doc.body.childNodes, function (n) { return !ours(n); })
      .map(function (n) { return document.importNode(n, true); });
    Array.prototype.forEach.call(document.body.attributes, function (a) { document.body.removeAttribute(a.name); });
    Array.prototype.forEach.call(doc.body.attributes, function (a) { document.body.setAttribute(a.name, a.value); });
    document.body.replaceChildren.apply(document.body, nodes.concat(kept));
    document.querySelectorAll("input[id]").forEach(function (i) { if (i.id in checked) i.checked = checked[i.id]; });
    document.querySelectorAll("details[id]").forEach(function (d) { if (d.id in open) d.open = open[d.id]; });
    window.scrollTo(x, y);
  }

  function refresh(rev) {
    wanted = rev;
    if (busy) return;
    busy = true;
    fetch(location.pathname + location.search, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var tag = doc.querySelector('script[src="' + me.getAttribute("src") + '"]');
        swap(doc);
        revision = tag ? Number(tag.getAttribute("data-revision")) : wanted;
        busy = false;
        if (wanted > revision) refresh(wanted);  // rebuilt again while fetching
      })
      .catch(function () { reload(); });
  }

  function element(tag, style, text) {
    var node = document.createElement(tag);
    if (style) node.setAttribute("style", style);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showProblems(journeys) {
    var old = document.getElementById(OVERLAY);
    var items = [];
    journeys.forEach(function (j) {
      j.diagnostics.forEach(function (d) {
        if (d.severity === "error") {
          items.push([d.file + ":" + d.line + ":" + d.column, d.code + " " + d.severity + ": " + d.message, d.hint]);
        }
      });
      if (j.error) items.push([j.source, "error: " + j.error, null]);
    });
    if (!items.length) {
      if (old) old.remove();
      return;
    }
    var box = element("div", "position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:60vh;" +
      "overflow:auto;margin:0;padding:12px 16px;background:rgba(40,6,6,.94);color:#fff;" +
      "font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 4px 18px rgba(0,0,0,.35)");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    var close = element("button", "float:right;background:none;border:0;color:#fff;font-size:18px;cursor:pointer", "\u00d7");
    close.setAttribute("aria-label", "Hide until the next build");
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    var files = journeys.map(function (j) { return j.source; }).join(", ");
    box.appendChild(element("div", "font-weight:bold;margin-bottom:6px;color:#ffb4b4",
      files + " does not compile; the page shows the last good build."));
    var list = element("ul", "list-style:none;margin:0;padding:0");
    items.forEach(function (item) {
      var li = element("li", "margin:4px 0");
      li.appendChild(element("span", "color:#ffd27a", item[0] + ": "));
      li.appendChild(element("span", "", item[1]));
      if (item[2]) li.appendChild(element("div", "color:#c8c8c8;padding-left:2em", "hint: " + item[2]));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (old) old.replaceWith(box); else document.body.appendChild(box);
  }

  function apply(state) {
    if (state.session !== session) {
      session = state.session;  // a restarted server counts revisions afresh
      revision = -2;
    }
    var mine = null;
    state.journeys.forEach(function (j) {
      if (source !== null ? j.source === source : (page !== "" && j.url === page)) mine = j;
    });
    if (mine) {
      source = mine.source;
      if (mine.url && mine.url !== page && !placeholder) {
        location.replace("/" + mine.url);  // the journey's id changed
        return;
      }
      showProblems(mine.ok ? [] : [mine]);
      if (placeholder) { if (mine.url) reload(); return; }
      if (mine.revision !== revision) refresh(mine.revision);
      return;
    }
    showProblems(state.journeys.filter(function (j) { return !j.ok; }));
    if (placeholder) {
      var built = page === "" ? state.journeys.some(function (j) { return j.url; }) || state.index
        : state.index === page;
      if (built) reload();
    } else if (state.index !== null && state.index === page && state.index_revision !== revision) {
      refresh(state.index_revision);
    }
  }

  function connected(yes) {
    var badge = document.getElementById(BADGE);
    if (yes) { if (badge) badge.remove(); return; }
    if (badge || !document.body) return;
    badge = element("div", "position:fixed;right:12px;bottom:12px;z-index:2147483647;padding:6px 10px;" +
      "border-radius:6px;background:#333;color:#fff;font:12px system-ui,sans-serif;opacity:.9",
      "copis watch is not running; reconnecting\u2026");
    badge.id = BADGE;
    document.body.appendChild(badge);
  }

  restoreScroll();
  var events = new EventSource("/_copis/events");
  events.addEventListener("state", function (e) { connected(true); apply(JSON.parse(e.data)); });
  events.addEventListener("open", function () { connected(true); });
  events.addEventListener("error", function () { connected(false); });
  window.addEventListener("pagehide", function () { events.close(); });
})();
