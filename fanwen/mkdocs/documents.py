"""What the plugin does to a document page around MkDocs: which pages show an edited document
(`listing_pages`, for `make serve`), whether its front matter or headings need MkDocs's own
route, and the article text marked for search and highlighting (`mark_article`)."""

from __future__ import annotations

import re

import yaml

from fanwen.library.catalog import Entry
from fanwen.library.related import Related
from fanwen.mkdocs import overview

RELATED = 6  # related documents listed on a document page


def listing_pages(edited: set[str], before: dict[str, Entry] | None, now: dict[str, Entry]) -> set[str]:
    """The pages that show something of the documents `edited` (or added, removed or changed
    since `before`): their theme pages (cards with title, type, level, length, first line),
    the home page and the tag index when counts may change, and the documents that list them
    among their related links. Without `before` (the first build of this process: nothing to
    compare with) only the theme pages of the edited documents."""
    if before is None:
        return {f"examples/{now[p].theme}/index.md" for p in edited}
    changed = set(edited) | {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
    if not changed:
        return set()
    out = {f"examples/{e.theme}/index.md" for p in changed for e in (before.get(p), now.get(p)) if e}

    def listed(e):  # what the home page, tags and related links show of a document
        return e and (e.theme, e.type, e.level, e.title)

    relisted = {p for p in changed if p not in before or p not in now or listed(before[p]) != listed(now[p])}
    if relisted:
        out |= {"index.md", "tags.md", overview.EXAMPLES_INDEX}
        for library in (before, now):
            similar = Related(tuple(library.values()))
            # Related links are chosen by similarity (fanwen/library/related.py): the documents that list
            # an edited one are among the ones most like it.
            near = {c.path for p in relisted if p in library for c in similar.of(library[p], 5 * RELATED)}
            for path in near:
                if path in now and any(r.path in relisted for r in similar.of(library[path], RELATED)):
                    out.add(path)
    return out


_DATE = next(regexp for resolvers in yaml.SafeLoader.yaml_implicit_resolvers.values()
             for tag, regexp in resolvers if tag == "tag:yaml.org,2002:timestamp")


def has_dates(value) -> bool:
    """Whether front matter has text that YAML reads as a date when unquoted (MkDocs's loader
    makes it a date; the library's leaves it text)."""
    if isinstance(value, str):
        return bool(_DATE.match(value))
    if isinstance(value, dict):
        return any(has_dates(k) or has_dates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_dates(v) for v in value)
    return False


def names_related(markdown: str) -> bool:
    """Whether a heading or anchor of the document could take the id 相关范文 (its Chinese
    characters in that order, whatever is between them): then the related documents' heading
    is numbered by Markdown (相关范文_1), and the page takes the Markdown route."""
    return "范" in markdown and "相关范文" in re.sub(r"[^\u4e00-\u9fff]+", "", markdown)


RELATED_HEADING = re.compile(r'<h2 id="相关范文"')
# Ours, above the document's text: the metadata line, the link to its template and the
# importer's notes (节选, 标题为整理者所拟). Not indexed: they would make every page match.
META_PARAGRAPH = re.compile(r'^\s*<p class="fw-meta">.*?</p>\s*(?:<p class="fw-actions">.*?</p>\s*'
                            r'|<p><a class="fw-use-template"[^>]*>.*?</a></p>\s*|<p class="fw-note">.*?</p>\s*)*', re.S)


def mark_article(html: str) -> tuple[str, str]:
    """(page HTML with the article text wrapped in `<div class="fw-article" data-fw-search>`,
    the wrapped part): the document's own text, without what is ours above it (META_PARAGRAPH)
    and the related links, which would make every page match every theme name."""
    meta = META_PARAGRAPH.match(html)
    start = meta.end() if meta else 0
    related = RELATED_HEADING.search(html, start)
    end = related.start() if related else len(html)
    body = html[start:end]
    return html[:start] + f'<div class="fw-article" data-fw-search>\n{body}</div>\n' + html[end:], body
