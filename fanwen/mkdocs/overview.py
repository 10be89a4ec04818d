"""Overview pages the plugin generates from the library: 按主题浏览 (every theme, then every
document with filters by type, level and theme) and 写作模板 (every template). They are
Markdown built from data here — titles escaped, nothing for a macro to run — so a writer
can start from what they know: the kind of document, their level, the subject."""

from __future__ import annotations

import html
import json
import posixpath
from collections import Counter

from fanwen.data import document_levels, document_types, load_statuses
from fanwen.library.catalog import Entry, listing_order
from fanwen.markup import escape_markdown

EXAMPLES_INDEX = "examples/index.md"
TEMPLATES_INDEX = "moban/index.md"


def _rel(target: str, page: str) -> str:
    """A link from one docs page to another (MkDocs resolves .md links)."""
    return posixpath.relpath(target, posixpath.dirname(page))


def status_badge(entry: Entry) -> str:
    """The document's quality status as a badge (none for 完整): data/status.yml."""
    status = next((s for s in load_statuses() if s.name == entry.status), None)
    if status is None or status.quiet:
        return ""
    kind = "fw-status" if status.reliable else "fw-status fw-status--warn"
    return f'<span class="{kind}" title="{html.escape(status.note)}">{html.escape(status.name)}</span>'


def badge(entry: Entry) -> str:
    """` <span class="fw-status">节选</span>` for a document that is not 完整, else ""."""
    found = status_badge(entry)
    return f" {found}" if found else ""


def _options(name: str, label: str, values: list[tuple[str, str, int]]) -> str:
    """A labelled <select> of (value, text, count); the first option shows everything."""
    options = "".join(f'<option value="{html.escape(value)}">{html.escape(text)}（{count}）</option>'
                      for value, text, count in values if count)
    return (f'<label class="fw-filter">{label}<select data-fw-filter="{name}">'
            f'<option value="">全部</option>{options}</select></label>')


def link(target: str, page_path: str) -> str:
    """A Markdown link target to a docs file, relative to the page that shows it."""
    return posixpath.relpath(target, posixpath.dirname(page_path) or ".")


def theme_index(slug: str) -> str:
    return f"examples/{slug}/index.md"


class Aside(dict):
    """HTML that a generated page gets after Markdown, in place of a marker (an HTML comment that
    python-markdown passes through untouched): the plugin puts each block back in on_page_content.
    Why: a theme page of a 10,000-page library lists a thousand cards and 按主题浏览 ten thousand
    documents; python-markdown took seconds over them in every build and after every edit under
    `make serve`. The HTML is what Markdown made of the same cards, byte for byte.

    A block may be given as a function that makes it: it is made only when the page is rendered
    (a `make serve` rebuild renders the edited document's theme page, not the other nine, and
    making 10,000 cards it would not show cost a second per rebuild)."""

    def put(self, block) -> str:
        mark = f"<!-- fanwen-html {len(self)} -->"
        self[mark] = block
        return mark

    def fill(self, html_text: str) -> str:
        for mark, block in self.items():
            html_text = html_text.replace(mark, block() if callable(block) else block, 1)
        return html_text


def _card(entry: Entry, page_path: str) -> str:
    first = entry.first_line if len(entry.first_line) <= 60 else entry.first_line[:60] + "……"
    return (f"-   **[{escape_markdown(entry.title)}]({link(entry.path, page_path)})**\n\n"
            f"    <span class=\"fw-tag\">{html.escape(entry.type)}</span> <span class=\"fw-tag\">{html.escape(entry.level)}</span> "
            f"{entry.chars} 字{badge(entry)}\n\n"
            f"    {escape_markdown(first)}\n")


def _card_html(entry: Entry, href: str) -> str:
    """_card as python-markdown renders it (text escaped as it escapes text: &, <, >)."""
    first = entry.first_line if len(entry.first_line) <= 60 else entry.first_line[:60] + "……"
    opening = f"<p>{_text(first)}</p>\n" if first.strip() else ""
    return (f'<li>\n<p><strong><a href="{html.escape(href)}">{_text(entry.title)}</a></strong></p>\n'
            f'<p><span class="fw-tag">{_text(entry.type)}</span> <span class="fw-tag">{_text(entry.level)}</span> '
            f"{entry.chars} 字{badge(entry)}</p>\n{opening}</li>")


def _text(text: str) -> str:
    """Text as python-markdown writes escaped text: &, < and > as entities; lines trimmed."""
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cards(entries: list[Entry], page_path: str, href=None, aside: Aside | None = None) -> str:
    # 有缺损 and 疑似洗稿 documents last (sorted() keeps the path order otherwise).
    ordered = sorted(entries, key=listing_order)
    if aside is not None:
        def block():
            cards = "\n".join(_card_html(e, href(e.path)) for e in ordered)
            return f'<div class="grid cards">\n<ul>\n{cards}\n</ul>\n</div>'
        return aside.put(block) + "\n"
    cards = "\n".join(_card(e, page_path) for e in ordered)
    return f"<div class=\"grid cards\" markdown>\n\n{cards}\n</div>\n"


def cards_by_type(chosen: list[Entry], page_path: str, grouped: bool = True, href=None,
                  aside: Aside | None = None) -> str:
    """Document cards, one section per document type when there are several: a theme of a
    large library holds a thousand documents, and the page's table of contents then takes
    the writer straight to the 方案 or the 总结. With `aside` (and `href(path)`, a document's URL
    from this page), the cards go in after Markdown."""
    if not chosen:
        return "*暂无符合条件的范文。*"
    groups = [(name, [e for e in chosen if e.type == name]) for name in document_types()]
    groups = [(name, entries) for name, entries in groups if entries]
    if not grouped or len(groups) == 1:
        return f"共 {len(chosen)} 篇。\n\n{_cards(chosen, page_path, href, aside)}"
    summary = " · ".join(f"{name} {len(entries)} 篇" for name, entries in groups)
    sections = "\n".join(f"## {name}\n\n{_cards(entries, page_path, href, aside)}" for name, entries in groups)
    return f"共 {len(chosen)} 篇：{summary}。\n\n{sections}"


def front_matter(title: str, *extra: str) -> list[str]:
    """Front matter of a generated page. The title is a JSON string, which YAML reads as the
    same text whatever it holds (quotes, colons, `{{`); the plugin escapes it for the theme."""
    return ["---", f"title: {json.dumps(title, ensure_ascii=False)}", *extra, "---", ""]


def theme_page(theme: dict, library: tuple[Entry, ...], href, aside: Aside) -> str:
    """One theme's page (examples/<slug>/index.md): its description and its documents' cards
    (put in after Markdown, `aside`). Generated from data/themes.yml and the library; nothing
    in it is run as a macro."""
    path = theme_index(theme["slug"])
    chosen = [e for e in library if e.theme == theme["slug"]]
    return "\n".join([*front_matter(theme["name"]), escape_markdown(theme["description"]), "",
                      cards_by_type(chosen, path, href=href, aside=aside)])


def themes_overview(library: tuple[Entry, ...], themes: tuple[dict, ...], link, aside: Aside) -> str:
    """按主题浏览: the themes as cards, then one list of every document that the page's
    script narrows by type, level and theme (and the address remembers, e.g. ?type=方案).
    `link(path)`: a document's URL as seen from this page (raw HTML: MkDocs does not rewrite it);
    the list goes in after Markdown (`aside`)."""
    types, levels = document_types(), document_levels()
    per_theme = Counter(e.theme for e in library)
    cards = "\n".join(
        f"-   **[{escape_markdown(t['name'])}]({_rel('examples/' + t['slug'] + '/index.md', EXAMPLES_INDEX)})** · "
        f"{per_theme[t['slug']]} 篇\n\n    {escape_markdown(t['description'])}\n" for t in themes)
    names = {t["slug"]: t["name"] for t in themes}
    per_type, per_level = Counter(e.type for e in library), Counter(e.level for e in library)
    filters = "".join([
        _options("type", "文种", [(t, t, per_type[t]) for t in types]),
        _options("level", "层级", [(v, v, per_level[v]) for v in levels]),
        _options("theme", "主题", [(t["slug"], t["name"], per_theme[t["slug"]]) for t in themes]),
    ])
    items = lambda: "\n".join(  # noqa: E731 (made when the page is rendered: Aside)
        f'<li data-type="{html.escape(e.type)}" data-level="{html.escape(e.level)}" data-theme="{html.escape(e.theme)}">'
        f'<a href="{html.escape(link(e.path))}">{html.escape(e.title)}</a> '
        f'<span class="fw-tag">{html.escape(e.type)}</span> <span class="fw-tag">{html.escape(e.level)}</span> '
        f'<span class="fw-tag">{html.escape(names[e.theme])}</span>{badge(e)}</li>'
        for e in sorted(library, key=lambda e: (listing_order(e), types.index(e.type), levels.index(e.level), e.path)))
    return "\n".join([
        "---", "title: 按主题浏览", "hide:", "  - toc", "---", "", "# 按主题浏览", "",
        f"范文库现有 **{len(library)}** 篇范文，分 {len(themes)} 个主题。", "",
        f'<div class="grid cards" markdown>\n\n{cards}\n</div>', "",
        "## 全部范文", "",
        "按文种、层级和主题筛选（可以同时选几项）：", "",
        f'<div class="fw-filters" data-fw-list="fw-all">{filters}<span class="fw-count" aria-live="polite">'
        f'共 {len(library)} 篇</span></div>', "",
        aside.put(lambda: f'<ul class="fw-all" id="fw-all">\n{items()}\n</ul>'), "",
        '<p class="fw-none" hidden>没有同时符合这些条件的范文，换一个条件试试。</p>', ""])


def templates_overview(templates) -> str:
    """写作模板: what each template is for and when to use it, and the structure atlas."""
    rows = "\n".join(
        f"-   **[{escape_markdown(t.name)}]({_rel('moban/' + t.slug + '.md', TEMPLATES_INDEX)})** "
        f'<span class="fw-tag">{html.escape(t.type)}</span>\n\n'
        f"    {escape_markdown(t.purpose)}\n\n    **什么时候用：**{escape_markdown(t.when)}\n" for t in templates)
    return "\n".join([
        "---", "title: 写作模板", "hide:", "  - toc", "---", "", "# 写作模板", "",
        "每个模板给出一篇文稿的完整结构和写法：先看填好示例数据的全文，再看每一节的写作要点和别人是怎么写的。"
        "复制全文或下载 Word 后，把标出的内容换成本单位的实际情况；"
        f"也可以先[填写本单位信息]({_rel('moban/danwei.md', TEMPLATES_INDEX)})，每个模板就直接显示本单位的草稿。", "",
        f'<div class="grid cards" markdown>\n\n{rows}\n</div>', "",
        f"不知道一篇材料该分几部分？看[结构图谱]({_rel('atlas.md', TEMPLATES_INDEX)})：各类文稿通常由哪些部分组成、按什么顺序。", ""])


TAGS_PAGE = "tags.md"


def tags_overview(library: tuple[Entry, ...], themes: tuple[dict, ...], index_url: str) -> str:
    """按类型与层级: the documents counted by type, level and theme, each count opening the
    全部范文 list already filtered. `index_url` is that list's URL as seen from this page.
    Each entry carries the id the tags plugin's chips on document pages link to (#tag:方案)."""
    def group(title: str, key: str, values: list[tuple[str, str]]) -> list[str]:
        counts = Counter(getattr(e, key) for e in library)
        items = [f'<li id="tag:{html.escape(label)}"><a href="{html.escape(index_url)}?{key}={html.escape(value)}">'
                 f'{html.escape(label)}</a> <span class="fw-count">{counts[value]} 篇</span></li>'
                 for value, label in values if counts[value]]
        return [f"## {title}", "", '<ul class="fw-groups">', *items, "</ul>", ""]

    return "\n".join([
        "---", "title: 按类型与层级", "---", "", "# 按类型与层级", "",
        "每篇范文都标注了文种、层级和主题。点一项，打开按它筛选好的范文列表（还可以再加条件）。", "",
        *group("按文种", "type", [(t, t) for t in document_types()]),
        *group("按层级", "level", [(v, v) for v in document_levels()]),
        *group("按主题", "theme", [(t["slug"], t["name"]) for t in themes])])
