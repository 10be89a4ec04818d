"""PDF with a text layer → blocks, with pdfminer.six (MIT).

pdfminer gives every text line with its position and font size. From those this module
decides what a reader would: the reading order (a two-column page is read column by column),
which lines are running headers, footers and page numbers (in the top or bottom margin, and
repeated on other pages or shaped like a page number), the title (the largest type at the top
of the first page) and where paragraphs end — a PDF has only lines, so a paragraph is rejoined
until a line ends short of the column's right edge or the next one is indented, across line,
column and page breaks alike.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from fanwen.errors import FanwenError
from fanwen.importer.text import CJK, numbering_level
from fanwen.importer.office.model import Block, Extracted
from fanwen.importer.office.rules import part_action, starts_document

MARGIN = 0.08  # share of the page height at the top and bottom where running heads and feet sit
_PAGE_NUMBER = re.compile(r"^(?:[—–\-－]?\s*\d{1,4}\s*[—–\-－]?|第\s*\d{1,4}\s*页.*|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d+.*)$")
_CJK_SPACE = re.compile(rf"(?<=[{CJK}，。、；：？！“”（）《》])\s+(?=[{CJK}，。、；：？！“”（）《》])")
# Word and LibreOffice put a little extra space between Chinese and digits (24 小时); the PDF
# then has a space character there that the author never typed.
_DIGIT_SPACE = re.compile(rf"(?<=[{CJK}])\s+(?=\d)|(?<=\d)\s+(?=[{CJK}])")


@dataclass
class TextLine:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    column: tuple[float, float] = (0.0, 0.0)  # left and right edge of the column it sits in


def _lines(page_layout, number: int) -> tuple[list[TextLine], bool]:
    from pdfminer.layout import LTChar, LTFigure, LTImage, LTTextContainer, LTTextLine

    lines, images = [], False

    def walk(element):
        nonlocal images
        if isinstance(element, LTTextLine):
            text = _DIGIT_SPACE.sub("", _CJK_SPACE.sub("", element.get_text().strip()))
            if text:
                sizes = [c.size for c in element if isinstance(c, LTChar)]
                size = statistics.median(sizes) if sizes else element.height
                lines.append(TextLine(number, element.x0, element.y0, element.x1, element.y1, text, size))
        elif isinstance(element, (LTImage, LTFigure)):
            images = True
            if isinstance(element, LTFigure):
                for child in element:
                    walk(child)
        elif isinstance(element, LTTextContainer):
            for child in element:
                walk(child)

    for element in page_layout:
        walk(element)
    return lines, images


def _reading_order(lines: list[TextLine], width: float) -> list[TextLine]:
    """Top to bottom; on a two-column stretch the whole left column before the right one."""
    mid = width / 2
    tolerance = width * 0.02

    def side(line: TextLine) -> str:
        if line.x1 <= mid + tolerance:
            return "left"
        if line.x0 >= mid - tolerance:
            return "right"
        return "full"

    ordered = sorted(lines, key=lambda l: (-l.y1, l.x0))
    sides = [side(l) for l in ordered]

    def aligned(which: str) -> bool:
        # A column is lines that start at one x (give or take indents): three lines in the
        # right half that start at scattered places are right-aligned dates or a table, not a column.
        starts = Counter(round(l.x0 / 4) for l, s in zip(ordered, sides) if s == which)
        return bool(starts) and starts.most_common(1)[0][1] >= 3

    if not (aligned("left") and aligned("right")):
        for line in ordered:
            line.column = (min(l.x0 for l in ordered), max(l.x1 for l in ordered))
        return ordered
    out, segment = [], []

    def flush():
        left = [l for l in segment if side(l) == "left"]
        right = [l for l in segment if side(l) == "right"]
        for group in (left, right):
            if group:
                bounds = (min(l.x0 for l in group), max(l.x1 for l in group))
                for line in group:
                    line.column = bounds
        out.extend(left + right)
        segment.clear()

    full_bounds = (min(l.x0 for l in ordered), max(l.x1 for l in ordered))
    for line, where in zip(ordered, sides):
        if where == "full":
            flush()
            line.column = full_bounds
            out.append(line)
        else:
            segment.append(line)
    flush()
    return out


def _running(pages: list[tuple[list[TextLine], float]]) -> dict[int, str]:
    """id(line) → 页眉 / 页脚 / 页码 for lines in the margins that repeat or are page numbers."""
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    margin_lines = []
    for lines, height in pages:
        for line in lines:
            if line.y0 > height * (1 - MARGIN) or line.y1 < height * MARGIN:
                margin_lines.append((line, "页眉" if line.y0 > height * (1 - MARGIN) else "页脚"))
    counts: dict[str, set[int]] = {}
    for line, _ in margin_lines:
        counts.setdefault(key(line.text), set()).add(line.page)
    found = {}
    for line, where in margin_lines:
        if _PAGE_NUMBER.match(line.text):
            found[id(line)] = "页码"
        elif len(counts[key(line.text)]) >= 2:
            found[id(line)] = where
    return found


def _ends_paragraph(a: TextLine, b: TextLine) -> bool:
    size = max(a.size, 1.0)
    if a.x1 < a.column[1] - 2 * size:
        return True  # the line stops short of the column's right edge
    if b.x0 - b.column[0] > 1.2 * size:
        return True  # the next line is indented (首行缩进) or centred
    if numbering_level(b.text) in (1, 2) and a.text[-1:] in "。！？：":
        return True
    return abs(a.size - b.size) > 1.5  # a change of type size: heading, title


def _join(a: str, b: str) -> str:
    if a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum():
        return a + " " + b  # Latin words were broken at a space
    return a + b


def _title_lines(pages, running: dict[int, str], body_size: float) -> set[int]:
    """id() of the title's lines: the first run of large type (1.2 × the body size) among the
    first lines of page 1 — below a site's navigation or a breadcrumb, if the PDF has one, but
    never a masthead (…文件)."""
    if not pages or not body_size:
        return set()
    first = [line for line in pages[0][0] if id(line) not in running][:6]
    found: set[int] = set()
    for line in first:
        if line.size >= body_size * 1.2 and starts_document(line.text):
            found.add(id(line))
        elif found:
            break
    return found


def read_pdf(path: Path, head: bytes) -> Extracted:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    # pdfminer logs every font quirk it works around (missing FontBBox…) as a warning on
    # stderr; the keeper can do nothing about them, and they would bury the import's messages.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if not head.startswith(b"%PDF"):
        raise FanwenError(str(path), "不是 PDF 文件（文件开头没有 %PDF 标记，可能只是改了扩展名）",
                          "用阅读器打开确认它的真实格式，改成正确的扩展名，或重新导出 PDF。")
    pages: list[tuple[list[TextLine], float]] = []
    any_images = False
    try:
        for number, layout in enumerate(extract_pages(str(path), laparams=LAParams()), start=1):
            lines, images = _lines(layout, number)
            any_images = any_images or images
            pages.append((_reading_order(lines, layout.width) if lines else [], layout.height))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise FanwenError(str(path), "PDF 设有密码（或使用了不支持的加密方式），无法读取文字",
                          "用阅读器输入密码打开，另存（打印）为不加密的 PDF，或导出为 Word 后再导入。") from None
    except Exception as error:  # pdfminer raises many kinds (PSEOF, PDFSyntaxError, KeyError…) for damage
        raise FanwenError(str(path), f"PDF 文件已损坏，无法读取（{type(error).__name__}）",
                          "用阅读器打开确认；能打开就重新“另存为”一份 PDF，再导入。") from None
    text_chars = sum(len(l.text) for lines, _ in pages for l in lines)
    # A scan may carry a stray text line (a stamped page number); under ten characters a page
    # with images is still a scan.
    if text_chars == 0 or (any_images and text_chars < 10 * len(pages)):
        raise FanwenError(str(path), f"PDF 没有文字层（共 {len(pages)} 页，页面是图片，多半是扫描件），需要先做文字识别（OCR）",
                          "用带 OCR 的软件（如 WPS、Adobe Acrobat 的“文字识别”）把它转成可复制文字的 PDF 或 Word，再导入。")
    running = _running(pages)
    body_sizes = [l.size for lines, _ in pages for l in lines if id(l) not in running for _ in range(len(l.text))]
    body_size = statistics.median(body_sizes) if body_sizes else 0
    blocks: list[Block] = []
    previous: TextLine | None = None
    current: Block | None = None  # the paragraph being rejoined (running heads between do not end it)
    title = _title_lines(pages, running, body_size)
    for lines, _ in pages:
        for line in lines:
            where = running.get(id(line))
            if where:
                action = "drop" if where == "页码" else part_action(where)
                if action == "drop":
                    blocks.append(Block("para", line.text, drop=where))
                    continue
            if id(line) in title:
                if current is not None and current.kind == "title":
                    current.text += line.text
                else:
                    current = Block("title", line.text)
                    blocks.append(current)
                previous = line
                continue
            if current is not None and current.kind == "para" and previous is not None \
                    and not _ends_paragraph(previous, line):
                current.text = _join(current.text, line.text)
            else:
                current = Block("para", line.text)
                blocks.append(current)
            previous = line
    return Extracted("PDF", blocks, [f"PDF 共 {len(pages)} 页"])
