"""Word (.docx) → blocks, with python-docx.

python-docx reads the package, styles, paragraphs, tables, sections and their headers and
footers. Three things it does not interpret are done here on its element objects: tracked
changes (its `Paragraph.text` drops inserted runs), list numbering (Word computes the numbers
when it lays out the page; the file stores only the format) and footnotes (no API yet).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from fanwen.importer.office.model import Block, Extracted
from fanwen.importer.office.rules import part_action, starts_document

# Elements whose runs are part of the accepted text; w:del and w:moveFrom (deleted or moved
# away under track changes) are not descended into, so the page shows the accepted version.
_CONTAINERS = {qn(t) for t in ("w:hyperlink", "w:ins", "w:moveTo", "w:smartTag", "w:customXml", "w:sdt",
                               "w:sdtContent", "w:fldSimple")}
_RUN = qn("w:r")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题"}
_SUBTITLE_STYLES = {"subtitle", "副标题"}


class Notes:
    """Footnote and endnote references, numbered in the order the body cites them."""

    def __init__(self, document):
        self.texts: dict[tuple[str, str], str] = {}
        for rel in document.part.rels.values():
            kind = {RT.FOOTNOTES: "footnote", RT.ENDNOTES: "endnote"}.get(rel.reltype)
            if kind is None or rel.is_external:
                continue
            root = parse_xml(rel.target_part.blob)
            for note in root.iterchildren(qn(f"w:{kind}")):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = "".join(paragraph_text(p, None) for p in note.iterchildren(qn("w:p")))
                self.texts[(kind, note.get(qn("w:id")))] = text.strip()
        self.cited: list[str] = []

    def cite(self, kind: str, note_id: str) -> str:
        text = self.texts.get((kind, note_id))
        if text is None:
            return ""
        self.cited.append(text)
        return f"[注{len(self.cited)}]"


def _runs_text(element, notes: Notes | None) -> str:
    parts = []
    for child in element.iterchildren():
        if child.tag == _RUN:
            parts.append(Run(child, None).text)
            if notes is not None:
                for ref in child.iterchildren(qn("w:footnoteReference"), qn("w:endnoteReference")):
                    kind = "footnote" if ref.tag == qn("w:footnoteReference") else "endnote"
                    parts.append(notes.cite(kind, ref.get(qn("w:id"))))
        elif child.tag in _CONTAINERS:
            parts.append(_runs_text(child, notes))
    return "".join(parts)


def paragraph_text(p, notes: Notes | None) -> str:
    """The accepted text of a w:p element: inserted runs in, deleted runs out."""
    return _runs_text(p, notes).replace("\t", " ")


def _mark_deleted(p) -> bool:
    """The paragraph mark itself was deleted under track changes: it joins the next one."""
    return bool(p.xpath("./w:pPr/w:rPr/w:del"))


# --------------------------------------------------------------------------- numbering

_CN = "〇一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        values = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, rest = "", n
        for value, numeral in values:
            while rest >= value:
                out, rest = out + numeral, rest - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    return str(n)


class Numbering:
    """Word list numbering: the number text (一、 （一） 1. （1）) of each numbered paragraph."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → (fmt, lvlText, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for a in root.iterchildren(qn("w:abstractNum")):
            abstract[a.get(qn("w:abstractNumId"))] = self._levels(a)
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                levels = dict(abstract.get(ref.get(qn("w:val")), {}))
                for override in num.iterchildren(qn("w:lvlOverride")):
                    lvl = override.find(qn("w:lvl"))
                    if lvl is not None:
                        levels.update(self._levels_of([lvl]))
                self.levels[num.get(qn("w:numId"))] = levels

    def _levels(self, abstract) -> dict:
        return self._levels_of(abstract.iterchildren(qn("w:lvl")))

    @staticmethod
    def _levels_of(lvls) -> dict:
        out = {}
        for lvl in lvls:
            def val(tag, default):
                el = lvl.find(qn(tag))
                return el.get(qn("w:val")) if el is not None and el.get(qn("w:val")) is not None else default
            out[int(lvl.get(qn("w:ilvl"), "0"))] = (val("w:numFmt", "decimal"), val("w:lvlText", ""),
                                                    int(val("w:start", "1")))
        return out

    def label(self, paragraph: Paragraph, styles: "Styles") -> tuple[str, bool] | None:
        """(number text, is_bullet) for a numbered paragraph, counting on; None otherwise."""
        num_pr = styles.property(paragraph, "w:numPr")
        if num_pr is None:
            return None
        num_id_el, ilvl_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        if num_id_el is None:
            return None
        num_id = num_id_el.get(qn("w:val"))
        ilvl = int(ilvl_el.get(qn("w:val"), "0")) if ilvl_el is not None else 0
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels or num_id == "0":
            return None
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet":
            return "", True
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a higher level restarts the ones under it
        if fmt == "none":
            return "", False

        def number(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            lfmt, _, lstart = levels.get(level, ("decimal", "", 1))
            return _format_number(counters.get(level, lstart), lfmt)

        return re.sub(r"%(\d)", number, text), False


class Styles:
    """Style lookups, once per style. python-docx resolves `paragraph.style` by scanning every
    style of the document (Word's template has a few hundred), which made style lookups nine
    tenths of the import time; here each style id is resolved and walked up its chain once."""

    def __init__(self, document):
        from docx.enum.style import WD_STYLE_TYPE

        self.by_id = {style.style_id: style for style in document.styles}
        self.default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._chains: dict[str | None, list] = {}
        self._props: dict[tuple[str | None, str], object] = {}

    def chain(self, paragraph: Paragraph) -> list:
        """The paragraph's style and the styles it is based on, nearest first."""
        style_id = paragraph._p.style
        if style_id not in self._chains:
            chain, style = [], self.by_id.get(style_id) or self.default
            while style is not None and style not in chain:
                chain.append(style)
                style = style.base_style
            self._chains[style_id] = chain
        return self._chains[style_id]

    def property(self, paragraph: Paragraph, tag: str):
        """A paragraph property (numbering, outline level) from the paragraph or its styles."""
        p_pr = paragraph._p.pPr
        if p_pr is not None:
            found = p_pr.find(qn(tag))
            if found is not None:
                return found
        key = (paragraph._p.style, tag)
        if key not in self._props:
            self._props[key] = next((s.element.pPr.find(qn(tag)) for s in self.chain(paragraph)
                                     if s.element.pPr is not None and s.element.pPr.find(qn(tag)) is not None), None)
        return self._props[key]

    def names(self, paragraph: Paragraph) -> list[str]:
        return [(style.name or "").strip() for style in self.chain(paragraph)]

    def size(self, paragraph: Paragraph) -> float | None:
        key = (paragraph._p.style, "size")
        if key not in self._props:
            self._props[key] = next((s.font.size.pt for s in self.chain(paragraph)
                                     if s.font is not None and s.font.size is not None), None)
        return self._props[key]

    def alignment(self, paragraph: Paragraph):
        key = (paragraph._p.style, "alignment")
        if key not in self._props:
            try:
                self._props[key] = next((s.paragraph_format.alignment for s in self.chain(paragraph)
                                         if s.paragraph_format.alignment is not None), None)
            except ValueError:  # an alignment value python-docx does not know
                self._props[key] = None
        return self._props[key]


# --------------------------------------------------------------------------- paragraphs


def heading_level(paragraph: Paragraph, styles: Styles) -> int:
    """1–3 from a heading style (Heading 1 / 标题 1, or a style based on one) or an outline level."""
    for name in styles.names(paragraph):
        match = _HEADING_STYLE.match(name)
        if match:
            return max(1, min(int(match.group(1)), 3))
    outline = styles.property(paragraph, "w:outlineLvl")
    if outline is not None:
        level = int(outline.get(qn("w:val"), "9"))
        if level < 9:  # 9 is "body text"
            return min(level + 1, 3)
    return 0


def _is_title_style(paragraph: Paragraph, styles: Styles) -> str | None:
    names = {n.lower() for n in styles.names(paragraph)[:1]}
    if names & _TITLE_STYLES:
        return "title"
    if names & _SUBTITLE_STYLES:
        return "subtitle"
    return None


def _size(paragraph: Paragraph, styles: Styles) -> float | None:
    """The largest font size (pt) of the paragraph's runs, from the runs or the style chain."""
    sizes = [r.font.size.pt for r in paragraph.runs if r.font.size is not None]
    return max(sizes) if sizes else styles.size(paragraph)


def _centred(paragraph: Paragraph, styles: Styles) -> bool:
    try:
        align = paragraph.alignment
    except ValueError:
        return False
    if align is None:
        align = styles.alignment(paragraph)
    return align in (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.DISTRIBUTE)


# --------------------------------------------------------------------------- the document


def _cell_text(cell, notes: Notes) -> str:
    return " ".join(t for t in (paragraph_text(p._p, notes).strip() for p in cell.paragraphs) if t)


def _table_rows(table: Table, notes: Notes) -> list[list[str]]:
    rows = []
    for row in table.rows:
        if row._tr.xpath("./w:trPr/w:del"):
            continue  # a row deleted under track changes is not in the accepted table
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:
                continue  # a horizontally merged cell is listed once per grid column
            last = cell._tc
            cells.append(_cell_text(cell, notes))
        rows.append(cells)
    return rows


def _page_parts(document) -> list[Block]:
    """Headers and footers of every section (each distinct text once), by the page_parts rule."""
    blocks, seen = [], set()
    for section in document.sections:
        for name, parts in (("页眉", ("header", "first_page_header", "even_page_header")),
                            ("页脚", ("footer", "first_page_footer", "even_page_footer"))):
            for attr in parts:
                part = getattr(section, attr)
                if part.is_linked_to_previous and section is not document.sections[0]:
                    continue
                for p in part.paragraphs:
                    text = paragraph_text(p._p, None).strip()
                    if text and (name, text) not in seen:
                        seen.add((name, text))
                        drop = name if part_action(name) == "drop" else None
                        blocks.append(Block("para", text, drop=drop))
    return blocks


def _body_items(document):
    """Paragraphs and tables of the body in order, including those inside block-level content
    controls (w:sdt: cover pages, template fields), which python-docx's iter_inner_content skips."""
    body = document.element.body

    def walk(element):
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, document._body)
            elif child.tag == qn("w:tbl"):
                if len(child.xpath("./w:tblGrid/w:gridCol")) == 1:
                    # A one-column table is layout, not data: templates frame the whole text (or
                    # the 版记) in one. Its paragraphs are read as body paragraphs.
                    for cell in child.xpath("./w:tr/w:tc"):
                        yield from walk(cell)
                else:
                    yield Table(child, document._body)
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
                yield from walk(child)

    yield from walk(body)


def read_docx(path: Path, document) -> Extracted:
    """An opened python-docx Document → blocks in reading order."""
    notes = Notes(document)
    numbering = Numbering(document)
    styles = Styles(document)
    items = list(_body_items(document))
    sizes = Counter()
    for item in items:
        if isinstance(item, Paragraph):
            size = _size(item, styles)
            if size:
                sizes[size] += len(item.text)
    body_size = sizes.most_common(1)[0][0] if sizes else None

    blocks: list[Block] = []
    pending = ""  # text of a paragraph whose mark was deleted (joins the next)
    title_found = False
    leading = 0  # non-empty paragraphs seen so far (a title is among the first few)
    for item in items:
        if isinstance(item, Table):
            rows = _table_rows(item, notes)
            if any(any(cell for cell in row) for row in rows):
                blocks.append(Block("table", rows=rows))
            continue
        text = pending + paragraph_text(item._p, notes)
        if _mark_deleted(item._p):
            pending = text
            continue
        pending = ""
        if not text.strip():
            continue
        label = numbering.label(item, styles)
        # A masthead (…文件) or copy mark above the title is neither the title nor counted.
        masthead = not starts_document(text.strip())
        if not masthead:
            leading += 1
        kind, level = "para", heading_level(item, styles)
        style_kind = _is_title_style(item, styles)
        if label and label[1]:
            kind = "bullet"
        elif label and label[0]:
            text = label[0] + text.lstrip()
        size = _size(item, styles)
        large = (size or 0) > body_size if body_size and size else leading == 1
        is_title = not masthead and (style_kind == "title" or (leading <= 3 and not label and _centred(item, styles) and large))
        if is_title and blocks and blocks[-1].kind == "title":
            blocks[-1].text += text.strip().replace("\n", "")  # a title set on two lines is one title
            continue
        if is_title and not title_found:
            kind, title_found = "title", True
        elif style_kind == "subtitle":
            kind, level = "heading", 1
        elif level:
            kind = "heading"
        # A soft line break (Shift+Enter) splits a body paragraph; inside a title or heading it
        # is only layout.
        if kind in ("title", "heading"):
            blocks.append(Block(kind, text.replace("\n", ""), level=level))
        else:
            blocks.extend(Block(kind, part) for part in text.split("\n") if part.strip())
    if pending.strip():
        blocks.append(Block("para", pending))
    footnotes = [Block("footnote", f"[注{i}]{text}") for i, text in enumerate(notes.cited, start=1)]
    # Page headers and footers first: their block numbers stay stable when the body changes.
    return Extracted("Word", _page_parts(document) + blocks + footnotes)
