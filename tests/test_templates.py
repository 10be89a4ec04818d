"""Writing templates: filled from data, fitting the unit's level and the document's type,
derived from the model documents, clear errors."""

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest

from conftest import BIN, ROOT, run
from fanwen.library.sections import outline
from fanwen.drafting.templates import blanks, cn_range, default_context, list_templates, load_context, plain_text, render

FIXTURES = ROOT / "tests" / "fixtures"
QINGHE = FIXTURES / "unit-qinghe.yml"  # the shape given in issue 5, verbatim: no level, topic or tasks
TEMPLATES = [t.slug for t in list_templates(ROOT)]
STOCK_FILLER = "按照方案要求抓好本阶段各项工作"

# One fixture per level: (file, the unit's own words that must appear, words of other levels that must not).
LEVEL_FIXTURES = {
    "乡镇": ("unit-town.yml", ["青禾镇", "陈立新"], ["全村", "全局", "村党支部", "局党组", "各股室", "村集体", "部门经费"]),
    "村": ("unit-village.yml", ["石桥村", "王德明"],
          ["全镇", "镇党委", "党政办", "镇财政", "各村（社区）", "包村", "局党组", "各股室", "全局", "村（社区）"]),
    "社区": ("unit-community.yml", ["清河社区", "林海"],
            ["全镇", "镇党委", "党政办", "镇财政", "各村（社区）", "包村", "局党组", "各股室", "全村", "村党支部", "村民小组"]),
    "县直部门": ("unit-bureau.yml", ["县农业农村局", "方国平"],
              ["全镇", "镇党委", "党政办", "镇财政", "各村（社区）", "包村", "包户", "全村", "村党支部", "村集体",
               "隶属", "村（社区）"]),
}
FORBIDDEN = ["工作工作", "阶段阶段", "××", "{{", "{%", "乱码", STOCK_FILLER, "None", "等同志任副组长", "\ue000", "\ue001",
             "{ .", "此项工作"]


def test_ten_kinds_exist():
    names = {t.name for t in list_templates(ROOT)}
    assert {"工作方案", "实施方案", "换届选举工作方案", "工作情况报告", "工作汇报", "工作总结",
            "调研报告", "讲话稿（动员部署会）", "述职报告", "请示"} <= names
    assert len(names) >= 10


def test_chinese_dates():
    assert cn_range(dt.date(2027, 3, 1), dt.date(2027, 3, 15)) == "2027年3月1日至3月15日"
    assert cn_range(dt.date(2027, 12, 20), dt.date(2028, 1, 10)) == "2027年12月20日至2028年1月10日"


@pytest.mark.parametrize("slug", TEMPLATES)
def test_template_renders_with_sample_data(slug):
    text = plain_text(render(slug, default_context(ROOT), ROOT))
    assert "××" in text and "2027年" in text
    assert not re.search(r"\{\{|\{%|None|\ue000|\ue001", text)


def _draft_text(slug, fixture, tmp_path, suffix=".txt"):
    out = tmp_path / f"draft{suffix}"
    result = run(["fanwen", "draft", slug, "--data", str(FIXTURES / fixture), "--out", str(out)])
    return result, out


@pytest.mark.parametrize("level", LEVEL_FIXTURES)
@pytest.mark.parametrize("slug", TEMPLATES)
def test_every_template_at_every_level(slug, level):
    """What an experienced writer checks first: the unit's own words, no other level's words,
    no doubled words at joins, no stock filler, no placeholder marks."""
    fixture, own, others = LEVEL_FIXTURES[level]
    context, _ = load_context(FIXTURES / fixture, ROOT)
    template = next(t for t in list_templates(ROOT) if t.slug == slug)
    if level not in template.levels:
        from fanwen.errors import FanwenError
        with pytest.raises(FanwenError, match="不适用于“" + level):
            render(slug, context, ROOT)
        return
    text = plain_text(render(slug, context, ROOT))
    for word in own if slug != "request" else own[:1]:  # a 请示 names no leading group
        assert word in text, (word, text)
    for word in FORBIDDEN + others:
        assert word not in text, (word, text)
    short = context["unit"]["short_name"]
    assert f"{short}{short[-1]}" not in text.replace(context["unit"]["name"], "")  # 石桥村村…
    assert not re.search(r"同志任副组长[^。]*同志任副组长", text)
    assert not re.search(r"[。；，、]{2}|：。", text), text
    assert not re.search(r"\d{4}年0\d月|月0\d日", text)  # no zero padding


def test_village_election_plan_has_the_statutory_steps_with_dates():
    context, _ = load_context(FIXTURES / "unit-village.yml", ROOT)
    text = plain_text(render("election-plan", context, ROOT))
    steps = ["成立选举委员会（2027年3月1日至3月10日）", "选民登记（2027年3月11日至3月25日）",
             "候选人提名与资格审查（2027年3月26日至4月10日）", "投票选举（2027年4月15日至4月30日）",
             "交接与建章立制（2027年5月1日至5月15日）"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "石桥村2027年村“两委”换届选举工作方案" in text and "村民选举委员会" in text
    assert "十严禁" in text and text.count("严禁") >= 10 and "村务监督委员会" in text


def test_town_election_plan_deploys_the_villages_elections():
    context, _ = load_context(FIXTURES / "unit-town.yml", ROOT)
    text = plain_text(render("election-plan", context, ROOT))
    assert "为做好全镇村（社区）“两委”换届选举工作" in text and "各村（社区）依法推选产生" in text
    assert "村（社区）党组织书记一般通过法定程序担任主任" in text and "镇党委书记一般" not in text


def test_community_election_plan_without_dates_leaves_visible_blanks():
    context, _ = load_context(FIXTURES / "unit-community.yml", ROOT)
    filled = render("election-plan", context, ROOT)
    text = plain_text(filled)
    assert "社区“两委”" in text and "居民委员会" in text and "村民" not in text
    assert blanks(filled).count("起止日期") == 4 and "选举日" in blanks(filled)


def test_bureau_election_plan_says_why_not(tmp_path):
    result, out = _draft_text("election-plan", "unit-bureau.yml", tmp_path)
    assert result.returncode == 1 and "不适用于“县直部门”" in result.stderr and "work-plan" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_reports_speak_of_the_past_and_plan_only_what_comes_after_their_date():
    context, _ = load_context(FIXTURES / "unit-town.yml", ROOT)  # report dated 2027-11-30, the last phase's end
    text = plain_text(render("situation-report", context, ROOT))
    assert "排查企业146家" in text and "逐企逐户排查" not in text  # what was done, not the instructions
    nxt = text[text.index("四、下一步打算"):]
    assert "2027年3月" not in nxt and "2027年7月" not in nxt  # nothing already past is "planned"
    summary = plain_text(render("work-summary", {**context, "report_date": dt.date(2027, 7, 15),
                                                 "done": context["done"][:2], "upcoming": context["timeline"][2:]}, ROOT))
    assert "上半年" in summary and "全年" not in summary and "一年来" not in summary
    assert "2027年7月1日至11月30日" in summary[summary.index("三、下一步打算"):]


def test_bureau_summary_is_a_year_end_summary():
    context, _ = load_context(FIXTURES / "unit-bureau.yml", ROOT)
    text = plain_text(render("work-summary", context, ROOT))
    assert text.startswith("县农业农村局2027年高标准农田建设工作总结\n") and "全年工作总结如下" in text
    assert "2028年" in text[text.index("三、下一步打算"):] and "局党组书记、局长方国平" in text


def test_plan_lists_the_leading_group_and_timetable(tmp_path):
    result, out = _draft_text("work-plan", "unit-town.yml", tmp_path)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    group = text[text.index("三、组织领导"):text.index("四、")]
    assert "组长：陈立新（镇党委书记）" in group
    assert "副组长：赵文华（镇党委副书记、镇长）、黄志强（镇党委委员、副镇长）" in group
    assert "成员：吴静（镇党政办主任）、徐丽（镇应急管理办主任）" in group
    steps = text[text.index("五、方法步骤"):text.index("六、")]
    assert "（一）动员部署阶段（2027年3月1日至3月15日）\n召开全镇动员大会；印发实施方案；建立工作台账。" in steps


def test_missing_facts_are_blanks_listed_by_draft(tmp_path):
    out = tmp_path / "plan.txt"
    result = run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert STOCK_FILLER not in text and "此项工作" not in text and "【待填写：动员部署阶段要做的具体工作】" in text
    assert "unit.level 未填写，按“乡镇”处理" in result.stderr  # a file without a level still works
    assert "topic 未填写" in result.stderr and "没有 tasks" in result.stderr
    count = text.count("【待填写：")
    assert f"草稿中有 {count} 处【待填写】" in result.stderr and "动员部署阶段要做的具体工作" in result.stderr


@pytest.mark.parametrize("template", list_templates(ROOT), ids=lambda t: t.slug)
def test_sections_follow_the_model_documents(template):
    """Each template's sections are parts the model documents of its type actually use, in
    the order they usually come (the structure atlas)."""
    order = []
    for doc_type in template.derived_from:
        order += [row["part"] for row in outline(ROOT / "docs", doc_type) if row["part"] not in order]
    parts = [s["part"] for s in template.sections]
    assert all(part in order for part in parts), (parts, order)
    assert all(s.get("note") for s in template.sections)
    # Order as the model documents of the template's own type have it: no two parts in an order
    # that more documents contradict than follow (one document's order is an anecdote, and a
    # tie is no convention either).
    from fanwen.library.catalog import scan
    from fanwen.library.sections import load_parts, sections_of

    orders = [[s.part for s in sections_of(ROOT / "docs", e, load_parts())]
              for e in scan(ROOT / "docs") if e.type == template.derived_from[0]]
    for i, first in enumerate(parts):
        for second in parts[i + 1:]:
            both = [o for o in orders if first in o and second in o]
            against = sum(o.index(second) < o.index(first) for o in both)
            assert against <= len(both) - against, (template.slug, first, second, against, len(both))


def test_templates_use_only_level_words_from_data():
    """No level word written into a template: they come from data/levels.yml."""
    for template in list_templates(ROOT):
        body = template.path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for word in ("全镇", "全村", "全局", "镇党委", "党政办", "镇财政", "各村（社区）", "包村", "村集体", "各股室"):
            assert word not in body, (template.slug, word)


# --------------------------------------------------------------------------- bad input


def draft(tmp_path, data_text=None, template="work-plan", data_file=None):
    data = data_file or tmp_path / "my-unit.yml"
    if data_text is not None:
        data.write_text(data_text, encoding="utf-8")
    out = tmp_path / "草稿.docx"
    result = run(["fanwen", "draft", template, "--data", str(data), "--out", str(out)])
    return result, out


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("year: 2027", "year: [2027")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1 and "my-unit.yml:" in result.stderr and "YAML 语法错误" in result.stderr
    assert "方括号 [ ] 里的列表没有正确结束" in result.stderr  # PyYAML's problem, in the keeper's words
    assert not out.exists()


def test_wrong_type_names_key_and_line(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("start: 2027-03-16", "start: 三月中旬")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1
    assert "my-unit.yml:10" in result.stderr and "timeline[1].start" in result.stderr and "日期" in result.stderr
    assert not out.exists()


def test_missing_key_names_key(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("contact: {name: 周晓岚, phone: 0571-8888 6666}\n", "")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1 and "contact" in result.stderr and "缺少必填项" in result.stderr
    assert not out.exists()


def test_unknown_template_lists_the_available_ones(tmp_path):
    result, out = draft(tmp_path, data_file=QINGHE, template="work-plam")
    assert result.returncode == 1 and "work-plam" in result.stderr and "work-plan（工作方案）" in result.stderr
    assert not out.exists()


def test_undefined_variable_names_template_and_line(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copytree(ROOT / "data", project / "data")
    plan = project / "templates" / "work-plan.md"
    lines = plan.read_text(encoding="utf-8").split("\n")
    at = lines.index("## 二、工作目标")
    lines.insert(at + 1, "{{ unit.leader_nam }}")
    plan.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out.md"
    result = run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", str(out)], cwd=project)
    assert result.returncode == 1
    assert f"work-plan.md:{at + 2}" in result.stderr and "leader_nam" in result.stderr
    assert not out.exists()


def test_end_before_start_reads_as_chinese_dates(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("end: 2027-03-15", "end: 2027-02-15")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1 and "my-unit.yml:9" in result.stderr
    assert "结束日期 2027年2月15日 早于开始日期 2027年3月1日" in result.stderr
    assert "datetime" not in result.stderr and "Value error" not in result.stderr and not out.exists()


def test_impossible_date_names_file_and_line(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("start: 2027-03-16", "start: 2027-02-30")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1 and "my-unit.yml:10" in result.stderr and "日期 2027-02-30 不存在" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_data_file_encodings(tmp_path, encoding):
    data = tmp_path / "my-unit.yml"
    data.write_bytes(QINGHE.read_text(encoding="utf-8").encode(encoding))
    result, out = draft(tmp_path, data_file=data)
    assert result.returncode == 0, result.stderr
    from docx import Document
    assert "青禾镇人民政府" in "\n".join(p.text for p in Document(out).paragraphs)


def test_undecodable_data_file_says_save_as_utf8(tmp_path):
    data = tmp_path / "my-unit.yml"
    data.write_bytes(QINGHE.read_text(encoding="utf-8").encode("big5", errors="replace"))
    result, out = draft(tmp_path, data_file=data)
    assert result.returncode == 1 and "UTF-8" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_numbers_where_text_is_meant(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("phone: 0571-8888 6666", "phone: 13857102233")
    result, out = draft(tmp_path, text, template="work-plan")
    assert result.returncode == 0, result.stderr
    from docx import Document
    assert "联系电话：13857102233。" in "\n".join(p.text for p in Document(out).paragraphs)


@pytest.mark.parametrize("bad, expected", [
    ("{name: 吴静, post: 镇党政办主任}", "不能为空"),
    ("{name: [吴静], post: 镇党政办主任}", "应为一行文字"),
    ('{name: "吴\\ue001静", post: 镇党政办主任}', "私用区字符"),
    ('{name: "吴静\\n{: onclick=alert(1) }", post: 镇党政办主任}', "不能换行"),
])
def test_bad_text_values_are_refused_with_the_key(tmp_path, bad, expected):
    text = QINGHE.read_text(encoding="utf-8").replace("{role: 成员, name: 吴静, post: 镇党政办主任}",
                                                      "{role: 成员, " + bad[1:])
    if "不能为空" in expected:
        text = text.replace("{role: 成员, name: 吴静,", "{role: 成员, name: '',")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1, result.stdout
    assert "my-unit.yml:7" in result.stderr and "leading_group[2].name" in result.stderr and expected in result.stderr
    assert "Value error" not in result.stderr and "Traceback" not in result.stderr and not out.exists()


def test_unknown_level_lists_the_levels(tmp_path):
    text = QINGHE.read_text(encoding="utf-8").replace("region: 云溪县}", "region: 云溪县, level: 镇}")
    result, out = draft(tmp_path, text)
    assert result.returncode == 1 and "unit.level" in result.stderr and "村、社区、乡镇、街道、县直部门、县" in result.stderr


def test_a_level_added_to_levels_yml_is_a_level_a_unit_may_have(tmp_path):
    """The unit levels are data/levels.yml's keys: a keeper who adds 开发区 (with its words) can
    draft for a 开发区 from their project folder; the CLI lists it among the levels."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copytree(ROOT / "data", project / "data")
    levels = project / "data" / "levels.yml"
    text = levels.read_text(encoding="utf-8")
    town = text[text.index("乡镇:"):text.index("街道:")]
    words = town.replace("乡镇:", "开发区:", 1).replace("全镇", "全区").replace("我镇", "我区").replace("镇党委", "区党工委")
    levels.write_text(text + "\n" + words, encoding="utf-8")
    data = project / "my-unit.yml"
    data.write_text(QINGHE.read_text(encoding="utf-8").replace("region: 云溪县}", "region: 云溪县, level: 开发区}"),
                    encoding="utf-8")
    out = tmp_path / "草稿.txt"
    result = run(["fanwen", "draft", "work-plan", "--data", str(data), "--out", str(out)], cwd=project)
    assert result.returncode == 0, result.stderr
    assert "结合我区实际" in out.read_text(encoding="utf-8") and "我镇" not in out.read_text(encoding="utf-8")
    data.write_text(QINGHE.read_text(encoding="utf-8").replace("region: 云溪县}", "region: 云溪县, level: 镇}"),
                    encoding="utf-8")
    result = run(["fanwen", "draft", "work-plan", "--data", str(data), "--out", str(out)], cwd=project)
    assert result.returncode == 1 and "村、社区、乡镇、街道、县直部门、县、开发区" in result.stderr


def test_data_checks_warn(tmp_path):
    text = (FIXTURES / "unit-town.yml").read_text(encoding="utf-8").replace("year: 2027", "year: 2026")
    text = text.replace("start: 2027-03-16", "start: 2027-02-16")
    result, out = draft(tmp_path, text)
    assert result.returncode == 0, result.stderr
    assert "year 是 2026" in result.stderr and "“排查整治”开始于“动员部署”之前" in result.stderr


# --------------------------------------------------------------------------- the command


def test_draft_and_list_work_from_any_folder(tmp_path):
    listed = run(["fanwen", "draft", "--list"], cwd=tmp_path)
    assert listed.returncode == 0 and "work-plan" in listed.stdout and "request" in listed.stdout
    assert len(listed.stdout.strip().splitlines()) == len(TEMPLATES)
    result = run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", "x.txt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "青禾镇" in (tmp_path / "x.txt").read_text(encoding="utf-8")
    sample = run(["fanwen", "draft", "work-plan", "--out", "sample.md"], cwd=tmp_path)
    assert sample.returncode == 0 and "示例数据" in sample.stderr


def test_a_project_folder_overrides_the_shipped_templates(tmp_path):
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    plan = tmp_path / "templates" / "work-plan.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("制定本方案。", "制定本方案（本地版）。"), encoding="utf-8")
    result = run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", "x.txt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "本地版" in (tmp_path / "x.txt").read_text(encoding="utf-8")


def test_markdown_output_has_no_attribute_markup(tmp_path):
    result, out = _draft_text("work-plan", "unit-town.yml", tmp_path, suffix=".md")
    text = out.read_text(encoding="utf-8")
    assert result.returncode == 0 and "{ ." not in text and "{:" not in text and "@sign" not in text
    assert text.startswith("# 青禾镇安全生产工作方案\n") and "\n## 一、指导思想\n" in text
    assert text.rstrip().endswith("青禾镇人民政府\n\n2027年3月1日")


def test_output_has_the_users_normal_permissions(tmp_path):
    out = tmp_path / "草稿.txt"
    result = subprocess.run(["sh", "-c", f"umask 022 && exec {BIN}/fanwen draft work-plan "
                             f"--data {QINGHE} --out {out}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert oct(os.stat(out).st_mode & 0o777) == oct(0o644)


def test_out_onto_a_directory_is_a_clear_error(tmp_path):
    target = tmp_path / "已有文件夹.docx"
    target.mkdir()
    result = run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", str(target)])
    assert result.returncode == 1 and "已有的文件夹" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob(".draft-*")) and target.is_dir()


# --------------------------------------------------------------------------- untrusted values


@pytest.mark.parametrize("value, shown", [
    ("甲镇\ue001<script>alert('pua')</script>", "甲镇&lt;script&gt;alert('pua')&lt;/script&gt;"),
    ("甲镇\n{: onclick=alert('attr') }", "甲镇 {: onclick=alert('attr') }"),
    ("甲镇\n\n# 标题\n\n@sign 伪造署名", "甲镇 # 标题 @sign 伪造署名"),
])
def test_values_never_become_markup_on_the_template_page(value, shown):
    """Issue 10, item 2: a private-use mark in a value cannot end its escaping, a line break
    cannot start an attribute list or a block. (Unit data files refuse both outright; this is
    the page's own defence for values that arrive any other way.)"""
    from fanwen.mkdocs.macros import template_html

    sample = default_context(ROOT)
    html = template_html(ROOT, "work-plan", unit={**sample["unit"], "short_name": value})
    assert "<script" not in html and not re.search(r"<[^>]*onclick", html)
    assert "\ue000" not in html and "\ue001" not in html
    assert f'<span class="fw-filled">{shown}</span>' in html
    assert html.count('class="fw-sign"') == 1  # a value cannot add a block of its own


# --------------------------------------------------------------------------- Word


@pytest.fixture(scope="module")
def word_draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / "草稿.docx"
    result = run(["fanwen", "draft", "work-plan", "--data", str(FIXTURES / "unit-town.yml"), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return out


def _font(run):
    fonts = run._r.rPr.rFonts
    return fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_docx_page_layout(word_draft):
    from docx import Document
    section = Document(word_draft).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert round((section.page_width - section.left_margin - section.right_margin) / 36000) == 156  # EMU → mm


def test_docx_fonts_and_sizes(word_draft):
    from docx import Document

    paragraphs = [p for p in Document(word_draft).paragraphs if p.text]
    title, body = paragraphs[0], paragraphs[1]
    h1 = next(p for p in paragraphs if p.text.startswith("一、"))
    h2 = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert (_font(title.runs[0]), title.runs[0].font.size.pt, title.alignment) == ("方正小标宋简体", 22, 1)
    assert (_font(body.runs[0]), body.runs[0].font.size.pt) == ("仿宋_GB2312", 16)
    assert round(body.paragraph_format.line_spacing.pt, 2) == 28.95
    assert (_font(h1.runs[0]), h1.runs[0].font.size.pt) == ("黑体", 16)
    assert (_font(h2.runs[0]), h2.runs[0].font.size.pt) == ("楷体_GB2312", 16)


def test_docx_page_numbers_and_fallback_fonts(word_draft):
    import zipfile

    with zipfile.ZipFile(word_draft) as docx:
        footers = [docx.read(n).decode() for n in docx.namelist() if n.startswith("word/footer")]
        fonts = docx.read("word/fontTable.xml").decode()
        settings = docx.read("word/settings.xml").decode()
    assert len(footers) == 2 and all("PAGE" in f and "— " in f and " —" in f and "宋体" in f for f in footers)
    assert 'w:jc w:val="right"' in "".join(footers) and 'w:jc w:val="left"' in "".join(footers)
    assert "evenAndOddHeaders" in settings
    assert 'w:name="方正小标宋简体"' in fonts and "w:altName" in fonts


def test_docx_converts_to_a_pdf_page(word_draft, tmp_path):
    """LibreOffice renders the draft; the first page is kept as a PNG for a person to look at."""
    # A profile of its own: another LibreOffice running on the machine would take the conversion.
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    result = subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                             str(word_draft)],
                            capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "草稿.pdf"
    assert pdf.exists(), result.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info and 2 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 4
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(shots / "word-draft")], check=True)
    assert list(shots.glob("word-draft*.png"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "青禾镇安全生产工作方案" in text and re.search(r"—\s*1\s*—", text)


def _docx(slug, fixture, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / f"{slug}.docx"
    result = run(["fanwen", "draft", slug, "--data", str(FIXTURES / fixture), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def request_draft(tmp_path_factory):
    return _docx("request", "unit-bureau.yml", tmp_path_factory)


@pytest.fixture(scope="module")
def election_draft(tmp_path_factory):
    return _docx("election-plan", "unit-village.yml", tmp_path_factory)


def _chars(length) -> float:
    from fanwen.drafting.word_output import CHAR
    return round((length or 0) / CHAR, 2)


@pytest.mark.parametrize("which", ["word_draft", "request_draft", "election_draft"])
def test_docx_signature_and_date_as_gb9704_7_3_5(which, request):
    """One blank line after the text; the name 右空二字 (or further left when the date is longer);
    the date's first character two characters right of the name's first."""
    from docx import Document
    from fanwen.drafting.word_output import _width

    paragraphs = Document(request.getfixturevalue(which)).paragraphs
    i = next(i for i, p in enumerate(paragraphs) if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", p.text))
    blank, name, date = paragraphs[i - 2], paragraphs[i - 1], paragraphs[i]
    assert blank.text == "" and paragraphs[i - 3].text  # exactly one blank line
    assert name.alignment == date.alignment == 2  # right
    name_right, date_right = _chars(name.paragraph_format.right_indent), _chars(date.paragraph_format.right_indent)
    assert min(name_right, date_right) == 2
    name_start, date_start = name_right + _width(name.text), date_right + _width(date.text)
    assert name_start - date_start == 2, (name.text, name_right, date.text, date_right)


def test_docx_recipient_flush_left(request_draft):
    from docx import Document

    to = next(p for p in Document(request_draft).paragraphs if p.text == "云溪县人民政府：")
    assert to.alignment in (None, 0) and not to.paragraph_format.first_line_indent
    assert not to.paragraph_format.left_indent


def test_docx_title_breaks_between_words(request_draft):
    from docx import Document
    from fanwen.drafting.word_output import title_lines

    title = Document(request_draft).paragraphs[0]
    assert title.text == "县农业农村局关于\n高标准农田建设工作有关事项的请示"
    assert title_lines("石桥村\u2002027年村“两委”换届选举工作方案".replace("\u2002", "\u200b2")) == [
        "石桥村2027年村“两委”换届选举工作方案"]
    long = "青禾镇\u200b关于\u200b农村人居环境整治提升五年行动工作\u200b情况的报告"
    # 26 characters; the only word boundaries give three lines, none broken inside the topic
    assert title_lines(long) == ["青禾镇关于", "农村人居环境整治提升五年行动工作", "情况的报告"]


def test_docx_heading_styles_show_the_outline(word_draft):
    """Word's own heading styles (the navigation pane lists them), restyled to look like
    the body's headings: 黑体/楷体 16 pt, black, not bold, no extra space."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(word_draft)
    h1 = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    h2 = [p for p in document.paragraphs if p.style.name == "Heading 2"]
    assert [p.text for p in h1] == ["一、指导思想", "二、工作目标", "三、组织领导", "四、主要任务", "五、方法步骤", "六、工作要求"]
    assert h2 and all(re.match(r"（[一二三四五六七八九十]+）", p.text) for p in h2)
    for style, level in ((document.styles["Heading 1"], "0"), (document.styles["Heading 2"], "1")):
        rpr = style.element.rPr
        assert rpr.find(qn("w:color")) is None and not style.font.bold and style.font.size.pt == 16
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == level
        assert style.paragraph_format.space_before.pt == 0
        assert all(not k.endswith("Theme") for k in rpr.rFonts.attrib)


def test_docx_language_and_properties(word_draft):
    import zipfile

    with zipfile.ZipFile(word_draft) as docx:
        styles = docx.read("word/styles.xml").decode()
        core = docx.read("docProps/core.xml").decode()
        settings = docx.read("word/settings.xml").decode()
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings  # the theme's language too
    defaults = styles[styles.index("<w:docDefaults>"):styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="zh-CN"' in defaults
    from docx import Document
    props = Document(word_draft).core_properties
    assert props.author == props.last_modified_by == "青禾镇人民政府"
    assert props.title == "青禾镇安全生产工作方案" and "python-docx" not in core.lower()


# --------------------------------------------------------------------------- section examples


@pytest.mark.parametrize("template", list_templates(ROOT), ids=lambda t: t.slug)
def test_section_examples_fit_the_template(template):
    """Examples on a template page come from its own document types, are never damaged or
    placeholder-only, and a 组织领导 example actually lists a group."""
    from fanwen.library.sections import plain, section_examples, usable

    for section in template.sections:
        for found in section_examples(ROOT / "docs", section["part"], template.derived_from, 3, template.topic):
            text = plain("\n".join(found.paragraphs))
            assert found.entry.type in template.derived_from
            assert "乱码" not in text and "\ufffd" not in text and usable(found)
            if section["part"] == "组织领导":
                assert "组长" in text


def test_damaged_and_placeholder_sections_are_never_examples():
    from fanwen.library.sections import Section, usable

    def section(text, part="工作目标"):
        return Section(None, 0, 3, part, part, (text,))

    real = "到2027年底，全镇农村生活垃圾集中收运处理率达到100%，卫生厕所普及率达到95%以上，村庄环境明显改善。"
    assert usable(section(real))
    assert not usable(section(real + "【原文此处乱码】"))
    assert not usable(section("××镇××工作领导小组：组长：×××，副组长：×××、×××，成员：×××、×××、×××。"))
    assert not usable(section("成立工作领导小组，统筹推进各项工作，确保取得实效，形成齐抓共管的良好局面和强大合力。", "组织领导"))
    assert usable(section("成立工作领导小组，由镇党委书记任组长，镇长任副组长，各站所负责人为成员，统筹推进各项工作。", "组织领导"))


# --------------------------------------------------------------------------- 印发通知 and 版记


@pytest.fixture(scope="module")
def issued_plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("issue")
    data = folder / "unit.yml"
    data.write_text((FIXTURES / "unit-town.yml").read_text(encoding="utf-8")
                    + "issue: {cc: [县应急管理局, 县安委会办公室], date: 2027-02-26}\n", encoding="utf-8")
    outputs = {}
    for suffix in (".txt", ".docx"):
        out = folder / f"plan{suffix}"
        result = run(["fanwen", "draft", "work-plan", "--data", str(data), "--out", str(out)])
        assert result.returncode == 0, result.stderr
        outputs[suffix] = out
    return outputs


def test_plan_issued_with_a_notice_and_imprint(issued_plan):
    text = issued_plan[".txt"].read_text(encoding="utf-8")
    assert text.startswith("青禾镇人民政府关于印发《青禾镇安全生产工作方案》的通知\n各村（社区）、镇各站所：\n")
    assert text.count("青禾镇人民政府\n2027年2月26日\n") == 1  # the plan itself is not signed twice
    assert text.rstrip().endswith("抄送：县应急管理局、县安委会办公室。\n青禾镇人民政府　　2027年2月26日印发")


def test_docx_imprint_is_ruled_and_the_plan_starts_a_new_page(issued_plan):
    from docx import Document
    from docx.oxml.ns import qn

    paragraphs = Document(issued_plan[".docx"]).paragraphs
    assert any('w:type="page"' in p._p.xml for p in paragraphs)
    cc, imprint = paragraphs[-2], paragraphs[-1]
    assert cc.text.startswith("抄送：") and imprint.text == "青禾镇人民政府\t2027年2月26日印发"
    sizes = [b.get(qn("w:sz")) for p in (cc, imprint) for b in p._p.pPr.find(qn("w:pBdr"))]
    assert sizes == ["8", "4", "8"]  # thick first and last rule, thin between


def test_attachment_note_after_one_blank_line(tmp_path):
    data = tmp_path / "unit.yml"
    data.write_text((FIXTURES / "unit-bureau.yml").read_text(encoding="utf-8")
                    + "attachments: [项目资金需求测算表, 项目区分布图]\n", encoding="utf-8")
    out = tmp_path / "请示.docx"
    result = run(["fanwen", "draft", "request", "--data", str(data), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    from docx import Document
    paragraphs = Document(out).paragraphs
    i = next(i for i, p in enumerate(paragraphs) if p.text.startswith("附件："))
    assert paragraphs[i].text == "附件：1. 项目资金需求测算表"  # no final punctuation
    assert paragraphs[i + 1].text == "2. 项目区分布图"  # aligned under 1.
    from fanwen.drafting.word_output import CHAR
    assert round(paragraphs[i + 1].paragraph_format.left_indent / CHAR) == 5
    assert round(paragraphs[i].paragraph_format.first_line_indent / CHAR) == 2  # 左空二字
    assert paragraphs[i - 1].text == "" and paragraphs[i - 2].text == "妥否，请批示。"
    assert paragraphs[i + 2].text == "" and paragraphs[i + 3].text == "云溪县农业农村局"


def test_chinese_numbering_goes_past_ninety_nine():
    from fanwen.drafting.templates import cn_number

    assert [cn_number(n) for n in (1, 10, 12, 20, 99, 100, 101, 110, 120, 1001, 2027)] == [
        "一", "十", "十二", "二十", "九十九", "一百", "一百零一", "一百一十", "一百二十", "一千零一", "二千零二十七"]


def test_a_timetable_of_a_hundred_and_twenty_phases_drafts(tmp_path):
    import datetime as dt

    import yaml

    data = yaml.safe_load(QINGHE.read_text(encoding="utf-8"))
    day = dt.date(2027, 1, 1)
    data["timeline"] = []
    for k in range(120):
        data["timeline"].append({"phase": f"阶段{k + 1}", "start": day, "end": day + dt.timedelta(days=1),
                                 "tasks": [f"第{k + 1}项任务。"]})
        day += dt.timedelta(days=2)
    unit = tmp_path / "my-unit.yml"
    unit.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "草稿.txt"
    result = run(["fanwen", "draft", "work-plan", "--data", str(unit), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "阶段120" in text and "（一百二十）" in text
