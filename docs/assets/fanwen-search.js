"use strict";

// Search results as they are about to be seen. The search worker answers with the first ten
// results in full except for the snippets of those below the first screen, and a placeholder
// for each result past the tenth (so the count and the narrowing are complete at once, without
// reading a thousand titles and ten text chunks); the page asks it for what a placeholder
// stands for (a result's address, title and label, or a snippet) when it comes into view, and
// a screen or two ahead as the list is scrolled, so that it is there before it is seen.
// Material keeps its worker to itself, so the page takes note of it when Material makes it:
// this script is in the page's head (overrides/main.html), before Material's bundle, which
// makes the worker as soon as it runs.
(function () {
  var Native = window.Worker;
  if (!Native) return;
  var worker = null;
  var answer = null;       // the last answer with placeholders: {gen, count}
  var rows = {};           // result number → {location, title, text, snippet}, of that answer
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
  function scroller() { return document.querySelector(".md-search__scrollwrap"); }
  function rendered() { var el = list(); return el ? el.children.length : 0; }

  // How many results fit on the first screen of the list: with snippets they are at least
  // 120 px high, below the count and the two rows of type and level buttons (100 px); the list
  // is three quarters of the window high on a wide screen (Material), all of it on a narrow
  // one. Results in view beyond these get their snippets as soon as they are shown.
  function screenful() {
    var wide = window.matchMedia && window.matchMedia("(min-width: 60em)").matches;
    return Math.max(1, Math.ceil(((wide ? 0.75 : 1) * window.innerHeight - 100) / 120));
  }

  function tellScreen() {
    if (worker) worker.postMessage({ type: "fanwen-screen", results: screenful() });
  }

  function ask(from, to) {
    if (!answer) return;
    to = Math.min(to, answer.count);
    while (from < to && asked[from]) from++;
    if (from >= to) return;
    for (var i = from; i < to; i++) asked[i] = true;
    worker.postMessage({ type: "fanwen-rows", answer: Number(answer.gen), from: from, to: to });
  }

  // Put a row (or a snippet) in place of its placeholder; false when it has not come yet.
  function fill(mark) {
    if (!answer || mark.getAttribute("data-fw-answer") !== answer.gen) return true;
    var row = rows[mark.getAttribute("data-fw-row")];
    if (!row) return false;
    if (mark.classList.contains("fw-snippet")) {
      mark.outerHTML = row.snippet || "";
      return true;
    }
    // The placeholder's address is the site's root with Material's ?h= (the highlight on the
    // opened page): the row's location is relative to it, as Material's own are.
    var item = mark.closest("li"), link = item.querySelector("a"), url = new URL(row.location, link.href);
    url.search = new URL(link.href).search;
    link.href = url.href;
    var heading = mark.parentNode;
    heading.innerHTML = row.title;
    heading.insertAdjacentHTML("afterend", row.text);
    return true;
  }

  // Fill what has come; ask for the placeholders in view, or, once the list has been scrolled,
  // within three screens of its top, and for the rows past the end when it is near. Run in the
  // next animation frame (before the browser paints, so a row that has come is in place when
  // its result is first shown): reading where the results are lays the page out, and done as
  // soon as Material has put in an answer it made the answer itself come later.
  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; update(); });
  }

  function update() {
    var el = list(), wrap = scroller();
    if (!el || !wrap || !answer) return;
    var view = wrap.getBoundingClientRect(), reach = view.top + (wrap.scrollTop > 0 ? 3 : 1) * wrap.clientHeight;
    var due = [];
    Array.prototype.forEach.call(el.querySelectorAll(".fw-row, .fw-snippet"), function (mark) {
      if (fill(mark)) return;
      var item = mark.closest("li");
      if (item && item.getBoundingClientRect().top < reach) due.push(Number(mark.getAttribute("data-fw-row")));
    });
    if (due.length) ask(Math.min.apply(null, due), Math.max.apply(null, due) + 1);
    if (wrap.scrollTop > 0 && wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 2 * wrap.clientHeight)
      ask(rendered(), rendered() + AHEAD);
  }

  function watch(made) {
    worker = made;
    tellScreen();
    made.addEventListener("message", function (event) {
      var message = event.data;
      if (message && message.type === 3) {  // Material's RESULT: a new answer, or the complete one
        var gen = null;
        message.data.items.some(function (item) {
          var found = PLACEHOLDER.exec(item[0].title) || PLACEHOLDER.exec(item[0].text);
          if (found) gen = found[1];
          return found;
        });
        if (!answer || answer.gen !== gen) rows = {};
        answer = gen ? { gen: gen, count: message.data.items.length } : null;
        asked = {};  // what was asked for and has not come is asked for again (the worker sends each once)
        Object.keys(rows).forEach(function (i) { asked[i] = true; });
      } else if (message && message.type === "fanwen-rows" && answer && String(message.answer) === answer.gen) {
        message.rows.forEach(function (row) { rows[row.i] = row; });
        schedule();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = list(), wrap = scroller();
    if (!el || !wrap) return;
    // Material renders more results (four at a time) when the list is scrolled to its end:
    // their rows are asked for a screen or two before that.
    wrap.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", tellScreen);
    // After Material has put the results of an answer in the list.
    new MutationObserver(schedule).observe(el, { childList: true });
  });
})();
