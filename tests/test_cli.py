"""`fanwen import` from the command line: totals, and a missing file named."""

from conftest import SOURCES, run

# Bad sources (empty, binary, undecodable, no article, oversized, clashing names): tests/test_hardening.py


def test_missing_source_names_the_file(tmp_path):
    result = run(["fanwen", "import", str(tmp_path / "nope.txt"), "--docs", str(tmp_path / "docs")])
    assert result.returncode == 1 and "nope.txt" in result.stderr and "不存在" in result.stderr
    assert not (tmp_path / "docs" / "examples").exists()


def test_import_prints_totals(tmp_path):
    result = run(["fanwen", "import", *map(str, SOURCES), "--docs", str(tmp_path / "docs"),
                  "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0
    assert "篇文档" in result.stdout and "移除" in result.stdout and (tmp_path / "r.json").exists()
