"""Build-time help for a strict Content-Security-Policy (`script-src 'self'`, deploy/nginx.conf).

Material and overrides/main.html write small inline `<script>` elements into every page
(`__md_scope`, the hash-target fix, our `__config` rewrite). A strict policy blocks inline
scripts, so the build moves each one into a content-addressed file under
`assets/fanwen/inline/` and leaves `<script src="...">` in its place. Classic external scripts
without `async`/`defer` run in document order, at the same point of parsing, so behaviour is
unchanged; `new URL(base, location)` inside them still resolves against the page.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs import utils

INLINE_DIR = "assets/fanwen/inline"

# A comment (skipped: it may mention <script>) or a script element with its attributes and text.
_ATTRS = r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*"""
_ELEMENT = re.compile(rf"<!--.*?-->|<script(?P<attrs>{_ATTRS})\s*/?\s*>(?P<body>.*?)</script\s*>", re.I | re.S)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")

# The HTML standard's JavaScript MIME type essences: a script of another type is data, not code.
JS_TYPES = {"text/javascript", "application/javascript", "application/ecmascript", "application/x-ecmascript",
            "application/x-javascript", "text/ecmascript", "text/javascript1.0", "text/javascript1.1",
            "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5",
            "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript"}


def _attributes(text: str) -> list[tuple[str, str | None]]:
    found = []
    for name, value in _ATTR.findall(text):
        found.append((name.lower(), value[1:-1] if value[:1] in "\"'" and value else (value or None)))
    return found


def _kind(attrs: dict[str, str | None]) -> str | None:
    """'classic', 'module' or None (not executed as JavaScript: JSON, templates, importmap…)."""
    if "type" in attrs:
        kind = (attrs["type"] or "").strip().lower()
    elif attrs.get("language"):
        kind = "text/" + attrs["language"].strip().lower()
    else:
        kind = ""
    if kind == "module":
        return "module"
    if kind == "" or kind.split(";")[0].strip() in JS_TYPES:
        return "classic"
    return None


def script_url(base: str, path: str) -> str:
    """`path` (relative to the site root) as seen from a page whose MkDocs `base_url` is `base`:
    '.', '../..' (pages) or an absolute path such as '/fanwen/' (error pages)."""
    if base in ("", "."):
        return path
    return base.rstrip("/") + "/" + path


def externalize_inline_scripts(html: str, base: str) -> tuple[str, dict[str, bytes]]:
    """(html with every executable inline script replaced by `<script src>` at the same place,
    {path relative to the site root: script bytes}). `base` is the page's MkDocs `base_url`.
    Scripts of non-JavaScript types (`application/json`…) and external scripts stay as they are;
    whitespace-only scripts are dropped."""
    files: dict[str, bytes] = {}

    def replace(match: re.Match) -> str:
        if match.group(0).startswith("<!--"):
            return match.group(0)
        pairs = _attributes(match.group("attrs"))
        attrs = dict(pairs)
        kind = _kind(attrs)
        if kind is None or "src" in attrs:
            return match.group(0)
        body = match.group("body")
        if not body.strip():
            return ""
        data = body.encode("utf-8")
        path = f"{INLINE_DIR}/{hashlib.sha256(data).hexdigest()[:16]}.js"
        files[path] = data
        # async/defer do nothing on an inline classic script: drop them so the external one
        # still runs in place. A module stays a module (inline modules are deferred as well).
        keep = [(name, value) for name, value in pairs
                if name not in ("async", "defer", "src") and not (kind == "classic" and name in ("type", "language"))]
        rest = "".join(f' {name}="{value}"' if value is not None else f" {name}" for name, value in keep)
        return f'<script src="{script_url(base, path)}"{rest}></script>'

    return _ELEMENT.sub(replace, html), files


def page_base(page_url: str) -> str:
    """MkDocs' `base_url` of a page ('.', '../..'): page-relative, so file:// works too."""
    return utils.get_relative_url(".", page_url)


def template_base(template_name: str, site_url: str | None) -> str:
    """MkDocs' `base_url` for a theme template, as mkdocs.commands.build._build_template computes
    it: error pages such as 404.html use the absolute path of site_url (they are served at any URL)."""
    if utils.is_error_template(template_name):
        return urlsplit(site_url or "/").path
    return utils.get_relative_url(".", template_name)


def write_scripts(site_dir: str | Path, files: dict[str, bytes]) -> None:
    """Write the externalised scripts into the built site (unchanged files are left alone)."""
    for path, data in files.items():
        target = Path(site_dir) / path
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def externalize(html: str, base: str, site_dir: str | Path) -> str:
    """externalize_inline_scripts + write_scripts: what the fanwen plugin calls for each page."""
    html, files = externalize_inline_scripts(html, base)
    write_scripts(site_dir, files)
    return html
