"""Internal links of a built site: every link resolves to a file, and its #fragment to an id.
Shared by tests/test_links.py and the bad-input battery (its archives' offline copy)."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

EXTERNAL = ("http:", "https:", "mailto:", "javascript:", "data:", "tel:", "//")
LINK_ATTRS = {"href", "src"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, URL)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in LINK_ATTRS:
                self.links.append((tag, value))
            elif name == "srcset":
                self.links.extend((tag, part.split()[0]) for part in value.split(",") if part.strip())

    handle_startendtag = handle_starttag


def parse_site(site: Path) -> dict[str, _Page]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = parser
    return pages


def resolve(site: Path, page: str, url: str) -> tuple[str | None, str]:
    """(site-relative target file or None when it does not exist, fragment) of a link on page."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        target = page
    else:
        base = "" if path.startswith("/") else posixpath.dirname(page)
        target = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
        if target.startswith(".."):
            return None, parts.fragment
        if target == ".":
            target = ""
        if path.endswith("/") or (site / target).is_dir():
            target = posixpath.join(target, "index.html")
    return (target if (site / target).is_file() else None), unquote(parts.fragment)


def broken_links(site: Path) -> list[str]:
    pages = parse_site(site)
    broken = []
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            if url.lower().startswith(EXTERNAL):
                continue
            target, fragment = resolve(site, page, url)
            if target is None:
                broken.append(f"{page}: <{tag}> {url} → 文件不存在")
            elif fragment and target in pages and fragment not in pages[target].ids:
                broken.append(f"{page}: <{tag}> {url} → {target} 中没有 id `{fragment}`")
    return broken


