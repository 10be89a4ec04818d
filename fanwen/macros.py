"""What the site's macros do. `macros/main.py` only registers these with mkdocs-macros."""

from __future__ import annotations

import posixpath
from collections import Counter

from .classify import TYPES, LEVELS
from .data import load_themes
from .library import Entry, scan
from .page import escape_markdown


def _link(target: str, page_path: str) -> str:
    """A Markdown link target to a docs file, relative to the page that shows it."""
    return posixpath.relpath(target, posixpath.dirname(page_path) or ".")


def _card(entry: Entry, page_path: str) -> str:
    first = entry.first_line if len(entry.first_line) <= 60 else entry.first_line[:60] + "……"
    return (f"-   **[{escape_markdown(entry.title)}]({_link(entry.path, page_path)})**\n\n"
            f"    <span class=\"fw-tag\">{entry.type}</span> <span class=\"fw-tag\">{entry.level}</span> "
            f"{entry.chars} 字\n\n"
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
    cards = "\n".join(_card(e, page_path) for e in chosen)
    return f"共 {len(chosen)} 篇。\n\n<div class=\"grid cards\" markdown>\n\n{cards}\n</div>\n"


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
