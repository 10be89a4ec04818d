"""Importing an office's own files: Word (.docx, .doc, .wps), PDF and saved web pages.

`read_office(path)` is the dispatcher: it checks the file (size, what it really is, password),
hands it to the reader for its format and builds the same cleaned, split collection that a
text collection becomes (`fanwen.office.model`). Every problem is a FanwenError in Chinese that
names the file and what to do; the importer then skips the file and lists it in the report.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from fanwen.errors import FanwenError

WORD = (".docx", ".doc", ".wps")
PDF = (".pdf",)
WEB = (".html", ".htm", ".mht", ".mhtml")
OFFICE_SUFFIXES = WORD + PDF + WEB
TEXT_SUFFIXES = (".txt",)
SUFFIXES = TEXT_SUFFIXES + OFFICE_SUFFIXES
# Largest office file read. Word files with photos and scanned PDFs reach tens of megabytes;
# the text of even a long report is a few hundred kilobytes. Past this size a file is almost
# surely an archive of images, and reading it would hold it all in memory.
MAX_OFFICE_BYTES = 100 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # what a .docx may unpack to (photos included)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, .wps, or an encrypted .docx
_ZIP = b"PK\x03\x04"
# The stream names of an encrypted Office Open XML file inside its compound-file wrapper.
_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


def is_office(path: Path) -> bool:
    return path.suffix.lower() in OFFICE_SUFFIXES


def expand_sources(paths: list[Path]) -> tuple[list[Path], list[dict]]:
    """Folders → the importable files in them (recursively, sorted); named files stay as given.

    Returns the files and the ones skipped in folders (other formats), for the report. A
    collection's manifest (`<name>.yml`) and Word's lock files (`~$…`) are passed over silently.
    """
    files, skipped = [], []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = child.relative_to(path)
            if any(part.startswith(".") for part in relative.parts) or child.name.startswith("~$"):
                continue
            if _saved_page_resources(path, relative):
                continue
            suffix = child.suffix.lower()
            if suffix in SUFFIXES:
                files.append(child)
            elif suffix not in (".yml", ".yaml"):
                skipped.append({"file": str(child), "problem": f"不支持的格式 `{suffix or '（无扩展名）'}`",
                                "fix": f"可导入的格式：{'、'.join(SUFFIXES)}；其他格式请先另存为其中一种。"})
    return files, skipped


def _saved_page_resources(root: Path, relative: Path) -> bool:
    """A browser saves a complete page as `页面.html` plus a folder `页面_files` (or `页面.files`)
    of its images, scripts and frames; those are part of the page, not documents of their own."""
    folder = root
    for part in relative.parts[:-1]:
        for ending in ("_files", ".files"):
            stem = part[: -len(ending)]
            if part.endswith(ending) and any((folder / (stem + suffix)).is_file() for suffix in (".html", ".htm")):
                return True
        folder = folder / part
    return False


def _check(path: Path) -> bytes:
    """The file's first bytes, after the checks every format shares."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FanwenError(str(path), "文件不存在", "检查文件名和路径。") from None
    if size > MAX_OFFICE_BYTES:
        limit = MAX_OFFICE_BYTES // (1024 * 1024)
        raise FanwenError(str(path), f"文件太大：{size / (1024 * 1024):.0f} MB，超过 {limit} MB 的上限",
                          "范文的文字不会这么大：多半是嵌入了大量图片或扫描页。用 Word/WPS 另存一份不含图片的 .docx"
                          "（或只复制文字另存为 .txt）再导入。")
    if size == 0:
        raise FanwenError(str(path), "文件是空的（0 字节）", "确认文件已完整复制或下载；不需要就把它移出文件夹。")
    with path.open("rb") as f:
        return f.read(8)


def _check_unpacked_size(path: Path, source: Path) -> None:
    """A .docx is a zip: a few kilobytes can unpack to gigabytes (a zip bomb), and python-docx
    holds every part in memory. The sizes the zip declares are checked before anything is read."""
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # python-docx reports the damage in its own words below
    if unpacked > MAX_UNPACKED_BYTES:
        raise FanwenError(str(path), f"文档解压后有 {unpacked / (1024 * 1024):.0f} MB，超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB 的上限"
                          "（多半是大量图片，或文件已损坏）",
                          "用 Word/WPS 打开，删去图片或只复制文字另存为新的 .docx，再导入。")


def needs_libreoffice(path: Path) -> bool:
    """Whether reading `path` converts it with LibreOffice first: an old .doc or .wps, or a .docx
    that is really one (not one with a password, which is refused)."""
    if path.suffix.lower() not in WORD:
        return False
    try:
        head = _check(path)
    except FanwenError:
        return False  # reading it says why
    return head.startswith(_OLE) and not _encrypted(path)


def _encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        data = f.read(1 << 20)  # the compound file's directory sits near the start
    return any(name in data for name in _ENCRYPTED)


def read_office(path: Path, use_manifest: bool = True):
    """One office file → an OfficeCollection (see fanwen.office.model)."""
    from fanwen.importer.office.model import build_collection

    head = _check(path)
    suffix = path.suffix.lower()
    try:
        if suffix in WORD:
            extracted = _read_word(path, head)
        elif suffix in PDF:
            from fanwen.importer.office.pdf import read_pdf

            extracted = read_pdf(path, head)
        else:
            from fanwen.importer.office.web import read_web

            extracted = read_web(path)
    except (FanwenError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as error:
        # Files from the wild are stranger than any test: an unforeseen structure that trips a
        # reader skips this one file (named, with the error's kind for the maintainers) instead
        # of ending the import of a whole folder with a traceback.
        raise FanwenError(str(path), f"读取文件时出错（{type(error).__name__}: {str(error)[:120]}）",
                          "用 Word/WPS 或阅读器打开后另存一份（.docx 或 PDF）再导入；仍不行请把文件交给维护者。") from None
    return build_collection(path, extracted, use_manifest, web_cleaning=suffix in WEB)


def _read_word(path: Path, head: bytes):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from fanwen.importer.office.convert import to_docx
    from fanwen.importer.office.word import read_docx

    suffix = path.suffix.lower()
    notes = []
    if head.startswith(_OLE) and _encrypted(path):
        raise FanwenError(str(path), "文档设有打开密码，无法读取",
                          "用 Word/WPS 输入密码打开，在“文件 → 信息 → 保护文档”中取消密码，保存后再导入。")
    with tempfile.TemporaryDirectory(prefix="fanwen-office-") as work:
        source = path
        if head.startswith(_OLE):
            # .doc and .wps, and a .docx that is really an old .doc renamed: LibreOffice first.
            if suffix == ".docx":
                notes.append("扩展名是 .docx，实际是旧版 .doc 格式，已用 LibreOffice 转换后导入")
            else:
                notes.append(f"{suffix} 已用 LibreOffice 转换为 .docx 后导入")
            source = to_docx(path, Path(work))
        elif not head.startswith(_ZIP):
            with path.open("rb") as f:
                start = f.read(512)
            # No NUL byte in the opening: text (or a web page) saved under a Word name.
            what = "文本或网页" if b"\x00" not in start else "其他格式的文件"
            raise FanwenError(str(path), f"不是 Word 文档（文件内容像是{what}，只是扩展名为 {suffix}）",
                              "用 Word/WPS 打开确认内容，另存为 .docx 后再导入；若是网页或文本，改成 .html 或 .txt 扩展名。")
        _check_unpacked_size(path, source)
        try:
            document = docx.Document(str(source))
        except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
            if suffix == ".docx" and isinstance(error, (zipfile.BadZipFile, PackageNotFoundError)):
                problem = "文件已损坏（不是完整的 .docx 压缩包，可能复制或下载不完整）"
            else:
                problem = f"无法读取 Word 文档内容（{type(error).__name__}）"
            raise FanwenError(str(path), problem,
                              "用 Word/WPS 打开它（会提示修复），另存为新的 .docx 后再导入；打不开就找原始文件。") from None
        except Exception as error:  # lxml and python-docx raise many kinds for a damaged package
            raise FanwenError(str(path), f"Word 文档内部结构有误，无法读取（{type(error).__name__}）",
                              "用 Word/WPS 打开后另存为新的 .docx，再导入。") from None
        extracted = read_docx(path, document)
    extracted.notes[:0] = notes
    return extracted
