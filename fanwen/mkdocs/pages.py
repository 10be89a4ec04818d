"""What the `fanwen` plugin puts on pages, built from data: the template pages and the
本单位信息 page, and on every document page the metadata line, the actions (复制全文, 下载 Word),
the link to its template and the related documents. Text from documents, templates and data
files is escaped here; nothing here is ever read as a macro."""

from __future__ import annotations

import base64
import functools
import html
import json
import posixpath
import re
from pathlib import Path

from fanwen import cache
from fanwen.data import document_levels, document_types
from fanwen.library.catalog import Entry
from fanwen.markup import escape_markdown
from fanwen.mkdocs import macros, overview

def escape_meta(meta: dict) -> dict:
    """Front matter with every string (and string in a list) HTML-escaped, quotes included:
    the theme prints them into elements and attributes without escaping."""
    def text(value):
        if isinstance(value, str):
            return html.escape(value)
        if isinstance(value, list):
            return [text(item) for item in value]
        return value
    return {key: text(value) for key, value in meta.items()}


def template_page(template, url: str, root: Path, docs_dir: str, library: tuple[Entry, ...]) -> str:
    """The site page of one writing template (moban/<slug>.md at `url`): built here from the
    template and the library by calling the page parts directly, so no text of a template or
    a document is ever read as a macro."""
    uri = f"moban/{template.slug}.md"
    lines = [*overview.front_matter(template.name),
             f"# {escape_markdown(template.name)}（写作模板）", "", escape_markdown(template.purpose), "",
             f"**什么时候用：**{escape_markdown(template.when)}", "",
             f"**适用层级：**{escape_markdown('、'.join(template.levels))}"
             + (f"。{escape_markdown(template.not_for)}" if template.not_for else ""), "",
             macros.template_actions(root, url, template.slug), "",
             macros.draft_panel(root, url, template.slug), "",
             "<p class=\"fw-legend\">下面是用示例单位数据填好的全文，<span class=\"fw-filled\">这样标出的</span>是从单位数据中填入的内容，"
             "<span class=\"fw-blank\">【待填写：……】</span>是数据中没有、须由撰稿人补写的内容。</p>", "",
             macros.template_html(root, template.slug), "", "## 分节写作要点", ""]
    for number, section in enumerate(template.sections, start=1):
        lines += [f"### {number}. {escape_markdown(section['part'])}", "", '!!! tip "写作要点"', "",
                  f"    {escape_markdown(section['note'])}", "", "**别人怎么写的：**", "",
                  macros.section_examples(docs_dir, library, uri, section["part"], type=template.derived_from,
                                          topic=template.topic), ""]
    return "\n".join(lines)


DOWNLOADS = "moban/downloads"
UNIT_PAGE = "moban/danwei.md"


def unit_page(root: Path, url: str) -> str:
    """本单位信息: the form alone (the same form is on every template page)."""
    return "\n".join([*overview.front_matter("本单位信息", "hide:", "  - toc"),
                      "# 本单位信息", "",
                      "在这里填一次本单位的信息，所有写作模板都会换成本单位的草稿（保存在本机浏览器中，"
                      "换页、下次打开仍在）。可以“保存为文件”交给同事，同事“从文件读入”即可；"
                      "管理范文库的同事也可以用这个文件直接生成各模板的草稿。", "",
                      macros.draft_panel(root, url), ""])


_downloads: dict[tuple, dict[str, bytes]] = {}  # (template, sources' versions, day) → files


def sources_stamp(root: Path) -> tuple:
    """The versions of the files the downloads are made from (templates/ and data/), and the day."""
    import datetime

    found = []
    for folder in (root / "templates", root / "data"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                stat = path.stat()
                found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return (str(root), datetime.date.today().isoformat(), *found)


def template_downloads(root: Path, template, stamp: tuple | None = None) -> dict[str, bytes]:
    """The two downloads of one template, filled with the sample data: .md and .docx. With
    `stamp` (sources_stamp), made once per version of their sources: `make serve` rebuilds
    after every edit, and every build made the ten Word files again (about 0.4 s). They depend
    on templates/, data/, the day and the code alone, so they are also kept in the cache folder
    (fanwen.cache) by the contents of those."""
    if stamp is not None:
        key = (template.slug, stamp)
        if key not in _downloads:
            if len(_downloads) > 64:
                _downloads.clear()
            content = _content_key(stamp)
            blob = cache.remembered("downloads", f"{template.slug}|{content}",
                                    lambda: _pack(template_downloads(root, template)))
            _downloads[key] = _unpack(blob)
        return _downloads[key]
    from fanwen.drafting.templates import blocks, clean_markdown, default_context, render
    from fanwen.drafting.word_output import build_docx

    context = default_context(root)
    filled = render(template.slug, context, root)
    return {f"{DOWNLOADS}/{template.slug}.md": clean_markdown(filled).encode("utf-8"),
            f"{DOWNLOADS}/{template.slug}.docx": build_docx(blocks(filled), author=context["unit"]["name"],
                                                            title=blocks(filled)[0][1])}


@functools.lru_cache(maxsize=4)
def _content_key(stamp: tuple) -> str:
    root = Path(stamp[0])
    return f"{stamp[1]}|{cache.files_key(root / 'templates', root / 'data')}"


def _pack(files: dict[str, bytes]) -> bytes:
    return json.dumps({name: base64.b64encode(content).decode() for name, content in files.items()}).encode()


def _unpack(blob: bytes) -> dict[str, bytes]:
    return {name: base64.b64decode(content) for name, content in json.loads(blob).items()}


def meta_line(entry: Entry, theme_name: str) -> str:
    parts = [escape_markdown(entry.type), escape_markdown(entry.level), f"[{escape_markdown(theme_name)}](index.md)",
             f"{entry.chars:,} 字".replace(",", "，") if entry.chars >= 10000 else f"{entry.chars} 字",
             "来源：" + escape_markdown(entry.source_label or "网上范文合集")]
    badge = overview.status_badge(entry)
    return (f"{badge} " if badge else "") + " · ".join(parts) + "\n{ .fw-meta }"


# The values search results can be narrowed by (fanwen.js draws them as buttons under the search
# box; the worker reads 文种:… 层级:… in the query). Data, not code: a JSON script is not run.
def facets_script() -> str:
    return ('<script type="application/json" id="fw-facets">'
            + json.dumps({"文种": [*document_types(), "写作模板"], "层级": list(document_levels())}, ensure_ascii=False)
            .replace("<", "\\u003c") + "</script>\n")


def template_for(entry: Entry, templates: list):
    """The template a model document is best written from: among those drawn from its type, one
    whose own subject (its name less the type word and 工作: 换届选举, 实施) is in the document's
    title; else the general one of its type (工作方案, 工作总结)."""
    def subject(template) -> str:
        return template.name.replace(template.type, "").replace("工作", "")

    candidates = [t for t in templates if entry.type in t.derived_from]
    topical = [t for t in candidates if subject(t) and subject(t) in entry.title]
    if topical:
        return max(topical, key=lambda t: len(subject(t)))
    same_type = [t for t in candidates if t.type == entry.type] or candidates
    general = [t for t in same_type if not subject(t)] or same_type
    return general[0] if general else None


MODELS = 8  # model documents listed on a template page


def with_models(html_text: str, models: list[tuple[str, Entry]]) -> str:
    """用这个模板写的范文: the template page's best models, before its writing notes. HTML built
    here (after mkdocs-macros has rendered the page: titles are never read as Jinja)."""
    if not models:
        return html_text
    items = "".join(f'<li><a href="{html.escape(url)}">{html.escape(e.title)}</a> '
                    f'<span class="fw-tag">{html.escape(e.type)} · {html.escape(e.level)}</span>'
                    f'{overview.badge(e)}</li>' for url, e in models)
    section = f'<h2 id="用这个模板写的范文">用这个模板写的范文</h2>\n<ul class="fw-models">{items}</ul>\n'
    at = html_text.find('<h2 id="分节写作要点"')
    return html_text + section if at < 0 else html_text[:at] + section + html_text[at:]


def template_link(entry: Entry, template) -> str:
    """用这个模板起草: from a model document to its template, if there is one."""
    if template is None:
        return ""
    target = posixpath.relpath(f"moban/{template.slug}.md", posixpath.dirname(entry.path))
    return f"[用这个模板起草：{escape_markdown(template.name)}]({target}){{ .fw-use-template }}\n\n"


def document_actions(root: Path, page_url: str, shell_version: str | None = None) -> str:
    """复制全文 and 下载 Word on a document page. fanwen.js copies the title and the article's text
    as plain text, and makes the Word file in the page from the same blocks, in the GB/T 9704
    layout of the templates' drafts: the .docx shell (styles, page, numbering) is the CLI's, from
    the drafting bundle, loaded only when the button is pressed."""
    from fanwen.drafting.compiled import DATA_SCRIPT, data_script, version

    # shell_version: the bundle's version computed once per build by the plugin (hashing the
    # bundle for every page took a second per 1,000 pages).
    shell = macros.url_from(page_url, f"{DATA_SCRIPT}?v={shell_version or version(data_script(root))}")
    writer = macros.url_from(page_url, "assets/fanwen-docx.js")
    return ('<p class="fw-actions"><button class="md-button md-button--primary fw-copy" type="button" '
            'data-copy-article>复制全文</button> <button class="md-button fw-word" type="button" '
            f'data-docx-shell="{html.escape(shell)}" data-docx-writer="{html.escape(writer)}">下载 Word</button></p>\n\n')


def related_section(entry: Entry, items: list[Entry]) -> str:
    """相关范文: links to documents like this one (fanwen/library/related.py)."""
    if not items:
        return ""
    here = posixpath.dirname(entry.path)
    links = "\n".join(f"- [{escape_markdown(e.title)}]({posixpath.relpath(e.path, here)}) "
                      f"<span class=\"fw-tag\">{e.type} · {e.level}</span>" for e in items)
    return f"\n\n## 相关范文\n\n{links}\n"


# --------------------------------------------------------------------------- the same, as HTML
#
# The metadata line, the actions, the template link and the related documents used to go through
# python-markdown with the document (the functions above), which at 10,000 pages cost about as
# much as 40 % of all the documents' own Markdown: each link and tag is parsed, checked by
# MkDocs's raw-HTML scan and rewritten by its link resolver. They are built from data, so the
# plugin writes them here as the HTML Markdown would have made of them, byte for byte, and adds
# them after Markdown (tests/test_build.py compares both ways). Whenever a value could make
# Markdown do more than escape it (a tab or line break, outer spaces, a link path with characters
# Markdown or MkDocs read specially), these return None and the page takes the Markdown route.

RELATED_MARK = "<!-- fanwen:related -->"  # where the related documents go: after the text's last block
_UNSAFE_TEXT = re.compile(r"[\t\n\r\x02\x03]")  # tabs expanded, lines joined, Markdown's placeholders
_SAFE_LINK = re.compile(r"[\w\-./]+")  # no %, spaces, brackets, quotes, & (unquoted or read by Markdown)


def _text(value: str) -> str | None:
    """`escape_markdown(value)` as python-markdown writes it out (pymdownx.escapeall: every
    escaped character as itself, then &, <, > escaped); None if Markdown would do more."""
    if _UNSAFE_TEXT.search(value) or value != value.strip():
        return None
    return html.escape(value, quote=False)


def _href(target: str, url_of) -> str | None:
    """The URL MkDocs makes of our relative Markdown link to the page `target` (docs-relative):
    `url_of(target)` (relative to the page; None if there is no such file: MkDocs would warn,
    and the Markdown route keeps that)."""
    if not _SAFE_LINK.fullmatch(target):
        return None
    url = url_of(target)
    return url if url is not None and not re.search(r'[&<>"]', url) else None


@functools.lru_cache(maxsize=None)
def _plain_word(value: str) -> bool:
    """A word Markdown writes out as it is (the types and levels of data/classify.yml)."""
    return escape_markdown(value) == value and _text(value) == value


def document_head_html(entry: Entry, theme_name: str, template, actions: str, url_of) -> str | None:
    """`meta_line` + `document_actions` (`actions`) + `template_link`, as HTML: what goes before
    the document's own HTML, with the separators Markdown puts between those blocks."""
    texts = [_text(v) for v in (entry.type, entry.level, theme_name, entry.source_label or "网上范文合集")]
    theme_url = _href(posixpath.join(posixpath.dirname(entry.path), "index.md"), url_of)
    if None in texts or theme_url is None:
        return None
    kind, level, theme, source = texts
    badge = overview.status_badge(entry)
    chars = f"{entry.chars:,} 字".replace(",", "，") if entry.chars >= 10000 else f"{entry.chars} 字"
    out = (f'<p class="fw-meta">{badge + " " if badge else ""}{kind} · {level} · <a href="{theme_url}">{theme}</a>'
           f' · {chars} · 来源：{source}</p>\n'
           # A raw HTML block keeps its line end; blocks are joined by one more.
           f'{actions.rstrip(chr(10))}\n\n')
    if template is not None:
        name = _text(template.name)
        url = _href(f"moban/{template.slug}.md", url_of)
        if name is None or url is None:
            return None
        out += f'<p><a class="fw-use-template" href="{url}">用这个模板起草：{name}</a></p>\n'
    return out


def related_html(entry: Entry, items: list[Entry], heading: str, url_of) -> str | None:
    """`related_section` as HTML (`heading`: its `## 相关范文` as this site's Markdown writes it)."""
    if not items:
        return ""
    rows = []
    for e in items:
        title, url = _text(e.title), _href(e.path, url_of)
        # The type and level are written into the Markdown unescaped (words of data/classify.yml).
        if title is None or url is None or not (_plain_word(e.type) and _plain_word(e.level)):
            return None
        rows.append(f'<li><a href="{url}">{title}</a> <span class="fw-tag">{e.type} · {e.level}</span></li>')
    return heading + "\n<ul>\n" + "\n".join(rows) + "\n</ul>"
