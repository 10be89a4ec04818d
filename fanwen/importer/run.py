"""`fanwen import`: raw collections → one Markdown page per document, plus a JSON report.

Nothing is lost: every character of a source is either on a page or listed in the report's
`removed` entries with a reason, and the report's `accounting` checks the sum.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fanwen.importer.classify import derive_title, detect_level, detect_theme, detect_type, headings_of
from fanwen.importer.collection import Collection, Removal, read_collection, unit_source_label
from fanwen.data import data_files_held, load_statuses, load_themes
from fanwen.importer.mojibake import UNREADABLE
from fanwen.importer.manifest import manifest_path, render_manifest
from fanwen.importer.page import render_page
from fanwen.importer.split import (UNSURE_SPLITS, Chunk, continues_text, is_bare_heading, is_document_title, is_title_line,
                    long_page_chars, top_number)
from fanwen.importer.text import TOP
from fanwen.files import swap_in
from fanwen.library.catalog import EXAMPLES

DUPLICATE_THRESHOLD = 0.85
# Largest source file accepted. Real collections are 70–230 KB, and the importer works at
# roughly 50 KB a second (mojibake repair, script folding, duplicate sketches), all in memory:
# 20 MB is a hundred times the largest real one and already some six minutes of work.
# A bigger file is a database dump, a concatenation of many collections or not text at all,
# so it is refused before any work is done.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


@dataclass
class Document:
    collection: Collection
    unit: Chunk
    title: str
    title_from_text: bool
    body: list[str]
    type: str
    level: str
    theme: str
    title_derived: bool = False  # no title line in the source: the importer made one up
    flags: list[dict] = field(default_factory=list)  # decisions a keeper should look at
    excerpt: bool = False  # the text ends on a bare heading or lacks its start: 节选
    status: str = "完整"  # data/status.yml: 完整, 节选, 有缺损, 疑似洗稿
    slug: str = ""
    duplicate_of: "Document | None" = None
    shingles: set = field(default_factory=set, repr=False)

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.body)

    @property
    def source(self) -> str:
        return unit_source_label(self.collection, self.unit)


def _title_lines(unit: Chunk) -> tuple[str | None, int]:
    """The document's own title (and subtitle `——…`), and how many lines it takes."""
    lines = [line.text for line in unit.lines]
    if len(lines) > 1 and is_title_line(lines[0]):
        if len(lines) > 2 and lines[1].startswith("——") and len(lines[1]) <= 40:
            return lines[0] + lines[1], 2
        return lines[0], 1
    return None, 0


def make_document(collection: Collection, unit: Chunk) -> Document:
    title, used = _title_lines(unit)
    if unit.overrides.get("title") and title and unit.overrides["title"] != title:
        used = 0  # the keeper renamed it: the source's own title line stays in the text
    body = [line.text for line in unit.lines[used:]]
    text = "\n".join(body)
    heads = headings_of(body)
    hint = unit.overrides.get("title") or title or ""
    doc_type = unit.overrides.get("type") or detect_type(hint, heads, text)
    level = unit.overrides.get("level") or detect_level(hint, text)
    theme = unit.overrides.get("theme") or detect_theme(hint, text)
    # A title is the source's own only when it is its title line; one a keeper wrote in the
    # manifest, or one the rules made up, is shown as 标题为整理者所拟.
    source_title = title
    title = unit.overrides.get("title") or title or derive_title(level, doc_type, theme, body)
    derived = title != source_title
    doc = Document(collection, unit, title, used > 0, body, doc_type, level, theme, title_derived=derived)
    doc.flags, doc.excerpt = review_flags(doc, unit.lines[used:])
    doc.status = quality_status(doc, unit.overrides.get("status"))
    return doc


def quality_status(doc: Document, chosen: str | None) -> str:
    """The keeper's status from the manifest; else 有缺损 when text was lost to garbling,
    节选 when the start or end is missing, else 完整."""
    if chosen:
        return chosen
    if any(UNREADABLE in line for line in doc.body):
        return DAMAGED
    return EXCERPT if doc.excerpt else COMPLETE


# Kinds of flag: each is a decision the rules could not be sure of, shown in the report, counted
# by `fanwen import` and written as a comment into a drafted manifest.
FLAG_SPLIT = "切分点需确认"
FLAG_TRAILING = "末尾孤立标题"
FLAG_NO_START = "缺少开头"
FLAG_NO_FIRST_HEADING = "缺少首个一级标题"
FLAG_DERIVED = "标题为整理者所拟"
FLAG_LONG = "篇幅异常长"
FLAG_TITLE_UNSURE = "标题需确认"
EXCERPT = "节选"
DAMAGED = "有缺损"
COMPLETE = "完整"
MANIFEST_REASON = "整理清单"  # the reason fanwen.collection gives units a manifest made
DERIVED_NOTE = "标题为整理者所拟"


def review_flags(doc: Document, lines) -> tuple[list[dict], bool]:
    """The flags of one document, and whether it is an excerpt (节选)."""
    flags = []
    unit = doc.unit
    first = unit.lines[0].no
    if unit.reasons and unit.reasons[0] in UNSURE_SPLITS:
        flags.append({"line": first, "kind": FLAG_SPLIT, "detail": unit.reasons[0]})
    excerpt = False
    # Only a top-level heading: a last `（四）…` is usually an item of a list, not a cut-off.
    if len(lines) > 1 and TOP.match(lines[-1].text) and is_bare_heading(lines[-1].text):
        flags.append({"line": lines[-1].no, "kind": FLAG_TRAILING, "detail": lines[-1].text})
        excerpt = True
    tops = [line for line in lines if TOP.match(line.text)]
    if lines and (top_number(lines[0].text) > 1 or continues_text(lines[0].text)):
        # The text opens at `二、` or mid-argument (但…): its start is missing.
        flags.append({"line": lines[0].no, "kind": FLAG_NO_START, "detail": lines[0].text[:30]})
        excerpt = True
    elif tops and top_number(tops[0].text) > 1:
        # Text, then `二、`: the `一、` heading is missing, not the text under it.
        flags.append({"line": tops[0].no, "kind": FLAG_NO_FIRST_HEADING,
                      "detail": f"第一个一级标题是“{tops[0].text[:20]}”"})
    if doc.title_derived and not unit.overrides.get("title"):  # a keeper's title was reviewed
        flags.append({"line": first, "kind": FLAG_DERIVED, "detail": doc.title})
    elif doc.title_from_text and unit.reasons[:1] != ["分篇标记"] and not is_document_title(doc.title):
        # A short first line that names no kind of document may be a sub-heading, not a title.
        flags.append({"line": first, "kind": FLAG_TITLE_UNSURE, "detail": doc.title})
    if doc.chars > long_page_chars():
        flags.append({"line": first, "kind": FLAG_LONG, "detail": f"{doc.chars} 字，可能含有未分开的两篇"})
    if unit.reasons[:1] == [MANIFEST_REASON]:
        # A keeper set this document's range and labels in the manifest: reviewed already.
        # It is still marked 节选 on the site when its text is incomplete.
        return [], excerpt
    return flags, excerpt


def _shingles(text: str, size: int = 5) -> set[int]:
    text = re.sub(r"\W", "", text)
    return {zlib.crc32(text[i:i + size].encode()) for i in range(max(1, len(text) - size + 1))}


def mark_duplicates(documents: list[Document]) -> list[tuple[Document, Document, float]]:
    """Near-duplicates (character 5-gram Jaccard ≥ threshold): keep the first, mark the rest.

    Candidates share one of their smallest shingle hashes (a bottom-k sketch), so the
    comparison stays near-linear for large libraries.
    """
    found = []
    buckets: dict[int, list[Document]] = {}
    for doc in documents:
        doc.shingles = _shingles("\n".join(doc.body))
        sketch = sorted(doc.shingles)[:8]
        candidates = {id(o): o for h in sketch for o in buckets.get(h, [])}
        for other in candidates.values():
            union = len(doc.shingles | other.shingles)
            similarity = len(doc.shingles & other.shingles) / union if union else 0
            if similarity >= DUPLICATE_THRESHOLD:
                doc.duplicate_of = other
                found.append((doc, other, similarity))
                break
        if doc.duplicate_of is None:
            for h in sketch:
                buckets.setdefault(h, []).append(doc)
    return found


def assign_slugs(documents: list[Document]) -> None:
    """ASCII file names: `<collection>-<article>[-<part>]`, stable across re-imports."""
    for doc in documents:
        stem = re.sub(r"[^a-z0-9]+", "-", doc.collection.id.lower()).strip("-")
        if not stem or not doc.collection.id.isascii():
            stem = "c" + hashlib.sha1(doc.collection.id.encode()).hexdigest()[:8]
        part = f"-{doc.unit.part}" if doc.unit.part else ""
        doc.slug = f"{stem}-{doc.unit.index:02d}{part}"


def page_meta(doc: Document, theme_names: dict[str, str]) -> dict:
    meta = {
        "title": doc.title,
        "type": doc.type,
        "level": doc.level,
        "theme": doc.theme,
        "tags": [doc.type, doc.level, theme_names[doc.theme]],
        "source": doc.source,
        "source_label": reader_source(doc),
        # Provenance: the source file and the line range (1-based, inclusive) the page came from.
        "source_file": doc.collection.path.name,
        "source_lines": f"{doc.unit.lines[0].no}-{doc.unit.lines[-1].no}",
        "chars": doc.chars,
    }
    if doc.title_derived:
        meta["title_derived"] = True  # shown on the page as 标题为整理者所拟
    if doc.status != COMPLETE:
        meta["status"] = doc.status
    return meta


def reader_source(doc: Document) -> str:
    """Where a document came from, as a reader wants it: the collection's own title (not the
    file name the keeper saved it under) and the article's place in it."""
    own = getattr(doc.collection, "reader_source", None)  # an office file names itself
    if own is not None:
        return own(doc.unit)
    place = f"第 {doc.unit.index} 篇" + (f"之 {doc.unit.part}" if doc.unit.part else "")
    title = doc.collection.title
    return f"范文合集《{title}》{place}" if title else f"网上范文合集，{place}"


def page_notes(doc: Document) -> list[str]:
    """What the reader is told above the text: an excerpt, a title the keeper made up."""
    notes = []
    status = next(s for s in load_statuses() if s.name == doc.status)
    if not status.quiet:
        notes.append(status.note)
    if doc.title_derived:
        notes.append(DERIVED_NOTE + "。")
    return notes


def collection_report(collection: Collection, documents: list[Document]) -> dict:
    mine = [d for d in documents if d.collection is collection]
    written = [d for d in mine if d.duplicate_of is None]
    removed = list(collection.removed)
    for doc in mine:
        if doc.duplicate_of is not None:
            reason = f"重复文档（与 {doc.duplicate_of.source} 相同）"
            removed.extend(Removal(line.no, line.text, reason) for line in doc.unit.lines)
    removed.sort(key=lambda r: (r.line, not r.whole_line))
    in_pages = sum(len(line.text) for d in written for line in d.unit.lines)
    removed_chars = sum(len(r.text) for r in removed)

    return {
        "file": collection.path.name,
        "collection_title": collection.title,
        "documents": [{"page": f"{EXAMPLES}/{d.theme}/{d.slug}.md", "title": d.title, "source": d.source,
                       "start_line": d.unit.lines[0].no, "end_line": d.unit.lines[-1].no,
                       "type": d.type, "level": d.level, "theme": d.theme, "chars": d.chars,
                       "title_from_text": d.title_from_text, "title_derived": d.title_derived,
                       **({"status": d.status} if d.status != COMPLETE else {}),
                       "split_reason": d.unit.reasons[:1], "flags": d.flags}
                      for d in written],
        "flags": [{**flag, "page": f"{EXAMPLES}/{d.theme}/{d.slug}.md"} for d in written for flag in d.flags],
        "duplicates": [{"source": d.source, "duplicate_of": d.duplicate_of.source,
                        "start_line": d.unit.lines[0].no, "end_line": d.unit.lines[-1].no}
                       for d in mine if d.duplicate_of is not None],
        "removed": [r.as_dict() for r in removed],
        "accounting": {
            "chars_in": collection.chars_in,
            "chars_in_pages": in_pages,
            "chars_removed": removed_chars,
            # Repairs put characters in too (a flagged gap `××`, `㈠` → `（一）`).
            "chars_added_by_repairs": collection.chars_added,
            "balanced": collection.chars_in + collection.chars_added == in_pages + removed_chars,
            "chars_converted_to_simplified": collection.converted_chars,
        },
        "repairs": dict(sorted(collection.repairs.items())),
        "changes": collection.changes,
    }


def run_import(sources: list[Path], docs_dir: Path, progress=None, use_manifests: bool = True,
               skipped: list[dict] | None = None) -> dict:
    """Import the sources and replace docs_dir/examples atomically. Returns the report.

    Everything is built in a temporary folder first, so a failing source leaves the previous
    pages untouched. An office file that cannot be read (fanwen.office) is skipped and listed
    in the report's `skipped` with the problem and the fix; a bad text collection still stops
    the import.
    """
    with data_files_held():
        return _run_import(sources, docs_dir, progress, use_manifests, skipped)


def _run_import(sources: list[Path], docs_dir: Path, progress, use_manifests: bool, skipped) -> dict:
    from fanwen.errors import FanwenError
    from fanwen.importer.office import is_office
    from fanwen.importer.office.convert import converting_ahead

    themes = load_themes()
    theme_names = {t["slug"]: t["name"] for t in themes}
    skipped = list(skipped or [])
    check_sizes(sources)
    collections: list[Collection] = []
    documents: list[Document] = []
    ordered = sorted(sources, key=lambda p: p.name)
    with converting_ahead(ordered):  # old Word files: one LibreOffice run for several
        for path in ordered:
            try:
                collection = read_collection(path, use_manifest=use_manifests)
            except FanwenError as error:
                if not is_office(path):
                    raise
                skipped.append({"file": str(path), "problem": error.problem, "fix": error.fix})
                if progress:
                    progress(path)
                continue
            collections.append(collection)
            for unit in collection.units:
                documents.append(make_document(collection, unit))
            if progress:
                progress(path)
    if not collections:  # every file was skipped: keep the pages there are
        raise FanwenError("、".join(Path(s["file"]).name for s in skipped[:5]) + ("等" if len(skipped) > 5 else ""),
                          "没有一个文件能导入：" + "；".join(f"{Path(s['file']).name}：{s['problem']}" for s in skipped[:5]),
                          "按每个文件的提示处理后重新导入；原有页面保持不变。")
    duplicates = mark_duplicates(documents)
    assign_slugs(documents)
    _check_unique_slugs(documents)

    target = docs_dir / EXAMPLES
    docs_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".examples-", dir=docs_dir))
    try:
        for doc in documents:
            if doc.duplicate_of is not None:
                continue
            page = staging / doc.theme / f"{doc.slug}.md"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(_render(doc, page_meta(doc, theme_names), page_notes(doc)), encoding="utf-8")
        failures = swap_in(staging, target, docs_dir / ".examples-old")
        if failures:  # the new pages are in place; the old ones could not all be removed
            raise failures[0][1]
    finally:
        if staging.exists():
            shutil.rmtree(staging)

    # An office file's report also says its format, notes and the parts kept or dropped by rule.
    reports = [collection_report(c, documents) | (c.report_extra() if hasattr(c, "report_extra") else {})
               for c in collections]
    return {
        "sources": reports,
        "skipped": skipped,
        "totals": {
            "files": len(reports),
            "skipped": len(skipped),
            "documents": sum(len(r["documents"]) for r in reports),
            "duplicates": len(duplicates),
            "chars_in": sum(r["accounting"]["chars_in"] for r in reports),
            "chars_in_pages": sum(r["accounting"]["chars_in_pages"] for r in reports),
            "chars_removed": sum(r["accounting"]["chars_removed"] for r in reports),
            "flags": sum(len(r["flags"]) for r in reports),
        },
    }


def _render(doc: Document, meta: dict, notes: list[str]) -> str:
    """A page; an office file renders its own body (headings, tables, footnotes from the file)."""
    render_body = getattr(doc.collection, "render_body", None)
    if render_body is None:
        return render_page(meta, doc.body, notes)
    lines = doc.unit.lines[len(doc.unit.lines) - len(doc.body):]
    return render_page(meta, [], notes).rstrip("\n") + "\n\n" + render_body(lines) + "\n"


def check_sizes(sources: list[Path]) -> None:
    """Refuse an oversized source before reading any (missing files are reported on reading).
    Office files have their own limit (fanwen.office), checked when each is read."""
    from fanwen.errors import FanwenError
    from fanwen.importer.office import is_office

    for path in sources:
        if is_office(path):
            continue
        size = path.stat().st_size if path.is_file() else 0
        if size > MAX_SOURCE_BYTES:
            limit = MAX_SOURCE_BYTES // (1024 * 1024)
            raise FanwenError(str(path), f"文件太大：{size / (1024 * 1024):.1f} MB，超过单个源文件 {limit} MB 的上限",
                              f"把这个合集拆成几个较小的文件（每个不超过 {limit} MB，在两篇文章之间断开）"
                              "分别放进 sources/ 再导入；若它不是范文合集，从导入命令中去掉它。")


def _check_unique_slugs(documents: list[Document]) -> None:
    from fanwen.errors import FanwenError

    seen: dict[str, Document] = {}
    for doc in documents:
        if doc.slug in seen:
            other = seen[doc.slug]
            raise FanwenError(f"{doc.collection.path}", f"文档文件名 `{doc.slug}` 与 {other.source} 冲突",
                              "两个源文件的文件名（去掉扩展名后）只差大小写或符号；请给其中一个改名。")
        seen[doc.slug] = doc


def write_report(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_manifest_draft(source: Path, report: dict) -> Path:
    """Write the importer's decisions for one source as a manifest draft; never overwrite."""
    entry = next(r for r in report["sources"] if r["file"] == source.name)
    target = manifest_path(source)
    if target.exists():
        target = source.with_suffix(".draft.yml")
    target.write_text(render_manifest(source.name, entry["documents"], entry["duplicates"]), encoding="utf-8")
    return target
