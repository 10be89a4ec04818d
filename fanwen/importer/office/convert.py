"""Old Word (.doc) and WPS (.wps) files → .docx with LibreOffice headless.

Each run gets its own LibreOffice profile in a temporary folder: two imports at once (or a
LibreOffice the keeper has open) would otherwise share one profile and one of them would fail
or wait. The process runs in its own session, so on a timeout the whole group (soffice and
its oosplash/soffice.bin children) is killed: nothing is left running.

A conversion takes seconds, most of it LibreOffice starting (1.2–1.4 s of CPU for one small
.doc; four in one run, 1.3 s). So when an import meets a file to convert, LibreOffice converts
it together with the next files of the import that need it (up to BATCH; `converting_ahead`);
a file that run could not convert is converted again on its own, with its own timeout and error.
And a keeper imports the same archive again and again (`make import` re-imports everything), and
archives hold copies of one file in several folders: the .docx made from a file is kept in the
cache folder (fanwen.cache) under the file's content and this LibreOffice's version, so an
unchanged file is converted once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from contextvars import ContextVar
from pathlib import Path

from fanwen import cache
from fanwen.errors import FanwenError

TIMEOUT = 120  # seconds for one LibreOffice run; a normal .doc takes 2–5
PACKAGE = "libreoffice-writer-nogui"
BATCH = 20  # files one LibreOffice run converts when an import meets several

# The files the running import reads, in order (run_import), and what was converted along with an
# earlier one until it is read; the files whose shared run failed are converted alone.
_ahead: ContextVar[tuple[Path, ...]] = ContextVar("fanwen_convert_ahead", default=())
_ready: dict[str, bytes] = {}
_alone: set[str] = set()
_looked: dict[Path, str | None] = {}  # each file looked at once: its key if LibreOffice must convert it


@contextlib.contextmanager
def converting_ahead(paths: list[Path]):
    """While the import reads `paths` (in this order): a file that needs LibreOffice is converted
    together with the next ones that do."""
    token = _ahead.set(tuple(paths))
    try:
        yield
    finally:
        _ahead.reset(token)
        _ready.clear()
        _alone.clear()
        _looked.clear()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(path: Path, work: Path) -> Path:
    """Convert `path` into `work/source.docx` and return that path, or fail in Chinese."""
    exe = soffice()
    if exe is None:
        raise FanwenError(str(path), f"转换 {path.suffix} 文件需要 LibreOffice，但本机没有安装",
                          f"安装 LibreOffice（Debian/Ubuntu：sudo apt-get install {PACKAGE}），"
                          "或用 Word/WPS 把它另存为 .docx 后再导入。")
    key = _key(path, exe)
    target = work / "source.docx"
    # LibreOffice's output depends on the file and LibreOffice alone: a new fanwen keeps it.
    target.write_bytes(cache.remembered("libreoffice", key, lambda: _converted(exe, path, key, work),
                                        keep=CACHED, code=False))
    return target


def _key(path: Path, exe: str) -> str:
    return f"{hashlib.sha256(path.read_bytes()).hexdigest()}|{_version(exe)}"


def _converted(exe: str, path: Path, key: str, work: Path) -> bytes:
    """The .docx of `path`: converted along with an earlier file, or now with the next ones."""
    if key in _ready:
        return _ready.pop(key)
    if key not in _alone:
        batch = [(path, key), *_coming(path, key, exe)]
        if len(batch) > 1:
            made = _convert_together(exe, batch, work)
            _alone.update(k for _, k in batch if k not in made)
            _ready.update((k, data) for k, data in made.items() if k != key)
            if key in made:
                return made[key]
    return _convert(exe, path, work).read_bytes()


def _coming(path: Path, key: str, exe: str) -> list[tuple[Path, str]]:
    """The next files of the import (after `path`) that LibreOffice has to convert."""
    from fanwen.importer.office import needs_libreoffice

    coming = _ahead.get()
    if path not in coming:
        return []
    found, keys = [], {key}
    for other in coming[coming.index(path) + 1:]:
        if len(found) + 1 >= BATCH:
            break
        if other not in _looked:  # read and hashed once per import, however many runs look ahead
            try:
                _looked[other] = _key(other, exe) if needs_libreoffice(other) else None
            except OSError:
                _looked[other] = None
        other_key = _looked[other]
        if other_key is None or other_key in keys or other_key in _ready or other_key in _alone \
                or cache.known("libreoffice", other_key, code=False):
            continue
        keys.add(other_key)
        found.append((other, other_key))
    return found


CACHED = 200  # converted files kept in the cache folder (tens to hundreds of KB each)


def _version(exe: str) -> str:
    """Which LibreOffice: its build's version file (program/versionrc), else the program's own
    size and time. Another version may convert differently."""
    program = Path(exe).resolve()
    try:
        return hashlib.sha256((program.parent / "versionrc").read_bytes()).hexdigest()
    except OSError:
        stat = program.stat()
        return f"{program}|{stat.st_size}|{stat.st_mtime_ns}"


def _convert(exe: str, path: Path, work: Path) -> Path:
    # LibreOffice names its output after the input file: copy it under a plain ASCII name so
    # that unusual characters in the original name cannot trip its command line.
    source = _copy_in(path, work / "source")
    try:
        code, said = _libreoffice(exe, [source], work, work)
    except subprocess.TimeoutExpired:
        raise FanwenError(str(path), f"LibreOffice 转换超过 {TIMEOUT} 秒仍未完成（文件可能损坏、有密码或过于复杂）",
                          "用 Word/WPS 打开，确认能正常打开后另存为 .docx，再导入。") from None
    target = work / "source.docx"
    if code != 0 or not target.is_file() or target.stat().st_size == 0:
        detail = said.decode("utf-8", "replace").strip().splitlines()
        raise FanwenError(str(path), "LibreOffice 无法转换这个文件（可能有密码保护、已损坏，或不是 Word/WPS 文档）"
                          + (f"：{detail[-1][:200]}" if detail else ""),
                          "用 Word/WPS 打开它：有密码的先取消密码，再另存为 .docx 后导入。")
    return target


def _convert_together(exe: str, batch: list[tuple[Path, str]], work: Path) -> dict[str, bytes]:
    """One LibreOffice run for several files: {key: .docx} of those it converted. After a
    timeout nothing is kept (the file it was writing may be cut short)."""
    folder = Path(tempfile.mkdtemp(prefix="together-", dir=work))
    sources = [_copy_in(path, folder / f"source{n}") for n, (path, _) in enumerate(batch)]
    try:
        _libreoffice(exe, sources, folder / "out", work)
    except subprocess.TimeoutExpired:
        return {}
    made = {}
    for (_, key), source in zip(batch, sources):
        target = folder / "out" / f"{source.stem}.docx"
        if target.is_file() and target.stat().st_size > 0:
            made[key] = target.read_bytes()
    return made


def _copy_in(path: Path, stem: Path) -> Path:
    # A .docx that is really a .doc is copied as .doc (its output would overwrite it otherwise).
    suffix = ".doc" if path.suffix.lower() == ".docx" else path.suffix.lower()
    source = stem.with_suffix(suffix)
    shutil.copyfile(path, source)
    return source


def _libreoffice(exe: str, sources: list[Path], outdir: Path, work: Path) -> tuple[int, bytes]:
    """Run LibreOffice once to convert `sources` into `outdir`: (exit code, what it printed).
    Raises subprocess.TimeoutExpired after TIMEOUT seconds, with everything it started killed."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    command = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir),
               *map(str, sources)]
    env = {**os.environ, "HOME": str(profile)}  # nothing of the keeper's own LibreOffice is touched
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=env, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise
    finally:
        _kill_group(process)  # oosplash may leave soffice.bin behind even after a normal exit
    return process.returncode, err or out or b""


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
