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


@main.command("draft")
@click.argument("template", required=False)
@click.option("--data", "data_file", type=click.Path(path_type=Path), default=Path("data/unit.yml"), show_default=True,
              help="本单位数据（格式同 data/unit.yml）。")
@click.option("--out", "out_file", type=click.Path(path_type=Path), help="输出文件：.docx、.md 或 .txt。")
@click.option("--list", "list_only", is_flag=True, help="列出可用的模板。")
def draft_command(template: str | None, data_file: Path, out_file: Path | None, list_only: bool) -> None:
    """用本单位数据填写模板 TEMPLATE（如 work-plan），生成草稿。"""
    from .templating import list_templates

    try:
        if list_only:
            for t in list_templates():
                click.echo(f"{t.slug:<22}{t.name}（{t.type}）")
            return
        if not template or not out_file:
            raise click.UsageError("需要模板名和 --out，例如：fanwen draft work-plan --data my-unit.yml --out 草稿.docx")
        write_draft(template, data_file, out_file)
    except FanwenError as error:
        click.echo(f"生成失败：{error}", err=True)
        sys.exit(1)
    click.echo(f"已生成：{out_file}")


def write_draft(template: str, data_file: Path, out_file: Path) -> None:
    """Render and write atomically: on any error no output file is left behind."""
    import tempfile

    from .docx import build_docx
    from .templating import blocks, clean_markdown, default_context, plain_text, render

    suffix = out_file.suffix.lower()
    if suffix not in (".docx", ".md", ".txt"):
        raise FanwenError(str(out_file), f"不支持的输出格式 `{suffix or '（无扩展名）'}`", "输出文件名以 .docx、.md 或 .txt 结尾。")
    if not data_file.is_file():
        raise FanwenError(str(data_file), "数据文件不存在", "复制 data/unit.yml 改成本单位的数据，再用 --data 指向它。")
    filled = render(template, default_context(unit_file=data_file))
    content = {".docx": lambda: build_docx(blocks(filled)), ".md": lambda: clean_markdown(filled).encode("utf-8"),
               ".txt": lambda: plain_text(filled).encode("utf-8")}[suffix]()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out_file.parent, prefix=".draft-", delete=False) as tmp:
        tmp.write(content)
    Path(tmp.name).replace(out_file)
