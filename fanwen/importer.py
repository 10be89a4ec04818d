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

from .classify import derive_title, detect_level, detect_theme, detect_type, headings_of
from .collection import Collection, Removal, read_collection, unit_source_label
from .data import load_themes
from .manifest import manifest_path, render_manifest
from .page import render_page
from .split import Unit, is_title_line

EXAMPLES = "examples"
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
    unit: Unit
    title: str
    title_from_text: bool
    body: list[str]
    type: str
    level: str
    theme: str
    slug: str = ""
    duplicate_of: "Document | None" = None
    shingles: set = field(default_factory=set, repr=False)

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.body)

    @property
    def source(self) -> str:
        return unit_source_label(self.collection, self.unit)


def _title_lines(unit: Unit) -> tuple[str | None, int]:
    """The document's own title (and subtitle `——…`), and how many lines it takes."""
    lines = [line.text for line in unit.lines]
    if len(lines) > 1 and is_title_line(lines[0]):
        if len(lines) > 2 and lines[1].startswith("——") and len(lines[1]) <= 40:
            return lines[0] + lines[1], 2
        return lines[0], 1
    return None, 0


def make_document(collection: Collection, unit: Unit) -> Document:
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
    title = unit.overrides.get("title") or title or derive_title(level, doc_type, theme, body)
    return Document(collection, unit, title, used > 0, body, doc_type, level, theme)


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
    return {
        "title": doc.title,
        "type": doc.type,
        "level": doc.level,
        "theme": doc.theme,
        "tags": [doc.type, doc.level, theme_names[doc.theme]],
        "source": doc.source,
        "chars": doc.chars,
    }


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
                       "title_from_text": d.title_from_text, "split_reason": d.unit.reasons[:1]}
                      for d in written],
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
    from .errors import FanwenError
    from .office import is_office

    themes = load_themes()
    theme_names = {t["slug"]: t["name"] for t in themes}
    skipped = list(skipped or [])
    check_sizes(sources)
    collections: list[Collection] = []
    documents: list[Document] = []
    for path in sorted(sources, key=lambda p: p.name):
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
            page.write_text(_render(doc, page_meta(doc, theme_names)), encoding="utf-8")
        for theme in themes:
            index = staging / theme["slug"] / "index.md"
            index.parent.mkdir(parents=True, exist_ok=True)
            index.write_text(theme_index_page(theme), encoding="utf-8")
        backup = docs_dir / ".examples-old"
        if backup.exists():
            shutil.rmtree(backup)
        if target.exists():
            target.rename(backup)
        try:
            staging.rename(target)
        except OSError:
            if backup.exists():  # put the previous pages back before reporting the error
                backup.rename(target)
            raise
        if backup.exists():
            shutil.rmtree(backup)
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
        },
    }


def _render(doc: Document, meta: dict) -> str:
    """A page; an office file renders its own body (headings, tables, footnotes from the file)."""
    render_body = getattr(doc.collection, "render_body", None)
    if render_body is None:
        return render_page(meta, doc.body)
    lines = doc.unit.lines[len(doc.unit.lines) - len(doc.body):]
    return render_page(meta, []).rstrip("\n") + "\n\n" + render_body(lines) + "\n"


def check_sizes(sources: list[Path]) -> None:
    """Refuse an oversized source before reading any (missing files are reported on reading).
    Office files have their own limit (fanwen.office), checked when each is read."""
    from .errors import FanwenError
    from .office import is_office

    for path in sources:
        if is_office(path):
            continue
        size = path.stat().st_size if path.is_file() else 0
        if size > MAX_SOURCE_BYTES:
            limit = MAX_SOURCE_BYTES // (1024 * 1024)
            raise FanwenError(str(path), f"文件太大：{size / (1024 * 1024):.1f} MB，超过单个源文件 {limit} MB 的上限",
                              f"把这个合集拆成几个较小的文件（每个不超过 {limit} MB，在两篇文章之间断开）"
                              "分别放进 sources/ 再导入；若它不是范文合集，从导入命令中去掉它。")


def theme_index_page(theme: dict) -> str:
    """A theme's landing page: its description and the cards of its documents (a macro)."""
    return (f"---\ntitle: {theme['name']}\nrender_macros: true\n---\n\n"
            f"{theme['description']}\n\n{{{{ examples(theme=\"{theme['slug']}\") }}}}\n")


def _check_unique_slugs(documents: list[Document]) -> None:
    from .errors import FanwenError

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
