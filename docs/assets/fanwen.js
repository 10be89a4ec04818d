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

// Search results narrowed by 文种 and 层级: buttons under the search box that put 文种:方案 or
// 层级:村 into the query (the search worker keeps the results whose label says so). The values
// come from the page (#fw-facets, written by the build from the library's vocabulary, at the
// end of the page: hence after the page has loaded).
document.addEventListener("DOMContentLoaded", function () {
  var data = document.getElementById("fw-facets");
  var input = document.querySelector("input.md-search__input");
  var result = document.querySelector(".md-search-result");
  if (!data || !input || !result) return;
  var facets = JSON.parse(data.textContent);
  var bar = document.createElement("div");
  bar.className = "fw-facets";
  Object.keys(facets).forEach(function (name) {
    var row = document.createElement("div");
    row.className = "fw-facet-row";
    var label = document.createElement("span");
    label.className = "fw-facet-name";
    label.textContent = name + "：";
    row.appendChild(label);
    ["全部"].concat(facets[name]).forEach(function (value) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fw-facet";
      button.textContent = value;
      button.setAttribute("data-facet", name);
      button.setAttribute("data-value", value === "全部" ? "" : value);
      row.appendChild(button);
    });
    bar.appendChild(row);
  });
  result.insertBefore(bar, result.firstChild);

  var token = /(^|\s)(文种|层级)[:：]\S+/g;
  function chosen() {
    var found = {};
    (input.value.match(token) || []).forEach(function (t) {
      var parts = t.trim().split(/[:：]/);
      found[parts[0]] = parts[1];
    });
    return found;
  }
  function mark() {
    var now = chosen();
    bar.querySelectorAll(".fw-facet").forEach(function (button) {
      var on = (now[button.getAttribute("data-facet")] || "") === button.getAttribute("data-value");
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  bar.addEventListener("click", function (event) {
    var button = event.target.closest(".fw-facet");
    if (!button) return;
    var name = button.getAttribute("data-facet"), value = button.getAttribute("data-value");
    var words = input.value.replace(new RegExp("(^|\\s)" + name + "[:：]\\S+", "g"), " ").trim();
    input.value = (words + (value ? " " + name + ":" + value : "")).trim();
    input.focus();
    // Material reads the box on keyup: ask it to search again with the new query.
    input.dispatchEvent(new KeyboardEvent("keyup", { key: "End", bubbles: true }));
    mark();
  });
  input.addEventListener("keyup", mark);
  mark();
});

// 下载 Word on a document page: the article as blocks (title, 一、 headings, （一） headings,
// paragraphs), written into the templates' GB/T 9704 .docx in the page. The writer and the
// .docx shell are loaded on the first press only (plain script files: the CSP allows them, and
// they load from file:// too).
function loadScript(src) {
  return new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = function () { reject(new Error("无法载入 " + src)); };
    document.head.appendChild(script);
  });
}

function articleBlocks() {
  var title = document.querySelector(".md-content h1");
  var blocks = [["title", title ? title.textContent.replace(/¶$/, "").trim() : ""]];
  document.querySelectorAll(".fw-article p, .fw-article h2, .fw-article h3, .fw-article h4, .fw-article li, .fw-article tr")
    .forEach(function (el) {
      if (el.closest("li") && el.tagName !== "LI") return;
      var clone = el.cloneNode(true);
      clone.querySelectorAll(".headerlink").forEach(function (a) { a.remove(); });
      var text = el.tagName === "TR"
        ? Array.prototype.map.call(clone.children, function (c) { return c.textContent.trim(); }).join("　")
        : clone.textContent.trim();
      if (!text) return;
      blocks.push([el.tagName === "H2" ? "h1" : el.tagName === "H3" ? "h2" : "body", text]);
    });
  return blocks;
}

document.addEventListener("click", function (event) {
  var button = event.target.closest(".fw-word");
  if (!button) return;
  var label = button.textContent;
  button.disabled = true;
  var ready = window.FwDocx && window.FW_DRAFT ? Promise.resolve()
    : loadScript(button.getAttribute("data-docx-shell")).then(function () {
        return loadScript(button.getAttribute("data-docx-writer"));
      });
  ready.then(function () {
    var blocks = articleBlocks();
    var bytes = window.FwDocx.build(blocks, "", blocks[0][1]);
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([bytes], {
      type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" }));
    link.download = (blocks[0][1].replace(/[\\/:*?"<>|]+/g, "").slice(0, 60) || "范文") + ".docx";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }).catch(function (error) {
    button.textContent = "生成失败，请刷新后重试";
    console.warn("范文库：下载 Word 失败", error);
  }).then(function () {
    button.disabled = false;
    if (button.textContent !== label && !/失败/.test(button.textContent)) button.textContent = label;
  });
});
