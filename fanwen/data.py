"""Loading the YAML files in data/ with errors that name the file, line and key."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from .errors import FanwenError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


def load_yaml(path: Path):
    """Parse a YAML file; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FanwenError(str(path), "文件不存在", "检查路径是否正确，或从仓库恢复该文件。") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark else "未知行"
        problem = getattr(exc, "problem", None) or str(exc)
        raise FanwenError(f"{path}:{mark.line + 1 if mark else 0}", f"YAML 语法错误（{line}）：{problem}",
                          "检查该行的缩进、冒号和引号；YAML 用空格缩进，不能用 Tab。") from None


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


@lru_cache(maxsize=None)
def load_themes(path: Path = DATA_DIR / "themes.yml") -> tuple[dict, ...]:
    """The theme list, validated: slug (ASCII, unique), name, description, keywords."""
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


@lru_cache(maxsize=None)
def load_rules(name: str) -> dict:
    """A rules file from data/ (classify.yml, boilerplate.yml) as a dict."""
    path = DATA_DIR / name
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise FanwenError(str(path), "应为 YAML 映射（键: 值）", "参照仓库中的原始文件恢复其结构。")
    return raw
