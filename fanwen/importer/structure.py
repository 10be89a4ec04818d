"""Structure repair on the cleaned lines of a collection, before it is split into documents.

Scrapers lose the paragraph structure in a few typical ways; each repair here undoes one of
them and records every change (line, kind) for the import report:

* a sub-heading run into the end of a paragraph after a space (`…建议。 思路与做法`,
  `…城市化。 1.整合土地`) is put on a line of its own;
* a line broken in the middle of a sentence (`…安排x` | `x户…`) is joined again;
* a document viewer's numbered chunks (`1、` `2、` cutting sentences) lose their numbers and
  are joined up, then cut again before each heading;
* a whole page on one line is cut before each numbered heading.

Nothing is dropped but whitespace and chunk numbers, which are reported as removed.
"""

from __future__ import annotations

import re

from fanwen.data import load_rules
from fanwen.importer.split import Line, is_title_line, parse_marker
from fanwen.importer.text import CJK, numbering_level

_SENTENCE_END = "。！？"
# A space after a sentence end, then the rest of the line.
_INLINE = re.compile(rf"(?<=[{_SENTENCE_END}])[ \u3000]+(?=\S)")
# Before a numbered heading inside a long line: after a sentence end (and optional space).
_HEADING_INSIDE = re.compile(rf"(?<=[{_SENTENCE_END}])\s*(?=(?:[一二三四五六七八九十]{{1,3}}、"
                             rf"|[（(][一二三四五六七八九十]{{1,3}}[)）]|\d{{1,2}}[、．.](?!\d)))")
_CHUNK = re.compile(r"^(\d{1,3})、")
_MID_SENTENCE_END = re.compile(rf"[{CJK}\dA-Za-z×]$")


def _setting(key: str) -> int:
    return load_rules("split.yml")[key]


def _count(collection, kind: str, no: int, **extra) -> None:
    collection.repairs[kind] = collection.repairs.get(kind, 0) + 1
    collection.changes.append({"line": no, "kind": kind, "count": 1, **extra})


def _removed(collection, no: int, text: str, reason: str) -> None:
    from fanwen.importer.collection import Removal

    collection.removed.append(Removal(no, text, reason, whole_line=False))


def split_inline_headings(collection) -> None:
    """`…政策建议。 思路与做法` → two lines; `…。 1.整合土地` too (a numbered one anywhere)."""
    limit = _setting("inline_heading_max_chars")
    out: list[Line] = []
    for line in collection.lines:
        pieces = [line.text]
        while True:
            text = pieces[-1]
            cut = None
            for match in _INLINE.finditer(text):
                rest = text[match.end():]
                numbered = numbering_level(rest) in (1, 2, 3)
                short_title = len(rest) <= limit and not any(c in rest for c in "，,。；;：:！？ ")
                if numbered or short_title:
                    cut = match
                    break
            if cut is None:
                break
            pieces[-1:] = [text[:cut.start()], text[cut.end():]]
            _removed(collection, line.no, cut.group(0), "行内小标题前的空格")
            _count(collection, "行内小标题拆分", line.no)
        out.extend(Line(line.no, piece) for piece in pieces if piece)
    collection.lines = out


def _cut_before_headings(text: str) -> list[str]:
    bounds = [0, *(m.start() for m in _HEADING_INSIDE.finditer(text) if m.start() > 0), len(text)]
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        piece = text[a:b]
        if piece.strip():
            pieces.append(piece)
    return pieces


def reflow_one_line_pages(collection) -> None:
    """A page scraped onto one line is cut before each numbered heading that follows a sentence end."""
    min_chars, min_heads = _setting("one_line_page_chars"), _setting("one_line_page_headings")
    out: list[Line] = []
    for line in collection.lines:
        heads = [m for m in _HEADING_INSIDE.finditer(line.text) if m.start() > 0]
        if len(line.text) >= min_chars and len(heads) >= min_heads:
            pieces = _strip_spaces(collection, line.no, _cut_before_headings(line.text))
            out.extend(Line(line.no, piece) for piece in pieces)
            _count(collection, "单行页面分段", line.no, pieces=len(pieces))
        else:
            out.append(line)
    collection.lines = out


def _strip_spaces(collection, no: int, pieces: list[str]) -> list[str]:
    kept = []
    for piece in pieces:
        stripped = piece.strip()
        if stripped != piece:
            lead = len(piece) - len(piece.lstrip())
            _removed(collection, no, piece[:lead] + piece[lead + len(stripped):], "分段处的空白")
        if stripped:
            kept.append(stripped)
    return kept


def join_viewer_chunks(collection) -> None:
    """Runs of `1、` `2、` `3、` … lines that cut sentences: numbers removed, text joined and
    cut again before its headings."""
    lines = collection.lines
    minimum = _setting("viewer_chunks_min")
    out: list[Line] = []
    i = 0
    while i < len(lines):
        run = _chunk_run(lines, i)
        if len(run) >= minimum and _cuts_sentences(run):
            texts = []
            for line in run:
                label = _CHUNK.match(line.text).group(0)
                _removed(collection, line.no, label, "阅读器分段编号")
                texts.append(line.text[len(label):])
            joined = "".join(texts)
            pieces = _strip_spaces(collection, run[0].no, _cut_before_headings(joined))
            out.extend(Line(run[0].no, piece) for piece in pieces)
            _count(collection, "阅读器分段合并", run[0].no, lines=len(run), to=run[-1].no)
            i += len(run)
        else:
            out.append(lines[i])
            i += 1
    collection.lines = out


def _chunk_run(lines: list[Line], i: int) -> list[Line]:
    match = _CHUNK.match(lines[i].text)
    if not match:
        return []
    run, expected = [lines[i]], int(match.group(1)) + 1
    for line in lines[i + 1:]:
        nxt = _CHUNK.match(line.text)
        if not nxt or int(nxt.group(1)) != expected:
            break
        run.append(line)
        expected += 1
    return run


def _cuts_sentences(run: list[Line]) -> bool:
    """Most chunks end mid-sentence: a viewer's cut, not an author's numbered list."""
    cut = sum(1 for line in run[:-1] if _MID_SENTENCE_END.search(line.text))
    return cut * 2 > len(run) - 1


def join_broken_lines(collection) -> None:
    """`…安排x` | `x户…`: a long line ending mid-sentence is joined with the next plain line."""
    minimum = _setting("broken_line_min_chars")
    out: list[Line] = []
    for line in collection.lines:
        prev = out[-1] if out else None
        if (prev is not None and len(prev.text) >= minimum and _MID_SENTENCE_END.search(prev.text)
                and not numbering_level(line.text) and not is_title_line(line.text)
                and not parse_marker(line.text) and not _CHUNK.match(line.text)):
            merged = _merge_blanks(prev.text, line.text)
            if len(merged) < len(prev.text) + len(line.text):
                _removed(collection, line.no, "××", "断行处重复的占位符")
            prev.text = merged
            _count(collection, "断行合并", line.no, joined_to=prev.no)
            continue
        out.append(line)
    collection.lines = out


def _merge_blanks(a: str, b: str) -> str:
    """`…安排××` + `××户` is one blank (`安排××户`), not two."""
    if a.endswith("××") and b.startswith("××"):
        return a + b[2:]
    return a + b


def repair_structure(collection) -> None:
    join_viewer_chunks(collection)
    reflow_one_line_pages(collection)
    split_inline_headings(collection)
    join_broken_lines(collection)
