"use strict";

// Search results past the first screen. The search worker answers with the titles and
// snippets of the first ten results and a placeholder for each of the others (so the count
// and the narrowing are complete at once, without reading a thousand titles); the page asks
// it for the rows (address, title, label) of the results about to be seen: when the list is
// scrolled near its end, and for any placeholder Material renders before they came. Material
// keeps its worker to itself, so the page takes note of it when Material makes it: this
// script is in the page's head (overrides/main.html), before Material's bundle, which makes
// the worker as soon as it runs.
(function () {
  var Native = window.Worker;
  if (!Native) return;
  var worker = null;
  var answer = null;       // the last answer with placeholders: {gen, count}
  var rows = {};           // result number → {location, title, text}, of that answer
  var asked = {};          // result numbers asked for
  var AHEAD = 12;          // rows asked for beyond the last result rendered
  var PLACEHOLDER = /data-fw-answer="(\d+)"/;

  function Wrapped(url, options) {
    var made = new Native(url, options);
    if (!worker && /search-worker\.js/.test(String(url))) watch(made);
    return made;
  }
  Wrapped.prototype = Native.prototype;
  window.Worker = Wrapped;

  function list() { return document.querySelector(".md-search-result__list"); }

  function rendered() { var el = list(); return el ? el.children.length : 0; }

  function ask(from, to) {
    if (!answer) return;
    to = Math.min(to, answer.count);
    while (from < to && asked[from]) from++;
    if (from >= to) return;
    for (var i = from; i < to; i++) asked[i] = true;
    worker.postMessage({ type: "fanwen-rows", answer: Number(answer.gen), from: from, to: to });
  }

  // Put a row in place of its placeholder; false when it has not come yet.
  function fill(item) {
    var mark = item.querySelector(".fw-row");
    if (!mark) return true;
    if (!answer || mark.getAttribute("data-fw-answer") !== answer.gen) return true;
    var row = rows[mark.getAttribute("data-fw-row")];
    if (!row) return false;
    // The placeholder's address is the site's root with Material's ?h= (the highlight on the
    // opened page): the row's location is relative to it, as Material's own are.
    var link = item.querySelector("a"), url = new URL(row.location, link.href);
    url.search = new URL(link.href).search;
    link.href = url.href;
    var heading = mark.parentNode;
    heading.innerHTML = row.title;
    heading.insertAdjacentHTML("afterend", row.text);
    return true;
  }

  function fillAll() {
    var el = list();
    if (!el) return;
    Array.prototype.forEach.call(el.querySelectorAll(".fw-row"), function (mark) {
      var item = mark.closest("li");
      if (!fill(item)) ask(Number(mark.getAttribute("data-fw-row")), rendered() + AHEAD);
    });
  }

  function watch(made) {
    worker = made;
    made.addEventListener("message", function (event) {
      var message = event.data;
      if (message && message.type === 3) {  // Material's RESULT: a new answer
        var items = message.data.items, last = items.length ? items[items.length - 1][0] : null;
        var found = last && PLACEHOLDER.exec(last.title);
        answer = found ? { gen: found[1], count: items.length } : null;
        rows = {};
        asked = {};
      } else if (message && message.type === "fanwen-rows" && answer && String(message.answer) === answer.gen) {
        message.rows.forEach(function (row) { rows[row.i] = row; });
        fillAll();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = list(), wrap = document.querySelector(".md-search__scrollwrap");
    if (!el || !wrap) return;
    // Material renders more results (four at a time) when the list is scrolled to its end:
    // their rows are asked for a screen or two before that.
    wrap.addEventListener("scroll", function () {
      if (answer && wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 2 * wrap.clientHeight)
        ask(rendered(), rendered() + AHEAD);
    }, { passive: true });
    new MutationObserver(fillAll).observe(el, { childList: true });
  });
})();
