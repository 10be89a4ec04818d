"""The `fanwen` command: import collections (and, later, drafts from templates)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .errors import FanwenError


@click.group()
@click.version_option(package_name="fanwen")
def main() -> None:
    """范文库命令行：导入范文合集、生成文稿草稿。"""


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
    """把原始范文合集 SOURCES 导入为每篇一页的 Markdown。"""
    from tqdm import tqdm

    from .importer import run_import, write_manifest_draft, write_report

    started = time.perf_counter()
    # The bar only shows when there is enough to wait for; tqdm hides itself off a terminal.
    total_bytes = sum(p.stat().st_size for p in sources if p.is_file())
    with tqdm(total=len(sources), unit="个文件", desc="导入", disable=total_bytes < 2_000_000 or None) as bar:
        try:
            report = run_import(list(sources), docs_dir, progress=lambda _: bar.update(),
                                use_manifests=not no_manifest)
        except FanwenError as error:
            click.echo(f"导入失败：{error}", err=True)
            sys.exit(1)
    write_report(report, report_path)
    if write_manifest:
        for path in sources:
            written = write_manifest_draft(path, report)
            click.echo(f"整理清单草稿：{written}")
    totals = report["totals"]
    click.echo(f"导入完成：{totals['files']} 个文件，{totals['documents']} 篇文档，"
               f"{totals['duplicates']} 篇重复已跳过；输入 {totals['chars_in']} 字，"
               f"写入页面 {totals['chars_in_pages']} 字，移除 {totals['chars_removed']} 字"
               f"（{time.perf_counter() - started:.1f} 秒）。报告：{report_path}")
    unbalanced = [r["file"] for r in report["sources"] if not r["accounting"]["balanced"]]
    if unbalanced:
        click.echo(f"字数核对不平：{', '.join(unbalanced)}（请报告此问题）", err=True)
        sys.exit(2)
