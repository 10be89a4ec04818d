"""Writing templates (templates/*.md): Jinja2 Markdown filled from a unit's data.

One rendering, three outputs: Markdown with filled-in values marked (the site), clean
Markdown (download), plain text (复制全文) — and the .docx is built from the same blocks.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from .data import parse_yaml, yaml_fix
from .errors import FanwenError
from .unitdata import load_phrases, load_unit

# Every value a template prints is wrapped in these private-use characters, so the site can
# mark filled-in values and the plain outputs can drop the marks. They never reach a file.
FILL_START, FILL_END = "\ue000", "\ue001"
SIGN = "{ .fw-sign }"  # attr_list marker: a right-aligned line (signature, date)
CN_DIGITS = "〇一二三四五六七八九"


@dataclass
class Template:
    slug: str
    path: Path
    name: str
    type: str
    purpose: str
    when: str
    sections: list[dict] = field(default_factory=list)
    derived_from: list[str] = field(default_factory=list)  # document types its sections come from


def cn_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def cn_range(start: dt.date, end: dt.date) -> str:
    """2027年3月1日至3月15日 (the year once when both dates share it)."""
    tail = f"{end.month}月{end.day}日" if end.year == start.year else cn_date(end)
    return f"{cn_date(start)}至{tail}"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二 (numbering of sections and items)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _front_matter(path: Path) -> tuple[dict, str]:
    """Front matter and the body with the front matter blanked, so Jinja's line numbers are
    the file's line numbers. Parsed once per version of the file (every template page, its
    downloads and each `mkdocs serve` rebuild ask for every template)."""
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise FanwenError(str(path), "模板文件不存在", "检查 templates/ 下的文件名。") from None
    return _parse_front_matter(path, mtime_ns)


@functools.lru_cache(maxsize=256)
def _parse_front_matter(path: Path, mtime_ns: int) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise FanwenError(str(path), "模板缺少 front matter（以 --- 开始和结束的元数据）",
                          "在文件开头写 name、type、purpose、when、sections，参照 templates/work-plan.md。")
    end = text.index("\n---\n", 4)
    try:
        meta = parse_yaml(text[4:end]) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FanwenError(f"{path}:{mark.line + 2 if mark else 1}", f"front matter 不是合法的 YAML：{exc}",
                          yaml_fix(exc, "检查冒号、引号和缩进。")) from None
    blank = "\n" * text[: end + 5].count("\n")
    return meta, blank + text[end + 5:]


def templates_dir(root: Path | None = None) -> Path:
    return (root or Path.cwd()) / "templates"


def list_templates(root: Path | None = None) -> list[Template]:
    found = []
    for path in sorted(templates_dir(root).glob("*.md")):
        if path.name == "README.md":
            continue
        meta, _ = _front_matter(path)
        missing = [k for k in ("name", "type", "purpose", "when", "sections") if k not in meta]
        if missing:
            raise FanwenError(f"{path}: {missing[0]}", f"模板 front matter 缺少 `{missing[0]}`",
                              "参照 templates/work-plan.md 补全。")
        found.append(Template(path.stem, path, meta["name"], meta["type"], meta["purpose"], meta["when"],
                              meta["sections"], meta.get("derived_from") or [meta["type"]]))
    return found


def find_template(slug: str, root: Path | None = None) -> Template:
    templates = list_templates(root)
    for template in templates:
        if template.slug == slug:
            return template
    names = "、".join(f"{t.slug}（{t.name}）" for t in templates)
    raise FanwenError(f"模板 `{slug}`", "没有这个模板", f"可用的模板：{names}；用 `fanwen draft --list` 查看。")


def _finalize(value):
    if value is None:
        return ""
    return f"{FILL_START}{value}{FILL_END}"


def _environment(root: Path | None) -> jinja2.Environment:
    # The folder as callers name it (error messages match frames against it); the working
    # directory too when it is relative.
    return _cached_environment(templates_dir(root), Path.cwd() if root is None else None)


@functools.lru_cache(maxsize=8)
def _cached_environment(folder: Path, cwd: Path | None) -> jinja2.Environment:
    """One Jinja environment per templates folder, so compiled templates are reused; the
    loader tells Jinja when a file changed."""
    env = jinja2.Environment(loader=_Loader(folder), undefined=jinja2.StrictUndefined,
                             finalize=_finalize, keep_trailing_newline=True, autoescape=False)
    env.filters.update(cn_date=cn_date, cn_range=cn_range, cn=cn_number)
    return env


class _Loader(jinja2.FileSystemLoader):
    def get_source(self, environment, template):
        path = Path(self.searchpath[0]) / template
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        mtime_ns = path.stat().st_mtime_ns
        _, body = _front_matter(path)
        return body, str(path), lambda: path.is_file() and path.stat().st_mtime_ns == mtime_ns


def _template_line(error: BaseException, path: Path) -> int | None:
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename) == path:
            return frame.lineno
    return getattr(error, "lineno", None)


def render(slug: str, data: dict, root: Path | None = None) -> str:
    """The template filled with `data`; values wrapped in FILL marks. Errors name the
    template file and line."""
    template = find_template(slug, root)
    try:
        return _environment(root).get_template(template.path.name).render(**data)
    except jinja2.TemplateSyntaxError as error:
        raise FanwenError(f"{template.path}:{error.lineno}", f"模板语法错误：{error.message}",
                          "检查这一行的 {{ }} 和 {% %} 是否成对。") from None
    except jinja2.UndefinedError as error:
        line = _template_line(error, template.path)
        raise FanwenError(f"{template.path}:{line}", f"模板用到了数据中没有的变量：{error.message}",
                          "在数据文件（如 data/unit.yml）中补上这一项，或改正模板中的变量名。") from None


def default_context(root: Path | None = None, unit_file: Path | None = None) -> dict:
    """Sample unit + shared phrases: what the site's template pages are filled with."""
    base = root or Path.cwd()
    unit = load_unit(unit_file or base / "data" / "unit.yml")
    phrases = load_phrases(base / "data" / "phrases.yml")
    return {**unit.model_dump(), "phrases": phrases.model_dump()}


# ----------------------------------------------------------------------------- outputs


_FILLED = re.compile(f"{FILL_START}(.*?){FILL_END}", re.S)
# Inline Markdown that python-markdown would read inside a value (emphasis, code, links).
_INLINE_MD = re.compile(r"([\\`*_\[\]])")


def _shown_as_text(value: str) -> str:
    """A data value as literal text inside the page's Markdown: HTML and Markdown escaped,
    so `<script>` or `**` in someone's unit.yml shows as typed and never runs."""
    return _INLINE_MD.sub(r"\\\1", html.escape(value, quote=False))


def marked_markdown(filled: str) -> str:
    """For the site: filled-in values highlighted, and shown exactly as written."""
    return _FILLED.sub(lambda m: f'<span class="fw-filled">{_shown_as_text(m.group(1))}</span>', filled)


def clean_markdown(filled: str) -> str:
    return filled.replace(FILL_START, "").replace(FILL_END, "").strip() + "\n"


def blocks(filled: str) -> list[tuple[str, str]]:
    """(kind, text) per block: title, h1 (`一、`), h2 (`（一）`), sign (right-aligned), body."""
    out = []
    for block in clean_markdown(filled).split("\n\n"):
        block = block.strip()
        if not block:
            continue
        kind = "body"
        if block.endswith(SIGN):
            kind, block = "sign", block[: -len(SIGN)].strip()
        elif block.startswith("# "):
            kind, block = "title", block[2:]
        elif block.startswith("## "):
            kind, block = "h1", block[3:]
        elif block.startswith("### "):
            kind, block = "h2", block[4:]
        text = re.sub(r"\*\*(.+?)\*\*", r"\1", block).replace("\\", "")
        out.append((kind, " ".join(line.strip() for line in text.split("\n"))))
    return out


def plain_text(filled: str) -> str:
    """复制全文: the document as clean plain text — no markup, no zero-width characters,
    Chinese numbering as written."""
    lines = []
    for kind, text in blocks(filled):
        lines.append(text)
    text = "\n".join(lines) + "\n"
    return re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text)
