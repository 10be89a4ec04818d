"""`fanwen build` and `fanwen dist`: safe site builds and the archives keepers deploy.

`mkdocs build --clean` empties site/ before rendering, so a build that fails half-way leaves
no site at all. `build_site` renders into a sibling folder (`site.new-<pid>`) and swaps it in
only when the strict build succeeded; on any error the previous site/ stays byte-for-byte.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import logging
import os
import re
import shutil
import tarfile
import time
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import click

from fanwen.data import yaml_error
from fanwen.errors import FanwenError
from fanwen.files import swap_in
from fanwen.mkdocs import messages

README_NAME = "部署说明.txt"
OFFLINE_FOLDER = "离线版"
SERVER_FOLDER = "site"
NGINX_CONF = Path("deploy") / "nginx.conf"
# Editor, OS and build leftovers that must never end up in an archive.
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", "__pycache__", ".git", ".svn"}
JUNK_PREFIXES = ("._", "~$", ".#")
JUNK_SUFFIXES = ("~", ".swp", ".swo", ".tmp", ".pyc", ".orig", ".rej")


# --------------------------------------------------------------------------- safe build

@contextlib.contextmanager
def _environment(overrides: dict[str, str]):
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _EchoHandler(logging.Handler):
    """MkDocs' warnings and errors on stderr, in the CLI's words (fanwen/mkdocs/messages.py;
    INFO chatter is dropped: it would name the temporary folder)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1
        click.echo(f"{messages.label(record)}：{messages.chinese(record)}", err=True)


@contextlib.contextmanager
def _mkdocs_logging():
    logger = logging.getLogger("mkdocs")
    handler = _EchoHandler()
    saved = (logger.level, logger.propagate)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _config_error(config_file: Path, error: Exception) -> FanwenError:
    """A ConfigurationError from loading mkdocs.yml: name the file and line when it's YAML."""
    import yaml

    cause = error.__context__
    if isinstance(cause, yaml.YAMLError):
        return yaml_error(str(config_file), cause,
                          "检查该行（及上一行）的缩进、冒号、引号和括号；YAML 用空格缩进，不能用 Tab。")
    return FanwenError(str(config_file), f"MkDocs 配置无法读取：{error}", "按提示修改 mkdocs.yml，或从仓库恢复该文件。")


def _remove_stale(site_dir: Path) -> None:
    """Temporary folders left by a build that was killed (its process no longer runs)."""
    stale_folders = [*site_dir.parent.glob(f"{site_dir.name}.new-*"), *site_dir.parent.glob(f"{site_dir.name}.old-*")]
    for stale in stale_folders:
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except PermissionError:
            pass  # someone else's running build


# What a published address may look like: it is written into every page (canonical link,
# sitemap, the 404 page's asset paths), so a quote or markup in it would break out of them.
_SITE_URL = re.compile(r"https?://[^\s\"'<>`\\{}|^/]+(/[^\s\"'<>`\\{}|^]*)?")


def check_site_url(url: str | None) -> None:
    if url and not _SITE_URL.fullmatch(url):
        raise FanwenError("SITE_URL", f"“{url}” 不是合法的网址（应以 http:// 或 https:// 开头，不含空白、引号或尖括号）",
                          "写成 http://主机名/路径/ 的形式，如 SITE_URL=http://intranet.example/fanwen/。")


class Built(NamedTuple):
    seconds: float
    index_note: str  # what became of the search index (reused or rebuilt), one line in Chinese


def build_site(site_dir: Path = Path("site"), config_file: Path = Path("mkdocs.yml"),
               env: dict[str, str] | None = None, rebuild_index: bool = False) -> Built:
    """Strict MkDocs build into a temporary sibling of site_dir, swapped in on success.

    Returns the seconds it took and what became of the search index: the index of the site
    being replaced serves again when few pages changed (fanwen/search/reuse.py), unless
    `rebuild_index`. Any failure raises FanwenError and leaves site_dir as it was.
    `env` sets environment variables for the build (mkdocs.yml reads them with !ENV).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    started = time.perf_counter()
    check_site_url({**os.environ, **(env or {})}.get("SITE_URL"))
    config_file = Path(config_file)
    if not config_file.is_file():
        raise FanwenError(str(config_file), "找不到 MkDocs 配置文件",
                          "在项目根目录（mkdocs.yml 所在的文件夹）运行 fanwen build。")
    site_dir = Path(os.path.abspath(site_dir))
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / "index.html").is_file():
        # The old folder is deleted after the swap: never take docs/, sources/ or the project for a site.
        raise FanwenError(str(site_dir), "这个目录已有内容，但不像是构建出的站点（没有 index.html），不会替换它",
                          "--site-dir 指向专门的输出目录，如 site/ 或一个新目录。")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    locked = _unwritable(site_dir)
    if locked:
        # The old site is renamed aside and deleted after the swap: a folder in it that cannot be
        # changed would be left behind as site.old-<pid>, next to a site that looks updated.
        raise FanwenError(locked, "没有写入权限，构建完成后无法替换旧站点",
                          f"给 {site_dir} 及其中的文件夹加上写入权限（如 chmod -R u+w），或用 --site-dir 指定另一个目录。")
    _remove_stale(site_dir)
    staging = site_dir.with_name(f"{site_dir.name}.new-{os.getpid()}")
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    fix_above = "按上面的提示修改后重新运行；上一次成功构建的站点没有改动。"
    built = False
    try:
        with _environment(env or {}), _mkdocs_logging() as log:
            try:
                config = load_config(str(config_file), site_dir=str(staging), strict=True)
            except ConfigurationError as error:
                raise _config_error(config_file, error) from None
            except Abort:
                raise FanwenError(str(config_file), "MkDocs 配置有误（见上面的错误）", fix_above) from None
            config.plugins.on_startup(command="build", dirty=False)
            plugin = config.plugins.get("fanwen")
            if plugin is not None:
                plugin.reuse_index_of(site_dir if site_dir.is_dir() else None, rebuild_index)
            try:
                build(config)
            except Abort as error:
                if "strict mode" in error.message:  # MkDocs's own words (not as `make serve` shows them)
                    raise FanwenError("mkdocs build", f"严格模式下有 {log.count} 条警告（见上），站点未生成", fix_above) from None
                raise FanwenError("mkdocs build", "构建中止（原因见上面的错误）", fix_above) from None
            except SystemExit:  # mkdocs-macros exits on a page it cannot render (on_error_fail)
                raise FanwenError("mkdocs build", "页面中的宏无法展开（见上面的错误）", fix_above) from None
            finally:
                config.plugins.on_shutdown()
        built = True
    except FanwenError:
        raise
    except Exception as error:  # a plugin or template failing in an unforeseen way: no traceback
        where = getattr(error, "filename", None) or "mkdocs build"
        raise FanwenError(str(where), f"构建出错：{type(error).__name__}: {error}",
                          "运行 `mkdocs build --strict` 查看完整的出错位置并修改；若是范文库的程序问题请报告。") from None
    finally:
        if not built:
            shutil.rmtree(staging, ignore_errors=True)
    failures = swap_in(staging, site_dir, old)
    if failures:
        path, error = failures[0]
        raise OldSiteLeft(str(old), f"新站点已生成并替换到 {site_dir}，但旧站点没能删掉（{path}: {error}）",
                          f"检查权限后手工删除 {old}。")
    note = getattr(plugin, "index_note", "") if plugin is not None and plugin.config.search else ""
    return Built(time.perf_counter() - started, note)


class OldSiteLeft(FanwenError):
    """The new site is in place; the previous one could not be removed."""


def _unwritable(folder: Path) -> str | None:
    """The first folder under `folder` (itself included) this process may not change, if any."""
    if not folder.is_dir():
        return None
    for root, _dirs, _files in os.walk(folder):
        if not os.access(root, os.W_OK | os.X_OK):
            return root
    return None


# --------------------------------------------------------------------------- archives

def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fanwen")
    except PackageNotFoundError:
        from fanwen import __version__
        return __version__


def is_junk(name: str) -> bool:
    return name in JUNK_NAMES or name.startswith(JUNK_PREFIXES) or name.endswith(JUNK_SUFFIXES)


def tree_entries(folder: Path, prefix: str) -> list[tuple[str, Path]]:
    """(archive name, path) of every directory and file under folder, sorted, junk left out."""
    entries = [(prefix + "/", folder)]
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_junk(d))
        base = Path(root)
        rel = base.relative_to(folder).as_posix()
        head = prefix if rel == "." else f"{prefix}/{rel}"
        if rel != ".":
            entries.append((head + "/", base))
        entries.extend((f"{head}/{name}", base / name) for name in sorted(files) if not is_junk(name))
    return sorted(entries)


def deploy_readme(version: str, day: dt.date, site_url: str, has_offline: bool, has_nginx: bool) -> str:
    """部署说明.txt: what is inside and how to put it on a server or a shared drive."""
    nginx = "nginx.conf" if has_nginx else "仓库中的 deploy/nginx.conf"
    lines = [
        f"范文库网站 {version}（{day:%Y年%m月%d日} 生成；生成时的网址 SITE_URL：{site_url or '未设置'}）",
        "",
        "一、包里有什么",
        f"  {SERVER_FOLDER}/ —— 网站文件，放到内网的 Web 服务器上（nginx、Apache、IIS 都可以，只需能发送静态文件）。",
    ]
    if has_offline:
        lines.append(f"  {OFFLINE_FOLDER}/ —— 离线版：不用服务器，复制到共享盘或 U 盘后双击其中的 index.html 打开。")
    if has_nginx:
        lines.append("  nginx.conf —— nginx 配置（即仓库中的 deploy/nginx.conf）。")
    lines += [
        f"  {README_NAME} —— 本说明。",
        "  网站不从外网加载任何字体、脚本或样式，内网不通外网也能正常使用。",
        "",
        "二、用 nginx 发布",
        f"  {nginx} 把网站放在子路径 /fanwen/ 下，网址是 http://内网地址/fanwen/。",
        f"  1. 把 {SERVER_FOLDER}/ 文件夹复制到服务器，例如 /srv/fanwen/site/（更新时整个文件夹替换）。",
        f"  2. 把 {nginx} 复制为 /etc/nginx/conf.d/fanwen.conf，按文件开头的说明改好 listen、",
        "     server_name 和 alias 一行（指向第 1 步的 site 文件夹，末尾保留斜杠）。",
        "  3. 运行 nginx -t 检查配置，再运行 systemctl reload nginx（或 nginx -s reload）。",
        "  4. 在浏览器中打开 http://内网地址/fanwen/，看看首页、主题页和搜索是否正常。",
        "",
        "三、放在子路径下",
        "  网站放在子路径下（如 http://内网地址/fanwen/）时，要按这个网址生成发布包，否则“页面不存在”",
        "  页的样式和链接会出错。在项目目录中运行：",
        "      SITE_URL=http://内网地址/fanwen/ make dist",
        "  SITE_URL 的路径要和 nginx 配置里的路径一致；换成别的路径时按 nginx.conf 开头的说明一并修改。",
        "  直接放在网站根路径（http://内网地址/）时不需要 SITE_URL，nginx 配置里的 /fanwen/ 相应改成 /。",
    ]
    if has_offline:
        lines += [
            "",
            "四、离线版（不用服务器）",
            f"  {OFFLINE_FOLDER}/ 与在项目目录中运行 make build-offline 生成的 site-offline/ 相同。把整个文件夹",
            "  复制到共享盘或 U 盘，双击其中的 index.html，就能在浏览器里浏览、搜索全部范文和写作模板，",
            "  不需要联网，也不需要服务器。请复制整个文件夹，不要只复制 index.html。放到服务器上的请用 site/。",
        ]
    return "\r\n".join(lines) + "\r\n"  # CRLF: it is read in Windows Notepad as often as on the server


def _archive_members(name: str, site_dir: Path, offline_dir: Path | None, nginx: Path | None,
                     readme: bytes) -> list[tuple[str, Path | bytes]]:
    members: list[tuple[str, Path | bytes]] = [(name + "/", site_dir.parent)]
    members += tree_entries(site_dir, f"{name}/{SERVER_FOLDER}")
    if offline_dir is not None:
        members += tree_entries(offline_dir, f"{name}/{OFFLINE_FOLDER}")
    if nginx is not None:
        members.append((f"{name}/nginx.conf", nginx.read_bytes()))
    members.append((f"{name}/{README_NAME}", readme))
    return sorted(members, key=lambda m: m[0])


def _write_tar(target: Path, members, mtime: int) -> None:
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for arcname, content in members:
            info = tarfile.TarInfo(arcname.rstrip("/"))
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
            if arcname.endswith("/"):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
                continue
            data = content if isinstance(content, bytes) else content.read_bytes()
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))


def _write_zip(target: Path, members, day: dt.date) -> None:
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for arcname, content in members:
            info = zipfile.ZipInfo(arcname, date_time=stamp)
            if arcname.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
                continue
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = content if isinstance(content, bytes) else content.read_bytes()
            archive.writestr(info, data)


def make_dist(dist_dir: Path = Path("dist"), site_dir: Path = Path("site"),
              offline_dir: Path | None = Path("site-offline"), config_file: Path = Path("mkdocs.yml"),
              day: dt.date | None = None, say=click.echo) -> list[Path]:
    """Build the site (and the offline copy), then write dist/<name>.tar.gz and .zip."""
    day = day or dt.date.today()
    seconds, note = build_site(site_dir, config_file, env={"FANWEN_OFFLINE": "false"})
    say(f"已构建网站：{site_dir}（{seconds:.1f} 秒）" + (f"\n{note}" if note else ""))
    if offline_dir is not None:
        seconds, note = build_site(offline_dir, config_file, env={"FANWEN_OFFLINE": "true"})
        say(f"已构建离线版：{offline_dir}（{seconds:.1f} 秒）" + (f"\n{note}" if note else ""))
    version = package_version()
    name = f"fanwen-site-{version}-{day:%Y%m%d}"
    nginx = Path(config_file).parent / NGINX_CONF
    nginx = nginx if nginx.is_file() else None
    readme = deploy_readme(version, day, os.environ.get("SITE_URL", ""), offline_dir is not None, nginx is not None)
    members = _archive_members(name, Path(site_dir), offline_dir and Path(offline_dir), nginx,
                               b"\xef\xbb\xbf" + readme.encode("utf-8"))  # BOM: older Notepad guesses GBK otherwise
    mtime = int(dt.datetime.combine(day, dt.time()).timestamp())
    dist_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, write in ((".tar.gz", lambda t: _write_tar(t, members, mtime)),
                          (".zip", lambda t: _write_zip(t, members, day))):
        target = dist_dir / f"{name}{suffix}"
        partial = target.with_name(f".{target.name}.part-{os.getpid()}")
        try:
            write(partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        written.append(target)
    return written
