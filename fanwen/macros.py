"""What the site's macros do. `macros/main.py` only registers these with mkdocs-macros."""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections import Counter
from pathlib import Path

from .classify import TYPES, LEVELS
from .data import load_themes
from .library import Entry, listing_order, scan
from .overview import badge
from .page import escape_markdown


def _link(target: str, page_path: str) -> str:
    """A Markdown link target to a docs file, relative to the page that shows it."""
    return posixpath.relpath(target, posixpath.dirname(page_path) or ".")


def _card(entry: Entry, page_path: str) -> str:
    first = entry.first_line if len(entry.first_line) <= 60 else entry.first_line[:60] + "……"
    return (f"-   **[{escape_markdown(entry.title)}]({_link(entry.path, page_path)})**\n\n"
            f"    <span class=\"fw-tag\">{entry.type}</span> <span class=\"fw-tag\">{entry.level}</span> "
            f"{entry.chars} 字{badge(entry)}\n\n"
            f"    {escape_markdown(first)}\n")


def examples(docs_dir: str, page_path: str, theme: str | None = None, type: str | None = None,
             level: str | None = None) -> str:
    """Cards of the documents matching the filters (all given filters must match)."""
    slugs = [t["slug"] for t in load_themes()]
    if theme is not None and theme not in slugs:
        raise ValueError(f"examples(theme={theme!r})：没有这个主题；可用的主题：{', '.join(slugs)}")
    if type is not None and type not in TYPES:
        raise ValueError(f"examples(type={type!r})：没有这个类型；可用的类型：{', '.join(TYPES)}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"examples(level={level!r})：没有这个层级；可用的层级：{', '.join(LEVELS)}")
    chosen = [e for e in scan(docs_dir)
              if (theme is None or e.theme == theme) and (type is None or e.type == type)
              and (level is None or e.level == level)]
    if not chosen:
        return "*暂无符合条件的范文。*"
    groups = [(name, [e for e in chosen if e.type == name]) for name in TYPES]
    groups = [(name, entries) for name, entries in groups if entries]
    if type is not None or len(groups) == 1:
        return f"共 {len(chosen)} 篇。\n\n{_cards(chosen, page_path)}"
    # A theme of a large library holds a thousand documents: one section per document type,
    # so the page's table of contents takes the writer straight to the 方案 or the 总结.
    summary = " · ".join(f"{name} {len(entries)} 篇" for name, entries in groups)
    sections = "\n".join(f"## {name}\n\n{_cards(entries, page_path)}" for name, entries in groups)
    return f"共 {len(chosen)} 篇：{summary}。\n\n{sections}"


def _cards(entries: list[Entry], page_path: str) -> str:
    """A marker the site plugin replaces with the cards' HTML after Markdown (fill_cards).

    Why not Markdown: a theme page of a 10,000-page library lists a thousand cards, and
    python-markdown took seconds over them in every build and after every edit under
    `make serve`. The HTML is the one Markdown made of _card."""
    # 有缺损 and 疑似洗稿 documents last (sorted() keeps the path order otherwise).
    ordered = tuple(sorted(entries, key=listing_order))
    key = hashlib.sha1("\n".join(e.path for e in ordered).encode("utf-8")).hexdigest()[:16]
    _card_lists[key] = ordered
    return f"<!-- fanwen-cards {key} -->\n"


_card_lists: dict[str, tuple[Entry, ...]] = {}  # marker → the documents it lists, in order
CARDS_MARK = re.compile(r"<!-- fanwen-cards ([0-9a-f]{16}) -->\n?")


def fill_cards(html_text: str, href) -> str:
    """The page HTML with each cards marker replaced by its cards; `href(entry)`: the link to a
    document from this page."""
    def replace(match: re.Match) -> str:
        entries = _card_lists.get(match.group(1))
        if entries is None:  # not made in this process: leave it (never shown, a comment)
            return match.group(0)
        cards = "\n".join(_card_html(e, href(e)) for e in entries)
        return f'<div class="grid cards">\n<ul>\n{cards}\n</ul>\n</div>'

    return CARDS_MARK.sub(replace, html_text) if "<!-- fanwen-cards " in html_text else html_text


def _card_html(entry: Entry, href: str) -> str:
    first = entry.first_line if len(entry.first_line) <= 60 else entry.first_line[:60] + "……"
    opening = f"<p>{_escape_text(first)}</p>\n" if first.strip() else ""
    return (f'<li>\n<p><strong><a href="{html.escape(href)}">{_escape_text(entry.title)}</a></strong></p>\n'
            f'<p><span class="fw-tag">{_escape_text(entry.type)}</span> <span class="fw-tag">{_escape_text(entry.level)}</span> '
            f"{entry.chars} 字{badge(entry)}</p>\n{opening}</li>")


def _escape_text(text: str) -> str:
    """Text as python-markdown writes escaped text: &, < and > as entities; lines trimmed."""
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def theme_index(slug: str) -> str:
    return f"examples/{slug}/index.md"


def stats(docs_dir: str, page_path: str) -> str:
    """Home-page counts: documents per theme (linked) and per type."""
    library = scan(docs_dir)
    per_theme = Counter(e.theme for e in library)
    per_type = Counter(e.type for e in library)
    themes = "\n".join(
        f"-   **[{t['name']}]({_link(theme_index(t['slug']), page_path)})** · {per_theme[t['slug']]} 篇\n\n"
        f"    {t['description']}\n" for t in load_themes())
    types = " · ".join(f"{name} {per_type[name]} 篇" for name in TYPES if per_type[name])
    return (f"范文库现有 **{len(library)}** 篇范文。\n\n## 按主题\n\n<div class=\"grid cards\" markdown>\n\n{themes}\n</div>\n\n"
            f"## 按文种\n\n{types}（[按类型与层级查看]({_link('tags.md', page_path)})）\n")


# ----------------------------------------------------------------------------- templates


def template_html(root: Path, name: str, **overrides) -> str:
    """The template filled with the sample data (and any overrides), filled-in values marked,
    as one HTML block (kept out of the page's table of contents). Built from the document's
    blocks, not through Markdown: nothing in a value can become markup or an attribute."""
    from .templating import default_context, paper_html, render

    context = {**default_context(root), **overrides}
    return paper_html(render(name, context, root))


def url_from(page_url: str, target: str) -> str:
    """A relative URL from a page (directory URLs or not) to a file of the built site."""
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
    return posixpath.relpath(target, base or ".")


def template_actions(root: Path, page_url: str, name: str) -> str:
    """复制全文 / 下载 Markdown / 下载 Word for one template (the plugin writes the downloads)."""
    import html

    from .site import DOWNLOADS
    from .templating import default_context, plain_text, render

    text = plain_text(render(name, default_context(root), root))
    data = html.escape(text, quote=True).replace("\n", "&#10;")
    md, docx = (url_from(page_url, f"{DOWNLOADS}/{name}{ext}") for ext in (".md", ".docx"))
    # Saved under the document's own title (××镇2027年工作方案.docx), not the template's slug.
    stem = html.escape(file_stem(text.split("\n", 1)[0]), quote=True)
    return (f'<p class="fw-actions"><button class="md-button md-button--primary fw-copy" type="button" '
            f'data-copy="{data}">复制全文</button> <a class="md-button" href="{md}" download="{stem}.md">下载 Markdown</a> '
            f'<a class="md-button" href="{docx}" download="{stem}.docx">下载 Word</a></p>')


DRAFT_SCRIPTS = ("assets/vendor/js-yaml/js-yaml.min.js", "DATA", "assets/fanwen-draft-core.js",
                 "assets/fanwen-docx.js", "assets/fanwen-draft.js")


def draft_panel(root: Path, page_url: str, slug: str = "") -> str:
    """Where the page drafts for the writer's own unit (issue 13): an empty container the page's
    script builds the 本单位信息 form into, and the scripts it needs (external files, so the
    strict CSP allows them; loaded only on the pages that draft). `slug`: the template this
    page fills, or "" on the 本单位信息 page itself."""
    from .compiled import DATA_SCRIPT, data_script, version

    data_url = f"{DATA_SCRIPT}?v={version(data_script(root))}"
    scripts = "".join(f'<script src="{url_from(page_url, data_url if s == "DATA" else s)}"></script>'
                      for s in DRAFT_SCRIPTS)
    form = url_from(page_url, "moban/danwei/") if page_url.endswith("/") else url_from(page_url, "moban/danwei.html")
    return (f'<div class="fw-draft" data-fw-template="{slug}" data-fw-form-page="{form}">'
            f'<noscript>填写本单位信息需要浏览器启用 JavaScript。</noscript></div>{scripts}')


def file_stem(title: str) -> str:
    """A title as a file name on Windows, macOS and Linux: no \\ / : * ? " < > |, at most 60 characters."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", title).strip(" .") or "草稿"
    return stem[:60]


def section_examples(docs_dir: str, page_path: str, heading: str, type: str | list[str] | None = None,
                     n: int = 3, topic: str | None = None) -> str:
    """How others wrote this section: the real text from n model documents, linked."""
    from .sections import section_examples as find

    found = find(docs_dir, heading, type, n, topic)
    if not found:
        return f"*范文库中暂无“{heading}”部分的范例。*"
    parts = []
    for section in found:
        blocks = []
        length = 0
        for block in section.paragraphs:
            if length > 500:
                blocks.append("……")
                break
            blocks.append(block.replace("### ", "**", 1) + "**" if block.startswith("### ") else block)
            length += len(block)
        quoted = "\n>\n".join("> " + b.replace("\n", " ") for b in blocks)
        link = _link(section.entry.path, page_path)
        parts.append(f"**[{escape_markdown(section.entry.title)}]({link})** · {section.entry.type} · "
                     f"{section.entry.level} · 原标题“{escape_markdown(section.heading)}”\n\n{quoted}\n")
    return "\n".join(parts)


def outline(docs_dir: str, type: str) -> str:
    """The structure atlas of one document type as a table."""
    from .sections import outline as build

    if type not in TYPES:
        raise ValueError(f"outline(type={type!r})：没有这个类型；可用的类型：{', '.join(TYPES)}")
    rows = build(docs_dir, type)
    if not rows:
        return f"*范文库中暂无{type}类范文。*"
    total = rows[0]["total"]
    lines = [f"共 {total} 篇{type}。按在文中的平均位置排列：", "", "| 顺序 | 部分 | 使用篇数 | 常见写法 |", "|---|---|---|---|"]
    for i, row in enumerate(rows, start=1):
        examples = "；".join(escape_markdown(e) for e in row["examples"])
        lines.append(f"| {i} | {row['part']} | {row['documents']} / {total} | {examples} |")
    return "\n".join(lines) + "\n"
