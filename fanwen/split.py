"""Finding where articles start and end in a cleaned collection.

Two kinds of evidence, both general:

* article markers that the essay site printed (`篇1`, `…报告篇一`, `标题 12`): a series of
  lines with the same prefix and increasing numbers;
* structure, for collections without markers and for units that hold several documents:
  a title line, a salutation (`各位领导、同志们：`), the top-level numbering `一、` starting
  again, or a block of lines repeated verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import CN_NUM, TOP, cn_number, ends_sentence, numbering_level

_CN_DIGITS = CN_NUM + "百零〇两"
MARKER = re.compile(
    rf"^(?P<prefix>.{{0,40}}?)\s*(?:篇\s*(?P<a>\d{{1,3}}|[{_CN_DIGITS}]{{1,4}})|第(?P<b>\d{{1,3}}|[{_CN_DIGITS}]{{1,4}})篇"
    rf"|\s(?P<c>\d{{1,3}}))$")
SALUTATION = re.compile(r"^(?:(?:各位|尊敬的)[^。！？]{0,40}|同志们|女士们、先生们)[:：,，!！]?$")
DOC_TYPE_WORD = re.compile(r"(方案|报告|汇报|总结|讲话|材料|计划|发言|体会|意见|纪要|思考|调研|小结)$")


@dataclass
class Line:
    """One non-blank content line of a collection."""

    no: int  # 1-based line number in the source file
    text: str  # cleaned text (pinyin removed, simplified, trimmed)


@dataclass
class Unit:
    """A run of lines that the splitter thinks is one document."""

    lines: list[Line]
    marker: Line | None = None  # the article marker that opened the unit, if any
    index: int = 0  # article number in its collection (1-based), set by the importer
    part: int = 0  # >0 when a marked unit was split further by structure
    repeat_of: int | None = None  # line number where the block this unit repeats started
    reasons: list[str] = field(default_factory=list)  # why the unit starts where it does
    overrides: dict = field(default_factory=dict)  # title/type/level/theme from a manifest


def marker_number(line: str) -> tuple[str, int] | None:
    """(prefix, number) if the line looks like an article marker, else None."""
    match = MARKER.match(line)
    if not match:
        return None
    raw = match.group("a") or match.group("b") or match.group("c")
    number = int(raw) if raw.isdigit() else cn_number(raw.replace("两", "二").replace("〇", "").replace("零", ""))
    prefix = match.group("prefix").strip()
    if match.group("c") and not prefix:
        return None  # a bare number is a page number, not a marker
    if any(c in prefix for c in "。！？，,；;：:") or numbering_level(prefix) or numbering_level(line):
        return None
    return prefix, number


def find_markers(lines: list[Line]) -> set[int]:
    """Indexes of lines that form a marker series: same prefix, numbers 1, 2, 3 … in order.

    A lone `篇1` counts too (one-article collections); any other style needs two members,
    so that a sentence fragment ending in a number is never taken for a marker.
    """
    series: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        found = marker_number(line.text)
        if found:
            series.setdefault(found[0], []).append((i, found[1]))
    markers: set[int] = set()
    for prefix, members in series.items():
        numbers = [n for _, n in members]
        increasing = all(b > a for a, b in zip(numbers, numbers[1:]))
        if increasing and numbers[0] <= 2 and (len(members) >= 2 or (not prefix and "篇" in lines[members[0][0]].text)):
            markers.update(i for i, _ in members)
    return markers


def is_title_line(text: str) -> bool:
    """A short line with no sentence end and no numbering: a document title or subtitle."""
    return (4 <= len(text) <= 40 and not ends_sentence(text) and numbering_level(text) == 0
            and not text.startswith(("——", "【")) and not SALUTATION.match(text))


def is_document_title(text: str) -> bool:
    """A title line that names a kind of document (…方案, …汇报): strong evidence of a start."""
    return is_title_line(text) and bool(DOC_TYPE_WORD.search(text))


def structural_starts(lines: list[Line]) -> dict[int, str]:
    """Indexes (into `lines`) where a new document starts inside one unit, with the reason."""
    starts: dict[int, str] = {}
    seen_top_one = False
    for i, line in enumerate(lines):
        text = line.text
        if i == 0:
            seen_top_one = bool(TOP.match(text) and text.startswith("一、"))
            continue
        if is_document_title(text) and not is_document_title(lines[i - 1].text):
            starts[i] = "标题行"
            seen_top_one = False
        elif SALUTATION.match(text):
            starts[i] = "称呼语"
            seen_top_one = False
        if text.startswith("一、"):
            if seen_top_one and i not in starts:
                starts[_walk_back(lines, i)] = "序号“一、”重新开始"
            seen_top_one = True
    for first, second, _ in repeated_blocks(lines):
        starts.setdefault(first, "逐字重复的段落")
        starts.setdefault(second, "逐字重复的段落")
        end = second + (second - first)
        if end < len(lines):
            starts.setdefault(end, "逐字重复的段落之后")
    starts.pop(0, None)
    return starts


def _walk_back(lines: list[Line], i: int) -> int:
    """A restarted `一、` usually has one opening paragraph before it; take it along.

    Not when that paragraph is the only text under the previous top-level heading: then it
    is that section's body.
    """
    prev = lines[i - 1].text
    if i >= 2 and numbering_level(prev) == 0 and not TOP.match(lines[i - 2].text):
        return i - 1
    return i


def repeated_blocks(lines: list[Line], min_len: int = 2, max_len: int = 60) -> list[tuple[int, int, int]]:
    """Blocks of ≥ min_len lines immediately repeated verbatim: (start, repeat start, length)."""
    found = []
    i = 0
    texts = [line.text for line in lines]
    while i < len(texts):
        for k in range(min(max_len, (len(texts) - i) // 2), min_len - 1, -1):
            if texts[i:i + k] == texts[i + k:i + 2 * k]:
                found.append((i, i + k, k))
                i += 2 * k - 1
                break
        i += 1
    return found


def split_unit(unit: Unit) -> list[Unit]:
    """Split one unit at its structural starts; the first part keeps the marker."""
    starts = structural_starts(unit.lines)
    if not starts:
        return [unit]
    cuts = sorted(starts)
    parts = []
    bounds = [0, *cuts, len(unit.lines)]
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        if a == b:
            continue
        parts.append(Unit(lines=unit.lines[a:b], marker=unit.marker if n == 0 else None,
                          reasons=[starts[a]] if a in starts else list(unit.reasons)))
    return parts
