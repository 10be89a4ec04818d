"""Boilerplate and splitting rules, on real snippets from the seeds (with their traps)."""

from pathlib import Path

from fanwen.importer.collection import Collection, clean_lines, remove_boilerplate, split_into_chunks
from fanwen.importer.split import Line, find_markers, marker_number, structural_starts


def collect(text: str) -> Collection:
    collection = Collection(path=Path("test.txt"))
    clean_lines(collection, text)
    remove_boilerplate(collection)
    split_into_chunks(collection)
    return collection


def lines(*texts: str) -> list[Line]:
    return [Line(i + 1, t) for i, t in enumerate(texts)]


def test_marker_styles():
    assert marker_number("篇1") == ("", 1)
    assert marker_number("乡镇工作情况报告篇十三") == ("乡镇工作情况报告", 13)
    assert marker_number("社会治理现代化工作方案 12") == ("社会治理现代化工作方案", 12)
    # Not markers: a heading, a sentence ending in a number, a bare page number.
    assert marker_number("一、组织保障") is None
    assert marker_number("全镇共有水库10座,山塘584座") is None
    assert marker_number(" 12") is None


def test_a_series_needs_increasing_numbers():
    text = lines("乡镇工作情况报告篇一", "正文。", "乡镇工作情况报告篇二", "正文。", "全年完成 3", "正文。")
    assert find_markers(text) == {0, 2}


def test_lead_boilerplate_removed_and_reported():
    collection = collect(
        "鄉(xiāng)鎮(zhèn)換屆選舉工作方案范文\n時間:2023-03-22 12:18:58\n"
        "導(dǎo)語:如何才能寫好一篇鄉鎮換屆選舉工作方案,歡迎閱讀由公務員之家整理的十篇范文,供你借鑒。\n"
        "篇1\n一、指导思想\n以党的十六大精神为指导。\n篇2\n一、基本情况\n全县辖9个镇。\n")
    reasons = {r.line: r.reason for r in collection.removed if r.whole_line}
    assert reasons == {1: "合集标题", 2: "发布时间", 3: "站点导语", 4: "分篇标记", 7: "分篇标记"}
    assert collection.title == "乡镇换届选举工作方案范文"
    assert [len(u.lines) for u in collection.units] == [2, 2]


def test_boilerplate_lookalikes_inside_articles_stay():
    # "时间"/"前言"-style lines and "欢迎" inside an article are text, not site furniture.
    collection = collect(
        "篇1\n一、检查时间\n检查时间:2023年11月份。\n前言:本方案的前言部分说明目的。\n"
        "欢迎大家阅读本方案并提出意见,仅供参考的数据见附表。\n篇2\n正文第二篇。\n")
    kept = [line.text for unit in collection.units for line in unit.lines]
    assert "检查时间：2023年11月份。" in kept
    assert "前言：本方案的前言部分说明目的。" in kept
    assert "欢迎大家阅读本方案并提出意见，仅供参考的数据见附表。" in kept


def test_trailing_related_articles_removed():
    collection = collect(
        "社會治理現代化工作方案(精選18篇)\n社會治理現代化工作方案 1\n一、組織保障\n正文。\n"
        "社會治理現代化工作方案 2\n一、總體要求\n正文。\n"
        "【社會治理現代化工作方案】相關文章:\n街道社會治理現代化工作方案(精選7篇)12-01\n社會治理現代化方案12-04\n")
    reasons = [r.reason for r in collection.removed if r.whole_line]
    assert reasons.count("相关文章列表") == 3
    assert sum(len(u.lines) for u in collection.units) == 4


def test_site_leftover_fragment_removed():
    # 001 line 364: the tail of a link, left at the start of an article.
    collection = collect("报告篇一\n正文。\n报告篇二\n”,欢迎大家阅读。\n根据委密办〔20xx〕4号文件要求。\n")
    assert ("”，欢迎大家阅读。", "站点残留") in [(r.text, r.reason) for r in collection.removed]


def test_numbering_restart_splits_documents_without_markers():
    # 003 lines 42-50: a plan ends with an isolated heading; a new report starts with 一、.
    text = lines("一、加强党建工作,强化党员意识", "1、积极壮大党的组织。", "四、工作计划",
                 "刘家沟村是八里台镇所辖的15个行政村之一。", "一、充分发挥团支部组织作用",
                 "团支部开展活动。", "三、提高服务水平,切实帮扶弱势群体", "深入开展“希望之星”活动。",
                 "一、城乡结合部农村地区发展基本概况", "***镇共有19个行政村。")
    starts = structural_starts(text)
    assert 8 in starts  # the body line after 三、 stays with its section
    assert 3 not in starts and 4 in starts


def test_salutation_and_title_lines_start_documents():
    text = lines("一、建立例会制度的动因", "1、村两委主要干部例会制度,是新形势下的有益探索。",
                 "各位领导、团员、同志们:", "下午好!", "一、完善团组织机构。",
                 "二是进一步细化工作措施。", "20**脱贫攻坚项目产业扶持工作汇报", "按照省民政厅任务安排。")
    assert structural_starts(text) == {2: "称呼语", 6: "标题行"}


def test_heading_that_ends_in_a_type_word_is_not_a_title():
    # 000 line 46: a phase inside a plan, not a new document.
    text = lines("第三阶段另行选举", "此阶段为选举结果出来后。", "第四阶段完善组织和制度,进行工作总结", "㈠召开会议。")
    assert structural_starts(text) == {}


def test_verbatim_repeat_is_split_out():
    # 003 lines 118-125: the same four paragraphs twice.
    block = ["近年来,为了全面落实群众公认原则。", "一是严把条件资格关。", "二是严把民主推荐关。", "三是严把考察关。"]
    text = lines("上一篇的结尾。", *block, *block, "一、整合六支党建工作队伍")
    starts = structural_starts(text)
    assert {1, 5, 9} <= set(starts)


def test_more_marker_styles():
    from fanwen.importer.split import parse_marker

    assert marker_number("村级财务公开工作总结3") == ("村级财务公开工作总结", 3)
    assert marker_number("防汛工作汇报 篇2") == ("防汛工作汇报", 2)
    assert marker_number("第一篇:") == ("", 1)
    assert marker_number("【篇二】：") == ("", 2)
    assert parse_marker("篇一:南岗村集体经济发展情况汇报")[1:] == (1, "南岗村集体经济发展情况汇报")
    # Not markers: a count in a sentence, a title that names no kind of document.
    assert marker_number("全镇共有水库10") is None
    assert marker_number("我镇水库10") is None


def test_restart_and_title_shapes():
    text = lines("我镇今年完成了三项重点工作。", "一、抓好农业生产", "粮食总产稳定。", "二、抓好项目建设",
                 "新开工项目五个。", "农村饮水安全巩固提升", "一、基本情况", "全镇有集中供水工程九处。")
    assert structural_starts(text) == {5: "序号重新开始"}  # the title goes with the new numbering
    unnumbered = lines("同志们：", "今天的会议很重要。", "希望大家抓好落实。", "农村饮水安全巩固提升",
                       "一、基本情况", "全镇有集中供水工程九处。")
    assert structural_starts(unnumbered) == {3: "标题行后接“一、”"}
    speech = lines("一、提高认识", "安全无小事。", "关于农村道路交通安全", "各位领导、同志们：", "下面我讲两点。")
    assert structural_starts(speech) == {2: "标题行后接称呼语"}


def test_continuation_paragraph_is_not_taken_with_a_restart():
    text = lines("一、组织领导", "成立领导小组。", "二、工作要求", "按时完成。",
                 "但是，仍有部分村进度滞后。", "一、加强督查", "每月通报一次。")
    assert structural_starts(text) == {5: "序号重新开始"}


def test_marker_words_and_salutations_are_data():
    from fanwen.importer.split import is_salutation

    assert marker_number("范文一：") == ("", 1)
    assert marker_number("【例文2】") == ("", 2)
    assert is_salutation("同志们、朋友们：") and is_salutation("各位代表：")
    assert not is_salutation("同志们要把这项工作抓紧抓好。")
