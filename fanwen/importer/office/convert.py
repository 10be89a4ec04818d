"""Old Word (.doc) and WPS (.wps) files → .docx with LibreOffice headless.

Each run gets its own LibreOffice profile in a temporary folder: two imports at once (or a
LibreOffice the keeper has open) would otherwise share one profile and one of them would fail
or wait. The process runs in its own session, so on a timeout the whole group (soffice and
its oosplash/soffice.bin children) is killed: nothing is left running.

A conversion takes seconds (LibreOffice starts for each file), and a keeper imports the same
archive again and again (`make import` re-imports everything) and archives hold copies of one
file in several folders. So the .docx made from a file is kept in the cache folder (fanwen.cache)
under the file's content and this LibreOffice's version: an unchanged file is converted once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from fanwen import cache
from fanwen.errors import FanwenError

TIMEOUT = 120  # seconds for one file; a normal .doc takes 2–5
PACKAGE = "libreoffice-writer-nogui"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(path: Path, work: Path) -> Path:
    """Convert `path` into `work/source.docx` and return that path, or fail in Chinese."""
    exe = soffice()
    if exe is None:
        raise FanwenError(str(path), f"转换 {path.suffix} 文件需要 LibreOffice，但本机没有安装",
                          f"安装 LibreOffice（Debian/Ubuntu：sudo apt-get install {PACKAGE}），"
                          "或用 Word/WPS 把它另存为 .docx 后再导入。")
    key = f"{hashlib.sha256(path.read_bytes()).hexdigest()}|{_version(exe)}"
    target = work / "source.docx"
    # LibreOffice's output depends on the file and LibreOffice alone: a new fanwen keeps it.
    target.write_bytes(cache.remembered("libreoffice", key, lambda: _convert(exe, path, work).read_bytes(),
                                        keep=CACHED, code=False))
    return target


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
    # A .docx that is really a .doc is copied as .doc (its output would overwrite it otherwise).
    suffix = ".doc" if path.suffix.lower() == ".docx" else path.suffix.lower()
    source = work / f"source{suffix}"
    shutil.copyfile(path, source)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    command = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work),
               str(source)]
    env = {**os.environ, "HOME": str(profile)}  # nothing of the keeper's own LibreOffice is touched
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=env, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise FanwenError(str(path), f"LibreOffice 转换超过 {TIMEOUT} 秒仍未完成（文件可能损坏、有密码或过于复杂）",
                          "用 Word/WPS 打开，确认能正常打开后另存为 .docx，再导入。") from None
    finally:
        _kill_group(process)  # oosplash may leave soffice.bin behind even after a normal exit
    target = work / "source.docx"
    if process.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        detail = (err or out or b"").decode("utf-8", "replace").strip().splitlines()
        raise FanwenError(str(path), "LibreOffice 无法转换这个文件（可能有密码保护、已损坏，或不是 Word/WPS 文档）"
                          + (f"：{detail[-1][:200]}" if detail else ""),
                          "用 Word/WPS 打开它：有密码的先取消密码，再另存为 .docx 后导入。")
    return target


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
