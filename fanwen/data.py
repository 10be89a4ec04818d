"""Loading the YAML files in data/ with errors that name the file, line and key."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path

import yaml

from fanwen.errors import FanwenError

_data_dir: Path | None = None  # the built project's data/, while a site build runs
_cache: dict[tuple[str, int, str], object] = {}
# While a site build runs (hold_data_files … release_data_files), each data file is looked at once:
# a 10,000-page build asks for data/status.yml tens of thousands of times, and stat-ing it each
# time cost a second of every `make serve` rebuild. An edit during the build starts another one.
_held: dict[tuple[str, str], object] | None = None


def data_dir() -> Path:
    """The project's data/ folder: during a site build the one beside its mkdocs.yml, else
    $FANWEN_DATA, else ./data (the CLI runs from the project root)."""
    return _data_dir or Path(os.environ.get("FANWEN_DATA", "data")).resolve()


def hold_data_files(folder: Path) -> None:
    """From now until release_data_files (a site build: the plugin's on_config to its end), data
    files come from `folder` and are taken as they are at first use. Released, the folder is
    forgotten: a later build or command in the same process (`mkdocs serve`, the tests) reads
    its own project's files, never those of the last site built."""
    global _held, _data_dir
    _data_dir, _held = Path(folder).resolve(), {}


def release_data_files() -> None:
    global _held, _data_dir
    _data_dir, _held = None, None


@contextlib.contextmanager
def data_files_held():
    """The data files of the current folder (`data_dir`) held for the length of one command, e.g.
    an import: its importer asks for the rules several times per line (5,800 times for the real
    collections, a third of a cached import). Inside a site build's hold it changes nothing."""
    if _held is not None:
        yield
        return
    hold_data_files(data_dir())
    try:
        yield
    finally:
        release_data_files()


def cached_data_file(path: Path, parse):
    """Parse a data file once per version of it (mkdocs serve re-reads edited files)."""
    held = (str(path), getattr(parse, "__qualname__", ""))
    if _held is not None and held in _held:
        return _held[held]
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise FanwenError(str(path), "文件不存在", "在项目根目录运行命令，或从仓库恢复该文件。") from None
    key = (*key, getattr(parse, "__qualname__", ""))  # one file may be read two ways
    if key not in _cache:
        _cache[key] = parse(path)
    if _held is not None:
        _held[held] = _cache[key]
    return _cache[key]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser where built in
    """Safe loading, with dates left as text: `title: 2027-02-28` stays the text it reads as,
    and an impossible date (`2027-02-30`) is not a crash inside PyYAML. Fields that are dates
    are parsed by their models, which report a bad date with its key and line."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


LOADER = _Loader


ANCHOR_PROBLEM = "不支持 YAML 锚点和别名（& 与 *）"
ANCHOR_FIX = "把 `*名字` 引用处直接写出完整的值，并删掉 `&名字`。"


def yaml_fix(exc: yaml.YAMLError, fix: str) -> str:
    """The fix to print for a YAML error: `fix`, unless the problem is an anchor or alias."""
    return ANCHOR_FIX if getattr(exc, "problem", None) == ANCHOR_PROBLEM else fix


def parse_yaml(text: str):
    """yaml.safe_load without anchors and aliases (`&a` / `*a`). Our data files never need them,
    and a kilobyte of nested aliases expands into gigabytes (a "billion laughs" bomb): they are
    refused before anything is built. Raises yaml.MarkedYAMLError with the anchor's line."""
    if "&" in text:  # no anchor, no alias: the common case costs one substring search
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.MarkedYAMLError(problem=ANCHOR_PROBLEM, problem_mark=event.start_mark)
    return yaml.load(text, Loader=LOADER)


def _gb_plausible(text: str) -> bool:
    """GB18030 decodes almost any byte string (Big5 or Shift-JIS "succeed" as garbage): take it
    only when nearly all its Chinese characters are common ones (GB2312)."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    common = sum(1 for c in han if len(c.encode("gb18030")) == 2 and c.encode("gb18030")[0] >= 0xB0)
    return not han or common / len(han) >= 0.9


def read_data_text(path: Path) -> str:
    """A data file's text: UTF-8 (with or without BOM) or GB18030/GBK, as Windows editors save it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FanwenError(str(path), "文件不存在", "检查路径是否正确，或从仓库恢复该文件。") from None
    except IsADirectoryError:
        raise FanwenError(str(path), "这是一个文件夹，不是数据文件", "指定一个 .yml 文件。") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or not _gb_plausible(text):
        raise FanwenError(str(path), "无法识别文件的编码（不是 UTF-8，也不是 GBK/GB18030）",
                          "用记事本或 WPS 打开，另存为“UTF-8”编码后重试。")
    return text


_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")

IMPOSSIBLE_DATE_FIX = "改成实际存在的日期（注意各月天数，如 2 月没有 30 日），写成 2027-03-01 的形式。"


def impossible_date(value) -> bool:
    """A text that is written as a date but names none (2027-02-30). YAML leaves dates as text
    here (parse_yaml), so the model that wants a date reports it; this says why."""
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match:
        return False
    try:
        dt.date(*map(int, match.groups()))
    except ValueError:
        return True
    return False


# PyYAML's problems (its own words and libyaml's), in the keeper's words: the first entry whose
# English is in the problem text; a problem not listed is shown as PyYAML words it.
YAML_PROBLEMS = [
    ("mapping values are not allowed", "这里不能再写“键: 值”（值里有冒号时给整个值加上引号，或检查缩进）"),
    ("could not find expected ':'", "缺少冒号（写成“键: 值”，冒号后有一个空格）"),
    ("tab character", "这一行用了 Tab（YAML 只能用空格缩进）"),
    ("'\\t' that cannot start any token", "这一行用了 Tab（YAML 只能用空格缩进）"),
    ("cannot start any token", "有一个不能出现在这里的字符（Tab 缩进，或值开头的 @、`、%：这样的值要加引号）"),
    ("expected <block end>", "缩进不一致：同一层的各项要对齐"),
    ("expected key", "缩进不一致，或列表项（- ）与“键: 值”混在了同一层"),
    ("expected '-' indicator", "列表项（- ）的缩进不一致"),
    ("node content", "这里缺少一个值"),
    ("unexpected end of stream", "引号没有闭合（到文件末尾也没有找到结束的引号）"),
    ("found unexpected ':'", "多了一个冒号（值里有冒号时给整个值加上引号）"),
    ("expected ',' or ']'", "方括号 [ ] 里的列表没有正确结束（缺少逗号或 ]）"),
    ("expected ',' or '}'", "花括号 { } 没有正确结束（缺少逗号或 }）"),
    ("unknown escape character", "双引号里有无法识别的反斜杠转义（改用单引号，或把 \\ 写成 \\\\）"),
    ("another document", "文件里有多余的 `---`（一个文件只能有一份 YAML）"),
    ("<document start>", "前面的内容已经完整，这里多出了东西（多了一个括号或引号，或缩进退到了最左边）"),
]


def yaml_problem(problem: str) -> str:
    return next((chinese for english, chinese in YAML_PROBLEMS if english in problem), problem)


def yaml_error(where: str, exc: yaml.YAMLError, fix: str, first_line: int = 1, what: str = "YAML 语法错误") -> FanwenError:
    """A YAML syntax error as the keeper reads it: `file:line`, the problem, what to do. The
    YAML may start at line `first_line` of the file (front matter starts at line 2)."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + first_line if mark else 0
    problem = yaml_problem(getattr(exc, "problem", None) or str(exc))
    return FanwenError(f"{where}:{line}", f"{what}（第 {line} 行）：{problem}" if line else f"{what}：{problem}",
                       yaml_fix(exc, fix))


def load_yaml(path: Path):
    """Parse a YAML file; a syntax error names the file and line."""
    text = read_data_text(path)
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        raise yaml_error(str(path), exc, "检查该行的缩进、冒号和引号；YAML 用空格缩进，不能用 Tab。") from None


def split_front_matter(where: str, text: str, fix: str) -> tuple[dict, str] | None:
    """(front matter, the rest) of a page or template that starts with `---`, else None.
    Broken YAML names the file and its line (the front matter starts at line 2)."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end == -1:
        raise FanwenError(where, "front matter 没有结束行 `---`", "在元数据之后加一行 `---`。")
    try:
        meta = parse_yaml(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise yaml_error(where, exc, fix, first_line=2, what="front matter 不是合法的 YAML") from None
    if not isinstance(meta, dict):
        raise FanwenError(f"{where}:2", "front matter 应为 `键: 值` 的映射", fix)
    return meta, text[end + 5:]


# ---------------------------------------------------------------------------------------------
# The one way a data file is checked: a pydantic model per file (fanwen/schema.py for the rules
# in data/, fanwen/drafting/unitdata.py for unit data), and the first problem reported as
# `file:line: key.path` with what was expected, in Chinese. The line comes from the YAML node
# of the key path, so the keeper lands on the value to fix.

_EXPECTED = {
    "missing": "缺少必填项",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（如 2027-03-01）",
    "date_from_datetime_parsing": "应为日期（如 2027-03-01）",
    "date_from_datetime_inexact": "应为日期（如 2027-03-01），不带时间",
    "date_parsing": "应为日期（如 2027-03-01）",
    "list_type": "应为列表（每项以 - 开头）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "dict_type": "应为映射（键: 值）",
    "too_short": "至少要有一项",
    "extra_forbidden": "不是可用的项（拼写有误？）",
    "greater_than_equal": "太小",
    "greater_than": "太小",
    "less_than_equal": "太大",
    "literal_error": "不在可用的取值中",
}


def key_path(loc: tuple) -> str:
    """('timeline', 0, 'start') → timeline[0].start, as the keeper reads the file."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def line_of_key(text: str, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at `loc` (or of its nearest existing parent)."""
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


def _typed(value) -> str:
    """A wrong value as the keeper typed it (not as Python prints it)."""
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, (int, float)):
        return str(value)
    return "（列表或映射）" if isinstance(value, (list, dict)) else "（空）" if value is None else str(value)


def validate(where: str, raw, model, fix: str, text: str = "", first_line: int = 1, context: dict | None = None):
    """`raw` (parsed YAML) as an instance of the pydantic `model`, or a FanwenError naming
    `where` (a file), the line of the offending key in `text` (the YAML it came from, which
    starts at line `first_line` of the file) and the key path. `context` reaches the model's
    validators (the values a field may take when they come from another data file)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(raw if raw is not None else {}, context=context)
    except ValidationError as error:
        errors = error.errors()
        # A misspelt key shows up twice: as an unknown key and as a missing one. Report the
        # unknown one (it has a line to point at) and name the key it probably meant.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        meant = [e["loc"][-1] for e in errors if e["type"] == "missing" and e["loc"][:-1] == first["loc"][:-1]]
        loc = tuple(first["loc"])
        # A model over a bare list or mapping (RootModel) reports its key paths under "root".
        loc = loc[1:] if loc[:1] == ("root",) else loc
        line = line_of_key(text, loc) if text else None
        line = line + first_line - 1 if line else first_line
        at = f"{where}:{line}" + (f": {key_path(loc)}" if loc else "")
        name = f"`{key_path(loc)}` " if loc else ""
        if first["type"] in ("date_from_datetime_parsing", "date_parsing") and impossible_date(first.get("input")):
            raise FanwenError(at, f"日期 {first['input']} 不存在", IMPOSSIBLE_DATE_FIX) from None
        if first["type"] in ("value_error", "assertion_error"):
            # Our own validators' messages, without pydantic's "Value error, " prefix.
            expected, got = str(first.get("ctx", {}).get("error", first["msg"])), ""
            if "input" in first and not isinstance(first["input"], (dict, list)):
                got = f"（现在是 {_typed(first['input'])}）"
        elif first["type"] == "literal_error":
            choices = str(first.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", " 或 ")
            expected, got = f"应为 {choices}".replace(", ", "、"), f"，现在是 {_typed(first.get('input'))}"
        else:
            expected = _EXPECTED.get(first["type"], "写法不对")
            got = "" if first["type"] in ("missing", "extra_forbidden") else f"，现在是 {_typed(first.get('input'))}"
            if first["type"] == "extra_forbidden" and meant:
                got = f"（应为 `{meant[0]}`？）"
        more = f"（另有 {error.error_count() - 1} 处问题）" if error.error_count() > 1 else ""
        raise FanwenError(at, f"{name}{expected}{got}{more}", fix) from None


def load_model(path: Path, model, fix: str, context: dict | None = None):
    """A YAML data file validated by its model (see `validate`)."""
    return validate(str(path), load_yaml(path), model, fix, read_data_text(path), context=context)


RULES_FIX = "参照仓库中的原始文件和文件开头的说明修改这一项（正则表达式用单引号括起）。"


def load_rules(name: str):
    """A rules file from data/ (themes, classify, boilerplate, split, repairs, status, sections,
    office), checked against its model in fanwen/schema.py, as plain data."""
    from fanwen.schema import RULES

    def parse(path: Path):
        return load_model(path, RULES[name], RULES_FIX).model_dump()
    return cached_data_file(data_dir() / name, parse)


def load_themes() -> tuple[dict, ...]:
    """The themes (data/themes.yml): slug, name, description, keywords (word → weight)."""
    from fanwen.schema import RULES

    def parse(path: Path):
        return tuple(load_model(path, RULES["themes.yml"], RULES_FIX).model_dump())
    return cached_data_file(data_dir() / "themes.yml", parse)


def document_types() -> tuple[str, ...]:
    """方案, 报告, …: the types of data/classify.yml in their order, then 其他. Defined there
    once: the importer classifies into them, and every list, filter and count of the site
    follows them (a new type in classify.yml is a new group everywhere)."""
    return (*[t for t in load_rules("classify.yml")["types"] if t != "其他"], "其他")


def document_levels() -> tuple[str, ...]:
    """村, 乡镇, …: the levels of data/classify.yml in their order, then 其他."""
    return (*[v for v in load_rules("classify.yml")["levels"] if v != "其他"], "其他")


def load_statuses():
    """data/status.yml: the quality statuses, mildest first (fanwen.schema.Status)."""
    from fanwen.schema import RULES

    def parse(path: Path):
        return tuple(load_model(path, RULES["status.yml"], RULES_FIX).statuses)
    return cached_data_file(data_dir() / "status.yml", parse)


def status_names() -> tuple[str, ...]:
    return tuple(s.name for s in load_statuses())


def shown(value) -> str:
    """A front-matter value as a user reads it in a message (not Python's repr)."""
    kinds = {list: "列表", dict: "映射", bool: "真假值", int: "数字", float: "数字", type(None): "空值"}
    if isinstance(value, (dt.date, dt.datetime)):
        return f"日期 {value.isoformat()}"
    if isinstance(value, str):
        return f"“{value}”" if value else "空文字"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"数字 {value}"
    return kinds.get(type(value), "其他类型")
