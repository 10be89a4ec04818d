// 起草 in the browser, part 3: the writer's draft as a .docx laid out after GB/T 9704-2012.
// Everything but the paragraphs comes from `fanwen draft` itself: fanwen/drafting/compiled.py ships
// the parts build_docx writes for an empty document (page, margins, styles, footers with
// page numbers, fonts, language). The paragraphs below are fanwen/drafting/word_output.py's build_docx loop,
// ported; tests/test_draft_browser.py compares the resulting word/document.xml with the CLI's
// byte for byte. The zip is written here (stored, no compression: a .docx needs no more).
(function (root) {
  "use strict";
  var TITLE = "方正小标宋简体", BODY = "仿宋_GB2312", H1 = "黑体", H2 = "楷体_GB2312";
  var EMU_PER_TWIP = 635, CHAR = 203200 - 3175;  // Pt(16) - Pt(0.25) in EMU (docx.CHAR)
  var SP = '<w:spacing w:lineRule="exact" w:line="579" w:before="0" w:after="0"/>';
  var NO_LINE_START = "年月日号届次、，。；：）》”’", NO_LINE_END = "（《“‘";

  function esc(text) { return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  // Python's round(): halves to even (python-docx turns EMU into twips with it).
  function pyRound(x) {
    var f = Math.floor(x), d = x - f;
    if (d > 0.5) return f + 1;
    if (d < 0.5) return f;
    return f % 2 === 0 ? f : f + 1;
  }
  function twipsOfChars(n) { return pyRound(Math.trunc(CHAR * n) / EMU_PER_TWIP); }
  function width(text) {
    return Array.from(text).reduce(function (w, c) { return w + (c.codePointAt(0) < 0x2000 ? 0.5 : 1); }, 0);
  }
  function isSpace(c) { return /\s/.test(c); }
  function t(text) {  // python-docx keeps edge whitespace with xml:space="preserve"
    if (!text) return "";
    var edge = isSpace(text.charAt(0)) || isSpace(text.charAt(text.length - 1));
    return (edge ? '<w:t xml:space="preserve">' : "<w:t>") + esc(text) + "</w:t>";
  }
  function rpr(font, size) {
    return '<w:rPr><w:rFonts w:ascii="' + font + '" w:hAnsi="' + font + '" w:eastAsia="' + font + '" w:cs="' + font +
      '"/><w:b w:val="0"/><w:sz w:val="' + size + '"/></w:rPr>';
  }
  function run(text, font, size) { return "<w:r>" + rpr(font, size) + t(text) + "</w:r>"; }
  function para(ppr, runs) { return "<w:p>" + (ppr ? "<w:pPr>" + ppr + "</w:pPr>" : "") + runs + "</w:p>"; }

  // docx.title_lines: break a long title between words (the zero-width spaces), fewest lines
  // first, then the most even.
  function titleLines(title, perLine) {
    perLine = perLine || 20;
    var pieces = title.split("\u200b").filter(Boolean);
    if (width(pieces.join("")) <= perLine) return [pieces.join("")];
    var cuts = [], chars = [];
    pieces.forEach(function (piece) {
      var cp = Array.from(piece);
      if (width(piece) > perLine) for (var i = 1; i < cp.length; i++) cuts.push(chars.length + i);
      chars = chars.concat(cp);
      cuts.push(chars.length);
    });
    cuts = cuts.slice(0, -1).filter(function (c) {
      return NO_LINE_START.indexOf(chars[c]) < 0 && NO_LINE_END.indexOf(chars[c - 1]) < 0;
    });
    var best = null;
    function consider(chosen) {
      var bounds = [0].concat(chosen, [chars.length]), lines = [];
      for (var i = 0; i + 1 < bounds.length; i++) lines.push(chars.slice(bounds[i], bounds[i + 1]).join(""));
      var widths = lines.map(width), max = Math.max.apply(null, widths);
      if (max > perLine) return;
      var score = [chosen.length, max - Math.min.apply(null, widths)];
      if (!best || score[0] < best[0][0] || (score[0] === best[0][0] && score[1] < best[0][1])) best = [score, lines];
    }
    function combos(start, left, chosen) {  // itertools.combinations order
      if (!left) { consider(chosen); return; }
      for (var i = start; i < cuts.length; i++) combos(i + 1, left - 1, chosen.concat([cuts[i]]));
    }
    for (var n = 1; n < 4; n++) {
      combos(0, n, []);
      if (best) return best[1];
    }
    return [chars.join("")];
  }

  // docx.sign_indents (GB/T 9704-2012 §7.3.5), in characters.
  function signIndents(name, date) {
    var nw = width(name), dw = width(date);
    var dateRight = Math.max(2.0, nw - dw);
    return [dateRight + dw + 2 - nw, dateRight];
  }

  function paragraphs(blocks) {
    var out = [], previous = null;
    var dates = blocks.filter(function (b) { return b[0] === "date"; }).map(function (b) { return b[1]; });
    var names = blocks.filter(function (b) { return b[0] === "sign"; }).map(function (b) { return b[1]; });
    var blankLine = para(SP, "");
    blocks.forEach(function (b) {
      var kind = b[0], text = kind !== "title" ? b[1].replace(/\u200b/g, "") : b[1];
      if (kind === "sign" || (kind === "attach" && previous !== "attach")) out.push(blankLine);
      if (kind === "date" && previous !== "sign") out.push(blankLine);
      if (kind === "pagebreak") { out.push('<w:p><w:r><w:br w:type="page"/></w:r></w:p>'); previous = kind; return; }
      if (kind === "cc" || kind === "imprint") {
        var at = text.indexOf("　　");
        var left = at < 0 ? text : text.slice(0, at), right = at < 0 ? "" : text.slice(at + 2);
        var runs = run(left, BODY, 28) + (right ? "<w:r>" + rpr(BODY, 28) + "<w:tab/>" + t(right) + "</w:r>" : "");
        var border = '<w:top w:val="single" w:sz="' + (previous !== "cc" && previous !== "imprint" ? 8 : 4) +
          '" w:space="1" w:color="000000"/>' +
          (kind === "imprint" ? '<w:bottom w:val="single" w:sz="8" w:space="1" w:color="000000"/>' : "");
        out.push(para((right ? '<w:tabs><w:tab w:pos="8284" w:val="right"/></w:tabs>' : "") + SP +
          '<w:ind w:left="280" w:right="280"/><w:pBdr>' + border + "</w:pBdr>", runs));
        previous = kind;
        return;
      }
      if (kind === "title") {
        var lines = titleLines(text);
        out.push(para('<w:snapToGrid w:val="0"/><w:spacing w:lineRule="exact" w:line="700" w:before="0" w:after="579"/><w:jc w:val="center"/>',
          "<w:r>" + rpr(TITLE, 44) + lines.map(t).join("<w:br/>") + "</w:r>"));
      } else if (kind === "sign" || kind === "date") {
        var name = kind === "sign" ? text : (names.length ? names[0] : text);
        var date = kind === "date" ? text : (dates.length ? dates[0] : text);
        var ind = names.length && dates.length ? signIndents(name, date) : [2, 2];
        out.push(para(SP + '<w:ind w:right="' + twipsOfChars(kind === "sign" ? ind[0] : ind[1]) + '"/><w:jc w:val="right"/>',
          run(text, BODY, 32)));
      } else if (kind === "to") {
        out.push(para(SP, run(text, BODY, 32)));
      } else if (kind === "center") {
        out.push(para(SP + '<w:jc w:val="center"/>', run(text, H2, 32)));
      } else if (kind === "attach" && previous === "attach") {
        out.push(para(SP + '<w:ind w:left="' + twipsOfChars(5) + '"/>', run(text, BODY, 32)));
      } else {
        var style = kind === "h1" ? '<w:pStyle w:val="Heading1"/><w:keepNext/>' : kind === "h2" ? '<w:pStyle w:val="Heading2"/><w:keepNext/>' : "";
        out.push(para(style + SP + '<w:ind w:firstLine="640"/>', run(text, kind === "h1" ? H1 : kind === "h2" ? H2 : BODY, 32)));
      }
      previous = kind;
    });
    return out.join("");
  }

  function documentXml(blocks, shell) { return shell.head + paragraphs(blocks) + shell.tail; }

  function coreXml(author, title) {
    var now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    author = esc(author || ""); title = esc((title || "").replace(/\u200b/g, ""));
    return "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" +
      '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
      'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
      'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      "<dc:title>" + title + "</dc:title><dc:subject></dc:subject><dc:creator>" + author + "</dc:creator>" +
      "<cp:keywords></cp:keywords><dc:description></dc:description><cp:lastModifiedBy>" + author +
      "</cp:lastModifiedBy><cp:revision>1</cp:revision>" +
      '<dcterms:created xsi:type="dcterms:W3CDTF">' + now + '</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">' +
      now + "</dcterms:modified><cp:category></cp:category></cp:coreProperties>";
  }

  // ---- A zip of stored entries (APPNOTE 6.3: local headers, central directory, end record).
  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();
  function crc32(bytes) {
    var c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }
  function zip(files) {  // [[name, Uint8Array]]
    var enc = new TextEncoder(), chunks = [], central = [], offset = 0;
    function header(size) { return new DataView(new ArrayBuffer(size)); }
    files.forEach(function (f) {
      var name = enc.encode(f[0]), data = f[1], crc = crc32(data);
      var local = header(30);
      local.setUint32(0, 0x04034b50, true); local.setUint16(4, 20, true); local.setUint16(6, 0x0800, true);
      local.setUint16(8, 0, true); local.setUint16(10, 0, true); local.setUint16(12, 0x21, true);
      local.setUint32(14, crc, true); local.setUint32(18, data.length, true); local.setUint32(22, data.length, true);
      local.setUint16(26, name.length, true); local.setUint16(28, 0, true);
      var cen = header(46);
      cen.setUint32(0, 0x02014b50, true); cen.setUint16(4, 20, true); cen.setUint16(6, 20, true);
      cen.setUint16(8, 0x0800, true); cen.setUint16(10, 0, true); cen.setUint16(12, 0, true); cen.setUint16(14, 0x21, true);
      cen.setUint32(16, crc, true); cen.setUint32(20, data.length, true); cen.setUint32(24, data.length, true);
      cen.setUint16(28, name.length, true); cen.setUint32(42, offset, true);
      chunks.push(new Uint8Array(local.buffer), name, data);
      central.push(new Uint8Array(cen.buffer), name);
      offset += 30 + name.length + data.length;
    });
    var size = central.reduce(function (s, c) { return s + c.length; }, 0);
    var end = header(22);
    end.setUint32(0, 0x06054b50, true); end.setUint16(8, files.length, true); end.setUint16(10, files.length, true);
    end.setUint32(12, size, true); end.setUint32(16, offset, true);
    var all = chunks.concat(central, [new Uint8Array(end.buffer)]);
    var out = new Uint8Array(offset + size + 22), at = 0;
    all.forEach(function (c) { out.set(c, at); at += c.length; });
    return out;
  }

  // blocks: FwCore.blocks(filled); author: the unit's name; title: the document's title.
  function build(blocks, author, title, shell) {
    shell = shell || root.FW_DRAFT.docx;
    var enc = new TextEncoder();
    var files = [["[Content_Types].xml", enc.encode(shell.parts["[Content_Types].xml"])]];
    Object.keys(shell.parts).forEach(function (name) {
      if (name !== "[Content_Types].xml") files.push([name, enc.encode(shell.parts[name])]);
    });
    files.push(["word/document.xml", enc.encode(documentXml(blocks, shell))]);
    files.push(["docProps/core.xml", enc.encode(coreXml(author, title))]);
    return zip(files);
  }

  root.FwDocx = {build: build, documentXml: documentXml, titleLines: titleLines, signIndents: signIndents};
})(typeof window !== "undefined" ? window : globalThis);
