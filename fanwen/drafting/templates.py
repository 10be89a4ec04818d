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
import jinja2.sandbox

from fanwen import cache
from fanwen.data import cached_data_file, load_yaml, split_front_matter
from fanwen.errors import FanwenError
from fanwen.drafting.unitdata import DEFAULT_LEVEL, Election, UnitData, check_unit, load_phrases, load_unit

# Every value a template prints is wrapped in these private-use characters, so the site can
# mark filled-in values and the plain outputs can drop the marks. They never reach a file.
# No value can contain them: the unit data refuses private-use characters, and _finalize
# removes them from anything else a template prints (so a value can never end its own
# escaping early).
FILL_START, FILL_END = "\ue000", "\ue001"
_PRIVATE = re.compile(r"[\ue000-\uf8ff]")
CN_DIGITS = "〇一二三四五六七八九"
BLANK = "【待填写：{}】"  # a visible blank: what the writer still has to put there
# Block markers a template line may start with (never a value: values are wrapped in FILL
# marks, so a block that starts with a value starts with FILL_START).
MARKERS = {"@to ": "to", "@sign ": "sign", "@date ": "date", "@attach ": "attach", "@center ": "center",
           "@cc ": "cc", "@imprint ": "imprint", "@pagebreak": "pagebreak"}


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
    levels: list[str] = field(default_factory=list)  # unit levels it is written for
    not_for: str = ""  # what to use instead at the other levels
    topic: str | None = None  # a word the section examples should be about (换届), if any
    instead: str = ""  # the slug of the template to use at the other levels (named by the CLI)


def cn_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def cn_range(start: dt.date, end: dt.date) -> str:
    """2027年3月1日至3月15日 (the year once when both dates share it)."""
    tail = f"{end.month}月{end.day}日" if end.year == start.year else cn_date(end)
    return f"{cn_date(start)}至{tail}"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五, 2027 → 二千零二十七 (numbering of sections and items;
    a timetable may have a hundred phases). Numbers from 0 to 9999."""
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} 超出中文编号的范围（0–9999）")
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n - 10] if n > 10 else "")
    out, zero = "", False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero and out else "") + CN_DIGITS[digit] + unit
            zero = False
        else:
            zero = bool(out)
    return out


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
    found = split_front_matter(str(path), text, "检查冒号、引号和缩进。")
    if found is None:
        raise FanwenError(str(path), "模板缺少 front matter（以 --- 开始和结束的元数据）",
                          "在文件开头写 name、type、purpose、when、sections，参照 templates/work-plan.md。")
    meta, body = found
    # The front matter blanked, so Jinja's line numbers are the file's line numbers.
    return meta, "\n" * text[: len(text) - len(body)].count("\n") + body


PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the checkout the package is installed from
BUNDLED_ROOT = Path(__file__).resolve().parents[1] / "bundled"  # templates/ and data/ inside a built wheel


def project_root(root: Path | None = None) -> Path:
    """The folder templates and data come from: the given root, else the working directory
    when it holds a templates/ folder (a project overrides what ships), else the copy that
    ships with the package — so `fanwen draft` works from any folder."""
    if root is not None:
        return root
    if (Path.cwd() / "templates").is_dir():
        return Path.cwd()
    return BUNDLED_ROOT if (BUNDLED_ROOT / "templates").is_dir() else PACKAGE_ROOT


def data_file(name: str, root: Path | None = None) -> Path:
    """A shared data file (levels.yml, phrases.yml): the project's own, else the shipped one."""
    path = project_root(root) / "data" / name
    if path.is_file():
        return path
    for base in (BUNDLED_ROOT, PACKAGE_ROOT):
        if (base / "data" / name).is_file():
            return base / "data" / name
    return path


def templates_dir(root: Path | None = None) -> Path:
    return project_root(root) / "templates"


def list_templates(root: Path | None = None) -> list[Template]:
    found = []
    for path in sorted(templates_dir(root).glob("*.md")):
        if path.name == "README.md" or path.name.startswith("_"):  # _notice.md: a wrapper, not a template
            continue
        meta, _ = _front_matter(path)
        missing = [k for k in ("name", "type", "purpose", "when", "sections") if k not in meta]
        if missing:
            raise FanwenError(f"{path}: {missing[0]}", f"模板 front matter 缺少 `{missing[0]}`",
                              "参照 templates/work-plan.md 补全。")
        unknown = [level for level in meta.get("levels") or () if level not in unit_levels(root)]
        if unknown:
            raise FanwenError(f"{path}: levels", f"层级 `{unknown[0]}` 不在 data/levels.yml 中",
                              f"改成 {'、'.join(unit_levels(root))} 中的层级，或去掉 levels（适用于所有层级）。")
        found.append(Template(path.stem, path, meta["name"], meta["type"], meta["purpose"], meta["when"],
                              meta["sections"], meta.get("derived_from") or [meta["type"]],
                              meta.get("levels") or list(unit_levels(root)), meta.get("not_for") or "",
                              meta.get("topic"), meta.get("instead") or ""))
    # Grouped by document type (方案 first, as the site's navigation and `--list` show them).
    types = ("方案", "报告", "汇报", "总结", "讲话")
    found.sort(key=lambda t: (types.index(t.type) if t.type in types else len(types), t.slug))
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
    # Defence in depth for values that did not come through the unit data's validation (the
    # site's overrides): no private-use mark, no line break inside one value.
    text = _PRIVATE.sub("", str(value))
    text = re.sub(r"\s*[\r\n\u2028\u2029]+\s*", " ", text)
    return f"{FILL_START}{text}{FILL_END}"


# ---- The fixed set of filters templates may use (see templates/README.md). Each is a small
# pure function on text, numbers, dates and lists, so a browser can do exactly the same.

def suffix(text, word: str) -> str:
    """安全生产 | suffix("工作") → 安全生产工作; 安全生产工作 | suffix("工作") → 安全生产工作."""
    text = "" if text is None else str(text)
    return text if text.endswith(word) else text + word


def items(values, sep: str = "；", end: str = "。") -> str:
    """A list of sentences as one: each item's own final punctuation dropped, joined with `sep`,
    closed with `end` (召开动员大会；印发实施方案。)."""
    parts = [str(v).strip().rstrip("。；;，,、.") for v in values or []]
    parts = [p for p in parts if p]
    return sep.join(parts) + end if parts else ""


def bare(text) -> str:
    """A sentence without its final punctuation, to continue it (一是……；二是……。)."""
    return str(text).strip().rstrip("。；;，,、.！!")


def names(members, sep: str = "、") -> str:
    """People as 刘建平、何小军."""
    return sep.join(m["name"] if isinstance(m, dict) else m.name for m in members or [])


def blank(what: str) -> str:
    """【待填写：what】 — a visible blank, counted and listed by `fanwen draft`."""
    return BLANK.format(what)


def or_blank(value, what: str):
    """The value, or a visible blank naming what belongs there."""
    if value is None or value == "" or value == []:
        return blank(what)
    return value


FILTERS = {"cn_date": lambda d: cn_date(d), "cn_range": lambda a, b: cn_range(a, b), "cn": lambda n: cn_number(n),
           "suffix": suffix, "items": items, "bare": bare, "names": names, "blank": blank, "or_blank": or_blank}


def _environment(root: Path | None) -> jinja2.Environment:
    return _cached_environment(templates_dir(root))


class _Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Templates are data, not code: no attribute starting with _, no method calls that change
    anything. The documented subset (templates/README.md) is what a browser will evaluate."""


# Every build and every `fanwen draft` compiled the templates again (about 0.2 s).
_COMPILED = cache.CompiledTemplates("draft")


@functools.lru_cache(maxsize=8)
def _cached_environment(folder: Path) -> jinja2.Environment:
    """One Jinja environment per templates folder, so compiled templates are reused; the
    loader tells Jinja when a file changed."""
    env = _Sandbox(loader=_Loader(folder), undefined=jinja2.StrictUndefined,
                   finalize=_finalize, keep_trailing_newline=True, autoescape=False,
                   bytecode_cache=_COMPILED)
    env.filters = {**{k: env.filters[k] for k in ("length", "first", "last", "join")}, **FILTERS}
    env.tests = {k: env.tests[k] for k in ("defined", "none", "equalto", "sameas")}
    env.globals = {}
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
    template file and line; a template that does not fit the unit's level says so."""
    template = find_template(slug, root)
    level = data.get("level") or DEFAULT_LEVEL
    if level not in template.levels:
        fix = template.not_for or f"此模板适用于：{'、'.join(template.levels)}。"
        if template.instead:  # the command line names the template's command, the site its title
            fix += f"（命令行：fanwen draft {template.instead}）"
        raise FanwenError(f"模板 `{slug}`（{template.name}）", f"不适用于“{level}”一级的单位", fix)
    try:
        return _environment(root).get_template(template.path.name).render(**data)
    except jinja2.TemplateSyntaxError as error:
        raise FanwenError(f"{template.path}:{error.lineno}", f"模板语法错误：{error.message}",
                          "检查这一行的 {{ }} 和 {% %} 是否成对。") from None
    except jinja2.UndefinedError as error:
        line = _template_line(error, template.path)
        raise FanwenError(f"{template.path}:{line}", f"模板用到了数据中没有的变量：{error.message}",
                          "在数据文件（如 data/unit.yml）中补上这一项，或改正模板中的变量名。") from None
    except jinja2.sandbox.SecurityError as error:
        line = _template_line(error, template.path)
        raise FanwenError(f"{template.path}:{line}", f"模板用了不允许的写法：{error}",
                          "模板只能用变量、if、for 和 templates/README.md 列出的过滤器。") from None


def wrap_notice(filled: str, context: dict, root: Path | None = None) -> str:
    """A plan as issued: 关于印发《…》的通知 (templates/_notice.md), the plan after a page break
    (its own 署名 and 日期 are the notice's), and the 版记 (抄送, 印发机关, 印发日期) at the end."""
    issue = context.get("issue") or {}
    title = _ZW.sub("", blocks(filled)[0][1])
    env = _environment(root)
    notice = env.get_template("_notice.md").render(**context, doc_title=title)
    body = "\n\n".join(block for block in filled.split("\n\n")
                        if not block.strip().startswith(("@sign ", "@date ")))
    issuer = issue.get("issuer") or context["unit"]["name"]  # or the office that prints it, if given
    when = issue.get("date") or context["plan_date"]
    record = (f"@cc 抄送：{_finalize('、'.join(issue['cc']))}。\n\n" if issue.get("cc") else "")
    record += f"@imprint {_finalize(issuer)}　　{_finalize(cn_date(when))}印发\n"
    return notice + "\n\n" + body.rstrip() + "\n\n" + record


def load_levels(root: Path | None = None) -> dict[str, dict[str, str]]:
    """data/levels.yml: each unit level (村, 社区, 乡镇 …, in the order forms list them) and its
    words. The levels a unit may have are these keys."""
    # Parsed once per version of the file: a build asks for the levels hundreds of times.
    return cached_data_file(data_file("levels.yml", root), _parse_levels)


def _parse_levels(path: Path) -> dict[str, dict[str, str]]:
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not raw or not all(isinstance(v, dict) for v in raw.values()):
        raise FanwenError(str(path), "应为映射：每个层级下是“键: 用词”", "参照文件开头的说明修改。")
    if DEFAULT_LEVEL not in raw:
        raise FanwenError(str(path), f"缺少层级 `{DEFAULT_LEVEL}` 的用词（没有写层级的单位按它起草）",
                          f"加上 `{DEFAULT_LEVEL}:` 一组用词。")
    return raw


def unit_levels(root: Path | None = None) -> tuple[str, ...]:
    """The levels a unit may have: the keys of data/levels.yml."""
    return tuple(load_levels(root))


def context(data: UnitData, root: Path | None = None) -> dict:
    """What templates see: the unit data, the shared phrases, the level's words (`lv`, with the
    unit's own `words` over them) and the leading group split by role."""
    level = data.unit.level or DEFAULT_LEVEL
    phrases = load_phrases(data_file("phrases.yml", root))
    values = data.model_dump()
    group = values["leading_group"]
    # A plan is dated when it starts, a report or summary when the work it reports on ends;
    # a report tells what was done up to its date and plans the phases after it.
    report_date = data.date or data.timeline[-1].end
    phases = values["timeline"]
    values.update(
        phrases=phrases.model_dump(), level=level, lv={**load_levels(root)[level], **data.words},
        leader=group[0], deputies=[m for m in group[1:] if m["role"] == "副组长"],
        members=[m for m in group[1:] if m["role"] != "副组长"],
        plan_date=data.date or data.timeline[0].start, report_date=report_date,
        done=[{**p, "until": min(p["end"], report_date)} for p in phases if p["start"] <= report_date],
        upcoming=[p for p in phases if p["start"] > report_date],
        # Every step present (None when the writer gave no dates), so templates can test it.
        election=values["election"] or {step: None for step in Election.model_fields})
    return values


def load_context(unit_file: Path, root: Path | None = None) -> tuple[dict, list[str]]:
    """A writer's data file as template context, with the warnings about it."""
    levels = unit_levels(root)
    data = load_unit(unit_file, levels)
    return context(data, root), check_unit(data, unit_file, levels)


def default_context(root: Path | None = None, unit_file: Path | None = None) -> dict:
    """Sample unit + shared phrases: what the site's template pages are filled with."""
    return context(load_unit(unit_file or data_file("unit.yml", root), unit_levels(root)), root)


# ----------------------------------------------------------------------------- outputs


_FILLED = re.compile(f"{FILL_START}(.*?){FILL_END}", re.S)


def _raw_blocks(filled: str) -> list[tuple[str, str]]:
    """(kind, text with FILL marks) per block: title, h1 (`一、`), h2 (`（一）`), to (主送机关),
    sign (发文机关署名), date (成文日期), attach (附件说明), center (a centred line), body.
    Kinds come only from the template's own text at the start of a block."""
    out = []
    for block in filled.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        kind = "body"
        for marker, name in MARKERS.items():
            if block.startswith(marker):
                kind, block = name, block[len(marker):].strip()
                break
        else:
            for marker, name in (("# ", "title"), ("## ", "h1"), ("### ", "h2")):
                if block.startswith(marker):
                    kind, block = name, block[len(marker):].strip()
                    break
        out.append((kind, " ".join(line.strip() for line in block.split("\n"))))
    return out


def _unmark(kind: str, text: str) -> str:
    if kind == "title":
        # Where a value meets the template's words is a word boundary: the .docx may break the
        # title there (zero-width spaces; the plain outputs drop them).
        text = re.sub("[\ue000\ue001]+", "\u200b", text).strip("\u200b")
        return re.sub("\u200b+", "\u200b", text)
    return text.replace(FILL_START, "").replace(FILL_END, "")


def blocks(filled: str) -> list[tuple[str, str]]:
    """(kind, text) per block, values unmarked (titles keep zero-width word boundaries)."""
    return [(kind, _unmark(kind, text)) for kind, text in _raw_blocks(filled)]


_ZW = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_MD_PREFIX = {"title": "# ", "h1": "## ", "h2": "### "}


def clean_markdown(filled: str) -> str:
    """The download: headings as Markdown headings, everything else plain paragraphs (no
    attribute markup)."""
    return "\n\n".join("---" if kind == "pagebreak" else _MD_PREFIX.get(kind, "") + _ZW.sub("", text)
                        for kind, text in blocks(filled)) + "\n"


def plain_text(filled: str) -> str:
    """复制全文: the document as clean plain text — no markup, no zero-width characters,
    Chinese numbering as written."""
    return _ZW.sub("", "\n".join(text for _, text in blocks(filled)) + "\n")


def blanks(filled: str) -> list[str]:
    """What the writer still has to fill in: the 【待填写：…】 blanks, in order."""
    return re.findall(r"【待填写：(.*?)】", plain_text(filled))


_HTML_CLASS = {"cc": "fw-cc", "imprint": "fw-imprint", "pagebreak": "fw-pagebreak", "title": "fw-doc-title", "h1": "fw-doc-h1", "h2": "fw-doc-h2", "to": "fw-to", "sign": "fw-sign",
               "date": "fw-date", "attach": "fw-attach", "center": "fw-center", "body": None}


def _value_html(value: str) -> str:
    css = "fw-blank" if value.startswith("【待填写：") else "fw-filled"
    return f'<span class="{css}">{html.escape(value, quote=False)}</span>'


def paper_html(filled: str) -> str:
    """The filled template as HTML for the site: the template's words and the values both
    escaped, values in a highlighting span. No Markdown is parsed here, so nothing in a value
    can become markup or an attribute."""
    out = []
    for kind, text in _raw_blocks(filled):
        pieces = re.split(f"({FILL_START}.*?{FILL_END})", text, flags=re.S)
        inner = "".join(_value_html(piece[1:-1]) if piece.startswith(FILL_START) else html.escape(piece, quote=False)
                        for piece in pieces if piece)
        css = _HTML_CLASS[kind]
        out.append(f'<p class="{css}">{inner}</p>' if css else f"<p>{inner}</p>")
    return '<div class="fw-paper">' + "".join(out) + "</div>"
