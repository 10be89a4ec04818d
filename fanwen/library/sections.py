"""How the model documents are built: their top-level sections, grouped into the usual parts
(data/sections.yml). Feeds the structure atlas and the "how others wrote it" examples."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fanwen.data import load_rules
from fanwen.markup import plain_text
from fanwen.library.catalog import Entry, read_front_matter, scan, reliable

_TOP = re.compile(r"^## (?:[一二三四五六七八九十]{1,3}、)?(?P<text>.*)$")


@dataclass(frozen=True)
class Section:
    entry: Entry
    position: int  # 0-based among the document's top-level sections
    count: int  # how many top-level sections the document has
    heading: str  # as written, without its number
    part: str | None  # the usual part it belongs to (data/sections.yml), if any
    paragraphs: tuple[str, ...]  # its Markdown blocks up to the next top-level heading


def load_parts() -> list[dict]:
    """data/sections.yml (checked on load, fanwen/schema.py): each part's name and aliases."""
    return load_rules("sections.yml")


_memo: tuple[object, dict[str, str | None]] = (None, {})


def part_of(heading: str, parts: list[dict] | None = None) -> str | None:
    """The usual part a heading belongs to (data/sections.yml), if any. Memoised per version
    of data/sections.yml: each template page asks for the part of every heading of every
    document."""
    global _memo
    parts = parts if parts is not None else load_parts()
    if _memo[0] is not parts:
        _memo = (parts, {})
    known = _memo[1]
    if heading not in known:
        known[heading] = next((part["name"] for part in parts
                               if any(alias in heading for alias in part["aliases"])), None)
    return known[heading]


def plain(markdown: str) -> str:
    """Markdown of an imported paragraph or heading → its text."""
    return plain_text(markdown).lstrip("#").strip()


_built: tuple[object, dict[tuple[str, str, int], list[Section]]] = (None, {})


def sections_of(docs_dir: str | Path, entry: Entry, parts: list[dict] | None = None) -> list[Section]:
    """The `##` sections of one document, each with its usual part. Kept per page version and
    per version of data/sections.yml: every template page asks for every document's sections
    on every build, `mkdocs serve` rebuilds included."""
    global _built
    parts = parts if parts is not None else load_parts()
    if _built[0] is not parts:
        _built = (parts, {})
    mtime_ns = entry.mtime_ns or os.stat(os.path.join(docs_dir, entry.path)).st_mtime_ns
    key = (str(docs_dir), entry.path, mtime_ns)
    sections = _built[1].get(key)
    if sections is None:
        found = _top_sections(Path(docs_dir) / entry.path)
        sections = _built[1][key] = [Section(entry, i, len(found), heading, part_of(heading, parts), paras)
                                     for i, (heading, paras) in enumerate(found)]
    return sections


def _body(path: Path) -> str:
    """A document's text after its front matter. library.scan has parsed and checked that front
    matter already: parsing its YAML again for every document took seconds at 10,000 pages."""
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---\n", 4) if text.startswith("---\n") else -1
    return text[end + 5:] if end != -1 else read_front_matter(path)[1]


def _top_sections(path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(heading, paragraphs) of each `##` section of a page (sections_of keeps the result)."""
    body = _body(path)
    blocks = [b.strip() for b in body.split("\n\n") if b.strip()]
    found: list[tuple[str, list[str]]] = []
    for block in blocks:
        match = _TOP.match(block)
        if match:
            found.append((plain(match.group("text")).rstrip("。：:"), []))
        elif found:
            found[-1][1].append(block)
    return tuple((heading, tuple(paras)) for heading, paras in found)


def outline(docs_dir: str | Path, doc_type: str, library: tuple[Entry, ...] | None = None) -> list[dict]:
    """The usual parts of documents of one type, in their usual order, with how many use each.

    Order: by the mean relative position (0 = first section, 1 = last) of the part in the
    documents that have it. Headings that belong to no usual part are counted together.
    """
    documents = [e for e in (scan(docs_dir) if library is None else library) if e.type == doc_type]
    usage: dict[str, list[float]] = defaultdict(list)
    variants: dict[str, dict[str, int]] = defaultdict(dict)
    for entry in documents:
        seen = set()
        for section in sections_of(docs_dir, entry):
            part = section.part or "专题标题（按工作内容自拟）"
            if part in seen:
                continue
            seen.add(part)
            usage[part].append(section.position / max(1, section.count - 1))
            variants[part][section.heading] = variants[part].get(section.heading, 0) + 1
    rows = [{"part": part, "documents": len(positions), "total": len(documents),
             "position": sum(positions) / len(positions),
             "examples": [h for h, _ in sorted(variants[part].items(), key=lambda kv: (-kv[1], kv[0]))[:3]]}
            for part, positions in usage.items()]
    rows.sort(key=lambda row: (row["position"], -row["documents"]))
    return rows


DAMAGED = ("【原文此处乱码】", "乱码", "\ufffd")
_PLACEHOLDER = re.compile(r"[×XＸxｘ*＊○〇□某]+")
# A part whose examples must show what the part is for, not just carry its heading.
_MUST_SHOW = {"组织领导": ("组长",)}


def usable(section: Section) -> bool:
    """A section worth showing as an example: not a damaged passage (【原文此处乱码】), not a
    placeholder skeleton (“××镇××工作……”), and for 组织领导 one that actually lists a group."""
    return _usable(section.paragraphs, section.part)


@lru_cache(maxsize=1 << 17)  # every template page asks again on every build and `make serve` edit
def _usable(paragraphs: tuple[str, ...], part: str | None) -> bool:
    text = plain("\n".join(paragraphs))
    if any(mark in text for mark in DAMAGED):
        return False
    placeholders = sum(len(m) for m in _PLACEHOLDER.findall(text))
    words = len(re.sub(r"[\W\d_]", "", _PLACEHOLDER.sub("", text)))
    if words < 30 or placeholders > 0.05 * max(1, len(text)):
        return False
    needed = _MUST_SHOW.get(part)
    return not needed or any(word in text for word in needed)


def section_examples(docs_dir: str | Path, heading: str, doc_type: str | list[str] | None = None,
                     n: int = 3, topic: str | None = None, library: tuple[Entry, ...] | None = None) -> list[Section]:
    """Up to n usable sections, from n different documents, that are the part `heading` names
    (or whose heading contains it), from documents of the given type(s); documents about the
    topic first, then fullest first."""
    parts = load_parts()
    wanted = part_of(heading, parts) or heading
    types = [doc_type] if isinstance(doc_type, str) else doc_type
    found = []
    for entry in (scan(docs_dir) if library is None else library):
        if (types and entry.type not in types) or not reliable(entry):  # never 有缺损 or 疑似洗稿
            continue
        for section in sections_of(docs_dir, entry, parts):
            if (section.part == wanted or heading in section.heading) and section.paragraphs and usable(section):
                found.append(section)
                break
    found.sort(key=lambda s: (not (topic and topic in s.entry.title), -min(len("".join(s.paragraphs)), 600),
                              s.entry.path))
    return found[:n]
