// 起草 in the browser, part 2: the 本单位信息 form and the live draft on a template page.
// The form is built here from a list of fields (labels are the site's own words, not a
// template's); the values live in localStorage so they carry over to every template page and
// to the next visit. Everything the writer types is handled as text: the page is built with
// DOM calls and textContent, never innerHTML, so a typed <script> shows as text.
(function () {
  "use strict";
  // The scripts stand before the template's text in the page: start once it is all parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  function start() {
  var B = window.FW_DRAFT, C = window.FwCore;
  var host = document.querySelector(".fw-draft");
  if (!host || !B || !C) return;
  var KEY = "fanwen.unit.v1";
  var slug = host.getAttribute("data-fw-template") || "";

  // ---- The fields of the unit data (data/unit.yml), in the order a writer thinks of them.
  var SECTIONS = [
    {title: "单位", fields: [
      ["unit.name", "单位全称", "如：青禾镇人民政府"],
      ["unit.short_name", "简称", "如：青禾镇"],
      ["unit.level", "层级", "", "level"],
      ["unit.parent", "上级机关", "如：云溪县人民政府"],
      ["unit.region", "所在地区", "如：云溪县"]]},
    {title: "文稿", fields: [
      ["year", "年份", "如：2027"],
      ["topic", "工作主题", "如：安全生产"],
      ["date", "成文日期（可不填）", "如：2027-12-28；不填时方案取第一阶段开始日，报告取最后阶段结束日"]]},
    {rows: "leading_group", title: "领导小组", add: "添加成员",
      cols: [["role", "组别", "组长 / 副组长 / 成员"], ["name", "姓名", ""], ["post", "职务", "如：镇党委书记"]]},
    {rows: "timeline", title: "工作阶段", add: "添加阶段",
      cols: [["phase", "阶段名称", "如：动员部署"], ["start", "开始日期", "2027-03-01"], ["end", "结束日期", "2027-03-15"],
             ["tasks", "主要任务（每行一项）", "", "lines"], ["results", "已完成的工作（报告、总结用，每行一项）", "", "lines"]]},
    {title: "办公室和联系人", fields: [
      ["office.name", "领导小组办公室设在", "如：党政办"],
      ["office.director", "办公室主任", ""],
      ["contact.name", "联系人", ""],
      ["contact.phone", "联系电话", ""]]},
    {title: "报告、总结、请示用（可不填）", more: true, fields: [
      ["basics", "基本情况", ""],
      ["achievements", "主要成效（每行一项）", "", "lines"],
      ["problems", "存在的问题（每行一项）", "", "lines"],
      ["next_steps", "下一步打算（每行一项）", "", "lines"],
      ["suggestions", "对策建议（每行一项）", "", "lines"],
      ["reason", "请示缘由", ""],
      ["request", "请示事项（每行一项）", "", "lines"],
      ["attachments", "附件（每行一个）", "", "lines"]]},
    {title: "换届选举各步骤（换届选举工作方案用，可不填）", more: true, fields: [
      ["election.committee.start", "成立选举委员会：开始", "2027-03-01"], ["election.committee.end", "结束", ""],
      ["election.registration.start", "选民登记：开始", ""], ["election.registration.end", "结束", ""],
      ["election.nomination.start", "候选人提名与资格审查：开始", ""], ["election.nomination.end", "结束", ""],
      ["election.voting.start", "投票选举：开始", ""], ["election.voting.end", "结束", ""],
      ["election.handover.start", "交接与建章立制：开始", ""], ["election.handover.end", "结束", ""]]}
  ];
  var LABELS = {};
  SECTIONS.forEach(function (s) {
    (s.fields || []).forEach(function (f) { LABELS[f[0]] = f[1].replace(/（.*）$/, ""); });
    (s.cols || []).forEach(function (c) { LABELS[s.rows + "." + c[0]] = c[1].replace(/（.*）$/, ""); });
  });
  function labelOf(path) { return LABELS[path.replace(/\[\d+\]/g, "")]; }

  // ---- State: the unit data in the very shape of the YAML file `fanwen draft --data` reads.
  function load() {
    try { var s = window.localStorage.getItem(KEY); var v = s ? JSON.parse(s) : {}; return v && typeof v === "object" ? v : {}; }
    catch (e) { return {}; }
  }
  var state = load();
  function store() {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); return true; } catch (e) { return false; }
  }
  function hasData(v) {
    if (v === null || v === undefined || v === "") return false;
    if (Array.isArray(v)) return v.some(hasData);
    if (typeof v === "object") return Object.keys(v).some(function (k) { return hasData(v[k]); });
    return true;
  }
  function split(path) { return path.split("."); }
  function getPath(obj, path) {
    var parts = split(path);
    for (var i = 0; i < parts.length; i++) {
      if (obj === null || obj === undefined || typeof obj !== "object") return undefined;
      obj = obj[parts[i]];
    }
    return obj;
  }
  function setPath(obj, path, value) {
    var parts = split(path), chain = [obj];
    for (var i = 0; i < parts.length - 1; i++) {
      if (!obj[parts[i]] || typeof obj[parts[i]] !== "object" || Array.isArray(obj[parts[i]])) obj[parts[i]] = {};
      obj = obj[parts[i]];
      chain.push(obj);
    }
    var last = parts[parts.length - 1];
    if (value === "" || (Array.isArray(value) && !value.length)) delete obj[last]; else obj[last] = value;
    // An emptied mapping (office, an election step) is dropped, as if never written.
    for (var j = chain.length - 1; j > 0; j--) {
      if (Object.keys(chain[j]).length) break;
      delete chain[j - 1][parts[j - 1]];
    }
  }
  function shown(v) {
    if (Array.isArray(v)) return v.map(function (x) { return x === null || x === undefined ? "" : String(x); }).join("\n");
    return v === null || v === undefined ? "" : String(v);
  }
  function lines(text) { return text.split("\n").map(function (l) { return l.trim(); }).filter(Boolean); }

  // ---- DOM helpers: elements and text only.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function button(label, cls, onclick) {
    var b = el("button", {type: "button", "class": "md-button fw-small " + (cls || ""), text: label});
    b.addEventListener("click", onclick);
    return b;
  }

  var inputs = [];  // every input: {node, path, kind}
  function field(path, label, hint, kind) {
    var value = getPath(state, path), input;
    if (kind === "level") {
      input = el("select", {}, [el("option", {value: "", text: "（请选择；不选按“" + B.default_level + "”）"})]
        .concat(B.level_names.map(function (l) { return el("option", {value: l, text: l}); })));
      input.value = shown(value);
    } else if (kind === "lines") {
      input = el("textarea", {rows: "2", placeholder: hint || ""});
      input.value = shown(value);
    } else {
      input = el("input", {type: "text", placeholder: hint || "", autocomplete: "off"});
      input.value = shown(value);
    }
    input.setAttribute("data-fw-path", path);
    input.addEventListener("input", function () {
      setPath(state, path, kind === "lines" ? lines(input.value) : input.value.trim());
      changed();
    });
    inputs.push({node: input, path: path});
    var msg = el("span", {"class": "fw-msg", "data-fw-msg": path, "aria-live": "polite"});
    return el("label", {"class": "fw-field" + (kind === "lines" ? " fw-field--wide" : "")},
      [el("span", {"class": "fw-label", text: label}), input, msg]);
  }

  function rowsBlock(spec) {
    var box = el("fieldset", {"class": "fw-rows", "data-fw-rows": spec.rows}, [el("legend", {text: spec.title})]);
    var msg = el("span", {"class": "fw-msg", "data-fw-msg": spec.rows, "aria-live": "polite"});
    box.appendChild(msg);
    function rebuild() {
      Array.prototype.slice.call(box.querySelectorAll(".fw-row")).forEach(function (r) { r.remove(); });
      inputs = inputs.filter(function (i) { return i.path.indexOf(spec.rows + "[") !== 0; });
      var list = Array.isArray(state[spec.rows]) ? state[spec.rows] : [];
      if (!list.length) list = [{}];
      list.forEach(function (item, i) {
        var row = el("div", {"class": "fw-row"});
        spec.cols.forEach(function (c) {
          var path = spec.rows + "[" + i + "]." + c[0];
          var f = field(path, c[1], c[2], c[3]);
          row.appendChild(f);
        });
        var move = function (d) {
          return function () {
            var arr = state[spec.rows] || [], j = i + d;
            if (j < 0 || j >= arr.length) return;
            var t = arr[i]; arr[i] = arr[j]; arr[j] = t;
            rebuild(); changed();
          };
        };
        row.appendChild(el("div", {"class": "fw-row-actions"}, [
          button("上移", "", move(-1)), button("下移", "", move(1)),
          button("删除", "", function () {
            var arr = state[spec.rows] || [];
            arr.splice(i, 1);
            if (!arr.length) delete state[spec.rows];
            rebuild(); changed();
          })]));
        box.insertBefore(row, addButton);
      });
    }
    var addButton = button(spec.add, "fw-add", function () {
      if (!Array.isArray(state[spec.rows])) state[spec.rows] = [];
      if (!state[spec.rows].length) state[spec.rows].push({});  // the shown empty row becomes real
      state[spec.rows].push({});
      rebuild(); changed();
      var last = box.querySelectorAll(".fw-row");
      last[last.length - 1].querySelector("input").focus();
    });
    box.appendChild(addButton);
    rebuilders.push(rebuild);
    rebuild();
    return box;
  }
  // Rows paths (timeline[0].start) are set through setPath with arrays in between.
  var setPathPlain = setPath;
  setPath = function (obj, path, value) {
    var m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
    if (!m) return setPathPlain(obj, path, value);
    if (!Array.isArray(obj[m[1]])) obj[m[1]] = [];
    while (obj[m[1]].length <= +m[2]) obj[m[1]].push({});
    var item = obj[m[1]][+m[2]];
    if (value === "" || (Array.isArray(value) && !value.length)) delete item[m[3]]; else item[m[3]] = value;
  };
  var getPathPlain = getPath;
  getPath = function (obj, path) {
    var m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);
    if (!m) return getPathPlain(obj, path);
    var list = obj[m[1]];
    return Array.isArray(list) && list[+m[2]] ? list[+m[2]][m[3]] : undefined;
  };

  // ---- The YAML file: written here (every text value double-quoted, so nothing a writer
  // types can turn into a number, a date or a yes/no), read with js-yaml (vendored, MIT).
  var ORDER = ["unit", "name", "short_name", "level", "parent", "region", "year", "date", "topic", "contact", "phone",
               "leading_group", "role", "post", "office", "director", "timeline", "phase", "start", "end", "tasks", "results"];
  function scalar(v, key) {
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    var s = String(v);
    if ((key === "start" || key === "end" || key === "date") && /^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
    if (key === "year" && /^\d{4}$/.test(s)) return s;
    return JSON.stringify(s);
  }
  function keysOf(obj) {
    return Object.keys(obj).sort(function (a, b) {
      var i = ORDER.indexOf(a), j = ORDER.indexOf(b);
      return (i < 0 ? 99 : i) - (j < 0 ? 99 : j);
    });
  }
  function dump(obj, ind, out) {
    keysOf(obj).forEach(function (k) {
      var v = obj[k];
      if (v === null || v === undefined || v === "") return;
      if (Array.isArray(v)) {
        if (!v.length) return;
        out.push(ind + k + ":");
        v.forEach(function (item) {
          if (item && typeof item === "object" && !Array.isArray(item)) {
            var sub = [];
            dump(item, ind + "    ", sub);
            if (!sub.length) return;
            sub[0] = ind + "  - " + sub[0].slice(ind.length + 4);
            out.push.apply(out, sub);
          } else if (item !== null && item !== undefined && item !== "") {
            out.push(ind + "  - " + scalar(item, k));
          }
        });
      } else if (typeof v === "object") {
        var inner = [];
        dump(v, ind + "  ", inner);
        if (inner.length) { out.push(ind + k + ":"); out.push.apply(out, inner); }
      } else {
        out.push(ind + k + ": " + scalar(v, k));
      }
    });
    return out;
  }
  function yamlText() {
    return ["# 本单位信息（范文库）。同事可在网站上“从文件读入”；命令行：fanwen draft work-plan --data 本文件 --out 草稿.docx"]
      .concat(dump(state, "", [])).join("\n") + "\n";
  }
  function download(name, blob) {
    var a = el("a", {href: URL.createObjectURL(blob), download: name});
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // ---- The form.
  var rebuilders = [];
  var status = el("p", {"class": "fw-status", "aria-live": "polite"});
  var form = el("div", {"class": "fw-form"});
  SECTIONS.forEach(function (s) {
    if (s.rows) { form.appendChild(rowsBlock(s)); return; }
    var box = el(s.more ? "details" : "fieldset", {"class": "fw-group"});
    box.appendChild(el(s.more ? "summary" : "legend", {text: s.title}));
    var grid = el("div", {"class": "fw-grid"});
    s.fields.forEach(function (f) { grid.appendChild(field(f[0], f[1], f[2], f[3])); });
    box.appendChild(grid);
    if (s.more && s.fields.some(function (f) { return hasData(getPath(state, f[0])); })) box.open = true;
    form.appendChild(box);
  });
  var fileInput = el("input", {type: "file", accept: ".yml,.yaml,text/yaml", "class": "fw-file", "aria-label": "从文件读入"});
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      var text = String(reader.result).replace(/^\ufeff/, "");
      var data;
      try { data = window.jsyaml.load(text, {schema: window.jsyaml.CORE_SCHEMA}); }
      catch (e) {
        say("读入失败：文件不是正确的 YAML（" + (e.mark ? "第 " + (e.mark.line + 1) + " 行，" : "") + (e.reason || e.message) + "）。");
        return;
      }
      if (!data || typeof data !== "object" || Array.isArray(data)) { say("读入失败：文件中没有单位信息（应为“unit: …”这样的格式）。"); return; }
      state = data;
      refill();
      say("已从文件“" + file.name + "”读入。");
    };
    reader.onerror = function () { say("读入失败：无法读取这个文件。"); };
    reader.readAsText(file, "utf-8");
    fileInput.value = "";
  });
  var clearArmed = null;
  var clearButton = button("清空", "fw-clear", function () {
    if (!clearArmed) {
      clearButton.textContent = "确定清空？再点一次";
      clearArmed = setTimeout(function () { clearArmed = null; clearButton.textContent = "清空"; }, 4000);
      return;
    }
    clearTimeout(clearArmed); clearArmed = null; clearButton.textContent = "清空";
    state = {};
    refill();
    say("已清空本单位信息。");
  });
  var tools = el("div", {"class": "fw-tools"}, [
    button("保存为文件", "fw-save", function () {
      var name = C.fileStem("本单位信息-" + (getPath(state, "unit.short_name") || getPath(state, "unit.name") || "未命名")) + ".yml";
      download(name, new Blob([yamlText()], {type: "text/yaml;charset=utf-8"}));
      say("已保存为文件：" + name);
    }),
    button("从文件读入", "fw-open", function () { fileInput.click(); }),
    clearButton, fileInput]);

  function say(text) { status.textContent = text; }

  var panel;
  if (slug) {
    panel = el("details", {"class": "fw-unit"}, [el("summary", {text: "本单位信息：填一次，所有模板都换成本单位的草稿"}),
      el("p", {"class": "fw-hint"}, ["信息保存在本机浏览器中，换页、下次打开仍在。也可在", 
        el("a", {href: host.getAttribute("data-fw-form-page"), text: "本单位信息"}), "页单独填写。"]),
      tools, status, form]);
    if (!hasData(state)) panel.open = true;
  } else {
    panel = el("div", {"class": "fw-unit fw-unit--page"}, [tools, status, form]);
  }
  host.appendChild(panel);

  function refill() {
    inputs.forEach(function (i) {
      if (i.path.indexOf("[") < 0) i.node.value = shown(getPath(state, i.path));
    });
    rebuilders.forEach(function (r) { r(); });
    changed();
  }

  // ---- The draft on a template page.
  var paper = document.querySelector(".fw-paper");
  var sample = paper ? paper.cloneNode(true) : null;
  var legend = document.querySelector(".fw-legend");
  var sampleLegend = legend ? legend.cloneNode(true) : null;
  var copy = document.querySelector(".fw-copy");
  var sampleCopy = copy ? copy.getAttribute("data-copy") : null;
  var links = Array.prototype.slice.call(document.querySelectorAll(".fw-actions a[download]"));
  var current = null;  // {filled, title, stem, ctx} of the writer's draft, or null (sample)
  var problemBox = el("div", {"class": "fw-problems", role: "status"});
  if (paper) paper.parentNode.insertBefore(problemBox, paper);

  var CLASSES = {title: "fw-doc-title", h1: "fw-doc-h1", h2: "fw-doc-h2", to: "fw-to", sign: "fw-sign", date: "fw-date",
    attach: "fw-attach", center: "fw-center", cc: "fw-cc", imprint: "fw-imprint", pagebreak: "fw-pagebreak"};
  function paperOf(filled) {
    var div = el("div", {"class": "fw-paper fw-paper--mine"});
    C.rawBlocks(filled).forEach(function (b) {
      var p = el("p", CLASSES[b[0]] ? {"class": CLASSES[b[0]]} : {});
      b[1].split(new RegExp("(" + C.FILL_START + "[^" + C.FILL_END + "]*" + C.FILL_END + ")")).forEach(function (piece) {
        if (!piece) return;
        if (piece.charAt(0) === C.FILL_START) {
          var value = piece.slice(1, -1);
          p.appendChild(el("span", {"class": value.indexOf("【待填写：") === 0 ? "fw-blank" : "fw-filled", text: value}));
        } else {
          p.appendChild(document.createTextNode(piece));
        }
      });
      div.appendChild(p);
    });
    return div;
  }

  function showProblems(problems) {
    Array.prototype.forEach.call(document.querySelectorAll(".fw-msg"), function (m) { m.textContent = ""; });
    inputs.forEach(function (i) { i.node.removeAttribute("aria-invalid"); });
    var unplaced = [];
    problems.forEach(function (p) {
      var path = p.path, target = null;
      while (path && !target) {
        target = document.querySelector('.fw-msg[data-fw-msg="' + path.replace(/"/g, "") + '"]');
        if (!target) path = path.replace(/(\[\d+\]|\.[^.\[]+)$/, "") === path ? "" : path.replace(/(\[\d+\]|\.[^.\[]+)$/, "");
      }
      if (target) {
        target.textContent = (target.textContent ? target.textContent + "；" : "") + p.message;
        var input = target.parentNode.tagName === "LABEL" ? target.parentNode.querySelector("input, select, textarea") : null;
        if (input) input.setAttribute("aria-invalid", "true");
      } else {
        unplaced.push((labelOf(p.path) || p.path) + "：" + p.message);
      }
    });
    return unplaced;
  }

  var renders = 0;
  // Whatever the values, typing never breaks the page: an unexpected error is said on the page
  // (and logged, so the tests see it) and the form keeps working.
  function changed() {
    try { update(); } catch (e) {
      problemBox.textContent = "生成草稿时出错（" + e.message + "）；请检查刚填写的内容，或清空后重填。";
      if (window.console) console.error(e);
    }
  }
  // The writer's draft of template `slug` from normalized values: what that template's page
  // shows, copies and downloads ({error} when the template does not fit the unit's level).
  function draftOf(slug, n) {
    var ctx = C.context(n.data, B);
    var r = C.render(slug, ctx, B);
    if (r.error) return {error: r.error};
    var title = C.blocks(r.filled)[0][1].replace(/\u200b/g, "");
    return {filled: r.filled, ctx: ctx, title: title, stem: C.fileStem(title), text: C.plainText(r.filled)};
  }
  function update() {
    store();
    renders++;
    var n = C.normalize(state, B.shape, labelOf);
    var visible = hasData(state);
    var unplaced = visible ? showProblems(n.problems) : showProblems([]);
    if (!paper || !slug) return;
    problemBox.textContent = "";
    if (!visible) {  // nothing entered: the sample stays, as the site shows it without the form
      current = null;
      showActions(true);
      swapPaper(sample.cloneNode(true));
      if (legend && sampleLegend) legend.replaceChildren.apply(legend, Array.prototype.slice.call(sampleLegend.cloneNode(true).childNodes));
      if (copy) copy.setAttribute("data-copy", sampleCopy);
      return;
    }
    var mine = draftOf(slug, n);
    if (legend) legend.replaceChildren(
      "下面是用本单位信息填写的草稿，", el("span", {"class": "fw-filled", text: "这样标出的"}), "是填入的内容，",
      el("span", {"class": "fw-blank", text: "【待填写：……】"}), "是还没有填、须由撰稿人补写的内容。");
    if (mine.error) {  // the template does not fit this unit's level: say so, offer no sample instead
      current = null;
      var note = el("div", {"class": "fw-paper fw-paper--mine"}, [el("p", {"class": "fw-not-for", text: mine.error})]);
      swapPaper(note);
      showActions(false);
      return;
    }
    showActions(true);
    current = mine;
    swapPaper(paperOf(mine.filled));
    if (copy) copy.setAttribute("data-copy", mine.text);
    var count = n.problems.length;
    if (count) {
      problemBox.appendChild(el("p", {"class": "fw-problem-note",
        text: "本单位信息中有 " + count + " 处需要核对（已在表单中对应的项旁标出），草稿中相应的内容显示为【待填写】。"}));
      unplaced.forEach(function (u) { problemBox.appendChild(el("p", {"class": "fw-problem-note", text: u})); });
    }
  }
  // Word of the writer's own draft needs the .docx writer (FwDocx); without it the link would
  // give the sample, so it is hidden and the page says what to do instead.
  var wordNote = el("p", {"class": "fw-hint fw-word-note", hidden: "",
    text: "本单位草稿的 Word 版暂时无法在本页生成：请刷新页面后重试，或“复制全文”后粘贴到 Word。"});
  var actions = document.querySelector(".fw-actions");
  if (actions) actions.parentNode.insertBefore(wordNote, actions.nextSibling);
  function wordLink() {
    var mine = !!current && !window.FwDocx;
    links.forEach(function (a) { if (/\.docx$/.test(a.getAttribute("download"))) a.hidden = mine; });
    wordNote.hidden = !mine;
  }
  function showActions(shown) {
    var row = document.querySelector(".fw-actions");
    if (row) row.hidden = !shown;
  }
  function swapPaper(next) {
    wordLink();
    paper.parentNode.replaceChild(next, paper);
    paper = next;
  }

  // Downloads of the writer's draft (the links keep the sample's files when nothing is entered).
  links.forEach(function (a) {
    a.addEventListener("click", function (event) {
      if (!current) return;
      event.preventDefault();
      if (/\.md$/.test(a.getAttribute("download"))) {
        download(current.stem + ".md", new Blob([C.cleanMarkdown(current.filled)], {type: "text/markdown;charset=utf-8"}));
      } else if (window.FwDocx) {
        download(current.stem + ".docx", new Blob([window.FwDocx.build(C.blocks(current.filled), current.ctx.unit.name, current.title)],
          {type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}));
      }
    });
  });

  // Another tab or page changed the values: take them over.
  window.addEventListener("storage", function (e) {
    if (e.key !== KEY) return;
    state = load();
    refill();
  });

  window.FwDraft = {state: function () { return state; }, yaml: yamlText, renders: function () { return renders; },
    current: function () { return current; },
    // Every template's draft from the values in the form, as its page would give it: the copied
    // text, the downloaded Markdown and the Word document's body (word/document.xml).
    drafts: function (slugs) {
      var n = C.normalize(state, B.shape, labelOf), out = {};
      slugs.forEach(function (s) {
        var d = draftOf(s, n);
        out[s] = d.error ? {error: d.error} : {text: d.text, markdown: C.cleanMarkdown(d.filled),
          documentXml: window.FwDocx ? window.FwDocx.documentXml(C.blocks(d.filled), B.docx) : null};
      });
      return out;
    }};
  changed();
  }
})();
