"""`fanwen import` from the command line: totals, and a missing file named."""

from conftest import SOURCES, run

# Bad sources (empty, binary, undecodable, no article, oversized, clashing names): tests/test_hardening.py


def test_missing_source_names_the_file(tmp_path):
    result = run(["fanwen", "import", str(tmp_path / "nope.txt"), "--docs", str(tmp_path / "docs")])
    assert result.returncode == 1 and "nope.txt" in result.stderr and "不存在" in result.stderr
    assert not (tmp_path / "docs" / "examples").exists()


def test_import_prints_totals(import_run):
    docs, report, printed = import_run  # the session's import of sources/*.txt (conftest.py)
    documents = len([p for p in (docs / "examples").rglob("*.md") if p.name != "index.md"])
    assert f"{len(SOURCES)} 个文件，{documents} 篇文档" in printed and "移除" in printed and report.exists()
