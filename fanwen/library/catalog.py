"""The imported library as data: the front matter of every page under docs/examples/.

The site plugin (navigation, related documents) and the macros (cards, counts) both read
it from here, so there is one definition of what a document is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


from fanwen.data import shown, split_front_matter
from fanwen.errors import FanwenError
from fanwen.markup import plain_text

EXAMPLES = "examples"


@dataclass(frozen=True)
class Entry:
    path: str  # docs-relative, POSIX: examples/<theme>/<slug>.md
    title: str
    type: str
    level: str
    theme: str
    chars: int
    source: str
    first_line: str
    mtime_ns: int = field(default=0, compare=False)
    status: str = "完整"  # data/status.yml
    source_label: str = ""  # the source as a reader reads it: 范文合集《…》第 3 篇
    # Whether data/status.yml lets its status be shown as a model (set by `scan`, once per
    # library: every list sorts 10,000 documents by it).
    reliable: bool = True


def read_front_matter(path: Path) -> tuple[dict, str]:
    """(front matter, body) of a Markdown page; broken YAML names the file and line."""
    text = path.read_text(encoding="utf-8")
    return split_front_matter(str(path), text, FRONT_MATTER_FIX) or ({}, text)


FRONT_MATTER_FIX = "检查该行的冒号、引号和缩进，或重新运行 `fanwen import` 生成该页。"


def _first_line(body: str) -> str:
    """The first paragraph as plain text (for cards and excerpts): no Markdown, no markup."""
    for block in body.split("\n\n"):
        block = block.strip()
        if block and not block.startswith(("#", '<p class="fw-note">')):  # notes are not the text
            return plain_text(block)
    return ""


_cache: dict[str, tuple] = {}  # library root → (stamp, entries, and the data files that judged them)
# page path → (mtime, front matter, first line, the front matter's YAML text)
_entries: dict[str, tuple[int, dict, str, str]] = {}
# page path → (its version and the data files' versions it was checked against, its Entry): a
# `make serve` rebuild re-checks the edited page only, not 10,000 of them (a second per rebuild).
_checked: dict[str, tuple[tuple, Entry]] = {}


def _read_entry_source(path: Path, mtime_ns: int) -> tuple[dict, str]:
    """(front matter, first paragraph) of one page, re-read only when the file changed: a
    one-page edit under `mkdocs serve` must not re-parse a 10,000-page library."""
    cached = _entries.get(str(path))
    if cached and cached[0] == mtime_ns:
        return cached[1], cached[2]
    text = path.read_text(encoding="utf-8")
    meta, body = split_front_matter(str(path), text, FRONT_MATTER_FIX) or ({}, text)
    first = _first_line(body)
    _entries[str(path)] = (mtime_ns, meta, first, text[4:len(text) - len(body) - 4] if meta else "")
    return meta, first


def known_front_matter(path: str, yaml_text: str) -> dict | None:
    """The front matter `scan` read from the page at `path` (absolute), if `yaml_text` is the
    text it read it from (MkDocs reads every page again: its own parse would be the second)."""
    cached = _entries.get(path)
    return cached[1] if cached and cached[3] and cached[3] == yaml_text else None


def _check_values(path: Path, meta: dict) -> None:
    """Front-matter values have the types the site prints them as: a YAML date, number or list
    where text is meant fails here, naming the key, not later inside the theme."""
    from fanwen.data import document_levels, document_types

    for key in ("title", "source", "source_label"):
        value = meta.get(key, "")
        if not isinstance(value, str) or (key == "title" and not value.strip()):
            raise FanwenError(f"{path}: {key}", f"`{key}` 应为一行文字，实际是 {shown(value)}",
                              f"把 `{key}` 的值写成文字（两边加引号，如 {key}: \"…\"）。")
    for key, allowed in (("type", document_types()), ("level", document_levels())):
        if meta[key] not in allowed:
            raise FanwenError(f"{path}: {key}", f"`{key}` 的值 {shown(meta[key])} 不在可用的取值中",
                              f"改成 {'、'.join(allowed)} 之一。")
    from fanwen.data import status_names

    if meta.get("status", "完整") not in status_names():
        raise FanwenError(f"{path}: status", f"`status` 的值 {shown(meta['status'])} 不在可用的取值中",
                          f"改成 {'、'.join(status_names())} 之一（见 data/status.yml）。")
    chars = meta.get("chars", 0)
    if not isinstance(chars, int) or isinstance(chars, bool) or chars < 0:
        raise FanwenError(f"{path}: chars", f"`chars` 应为字数（整数），实际是 {shown(chars)}",
                          "重新运行 `fanwen import` 生成该页，或删掉这一行。")


def reliable(entry: Entry) -> bool:
    """Whether a document can be shown as a model without a warning (data/status.yml)."""
    return entry.reliable


def listing_order(entry: Entry) -> int:
    """Sort key that puts 有缺损 and 疑似洗稿 documents after the sound ones in every list."""
    return 0 if entry.reliable else 1


def scan(docs_dir: str | Path) -> tuple[Entry, ...]:
    """Every document page, sorted by theme then path. Re-read only when files changed."""
    root = Path(docs_dir) / EXAMPLES
    if not root.is_dir():
        return ()
    # os.scandir and string sorting: pathlib's glob and Path comparisons dominate at 10,000 pages.
    found = sorted((theme.name, entry.name, entry.path, entry.stat().st_mtime_ns)
                   for theme in os.scandir(root) if theme.is_dir()
                   for entry in os.scandir(theme.path)
                   if entry.name.endswith(".md") and entry.name != "index.md" and entry.is_file())
    from fanwen.data import document_levels, document_types, load_statuses, load_themes

    # The pages' versions, and the versions of the data files that judge them (data files are
    # read once per version: these are the same objects until a file changes).
    themes, statuses, kinds = load_themes(), load_statuses(), (document_types(), document_levels())
    stamp = tuple((path, mtime_ns) for _, _, path, mtime_ns in found)
    cached = _cache.get(str(root))
    if cached and cached[0] == stamp and cached[2] is themes and cached[3] is statuses and cached[4] == kinds:
        return cached[1]
    slugs = {t["slug"] for t in themes}
    sound = {s.name: s.reliable for s in statuses}
    entries = []
    seen: dict[str, Path] = {}  # document slug (file stem) → its page: one theme per document
    for path, mtime_ns in ((Path(p), m) for p, m in stamp):
        if path.stem in seen:
            raise FanwenError(str(path), f"文档 `{path.stem}` 重复：{seen[path.stem]} 也是这篇（同一文件名）",
                              "同一篇文档只能放在一个主题下：删掉多余的一份；要改主题，在 sources/ 的整理清单里"
                              "改 theme 后重新运行 `fanwen import`。")
        seen[path.stem] = path
        version = (mtime_ns, str(docs_dir), themes, statuses, kinds)
        known = _checked.get(str(path))
        if known and known[0][0] == mtime_ns and known[0][1] == version[1] and known[0][2] is themes \
                and known[0][3] is statuses and known[0][4] == kinds:
            entries.append(known[1])
            continue
        meta, first_line = _read_entry_source(path, mtime_ns)
        missing = [k for k in ("title", "type", "level", "theme") if k not in meta]
        if missing:
            raise FanwenError(str(path), f"front matter 缺少 {', '.join(missing)}", "重新运行 `fanwen import` 生成该页。")
        if meta["theme"] not in slugs or path.parent.name != meta["theme"]:
            raise FanwenError(f"{path}: theme", f"主题 `{meta['theme']}` 不在 data/themes.yml 中或与所在目录不符",
                              f"改成 data/themes.yml 里的 slug 之一（{', '.join(sorted(slugs))}），并放在同名目录下。")
        _check_values(path, meta)
        entries.append(Entry(path=path.relative_to(Path(docs_dir)).as_posix(), title=meta["title"],
                             type=meta["type"], level=meta["level"], theme=meta["theme"],
                             chars=meta.get("chars", 0), source=meta.get("source", ""),
                             first_line=first_line, mtime_ns=mtime_ns, status=meta.get("status", "完整"),
                             source_label=meta.get("source_label", ""),
                             reliable=sound.get(meta.get("status", "完整"), True)))
        _checked[str(path)] = (version, entries[-1])
    result = tuple(entries)
    _cache[str(root)] = (stamp, result, themes, statuses, kinds)
    return result
