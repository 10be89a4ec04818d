"""What every office reader produces (blocks), and how blocks become a Collection.

A reader (Word, PDF, web page) knows the structure of its file: which paragraph is the title, a
heading, a table, a footnote, a page header. It hands that over as a list of `Block`s in reading
order. From there on an office file goes through the same machinery as a scraped text collection:
every block's text is cleaned line by line (OpenCC, punctuation, placeholders, repairs), the
boilerplate rules run, and the lines are split into units, classified, deduplicated and reported.
Only the rendering differs: the page keeps the reader's headings, tables and footnotes.

"Line numbers" of an office file are block numbers (1-based, in reading order, page headers and
footers included), which is what the report and a manifest refer to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from fanwen.importer.collection import (Collection, Removal, account_cleaning, clean_line, inline_ad_patterns,
                          join_link_fragments, remove_boilerplate, split_into_chunks)
from fanwen.errors import FanwenError
from fanwen.importer.manifest import load_manifest
from fanwen.importer.page import highlight_blanks, render_line
from fanwen.markup import escape_markdown
from fanwen.importer.split import Line, Chunk, find_markers

# Block kinds. "title" is the document title (taken as the page title, not repeated in the
# body); "heading" has a level 1–3; "bullet" is an unnumbered list item; "table" has rows;
# "footnote" is the text of a footnote or endnote (shown after the body).
KINDS = ("title", "heading", "para", "bullet", "table", "footnote")


@dataclass
class Block:
    kind: str
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None
    drop: str | None = None  # the reader already knows this is not article text: the reason


@dataclass
class Extracted:
    """A reader's result: blocks in reading order, plus notes for the report."""

    format: str
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)


@dataclass
class OfficeCollection(Collection):
    format: str = ""
    kinds: dict[int, Block] = field(default_factory=dict)  # line number → its block (cleaned)
    notes: list[str] = field(default_factory=list)
    recognised: list[dict] = field(default_factory=list)  # parts kept or dropped by rule

    @property
    def id(self) -> str:
        # The page's file name is made from this. The suffix is part of it (报告.docx and 报告.pdf
        # are two files, two pages), and so is the folder: an office archive sorted by year has a
        # 工作总结.docx in 2026/ and another in 2027/. Only the nearest folder, so that moving the
        # whole archive elsewhere keeps every page's name.
        return f"{self.path.parent.name}/{self.path.name}"

    def report_extra(self) -> dict:
        return {"format": self.format, "notes": self.notes, "recognised": self.recognised}

    def render_body(self, lines: list[Line]) -> str:
        return render_blocks(self, lines)

    def reader_source(self, unit: Chunk) -> str:
        """Where the document came from, as a reader wants it: the office's own file, not a
        collection scraped from the web."""
        place = f"第 {unit.index} 篇" + (f"之 {unit.part}" if unit.part else "") if len(self.units) > 1 else ""
        return f"{self.format}文件《{self.path.name}》{place}"


# Many CJK fonts draw a character and its radical with one glyph, and a PDF's ToUnicode table may
# then map the glyph to the radical's code point (text copied from such a PDF into Word keeps them): 工 comes out as ⼯ (Kangxi radical U+2F2F), 页 as
# ⻚ (U+2EDA). They look right and break search, classification and OpenCC. Kangxi radicals and
# compatibility ideographs fold back by NFKC (applied to those characters only: NFKC would also
# turn full-width punctuation into ASCII); the simplified-form radicals that stand for whole
# characters have no decomposition and are listed here.
_RADICALS = str.maketrans("⺟⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
                          "母民西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟")
_COMPATIBLE = re.compile("[\u2f00-\u2fdf\uf900-\ufaff]")


def fold_radicals(text: str) -> str:
    text = _COMPATIBLE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return text.translate(_RADICALS)


def _clean(collection: OfficeCollection, no: int, raw: str, inline_ads) -> str:
    """One piece of text through the text importer's line cleaning, recorded under line `no`."""
    collection.chars_in += len(raw)
    folded = fold_radicals(raw)
    if folded != raw:  # one character for one: reported as a repair, the accounting unchanged
        count = sum(a != b for a, b in zip(raw, folded))
        collection.repairs["部首字符"] = collection.repairs.get("部首字符", 0) + count
        collection.changes.append({"line": no, "kind": "部首字符", "count": count})
        raw = folded
    cleaned = clean_line(raw, inline_ads)
    account_cleaning(collection, no, cleaned)
    return cleaned.text


def build_collection(path: Path, extracted: Extracted, use_manifest: bool = True,
                     web_cleaning: bool = False) -> OfficeCollection:
    """Blocks → a cleaned, split OfficeCollection (the same shape the text path produces)."""
    from fanwen.importer.office.rules import apply_part_rules

    collection = OfficeCollection(path=path, format=extracted.format, notes=list(extracted.notes))
    inline_ads = inline_ad_patterns()
    title_seen = False
    for no, block in enumerate(extracted.blocks, start=1):
        if block.drop:
            collection.chars_in += len(block.text)
            collection.removed.append(Removal(no, block.text, block.drop))
            collection.recognised.append({"line": no, "part": block.drop, "action": "删除", "text": block.text})
            continue
        if block.kind == "table":
            rows = [[_clean(collection, no, cell, inline_ads) for cell in row] for row in block.rows or []]
            rows = [row for row in rows if any(row)]
            text = "".join(cell for row in rows for cell in row)
            if not text:
                continue
            cleaned = Block("table", text, rows=rows)
        else:
            text = _clean(collection, no, block.text, inline_ads)
            if not text:
                continue
            kind = block.kind
            if kind == "title":
                # Only the first title is the page title; a second one is a heading.
                kind, title_seen = ("heading", True) if title_seen else ("title", True)
            cleaned = Block(kind, text, level=block.level or (1 if kind == "heading" else 0))
        collection.kinds[no] = cleaned
        collection.lines.append(Line(no, cleaned.text))
    apply_part_rules(collection)
    if web_cleaning:
        # A saved web page carries the same site furniture as a scraped collection.
        remove_boilerplate(collection)
        join_link_fragments(collection)
    if not collection.lines:
        if web_cleaning:
            raise FanwenError(str(path), "网页中没有找到正文（只有导航、链接或站点套话）",
                              "在浏览器中打开文章本身的页面再另存为；或复制正文另存为 .txt 后导入。")
        raise FanwenError(str(path), "文档中没有可导入的文字（空文档，或只有页眉页脚、版记）",
                          "用 Word/WPS 打开确认内容；若正文是图片，请先做文字识别（OCR）再导入。")
    manifest = load_manifest(path, len(extracted.blocks)) if use_manifest else None
    if manifest is not None or _clearly_a_collection(collection):
        split_into_chunks(collection, manifest)
    else:
        # One office file is one document.
        collection.units.append(Chunk(lines=list(collection.lines), index=1, reasons=["单个文件"]))
    for unit in collection.units:
        title = next((collection.kinds[line.no].text for line in unit.lines[:3]
                      if collection.kinds[line.no].kind == "title"), None)
        if title and "title" not in unit.overrides:
            unit.overrides["title"] = title
    return collection


def _clearly_a_collection(collection: OfficeCollection) -> bool:
    """A file that numbers its articles (`篇1`, `篇2`… or `第一篇`…) is a collection of them."""
    return len(find_markers(collection.lines)) >= 2


# --------------------------------------------------------------------------- rendering


def _table(rows: list[list[str]]) -> str:
    width = max(len(row) for row in rows)
    cells = [[highlight_blanks(escape_markdown(c)) for c in row] + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def render_blocks(collection: OfficeCollection, lines: list[Line]) -> str:
    """The body of a page from an office file: the reader's headings, tables and footnotes;
    ordinary paragraphs go through the text importer's renderer (一、 → heading, run-ins)."""
    out, notes = [], []
    for line in lines:
        block = collection.kinds.get(line.no, Block("para", line.text))
        text = line.text  # a boilerplate or link-fragment repair may have changed it
        if block.kind == "title":
            continue  # it is the page title
        if block.kind == "heading":
            out.append("#" * (min(block.level, 4) + 1) + " " + highlight_blanks(escape_markdown(text)))
        elif block.kind == "bullet":
            out.append("- " + highlight_blanks(escape_markdown(text)))
        elif block.kind == "table":
            out.append(_table(block.rows))
        elif block.kind == "footnote":
            notes.append(highlight_blanks(escape_markdown(text)))
        else:
            out.append(render_line(text))
    if notes:
        out.append("---")
        out.append("**注释**")
        out.extend(notes)
    return "\n\n".join(out)
