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

from fanwen.data import load_rules
from fanwen.importer.text import CJK, CN_NUM, SECOND, TOP, parse_cn_number, ends_sentence, is_standalone_heading, numbering_level

_CN_DIGITS = CN_NUM + "百零〇两"
_N = rf"(?:\d{{1,3}}|[{_CN_DIGITS}]{{1,4}})"


def _marker_patterns(words: list[str]) -> tuple[re.Pattern, re.Pattern]:
    """Article markers built from the marker words of data/split.yml (篇, 范文 …).

    Closing a line: `…篇1`, `…篇一`, `第一篇`, `【篇一】:`, `范文2`, `Title 12`, `Title12`.
    Opening a line that goes on with the article's title: `篇一：村委会工作总结`, `【第2篇】…`.
    """
    w = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    closing = re.compile(
        rf"^[【\[]?(?P<prefix>.{{0,40}}?)\s*(?:(?:{w})\s*(?P<a>{_N})|第(?P<b>{_N})(?:{w})|\s(?P<c>\d{{1,3}})"
        rf"|(?<=[{CJK}])(?P<d>\d{{1,3}}))[】\]]?\s*[:：]?$")
    opening = re.compile(rf"^[【\[]?(?:(?:{w})\s*(?P<a>{_N})|第(?P<b>{_N})(?:{w}))[】\]]?\s*[:：.、]?\s*(?P<rest>\S.*)$")
    return closing, opening


LEADING = "\x00lead"  # the series key of leading markers (no prefix text of their own)


def _split_rules() -> dict:
    """Word lists and limits from data/split.yml, validated (file:line on a bad value)."""
    rules = load_rules("split.yml")
    cached = _compiled.get(id(rules))
    if cached is None:
        words = sorted(rules["doc_type_words"], key=len, reverse=True)
        tail = rf"(?:\s*(?:[{CN_NUM}]{{1,3}}|\d{{1,3}}|[（(](?:[{CN_NUM}]{{1,3}}|\d{{1,3}})[)）]))?"
        cached = {
            "doc_type": re.compile(rf"(?:{'|'.join(map(re.escape, words))}){tail}$"),
            "markers": _marker_patterns(rules["marker_words"]),
            "salutations": [re.compile(p) for p in rules["salutations"]],
            "openers": tuple(rules["continuation_openers"]),
            "opening_words": tuple(rules["opening_words"]),
            "opening_max": rules["opening_paragraphs_max"],
            "long_page": rules["long_page_chars"],
            "unnumbered_run": rules["unnumbered_run_min"],
        }
        _compiled.clear()
        _compiled[id(rules)] = cached
    return cached


_compiled: dict[int, dict] = {}


def is_salutation(text: str) -> bool:
    return any(p.match(text) for p in _split_rules()["salutations"])


def long_page_chars() -> int:
    return _split_rules()["long_page"]


@dataclass
class Line:
    """One non-blank content line of a collection."""

    no: int  # 1-based line number in the source file
    text: str  # cleaned text (pinyin removed, simplified, trimmed)


@dataclass
class Chunk:
    """A run of lines that the splitter thinks is one document."""

    lines: list[Line]
    marker: Line | None = None  # the article marker that opened the unit, if any
    index: int = 0  # article number in its collection (1-based), set by the importer
    part: int = 0  # >0 when a marked unit was split further by structure
    reasons: list[str] = field(default_factory=list)  # why the unit starts where it does
    overrides: dict = field(default_factory=dict)  # title/type/level/theme from a manifest


def _value(raw: str) -> int:
    return int(raw) if raw.isdigit() else parse_cn_number(raw.replace("两", "二").replace("〇", "").replace("零", ""))


def parse_marker(line: str) -> tuple[str, int, str] | None:
    """(series key, number, title text after the marker) if the line looks like a marker."""
    closing, opening = _split_rules()["markers"]
    lead = opening.match(line)
    if lead:
        rest = lead.group("rest").strip()
        if is_title_line(rest) and not closing.match(rest):
            return LEADING, _value(lead.group("a") or lead.group("b")), rest
    match = closing.match(line)
    if not match:
        return None
    raw = match.group("a") or match.group("b") or match.group("c") or match.group("d")
    prefix = match.group("prefix").strip()
    if (match.group("c") or match.group("d")) and not prefix:
        return None  # a bare number is a page number, not a marker
    if match.group("d") and not is_document_title(prefix):
        return None  # `Title12` only when the title names a kind of document (not `水库10`)
    if any(c in prefix for c in "。！？，,；;：:") or numbering_level(prefix) or numbering_level(line):
        return None
    return prefix, _value(raw), ""


def marker_number(line: str) -> tuple[str, int] | None:
    """(prefix, number) if the line looks like an article marker, else None."""
    found = parse_marker(line)
    return (found[0] if found[0] != LEADING else "", found[1]) if found else None


def find_markers(lines: list[Line]) -> set[int]:
    """Indexes of lines that form a marker series: same prefix, numbers going up.

    A series may start at any number (a collection scraped from its second page starts at
    篇5) and may start again (two pages glued together): then each run of consecutive
    numbers counts on its own. A lone `篇1` counts too (one-article collections); any other
    style needs two members, so that a sentence fragment ending in a number is never taken
    for a marker.
    """
    series: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(lines):
        found = parse_marker(line.text)
        if found:
            series.setdefault(found[0], []).append((i, found[1]))
    markers: set[int] = set()
    for prefix, members in series.items():
        numbers = [n for _, n in members]
        if len(members) == 1:
            words = load_rules("split.yml")["marker_words"]
            alone = (prefix in ("", LEADING) and any(w in lines[members[0][0]].text for w in words)
                     and numbers[0] <= 2)
            if alone:
                markers.add(members[0][0])
        elif all(b > a for a, b in zip(numbers, numbers[1:])):
            markers.update(i for i, _ in members)
        else:
            run = [members[0]]
            for member in members[1:] + [(None, None)]:
                if member[1] is not None and member[1] == run[-1][1] + 1:
                    run.append(member)
                    continue
                if len(run) >= 2:
                    markers.update(i for i, _ in run)
                run = [member]
    return markers


def is_title_line(text: str) -> bool:
    """A short line with no sentence end and no numbering: a document title or subtitle."""
    return (4 <= len(text) <= 40 and not ends_sentence(text) and numbering_level(text) == 0
            and not text.startswith(("——", "【")) and not is_salutation(text))


def is_document_title(text: str) -> bool:
    """A title line that names a kind of document (…方案, …汇报, …总结二): strong evidence of a start."""
    return is_title_line(text) and bool(_split_rules()["doc_type"].search(text))


def top_number(text: str) -> int:
    """The number of a top-level heading (`三、…` → 3), else 0."""
    match = TOP.match(text)
    return parse_cn_number(match.group(1)) if match else 0


def is_bare_heading(text: str) -> bool:
    """A numbered heading with no text of its own after it (`四、帮扶措施`)."""
    return bool(TOP.match(text) or SECOND.match(text)) and is_standalone_heading(text)


# Reasons for a split that the rules are not sure of: each one is flagged for review.
RESTART = "序号重新开始"
AFTER_BARE = "孤立标题之后另起"
TITLE_BEFORE_ONE = "标题行后接“一、”"
UNSURE_SPLITS = (RESTART, AFTER_BARE, TITLE_BEFORE_ONE)


def structural_starts(lines: list[Line]) -> dict[int, str]:
    """Indexes (into `lines`) where a new document starts inside one unit, with the reason."""
    starts: dict[int, str] = {}
    last_top = 0  # the last top-level number seen in the current document
    last_top_at = -1  # and where
    for i, line in enumerate(lines):
        text = line.text
        top = top_number(text)
        if i == 0:
            last_top = top
            continue
        prev = lines[i - 1].text
        if is_document_title(text) and not is_document_title(prev):
            starts[i] = "标题行"
            last_top = 0
        elif is_salutation(text):
            # A title right before the salutation is where the document starts (one document,
            # not a one-line title page and an untitled speech).
            if i - 1 in starts or (i - 1 > 0 and is_title_line(prev) and not is_salutation(prev)):
                starts.setdefault(i - 1, "标题行后接称呼语")
            else:
                starts[i] = "称呼语"
            last_top = 0
        elif (top == 1 and last_top == 0 and i - 1 > 0 and i - 1 not in starts and is_title_line(prev)
              and (ends_sentence(lines[i - 2].text) or numbering_level(lines[i - 2].text))):
            starts[i - 1] = TITLE_BEFORE_ONE
        elif top == 0 and is_title_line(text) and TOP.match(prev) and is_standalone_heading(prev) \
                and i + 1 < len(lines) and not TOP.match(lines[i + 1].text):
            # A bare top-level heading followed by an unnumbered title: the heading's document
            # ended there (a page cut off), the title opens another one.
            starts[i] = AFTER_BARE
            last_top = 0
        if top:
            fresh = i not in starts and i - 1 not in starts
            if fresh and last_top and (top < last_top or (top == last_top and last_top_at == i - 2
                                                          and not numbering_level(prev))):
                # `一、` after `三、`; the same number twice only when the first is a bare heading
                # with one paragraph under it (a typo `三、…三、` far apart is not a restart).
                starts.setdefault(_walk_back(lines, i), RESTART)
            elif (fresh and not last_top and top >= 2
                  and _unnumbered_run(lines, i) >= _split_rules()["unnumbered_run"]):
                # Numbering that begins at `二、` after a run of unnumbered text: a document whose
                # first heading is missing starts here, not a section of the text before.
                starts.setdefault(_walk_back(lines, i), RESTART)
            last_top, last_top_at = top, i
    for first, second, _ in repeated_blocks(lines):
        starts.setdefault(first, "逐字重复的段落")
        starts.setdefault(second, "逐字重复的段落")
        end = second + (second - first)
        if end < len(lines):
            starts.setdefault(end, "逐字重复的段落之后")
    starts.pop(0, None)
    return starts


def _unnumbered_run(lines: list[Line], i: int) -> int:
    """How many lines without any numbering come right before line i."""
    n = 0
    while n < i and numbering_level(lines[i - n - 1].text) == 0:
        n += 1
    return n


def continues_text(text: str) -> bool:
    """A paragraph that opens with a word carrying on from the text before it (但…, 同时…)."""
    return text.startswith(_split_rules()["openers"])


def _walk_back(lines: list[Line], i: int) -> int:
    """A restarted numbering usually has an opening paragraph or two before it; take them along.

    Not a paragraph that carries on from the one before (但…, 此外…), nor a numbered one; and
    not one that is the only text under the previous heading (that is the heading's body) --
    except the first when the new numbering starts at `二、` (the paragraph is the text of the
    missing `一、`) or when it opens like a document (根据…, 为了…): then the heading was left
    bare (a cut-off page) and is flagged.
    """
    rules = _split_rules()
    j = i
    while j > 0 and i - j < rules["opening_max"]:
        paragraph = lines[j - 1].text
        if numbering_level(paragraph) or continues_text(paragraph):
            break
        if j >= 2 and is_bare_heading(lines[j - 2].text):
            # The only text under a heading: its body, unless the new numbering lacks its
            # `一、` (this is that missing section's text) or it reads as an opening (根据…).
            if j < i or (top_number(lines[i].text) == 1 and not paragraph.startswith(rules["opening_words"])):
                break
        j -= 1
        if is_title_line(paragraph):
            break  # a title opens the document: nothing before it belongs
    return j


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


def split_chunk(unit: Chunk) -> list[Chunk]:
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
        parts.append(Chunk(lines=unit.lines[a:b], marker=unit.marker if n == 0 else None,
                          reasons=[starts[a]] if a in starts else list(unit.reasons)))
    return parts
