"""Repairs of scraper damage, on real lines from the seeds, including the traps."""

import re

import pytest

from fanwen.importer.repair import (flag_missing_digits, normalise_heading, remove_stray_after_de, repair_line,
                           restore_punctuation, unify_placeholders)

ADS = [re.compile(r"/?\s*[:：]?\s*请记住(我站|本站)域名\s*/?")]


@pytest.mark.parametrize("line, expected", [
    # 001 line 4 (after the other repairs): commas and a heading-style bracket in Chinese text.
    ("全镇农田面积22181亩,有小(二)型以上水库10座,其中小(一)型2座", "全镇农田面积22181亩，有小（二）型以上水库10座，其中小（一）型2座"),
    ("按照x食安办[20xx]x号关于开展20xx年食品安全宣传周活动的通知要求:", None),
    ("近年来,为了全面落实群众公认“四个原则”;一是", "近年来，为了全面落实群众公认“四个原则”；一是"),
    ("这是为什么?我们认为!", "这是为什么？我们认为！"),  # real question marks stay question marks
])
def test_punctuation_in_chinese_context(line, expected):
    text, edit = restore_punctuation(line)
    if expected:
        assert text == expected
    assert not re.search(r"[\u4e00-\u9fff][,;:!?]|[,;:!?][\u4e00-\u9fff]", text)


@pytest.mark.parametrize("line", [
    "时间 12:18:58",  # a clock time
    "需籌資7.49億元",  # a decimal
    "共计3,000元",  # thousands
    "http://www.example.com/a?b=1",  # a URL
    "Hello, world: ok!",  # a Latin-only run
])
def test_ascii_punctuation_that_belongs_stays(line):
    assert restore_punctuation(line)[0] == line


def test_gdp_keeps_its_letters_and_gets_chinese_brackets():
    assert restore_punctuation("地区生产总值(GDP)增长")[0] == "地区生产总值（GDP）增长"


def test_stray_characters_after_de():
    # 001 line 106 and 002 (backtick): characters injected after 的.
    assert remove_stray_after_de("一要不断提高乡镇人大代表的.素质")[0] == "一要不断提高乡镇人大代表的素质"
    text, edit = remove_stray_after_de("听取了财政局的`汇报,切实开好两个镇的'代表述职")
    assert text == "听取了财政局的汇报,切实开好两个镇的代表述职" and edit.removed == ["`", "'"]
    assert remove_stray_after_de("目标的.5%")[0] == "目标的.5%"  # not before a Chinese character


def test_inline_ad_removed():
    text, edits = repair_line("3、乡镇农经工作经费没有/:请记住我站域名/保障。", ADS)
    assert text == "3、乡镇农经工作经费没有保障。"
    assert [e.removed for e in edits if e.kind == "行内广告"] == [["/:请记住我站域名/"]]


def test_headings():
    assert normalise_heading("一、基本情况。")[0] == "一、基本情况"
    assert normalise_heading("㈢召开选举委员会成员会议")[0] == "（三）召开选举委员会成员会议"
    # A run-in heading keeps its full stop: it ends a sentence followed by text.
    line = "（一）举办现场宣传咨询活动。组织食药监部门开展咨询。"
    assert normalise_heading(line)[0] == line


@pytest.mark.parametrize("line, expected", [
    ("xx镇位于xx县东部,人口xx万", "××镇位于××县东部,人口××万"),
    ("20xx年以来,我镇的水务工作", "20××年以来,我镇的水务工作"),
    ("从200*年开始,***县分配***余名", "从200××年开始,××县分配××余名"),
    ("XX镇火化及移风易俗工作汇报", "××镇火化及移风易俗工作汇报"),  # still "some town": meaning kept
    ("按照x食安办[20xx]x号", "按照××食安办[20××]××号"),
    ("《__农经》第4期", "《××农经》第4期"),
])
def test_placeholders_become_one_form(line, expected):
    assert unify_placeholders(line)[0] == expected


@pytest.mark.parametrize("line", ["www.xx.com", "iPhone XX", "Excel表格", "D级危房", "2x2矩阵"])
def test_latin_text_is_not_a_placeholder(line):
    assert unify_placeholders(line)[0] == line


def test_deleted_year_digits_are_flagged_not_guessed():
    assert flag_missing_digits("自年7月我市校安工程启动")[0] == "自××年7月我市校安工程启动"
    assert flag_missing_digits("一、年工作全面总结")[0] == "一、××年工作全面总结"
    assert flag_missing_digits("年，全区司法行政工作将继续")[0] == "××年，全区司法行政工作将继续"
    for fine in ["（二）年龄结构更加合理。", "今年7月", "全年工作", "季度、年度考核", "青年工作"]:
        assert flag_missing_digits(fine)[0] == fine


def test_doubled_punctuation_is_collapsed_and_accounted():
    from fanwen.importer.repair import collapse_doubled_punctuation

    for before, after in [("增强自觉性，，增强艰苦", "增强自觉性，增强艰苦"), ("具体如下：。", "具体如下："),
                          ("完成了工作，。", "完成了工作。"), ("真的吗？？", "真的吗？"),
                          ("等等……", "等等……"), ("——这是", "——这是")]:
        text, edit = collapse_doubled_punctuation(before)
        assert text == after, before
        assert len(before) - len(text) == sum(map(len, edit.removed))
