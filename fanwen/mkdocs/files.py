"""The site's pages as MkDocs files: the pages the plugin generates, and what MkDocs would let
pass silently (a page that would overwrite another, front matter it cannot read)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

from fanwen.errors import FanwenError
from fanwen.library.catalog import read_front_matter


def generated(files, config, uri: str, what: str = "写作模板页") -> File:
    """A page the plugin writes (content set by the caller), added to the site's files."""
    check_free(files, uri, config.docs_dir, what)
    page = File.generated(config, uri, content="")
    files.append(page)
    return page


def check_free(files, uri: str, docs_dir: str, what: str = "写作模板页") -> None:
    """A generated page must not silently replace a hand-written one of the same path."""
    if files.get_file_from_path(uri) is not None:
        raise FanwenError(str(Path(docs_dir) / uri), f"与{what} {uri} 同名（会被{what}覆盖）",
                          f"给这个页面改名，或删掉它；{what}由范文库自动生成。")


def check_pages(files, scanned: set[str] = frozenset()) -> None:
    """Refuse what MkDocs lets pass silently: front matter it cannot parse (the page would show
    it as text) and two pages written to the same URL (the later one wins). `scanned`: pages
    whose front matter `library.scan` has already read (no need to parse 10,000 of them twice)."""
    written: dict[str, File] = {}
    for file in files.documentation_pages():
        if file.abs_src_path and file.src_uri not in scanned:
            read_front_matter(Path(file.abs_src_path))
        other = written.setdefault(file.dest_uri, file)
        if other is not file:
            raise FanwenError(file.abs_src_path or file.src_uri,
                              f"与 {other.src_uri} 生成同一个页面 {file.dest_uri}（一个会覆盖另一个）",
                              "给其中一个改名或删掉一个；范文页由 `fanwen import` 生成，不要手工复制。")
