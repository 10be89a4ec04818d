// 起草 in the browser, part 1: the pure core (no DOM). It evaluates the templates compiled at
// build time (fanwen/drafting/compiled.py → assets/fanwen/draft-data.js) with the same semantics as
// `fanwen draft`: the same filters, the same derived values (fanwen/drafting/templates.py: context),
// the same blocks and outputs. No template wording lives here, and nothing is eval'd: the
// site's CSP forbids eval / new Function, and a tree walk needs neither.
// Written as ES5-style code with no API newer than Firefox ESR has.
(function (root) {
  "use strict";

  var FILL_START = "\ue000", FILL_END = "\ue001";
  var CN_DIGITS = "〇一二三四五六七八九";
  var PRIVATE = /[\ue000-\uf8ff]/g;
  var ZW = /[\u200b-\u200f\u2060\ufeff]/g;
  var MARKERS = [["@to ", "to"], ["@sign ", "sign"], ["@date ", "date"], ["@attach ", "attach"],
                 ["@center ", "center"], ["@cc ", "cc"], ["@imprint ", "imprint"], ["@pagebreak", "pagebreak"]];

  function blank(what) { return "【待填写：" + pyStr(what) + "】"; }

  // ---- Dates: a day, compared by day, printed as Python prints a date (2027-03-01).
  function FwDate(y, m, d) { this.year = y; this.month = m; this.day = d; }
  FwDate.prototype.ordinal = function () { return this.year * 10000 + this.month * 100 + this.day; };
  FwDate.prototype.toString = function () {
    return String(this.year).padStart(4, "0") + "-" + String(this.month).padStart(2, "0") + "-" +
      String(this.day).padStart(2, "0");
  };
  FwDate.prototype.toJSON = FwDate.prototype.toString;
  function isDate(v) { return v instanceof FwDate; }
  // The CLI's dates (pydantic): YYYY-MM-DD and a day that exists. Returns a FwDate, "impossible"
  // or null (not a date at all).
  function parseDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text).trim());
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    var probe = new Date(Date.UTC(y, mo - 1, d));
    if (mo < 1 || mo > 12 || d < 1 || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return "impossible";
    return new FwDate(y, mo, d);
  }

  // ---- Python's str(), truthiness and equality for the values a template sees.
  function pyRepr(v) {
    if (typeof v === "string") return "'" + v + "'";
    return pyStr(v);
  }
  function pyStr(v) {
    if (v === null || v === undefined) return "None";
    if (typeof v === "string") return v;
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number") return String(v);
    if (isDate(v)) return v.toString();
    if (Array.isArray(v)) return "[" + v.map(pyRepr).join(", ") + "]";
    return "{" + Object.keys(v).map(function (k) { return "'" + k + "': " + pyRepr(v[k]); }).join(", ") + "}";
  }
  function truthy(v) {
    if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === "object" && !isDate(v)) return Object.keys(v).length > 0;
    return true;
  }
  function pyEq(a, b) {
    if (isDate(a) && isDate(b)) return a.ordinal() === b.ordinal();
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.length === b.length && a.every(function (x, i) { return pyEq(x, b[i]); });
    }
    if (a && b && typeof a === "object" && typeof b === "object" && !isDate(a) && !isDate(b)) {
      var ka = Object.keys(a), kb = Object.keys(b);
      return ka.length === kb.length && ka.every(function (k) { return pyEq(a[k], b[k]); });
    }
    if ((a === null || a === undefined) && (b === null || b === undefined)) return a === b;
    return a === b;
  }
  function cmpKey(v) { return isDate(v) ? v.ordinal() : v; }
  function pyStrip(s) { return s.replace(/^\s+|\s+$/g, ""); }
  function rstripChars(s, chars) {
    var i = s.length;
    while (i > 0 && chars.indexOf(s.charAt(i - 1)) >= 0) i--;
    return s.slice(0, i);
  }
  function len(v) {
    if (typeof v === "string") return Array.from(v).length;
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === "object") return Object.keys(v).length;
    return 0;
  }

  // ---- The filters (FILTERS in fanwen/drafting/templates.py, plus Jinja's length/first/last/join).
  function cnDate(d) { return isDate(d) ? d.year + "年" + d.month + "月" + d.day + "日" : blank("日期"); }
  function cnRange(a, b) {
    if (!isDate(a) || !isDate(b)) return blank("起止日期");
    var tail = b.year === a.year ? b.month + "月" + b.day + "日" : cnDate(b);
    return cnDate(a) + "至" + tail;
  }
  // As fanwen/drafting/templates.py cn_number: 12 → 十二, 105 → 一百零五, 2027 → 二千零二十七.
  function cnNumber(n) {
    if (!(n >= 0 && n <= 9999)) throw new Error(n + " 超出中文编号的范围（0–9999）");
    if (n < 10) return CN_DIGITS.charAt(n);
    if (n < 20) return "十" + (n > 10 ? CN_DIGITS.charAt(n - 10) : "");
    var out = "", zero = false, units = [["千", 1000], ["百", 100], ["十", 10], ["", 1]];
    for (var i = 0; i < units.length; i++) {
      var digit = Math.floor(n / units[i][1]);
      n = n % units[i][1];
      if (digit) {
        out += (zero && out ? "零" : "") + CN_DIGITS.charAt(digit) + units[i][0];
        zero = false;
      } else {
        zero = out !== "";
      }
    }
    return out;
  }
  function arg(args, kwargs, i, name, dflt) {
    if (args.length > i) return args[i];
    if (kwargs && Object.prototype.hasOwnProperty.call(kwargs, name)) return kwargs[name];
    return dflt;
  }
  var FILTERS = {
    cn_date: function (v) { return cnDate(v); },
    cn_range: function (v, a) { return cnRange(v, a[0]); },
    cn: function (v) { return cnNumber(v); },
    suffix: function (v, a, k) {
      var text = v === null || v === undefined ? "" : pyStr(v), word = arg(a, k, 0, "word");
      return text.slice(-word.length) === word && word.length ? text : text + word;
    },
    items: function (v, a, k) {
      var sep = arg(a, k, 0, "sep", "；"), end = arg(a, k, 1, "end", "。");
      var parts = (v || []).map(function (x) { return rstripChars(pyStrip(pyStr(x)), "。；;，,、."); })
        .filter(function (p) { return p; });
      return parts.length ? parts.join(sep) + end : "";
    },
    bare: function (v) { return rstripChars(pyStrip(pyStr(v)), "。；;，,、.！!"); },
    names: function (v, a, k) {
      var sep = arg(a, k, 0, "sep", "、");
      return (v || []).map(function (m) { return m.name; }).join(sep);
    },
    blank: function (v) { return blank(v); },
    or_blank: function (v, a, k) {
      if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return blank(arg(a, k, 0, "what"));
      return v;
    },
    length: function (v) { return len(v); },
    first: function (v) { return v && v.length ? (typeof v === "string" ? Array.from(v)[0] : v[0]) : undefined; },
    last: function (v) { return v && v.length ? (typeof v === "string" ? Array.from(v).pop() : v[v.length - 1]) : undefined; },
    join: function (v, a, k) {
      var d = arg(a, k, 0, "d", "");
      return (v || []).map(pyStr).join(d);
    }
  };
  var TESTS = {
    defined: function (v) { return v !== undefined; },
    none: function (v) { return v === null; },
    equalto: function (v, a) { return pyEq(v, a[0]); },
    sameas: function (v, a) { return v === a[0]; }
  };

  // ---- The interpreter: the JSON tree of fanwen/drafting/compiled.py.
  function getattr(obj, key) {
    if (obj === null || obj === undefined) return undefined;
    if (isDate(obj)) return key === "year" || key === "month" || key === "day" ? obj[key] : undefined;
    if (typeof obj === "object" && !Array.isArray(obj) && Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
    return undefined;
  }
  function getitem(obj, key) {
    if (Array.isArray(obj) && typeof key === "number") {
      var i = key < 0 ? obj.length + key : key;
      return i >= 0 && i < obj.length ? obj[i] : undefined;
    }
    if (typeof key === "string") return getattr(obj, key);
    return undefined;
  }
  function compare(op, a, b) {
    switch (op) {
      case "eq": return pyEq(a, b);
      case "ne": return !pyEq(a, b);
      case "in": return contains(b, a);
      case "notin": return !contains(b, a);
    }
    if (a === null || a === undefined || b === null || b === undefined) return false;
    a = cmpKey(a); b = cmpKey(b);
    switch (op) {
      case "lt": return a < b;
      case "lteq": return a <= b;
      case "gt": return a > b;
      case "gteq": return a >= b;
    }
    throw new Error("unknown comparison " + op);
  }
  function contains(container, item) {
    if (Array.isArray(container)) return container.some(function (x) { return pyEq(x, item); });
    if (typeof container === "string") return container.indexOf(pyStr(item)) >= 0;
    if (container && typeof container === "object") return Object.prototype.hasOwnProperty.call(container, item);
    return false;
  }
  function add(a, b) {
    if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
    if (typeof a === "number" && typeof b === "number") return a + b;
    if (typeof a === "string" && typeof b === "string") return a + b;
    return undefined;  // Python would refuse; the draft still renders
  }

  function ev(node, scope) {
    switch (node[0]) {
      case "n": return node[1] in scope ? scope[node[1]] : undefined;
      case "c": return node[1];
      case "list": return node[1].map(function (n) { return ev(n, scope); });
      case ".": return getattr(ev(node[1], scope), node[2]);
      case "[]": return getitem(ev(node[1], scope), ev(node[2], scope));
      case "~": return node[1].map(function (n) { return pyStr(ev(n, scope)); }).join("");
      case "+": return add(ev(node[1], scope), ev(node[2], scope));
      case "-": { var x = ev(node[1], scope), y = ev(node[2], scope);
        return typeof x === "number" && typeof y === "number" ? x - y : undefined; }
      case "neg": { var v = ev(node[1], scope); return typeof v === "number" ? -v : undefined; }
      case "not": return !truthy(ev(node[1], scope));
      case "and": { var l = ev(node[1], scope); return truthy(l) ? ev(node[2], scope) : l; }
      case "or": { var o = ev(node[1], scope); return truthy(o) ? o : ev(node[2], scope); }
      case "cmp": {
        var left = ev(node[1], scope);
        for (var i = 0; i < node[2].length; i++) {
          var right = ev(node[2][i][1], scope);
          if (!compare(node[2][i][0], left, right)) return false;
          left = right;
        }
        return true;
      }
      case "?": return truthy(ev(node[1], scope)) ? ev(node[2], scope) : ev(node[3], scope);
      case "f": case "is": {
        var args = node[3].map(function (n) { return ev(n, scope); });
        var kwargs = {};
        Object.keys(node[4]).forEach(function (k) { kwargs[k] = ev(node[4][k], scope); });
        var fn = (node[0] === "f" ? FILTERS : TESTS)[node[1]];
        return fn(ev(node[2], scope), args, kwargs);
      }
    }
    throw new Error("unknown expression " + node[0]);
  }

  // Every printed value is wrapped in the FILL marks (templating._finalize).
  function finalize(v) {
    if (v === null || v === undefined) return "";
    var text = pyStr(v).replace(PRIVATE, "").replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ");
    return FILL_START + text + FILL_END;
  }

  function run(body, scope, out) {
    for (var i = 0; i < body.length; i++) {
      var node = body[i];
      switch (node[0]) {
        case "t": out.push(node[1]); break;
        case "o": out.push(finalize(ev(node[1], scope))); break;
        case "set": scope[node[1]] = ev(node[2], scope); break;
        case "if": {
          var done = false;
          for (var b = 0; b < node[1].length && !done; b++) {
            if (truthy(ev(node[1][b][0], scope))) { run(node[1][b][1], scope, out); done = true; }
          }
          if (!done) run(node[2], scope, out);
          break;
        }
        case "for": {
          var seq = ev(node[2], scope);
          if (seq && !Array.isArray(seq) && typeof seq === "object") seq = Object.keys(seq);
          if (!Array.isArray(seq)) seq = [];
          if (!seq.length) { run(node[4], Object.create(scope), out); break; }
          for (var j = 0; j < seq.length; j++) {
            var inner = Object.create(scope);  // a loop's `set` stays inside the loop, as in Jinja
            inner[node[1]] = seq[j];
            inner.loop = {index: j + 1, index0: j, first: j === 0, last: j === seq.length - 1, length: seq.length,
                          revindex: seq.length - j, revindex0: seq.length - j - 1};
            run(node[3], inner, out);
          }
          break;
        }
        default: throw new Error("unknown statement " + node[0]);
      }
    }
    return out;
  }

  function evaluate(body, context) {
    var scope = Object.create(null);
    Object.keys(context).forEach(function (k) { scope[k] = context[k]; });
    return run(body, scope, []).join("");
  }

  // ---- The unit data: defaults and checks from the shape the CLI validates with
  // (fanwen/drafting/unitdata.py: shape()), messages as the CLI words them.
  var FORBIDDEN = /[\ue000-\uf8ff\x00-\x1f\x7f-\x9f\u2028\u2029]|[\udb80-\udbff][\udc00-\udfff]/;

  // Returns {data, problems: [{path, message}]}. Bad values are reported and replaced by what
  // lets the draft render (a blank, or nothing), never by the sample's values.
  function normalize(raw, shape, labelOf) {
    var problems = [];
    function report(path, message) { problems.push({path: path, message: message}); }
    function label(path) { return (labelOf && labelOf(path)) || path; }
    function text(v, path, nonempty) {
      if (v === null || v === undefined) v = "";
      if (typeof v === "boolean") { report(path, "应为文字，实际是 true/false；如要写“是/否”，请加引号"); v = ""; }
      else if (typeof v === "number") v = String(v);
      else if (isDate(v)) v = v.toString();
      else if (typeof v !== "string") { report(path, "应为一行文字（不是列表或映射）"); v = ""; }
      v = pyStrip(v);
      var bad = FORBIDDEN.exec(v);
      if (bad) {
        report(path, bad[0] === "\n" || bad[0] === "\r" ? "应为一行文字，不能换行；请把内容写在一行"
          : "含有不可见的控制字符或私用区字符（U+" + bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "）；请删除后重新输入");
        v = v.replace(new RegExp(FORBIDDEN.source, "g"), "");
      }
      if (nonempty && !v) { report(path, "不能为空"); return blank(label(path)); }
      return v;
    }
    function field(f, v, path) {
      var missing = v === null || v === undefined || v === "";
      if (missing && !f.required) return Array.isArray(f.default) ? [] : (f.default && typeof f.default === "object") ? {} : f.default;
      switch (f.kind) {
        case "text": return text(v, path, f.nonempty || f.required);
        case "int": {
          var n = typeof v === "string" && /^\s*\d+\s*$/.test(v) ? parseInt(v, 10) : v;
          if (typeof n !== "number" || !isFinite(n) || Math.floor(n) !== n || n < 1949 || n > 2100) {
            report(path, missing ? "缺少必填项" : "年份应为四位数，如 2027");
            return blank(label(path));
          }
          return n;
        }
        case "bool": return typeof v === "boolean" ? v : truthy(v);
        case "date": {
          if (isDate(v)) return v;
          if (missing) { report(path, "缺少必填项：应为日期（如 2027-03-01）"); return null; }
          var d = parseDate(v);
          if (d === "impossible") { report(path, "日期 " + v + " 不存在"); return null; }
          if (!d) { report(path, "应为日期（如 2027-03-01），现在是“" + v + "”"); return null; }
          return d;
        }
        case "list": {
          if (missing) v = [];
          if (!Array.isArray(v)) { report(path, "应为列表（每项以 - 开头）"); v = []; }
          if (f.min && v.length < f.min) report(path, "至少要有一项");
          return v.map(function (x, i) { return field(f.item, x, path + "[" + i + "]"); });
        }
        case "dict": {
          var out = {};
          if (v && typeof v === "object" && !Array.isArray(v)) {
            Object.keys(v).forEach(function (k) { out[k] = text(v[k], path + "." + k, false); });
          }
          return out;
        }
        case "model": {
          if (missing) { report(path, "缺少必填项"); v = {}; }
          if (typeof v !== "object" || Array.isArray(v)) { report(path, "应为映射（键: 值）"); v = {}; }
          return model(f.model, v, path);
        }
      }
      return v;
    }
    function model(name, v, path) {
      var fields = shape[name], out = {};
      Object.keys(fields).forEach(function (k) {
        out[k] = field(fields[k], v[k], path ? path + "." + k : k);
      });
      // Writers may add fields of their own (extra="allow"): templates can use them.
      Object.keys(v).forEach(function (k) { if (!(k in fields)) out[k] = v[k]; });
      if ("start" in fields && isDate(out.start) && isDate(out.end) && out.end.ordinal() < out.start.ordinal()) {
        report(path + ".end", "结束日期 " + cnDate(out.end) + " 早于开始日期 " + cnDate(out.start));
      }
      return out;
    }
    var data = model("UnitData", raw && typeof raw === "object" ? raw : {}, "");
    if (data.unit.level !== null && data.unit.level !== "" && shape.levels.indexOf(data.unit.level) < 0 &&
        data.unit.level.indexOf("【待填写") !== 0) {
      report("unit.level", "层级应为 " + shape.levels.join("、") + " 之一");
      data.unit.level = null;
    }
    if (data.unit.level === "") data.unit.level = null;
    warnings(data, problems);
    return {data: data, problems: problems};
  }

  // check_unit's warnings about what is allowed but probably not meant.
  function warnings(data, problems) {
    var tl = data.timeline;
    var years = {};
    tl.forEach(function (p) { [p.start, p.end].forEach(function (d) { if (isDate(d)) years[d.year] = true; }); });
    var ys = Object.keys(years).sort();
    if (typeof data.year === "number" && ys.length && !years[data.year]) {
      problems.push({path: "year", message: "年份是 " + data.year + "，但各阶段的日期都在 " + ys.join("、") + " 年；请核对年份。"});
    }
    for (var i = 1; i < tl.length; i++) {
      if (isDate(tl[i].start) && isDate(tl[i - 1].start) && tl[i].start.ordinal() < tl[i - 1].start.ordinal()) {
        problems.push({path: "timeline[" + i + "].start",
          message: "“" + tl[i].phase + "”开始于“" + tl[i - 1].phase + "”之前；请按时间先后排列各阶段。"});
      }
    }
    if (data.election) {
      var steps = Object.keys(data.election).filter(function (k) { return data.election[k] && isDate(data.election[k].start); });
      for (var s = 1; s < steps.length; s++) {
        if (data.election[steps[s]].start.ordinal() < data.election[steps[s - 1]].start.ordinal()) {
          problems.push({path: "election." + steps[s] + ".start", message: "开始于上一步骤之前；请核对选举各步骤的日期。"});
        }
      }
    }
  }

  // templating.context(): what templates see. Ported line by line; tests/test_draft_browser.py
  // compares its output with the Python one.
  function context(data, bundle) {
    var level = data.unit.level || bundle.default_level;
    var values = {};
    Object.keys(data).forEach(function (k) { values[k] = data[k]; });
    var group = data.leading_group, phases = data.timeline;
    var last = phases[phases.length - 1], first = phases[0];
    var reportDate = data.date || (last ? last.end : null);
    var lv = {};
    var levelWords = bundle.levels[level] || {};
    Object.keys(levelWords).forEach(function (k) { lv[k] = levelWords[k]; });
    Object.keys(data.words || {}).forEach(function (k) { lv[k] = data.words[k]; });
    var steps = {};
    Object.keys(bundle.shape.Election).forEach(function (k) { steps[k] = null; });
    values.phrases = bundle.phrases;
    values.level = level;
    values.lv = lv;
    values.leader = group[0] || {role: "组长", name: blank("组长姓名"), post: blank("组长职务")};
    values.deputies = group.slice(1).filter(function (m) { return m.role === "副组长"; });
    values.members = group.slice(1).filter(function (m) { return m.role !== "副组长"; });
    values.plan_date = data.date || (first ? first.start : null);
    values.report_date = reportDate;
    values.done = phases.filter(function (p) { return compare("lteq", p.start, reportDate); }).map(function (p) {
      var q = {};
      Object.keys(p).forEach(function (k) { q[k] = p[k]; });
      q.until = isDate(p.end) && isDate(reportDate) ? (p.end.ordinal() <= reportDate.ordinal() ? p.end : reportDate) : p.end;
      return q;
    });
    values.upcoming = phases.filter(function (p) { return compare("gt", p.start, reportDate); });
    values.election = data.election || steps;
    return values;
  }

  // ---- Outputs (templating.py: blocks, clean_markdown, plain_text; wrap_notice).
  function rawBlocks(filled) {
    var out = [];
    filled.split("\n\n").forEach(function (block) {
      block = pyStrip(block);
      if (!block) return;
      var kind = "body", i;
      for (i = 0; i < MARKERS.length; i++) {
        if (block.indexOf(MARKERS[i][0]) === 0) { kind = MARKERS[i][1]; block = pyStrip(block.slice(MARKERS[i][0].length)); break; }
      }
      if (kind === "body") {
        var heads = [["# ", "title"], ["## ", "h1"], ["### ", "h2"]];
        for (i = 0; i < heads.length; i++) {
          if (block.indexOf(heads[i][0]) === 0) { kind = heads[i][1]; block = pyStrip(block.slice(heads[i][0].length)); break; }
        }
      }
      out.push([kind, block.split("\n").map(pyStrip).join(" ")]);
    });
    return out;
  }
  function unmark(kind, text) {
    if (kind === "title") {
      text = text.replace(/[\ue000\ue001]+/g, "\u200b").replace(/^\u200b+|\u200b+$/g, "");
      return text.replace(/\u200b+/g, "\u200b");
    }
    return text.split(FILL_START).join("").split(FILL_END).join("");
  }
  function blocks(filled) {
    return rawBlocks(filled).map(function (b) { return [b[0], unmark(b[0], b[1])]; });
  }
  var MD_PREFIX = {title: "# ", h1: "## ", h2: "### "};
  function cleanMarkdown(filled) {
    return blocks(filled).map(function (b) {
      return b[0] === "pagebreak" ? "---" : (MD_PREFIX[b[0]] || "") + b[1].replace(ZW, "");
    }).join("\n\n") + "\n";
  }
  function plainText(filled) {
    return (blocks(filled).map(function (b) { return b[1]; }).join("\n") + "\n").replace(ZW, "");
  }
  function blanksOf(filled) {
    var found = [], re = /【待填写：(.*?)】/g, m, text = plainText(filled);
    while ((m = re.exec(text))) found.push(m[1]);
    return found;
  }

  function wrapNotice(filled, ctx, bundle) {
    var issue = ctx.issue || {};
    var title = blocks(filled)[0][1].replace(ZW, "");
    var c2 = {};
    Object.keys(ctx).forEach(function (k) { c2[k] = ctx[k]; });
    c2.doc_title = title;
    var notice = evaluate(bundle.notice, c2);
    var body = filled.split("\n\n").filter(function (b) {
      b = pyStrip(b); return b.indexOf("@sign ") !== 0 && b.indexOf("@date ") !== 0;
    }).join("\n\n");
    var issuer = issue.issuer || ctx.unit.name;
    var when = issue.date || ctx.plan_date;
    var record = issue.cc && issue.cc.length ? "@cc 抄送：" + finalize(issue.cc.join("、")) + "。\n\n" : "";
    record += "@imprint " + finalize(issuer) + "　　" + finalize(cnDate(when)) + "印发\n";
    return notice + "\n\n" + body.replace(/\s+$/, "") + "\n\n" + record;
  }

  // The filled template (with FILL marks) for a unit, or {error} when it does not fit the level.
  function render(slug, ctx, bundle) {
    var t = bundle.templates[slug];
    if (t.levels.indexOf(ctx.level) < 0) {
      return {error: "此模板不适用于“" + ctx.level + "”一级的单位。" + (t.not_for || "此模板适用于：" + t.levels.join("、") + "。")};
    }
    var filled = evaluate(t.body, ctx);
    if (ctx.issue && ctx.issue.notice && t.type === "方案" && bundle.notice) filled = wrapNotice(filled, ctx, bundle);
    return {filled: filled};
  }

  // macros.file_stem: a title as a file name on Windows, macOS and Linux.
  function fileStem(title) {
    var stem = title.replace(/[\\/:*?"<>|\x00-\x1f]+/g, "").replace(/^[ .]+|[ .]+$/g, "") || "草稿";
    return Array.from(stem).slice(0, 60).join("");
  }

  root.FwCore = {FILL_START: FILL_START, FILL_END: FILL_END, FwDate: FwDate, parseDate: parseDate, isDate: isDate,
    normalize: normalize, context: context, render: render, evaluate: evaluate, rawBlocks: rawBlocks, blocks: blocks,
    cleanMarkdown: cleanMarkdown, plainText: plainText, blanks: blanksOf, fileStem: fileStem, blank: blank,
    pyStr: pyStr, cnDate: cnDate};
})(typeof window !== "undefined" ? window : globalThis);
