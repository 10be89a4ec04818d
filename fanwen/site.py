"""The `fanwen` MkDocs plugin: theme navigation, and the metadata line and related links on
every document page. Kept small; what a document is comes from `library.scan`."""

from __future__ import annotations

import posixpath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from pathlib import Path

from .data import load_themes, set_data_dir
from .errors import FanwenError
from .library import Entry, scan
from .templating import list_templates
from .page import escape_markdown

RELATED = 6


def site_nav(themes, templates) -> list:
    """Home, one entry per theme (its card list, not its pages), templates, atlas, tags."""
    return [
        {"首页": "index.md"},
        {"按主题浏览": [{t["name"]: f"examples/{t['slug']}/index.md"} for t in themes]},
        {"写作模板": [{t.name: f"moban/{t.slug}.md"} for t in templates] + [{"结构图谱": "atlas.md"}]},
        {"按类型与层级": "tags.md"},
    ]


def template_page(template) -> str:
    """The site page of one writing template; the macros fill it in at build time."""
    lines = ["---", f"title: {template.name}", "render_macros: true", "---", "",
             f"# {template.name}", "", template.purpose, "", f"**什么时候用：**{template.when}", "",
             f'{{{{ template_actions("{template.slug}") }}}}', "",
             "下面是用示例单位数据填好的全文，<span class=\"fw-filled\">这样标出的</span>是从单位数据中填入的内容。"
             "用 `fanwen draft` 可以换成本单位的数据（见 README）。", "",
             f'{{{{ template("{template.slug}") }}}}', "", "## 分节写作要点", ""]
    for number, section in enumerate(template.sections, start=1):
        lines += [f"### {number}. {section['part']}", "", '!!! tip "写作要点"', "", f"    {section['note']}", "",
                  f"**别人怎么写的：**", "",
                  f'{{{{ section_examples("{section["part"]}", type={template.derived_from!r}) }}}}', ""]
    return "\n".join(lines)


def related(entry: Entry, library: tuple[Entry, ...], n: int = RELATED) -> list[Entry]:
    """Documents of the same theme, those of the same type first."""
    same = [e for e in library if e.theme == entry.theme and e.path != entry.path]
    same.sort(key=lambda e: (e.type != entry.type, e.path))
    return same[:n]


def meta_line(entry: Entry, theme_name: str) -> str:
    parts = [escape_markdown(entry.type), escape_markdown(entry.level), f"[{escape_markdown(theme_name)}](index.md)",
             f"{entry.chars:,} 字".replace(",", "，") if entry.chars >= 10000 else f"{entry.chars} 字",
             "来源：" + escape_markdown(entry.source)]
    return " · ".join(parts) + "\n{ .fw-meta }"


def related_section(entry: Entry, library: tuple[Entry, ...]) -> str:
    items = related(entry, library)
    if not items:
        return ""
    links = "\n".join(f"- [{escape_markdown(e.title)}]({posixpath.basename(e.path)}) "
                      f"<span class=\"fw-tag\">{e.type} · {e.level}</span>" for e in items)
    return f"\n\n## 同主题范文\n\n{links}\n"


DOWNLOADS = "moban/downloads"


def template_downloads(root: Path, template) -> dict[str, bytes]:
    """The two downloads of one template, filled with the sample data: .md and .docx."""
    from .docx import build_docx
    from .templating import blocks, clean_markdown, default_context, render

    filled = render(template.slug, default_context(root), root)
    return {f"{DOWNLOADS}/{template.slug}.md": clean_markdown(filled).encode("utf-8"),
            f"{DOWNLOADS}/{template.slug}.docx": build_docx(blocks(filled))}


class FanwenPlugin(BasePlugin):
    def on_config(self, config):
        self.root = Path(config.config_file_path).parent
        set_data_dir(self.root / "data")
        try:
            themes = load_themes()
            self.templates = list_templates(self.root)
        except FanwenError as error:
            raise PluginError(str(error)) from None
        if not config.nav:
            config.nav = site_nav(themes, self.templates)
        self.theme_names = {t["slug"]: t["name"] for t in themes}
        return config

    def on_files(self, files, config):
        try:
            self.library = scan(config.docs_dir)
            for template in self.templates:
                files.append(File.generated(config, f"moban/{template.slug}.md", content=template_page(template)))
        except FanwenError as error:
            raise PluginError(str(error)) from None
        self.by_path = {e.path: e for e in self.library}
        return files

    def on_post_build(self, config):
        # Written after the build, not as MkDocs files: a generated .md would become a page.
        for template in self.templates:
            for uri, content in template_downloads(self.root, template).items():
                target = Path(config.site_dir) / uri
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)

    def on_page_markdown(self, markdown, page, config, files):
        entry = self.by_path.get(page.file.src_uri)
        if entry is None:
            return markdown
        return (meta_line(entry, self.theme_names[entry.theme]) + "\n\n" + markdown
                + related_section(entry, self.library))
