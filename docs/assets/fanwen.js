// 复制全文: copy a template as plain text. The Clipboard API needs a secure context
// (https or localhost); on a plain-http intranet fall back to a hidden textarea.
document.addEventListener("click", function (event) {
  var button = event.target.closest(".fw-copy");
  if (!button) return;
  var text = button.hasAttribute("data-copy-article") ? articleText() : button.getAttribute("data-copy");
  var done = function () {
    var label = button.textContent;
    button.textContent = "已复制";
    setTimeout(function () { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { fallback(text) && done(); });
  } else if (fallback(text)) {
    done();
  }
});

// A model document as plain text: its title, then each paragraph, heading, list item and
// table row on a line of its own (no ¶ marks, no site furniture).
function articleText() {
  var article = document.querySelector(".fw-article");
  var title = document.querySelector(".md-content h1");
  var lines = [title ? title.textContent.replace(/¶$/, "").trim() : ""];
  article.querySelectorAll("p, h2, h3, h4, li, tr").forEach(function (el) {
    if (el.closest("li") && el.tagName !== "LI") return;  // a paragraph inside a list item
    var clone = el.cloneNode(true);
    clone.querySelectorAll(".headerlink").forEach(function (a) { a.remove(); });
    var text = el.tagName === "TR"
      ? Array.prototype.map.call(clone.children, function (c) { return c.textContent.trim(); }).join("\t")
      : clone.textContent.trim();
    if (text) lines.push(text);
  });
  return lines.join("\n") + "\n";
}

function fallback(text) {
  var area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  var ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  document.body.removeChild(area);
  return ok;
}

// 全部范文 (按主题浏览): narrow the list by type, level and theme together. The choice is kept
// in the address (?type=方案&level=村) so a link can open the list already filtered; it works
// from a shared drive (file://) too, since the list is in the page.
(function () {
  var bar = document.querySelector(".fw-filters");
  if (!bar) return;
  var list = document.getElementById(bar.getAttribute("data-fw-list"));
  var selects = Array.prototype.slice.call(bar.querySelectorAll("select[data-fw-filter]"));
  var count = bar.querySelector(".fw-count");
  var none = document.querySelector(".fw-none");

  function apply() {
    var shown = 0;
    Array.prototype.forEach.call(list.children, function (item) {
      var keep = selects.every(function (select) {
        return !select.value || item.getAttribute("data-" + select.getAttribute("data-fw-filter")) === select.value;
      });
      item.hidden = !keep;
      if (keep) shown++;
    });
    count.textContent = "共 " + shown + " 篇";
    if (none) none.hidden = shown > 0;
    var chosen = selects.filter(function (s) { return s.value; }).map(function (s) {
      return s.getAttribute("data-fw-filter") + "=" + encodeURIComponent(s.value);
    });
    if (history.replaceState) history.replaceState(null, "", location.pathname + (chosen.length ? "?" + chosen.join("&") : "") + location.hash);
  }

  function fromAddress() {
    location.search.slice(1).split("&").forEach(function (pair) {
      var parts = pair.split("=");
      selects.forEach(function (select) {
        if (select.getAttribute("data-fw-filter") === parts[0]) {
          var value = decodeURIComponent(parts[1] || "");
          if (Array.prototype.some.call(select.options, function (o) { return o.value === value; })) select.value = value;
        }
      });
    });
  }

  selects.forEach(function (select) { select.addEventListener("change", apply); });
  fromAddress();
  apply();
})();
