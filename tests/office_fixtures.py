"""Office documents generated for the tests and the benchmark (nothing binary is committed):
Word files with python-docx, PDFs with fpdf2 and the system's Noto CJK font, web pages as text."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
W = nsdecls("w")

INTRO = "为切实做好今年防汛工作，确保人民群众生命财产安全，根据县防汛指挥部有关要求，结合我镇实际，制定本方案。"
REQUIREMENT = "坚持人民至上、生命至上，立足于防大汛、抗大洪、抢大险，确保不死人、少损失。"
MEASURE_1 = "镇成立防汛工作领导小组，由镇长任组长，分管副镇长任副组长，各村党支部书记为成员。"
MEASURE_2 = "各村要对辖区内的河道、水库、山塘开展全面排查，建立台账，落实整改。"
FOOTNOTE = "指汛期内24小时有人值守。"


def _chinese_numbering(document) -> str:
    """A list definition like an official paper's: level 1 `一、`, level 2 `（一）` (Word's
    chineseCounting format). Returns its numId."""
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        '</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(document, text: str, num_id: str, level: int):
    paragraph = document.add_paragraph(text)
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def _sized(paragraph, size: float):
    for run in paragraph.runs:
        run.font.size = Pt(size)
    return paragraph


def _add_footnotes(document, notes: dict[int, str]) -> None:
    """python-docx cannot write footnotes: add the footnotes part the way Word stores it."""
    body = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
                   for i, text in notes.items())
    xml = (f'<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
           f'</w:footnote>{body}</w:footnotes>').encode("utf-8")
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _footnote_ref(paragraph, note_id: int) -> None:
    paragraph._p.append(parse_xml(f'<w:r {W}><w:footnoteReference w:id="{note_id}"/></w:r>'))


def _tracked(paragraph, inserted: str, deleted: str) -> None:
    """Track changes: `inserted` added by a reviewer, `deleted` struck out (not yet accepted)."""
    paragraph._p.append(parse_xml(
        f'<w:ins {W} w:id="1" w:author="审核人" w:date="2027-03-01T00:00:00Z"><w:r><w:t>{inserted}</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(
        f'<w:del {W} w:id="2" w:author="审核人" w:date="2027-03-01T00:00:00Z"><w:r><w:delText>{deleted}</w:delText></w:r></w:del>'))


def word_plan(path: Path, town: str = "清河镇") -> Path:
    """A 方案 as an office writes it: masthead, centred 2号 title, body in 3号, headings by style
    (Heading 1) and by text (一、), Word list numbering (一、/（一）), a table, a footnote, a
    tracked change, a header and a page-number footer, the signature and the 版记."""
    document = docx.Document()
    num_id = _chinese_numbering(document)
    masthead = document.add_paragraph(f"{town}人民政府文件")
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _sized(masthead, 26)
    title = document.add_paragraph(f"{town}2027年防汛工作实施方案")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _sized(title, 22)
    _sized(document.add_paragraph(INTRO), 16)
    document.add_heading("总体要求", level=1)
    _sized(document.add_paragraph(REQUIREMENT), 16)
    _numbered(document, "工作措施", num_id, 0)
    _sized(_numbered(document, "加强组织领导。" + MEASURE_1, num_id, 1), 16)
    measure = _sized(_numbered(document, "强化隐患排查。" + MEASURE_2, num_id, 1), 16)
    _tracked(measure, "汛前完成。", "汛后再说。")
    duty = _sized(document.add_paragraph("三、落实值班制度。严格执行24小时值班"), 16)
    _footnote_ref(duty, 1)
    duty.add_run("和领导带班制度。")
    _add_footnotes(document, {1: FOOTNOTE})
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("村名", "责任人", "隐患点数"), ("东村", "张××", "3"), ("西村", "李××", "2")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    deleted = table.add_row()  # a row struck out under track changes
    for c, value in enumerate(("南村", "王××", "1")):
        deleted.cells[c].text = value
    deleted._tr.get_or_add_trPr().append(parse_xml(
        f'<w:del {W} w:id="3" w:author="审核人" w:date="2027-03-01T00:00:00Z"/>'))
    document.add_paragraph("应急物资", style="List Bullet")
    document.add_paragraph(f"{town}人民政府")
    document.add_paragraph("2027年3月1日")
    document.add_paragraph("抄送：县防汛抗旱指挥部办公室。")
    document.add_paragraph(f"{town}党政办公室 2027年3月1日印发")
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{town}人民政府"
    section.footer.paragraphs[0].text = "— 1 —"
    document.save(path)
    return path


def word_report(path: Path, n: int) -> Path:
    """A small 报告 for the benchmark: a title, three headings, a dozen paragraphs, a table."""
    document = docx.Document()
    document.add_paragraph(f"关于第{n}村2027年上半年安全生产工作情况的报告", style="Title")
    for h, heading in enumerate(["基本情况", "主要做法", "下步打算"], start=1):
        document.add_heading(f"{'一二三'[h - 1]}、{heading}", level=1)
        for k in range(4):
            document.add_paragraph(f"第{n}村第{h}部分第{k + 1}段：今年以来，我村坚持安全发展理念，"
                                   f"组织排查隐患{n + k}处，已整改{n + k - 1}处，开展培训{k + 2}次，"
                                   "全村安全生产形势总体平稳。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "数量"
    table.cell(1, 0).text, table.cell(1, 1).text = "隐患", str(n)
    document.save(path)
    return path


# --------------------------------------------------------------------------- PDF

LEFT = [("一、总体要求", True),
        ("坚持人民至上、生命至上，立足于防大汛、抗大洪、抢大险，把确保人民群众生命安全放在第一位，"
         "做到思想到位、责任到位、措施到位。", False),
        ("二、组织领导", True),
        ("镇成立防汛工作领导小组，由镇长任组长，分管副镇长任副组长，各村党支部书记为成员，"
         "领导小组下设办公室，负责日常工作。", False)]
RIGHT = [("三、隐患排查", True),
         ("各村要对辖区内的河道、水库、山塘、地质灾害隐患点开展全面排查，建立台账，落实整改责任，"
          "整改情况每周报镇防汛办。", False),
         ("四、物资储备", True),
         ("镇村两级要按照规定储备编织袋、救生衣、冲锋舟等防汛物资，确保关键时刻拿得出、用得上，"
          "物资清单报镇防汛办备案。", False)]
LONG = ("汛期实行24小时值班和领导带班制度，值班人员要坚守岗位，保持通讯畅通，遇有险情及时报告，"
        "不得迟报、漏报、瞒报，确保信息传递及时准确，为科学调度提供可靠依据，切实把各项措施落到实处。")


def _page_field(paragraph) -> None:
    """A PAGE field as Word writes it (the footer's page number)."""
    for xml in ('<w:r %s><w:t xml:space="preserve">— </w:t></w:r>' % W,
                '<w:r %s><w:fldChar w:fldCharType="begin"/></w:r>' % W,
                '<w:r %s><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>' % W,
                '<w:r %s><w:fldChar w:fldCharType="separate"/></w:r>' % W,
                '<w:r %s><w:t>1</w:t></w:r>' % W,
                '<w:r %s><w:fldChar w:fldCharType="end"/></w:r>' % W,
                '<w:r %s><w:t xml:space="preserve"> —</w:t></w:r>' % W):
        paragraph._p.append(parse_xml(xml))


def soffice_convert(source: Path, fmt: str) -> Path:
    """LibreOffice headless, with its own profile, as the importer runs it."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lo-test-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", fmt, "--outdir", str(source.parent), str(source)],
                       check=True, capture_output=True, timeout=180)
    return source.with_suffix("." + fmt.split(":")[0])


def pdf_two_columns(path: Path) -> Path:
    """A PDF as an office makes one (Word → PDF, here through LibreOffice): a large centred title,
    a full-width opening, a two-column stretch, then enough text to run onto page 2 with a
    paragraph broken by the page end; every page has a running header and a `— n —` footer."""
    from docx.enum.section import WD_SECTION
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.top_margin = section.bottom_margin = Cm(3)
    section.header.paragraphs[0].text = "清河镇人民政府"
    section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer)
    title = document.add_paragraph("清河镇防汛工作实施方案")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _sized(title, 22)

    def body(text: str, heading: bool = False):
        paragraph = _sized(document.add_paragraph(text), 12)
        if not heading:
            paragraph.paragraph_format.first_line_indent = Pt(24)
        paragraph.paragraph_format.widow_control = False  # let a paragraph break at the page end
        return paragraph

    body(INTRO)
    columns = document.add_section(WD_SECTION.CONTINUOUS)
    columns._sectPr.append(parse_xml(f'<w:cols {W} w:num="2" w:space="425"/>'))
    for text, heading in LEFT:
        body(text, heading)
    document.paragraphs[-1].add_run().add_break(docx.enum.text.WD_BREAK.COLUMN)
    for text, heading in RIGHT:
        body(text, heading)
    single = document.add_section(WD_SECTION.CONTINUOUS)
    for cols in single._sectPr.findall(qn("w:cols")):  # copied from the two-column section
        single._sectPr.remove(cols)
    for n in range(9):
        body(f"（{'一二三四五六七八九'[n]}）" + LONG + LONG[:-1] + "，不留死角。")
    signature = body("2027年3月1日", heading=True)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    source = path.with_suffix(".docx")
    document.save(source)
    converted = soffice_convert(source, "pdf")
    source.unlink()
    if converted != path:
        converted.rename(path)
    return path


def pdf_scanned(path: Path) -> Path:
    """An image-only PDF, as a scanner makes it."""
    from fpdf import FPDF
    from PIL import Image

    image = path.with_suffix(".png")
    Image.new("RGB", (200, 280), "white").save(image)
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.image(str(image), x=0, y=0, w=595, h=842)
    pdf.output(str(path))
    image.unlink()
    return path


# --------------------------------------------------------------------------- web pages

WEB_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>清河镇防汛工作实施方案_范文大全网</title></head>
<body>
<div class="nav"><a href="/">首页</a> | <a href="/fangan/">工作方案</a> | <a href="/baogao/">工作报告</a> | <a href="/zongjie/">工作总结</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/fangan/">工作方案</a> &gt; 正文</div>
<div class="main"><article>
<h1>清河镇防汛工作实施方案</h1>
<p>为切实做好今年防汛工作，确保人民群众生命财产安全，根据上級有关要求，结合我镇实际，制定本方案。</p>
<h2>一、总体要求</h2>
<p>坚持以人民为中心的发展思想，坚持人民至上、生命至上,把确保人民群众生命安全放在第一位，立足于防大汛、抗大洪、抢大险。</p>
<h2>二、工作措施</h2>
<p>（一）加强组织领导。镇成立防汛工作领导小组，由镇长任组长，分管副镇长任副组长，各村党支部书记为成员。</p>
<p>（二）强化隐患排查。各村要对辖区内的河道、水库、山塘、地质灾害隐患点开展全面排查，建立台账，落实整改。</p>
<table><tr><th>村名</th><th>责任人</th><th>隐患点数</th></tr><tr><td>东村</td><td>张xx</td><td>3</td></tr><tr><td>西村</td><td>李xx</td><td>2</td></tr></table>
<p>（三）做好物资储备。镇村两级要按照规定储备编织袋、救生衣、冲锋舟等防汛物资，确保关键时刻拿得出、用得上。</p>
</article></div>
<div class="related"><h3>相关文章</h3><ul><li><a href="/a">2027年防汛工作总结</a></li><li><a href="/b">防汛应急预案范文</a></li></ul></div>
<div class="footer">Copyright © 2027 范文大全网 版权所有 京ICP备12345678号</div>
</body></html>
"""


def mht(html: str) -> bytes:
    """The page as a browser's web archive (MHTML, quoted-printable like Chrome saves it)."""
    import quopri

    body = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    return ("From: <Saved by Blink>\r\nSubject: page\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
            "------B\r\nContent-Type: text/html\r\nContent-ID: <frame>\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\nContent-Location: http://example.invalid/a.html\r\n\r\n"
            f"{body}\r\n------B--\r\n").encode("ascii")
