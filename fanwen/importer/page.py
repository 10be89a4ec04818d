"""A cleaned document → a Markdown page: front matter, headings, escaped text."""

from __future__ import annotations

import html
import re

import yaml

from fanwen.importer.repair import PLACEHOLDER, UNREADABLE
from fanwen.markup import escape_markdown
from fanwen.importer.text import SECOND, THIRD, TOP, is_standalone_heading, split_run_in, uncircle

def _escape_leading_number(text: str) -> str:
    # `1.` at the start of a paragraph would become an ordered list that renumbers itself.
    return re.sub(r"^(\d+)\.", r"\1\\.", text)


def normalise_second_level(text: str) -> str:
    """`(一)` and `㈠` → `（一）`: one form for the second heading level."""
    match = SECOND.match(text)
    if not match or match.group(2):
        return uncircle(text)
    return f"（{match.group(1)}）{text[match.end():]}"


def highlight_blanks(markdown: str) -> str:
    """Placeholders to fill in and unreadable spans stand out on the page."""
    markdown = markdown.replace(PLACEHOLDER, f'<span class="fw-blank" title="待填写">{PLACEHOLDER}</span>')
    return markdown.replace(UNREADABLE, f'<span class="fw-garbled" title="原文乱码，无法恢复">{UNREADABLE}</span>')


def render_line(text: str, run_in_levels: frozenset = frozenset()) -> str:
    """One source line → one Markdown block, with placeholders highlighted.

    `run_in_levels`: numbering levels (1 `一、`, 2 `（一）`) that the page renders as bold
    run-in heads rather than Markdown headings, so that one level looks the same throughout.
    """
    return highlight_blanks(_render_block(text, run_in_levels))


def _level(text: str) -> int:
    return 1 if TOP.match(text) else 2 if SECOND.match(text) else 3 if THIRD.match(text) else 0


def _render_block(text: str, run_in_levels: frozenset = frozenset()) -> str:
    level = _level(text)
    if level == 2:
        text = normalise_second_level(text)
    if level in (1, 2) and level not in run_in_levels and is_standalone_heading(text):
        return "#" * (level + 1) + " " + escape_markdown(text)
    if level:
        head, body = split_run_in(text)
        if level in run_in_levels or (body and len(head) <= 40) or (level == 3 and len(head) <= 40):
            return f"**{_escape_leading_number(escape_markdown(head))}**{escape_markdown(body)}"
    return _escape_leading_number(escape_markdown(text))


def run_in_levels(lines: list[str]) -> frozenset:
    """Levels 1 and 2 whose items are not all bare headings: rendered as bold run-in heads
    throughout the page (a list must not show as `###`, bold and plain on one page)."""
    mixed = set()
    for level in (1, 2):
        items = [normalise_second_level(t) if level == 2 else t for t in lines if _level(t) == level]
        if items and not all(is_standalone_heading(t) for t in items):
            mixed.add(level)
    return frozenset(mixed)


NOTE_CLASS = "fw-note"


def render_note(text: str) -> str:
    """A line the importer tells the reader (节选, 标题为整理者所拟): not part of the source text."""
    return f'<p class="{NOTE_CLASS}">{html.escape(text)}</p>'


def render_page(meta: dict, lines: list[str], notes: list[str] = ()) -> str:
    """Front matter + notes + body. Deterministic: same input, same bytes."""
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    levels = run_in_levels(lines)
    body = "\n\n".join([*map(render_note, notes), *(render_line(line, levels) for line in lines)])
    return f"---\n{front}\n---\n\n{body}\n"
