"""Each shape the held-out sites bring, on small collections of our own (tests/fixtures/shapes/):
what a user sees — pages, titles, notes, report flags — after `fanwen import`."""

import json
import shutil
from pathlib import Path

import pytest

from fanwen.importer.run import run_import
from fanwen.library.catalog import read_front_matter

from conftest import ROOT, run

SHAPES = ROOT / "tests" / "fixtures" / "shapes"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """All shape collections imported by the rules alone: (docs dir, report by file stem)."""
    docs = tmp_path_factory.mktemp("shapes") / "docs"
    report = run_import(sorted(SHAPES.glob("*.txt")), docs, use_manifests=False)
    return docs, {Path(s["file"]).stem: s for s in report["sources"]}


def pages(imported, name: str) -> list[tuple[dict, str]]:
    docs, report = imported
    return [read_front_matter(docs / d["page"]) for d in report[name]["documents"]]


def blocks(body: str) -> list[str]:
    return [b for b in body.strip().split("\n\n") if b]


# --------------------------------------------------------------------------- site furniture


def test_page_header_furniture_goes_and_the_title_stays(imported):
    [(meta, body)] = pages(imported, "header_furniture")
    assert meta["title"] == "青石社区环境卫生整治工作总结"  # `第1页共11页` glued to it is gone
    assert "title_derived" not in meta
    assert blocks(body)[0].startswith("今年以来，青石社区")
    for furniture in ("首页", "浏览量", "不代表本站观点", "小编", "ID", "大小", "第1页", "上一篇", "下一篇", "扫码"):
        assert furniture not in body
    assert blocks(body)[-1] == "继续巩固整治成果，建立长效保洁机制。"
    removed = {r["line"]: r["reason"] for r in imported[1]["header_furniture"]["removed"] if not r.get("inline")}
    assert removed == {1: "面包屑导航", 3: "发布时间", 4: "站点导语", 5: "站点导语", 6: "文库信息",
                       12: "上下篇链接", 13: "上下篇链接", 14: "相关文章列表"}


def test_document_library_lead_and_page_suffix(imported):
    [(meta, body)] = pages(imported, "library_lead")
    assert meta["title"] == "柳溪镇农田水利建设工作方案"
    assert "由会员上传分享" not in body and "精心准备" not in body and "_第" not in body and "www" not in body
    assert blocks(body)[0].startswith("为加快补齐农田水利短板")


# --------------------------------------------------------------------------- markers


@pytest.mark.parametrize("name, count", [
    ("markers_title_number", 3),   # 村级财务公开工作总结1 / 2 / 3
    ("markers_title_pian", 2),     # 防汛工作汇报 篇1
    ("markers_numbered_pian", 2),  # 第一篇:
    ("markers_bracketed", 2),      # 【篇一】:
    ("markers_restart", 4),        # 篇5 篇6, then 篇1 篇2 (two pages glued)
])
def test_marker_styles_split_and_never_show(imported, name, count):
    found = pages(imported, name)
    assert len(found) == count
    for meta, body in found:
        assert "篇" not in meta["title"] and not meta["title"][-1].isdigit()
        assert "篇" not in body.replace("篇幅", "")


def test_marker_carrying_the_title(imported):
    titles = [meta["title"] for meta, _ in pages(imported, "markers_with_title")]
    assert titles == ["南岗村集体经济发展情况汇报", "北岭乡垃圾分类工作总结"]
    assert all(not imported[1]["markers_with_title"]["documents"][i]["title_derived"] for i in (0, 1))


# --------------------------------------------------------------------------- structure without markers


def test_documents_without_markers(imported):
    docs = imported[1]["no_markers"]["documents"]
    assert [(d["start_line"], d["end_line"]) for d in docs] == [(1, 6), (7, 13), (14, 19), (20, 27), (28, 31)]
    titles = [d["title"] for d in docs]
    assert titles[2] == "村级水利工作总结二"  # a title ending in a number
    assert titles[3] == "在全镇安全生产工作会议上的讲话"  # title + salutation: one document
    _, speech = pages(imported, "no_markers")[3]
    assert blocks(speech)[0] == "同志们："


def test_unsure_decisions_are_flagged_with_their_line(imported):
    flags = {(f["line"], f["kind"]) for f in imported[1]["no_markers"]["flags"]}
    assert (6, "末尾孤立标题") in flags        # 三、对策建议 with nothing under it
    assert (7, "切分点需确认") in flags        # numbering starts again at 二、
    assert (8, "缺少首个一级标题") in flags    # … so its 一、 heading is missing
    assert (28, "标题为整理者所拟") in flags
    assert (28, "切分点需确认") in flags


def test_excerpts_and_derived_titles_are_marked_on_the_page(imported):
    found = pages(imported, "no_markers")
    first, second, third = found[0], found[1], found[2]
    assert first[0]["status"] == "节选" and "本文为节选" in first[1]  # ends on a bare heading
    assert "status" not in second[0]  # only its 一、 heading is missing: flagged, not an excerpt
    assert "status" not in third[0] and "本文为节选" not in third[1]
    meta, body = found[4]
    assert meta["title_derived"] is True and "标题为整理者所拟" in blocks(body)[0]
    assert meta["source_file"] == "no_markers.txt" and meta["source_lines"] == "28-31"


# --------------------------------------------------------------------------- repairs


def test_round_trip_damage_repaired_in_a_file_that_shows_it(imported):
    [(_, body)] = pages(imported, "repairs_round_trip")
    assert "坚持基本原则" in body and "财务规则" in body and "“一支笔”" in body
    assert "经济发展和民生改善" in body
    assert "那么" not in body and "〝" not in body and "〞" not in body


def test_repairs_in_plain_text(imported):
    [(_, body)] = pages(imported, "repairs_plain")
    text = body.replace('<span class="fw-blank" title="待填写">××</span>', "××")
    assert "随着城镇化推进，我们面临着新的挑战，接着" in text
    assert "显著的成效" in text and "著名的古镇" in text
    assert "农村人口××万人，贫困发生率××%，县委书记××、县长××" in text
    assert "减贫任务××人" in text and "20××年以来" in text  # a count is no year; a year stays one
    assert "“一刀切”" in text and "（社区），××个" in text
    assert "集体经济开展审计" in text  # no round trip here: 开展 is right


def test_inline_sub_headings_and_broken_lines(imported):
    [(_, body)] = pages(imported, "structure")
    parts = blocks(body)
    assert "思路与做法" in parts and "**1\\.整合土地**" in parts
    assert any(p.startswith("本次调研") and p.endswith("政策建议。") for p in parts)
    joined = [p for p in parts if p.startswith("各村集体土地")]
    assert len(joined) == 1 and "签约搬迁。" in joined[0] and "已安排<span" in joined[0]


def test_viewer_chunks_become_paragraphs(imported):
    [(_, body)] = pages(imported, "viewer_chunks")
    parts = blocks(body)
    assert parts[0].endswith("共设立林长三十六名，实现山林网格全覆盖。")
    assert [p[:7] for p in parts[1:]] == ["**一、主要做", "**二、存在问", "**三、下步打"]
    assert "2、" not in body and "3、" not in body


def test_one_heading_level_looks_the_same_on_a_page(imported):
    _, body = pages(imported, "viewer_chunks")[0]
    assert "## " not in body  # all three top-level items are run-in: bold, none a heading


def test_one_line_page_is_cut_before_its_headings(tmp_path):
    sentence = "我镇坚持问题导向，逐项抓好整改落实，确保各项工作有序推进。"
    page = ("柳溪镇年度工作总结" + " " + sentence * 20 + "一、主要工作。" + sentence * 20 + "二、存在问题。"
            + sentence * 20 + "三、下步打算。" + sentence * 20)
    source = tmp_path / "one_line.txt"
    source.write_text(page + "\n", encoding="utf-8")
    report = run_import([source], tmp_path / "docs", use_manifests=False)
    [doc] = report["sources"][0]["documents"]
    _, body = read_front_matter(tmp_path / "docs" / doc["page"])
    heads = [b for b in blocks(body) if b.startswith(("## ", "**"))]
    assert [h.lstrip("#* ")[:2] for h in heads] == ["一、", "二、", "三、"]


# --------------------------------------------------------------------------- the command


def test_import_prints_the_review_count_and_the_draft_comments_each_flag(tmp_path):
    source = tmp_path / "no_markers.txt"
    shutil.copy(SHAPES / "no_markers.txt", source)
    report_path = tmp_path / "r.json"
    result = run(["fanwen", "import", str(source), "--docs", str(tmp_path / "docs"), "--report", str(report_path),
                  "--write-manifest"])
    assert result.returncode == 0, result.stderr
    total = json.loads(report_path.read_text(encoding="utf-8"))["totals"]["flags"]
    assert total >= 5 and f"需要人工确认 {total} 处" in result.stdout
    draft = source.with_suffix(".yml").read_text(encoding="utf-8")
    assert "# 需要人工确认（第 6 行）：末尾孤立标题——三、对策建议" in draft
    assert "# 需要人工确认（第 28 行）：标题为整理者所拟" in draft
    # The draft is a valid manifest: importing with it gives the same documents.
    again = run(["fanwen", "import", str(source), "--docs", str(tmp_path / "docs2"), "--report", str(report_path)])
    assert again.returncode == 0, again.stderr


def test_bad_rule_in_data_names_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    rules = data / "boilerplate.yml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("'(浏览量|", "'((浏览量|", 1), encoding="utf-8")
    result = run(["fanwen", "import", str(SHAPES / "structure.txt"), "--docs", str(tmp_path / "docs"),
                  "--report", str(tmp_path / "r.json")], env={"FANWEN_DATA": str(data)})
    assert result.returncode == 1
    line = next(n for n, text in enumerate(rules.read_text(encoding="utf-8").splitlines(), 1) if "'((浏览量|" in text)
    assert f"boilerplate.yml:{line}" in result.stderr and "正则表达式有误" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_value_type_in_split_rules_names_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    rules = data / "split.yml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("opening_paragraphs_max: 2", "opening_paragraphs_max: 两"),
                     encoding="utf-8")
    result = run(["fanwen", "import", str(SHAPES / "no_markers.txt"), "--docs", str(tmp_path / "docs"),
                  "--report", str(tmp_path / "r.json")], env={"FANWEN_DATA": str(data)})
    assert result.returncode == 1
    line = next(n for n, text in enumerate(rules.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("opening_paragraphs_max:"))
    assert f"split.yml:{line}" in result.stderr and "opening_paragraphs_max" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_page_that_lacks_its_start_is_an_excerpt(imported):
    docs = imported[1]["excerpt_start"]["documents"]
    assert [(d["start_line"], d["end_line"]) for d in docs] == [(1, 4), (5, 8)]
    assert docs[0]["status"] == "节选" and "status" not in docs[1]
    assert (1, "缺少开头") in {(f["line"], f["kind"]) for f in docs[0]["flags"]}
    meta, body = pages(imported, "excerpt_start")[0]
    assert meta["status"] == "节选" and blocks(body)[0] == '<p class="fw-note">本文为节选：原文不完整（缺少开头或结尾）。</p>'


def test_a_first_line_that_may_be_a_sub_heading_is_flagged(tmp_path):
    source = tmp_path / "subheading.txt"
    source.write_text("一、工作目标\n全年完成改厕八百户。\n二、保障措施\n"
                      "强化督查\n县里每月通报一次进度，对滞后乡镇约谈。\n", encoding="utf-8")
    report = run_import([source], tmp_path / "docs", use_manifests=False)
    flags = {(f["line"], f["kind"]) for f in report["sources"][0]["flags"]}
    assert (4, "标题需确认") in flags and (3, "末尾孤立标题") in flags


def test_a_made_up_title_names_a_level_only_when_the_text_speaks_at_that_level():
    from fanwen.importer.classify import derive_title

    cited = ["为做好村庄清洁工作，根据省委、省政府和省民政厅的部署，结合实际制定本方案。"]
    assert not derive_title("省", "方案", "huanjing", cited).startswith("省")
    own = ["为做好村庄清洁工作，全县上下统一行动。"]
    assert derive_title("县", "方案", "huanjing", own).startswith("县")
