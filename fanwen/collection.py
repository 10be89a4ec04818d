"""One raw collection → cleaned lines, removed lines (with reasons) and document units."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .data import load_rules
from .split import Line, Unit, find_markers, is_title_line, split_unit
from .text import decode_source, remove_pinyin, to_simplified
from .errors import FanwenError


@dataclass
class Removal:
    """Text that the importer took out, and why: a whole line or a span of one."""

    line: int
    text: str
    reason: str
    whole_line: bool = True

    def as_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "reason": self.reason,
                **({} if self.whole_line else {"inline": True})}


@dataclass
class Collection:
    path: Path
    chars_in: int = 0
    title: str | None = None
    lines: list[Line] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    converted_chars: int = 0  # characters that t2s changed

    @property
    def id(self) -> str:
        return self.path.stem


def _compile(entries: list[dict]) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(e["pattern"]), e["reason"]) for e in entries]


def _first_match(rules: list[tuple[re.Pattern, str]], text: str) -> str | None:
    return next((reason for pattern, reason in rules if pattern.search(text)), None)


def clean_lines(collection: Collection, text: str) -> None:
    """Per line: drop pinyin annotations, fold to simplified, trim; record every removal."""
    for no, raw in enumerate(text.split("\n"), start=1):
        collection.chars_in += len(raw)
        without_pinyin, pinyin = remove_pinyin(raw)
        if pinyin:
            collection.removed.append(Removal(no, "".join(pinyin), "拼音注音", whole_line=False))
        stripped = without_pinyin.strip()
        if len(stripped) != len(without_pinyin):
            spaces = len(without_pinyin) - len(stripped)
            collection.removed.append(Removal(no, " " * spaces if stripped else without_pinyin,
                                              "行首尾空白" if stripped else "空白行", whole_line=not stripped))
        if not stripped:
            continue
        simplified = to_simplified(stripped)
        collection.converted_chars += sum(a != b for a, b in zip(stripped, simplified))
        collection.lines.append(Line(no, simplified))


def _is_collection_title(line: Line, has_markers: bool) -> bool:
    """The file's first line names the collection when it is a bare title followed by articles."""
    text = line.text
    return line.no == 1 and is_title_line(text) and (
        has_markers or text.endswith("范文") or bool(re.search(r"[(（](精选|通用)\d+篇[)）]$", text)))


def remove_boilerplate(collection: Collection) -> None:
    """Take out the collection title, the site's lead, leftovers and the trailing link lists."""
    rules = load_rules("boilerplate.yml")
    lead, anywhere = _compile(rules["lead"]), _compile(rules["anywhere"])
    tail_start = _compile(rules["tail"]["start"])
    list_rule = rules["tail"]["list_item"]
    lines = collection.lines
    markers = find_markers(lines)
    first_marker = min(markers) if markers else None
    keep: list[Line] = []
    in_tail = False
    last_marker = max(markers) if markers else -1
    for i, line in enumerate(lines):
        reason = None
        if i == 0 and _is_collection_title(line, bool(markers)):
            collection.title = line.text
            reason = "合集标题"
        elif first_marker is not None and i < first_marker:
            reason = _first_match(lead, line.text) or "首篇标记之前的文字"
        elif first_marker is None and not keep and _first_match(lead, line.text):
            reason = _first_match(lead, line.text)
        elif i > last_marker and (in_tail or _first_match(tail_start, line.text)):
            started = _first_match(tail_start, line.text)
            if started or (len(line.text) <= list_rule["max_chars"] and "。" not in line.text):
                in_tail = True
                reason = started or list_rule["reason"]
        if reason is None:
            reason = _first_match(anywhere, line.text)
        if reason:
            collection.removed.append(Removal(line.no, line.text, reason))
        else:
            keep.append(line)
    collection.lines = keep


def split_into_units(collection: Collection) -> None:
    """Markers first; then each unit (or the whole file) is split further by structure."""
    markers = find_markers(collection.lines)
    units: list[Unit] = []
    current: Unit | None = None
    for i, line in enumerate(collection.lines):
        if i in markers:
            current = Unit(lines=[], marker=line, reasons=["分篇标记"])
            units.append(current)
            collection.removed.append(Removal(line.no, line.text, "分篇标记"))
        else:
            if current is None:
                current = Unit(lines=[], reasons=["合集开头"])
                units.append(current)
            current.lines.append(line)
    article = 0
    for unit in units:
        if not unit.lines:
            continue
        article += 1
        parts = split_unit(unit)
        for n, part in enumerate(parts, start=1):
            part.index = article if unit.marker else len(collection.units) + 1
            part.part = n if len(parts) > 1 and unit.marker else 0
            collection.units.append(part)
    if not collection.units:
        raise FanwenError(str(collection.path), "没有识别出任何文章（去掉站点套话后没有正文）",
                          "确认文件是范文合集；若正文被误判为套话，在 data/boilerplate.yml 中收紧对应规则。")


def read_collection(path: Path) -> Collection:
    """Read, clean and split one raw collection file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FanwenError(str(path), "源文件不存在", "检查文件名；源文件应放在 sources/ 目录下。") from None
    except IsADirectoryError:
        raise FanwenError(str(path), "这是一个目录，不是文本文件", "传入目录下的 .txt 文件，如 sources/*.txt。") from None
    collection = Collection(path=path)
    clean_lines(collection, decode_source(path, data))
    remove_boilerplate(collection)
    split_into_units(collection)
    return collection


def unit_source_label(collection: Collection, unit: Unit) -> str:
    """Human-readable origin: `000_…txt 第 3 篇` (or `第 13 篇之 2`)."""
    label = f"{collection.path.name} 第 {unit.index} 篇"
    return f"{label}之 {unit.part}" if unit.part else label
