"""A filled template → a Word file laid out after GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (text block 156 × 225 mm);
22 lines × 28 characters; body 3号 (16 pt) 仿宋_GB2312 at a fixed 28.95 pt line pitch;
title 2号 (22 pt) 方正小标宋简体 centred; `一、` headings 黑体, `（一）` headings 楷体_GB2312;
page numbers 4号 (14 pt) 宋体 as `— 1 —`, odd pages right, even pages left.
The fonts are named with a common fallback (`w:altName`) for PCs without the GB fonts.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
# Fallbacks that ship with Windows (and are mapped by LibreOffice on Linux).
FALLBACKS = {TITLE_FONT: "华文中宋", BODY_FONT: "仿宋", H2_FONT: "楷体", H1_FONT: "SimHei", PAGE_FONT: "SimSun"}
TITLE_SIZE, BODY_SIZE, PAGE_SIZE = Pt(22), Pt(16), Pt(14)
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
CHARS_PER_LINE = 28
TEXT_WIDTH = Mm(156)
# 156 mm = 442.2 pt holds 27.6 characters of 16 pt; 0.25 pt less per character gives 28.
CHAR_SPACING = -5  # twentieths of a point


def _set_font(run_or_style, name: str, size, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = name
    font.size = size
    font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _fixed_spacing(paragraph_format, first_line_indent=True) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = LINE_PITCH
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)
    if first_line_indent:
        paragraph_format.first_line_indent = BODY_SIZE * 2  # two characters


def _doc_grid(section) -> None:
    """22 lines per page: Word's line grid (pitch in twentieths of a point). The 28
    characters per line come from the body style's character spacing (see CHAR_SPACING):
    a character grid is rendered inconsistently across Word and LibreOffice."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def _condense(style_or_run, twentieths: int) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths))
    style_or_run.element.get_or_add_rPr().append(spacing)


def _page_number(paragraph, align) -> None:
    """`— 1 —` with a PAGE field, 4号 宋体, one character in from the edge."""
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = PAGE_SIZE
    else:
        paragraph.paragraph_format.left_indent = PAGE_SIZE
    _set_font(paragraph.add_run("— "), PAGE_FONT, PAGE_SIZE)
    run = paragraph.add_run()
    _set_font(run, PAGE_FONT, PAGE_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    _set_font(paragraph.add_run(" —"), PAGE_FONT, PAGE_SIZE)


def _font_fallbacks(document) -> None:
    """Name a fallback for each GB font in the font table (`w:altName`)."""
    table = None
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            table = rel.target_part
    if table is None:
        return
    from lxml import etree

    root = etree.fromstring(table.blob)
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    del ns


CHAR = BODY_SIZE - Pt(0.25)  # one body character with the condensed spacing (156 mm / 28)
TITLE_CHARS = 20  # 2号 characters in one title line (442 pt / 22 pt)
LANG = {"w:val": "zh-CN", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"}
# No title line starts with these (they belong to what precedes them) or ends with the openers.
_NO_LINE_START = set("年月日号届次、，。；：）》”’")
_NO_LINE_END = set("（《“‘")


def _width(text: str) -> float:
    """Width in characters: Arabic digits and Latin letters are half as wide as Chinese ones."""
    return sum(0.5 if ord(c) < 0x2000 else 1 for c in text)


def title_lines(title: str, per_line: int = TITLE_CHARS) -> list[str]:
    """A long title broken into lines between words, never inside one: the breaks allowed
    are where a filled-in value meets the template's words (zero-width spaces from
    templating.blocks). Fewest lines first, then the most even lengths."""
    pieces = [p for p in title.split("\u200b") if p]
    if _width("".join(pieces)) <= per_line:
        return ["".join(pieces)]
    # A piece longer than a line may break anywhere inside it (a very long name or topic).
    cuts, text = [], ""
    for piece in pieces:
        if _width(piece) > per_line:
            cuts += [len(text) + i for i in range(1, len(piece))]
        text += piece
        cuts.append(len(text))
    cuts = [c for c in cuts[:-1] if text[c] not in _NO_LINE_START and text[c - 1] not in _NO_LINE_END]
    best = None
    for n in range(1, 4):  # breaks
        from itertools import combinations
        for chosen in combinations(cuts, n):
            bounds = [0, *chosen, len(text)]
            lines = [text[a:b] for a, b in zip(bounds, bounds[1:])]
            widths = [_width(line) for line in lines]
            if max(widths) > per_line:
                continue
            score = (n, max(widths) - min(widths))
            if best is None or score < best[0]:
                best = (score, lines)
        if best:
            return best[1]
    return [text]


def _lang(rpr) -> None:
    """East-Asian language zh-CN, so a fallback font never picks Japanese glyph forms."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for key, value in LANG.items():
        lang.set(qn(key), value)


def _doc_defaults_lang(document) -> None:
    # python-docx's default settings say the theme's east-Asian language is ja-JP (the file
    # comes from a Japanese Word), which LibreOffice follows when it picks a fallback font.
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        document.settings.element.append(theme_lang)
    theme_lang.set(qn("w:val"), "zh-CN")
    theme_lang.set(qn("w:eastAsia"), "zh-CN")
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _lang(rpr)


def _heading_style(document, name: str, font: str, outline: int):
    """Word's own heading style (so the navigation pane shows the outline), restyled to look
    exactly like the body's headings: no theme font, colour, bold or extra spacing."""
    style = document.styles[name]
    rpr = style.element.get_or_add_rPr()
    for child in list(rpr):
        if child.tag in (qn("w:rFonts"), qn("w:color"), qn("w:b"), qn("w:bCs"), qn("w:sz"), qn("w:szCs"),
                         qn("w:i"), qn("w:kern")):
            rpr.remove(child)
    _set_font(style, font, BODY_SIZE)
    style.font.color.rgb = None
    _lang(rpr)
    fmt = style.paragraph_format
    _fixed_spacing(fmt)
    fmt.keep_with_next = True
    ppr = style.element.get_or_add_pPr()
    level = ppr.find(qn("w:outlineLvl"))
    if level is None:
        level = OxmlElement("w:outlineLvl")
        ppr.append(level)
    level.set(qn("w:val"), str(outline))
    return style


def sign_indents(name: str, date: str) -> tuple[float, float]:
    """Right indents, in characters, of 发文机关署名 and 成文日期 without a seal (GB/T 9704-2012
    §7.3.5): the name 右空二字; the date under it, its first character two characters right of
    the name's first; a date longer than that is set 右空二字 and the name moves left to match."""
    name_w, date_w = _width(name), _width(date)
    date_right = max(2.0, name_w - date_w)
    return date_right + date_w + 2 - name_w, date_right


def _rule(paragraph, side: str, size: int) -> None:
    """A line above or below a paragraph (版记's 分隔线: the first and last thick, between thin)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
        line.set(qn(key), value)
    borders.append(line)


def _blank_line(document) -> None:
    paragraph = document.add_paragraph()
    _fixed_spacing(paragraph.paragraph_format, first_line_indent=False)


def build_docx(blocks: list[tuple[str, str]], author: str | None = None, title: str | None = None) -> bytes:
    """(kind, text) blocks from `templating.blocks` → .docx bytes. `author` (the unit) and
    `title` go into the document properties."""
    document = Document()
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the number sits about 7 mm below the text block
    _doc_grid(section)

    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, BODY_SIZE)
    _condense(normal, CHAR_SPACING)
    _fixed_spacing(normal.paragraph_format, first_line_indent=False)
    _lang(normal.element.get_or_add_rPr())
    _doc_defaults_lang(document)
    styles = {"h1": _heading_style(document, "Heading 1", H1_FONT, 0),
              "h2": _heading_style(document, "Heading 2", H2_FONT, 1)}

    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)

    dates = [text for kind, text in blocks if kind == "date"]
    names = [text for kind, text in blocks if kind == "sign"]
    previous = None
    for kind, text in blocks:
        text = text.replace("\u200b", "") if kind != "title" else text
        if kind == "sign" or (kind == "attach" and previous != "attach"):
            _blank_line(document)  # one blank line after the text (and after the 附件说明)
        if kind == "date" and previous != "sign":
            _blank_line(document)
        if kind == "pagebreak":  # the plan after its 印发通知 starts on a new page
            from docx.enum.text import WD_BREAK
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            previous = kind
            continue
        paragraph = document.add_paragraph(style=styles.get(kind))
        fmt = paragraph.paragraph_format
        if kind in ("cc", "imprint"):  # 版记: 4号仿宋, one character in from each side, ruled
            left, _, right = text.partition("　　")
            run = paragraph.add_run(left)
            _set_font(run, BODY_FONT, PAGE_SIZE)
            _fixed_spacing(fmt, first_line_indent=False)
            fmt.left_indent = fmt.right_indent = PAGE_SIZE
            if right:
                tab = paragraph.add_run("\t" + right)
                _set_font(tab, BODY_FONT, PAGE_SIZE)
                fmt.tab_stops.add_tab_stop(TEXT_WIDTH - PAGE_SIZE * 2, alignment=2)  # right
            _rule(paragraph, "top", 8 if previous not in ("cc", "imprint") else 4)
            if kind == "imprint":
                _rule(paragraph, "bottom", 8)
            previous = kind
            continue
        if kind == "title":
            lines = title_lines(text)
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()
                run.add_text(line)
            _set_font(run, TITLE_FONT, TITLE_SIZE)
            _fixed_spacing(fmt, first_line_indent=False)
            fmt.line_spacing = Pt(35)  # a 22 pt title needs more than the grid
            snap = OxmlElement("w:snapToGrid")  # and must not snap to it (a broken title's lines
            snap.set(qn("w:val"), "0")  # would sit two grid lines apart)
            paragraph._p.get_or_add_pPr().insert(0, snap)
            fmt.space_after = LINE_PITCH
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind in ("sign", "date"):
            run = paragraph.add_run(text)
            _set_font(run, BODY_FONT, BODY_SIZE)
            _fixed_spacing(fmt, first_line_indent=False)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            name = text if kind == "sign" else (names[0] if names else text)
            date = text if kind == "date" else (dates[0] if dates else text)
            name_right, date_right = sign_indents(name, date) if names and dates else (2, 2)
            fmt.right_indent = int(CHAR * (name_right if kind == "sign" else date_right))
        elif kind == "to":  # 主送机关: flush left, no indent
            run = paragraph.add_run(text)
            _set_font(run, BODY_FONT, BODY_SIZE)
            _fixed_spacing(fmt, first_line_indent=False)
        elif kind == "center":
            run = paragraph.add_run(text)
            _set_font(run, H2_FONT, BODY_SIZE)
            _fixed_spacing(fmt, first_line_indent=False)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "attach" and previous == "attach":  # 2. … aligned under the 1. after 附件：
            run = paragraph.add_run(text)
            _set_font(run, BODY_FONT, BODY_SIZE)
            _fixed_spacing(fmt, first_line_indent=False)
            fmt.left_indent = int(CHAR * 5)
        else:  # body, h1, h2, the first attach (附件说明 左空二字)
            run = paragraph.add_run(text)
            name = {"h1": H1_FONT, "h2": H2_FONT}.get(kind, BODY_FONT)
            _set_font(run, name, BODY_SIZE)
            _fixed_spacing(fmt)
            if kind in ("h1", "h2"):
                fmt.keep_with_next = True
        previous = kind
    _font_fallbacks(document)
    core = document.core_properties
    # The document belongs to the unit that hands it in, not to the library that wrote it.
    core.author = core.last_modified_by = author or ""
    core.title = (title or "").replace("\u200b", "")
    core.comments = core.subject = core.keywords = core.category = ""
    core.created = core.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

