"""What the site's macros do. `macros/main.py` only registers these with mkdocs-macros."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path

from fanwen.data import document_levels, document_types, load_themes
from fanwen.library.catalog import Entry
from fanwen.mkdocs.overview import cards_by_type, theme_index
from fanwen.markup import escape_markdown


from fanwen.mkdocs.overview import link as _link


def examples(library: tuple[Entry, ...], page_path: str, theme: str | None = None, type: str | None = None,
             level: str | None = None) -> str:
    """Cards of the documents matching the filters (all given filters must match)."""
    slugs = [t["slug"] for t in load_themes()]
    if theme is not None and theme not in slugs:
        raise ValueError(f"examples(theme={theme!r})：没有这个主题；可用的主题：{', '.join(slugs)}")
    if type is not None and type not in document_types():
        raise ValueError(f"examples(type={type!r})：没有这个类型；可用的类型：{', '.join(document_types())}")
    if level is not None and level not in document_levels():
        raise ValueError(f"examples(level={level!r})：没有这个层级；可用的层级：{', '.join(document_levels())}")
    chosen = [e for e in library
              if (theme is None or e.theme == theme) and (type is None or e.type == type)
              and (level is None or e.level == level)]
    return cards_by_type(chosen, page_path, grouped=type is None)


def stats(library: tuple[Entry, ...], page_path: str) -> str:
    """Home-page counts: documents per theme (linked) and per type."""
    per_theme = Counter(e.theme for e in library)
    per_type = Counter(e.type for e in library)
    themes = "\n".join(
        f"-   **[{escape_markdown(t['name'])}]({_link(theme_index(t['slug']), page_path)})** · {per_theme[t['slug']]} 篇\n\n"
        f"    {escape_markdown(t['description'])}\n" for t in load_themes())
    types = " · ".join(f"{name} {per_type[name]} 篇" for name in document_types() if per_type[name])
    return (f"范文库现有 **{len(library)}** 篇范文。\n\n## 按主题\n\n<div class=\"grid cards\" markdown>\n\n{themes}\n</div>\n\n"
            f"## 按文种\n\n{types}（[按类型与层级查看]({_link('tags.md', page_path)})）\n")


# ----------------------------------------------------------------------------- templates


def template_html(root: Path, name: str, **overrides) -> str:
    """The template filled with the sample data (and any overrides), filled-in values marked,
    as one HTML block (kept out of the page's table of contents). Built from the document's
    blocks, not through Markdown: nothing in a value can become markup or an attribute."""
    from fanwen.drafting.templates import default_context, paper_html, render

    context = {**default_context(root), **overrides}
    return paper_html(render(name, context, root))


def url_from(page_url: str, target: str) -> str:
    """A relative URL from a page (directory URLs or not) to a file of the built site."""
    base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
    return posixpath.relpath(target, base or ".")


def template_actions(root: Path, page_url: str, name: str) -> str:
    """复制全文 / 下载 Markdown / 下载 Word for one template (the plugin writes the downloads)."""
    import html

    from fanwen.mkdocs.pages import DOWNLOADS
    from fanwen.drafting.templates import default_context, plain_text, render

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
    from fanwen.drafting.compiled import DATA_SCRIPT, data_script, version

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


def section_examples(docs_dir: str, library: tuple[Entry, ...], page_path: str, heading: str,
                     type: str | list[str] | None = None, n: int = 3, topic: str | None = None) -> str:
    """How others wrote this section: the real text from n model documents, linked."""
    from fanwen.library.sections import section_examples as find

    found = find(docs_dir, heading, type, n, topic, library)
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


def outline(docs_dir: str, library: tuple[Entry, ...], type: str) -> str:
    """The structure atlas of one document type as a table."""
    from fanwen.library.sections import outline as build

    if type not in document_types():
        raise ValueError(f"outline(type={type!r})：没有这个类型；可用的类型：{', '.join(document_types())}")
    rows = build(docs_dir, type, library)
    if not rows:
        return f"*范文库中暂无{type}类范文。*"
    total = rows[0]["total"]
    lines = [f"共 {total} 篇{type}。按在文中的平均位置排列：", "", "| 顺序 | 部分 | 使用篇数 | 常见写法 |", "|---|---|---|---|"]
    for i, row in enumerate(rows, start=1):
        examples = "；".join(escape_markdown(e) for e in row["examples"])
        lines.append(f"| {i} | {row['part']} | {row['documents']} / {total} | {examples} |")
    return "\n".join(lines) + "\n"
