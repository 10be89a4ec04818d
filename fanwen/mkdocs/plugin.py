"""The `fanwen` MkDocs plugin: the glue between MkDocs and the rest of the package.

Per build it reads the library once (`library.catalog.scan`, on_files), adds the pages it
generates (theme pages, overviews, template pages: fanwen/mkdocs/overview.py and pages.py),
decorates document pages, feeds the search index (fanwen/search/index.py) and makes the HTML
run under a strict CSP (fanwen/publish/csp.py). The hooks only route: what a page shows is
built from data in those modules, which know nothing of MkDocs. The options are in config.py."""

from __future__ import annotations

import copy
import functools
import html
import logging

import markdown as python_markdown
from markdown.extensions.toc import nest_toc_tokens

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import YAML_RE

from pathlib import Path

from fanwen.data import hold_data_files, load_themes, release_data_files
from fanwen.errors import FanwenError
from fanwen.library.catalog import Entry, known_front_matter, listing_order, scan
from fanwen.library.related import Related
from fanwen.drafting.templates import default_context, list_templates
from fanwen.publish import csp
from fanwen.mkdocs import messages, overview
from fanwen.mkdocs.config import FanwenConfig
from fanwen.mkdocs.documents import RELATED, has_dates, listing_pages, mark_article, names_related
from fanwen.mkdocs.files import check_free, check_pages, generated
from fanwen.mkdocs.render_pool import RenderPool
from fanwen.mkdocs.theme_parts import COMPILED_TEMPLATES, THEME_PREFIX, ThemeParts, folder_key
from fanwen.mkdocs.pages import (MODELS, RELATED_MARK, UNIT_PAGE, document_actions, document_head_html, escape_meta,
                                 facets_script, meta_line, related_html, related_section, sources_stamp,
                                 template_downloads, template_for, template_link, template_page, unit_page,
                                 with_models)
from fanwen.publish import build as publish
from fanwen.search import index as search
from fanwen.search import reuse as search_reuse

log = get_plugin_logger("fanwen")


def with_related_mark(markdown: str) -> str:
    """A document's Markdown with the mark its related documents replace after Markdown."""
    return markdown + f"\n\n{RELATED_MARK}\n"


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


def check_site_url(url: str | None) -> None:
    try:
        publish.check_site_url(url)
    except FanwenError as error:
        raise PluginError(str(error)) from None


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
        hold_data_files(self.root / "data")  # until the build ends (on_post_build, on_build_error)
        try:
            themes = load_themes()
            self.templates = list_templates(self.root)
            # The sample unit data fills every template page: a bad value stops the build here,
            # with its file, line and key, before any page is rendered or the indexer starts.
            default_context(self.root)
            # Every template compiled for the browser: one outside the subset stops the build.
            from fanwen.drafting.compiled import data_script
            data_script(self.root)
        except FanwenError as error:
            raise PluginError(str(error)) from None
        if not config.nav:
            config.nav = site_nav(themes, self.templates)
        self.themes = themes
        self.theme_names = {t["slug"]: t["name"] for t in themes}
        self.facets = facets_script()
        return config

    def on_files(self, files, config):
        self.docs_dir = config.docs_dir
        self.close_pool()
        # A full build of many documents renders their Markdown in two processes (on_pre_page);
        # a --dirty rebuild of `make serve` renders the edited ones, in this process.
        self.pool_pending = self.config.parallel_from > 0 and not (
            getattr(self, "dirty", False) and getattr(self, "built_once", False))
        try:
            self.library = scan(config.docs_dir)
            for template in self.templates:
                page = generated(files, config, f"moban/{template.slug}.md")
                page.content_string = template_page(template, page.url, self.root, config.docs_dir, self.library)
            page = generated(files, config, UNIT_PAGE)
            page.content_string = unit_page(self.root, page.url)
            self.asides = {}  # page → HTML it gets after Markdown (overview.Aside)
            for theme in self.themes:
                page = generated(files, config, overview.theme_index(theme["slug"]), "主题页")
                aside = self.asides[page.src_uri] = overview.Aside()
                page.content_string = overview.theme_page(
                    theme, self.library, lambda path, here=page.url: get_relative_url(files.get_file_from_path(path).url, here),
                    aside)
                if getattr(self, "dirty", False):
                    # A generated page counts as modified in every --dirty rebuild; a theme page
                    # is rendered again only when it lists an edited document (listing_pages).
                    page.is_modified = (lambda dest: lambda: not Path(dest).exists())(page.abs_dest_path)
            index = File.generated(config, overview.EXAMPLES_INDEX, content="")
            aside = self.asides[index.src_uri] = overview.Aside()
            index.content_string = overview.themes_overview(
                self.library, self.themes, lambda path: get_relative_url(files.get_file_from_path(path).url, index.url),
                aside)
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
        # The 相关范文 heading as this site's Markdown writes it (its extensions, permalink, slug),
        # and its entry in a page's table of contents: documents get it written after Markdown.
        md = python_markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
        self.related_heading = md.convert("## 相关范文")
        tokens = getattr(md, "toc_tokens", [])
        self.related_token = {k: v for k, v in tokens[0].items() if k != "children"} if tokens else None
        self.decorations = {}  # page → (HTML before its own, HTML after): on_page_content
        self.front_matter = {}  # page → its front matter, read by scan (on_page_read_source)
        from fanwen.drafting.compiled import data_script, version
        self.shell_version = version(data_script(self.root))
        self.keep_unchanged(files, {
            **{f"moban/{t.slug}.md": self.models(t) for t in self.templates},
            overview.EXAMPLES_INDEX: [(e.path, e.title, e.type, e.level, e.theme, e.status) for e in self.library]})
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
        self.reuse = None
        if self.config.search:
            if not self.keep_index(config.site_dir):
                # `fanwen build`: the index of the site it replaces may serve again (on_env decides).
                previous, reason = getattr(self, "previous_site", None), "没有上次构建的站点"
                if previous is not None and getattr(self, "rebuild_index", False):
                    reason = "按要求全部重建"
                elif previous is not None:
                    self.reuse, reason = search_reuse.Reuse.open(previous)
                self.index_note = search_reuse.rebuilt(reason)
                if self.reuse is None:
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

    def on_pre_page(self, page, config, files):
        if getattr(self, "pool_pending", False):
            # The first page: every plugin's on_files and on_nav have run, the files and their
            # URLs are final, and no page has been rendered yet.
            self.pool_pending = False
            documents = [f.src_uri for f in files.documentation_pages() if f.src_uri in self.by_path]
            if len(documents) >= self.config.parallel_from:
                # Most documents take the route of on_page_markdown where their related documents
                # are written after Markdown: the worker renders that Markdown.
                self.pool = RenderPool(type(page), files, config, documents, with_related_mark)
        return page

    def on_page_read_source(self, page, config):
        """A document's text for MkDocs with its front matter already read: `scan` parsed it
        this build, and MkDocs parsing it again cost 6 % of the pages' Markdown (cProfile, 3,000
        pages). The page's meta is put back first thing in on_page_markdown. Only when what
        MkDocs would read is exactly what `scan` read, with the same values (the library's
        loader leaves dates as text: a value that reads as a date goes MkDocs's way)."""
        if page.file.src_uri not in self.by_path or page.file.abs_src_path is None:
            return None
        try:
            text = page.file.content_string
        except (OSError, ValueError):
            return None  # MkDocs reads it again and reports it
        found = YAML_RE.match(text)
        meta = found and known_front_matter(page.file.abs_src_path, found.group(1))
        if not meta or has_dates(meta):
            return text
        self.front_matter[page.file.src_uri] = meta
        return "---\n{}\n---\n" + text[found.end():]  # an empty front matter: MkDocs reads no other kind

    @event_priority(50)
    def on_page_markdown(self, markdown, page, config, files):
        if getattr(self, "pool", None) is not None and page.file.src_uri in self.pool.position:
            # MkDocs calls page.render after every plugin's on_page_markdown: the pool's rendering
            # serves when it was of the same Markdown (RenderPool.render), MkDocs's own otherwise.
            page.render = functools.partial(self.pool.render, page)
        if page.file.src_uri in self.front_matter and not page.meta:
            page.meta = copy.deepcopy(self.front_matter.pop(page.file.src_uri))
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
        template, related = self.template_of.get(entry.path), self.related.of(entry, RELATED)
        actions = document_actions(self.root, page.url, self.shell_version)

        def url_of(uri):
            target = files.get_file_from_path(uri)
            return None if target is None else get_relative_url(target.url, page.url)

        # Our parts as HTML, added after Markdown (on_page_content): Markdown would make the same
        # of them, at about 40 % of the cost of the document itself (fanwen/mkdocs/pages.py).
        head = document_head_html(entry, self.theme_names[entry.theme], template, actions, url_of)
        tail = None if head is None or names_related(markdown) else related_html(entry, related, self.related_heading, url_of)
        if tail is not None:
            self.decorations[page.file.src_uri] = (head, tail)
            return with_related_mark(markdown) if tail else markdown
        return (meta_line(entry, self.theme_names[entry.theme]) + "\n\n" + actions + template_link(entry, template)
                + markdown + related_section(entry, related))

    def decorate(self, html: str, page, head: str, tail: str) -> str:
        """A document's HTML with our parts around it (as on_page_markdown's Markdown route would
        have made it), its table of contents and anchors with 相关范文."""
        if tail:
            at = html.rfind(RELATED_MARK)
            html = html[:at] + tail + html[at + len(RELATED_MARK):] if at >= 0 else html + "\n" + tail
            if self.related_token is not None:
                flat = []

                def walk(items):
                    for item in items:
                        flat.append({"level": item.level, "id": item.id, "name": item.title})
                        walk(item.children)

                walk(page.toc.items)
                page.toc = get_toc(nest_toc_tokens(flat + [{**self.related_token, "children": []}]))
                if page.present_anchor_ids is not None:
                    page.present_anchor_ids.add(self.related_token["id"])
        # Markdown strips its output: an empty document without related ones ends with the actions.
        return (head + html).rstrip()

    def keep_unchanged(self, files, shown: dict[str, list]) -> None:
        """A --dirty rebuild (`make serve`): MkDocs renders every generated page again (they count as
        modified), at 10,000 pages 0.7 s for the template pages, 本单位信息 and the overviews.
        Here a generated page counts as modified only when what it shows differs from the last
        successful build: its Markdown, and `shown`, what goes in after Markdown (the models of a
        template page, the list of 按主题浏览). Theme pages are left to listing_pages."""
        keys = {}
        for file in files.documentation_pages():
            if file.generated_by is None or file.src_uri.startswith("examples/") and file.src_uri != overview.EXAMPLES_INDEX:
                continue
            keys[file.src_uri] = (file.content_string, shown.get(file.src_uri))
            built = getattr(self, "built_keys", {})
            if getattr(self, "dirty", False) and file.src_uri in built and built[file.src_uri] == keys[file.src_uri]:
                file.is_modified = (lambda dest: lambda: not Path(dest).exists())(file.abs_dest_path)
        self.pending_keys = keys  # kept as built_keys when this build succeeds (on_post_build)

    def models(self, template) -> list[Entry]:
        """The model documents written from this template (those whose page links to it),
        sound ones first, fullest first."""
        mine = [e for e in self.library if self.template_of.get(e.path) is template]
        mine.sort(key=lambda e: (listing_order(e), -min(e.chars, 4000), e.path))
        return mine[:MODELS]

    def models_of(self, template, files, page) -> list[tuple[str, Entry]]:
        """The models (URL from the template page, entry)."""
        return [(get_relative_url(files.get_file_from_path(e.path).url, page.url), e) for e in self.models(template)]

    def on_env(self, env, config, files):
        # MkDocs makes a new Jinja environment for every build, and Material's ~50 templates were
        # compiled again by every build and after every edit under `make serve` (0.2 to 0.4 s).
        env.bytecode_cache = COMPILED_TEMPLATES
        self.close_pool()  # every page's Markdown is rendered
        # Every page's Markdown is rendered by now, none written: whether the previous site's
        # search index serves again is known (fanwen/search/reuse.py). If not, its pages go to
        # an indexing process while MkDocs writes the pages.
        if getattr(self, "reuse", None) is not None:
            plan = self.reuse.decide()
            self.index_note = plan.note()
            if not plan.reuse:
                pages, self.reuse, self.indexed_pages = self.reuse.pages, None, []
                self.index = search.BackgroundIndex(bounded=False)
                for page in pages:
                    self.to_index(page.location, page.title, page.html, page.label)
        if self.index:
            # Every page is in the indexer now (MkDocs renders all the Markdown before on_env):
            # it counts, sorts and compresses while MkDocs writes the pages, so that the build
            # waits only for the files to be written at its end.
            try:
                self.index.finish()
            except RuntimeError as error:  # an indexer failed (its message says what to do)
                self.index = None
                raise PluginError(str(error)) from None
        # The theme's own templates under fanwen-theme/ (overrides/partials/nav.html wraps Material's).
        theme_dirs = [d for d in config.theme.dirs if d != config.theme.custom_dir]
        env.loader = ChoiceLoader([env.loader, PrefixLoader({THEME_PREFIX.rstrip("/"): FileSystemLoader(theme_dirs)})])
        self.theme_parts = {}  # (part, folder key) → HTML, for this build (ThemeParts)
        return env

    def on_nav(self, nav, config, files):
        self.nav_pages = {page.file.src_uri for page in nav.pages}
        urls, items = [nav.homepage and nav.homepage.url], list(nav.items)
        while items:  # pages, sections' children and links, at every level
            item = items.pop()
            urls.append(getattr(item, "url", None))
            items += getattr(item, "children", None) or []
        self.nav_urls = [u.strip("/") for u in urls if isinstance(u, str)]
        return nav

    def on_page_context(self, context, page, config, nav):
        # The tag chips link to the generated 按类型与层级 page (overrides/partials/tags.html).
        context["fanwen_tags_url"] = get_relative_url(self.tags_file.url, page.url)
        key = None if page.file.src_uri in self.nav_pages else folder_key(page.url, self.nav_urls)
        context["fanwen_parts"] = ThemeParts(self.theme_parts, key)
        return context

    def on_page_content(self, html, page, config, files):
        if page.file.src_uri in self.decorations:
            html = self.decorate(html, page, *self.decorations.pop(page.file.src_uri))
        if page.file.src_uri in self.asides:  # theme pages and 按主题浏览: their lists, as HTML
            html = self.asides[page.file.src_uri].fill(html)
        entry = self.by_path.get(page.file.src_uri)
        template = self.template_pages.get(page.file.src_uri)
        if template is not None:
            html = with_models(html, self.models_of(template, files, page))
        if entry is None:
            # Template pages and the atlas are found by search too, ranked with the documents;
            # their titles (h1) say 写作模板 / 结构图谱.
            if (self.index or self.reuse) and page.file.src_uri in self.searchable:
                self.to_index(page.url, self.searchable[page.file.src_uri], html, "写作模板"
                              if page.file.src_uri.startswith("moban/") else "结构图谱")
            return html
        html, article = mark_article(html)
        if self.index or self.reuse:
            # The worker escapes what it shows; the label lets the results be narrowed by it.
            self.to_index(page.url, entry.title, article, f"{entry.type} · {entry.level}")
        elif self.config.search:  # a --dirty rebuild of edited pages: they go to the delta index
            self.edited[page.url] = (page.url, entry.title, search.html_blocks(article), f"{entry.type} · {entry.level}")
        return html

    def to_index(self, location: str, title: str, html: str, label: str) -> None:
        """A page for the search index: to the indexing process, or kept to compare with the
        previous site's index (`fanwen build`, decided in on_env)."""
        if self.reuse is not None:
            self.reuse.add(location, title, html, label)
        else:
            try:
                self.index.add_html(location, title, html, label)
            except RuntimeError as error:  # an indexer failed (its message says what to do)
                self.index = None
                raise PluginError(str(error)) from None
        self.indexed_pages.append(location)  # document numbers follow the order pages are added

    # Inline scripts become files under assets/fanwen/inline/ (fanwen/publish/csp.py), so that the site
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
            html = html.replace("</body>", self.facets + "</body>", 1)
        try:
            return csp.externalize(html, base, config.site_dir, self.known_scripts,
                                   str(Path(config.docs_dir, where)) if not where.startswith("主题") else where)
        except FanwenError as error:
            raise PluginError(str(error)) from None

    @event_priority(-50)  # after Material's search plugin has written search_index.json
    def on_post_build(self, config):
        # The compiled templates the pages draft with (fanwen/drafting/compiled.py).
        from fanwen.drafting.compiled import DATA_SCRIPT, data_script
        target = Path(config.site_dir) / DATA_SCRIPT
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data_script(self.root))
        # Template downloads are written after the build, not as MkDocs files: a generated
        # .md would become a page.
        stamp = sources_stamp(self.root)
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
        elif getattr(self, "reuse", None) is not None:
            try:
                self.reuse.write(config.site_dir)
            except OSError as error:
                raise PluginError(search.os_failure(error)) from None
            finally:
                self.reuse = None
        elif self.config.search and (getattr(self, "edited", None) or getattr(self, "removed", None)):
            # `make serve` after an edit: the index of the first build stays, the edited pages
            # (all of them since that build) are searched from a small second index instead of
            # their old versions, so search shows the edit at once; deleted pages are left out.
            # An edited page ranks where its old version did among equal results.
            search.write_delta(config.site_dir, list(self.edited.values()),
                               [self.index_order[loc] for loc in sorted(set(self.edited) | self.removed)
                                if loc in self.index_order],
                               [self.index_order.get(loc, len(self.index_order) + j) for j, loc in enumerate(self.edited)])
        if self.config.search:
            search.install_worker(config.site_dir)
        self.built_once = True
        self.built_keys = getattr(self, "pending_keys", {})
        release_data_files()

    def on_serve(self, server, config, builder):
        # Edits reported by the operating system, not found by listing docs/ every 0.5 s.
        from fanwen.mkdocs.watch import use_native_observer
        use_native_observer(server)
        return server

    def on_startup(self, command, dirty):
        # Defining on_startup keeps this plugin object across `mkdocs serve` rebuilds.
        self.dirty = dirty
        if command == "serve":  # `make serve`: MkDocs's terminal in Chinese, without its chatter
            for handler in logging.getLogger("mkdocs").handlers:
                handler.setFormatter(messages.ServeLog())
                handler.addFilter(messages.ServeFilter())
            messages.chinese_aborts()
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
        if not getattr(self, "dirty", False):
            return False
        if getattr(self, "built_once", False):
            return True
        # An index from `fanwen build` that has a delta of its own: write_delta would drop it.
        try:
            return "delta" not in search.read_manifest(Path(site_dir) / search.INDEX_DIR)
        except (OSError, ValueError):  # none, or unreadable: built afresh
            return False

    def reuse_index_of(self, previous_site, rebuild: bool = False) -> None:
        """`fanwen build`: the site this build replaces, whose search index may serve again
        (fanwen/search/reuse.py); `rebuild` builds the whole index all the same."""
        self.previous_site, self.rebuild_index = previous_site, rebuild

    def close_index(self) -> None:
        if getattr(self, "index", None):
            self.index.close()
        self.index = None

    def close_pool(self) -> None:
        if getattr(self, "pool", None) is not None:
            self.pool.close()
            log.debug(f"Markdown rendered by the second process: {self.pool.rendered} of {len(self.pool.uris)} documents")
        self.pool = None

    def on_build_error(self, error):
        release_data_files()
        self.close_pool()
        self.close_index()
        self.reuse = None

    def on_shutdown(self):
        self.close_pool()
        self.close_index()
