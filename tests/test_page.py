"""Markdown rendering of imported lines: headings, run-in headings, escaping."""

import markdown

from fanwen.importer.page import render_line, render_page
from fanwen.markup import escape_markdown

EXTENSIONS = ["attr_list", "md_in_html", "tables", "pymdownx.escapeall"]


def html(line: str) -> str:
    return markdown.markdown(render_line(line), extensions=EXTENSIONS)


def test_top_level_heading():
    assert render_line("一、基本情况。") == "## 一、基本情况。"


def test_second_level_forms_are_normalised():
    assert render_line("(一)自查方式") == "### （一）自查方式"
    assert render_line("㈢召开选举委员会成员会议") == "### （三）召开选举委员会成员会议"
    assert render_line("（二）抽查方式") == "### （二）抽查方式"


def test_run_in_heading_keeps_its_text():
    line = "(一)举办现场宣传咨询活动。组织食药监、工商等部门开展咨询。"
    assert render_line(line) == "**（一）举办现场宣传咨询活动。**组织食药监、工商等部门开展咨询。"


def test_third_level_stays_a_paragraph_not_a_renumbered_list():
    out = html("3.促进集体增收。理清思路,找准路子。")
    assert "<ol" not in out and "3.促进集体增收。" in out


def test_markup_in_source_text_shows_as_text():
    for text in ["<script>alert(1)</script>", "20**年", "***县分配***余名", "a_b_c", "[链接](x)", "# 不是标题"]:
        out = markdown.markdown(escape_markdown(text), extensions=EXTENSIONS)
        visible = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert visible == f"<p>{text}</p>", (text, out)


def test_page_is_front_matter_then_one_block_per_line():
    meta = {"title": "镇水利工作情况报告", "type": "报告"}
    assert render_page(meta, ["一、基本情况。", "正文。"]) == (
        "---\ntitle: 镇水利工作情况报告\ntype: 报告\n---\n\n## 一、基本情况。\n\n正文。\n")
