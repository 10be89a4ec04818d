"""Curation without code: a manifest next to a source overrides the importer's decisions."""

import json

import pytest

from conftest import run

SOURCE = ("测试合集篇1\n一、指导思想\n以党的精神为指导,做好村委会换届选举工作。\n二、工作要求\n按时完成。\n"
          "测试合集篇2\n一、基本情况\n我镇水利工作取得成绩。\n测试合集篇3\n一、存在问题\n村级财务管理不规范。\n")


@pytest.fixture
def collection(tmp_path):
    source = tmp_path / "sources" / "t1.txt"
    source.parent.mkdir()
    source.write_text(SOURCE, encoding="utf-8")
    return source


def do_import(tmp_path, source, *extra):
    report = tmp_path / "report.json"
    result = run(["fanwen", "import", str(source), "--docs", str(tmp_path / "docs"), "--report", str(report), *extra])
    return result, (json.loads(report.read_text(encoding="utf-8")) if result.returncode == 0 else None)


def test_manifest_overrides_split_title_type_level_theme_and_drop(tmp_path, collection):
    collection.with_suffix(".yml").write_text(
        "documents:\n"
        "- {start: 2, end: 8, title: 村委会换届选举与水利工作方案, type: 方案, level: 乡镇, theme: dangjian}\n"
        "- {start: 10, end: 11, drop: true}\n", encoding="utf-8")
    result, report = do_import(tmp_path, collection)
    assert result.returncode == 0, result.stderr
    docs = report["sources"][0]["documents"]
    assert [(d["title"], d["type"], d["level"], d["theme"], d["start_line"], d["end_line"]) for d in docs] == [
        ("村委会换届选举与水利工作方案", "方案", "乡镇", "dangjian", 2, 8)]
    reasons = {r["line"]: r["reason"] for r in report["sources"][0]["removed"] if not r.get("inline")}
    assert reasons[10] == reasons[11] == "整理清单标记删除"
    assert report["sources"][0]["accounting"]["balanced"]


def test_write_manifest_drafts_the_rules_decisions(tmp_path, collection):
    result, report = do_import(tmp_path, collection, "--write-manifest")
    assert result.returncode == 0, result.stderr
    draft = collection.with_suffix(".yml").read_text(encoding="utf-8")
    assert "- start: 2\n  end: 5\n" in draft and "theme: dangjian" in draft and "# 整理清单：t1.txt" in draft
    again, report2 = do_import(tmp_path, collection)
    strip = lambda r: [(d["start_line"], d["end_line"], d["title"], d["type"]) for d in r["sources"][0]["documents"]]
    assert strip(report2) == strip(report)
    # An existing manifest is never overwritten: the next draft goes beside it.
    do_import(tmp_path, collection, "--write-manifest")
    assert collection.with_suffix(".draft.yml").exists()


@pytest.mark.parametrize("manifest, key, words", [
    ("documents:\n- {start: 2, end: 99}\n", "documents[0].end", ["超出源文件范围", "共 11 行"]),
    ("documents:\n- {start: 2, end: 8, theme: caiwu}\n", "documents[0].theme", ["未知主题", "data/themes.yml"]),
    ("documents:\n- {start: 2, end: 8}\n- {start: 6, end: 11}\n", "documents[1].start", ["重叠"]),
    ("documents:\n- {start: 2, end: 8, type: 通知}\n", "documents[0].type", ["未知文种"]),
    ("documents:\n- {start: 2, end: 8\n", "t1.yml:", ["YAML 语法错误", "花括号 { } 没有正确结束"]),
])
def test_bad_manifest_fails_with_file_key_and_fix(tmp_path, collection, manifest, key, words):
    collection.with_suffix(".yml").write_text(manifest, encoding="utf-8")
    result, _ = do_import(tmp_path, collection)
    assert result.returncode == 1
    assert "t1.yml" in result.stderr and key in result.stderr and "怎么办" in result.stderr
    for word in words:
        assert word in result.stderr
    assert not (tmp_path / "docs" / "examples").exists()
