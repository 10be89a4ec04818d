"""The `fanwen` MkDocs plugin: theme navigation, the metadata line and related links on every
document page, and the site search index (fanwen/search.py). Kept small; what a document is
comes from `library.scan`."""

from __future__ import annotations

import html
import json
import logging
import posixpath
import re

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from pathlib import Path

from .classify import LEVELS, TYPES
from .data import load_themes, set_data_dir
from .errors import FanwenError
from .library import Entry, listing_order, pin, read_front_matter, scan, unpin
from .macros import fill_cards
from .related import Related
from .templating import default_context, list_templates
from .page import escape_markdown
from . import csp, overview, publish, search

RELATED = 6


def site_nav(themes, templates) -> list:
    """Home, one entry per theme (its card list, not its pages), templates, atlas, tags."""
    return [
        {"首页": "index.md"},
        # Names from data files are printed as they are by the theme: escaped here.
        # Each section opens on its overview page (navigation.indexes), not on its first child.
        {"按主题浏览": [overview.EXAMPLES_INDEX] + [{html.escape(t["name"]): f"examples/{t['slug']}/index.md"}
                                                 for t in themes]},
        {"写作模板": [overview.TEMPLATES_INDEX, {"本单位信息": UNIT_PAGE}] + [{html.escape(t.name): f"moban/{t.slug}.md"} for t in templates]
                 + [{"结构图谱": "atlas.md"}]},
        {"按类型与层级": "tags.md"},
    ]


def template_page(template) -> str:
    """The site page of one writing template; the macros fill it in at build time."""
    lines = ["---", f"title: {template.name}", "render_macros: true", "---", "",
             f"# {template.name}（写作模板）", "", template.purpose, "", f"**什么时候用：**{template.when}", "",
             f"**适用层级：**{'、'.join(template.levels)}" + (f"。{template.not_for}" if template.not_for else ""), "",
             f'{{{{ template_actions("{template.slug}") }}}}', "",
             f'{{{{ draft_panel("{template.slug}") }}}}', "",
             "<p class=\"fw-legend\">下面是用示例单位数据填好的全文，<span class=\"fw-filled\">这样标出的</span>是从单位数据中填入的内容，"
             "<span class=\"fw-blank\">【待填写：……】</span>是数据中没有、须由撰稿人补写的内容。</p>"
             "", "",
             f'{{{{ template("{template.slug}") }}}}', "", "## 分节写作要点", ""]
    for number, section in enumerate(template.sections, start=1):
        lines += [f"### {number}. {section['part']}", "", '!!! tip "写作要点"', "", f"    {section['note']}", "",
                  "**别人怎么写的：**", "",
                  f'{{{{ section_examples("{section["part"]}", type={template.derived_from!r}, '
                  f'topic={template.topic!r}) }}}}', ""]
    return "\n".join(lines)


def check_site_url(url: str | None) -> None:
    try:
        publish.check_site_url(url)
    except FanwenError as error:
        raise PluginError(str(error)) from None


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


def meta_line(entry: Entry, theme_name: str) -> str:
    parts = [escape_markdown(entry.type), escape_markdown(entry.level), f"[{escape_markdown(theme_name)}](index.md)",
             f"{entry.chars:,} 字".replace(",", "，") if entry.chars >= 10000 else f"{entry.chars} 字",
             "来源：" + escape_markdown(entry.source_label or "网上范文合集")]
    badge = overview.status_badge(entry)
    return (f"{badge} " if badge else "") + " · ".join(parts) + "\n{ .fw-meta }"


# The values search results can be narrowed by (fanwen.js draws them as buttons under the search
# box; the worker reads 文种:… 层级:… in the query). Data, not code: a JSON script is not run.
FACETS_SCRIPT = ('<script type="application/json" id="fw-facets">'
                 + json.dumps({"文种": [*TYPES, "写作模板"], "层级": list(LEVELS)}, ensure_ascii=False)
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
    from .compiled import DATA_SCRIPT, data_script, version
    from .macros import url_from

    # shell_version: the bundle's version computed once per build by the plugin (hashing the
    # bundle for every page took a second per 1,000 pages).
    shell = url_from(page_url, f"{DATA_SCRIPT}?v={shell_version or version(data_script(root))}")
    writer = url_from(page_url, "assets/fanwen-docx.js")
    return ('<p class="fw-actions"><button class="md-button md-button--primary fw-copy" type="button" '
            'data-copy-article>复制全文</button> <button class="md-button fw-word" type="button" '
            f'data-docx-shell="{html.escape(shell)}" data-docx-writer="{html.escape(writer)}">下载 Word</button></p>\n\n')


def related_section(entry: Entry, items: list[Entry]) -> str:
    """相关范文: links to documents like this one (fanwen/related.py)."""
    if not items:
        return ""
    here = posixpath.dirname(entry.path)
    links = "\n".join(f"- [{escape_markdown(e.title)}]({posixpath.relpath(e.path, here)}) "
                      f"<span class=\"fw-tag\">{e.type} · {e.level}</span>" for e in items)
    return f"\n\n## 相关范文\n\n{links}\n"


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
            # Related links are chosen by similarity (fanwen/related.py): the documents that list
            # an edited one are among the ones most like it.
            near = {c.path for p in relisted if p in library for c in similar.of(library[p], 5 * RELATED)}
            for path in near:
                if path in now and any(r.path in relisted for r in similar.of(library[path], RELATED)):
                    out.add(path)
    return out


DOWNLOADS = "moban/downloads"
UNIT_PAGE = "moban/danwei.md"


def unit_page() -> str:
    """本单位信息: the form alone (the same form is on every template page)."""
    return "\n".join(["---", "title: 本单位信息", "render_macros: true", "hide:", "  - toc", "---", "",
                      "# 本单位信息", "",
                      "在这里填一次本单位的信息，所有写作模板都会换成本单位的草稿（保存在本机浏览器中，"
                      "换页、下次打开仍在）。可以“保存为文件”交给同事，同事“从文件读入”即可；"
                      "这个文件也可以直接用于命令行 `fanwen draft --data`。", "",
                      '{{ draft_panel() }}', ""])


_downloads: dict[tuple, dict[str, bytes]] = {}  # (root, template, sources' versions, day) → files


def _sources_stamp(root: Path) -> tuple:
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
    `stamp` (_sources_stamp), made once per version of their sources: `make serve` rebuilds
    after every edit, and making the ten Word files took seconds."""
    if stamp is not None:
        key = (template.slug, stamp)
        if key not in _downloads:
            if len(_downloads) > 64:
                _downloads.clear()
            _downloads[key] = template_downloads(root, template)
        return _downloads[key]
    from .docx import build_docx
    from .templating import blocks, clean_markdown, default_context, render

    context = default_context(root)
    filled = render(template.slug, context, root)
    return {f"{DOWNLOADS}/{template.slug}.md": clean_markdown(filled).encode("utf-8"),
            f"{DOWNLOADS}/{template.slug}.docx": build_docx(blocks(filled), author=context["unit"]["name"],
                                                            title=blocks(filled)[0][1])}


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


def check_free(files, uri: str, docs_dir: str, what: str = "写作模板页") -> None:
    """A generated page must not silently replace a hand-written one of the same path."""
    if files.get_file_from_path(uri) is not None:
        raise FanwenError(str(Path(docs_dir) / uri), f"与{what} {uri} 同名（会被{what}覆盖）",
                          f"给这个页面改名，或删掉它；{what}由范文库自动生成。")


def check_pages(files, scanned: set[str] = frozenset()) -> None:
    """Refuse what MkDocs lets pass silently: front matter it cannot parse (the page would show
    it as text) and two pages written to the same URL (the later one wins). `scanned`: pages
    whose front matter `library.scan` has already read (no need to parse 10,000 of them twice)."""
    written: dict[str, File] = {}
    for file in files.documentation_pages():
        if file.abs_src_path and file.src_uri not in scanned:
            read_front_matter(Path(file.abs_src_path))
        other = written.setdefault(file.dest_uri, file)
        if other is not file:
            raise FanwenError(file.abs_src_path or file.src_uri,
                              f"与 {other.src_uri} 生成同一个页面 {file.dest_uri}（一个会覆盖另一个）",
                              "给其中一个改名或删掉一个；范文页由 `fanwen import` 生成，不要手工复制。")


class ExternalAssetHint(logging.Filter):
    """Adds the fix to the privacy plugin's "External file" warnings (which strict mode turns
    into a failed build): the intranet cannot reach the address, so the file must ship with
    the site."""

    HINT = ("（内网访问不到外部地址：请把该文件下载到 docs/assets/ 下，改用相对路径引用；"
            "范文库不从外部加载任何字体、脚本或图片）")

    def filter(self, record):
        if str(record.msg).startswith("External file:") and self.HINT not in str(record.msg):
            record.msg = f"{record.msg}{self.HINT}"
        return True


class FanwenConfig(Config):
    # Replace Material's lunr search with the n-gram index (false: stock search, as in bench/).
    search = config_options.Type(bool, default=True)


class FanwenPlugin(BasePlugin[FanwenConfig]):
    def on_config(self, config):
        check_site_url(config.site_url)
        if self.config.search and "material/search" not in config.plugins:
            raise PluginError("插件 fanwen 的搜索需要 Material 的 search 插件（它提供页眉的搜索框）："
                              "在 mkdocs.yml 的 plugins 里 fanwen 之前加上 `- search`，"
                              "或设 `- fanwen: {search: false}` 关闭范文库搜索。")
        privacy_log = logging.getLogger("mkdocs.material.privacy")
        if not any(isinstance(f, ExternalAssetHint) for f in privacy_log.filters):
            privacy_log.addFilter(ExternalAssetHint())
        self.worker_url = f"{search.WORKER}?v={search.worker_version()}"
        self.known_scripts = csp.KnownScripts.from_theme_dirs(config.theme.dirs)
        self.root = Path(config.config_file_path).parent
        set_data_dir(self.root / "data")
        try:
            themes = load_themes()
            self.templates = list_templates(self.root)
            # The sample unit data fills every template page: a bad value stops the build here,
            # with its file, line and key, before any page is rendered or the indexer starts.
            default_context(self.root)
            # Every template compiled for the browser: one outside the subset stops the build.
            from .compiled import data_script
            data_script(self.root)
        except FanwenError as error:
            raise PluginError(str(error)) from None
        if not config.nav:
            config.nav = site_nav(themes, self.templates)
        self.themes = themes
        self.theme_names = {t["slug"]: t["name"] for t in themes}
        return config

    def on_files(self, files, config):
        self.docs_dir = config.docs_dir
        try:
            unpin(config.docs_dir)
            self.library = scan(config.docs_dir)
            pin(config.docs_dir, self.library)
            for template in self.templates:
                check_free(files, f"moban/{template.slug}.md", config.docs_dir)
                files.append(File.generated(config, f"moban/{template.slug}.md", content=template_page(template)))
            check_free(files, UNIT_PAGE, config.docs_dir)
            files.append(File.generated(config, UNIT_PAGE, content=unit_page()))
            index = File.generated(config, overview.EXAMPLES_INDEX, content="")
            self.aside = {}  # HTML put into the page after Markdown (overview.themes_overview)
            index.content_string = overview.themes_overview(
                self.library, self.themes, lambda path: get_relative_url(files.get_file_from_path(path).url, index.url),
                self.aside)
            tags = File.generated(config, overview.TAGS_PAGE, content="")
            tags.content_string = overview.tags_overview(self.library, self.themes,
                                                         get_relative_url(index.url, tags.url))
            self.tags_file = tags
            for file in (index, tags, File.generated(config, overview.TEMPLATES_INDEX,
                                                     content=overview.templates_overview(self.templates))):
                check_free(files, file.src_uri, config.docs_dir, "概览页")
                files.append(file)
            check_pages(files, {e.path for e in self.library})
        except FanwenError as error:
            raise PluginError(str(error)) from None
        previous = getattr(self, "by_path", None)
        self.by_path = {e.path: e for e in self.library}
        self.searchable = {f"moban/{t.slug}.md": f"{t.name}（写作模板）" for t in self.templates}
        self.searchable["atlas.md"] = "结构图谱"
        self.template_pages = {f"moban/{t.slug}.md": t for t in self.templates}

        self.related = Related.of_library(self.library, getattr(self, "related", None))
        # Each document's template, once per build (template pages list their models from it).
        self.template_of = {e.path: template_for(e, self.templates) for e in self.library}
        from .compiled import data_script, version
        self.shell_version = version(data_script(self.root))
        if getattr(self, "dirty", False):
            # A --dirty rebuild (`make serve`) renders only the edited pages; the pages that
            # list an edited document are rendered too, so theme lists stay up to date.
            edited = {f.src_uri for f in files.documentation_pages() if f.src_uri in self.by_path and f.is_modified()}
            for uri in listing_pages(edited, previous, self.by_path):
                file = files.get_file_from_path(uri)
                if file is not None:
                    file.is_modified = lambda: True
        self.close_index()
        self.indexed_pages = []
        # Each document's page URL, kept to find a deleted document's page in the index.
        urls, self.doc_urls = getattr(self, "doc_urls", {}), {
            e.path: file.url for e in self.library if (file := files.get_file_from_path(e.path)) is not None}
        if self.config.search:
            if not self.keep_index(config.site_dir):
                self.index = search.BackgroundIndex()
                self.edited = {}
                self.removed = set()
            else:
                if getattr(self, "index_order", None) is None:  # an index from an earlier build
                    self.index_order = {loc: n for n, loc in enumerate(search.read_locations(config.site_dir))}
                # `make serve` after a document was deleted: its page leaves search (the
                # site's index keeps it until the next full build; the worker skips it).
                # A document added back is edited, and searched from the small index.
                gone = {urls[path] for path in (previous or {}).keys() - self.by_path.keys() if path in urls}
                self.removed = (getattr(self, "removed", set()) | gone) - set(self.doc_urls.values())
                for location in gone:
                    self.edited.pop(location, None)
        return files

    @event_priority(50)
    def on_page_markdown(self, markdown, page, config, files):
        # Material prints front-matter values (title, description, tags) into the page as they
        # are; they come from imported text and manifests: make them text. First of all plugins:
        # mkdocs-macros copies a title with `{%` into `page.title`, and the tags plugin (-50)
        # reads the tags.
        page.meta = escape_meta(page.meta)
        if self.config.search:
            # Material's search plugin stays (it draws the header search box and writes the
            # small search_index.json the on-page highlighter reads) but indexes nothing.
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        entry = self.by_path.get(page.file.src_uri)
        if entry is None:
            return markdown
        return (meta_line(entry, self.theme_names[entry.theme]) + "\n\n"
                + document_actions(self.root, page.url, self.shell_version) + template_link(entry, self.template_of.get(entry.path))
                + markdown
                + related_section(entry, self.related.of(entry, RELATED)))

    def models_of(self, template, files, page) -> list[tuple[str, Entry]]:
        """The model documents written from this template (those whose page links to it),
        sound ones first, fullest first: (URL from the template page, entry)."""
        mine = [e for e in self.library if self.template_of.get(e.path) is template]
        mine.sort(key=lambda e: (listing_order(e), -min(e.chars, 4000), e.path))
        return [(get_relative_url(files.get_file_from_path(e.path).url, page.url), e) for e in mine[:MODELS]]

    def on_page_context(self, context, page, config, nav):
        # The tag chips link to the generated 按类型与层级 page (overrides/partials/tags.html).
        context["fanwen_tags_url"] = get_relative_url(self.tags_file.url, page.url)
        return context

    def on_page_content(self, html, page, config, files):
        # The cards of theme pages, as HTML (fanwen/macros.py fill_cards).
        html = fill_cards(html, lambda e: get_relative_url(files.get_file_from_path(e.path).url, page.url))
        if page.file.src_uri == overview.EXAMPLES_INDEX and overview.ALL_MARK in html:
            html = html.replace(overview.ALL_MARK, self.aside.get(overview.ALL_MARK, ""), 1)
        entry = self.by_path.get(page.file.src_uri)
        template = self.template_pages.get(page.file.src_uri)
        if template is not None:
            html = with_models(html, self.models_of(template, files, page))
        if entry is None:
            # Template pages and the atlas are found by search too, ranked with the documents;
            # their titles (h1) say 写作模板 / 结构图谱.
            if self.index and page.file.src_uri in self.searchable:
                try:
                    self.index.add_html(page.url, self.searchable[page.file.src_uri], html, "写作模板"
                                        if page.file.src_uri.startswith("moban/") else "结构图谱")
                except RuntimeError as error:
                    self.index = None
                    raise PluginError(str(error)) from None
                self.indexed_pages.append(page.url)  # document numbers follow the order pages are added
            return html
        html, article = mark_article(html)
        if self.index:
            try:
                # The worker escapes what it shows; the label lets the results be narrowed by it.
                self.index.add_html(page.url, entry.title, article, f"{entry.type} · {entry.level}")
            except RuntimeError as error:  # an indexer failed (its message says what to do)
                self.index = None
                raise PluginError(str(error)) from None
            self.indexed_pages.append(page.url)
        elif self.config.search:  # a --dirty rebuild of edited pages: they go to the delta index
            self.edited[page.url] = (page.url, entry.title, search.html_blocks(article), f"{entry.type} · {entry.level}")
        return html

    # Inline scripts become files under assets/fanwen/inline/ (fanwen/csp.py), so that the site
    # runs under `script-src 'self'` (deploy/nginx.conf). Last, after every plugin's HTML edits.
    @event_priority(-100)
    def on_post_page(self, output, page, config):
        return self.finish_html(output, csp.page_base(page.url), config, page.file.src_path)

    @event_priority(-100)
    def on_post_template(self, output_content, template_name, config):
        if not template_name.endswith(".html"):  # sitemap.xml
            return output_content
        return self.finish_html(output_content, csp.template_base(template_name, config.site_url), config,
                                f"主题模板 {template_name}")

    def finish_html(self, html: str, base: str, config, where: str) -> str:
        """Our search worker in Material's config (with the facets the results can be narrowed
        by), and inline scripts moved into files."""
        if self.config.search:
            html = csp.set_search_worker(html, csp.script_url(base, self.worker_url))
            html = html.replace("</body>", FACETS_SCRIPT + "</body>", 1)
        try:
            return csp.externalize(html, base, config.site_dir, self.known_scripts,
                                   str(Path(config.docs_dir, where)) if not where.startswith("主题") else where)
        except FanwenError as error:
            raise PluginError(str(error)) from None

    @event_priority(-50)  # after Material's search plugin has written search_index.json
    def on_post_build(self, config):
        # The compiled templates the pages draft with (fanwen/compiled.py).
        from .compiled import DATA_SCRIPT, data_script
        target = Path(config.site_dir) / DATA_SCRIPT
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data_script(self.root))
        # Template downloads are written after the build, not as MkDocs files: a generated
        # .md would become a page.
        stamp = _sources_stamp(self.root)
        for template in self.templates:
            for uri, content in template_downloads(self.root, template, stamp).items():
                target = Path(config.site_dir) / uri
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        if self.index:
            try:
                self.index.write(config.site_dir)
            except RuntimeError as error:
                raise PluginError(str(error)) from None
            finally:
                self.index = None
            self.index_order = {loc: n for n, loc in enumerate(self.indexed_pages)}
        elif self.config.search and (getattr(self, "edited", None) or getattr(self, "removed", None)):
            # `make serve` after an edit: the index of the first build stays, the edited pages
            # (all of them since that build) are searched from a small second index instead of
            # their old versions, so search shows the edit at once; deleted pages are left out.
            search.write_delta(config.site_dir, list(self.edited.values()),
                               [self.index_order[loc] for loc in sorted(set(self.edited) | self.removed)
                                if loc in self.index_order])
        if self.config.search:
            search.install_worker(config.site_dir)
        self.built_once = True
        unpin(config.docs_dir)

    def on_startup(self, command, dirty):
        # Defining on_startup keeps this plugin object across `mkdocs serve` rebuilds.
        self.dirty = dirty
        if dirty:
            # `make serve` asks for --dirty on purpose (a one-page edit of a 10,000-page library
            # re-renders that page alone); MkDocs warns about it on every rebuild, and strict
            # mode would turn the warning into a failed build.
            logging.getLogger("mkdocs.commands.build").addFilter(
                lambda record: not str(record.msg).startswith("A 'dirty' build is being performed"))
        self.built_once = False
        self.index = None
        self.index_order = None  # location → document number in the site's index
        self.edited = {}         # pages re-rendered since the index was built
        self.removed = set()     # locations of documents deleted since the index was built

    def keep_index(self, site_dir: str) -> bool:
        """A --dirty build re-renders only edited pages: the search index already in the site
        (from the first build of `mkdocs serve`, or an earlier build) stays; an index of the
        edited pages alone would lose the rest."""
        return getattr(self, "dirty", False) and (
            getattr(self, "built_once", False) or (Path(site_dir) / search.INDEX_DIR / "manifest.js").is_file())

    def close_index(self) -> None:
        if getattr(self, "index", None):
            self.index.close()
        self.index = None

    def on_build_error(self, error):
        self.close_index()
        if getattr(self, "docs_dir", None):  # an error in on_config comes before on_files
            unpin(self.docs_dir)

    def on_shutdown(self):
        self.close_index()
