"""Parts of Material's page template that are the same on many pages, rendered once per build
(overrides/partials/nav.html and search.html use them), and the compiled theme templates."""

from __future__ import annotations

import posixpath

from fanwen import cache

COMPILED_TEMPLATES = cache.CompiledTemplates("theme")

THEME_PREFIX = "fanwen-theme/"  # the theme's own templates, for overrides that wrap them


class ThemeParts:
    """Parts of the theme's page template that are the same on many pages, rendered once per
    build: the site navigation on every page outside it (the 10,000 documents) depends only on
    the folder the page is in (its links are relative); the search box on nothing of the page
    (`site=True`). overrides/partials/nav.html and search.html ask `get(name)` and hand a part
    they rendered to `keep(name, html)`; for a page in the navigation (items marked active, its
    table of contents) no navigation is kept."""

    def __init__(self, parts: dict, key):
        self.parts, self.key = parts, key

    def get(self, name: str, site: bool = False):
        key = "site" if site else self.key
        return None if key is None else self.parts.get((name, key))

    def keep(self, name: str, html: str, site: bool = False) -> str:
        key = "site" if site else self.key
        if key is not None:
            self.parts[(name, key)] = html
        return html


def folder_key(url: str, nav_urls: list[str]):
    """Pages whose relative links to the navigation's pages are all the same: those in one folder
    (as MkDocs's `get_relative_url` sees it), unless a navigation page is the page's own folder
    or inside it; None then."""
    folder, _, name = url.rpartition("/")
    base = (folder if "." in name else url).strip("/")
    if any(u == base or u.startswith(base + "/") for u in nav_urls):
        return None
    return posixpath.dirname(base), base.count("/")
