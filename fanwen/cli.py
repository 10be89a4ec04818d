"""The `fanwen` command: import collections, build and package the site, drafts from templates."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from fanwen.errors import FanwenError


@click.group()
@click.version_option(package_name="fanwen")
def main() -> None:
    """范文库命令行：导入范文合集、构建和打包网站、生成文稿草稿。"""


def run() -> None:
    """The `fanwen` command: click's own messages for an interrupted or mistyped command are
    English ("Aborted!", "Error: …"); a user gets them in Chinese, with what to do."""
    try:
        code = main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("\n已中止：命令被中断。已写入的内容保持上一次完成时的状态，可以重新运行。", err=True)
        sys.exit(130)
    except click.exceptions.UsageError as error:
        command = error.ctx.command_path if error.ctx else "fanwen"
        click.echo(f"命令用法有误：{error.format_message()}\n  怎么办：运行 `{command} --help` 查看用法。", err=True)
        sys.exit(2)
    except click.exceptions.ClickException as error:
        click.echo(f"出错：{error.format_message()}", err=True)
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--docs", "docs_dir", default=Path("docs"), type=click.Path(path_type=Path), show_default=True,
              help="站点文档目录；页面写入其下的 examples/<主题>/。")
@click.option("--report", "report_path", default=Path("build/import-report.json"), type=click.Path(path_type=Path),
              show_default=True, help="导入报告（JSON）的路径。")
@click.option("--write-manifest", is_flag=True,
              help="按本次导入的结果为每个源文件写整理清单草稿（sources/<名>.yml；已有清单时写 <名>.draft.yml）。")
@click.option("--no-manifest", is_flag=True, help="忽略整理清单，只用导入规则（用于衡量规则本身的质量）。")
def import_command(sources: tuple[Path, ...], docs_dir: Path, report_path: Path, write_manifest: bool,
                   no_manifest: bool) -> None:
    """把范文 SOURCES 导入为每篇一页的 Markdown。

    SOURCES 可以是文件或文件夹：文本合集（.txt）、Word（.docx .doc .wps）、PDF、网页（.html .htm .mht）。
    """
    from tqdm import tqdm

    from fanwen.importer.run import run_import, write_manifest_draft, write_report
    from fanwen.importer.office import expand_sources

    started = time.perf_counter()
    # A folder stands for the importable files in it; other formats there are reported as skipped.
    sources, skipped = expand_sources(list(sources))
    if not sources:
        click.echo("导入失败：没有找到可导入的文件\n  怎么办：传入 .txt、.docx、.doc、.wps、.pdf、.html/.htm/.mht 文件，"
                   "或包含这些文件的文件夹。", err=True)
        sys.exit(1)
    # The bar shows only when the import takes long enough to wait for (after 2 s: a folder of
    # Word files, a large collection), never for a quick one; tqdm hides itself off a terminal.
    with tqdm(total=len(sources), unit="个文件", desc="导入", delay=2.0, disable=None) as bar:
        try:
            report = run_import(list(sources), docs_dir, progress=lambda _: bar.update(),
                                use_manifests=not no_manifest, skipped=skipped)
        except FanwenError as error:
            click.echo(f"导入失败：{error}", err=True)
            sys.exit(1)
        except OSError as error:  # unreadable source, full disk: the previous pages are still in place
            click.echo(f"导入失败：{error.filename or docs_dir}: {error.strerror or error}\n"
                       "  怎么办：检查文件的读取权限、docs 目录的写入权限和磁盘空间，再重新导入。", err=True)
            sys.exit(1)
    write_report(report, report_path)
    for entry in report["skipped"]:
        click.echo(f"已跳过：{entry['file']}: {entry['problem']}\n  怎么办：{entry['fix']}", err=True)
    if write_manifest:
        imported = {r["file"] for r in report["sources"]}
        for path in (p for p in sources if p.name in imported):
            written = write_manifest_draft(path, report)
            click.echo(f"整理清单草稿：{written}")
    totals = report["totals"]
    click.echo(f"导入完成：{totals['files']} 个文件，{totals['documents']} 篇文档，"
               + (f"{totals['skipped']} 个文件无法导入已跳过（见上），" if totals["skipped"] else "")
               + f"{totals['duplicates']} 篇重复已跳过；输入 {totals['chars_in']} 字，"
               f"写入页面 {totals['chars_in_pages']} 字，移除 {totals['chars_removed']} 字"
               f"（{time.perf_counter() - started:.1f} 秒）。报告：{report_path}")
    if totals["flags"]:
        # Never publish silently what the rules were unsure of: say how many spots, and where.
        click.echo(f"需要人工确认 {totals['flags']} 处（见报告中各文件的 flags；"
                   "用 --write-manifest 生成的整理清单草稿在对应条目上方注明）：")
        for source in report["sources"]:
            kinds: dict[str, int] = {}
            for flag in source["flags"]:
                kinds[flag["kind"]] = kinds.get(flag["kind"], 0) + 1
            if kinds:
                click.echo(f"  {source['file']}：" + "，".join(f"{k} {n} 处" for k, n in kinds.items()))
    unbalanced = [r["file"] for r in report["sources"] if not r["accounting"]["balanced"]]
    if unbalanced:
        click.echo(f"字数核对不平：{', '.join(unbalanced)}（请报告此问题）", err=True)
        sys.exit(2)


@main.command("build")
@click.option("--site-dir", default=Path("site"), type=click.Path(path_type=Path), show_default=True,
              help="站点输出目录；构建成功后才替换原有内容。")
@click.option("--offline", is_flag=True, help="构建离线版（FANWEN_OFFLINE=true）：可从共享盘双击 index.html 打开。")
@click.option("--config-file", default=Path("mkdocs.yml"), type=click.Path(path_type=Path), show_default=True,
              help="MkDocs 配置文件。")
@click.option("--rebuild-index", is_flag=True,
              help="搜索索引全部重建，不沿用上次构建的索引（平时不需要：改动多或索引格式变了时会自动重建）。")
def build_command(site_dir: Path, offline: bool, config_file: Path, rebuild_index: bool) -> None:
    """严格模式构建静态网站；失败时原有的站点目录保持不变。

    上次构建的站点还在时，没有改动的页面沿用它的搜索索引，只给改动的页面建索引。"""
    from fanwen.publish.build import OldSiteLeft, build_site

    try:
        seconds, note = build_site(site_dir, config_file, env={"FANWEN_OFFLINE": "true"} if offline else None,
                                   rebuild_index=rebuild_index)
    except OldSiteLeft as error:
        click.echo(f"构建完成，但有遗留：{error}", err=True)
        sys.exit(1)
    except FanwenError as error:
        click.echo(f"构建失败：{error}\n原有的 {site_dir}/ 保持不变。", err=True)
        sys.exit(1)
    click.echo(f"已构建{'离线版' if offline else '网站'}：{site_dir}/（{seconds:.1f} 秒）")
    if note:
        click.echo(note)


@main.command("dist")
@click.option("--dist-dir", default=Path("dist"), type=click.Path(path_type=Path), show_default=True,
              help="发布包（.tar.gz 和 .zip）的输出目录。")
@click.option("--site-dir", default=Path("site"), type=click.Path(path_type=Path), show_default=True)
@click.option("--offline-dir", default=Path("site-offline"), type=click.Path(path_type=Path), show_default=True)
@click.option("--no-offline", is_flag=True, help="发布包中不含离线版。")
def dist_command(dist_dir: Path, site_dir: Path, offline_dir: Path, no_offline: bool) -> None:
    """构建网站和离线版，打成发布包 dist/fanwen-site-<版本>-<日期>.tar.gz 和 .zip。"""
    from fanwen.publish.build import make_dist

    try:
        written = make_dist(dist_dir, site_dir, None if no_offline else offline_dir)
    except FanwenError as error:
        click.echo(f"打包失败：{error}\n原有的站点目录保持不变，没有生成发布包。", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"发布包：{path}（{path.stat().st_size / 1e6:.1f} MB）")


@main.command("draft")
@click.argument("template", required=False)
@click.option("--data", "data_file", type=click.Path(path_type=Path),
              help="本单位数据（格式同 data/unit.yml）；不写时用当前目录的 data/unit.yml，没有则用示例数据。")
@click.option("--out", "out_file", type=click.Path(path_type=Path), help="输出文件：.docx、.md 或 .txt。")
@click.option("--list", "list_only", is_flag=True, help="列出可用的模板。")
def draft_command(template: str | None, data_file: Path | None, out_file: Path | None, list_only: bool) -> None:
    """用本单位数据填写模板 TEMPLATE（如 work-plan），生成草稿。"""
    from fanwen.drafting.templates import list_templates

    try:
        if list_only:
            for t in list_templates():
                click.echo(f"{t.slug:<22}{t.name}（{t.type}；适用：{'、'.join(t.levels)}）")
            return
        if not template or not out_file:
            raise click.UsageError("需要模板名和 --out，例如：fanwen draft work-plan --data my-unit.yml --out 草稿.docx")
        warnings, blanks = write_draft(template, data_file, out_file)
    except FanwenError as error:
        click.echo(f"生成失败：{error}", err=True)
        sys.exit(1)
    for warning in warnings:
        click.echo(f"提醒：{warning}", err=True)
    click.echo(f"已生成：{out_file}")
    if blanks:
        counted: dict[str, int] = {}
        for what in blanks:
            counted[what] = counted.get(what, 0) + 1
        click.echo(f"提醒：草稿中有 {len(blanks)} 处【待填写】，请逐项补上：", err=True)
        for what, n in counted.items():
            click.echo(f"  · {what}" + (f"（{n} 处）" if n > 1 else ""), err=True)


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_draft(template: str, data_file: Path | None, out_file: Path) -> tuple[list[str], list[str]]:
    """Render and write atomically: on any error no output file (and no temporary file) is
    left behind. Returns the warnings about the data and the blanks left in the draft."""
    import os
    import tempfile

    from fanwen.drafting.word_output import build_docx
    from fanwen.drafting.templates import (blanks, blocks, clean_markdown, data_file as shipped, find_template, load_context,
                             render, wrap_notice)

    suffix = out_file.suffix.lower()
    if suffix not in (".docx", ".md", ".txt"):
        raise FanwenError(str(out_file), f"不支持的输出格式 `{suffix or '（无扩展名）'}`", "输出文件名以 .docx、.md 或 .txt 结尾。")
    if out_file.is_dir():
        raise FanwenError(str(out_file), "这是一个已有的文件夹，不能作为输出文件", "在 --out 后写文件名，如 草稿/工作方案.docx。")
    notes = []
    if data_file is None:
        data_file = Path("data/unit.yml")
        if not data_file.is_file():
            data_file = shipped("unit.yml")
            notes.append(f"没有指定 --data，使用示例数据 {data_file}；请复制它改成本单位的数据，再用 --data 指向它。")
    if not data_file.is_file():
        raise FanwenError(str(data_file), "数据文件不存在", "复制 data/unit.yml 改成本单位的数据，再用 --data 指向它。")
    context, warnings = load_context(data_file)
    filled = render(template, context)
    if context.get("issue") and context["issue"].get("notice") and find_template(template).type == "方案":
        filled = wrap_notice(filled, context)
    docx_meta = {"author": context["unit"]["name"], "title": blocks(filled)[0][1].replace("\u200b", "")}
    content = {".docx": lambda: build_docx(blocks(filled), **docx_meta),
               ".md": lambda: clean_markdown(filled).encode("utf-8"),
               ".txt": lambda: plain_text_of(filled).encode("utf-8")}[suffix]()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(dir=out_file.parent, prefix=".draft-", delete=False)
    try:
        with tmp:
            tmp.write(content)
        # NamedTemporaryFile creates 0600; a draft is an ordinary file of the user's.
        os.chmod(tmp.name, 0o666 & ~_umask())
        Path(tmp.name).replace(out_file)
    except OSError as error:
        Path(tmp.name).unlink(missing_ok=True)
        raise FanwenError(str(out_file), f"无法写入：{error.strerror or error}", "检查文件夹的写入权限和磁盘空间。") from None
    except BaseException:
        Path(tmp.name).unlink(missing_ok=True)
        raise
    return notes + warnings, blanks(filled)


def plain_text_of(filled: str) -> str:
    from fanwen.drafting.templates import plain_text

    return plain_text(filled)
