"""Templates compiled for the browser (issue 13): one source of wording.

The templates in templates/ stay the only place a template's text lives. At build time each
one is parsed by Jinja's own parser (the very environment `fanwen draft` renders with, so the
same whitespace and syntax rules apply) and its syntax tree is written out as JSON, limited to
the documented subset (templates/README.md). A small interpreter in the page
(docs/assets/fanwen-draft.js) evaluates that tree: no template text is written by hand in
JavaScript, and no `eval` / `new Function` is needed (the site's CSP forbids both).

A template using anything outside the subset fails the build here, naming file and line,
rather than rendering differently in the browser.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from jinja2 import nodes

from fanwen import cache
from fanwen.errors import FanwenError
from fanwen.drafting.templates import (_environment, _front_matter, data_file, list_templates, load_levels, templates_dir)
from fanwen.drafting.unitdata import DEFAULT_LEVEL, load_phrases, shape

# Jinja's operator names → the interpreter's.
_BINARY = {nodes.Add: "+", nodes.Sub: "-", nodes.And: "and", nodes.Or: "or"}
_COMPARE = {"eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"}
FILTERS = {"cn_date", "cn_range", "cn", "suffix", "items", "bare", "names", "blank", "or_blank",
           "length", "first", "last", "join"}
TESTS = {"defined", "none", "equalto", "sameas"}


class Unsupported(FanwenError):
    pass


def _refuse(node, where: str, what: str):
    raise Unsupported(f"{where}:{getattr(node, 'lineno', '?')}", f"模板用了浏览器不支持的写法：{what}",
                      "模板只能用 templates/README.md 列出的写法（变量、if、for、set 和列出的过滤器）。")


def _expr(node, where: str):
    e = lambda n: _expr(n, where)  # noqa: E731
    if isinstance(node, nodes.Name):
        return ["n", node.name]
    if isinstance(node, nodes.Const):
        if not isinstance(node.value, (str, int, bool, type(None))) or isinstance(node.value, float):
            _refuse(node, where, f"常量 {node.value!r}")
        return ["c", node.value]
    if isinstance(node, nodes.List):
        return ["list", [e(i) for i in node.items]]
    if isinstance(node, nodes.Getattr):
        return [".", e(node.node), node.attr]
    if isinstance(node, nodes.Getitem):
        if isinstance(node.arg, nodes.Slice):
            _refuse(node, where, "切片 [a:b]")
        return ["[]", e(node.node), e(node.arg)]
    if isinstance(node, nodes.Concat):
        return ["~", [e(n) for n in node.nodes]]
    if type(node) in _BINARY:
        return [_BINARY[type(node)], e(node.left), e(node.right)]
    if isinstance(node, nodes.Neg):
        return ["neg", e(node.node)]
    if isinstance(node, nodes.Not):
        return ["not", e(node.node)]
    if isinstance(node, nodes.Compare):
        ops = []
        for op in node.ops:
            if op.op not in _COMPARE:
                _refuse(node, where, f"比较运算 {op.op}")
            ops.append([op.op, e(op.expr)])
        return ["cmp", e(node.expr), ops]
    if isinstance(node, nodes.CondExpr):
        return ["?", e(node.test), e(node.expr1), e(node.expr2) if node.expr2 is not None else ["c", None]]
    if isinstance(node, (nodes.Filter, nodes.Test)):
        kind = "f" if isinstance(node, nodes.Filter) else "is"
        allowed = FILTERS if kind == "f" else TESTS
        if node.name not in allowed or node.dyn_args or node.dyn_kwargs:
            _refuse(node, where, f"{'过滤器' if kind == 'f' else '测试'} {node.name}")
        return [kind, node.name, e(node.node), [e(a) for a in node.args], {k.key: e(k.value) for k in node.kwargs}]
    _refuse(node, where, type(node).__name__)


def _body(body, where: str) -> list:
    out = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    out.append(["t", child.data])
                else:
                    out.append(["o", _expr(child, where)])
        elif isinstance(node, nodes.If):
            branches = [[_expr(node.test, where), _body(node.body, where)]]
            branches += [[_expr(b.test, where), _body(b.body, where)] for b in node.elif_]
            out.append(["if", branches, _body(node.else_, where)])
        elif isinstance(node, nodes.For):
            if not isinstance(node.target, nodes.Name) or node.test is not None or node.recursive:
                _refuse(node, where, "for 只能写成 for x in 列表")
            out.append(["for", node.target.name, _expr(node.iter, where), _body(node.body, where),
                        _body(node.else_, where)])
        elif isinstance(node, nodes.Assign):
            if not isinstance(node.target, nodes.Name):
                _refuse(node, where, "set 只能给一个名字赋值")
            out.append(["set", node.target.name, _expr(node.node, where)])
        else:
            _refuse(node, where, type(node).__name__)
    return out


def compile_file(path: Path, root: Path | None = None) -> list:
    """One template file's body as the interpreter's JSON tree."""
    _, body = _front_matter(path)
    tree = _environment(root).parse(body, path.name, str(path))
    return _body(tree.body, str(path))


def bundle(root: Path | None = None) -> dict:
    """Everything the page needs to draft: compiled templates, the _notice wrapper, level
    words, phrases and the shape of the unit data (for the form and its checks)."""
    templates = {}
    for t in list_templates(root):
        templates[t.slug] = {"name": t.name, "type": t.type, "levels": t.levels, "not_for": t.not_for,
                             "body": compile_file(t.path, root)}
    notice = templates_dir(root) / "_notice.md"
    return {"templates": templates,
            "notice": compile_file(notice, root) if notice.is_file() else None,
            "levels": load_levels(root), "level_names": list(load_levels(root)), "default_level": DEFAULT_LEVEL,
            "phrases": load_phrases(data_file("phrases.yml", root)).model_dump(),
            "shape": shape(tuple(load_levels(root))), "docx": docx_shell()}


DATA_SCRIPT = "assets/fanwen/draft-data.js"


def data_script(root: Path | None = None) -> bytes:
    return _data_script(str(templates_dir(root)), _stamp(root))


def _stamp(root: Path | None) -> tuple:
    """The versions of every file the bundle is made of (a rebuild after an edit recompiles)."""
    folder = templates_dir(root)
    paths = sorted(folder.glob("*.md")) + [data_file("levels.yml", root), data_file("phrases.yml", root)]
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths if p.is_file())


@functools.lru_cache(maxsize=8)
def _data_script(folder: str, stamp: tuple) -> bytes:
    """The bundle as a classic script (a JSON file cannot be read from file://). JSON text is a
    JavaScript expression; `<` is escaped so nothing in it can end a script element."""
    root = Path(folder).parent

    def make() -> bytes:
        text = json.dumps(bundle(root), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        return f"window.FW_DRAFT={text};\n".encode("utf-8")

    # Made from those files and the code alone, so kept in the cache folder by their contents:
    # compiling the templates and making the Word shell took about 0.2 s of every build.
    content = hashlib.sha256()
    for path, _ in stamp:
        content.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes())
    return cache.remembered("draft-data", content.hexdigest(), make)


def version(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


# Parts python-docx's default template carries that the drafts do not need (a thumbnail of an
# empty page, the Word 2010 copy of the styles): left out of the browser's shell.
_DROP = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")


def docx_shell() -> dict:
    """Everything of `fanwen draft`'s .docx except the paragraphs and the core properties:
    produced by fanwen/drafting/word_output.py itself (build_docx with no blocks), so the page, margins,
    styles, footers with page numbers, fonts and language settings the browser's .docx gets
    are the CLI's. The browser writes the paragraphs (docs/assets/fanwen-docx.js, compared
    with the CLI's document.xml by tests/test_draft_browser.py) and the core properties."""
    import io
    import re
    import zipfile

    from fanwen.drafting.word_output import build_docx

    parts = {}
    with zipfile.ZipFile(io.BytesIO(build_docx([]))) as z:
        for name in z.namelist():
            if name in _DROP or name == "docProps/core.xml":
                continue
            parts[name] = z.read(name).decode("utf-8")
    for dropped in _DROP:
        target = dropped.split("/", 1)[1] if dropped.startswith("word/") else dropped
        for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
            parts[rels] = re.sub(rf'<Relationship [^>]*Target="{re.escape(target)}"/>', "", parts[rels])
        parts["[Content_Types].xml"] = re.sub(rf'<Override PartName="/{re.escape(dropped)}"[^>]*/>', "",
                                              parts["[Content_Types].xml"])
    document = parts.pop("word/document.xml")
    head, _, rest = document.partition("<w:body>")
    tail = rest[rest.index("<w:sectPr"):]
    return {"parts": parts, "head": head + "<w:body>", "tail": tail}
