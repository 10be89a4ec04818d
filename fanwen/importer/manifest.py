"""Curation without code: `sources/<collection>.yml` overrides the importer's decisions.

A manifest lists the documents of one collection by source line range, with optional
title, type, level and theme, or `drop: true`. `fanwen import --write-manifest` writes a
draft from the importer's own decisions so that a keeper corrects rather than writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from fanwen.data import document_levels, document_types, load_themes, load_yaml, shown, status_names
from fanwen.errors import FanwenError
from fanwen.importer.repair import unify_placeholders
from fanwen.importer.text import strip_invisible

HEADER = """\
# 整理清单：{name}
# 由 `fanwen import --write-manifest` 按导入规则生成，供人工校订；改完后重新运行 `make import`。
# 每一项是一篇文档：start / end 为源文件中的起止行号（含），行号从 1 开始。
# 可修改 title（标题）、type（{types}）、level（{levels}）、
# theme（主题 slug，见 data/themes.yml）；不想收录的文档写 drop: true。
# 未被任何一项覆盖的行不会出现在网站上，并在导入报告中列出。
"""


@dataclass(frozen=True)
class ManifestEntry:
    start: int
    end: int
    title: str | None = None
    type: str | None = None
    level: str | None = None
    theme: str | None = None
    drop: bool = False
    status: str | None = None

    def overrides(self) -> dict:
        return {k: v for k, v in (("title", self.title), ("type", self.type), ("level", self.level),
                                  ("theme", self.theme), ("status", self.status)) if v is not None}


def manifest_path(source: Path) -> Path:
    return source.with_suffix(".yml")


def _fail(path: Path, key: str, problem: str, fix: str):
    raise FanwenError(f"{path}: {key}", problem, fix)


def load_manifest(source: Path, line_count: int) -> list[ManifestEntry] | None:
    """The manifest next to `source`, validated against the source, or None if there is none."""
    path = manifest_path(source)
    if not path.exists():
        return None
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        _fail(path, "documents", "清单应有 `documents:` 列表", "参照 `fanwen import --write-manifest` 生成的草稿格式。")
    slugs = {t["slug"] for t in load_themes()}
    entries: list[ManifestEntry] = []
    for i, item in enumerate(raw["documents"]):
        key = f"documents[{i}]"
        if not isinstance(item, dict):
            _fail(path, key, "每一项应为 `start: …, end: …` 的映射", "写成 `- start: 5` 换行 `  end: 72` 的形式。")
        unknown = set(item) - {"start", "end", "title", "type", "level", "theme", "drop", "note", "status"}
        if unknown:
            _fail(path, f"{key}.{sorted(unknown)[0]}", f"不认识的键 `{sorted(unknown)[0]}`",
                  "可用的键：start、end、title、type、level、theme、status、drop、note。")
        for bound in ("start", "end"):
            value = item.get(bound)
            if not isinstance(value, int) or isinstance(value, bool):
                _fail(path, f"{key}.{bound}", f"`{bound}` 应为行号（整数），实际是 {shown(value)}", "填写源文件中的行号，从 1 开始。")
            if not 1 <= value <= line_count:
                _fail(path, f"{key}.{bound}", f"行号 {value} 超出源文件范围（{source.name} 共 {line_count} 行）",
                      f"改成 1 到 {line_count} 之间的行号。")
        for name in ("title", "note"):
            value = item.get(name)
            if value is not None and (not isinstance(value, str) or not value.strip()
                                      or (name == "title" and "\n" in value.strip())):
                _fail(path, f"{key}.{name}", f"`{name}` 应为一行文字，实际是 {shown(value)}",
                      f"把它写成文字，两边加引号（如 {name}: \"…\"）；日期、数字和列表要加引号才是文字。")
        for name in ("type", "level", "theme", "status"):
            if item.get(name) is not None and not isinstance(item[name], str):
                _fail(path, f"{key}.{name}", f"`{name}` 应为文字，实际是 {shown(item[name])}", "只写一个取值，不要写成列表。")
        if not isinstance(item.get("drop", False), bool):
            _fail(path, f"{key}.drop", f"`drop` 应为 true 或 false，实际是 {shown(item['drop'])}", "写 `drop: true` 或删掉这一行。")
        if item["start"] > item["end"]:
            _fail(path, f"{key}.end", f"结束行 {item['end']} 在起始行 {item['start']} 之前", "交换两者或改正行号。")
        if item.get("type") is not None and item["type"] not in document_types():
            _fail(path, f"{key}.type", f"未知文种 `{item['type']}`", f"改成 {'、'.join(document_types())} 之一。")
        if item.get("level") is not None and item["level"] not in document_levels():
            _fail(path, f"{key}.level", f"未知层级 `{item['level']}`", f"改成 {'、'.join(document_levels())} 之一。")
        if item.get("status") is not None and item["status"] not in status_names():
            _fail(path, f"{key}.status", f"未知状态 `{item['status']}`", f"改成 {'、'.join(status_names())} 之一。")
        if item.get("theme") is not None and item["theme"] not in slugs:
            _fail(path, f"{key}.theme", f"未知主题 `{item['theme']}`",
                  f"改成 data/themes.yml 中的 slug 之一（{', '.join(sorted(slugs))}），或先在该文件中添加主题。")
        # A keeper's title is text like any other: invisible characters out, placeholders (xx, XX)
        # in the one form the site shows (××).
        title = unify_placeholders(strip_invisible(item["title"]).strip())[0] if item.get("title") is not None else None
        entries.append(ManifestEntry(item["start"], item["end"], title, item.get("type"), item.get("level"),
                             item.get("theme"), bool(item.get("drop", False)), item.get("status")))
    ordered = sorted(enumerate(entries), key=lambda pair: pair[1].start)
    for (i, a), (j, b) in zip(ordered, ordered[1:]):
        if b.start <= a.end:
            _fail(path, f"documents[{j}].start",
                  f"第 {j + 1} 项（{b.start}–{b.end} 行）与第 {i + 1} 项（{a.start}–{a.end} 行）重叠",
                  "每一行只能属于一篇文档：调整其中一项的 start 或 end。")
    return entries


def render_manifest(source_name: str, documents: list[dict], duplicates: list[dict]) -> str:
    """A manifest draft from the importer's decisions (report entries of one source)."""
    items = [({"start": d["start_line"], "end": d["end_line"], "title": d["title"], "type": d["type"],
               "level": d["level"], "theme": d["theme"]}, d.get("flags") or []) for d in documents]
    items += [({"start": d["start_line"], "end": d["end_line"], "drop": True, "note": f"与 {d['duplicate_of']} 重复"}, [])
              for d in duplicates]
    items.sort(key=lambda pair: pair[0]["start"])
    lines = ["documents:"]
    for item, flags in items:
        # What the rules were unsure of sits right above the entry it concerns, as a comment:
        # the keeper checks exactly these spots.
        lines += [f"# 需要人工确认（第 {f['line']} 行）：{f['kind']}——{_one_line(f.get('detail', ''))}" for f in sorted(flags, key=lambda f: f["line"])]
        lines.append(yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1000).rstrip("\n"))
    count = sum(len(flags) for _, flags in items)
    header = HEADER.format(name=source_name, types="、".join(document_types()), levels="、".join(document_levels()))
    if count:
        header += f"# 导入规则没有把握的地方共 {count} 处，已在对应条目上方以“需要人工确认”注明。\n"
    return header + "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:60]
