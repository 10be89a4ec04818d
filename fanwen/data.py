"""Loading the YAML files in data/ with errors that name the file, line and key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
import os
import re
from pathlib import Path

import yaml

from fanwen.errors import FanwenError

_data_dir: Path | None = None
_cache: dict[tuple[str, int], object] = {}


def data_dir() -> Path:
    """The project's data/ folder: set by the site plugin from mkdocs.yml's folder, else
    $FANWEN_DATA, else ./data (the CLI runs from the project root)."""
    return _data_dir or Path(os.environ.get("FANWEN_DATA", "data")).resolve()


def set_data_dir(path: Path) -> None:
    global _data_dir
    _data_dir = Path(path).resolve()


def cached_data_file(path: Path, parse):
    """Parse a data file once per version of it (mkdocs serve re-reads edited files)."""
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise FanwenError(str(path), "文件不存在", "在项目根目录运行命令，或从仓库恢复该文件。") from None
    if key not in _cache:
        _cache[key] = parse(path)
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


def load_yaml(path: Path):
    """Parse a YAML file; a syntax error names the file and line."""
    text = read_data_text(path)
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark else "未知行"
        problem = getattr(exc, "problem", None) or str(exc)
        raise FanwenError(f"{path}:{mark.line + 1 if mark else 0}", f"YAML 语法错误（{line}）：{problem}",
                          yaml_fix(exc, "检查该行的缩进、冒号和引号；YAML 用空格缩进，不能用 Tab。")) from None


def require(mapping, key: str, kind, path: Path, where: str):
    """Fetch mapping[key] and check its type, or fail naming the key path."""
    if not isinstance(mapping, dict) or key not in mapping:
        raise FanwenError(f"{path}: {where}{key}", f"缺少必填项 `{key}`", f"在 {where or '文件顶层'} 下添加 `{key}:`。")
    value = mapping[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise FanwenError(f"{path}: {where}{key}", f"`{key}` 应为 {names}，实际是 {type(value).__name__}",
                          f"把 `{key}` 改成 {names} 类型的值。")
    return value


def load_themes() -> tuple[dict, ...]:
    """The theme list, validated: slug (ASCII, unique), name, description, keywords."""
    return cached_data_file(data_dir() / "themes.yml", _parse_themes)


def _parse_themes(path: Path) -> tuple[dict, ...]:
    raw = load_yaml(path)
    if not isinstance(raw, list) or not raw:
        raise FanwenError(str(path), "主题列表应为非空的 YAML 列表（每项以 `- slug:` 开头）",
                          "参照文件开头的说明，每个主题写成一个列表项。")
    themes, seen = [], set()
    for i, item in enumerate(raw):
        where = f"[{i}]."
        slug = require(item, "slug", str, path, where)
        if not slug.isascii() or not slug.replace("-", "").isalnum() or slug != slug.lower():
            raise FanwenError(f"{path}: {where}slug", f"slug `{slug}` 不是小写 ASCII 字母、数字和连字符",
                              "slug 会成为网址的一部分，请改用如 `dangjian` 这样的拼音或英文。")
        if slug in seen:
            raise FanwenError(f"{path}: {where}slug", f"slug `{slug}` 重复", "每个主题的 slug 必须唯一。")
        seen.add(slug)
        name = require(item, "name", str, path, where)
        description = require(item, "description", str, path, where)
        keywords = require(item, "keywords", dict, path, where)
        for word, weight in keywords.items():
            if not isinstance(weight, (int, float)):
                raise FanwenError(f"{path}: {where}keywords.{word}", f"关键词权重应为数字，实际是 {weight!r}",
                                  "写成 `关键词: 2` 的形式。")
        themes.append({"slug": slug, "name": name, "description": description,
                       "keywords": {str(k): float(v) for k, v in keywords.items()}})
    return tuple(themes)


def load_rules(name: str) -> dict:
    """A rules file from data/ (classify.yml, boilerplate.yml) as a dict."""
    return cached_data_file(data_dir() / name, _parse_rules)


def _parse_rules(path: Path) -> dict:
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise FanwenError(str(path), "应为 YAML 映射（键: 值）", "参照仓库中的原始文件恢复其结构。")
    return raw


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

def _line_of(path: Path, needle: str) -> int:
    """The first line of a data file that mentions `needle` (for file:line in errors), else 0."""
    try:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle and needle in line:
                return no
    except OSError:
        pass
    return 0


def rule_value(name: str, key: str, kind):
    """data/<name>[key], checked for type: a wrong value fails with the file and line."""
    path = data_dir() / name
    rules = load_rules(name)
    if key not in rules:
        raise FanwenError(f"{path}:0", f"缺少必填项 `{key}`", f"在 {name} 顶层添加 `{key}:`（参照仓库中的原始文件）。")
    value = rules[key]
    element = None
    if isinstance(kind, tuple) and kind and kind[0] is list:
        kind, element = list, kind[1]
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok and element is not None:
        ok = all(isinstance(v, element) and not isinstance(v, bool) for v in value)
    if not ok:
        names = kind.__name__ + (f" of {element.__name__}" if element else "")
        raise FanwenError(f"{path}:{_line_of(path, key + ':')}", f"`{key}` 应为 {names}，实际是 {value!r}",
                          f"把 `{key}` 改成 {names} 类型的值（列表写成 `[甲, 乙]`）。")
    return value


def compile_rule(name: str, pattern, where: str):
    """A regular expression from a data file; a bad one fails with file:line, not a traceback."""
    import re

    path = data_dir() / name
    if not isinstance(pattern, str):
        raise FanwenError(f"{path}:{_line_of(path, where)}", f"`{where}` 的 pattern 应为字符串，实际是 {pattern!r}",
                          "用单引号把正则表达式括起来：pattern: '…'。")
    try:
        return re.compile(pattern)
    except re.error as exc:
        line = _line_of(path, pattern[:30]) or _line_of(path, where)
        raise FanwenError(f"{path}:{line}", f"正则表达式有误（{where}）：{exc}",
                          "检查括号是否成对、转义是否正确；YAML 中用单引号括起正则表达式。") from None


@dataclass(frozen=True)
class Status:
    name: str
    note: str
    quiet: bool
    reliable: bool


def load_statuses() -> tuple[Status, ...]:
    """data/status.yml: the quality statuses, mildest first, validated with file:line errors."""
    return cached_data_file(data_dir() / "status.yml", _parse_statuses)


def _parse_statuses(path: Path) -> tuple[Status, ...]:
    raw = load_yaml(path)
    items = require(raw, "statuses", list, path, "")
    found = []
    for i, item in enumerate(items):
        where = f"statuses[{i}]."
        name = require(item, "name", str, path, where)
        note = require(item, "note", str, path, where)
        reliable = require(item, "reliable", bool, path, where)
        quiet = item.get("quiet", False) if isinstance(item, dict) else False
        if not isinstance(quiet, bool):
            raise FanwenError(f"{path}:{_line_of(path, 'quiet:')}: {where}quiet", "`quiet` 应为 true 或 false",
                              "写 `quiet: true` 或删掉这一行。")
        found.append(Status(name, note, quiet, reliable))
    if not found or found[0].name != "完整":
        raise FanwenError(f"{path}: statuses[0]", "第一个状态应为“完整”（没有问题的范文）", "把“完整”放在列表第一项。")
    return tuple(found)


def status_names() -> tuple[str, ...]:
    return tuple(s.name for s in load_statuses())
