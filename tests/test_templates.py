"""Writing templates: filled from data, derived from the model documents, clear errors."""

import datetime as dt
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run
from fanwen.sections import outline
from fanwen.templating import cn_range, default_context, list_templates, plain_text, render

QINGHE = ROOT / "tests" / "fixtures" / "unit-qinghe.yml"  # the shape given in the issue, verbatim
TEMPLATES = [t.slug for t in list_templates(ROOT)]


def test_the_six_kinds_exist():
    names = {t.name for t in list_templates(ROOT)}
    assert {"工作方案", "实施方案", "换届选举工作方案", "工作情况报告", "工作汇报", "工作总结"} <= names


def test_chinese_dates():
    assert cn_range(dt.date(2027, 3, 1), dt.date(2027, 3, 15)) == "2027年3月1日至3月15日"
    assert cn_range(dt.date(2027, 12, 20), dt.date(2028, 1, 10)) == "2027年12月20日至2028年1月10日"


@pytest.mark.parametrize("slug", TEMPLATES)
def test_template_renders_with_sample_data(slug):
    text = plain_text(render(slug, default_context(ROOT), ROOT))
    assert "××镇" in text and "2027年" in text
    assert not re.search(r"\{\{|\{%|None|\ue000|\ue001", text)


@pytest.mark.parametrize("slug", TEMPLATES)
def test_template_renders_with_a_writers_own_data(slug, tmp_path):
    out = tmp_path / "draft.md"
    result = run(["fanwen", "draft", slug, "--data", str(QINGHE), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "青禾镇" in text and "陈立新" in text
    assert "××" not in text and "{{" not in text and "None" not in text
    if slug not in ("situation-report", "work-briefing", "work-summary"):
        assert "赵文华" in text and "2027年3月1日至3月15日" in text


def test_plan_lists_the_leading_group_and_timetable(tmp_path):
    out = tmp_path / "plan.txt"
    assert run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", str(out)]).returncode == 0
    text = out.read_text(encoding="utf-8")
    group = text[text.index("三、组织领导"):text.index("四、")]
    assert "组长：陈立新　镇党委书记" in group and "副组长：赵文华　镇长" in group and "成员：吴静　镇党政办主任" in group
    steps = text[text.index("五、方法步骤"):text.index("六、")]
    assert "（一）动员部署阶段（2027年3月1日至3月15日）" in steps
    assert "（二）组织实施阶段（2027年3月16日至6月30日）" in steps


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
    if template.type == "方案" and template.slug == "work-plan":
        assert [order.index(p) for p in parts] == sorted(order.index(p) for p in parts)


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


# --------------------------------------------------------------------------- Word


@pytest.fixture(scope="module")
def word_draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / "草稿.docx"
    result = run(["fanwen", "draft", "work-plan", "--data", str(QINGHE), "--out", str(out)])
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
    result = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(word_draft)],
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
    assert "青禾镇工作方案" in text and re.search(r"—\s*1\s*—", text)
