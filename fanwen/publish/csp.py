"""Build-time help for a strict Content-Security-Policy (`script-src 'self'`, deploy/nginx.conf).

Material writes small inline `<script>` elements into every page (`__md_scope`, the
hash-target fix). A strict policy blocks inline scripts, so the build moves each one into a
content-addressed file under `assets/fanwen/inline/` and leaves `<script src="...">` in its
place. Classic external scripts without `async`/`defer` run in document order, at the same
point of parsing, so behaviour is unchanged; `new URL(base, location)` inside them still
resolves against the page.

Moving a script makes it legitimate under the policy, so only scripts the build can prove are
the theme's own are moved: their text must stand in one of the theme's template files
(`KnownScripts`), with a `{{ … }}` expression matching only a quote-free string. Anything else
— a `<script>` that reached a page from an imported title, a manifest or a data file — stops the
build (`UnknownScript`); so does an event-handler attribute (`onload=`) or a `javascript:` URL,
which the policy would block but a page opened without it (file://) would run.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs import utils

from fanwen.errors import FanwenError

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


class UnknownScript(FanwenError):
    """Executable code in a page that no theme template wrote."""


_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
# What a `{{ … }}` inside a known script may expand to: a URL or path, never a quote, a
# backslash or markup (which could end the string it stands in and start code of its own).
_VALUE = r"[^\"'`\\<>\s]*"


class KnownScripts:
    """The inline scripts the theme's templates write: each `<script>…</script>` (no attributes,
    no Jinja statements) in an .html file of the theme folders, as a pattern."""

    def __init__(self, bodies: list[str]):
        patterns = sorted({_VALUE.join(map(re.escape, _EXPRESSION.split(body.strip()))) for body in bodies})
        self._pattern = re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)", re.S)

    @classmethod
    def from_theme_dirs(cls, dirs: list[str]) -> "KnownScripts":
        bodies = []
        for folder in dirs:
            for path in sorted(Path(folder).rglob("*.html")):
                text = path.read_text(encoding="utf-8", errors="replace")
                bodies += [b for b in _TEMPLATE_SCRIPT.findall(text) if b.strip() and "{%" not in b]
        return cls(bodies)

    def __contains__(self, body: str) -> bool:
        return self._pattern.fullmatch(body.strip()) is not None


# An event-handler attribute (onload=, onclick=…) or a javascript: URL: never written by the
# theme; in a page it can only have come from content. The cheap test below is generous (it
# also fires on such words in text); the parser then reads the tags as a browser does.
_HANDLER_NAME = re.compile(r"on[a-z]+\s*=")  # searched in the lower-cased page
_BEFORE_NAME = frozenset(" \t\n\r\f/\"'")  # what an attribute name may follow (`<img/onerror=`, `"x"onload=`)
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


def _suspect(html: str) -> bool:
    """Could `html` hold an event handler or a javascript: URL? Browsers decode character
    references in attribute values (`jav&#97;script:`, `&colon;`) and drop tabs and line breaks
    from URLs (`java&Tab;script:`), so the page is looked at decoded and without white space."""
    low = html.lower()
    if "srcdoc" in low:  # a frame's whole document in an attribute: its scripts run in the frame
        return True
    if any(low[match.start() - 1] in _BEFORE_NAME for match in _HANDLER_NAME.finditer(low)):
        return True
    return "javascript:" in "".join(htmllib.unescape(html).split()).lower()


def _executable_url(value: str | None) -> bool:
    return bool(value) and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:")


class _HandlerFinder(HTMLParser):
    """The first start tag with an event handler, a javascript: URL or a frame document
    (srcdoc), as written (attribute values decoded and attributes separated as by a browser's
    tokenizer)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: str | None = None

    def handle_starttag(self, tag, attrs):
        if self.found is None and any(name.startswith("on") or name == "srcdoc"
                                      or (name in _URL_ATTRS and _executable_url(value)) for name, value in attrs):
            self.found = self.get_starttag_text()


def _handler(html: str) -> str | None:
    """The first tag (as written) with an event handler or a javascript: URL, or None."""
    if not _suspect(html):
        return None
    finder = _HandlerFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def _opening(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


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


REFUSED_FIX = ("页面中的脚本只能来自站点模板。若它来自导入的范文、清单或数据文件，说明那里的文字被当成了代码："
               "先从该文件中删掉这段内容再构建，并把这个问题报告给维护者。")


def externalize_inline_scripts(html: str, base: str, known: KnownScripts | None = None,
                               where: str = "页面") -> tuple[str, dict[str, bytes]]:
    """(html with every executable inline script replaced by `<script src>` at the same place,
    {path relative to the site root: script bytes}). `base` is the page's MkDocs `base_url`.
    Scripts of non-JavaScript types (`application/json`…) and external scripts stay as they are;
    whitespace-only scripts are dropped. With `known`, a script not in it, an event-handler
    attribute or a javascript: URL raises UnknownScript naming `where`."""
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
        if known is not None and body not in known:
            raise UnknownScript(where, f"含有一段不属于站点模板的脚本（{_opening(body)}），已停止构建", REFUSED_FIX)
        data = body.encode("utf-8")
        path = f"{INLINE_DIR}/{hashlib.sha256(data).hexdigest()[:16]}.js"
        files[path] = data
        # async/defer do nothing on an inline classic script: drop them so the external one
        # still runs in place. A module stays a module (inline modules are deferred as well).
        keep = [(name, value) for name, value in pairs
                if name not in ("async", "defer", "src") and not (kind == "classic" and name in ("type", "language"))]
        rest = "".join(f' {name}="{value}"' if value is not None else f" {name}" for name, value in keep)
        return f'<script src="{script_url(base, path)}"{rest}></script>'

    html = _ELEMENT.sub(replace, html)
    if known is not None:
        handler = _handler(html)
        if handler:
            raise UnknownScript(where, f"含有会执行代码的属性（事件属性、javascript: 链接或 srcdoc）：{_opening(handler)}，已停止构建",
                                REFUSED_FIX)
    return html, files


def page_base(page_url: str) -> str:
    """MkDocs' `base_url` of a page ('.', '../..'): page-relative, so file:// works too."""
    return utils.get_relative_url(".", page_url)


def template_base(template_name: str, site_url: str | None) -> str:
    """MkDocs' `base_url` for a theme template, as mkdocs.commands.build._build_template computes
    it: error pages such as 404.html use the absolute path of site_url (they are served at any URL)."""
    if utils.is_error_template(template_name):
        return urlsplit(site_url or "/").path
    return utils.get_relative_url(".", template_name)


_verified: dict[str, int] = {}  # script file → its mtime when last written or read back equal


def write_scripts(site_dir: str | Path, files: dict[str, bytes]) -> None:
    """Write the externalised scripts into the built site (unchanged files are left alone).
    Every page has the same few scripts: a file already written or checked in this process,
    and not touched since, is not read back again (that was a read per script per page)."""
    for path, data in files.items():
        target = Path(site_dir) / path
        try:
            stamp = target.stat().st_mtime_ns
        except FileNotFoundError:
            stamp = None
        if stamp is not None and _verified.get(str(target)) == stamp:
            continue
        if stamp is None or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            stamp = target.stat().st_mtime_ns
        _verified[str(target)] = stamp


def externalize(html: str, base: str, site_dir: str | Path, known: KnownScripts, where: str) -> str:
    """externalize_inline_scripts + write_scripts: what the fanwen plugin calls for each page."""
    html, files = externalize_inline_scripts(html, base, known, where)
    write_scripts(site_dir, files)
    return html


_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def set_search_worker(html: str, worker: str) -> str:
    """Point Material's `__config.search` (the search worker it starts) at `worker`, a URL as
    seen from the page. Done here rather than by a script in the page: no inline code to move."""
    def replace(match: re.Match) -> str:
        config = json.loads(match.group(2))
        config["search"] = worker
        # As Jinja's tojson writes it: no `<`, `>`, `&` or `'` that could end the element.
        text = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
            text = text.replace(char, escape)
        return match.group(1) + text + match.group(3)

    return _CONFIG.sub(replace, html, count=1)
