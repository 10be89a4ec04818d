"""The user's cache folder, where answers that cost time and depend only on their inputs are
kept between runs: the importer's mojibake repairs (fanwen/importer/mojibake.py) and LibreOffice
conversions (importer/office/convert.py), compiled Jinja templates (the site's theme,
fanwen/mkdocs/plugin.py; the writing templates, fanwen/drafting/templates.py) and what every
build makes from templates/ and data/ alone (the sample downloads and the browser's drafting
bundle, fanwen/mkdocs/pages.py, drafting/compiled.py). Every entry's key or content checks its
inputs, so nothing kept there is ever stale; a folder that cannot be written is simply not used.

FANWEN_CACHE_DIR names the folder ("" turns it off); by default it is fanwen/ in the user's cache
folder (XDG_CACHE_HOME, or ~/.cache)."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

from jinja2 import BytecodeCache


def cache_dir() -> Path | None:
    configured = os.environ.get("FANWEN_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fanwen"


@functools.lru_cache(maxsize=1)
def code_key() -> str:
    """This package's code and the versions of Python and of the libraries whose output is kept
    (python-docx's default document, Jinja, lxml): anything that changes them is a new key."""
    from importlib.metadata import version

    digest = hashlib.sha256(sys.version.encode())
    for name in ("python-docx", "Jinja2", "lxml", "PyYAML", "pydantic"):
        digest.update(f"|{name}={version(name)}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def files_key(*folders: Path) -> str:
    """The names and contents of every file in `folders` (not their paths or times: a copy of
    the project, as the tests make, finds what the original left)."""
    digest = hashlib.sha256()
    for n, folder in enumerate(folders):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                digest.update(f"{n}|{path.relative_to(folder).as_posix()}|".encode() + path.read_bytes())
    return digest.hexdigest()


def _entry(kind: str, key: str, code: bool) -> Path | None:
    folder = cache_dir()
    digest = hashlib.sha256(f"{kind}|{code_key() if code else ''}|{key}".encode()).hexdigest()[:40]
    return folder / f"{kind}-{digest}.bin" if folder else None


def known(kind: str, key: str, code: bool = True) -> bool:
    """Whether `remembered` has something for this key (without reading it)."""
    path = _entry(kind, key, code)
    return path is not None and path.is_file()


def remembered(kind: str, key: str, compute: Callable[[], bytes], keep: int = 64, code: bool = True) -> bytes:
    """`compute()`, or what it returned before for the same `key` (which must name every input;
    the package's code is added here unless `code` is false: what another program made)."""
    path = _entry(kind, key, code)
    if path is not None:
        try:
            kept = path.read_bytes()
            if hashlib.sha256(kept[32:]).digest() == kept[:32]:  # else damaged: made again
                return kept[32:]
        except OSError:
            pass
    data = compute()
    if path is not None:
        store(path, hashlib.sha256(data).digest() + data, keep, f"{kind}-*.bin")
    return data


def store(path: Path, data: bytes, keep: int, pattern: str) -> None:
    """Write atomically (a reader never sees half a file) and keep the `keep` newest files that
    match `pattern` in its folder; any failure to write leaves the cache as it was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        entries = sorted(path.parent.glob(pattern), key=lambda p: p.stat().st_mtime)
        for old in entries[:-keep]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


class CompiledTemplates(BytecodeCache):
    """Compiled Jinja templates, by name and text: in memory for the life of the process
    (`mkdocs serve`), and in the cache folder for the next process. Jinja checks each entry's
    source checksum and its own version marker (which includes the Python version) on load and
    compiles again if either differs, so an entry is never stale. `kind` keeps environments
    that compile differently (the drafting sandbox) apart."""

    KEEP = 400  # files kept in the cache folder (a few KB each): a few themes' worth

    def __init__(self, kind: str):
        self.kind = kind
        self.code: dict[str, bytes] = {}

    def _path(self, key: str) -> Path | None:
        folder = cache_dir()
        return folder / f"jinja-{self.kind}-{key}.bin" if folder else None

    def load_bytecode(self, bucket):
        data = self.code.get(bucket.key)
        if data is None and (path := self._path(bucket.key)) is not None:
            try:
                data = self.code[bucket.key] = path.read_bytes()
            except OSError:
                return
        if data is not None:
            try:
                bucket.bytecode_from_string(data)  # Jinja drops it if the text changed
            except Exception:  # a damaged file: compile again
                bucket.reset()

    def dump_bytecode(self, bucket):
        data = self.code[bucket.key] = bucket.bytecode_to_string()
        if (path := self._path(bucket.key)) is not None:
            store(path, data, self.KEEP, "jinja-*.bin")
