"""One raw collection → cleaned lines, removed lines (with reasons) and document units."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fanwen.data import load_rules
from fanwen.importer.split import Line, Chunk, find_markers, is_title_line, parse_marker, split_chunk
from fanwen.importer.text import decode_source, remove_pinyin, to_simplified
from fanwen.errors import FanwenError
from fanwen.importer.manifest import ManifestEntry, load_manifest, manifest_path
from fanwen.importer.mojibake import UNREADABLE, LineRepair, repair_lines
from fanwen.importer.repair import repair_line, round_trip_table
from fanwen.importer.structure import repair_structure


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
    units: list[Chunk] = field(default_factory=list)
    converted_chars: int = 0  # characters that t2s changed
    repairs: dict[str, int] = field(default_factory=dict)  # kind → number of repairs
    changes: list[dict] = field(default_factory=list)  # per line: kind and count
    chars_added: int = 0  # characters repairs put in (flagged gaps, heading numbers)

    @property
    def id(self) -> str:
        return self.path.stem


def _compile(entries: list[dict], section: str = "") -> list[tuple[re.Pattern, str]]:
    """Rules of data/boilerplate.yml (checked on load, fanwen/schema.py) as (pattern, reason)."""
    return [(re.compile(entry["pattern"]), entry["reason"]) for entry in entries or []]


def _first_match(rules: list[tuple[re.Pattern, str]], text: str) -> str | None:
    return next((reason for pattern, reason in rules if pattern.search(text)), None)


def record_edits(collection: Collection, no: int, edits) -> None:
    for edit in edits:
        collection.repairs[edit.kind] = collection.repairs.get(edit.kind, 0) + edit.count
        collection.changes.append({"line": no, "kind": edit.kind, "count": edit.count})
        collection.chars_added += edit.added
        if edit.removed:
            collection.removed.append(Removal(no, "".join(edit.removed), edit.kind, whole_line=False))


@dataclass
class CleanedLine:
    text: str  # what goes on to boilerplate removal and splitting ("" for a blank line)
    pinyin: list[str]  # annotations removed
    whitespace: str  # leading/trailing whitespace removed
    converted: int  # characters OpenCC changed
    edits: list  # repairs (fanwen.repair.Edit)


def clean_line(raw: str, inline_ads: list[re.Pattern], round_trip: list[tuple[str, str]] = ()) -> CleanedLine:
    """One raw line: drop pinyin annotations, trim, fold to simplified, repair."""
    without_pinyin, pinyin = remove_pinyin(raw)
    stripped = without_pinyin.strip()
    lead = len(without_pinyin) - len(without_pinyin.lstrip())
    whitespace = without_pinyin[:lead] + without_pinyin[lead + len(stripped):] if stripped else without_pinyin
    simplified = to_simplified(stripped)
    repaired, edits = repair_line(simplified, inline_ads, round_trip) if stripped else ("", [])
    return CleanedLine(repaired, pinyin, whitespace, sum(a != b for a, b in zip(stripped, simplified)), edits)


def account_cleaning(collection: Collection, no: int, cleaned: CleanedLine) -> None:
    """Record what cleaning line `no` took out (pinyin, whitespace) and changed, so the report's
    character accounting balances. Text collections and office files share it."""
    if cleaned.pinyin:
        collection.removed.append(Removal(no, "".join(cleaned.pinyin), "拼音注音", whole_line=False))
    if cleaned.whitespace:
        collection.removed.append(Removal(no, cleaned.whitespace, "行首尾空白" if cleaned.text else "空白行",
                                          whole_line=not cleaned.text))
    collection.converted_chars += cleaned.converted
    record_edits(collection, no, cleaned.edits)


def inline_ad_patterns() -> list[re.Pattern]:
    return [pattern for pattern, _ in _compile(load_rules("boilerplate.yml").get("inline", []), "inline")]


def repair_mojibake(collection: Collection, no: int, raw: str, repair: LineRepair) -> str:
    """Replace garbled runs; each one is reported as removed, its recovery counted as added."""
    if repair.text == raw:
        return raw
    for garbled, recovered in repair.recovered:
        reason = "乱码已恢复" if UNREADABLE not in recovered else "乱码部分无法恢复（页面上已标出）"
        collection.removed.append(Removal(no, garbled, reason, whole_line=False))
        collection.chars_added += len(recovered)
        kind = "乱码恢复" if UNREADABLE not in recovered else "乱码标出"
        collection.repairs[kind] = collection.repairs.get(kind, 0) + 1
        collection.changes.append({"line": no, "kind": kind, "count": 1, "before": garbled, "after": recovered})
    # Whatever changed outside the listed runs still balances: measure, don't assume.
    delta = len(repair.text) - len(raw) - sum(len(r) - len(g) for g, r in repair.recovered)
    if delta:
        collection.chars_added += delta
    return repair.text


def clean_lines(collection: Collection, text: str) -> None:
    """Clean every line; record each removal and repair with its line number."""
    inline_ads = inline_ad_patterns()
    raw_lines = text.split("\n")
    # GBK-shift mojibake is repaired on the raw line (before pinyin and script folding),
    # judged against the collection's own character frequencies.
    mojibake = repair_lines(raw_lines)
    # Conversion round-trip damage is judged on the whole file (its fingerprints, data/repairs.yml).
    round_trip = round_trip_table([to_simplified(text)])
    for no, (raw, repair) in enumerate(zip(raw_lines, mojibake), start=1):
        collection.chars_in += len(raw)
        raw = repair_mojibake(collection, no, raw, repair)
        cleaned = clean_line(raw, inline_ads, round_trip)
        account_cleaning(collection, no, cleaned)
        if cleaned.text:
            collection.lines.append(Line(no, cleaned.text))


def _is_collection_title(line: Line, has_markers: bool) -> bool:
    """The file's first line names the collection when it is a bare title followed by articles."""
    text = line.text
    return line.no == 1 and is_title_line(text) and (
        has_markers or text.endswith("范文") or bool(re.search(r"[(（](精选|通用)\d+篇[)）]$", text)))


def remove_boilerplate(collection: Collection) -> None:
    """Take out the collection title, the site's lead, leftovers and the trailing link lists."""
    rules = load_rules("boilerplate.yml")
    lead, anywhere = _compile(rules["lead"], "lead"), _compile(rules["anywhere"], "anywhere")
    lead += _compile(rules.get("header"), "header")
    tail_start = _compile(rules["tail"]["start"], "tail")
    list_rule = rules["tail"]["list_item"]
    lines = collection.lines
    markers = find_markers(lines)
    first_marker = min(markers) if markers else None
    keep: list[Line] = []
    in_tail = False
    last_marker = max(markers) if markers else -1
    for i, line in enumerate(lines):
        reason = None
        if i == 0 and i not in markers and _is_collection_title(line, bool(markers)):
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


_LINK_FRAGMENT = re.compile(r"^[\u4e00-\u9fff]{4,6}。$")


def join_link_fragments(collection: Collection) -> None:
    """Rejoin keyword-link line breaks: a site turned a keyword (`工作计划`) into a link and
    the scraper put it on a line of its own, ending the sentence before it with `。`
    (001: `…制定20xx年环境保护。` / `工作计划。`)."""
    keep: list[Line] = []
    for line in collection.lines:
        prev = keep[-1] if keep else None
        if prev and _LINK_FRAGMENT.match(line.text) and prev.text.endswith("。") and len(prev.text) > 20:
            prev.text = prev.text[:-1] + line.text
            collection.removed.append(Removal(prev.no, "。", "关键词链接断行", whole_line=False))
            collection.repairs["关键词链接断行"] = collection.repairs.get("关键词链接断行", 0) + 1
            collection.changes.append({"line": line.no, "kind": "关键词链接断行", "count": 1, "joined_to": prev.no})
        else:
            keep.append(line)
    collection.lines = keep


def strip_unit_headers(collection: Collection) -> None:
    """Site furniture before the first real paragraph of each document goes (with its reason):
    dates and view counters, breadcrumbs, leads, document-library fields. One title line among
    them stays (it is the document's title); the first line matching no rule ends the scan."""
    rules = load_rules("boilerplate.yml")
    furniture = _compile(rules["lead"], "lead") + _compile(rules.get("header"), "header")
    for unit in collection.units:
        keep_from, title_at = 0, None
        for k, line in enumerate(unit.lines[:8]):
            reason = _first_match(furniture, line.text)
            if reason:
                collection.removed.append(Removal(line.no, line.text, reason))
                keep_from = k + 1
            elif title_at is None and is_title_line(line.text) and k + 1 < len(unit.lines):
                title_at = k
            else:
                break
        if keep_from:
            title = [unit.lines[title_at]] if title_at is not None and title_at < keep_from else []
            unit.lines = title + unit.lines[keep_from:]
    collection.units = [unit for unit in collection.units if unit.lines]


def chunks_from_manifest(collection: Collection, entries: list[ManifestEntry]) -> None:
    """The keeper's split points replace the rules'; uncovered and dropped lines are reported."""
    for index, entry in enumerate(entries, start=1):
        lines = [line for line in collection.lines if entry.start <= line.no <= entry.end]
        if entry.drop:
            collection.removed.extend(Removal(line.no, line.text, "整理清单标记删除") for line in lines)
        elif lines:
            collection.units.append(Chunk(lines=lines, index=index, reasons=["整理清单"], overrides=entry.overrides()))
    covered = {line.no for e in entries for line in collection.lines if e.start <= line.no <= e.end}
    collection.removed.extend(Removal(line.no, line.text, "整理清单未收录")
                              for line in collection.lines if line.no not in covered)


def split_into_chunks(collection: Collection, manifest: list[ManifestEntry] | None = None) -> None:
    """Markers first; then each unit (or the whole file) is split further by structure.
    A manifest, when given, decides the split points instead."""
    markers = find_markers(collection.lines)
    units: list[Chunk] = []
    current: Chunk | None = None
    for i, line in enumerate(collection.lines):
        if i in markers:
            current = Chunk(lines=[], marker=line, reasons=["分篇标记"])
            units.append(current)
            rest = parse_marker(line.text)[2]
            if rest:  # `篇一：村委会工作总结`: the marker goes, the title stays
                collection.removed.append(Removal(line.no, line.text[:-len(rest)], "分篇标记", whole_line=False))
                current.lines.append(Line(line.no, rest))
            else:
                collection.removed.append(Removal(line.no, line.text, "分篇标记"))
        else:
            if current is None:
                current = Chunk(lines=[], reasons=["合集开头"])
                units.append(current)
            current.lines.append(line)
    if manifest is not None:
        # A marker that carries the title (`篇一：…总结`) leaves the title line behind.
        collection.lines = [Line(line.no, parse_marker(line.text)[2]) if i in markers else line
                            for i, line in enumerate(collection.lines)
                            if i not in markers or parse_marker(line.text)[2]]
        chunks_from_manifest(collection, manifest)
        units = []
    article = 0
    for unit in units:
        if not unit.lines:
            continue
        article += 1
        parts = split_chunk(unit)
        for n, part in enumerate(parts, start=1):
            part.index = article if unit.marker else len(collection.units) + 1
            part.part = n if len(parts) > 1 and unit.marker else 0
            collection.units.append(part)
    strip_unit_headers(collection)
    if not collection.units and manifest is not None:
        raise FanwenError(str(manifest_path(collection.path)), "整理清单没有留下任何文章（每一项都是 drop: true，或行号没有覆盖正文）",
                          "在清单中至少保留一篇：去掉多余的 drop: true，或改正 start/end 行号；不想导入这个文件就从导入命令中去掉它。")
    if not collection.units:
        raise FanwenError(str(collection.path), "没有识别出任何文章（去掉站点套话后没有正文）",
                          "确认文件是范文合集；若正文被误判为套话，在 data/boilerplate.yml 中收紧对应规则。")


def read_collection(path: Path, use_manifest: bool = True) -> Collection:
    """Read, clean and split one raw collection file (following its manifest, if any)."""
    from fanwen.importer.office import is_office, read_office  # Word, PDF and web pages: fanwen/office/

    if is_office(path):
        return read_office(path, use_manifest)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FanwenError(str(path), "源文件不存在", "检查文件名；源文件应放在 sources/ 目录下。") from None
    except IsADirectoryError:
        raise FanwenError(str(path), "这是一个目录，不是文本文件", "传入目录下的 .txt 文件，如 sources/*.txt。") from None
    collection = Collection(path=path)
    text = decode_source(path, data)
    manifest = load_manifest(path, len(text.splitlines())) if use_manifest else None
    clean_lines(collection, text)
    remove_boilerplate(collection)
    join_link_fragments(collection)
    repair_structure(collection)
    split_into_chunks(collection, manifest)
    return collection


def unit_source_label(collection: Collection, unit: Chunk) -> str:
    """Human-readable origin: `000_…txt 第 3 篇` (or `第 13 篇之 2`)."""
    label = f"{collection.path.name} 第 {unit.index} 篇"
    return f"{label}之 {unit.part}" if unit.part else label
