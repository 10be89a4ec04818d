"""The `fanwen` MkDocs plugin: theme navigation, and the metadata line and related links on
every document page. Kept small; what a document is comes from `library.scan`."""

from __future__ import annotations

import posixpath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from pathlib import Path

from .data import load_themes, set_data_dir
from .errors import FanwenError
from .library import Entry, scan
from .page import escape_markdown

RELATED = 6


def theme_nav(themes) -> list:
    """Home, one entry per theme (its card list, not its pages), the tag index."""
    return [
        {"首页": "index.md"},
        {"按主题浏览": [{t["name"]: f"examples/{t['slug']}/index.md"} for t in themes]},
        {"按类型与层级": "tags.md"},
    ]


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


class FanwenPlugin(BasePlugin):
    def on_config(self, config):
        set_data_dir(Path(config.config_file_path).parent / "data")
        try:
            themes = load_themes()
        except FanwenError as error:
            raise PluginError(str(error)) from None
        if not config.nav:
            config.nav = theme_nav(themes)
        self.theme_names = {t["slug"]: t["name"] for t in themes}
        return config

    def on_files(self, files, config):
        try:
            self.library = scan(config.docs_dir)
        except FanwenError as error:
            raise PluginError(str(error)) from None
        self.by_path = {e.path: e for e in self.library}
        return files

    def on_page_markdown(self, markdown, page, config, files):
        entry = self.by_path.get(page.file.src_uri)
        if entry is None:
            return markdown
        return (meta_line(entry, self.theme_names[entry.theme]) + "\n\n" + markdown
                + related_section(entry, self.library))
