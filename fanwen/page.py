"""A cleaned document → a Markdown page: front matter, headings, escaped text."""

from __future__ import annotations

import html
import re

import yaml

from .repair import PLACEHOLDER, UNREADABLE
from .text import CIRCLED, SECOND, THIRD, TOP, is_standalone_heading, split_run_in

# Characters that Markdown or the enabled extensions would read as markup. Imported text is
# not ours: every one of them is escaped so that it shows exactly as written.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^=+!:&$-])")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax (pymdownx.escapeall makes any escape valid)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _escape_leading_number(text: str) -> str:
    # `1.` at the start of a paragraph would become an ordered list that renumbers itself.
    return re.sub(r"^(\d+)\.", r"\1\\.", text)


def normalise_second_level(text: str) -> str:
    """`(一)` and `㈠` → `（一）`: one form for the second heading level."""
    match = SECOND.match(text)
    if not match:
        return text
    number = match.group(1) or "一二三四五六七八九十"[CIRCLED.index(match.group(2))]
    return f"（{number}）{text[match.end():]}"


def highlight_blanks(markdown: str) -> str:
    """Placeholders to fill in and unreadable spans stand out on the page."""
    markdown = markdown.replace(PLACEHOLDER, f'<span class="fw-blank" title="待填写">{PLACEHOLDER}</span>')
    return markdown.replace(UNREADABLE, f'<span class="fw-garbled" title="原文乱码，无法恢复">{UNREADABLE}</span>')


def render_line(text: str) -> str:
    """One source line → one Markdown block, with placeholders highlighted."""
    return highlight_blanks(_render_block(text))


def _render_block(text: str) -> str:
    if TOP.match(text) and is_standalone_heading(text):
        return "## " + escape_markdown(text)
    if SECOND.match(text):
        text = normalise_second_level(text)
        if is_standalone_heading(text):
            return "### " + escape_markdown(text)
    if TOP.match(text) or SECOND.match(text) or THIRD.match(text):
        head, body = split_run_in(text)
        if body and len(head) <= 40:
            return f"**{_escape_leading_number(escape_markdown(head))}**{escape_markdown(body)}"
    return _escape_leading_number(escape_markdown(text))


NOTE_CLASS = "fw-note"


def render_note(text: str) -> str:
    """A line the importer tells the reader (节选, 标题为整理者所拟): not part of the source text."""
    return f'<p class="{NOTE_CLASS}">{html.escape(text)}</p>'


def render_page(meta: dict, lines: list[str], notes: list[str] = ()) -> str:
    """Front matter + notes + body. Deterministic: same input, same bytes."""
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    body = "\n\n".join([*map(render_note, notes), *(render_line(line) for line in lines)])
    return f"---\n{front}\n---\n\n{body}\n"
