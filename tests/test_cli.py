"""`fanwen import` from the command line: bad input fails clearly and loses nothing."""

import pytest

from conftest import SOURCES, run


@pytest.fixture
def docs_with_pages(tmp_path):
    """A docs folder holding a previous, good import."""
    docs = tmp_path / "docs"
    result = run(["fanwen", "import", str(SOURCES[0]), "--docs", str(docs), "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0, result.stderr
    return docs


def snapshot(docs):
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name, content, expected", [
    ("empty.txt", b"", "文件为空"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "二进制"),
    ("latin1.txt", "乡镇工作报告".encode("utf-8") + b"\xff\xfe\x00abc".replace(b"\x00", b"\x81\x30"), "字节偏移"),
    ("boilerplate-only.txt", "前言:我们精心挑选了数篇优质文章,供您阅读参考。\n".encode("utf-8"), "没有识别出任何文章"),
])
def test_bad_source_fails_and_keeps_previous_pages(docs_with_pages, tmp_path, name, content, expected):
    before = snapshot(docs_with_pages)
    bad = tmp_path / name
    bad.write_bytes(content)
    result = run(["fanwen", "import", str(SOURCES[0]), str(bad), "--docs", str(docs_with_pages),
                  "--report", str(tmp_path / "r2.json")])
    assert result.returncode == 1
    assert name in result.stderr and expected in result.stderr and "怎么办" in result.stderr
    assert snapshot(docs_with_pages) == before


def test_missing_source_names_the_file(tmp_path):
    result = run(["fanwen", "import", str(tmp_path / "nope.txt"), "--docs", str(tmp_path / "docs")])
    assert result.returncode == 1 and "nope.txt" in result.stderr and "不存在" in result.stderr
    assert not (tmp_path / "docs" / "examples").exists()


def test_import_prints_totals(tmp_path):
    result = run(["fanwen", "import", *map(str, SOURCES), "--docs", str(tmp_path / "docs"),
                  "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0
    assert "篇文档" in result.stdout and "移除" in result.stdout and (tmp_path / "r.json").exists()
