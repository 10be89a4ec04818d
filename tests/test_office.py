"""Office files through `fanwen import`: Word, .doc/.wps via LibreOffice, PDF, saved web pages,
and bad files that are skipped while the rest of the folder is imported. Every fixture is
generated here (tests/office_fixtures.py); the pages are checked line by line."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import office_fixtures as fx
from conftest import ROOT, run
from fanwen.errors import FanwenError
from fanwen.importer.run import run_import

BLANK = '<span class="fw-blank" title="待填写">××</span>'


@pytest.fixture
def soffice():
    # A missing LibreOffice fails these tests rather than skipping them: a skipped check passes
    # silently, and `make test` installs it (make system-deps).
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is missing: run `make test`, which installs libreoffice-writer-nogui")


needs_soffice = pytest.mark.usefixtures("soffice")


def pages(docs: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((docs / "examples").glob("*/*.md"))
            if p.name != "index.md"}


def split_page(text: str) -> tuple[str, list[str]]:
    """(front matter, non-blank body lines)."""
    _, front, body = text.split("---\n", 2)
    return front, [line for line in body.split("\n") if line]


def only_page(docs: Path) -> tuple[str, list[str]]:
    found = pages(docs)
    assert len(found) == 1, list(found)
    return split_page(next(iter(found.values())))


def source_report(report: dict, name: str) -> dict:
    return next(s for s in report["sources"] if s["file"] == name)


# --------------------------------------------------------------------------- Word


def test_word_document_line_by_line(tmp_path):
    source = fx.word_plan(tmp_path / "清河镇防汛方案.docx")
    report = run_import([source], tmp_path / "docs")
    front, lines = only_page(tmp_path / "docs")
    assert "title: 清河镇2027年防汛工作实施方案\n" in front  # the centred 22 pt line, not the masthead
    assert "type: 方案\n" in front and "level: 乡镇\n" in front and "source: 清河镇防汛方案.docx 第 1 篇\n" in front
    assert lines == [
        fx.INTRO,
        "## 总体要求",  # Heading 1 style without a number
        fx.REQUIREMENT,
        "## 一、工作措施",  # Word list numbering, level 1 (chineseCounting `%1、`)
        "**（一）加强组织领导。**" + fx.MEASURE_1,  # level 2 `（%2）`, run-in heading
        "**（二）强化隐患排查。**" + fx.MEASURE_2 + "汛前完成。",  # tracked insertion in, deletion out
        "**三、落实值班制度。**严格执行24小时值班\\[注1\\]和领导带班制度。",  # 一、 by text; footnote mark
        "| 村名 | 责任人 | 隐患点数 |",
        "| --- | --- | --- |",
        f"| 东村 | 张{BLANK} | 3 |",
        f"| 西村 | 李{BLANK} | 2 |",
        "- 应急物资",
        "清河镇人民政府",  # 落款 kept
        "2027年3月1日",
        "---",
        "**注释**",
        "\\[注1\\]" + fx.FOOTNOTE,
    ]
    entry = source_report(report, "清河镇防汛方案.docx")
    assert entry["format"] == "Word" and entry["accounting"]["balanced"]
    parts = [(r["part"], r["action"], r["text"]) for r in entry["recognised"]]
    assert parts == [("页眉", "删除", "清河镇人民政府"), ("页脚", "删除", "— 1 —"),
                     ("版头标记", "删除", "清河镇人民政府文件"),
                     ("落款", "保留", "清河镇人民政府"), ("落款", "保留", "2027年3月1日"),
                     ("版记", "删除", "抄送：县防汛抗旱指挥部办公室。"), ("版记", "删除", "清河镇党政办公室 2027年3月1日印发")]
    removed = {r["text"]: r["reason"] for r in entry["removed"]}
    assert removed["抄送：县防汛抗旱指挥部办公室。"] == "版记" and removed["— 1 —"] == "页脚"
    # Deleted text and a deleted table row are not the document's.
    assert "汛后再说" not in json.dumps(report, ensure_ascii=False) and "南村" not in json.dumps(report, ensure_ascii=False)


def test_word_import_is_idempotent(tmp_path):
    source = fx.word_plan(tmp_path / "a.docx")
    first = run_import([source], tmp_path / "docs")
    before = pages(tmp_path / "docs")
    second = run_import([source], tmp_path / "docs")
    assert pages(tmp_path / "docs") == before and first == second
    assert not [p for p in (tmp_path / "docs").iterdir() if p.name.startswith(".examples")]


def test_title_style_and_heading_levels(tmp_path):
    source = fx.word_report(tmp_path / "report-7.docx", 7)
    run_import([source], tmp_path / "docs")
    front, lines = only_page(tmp_path / "docs")
    assert "title: 关于第7村2027年上半年安全生产工作情况的报告\n" in front and "type: 报告\n" in front
    assert [line for line in lines if line.startswith("#")] == ["## 一、基本情况", "## 二、主要做法", "## 三、下步打算"]
    assert lines[-3:] == ["| 项目 | 数量 |", "| --- | --- |", "| 隐患 | 7 |"]


@needs_soffice
def test_doc_wps_and_doc_renamed_docx_via_libreoffice(tmp_path):
    """.doc and .wps go through LibreOffice; a .docx that is really a .doc too (said in the
    report). The three are one document: one page, two duplicates."""
    work = tmp_path / "work"
    work.mkdir()
    doc = fx.soffice_convert(fx.word_plan(work / "plan.docx"), "doc")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a-old.doc", "b-wps.wps", "c-renamed.docx"):
        shutil.copyfile(doc, folder / name)
    result = run(["fanwen", "import", str(folder), "--docs", str(tmp_path / "docs"), "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["totals"]["documents"] == 1 and report["totals"]["duplicates"] == 2 and not report["skipped"]
    assert "已用 LibreOffice 转换" in source_report(report, "a-old.doc")["notes"][0]
    assert "实际是旧版 .doc 格式" in source_report(report, "c-renamed.docx")["notes"][0]
    front, lines = only_page(tmp_path / "docs")
    assert "title: 清河镇2027年防汛工作实施方案\n" in front
    assert lines[:4] == [fx.INTRO, "## 总体要求", fx.REQUIREMENT, "## 一、工作措施"]
    assert "| 村名 | 责任人 | 隐患点数 |" in lines and "抄送：县防汛抗旱指挥部办公室。" not in lines
    # No LibreOffice left running from our temporary profiles.
    left = subprocess.run(["pgrep", "-f", "fanwen-office-"], capture_output=True, text=True)
    assert left.stdout.strip() == ""


def test_missing_libreoffice_names_the_package(tmp_path, monkeypatch):
    from fanwen.importer.office import convert, read_office

    monkeypatch.setattr(convert, "soffice", lambda: None)
    old = tmp_path / "旧文件.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    with pytest.raises(FanwenError) as error:
        read_office(old)
    assert "旧文件.doc" in str(error.value) and "LibreOffice" in error.value.problem
    assert "sudo apt-get install libreoffice-writer-nogui" in error.value.fix


# --------------------------------------------------------------------------- PDF


@needs_soffice
def test_pdf_two_columns_headers_and_page_breaks(tmp_path):
    source = fx.pdf_two_columns(tmp_path / "two.pdf")
    report = run_import([source], tmp_path / "docs")
    front, lines = only_page(tmp_path / "docs")
    assert "title: 清河镇防汛工作实施方案\n" in front
    long = fx.LONG + fx.LONG[:-1] + "，不留死角。"
    assert lines == [
        fx.INTRO,  # two lines in the PDF, one paragraph
        "## " + fx.LEFT[0][0], fx.LEFT[1][0], "## " + fx.LEFT[2][0], fx.LEFT[3][0],  # left column first
        "## " + fx.RIGHT[0][0], fx.RIGHT[1][0], "## " + fx.RIGHT[2][0], fx.RIGHT[3][0],
        *[f"（{n}）" + long for n in "一二三四五六七八九"],  # (九) runs from page 2 onto page 3
        "2027年3月1日",
    ]
    entry = source_report(report, "two.pdf")
    removed = [(r["reason"], r["text"]) for r in entry["removed"] if r.get("inline") is None]
    assert removed == [("页眉", "清河镇人民政府"), ("页码", "— 1 —"), ("页眉", "清河镇人民政府"), ("页码", "— 2 —"),
                       ("页眉", "清河镇人民政府"), ("页码", "— 3 —")]
    assert entry["accounting"]["balanced"] and entry["format"] == "PDF"


def test_scanned_pdf_asks_for_ocr(tmp_path):
    from fanwen.importer.office import read_office

    with pytest.raises(FanwenError) as error:
        read_office(fx.pdf_scanned(tmp_path / "扫描件.pdf"))
    assert "扫描件.pdf" in error.value.where and "需要先做文字识别（OCR）" in error.value.problem


# --------------------------------------------------------------------------- web pages


def test_saved_web_page_and_web_archive(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_text(fx.WEB_PAGE, encoding="utf-8")
    (folder / "page.mht").write_bytes(fx.mht(fx.WEB_PAGE))
    report = run_import(sorted(folder.iterdir()), tmp_path / "docs")
    assert report["totals"]["documents"] == 1 and report["totals"]["duplicates"] == 1
    front, lines = only_page(tmp_path / "docs")
    assert "title: 清河镇防汛工作实施方案\n" in front and "source: page.html 第 1 篇\n" in front
    assert lines == [
        "为切实做好今年防汛工作，确保人民群众生命财产安全，根据上级有关要求，结合我镇实际，制定本方案。",  # 上級 → 上级
        "## 一、总体要求",
        "坚持以人民为中心的发展思想，坚持人民至上、生命至上，把确保人民群众生命安全放在第一位，立足于防大汛、抗大洪、抢大险。",
        "## 二、工作措施",
        "**（一）加强组织领导。**镇成立防汛工作领导小组，由镇长任组长，分管副镇长任副组长，各村党支部书记为成员。",
        "**（二）强化隐患排查。**各村要对辖区内的河道、水库、山塘、地质灾害隐患点开展全面排查，建立台账，落实整改。",
        "| 村名 | 责任人 | 隐患点数 |", "| --- | --- | --- |", f"| 东村 | 张{BLANK} | 3 |", f"| 西村 | 李{BLANK} | 2 |",
        "**（三）做好物资储备。**镇村两级要按照规定储备编织袋、救生衣、冲锋舟等防汛物资，确保关键时刻拿得出、用得上。",
    ]
    entry = source_report(report, "page.html")
    assert entry["repairs"] == {"占位符": 2, "标点": 1} and entry["accounting"]["chars_converted_to_simplified"] == 1


# --------------------------------------------------------------------------- bad files


def _bad_folder(folder: Path) -> None:
    folder.mkdir()
    fx.word_report(folder / "good.docx", 3)
    (folder / "encrypted.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
                                            + "EncryptionInfo".encode("utf-16-le") + bytes(512))
    whole = (folder / "good.docx").read_bytes()
    (folder / "corrupt.docx").write_bytes(whole[: len(whole) // 2])
    import docx

    docx.Document().save(folder / "empty.docx")
    with (folder / "huge.pdf").open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
    fx.pdf_scanned(folder / "scan.pdf")
    (folder / "notes.docx").write_text("这其实是文本", encoding="utf-8")
    (folder / "table.xlsx").write_bytes(b"PK\x03\x04")
    with zipfile.ZipFile(folder / "good.docx") as good, zipfile.ZipFile(folder / "broken-xml.docx", "w") as broken:
        for item in good.infolist():
            broken.writestr(item, b"<w:document><unclosed" if item.filename == "word/document.xml" else good.read(item))
    (folder / "menu.html").write_text('<html><body><a href="/">首页</a> <a href="/a">工作方案</a></body></html>',
                                      encoding="utf-8")
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "secret")
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.output(str(folder / "locked.pdf"))


def test_bad_files_are_skipped_and_the_rest_imported(tmp_path):
    folder = tmp_path / "in"
    _bad_folder(folder)
    result = run(["fanwen", "import", str(folder), "--docs", str(tmp_path / "docs"), "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [s["file"] for s in report["sources"]] == ["good.docx"] and report["totals"]["documents"] == 1
    skipped = {Path(s["file"]).name: s["problem"] for s in report["skipped"]}
    assert set(skipped) == {"encrypted.docx", "corrupt.docx", "empty.docx", "huge.pdf", "scan.pdf", "notes.docx",
                            "table.xlsx", "broken-xml.docx", "menu.html", "locked.pdf"}
    assert "密码" in skipped["encrypted.docx"]
    assert "损坏" in skipped["corrupt.docx"]
    assert "没有可导入的文字" in skipped["empty.docx"]
    assert "文件太大" in skipped["huge.pdf"] and "200 MB" in skipped["huge.pdf"]
    assert "需要先做文字识别（OCR）" in skipped["scan.pdf"]
    assert "不是 Word 文档（文件内容像是文本或网页" in skipped["notes.docx"]
    assert "不支持的格式" in skipped["table.xlsx"]
    assert "内部结构有误" in skipped["broken-xml.docx"]
    assert "没有找到正文" in skipped["menu.html"]
    assert "PDF 设有密码" in skipped["locked.pdf"]
    for name in skipped:
        assert f"已跳过：{folder / name}" in result.stderr
    assert result.stderr.count("怎么办：") == len(skipped)
    assert "10 个文件无法导入已跳过" in result.stdout
    assert not [p for p in (tmp_path / "docs").iterdir() if p.name.startswith(".examples")]


def test_nothing_importable_keeps_the_previous_pages(tmp_path):
    good = fx.word_report(tmp_path / "good.docx", 1)
    run_import([good], tmp_path / "docs")
    before = pages(tmp_path / "docs")
    bad = tmp_path / "bad"
    bad.mkdir()
    fx.pdf_scanned(bad / "scan.pdf")
    result = run(["fanwen", "import", str(bad), "--docs", str(tmp_path / "docs"), "--report", str(tmp_path / "r.json")])
    assert result.returncode == 1 and "没有一个文件能导入" in result.stderr and "OCR" in result.stderr
    assert "Traceback" not in result.stderr
    assert pages(tmp_path / "docs") == before


def test_a_saved_pages_resource_folder_is_not_imported(tmp_path):
    from fanwen.importer.office import expand_sources

    (tmp_path / "方案.html").write_text(fx.WEB_PAGE, encoding="utf-8")
    (tmp_path / "方案_files").mkdir()
    (tmp_path / "方案_files" / "ad-frame.html").write_text("<html><body>广告</body></html>", encoding="utf-8")
    (tmp_path / "方案_files" / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "其他_files").mkdir()  # no page of that name beside it: an ordinary folder
    (tmp_path / "其他_files" / "报告.html").write_text(fx.WEB_PAGE, encoding="utf-8")
    files, skipped = expand_sources([tmp_path])
    assert files == [tmp_path / "其他_files" / "报告.html", tmp_path / "方案.html"] and skipped == []


def test_folder_of_sources_is_the_text_collections():
    from fanwen.importer.office import expand_sources

    files, skipped = expand_sources([ROOT / "sources"])
    assert files == sorted((ROOT / "sources").glob("*.txt")) and skipped == []  # manifests pass silently


def test_office_rules_are_validated(tmp_path, monkeypatch):
    import shutil

    from fanwen.importer.office.rules import load_office_rules

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    monkeypatch.setenv("FANWEN_DATA", str(data))
    bad = data / "office.yml"
    bad.write_text("rules:\n  - name: 版记\n    action: remove\n    patterns: ['抄送']\n", encoding="utf-8")
    with pytest.raises(FanwenError) as error:
        load_office_rules()
    assert error.value.where.endswith("office.yml:3: rules[0].action") and "drop 或 keep" in error.value.problem
    bad.write_text("rules:\n  - name: 版记\n    action: drop\n    patterns: ['抄送(']\n", encoding="utf-8")
    with pytest.raises(FanwenError) as error:
        load_office_rules()
    assert error.value.where.endswith("office.yml:4: rules[0].patterns[0]") and "正则表达式有误" in error.value.problem


def test_gbk_web_page(tmp_path):
    from fanwen.importer.office import read_office

    page = tmp_path / "旧网页.htm"
    html = fx.WEB_PAGE.replace('charset="utf-8"', 'charset="gbk"').replace("上級", "上级").replace("©", "")
    page.write_bytes(html.encode("gbk"))
    lines = [line.text for line in read_office(page).lines]
    assert lines[:2] == ["清河镇防汛工作实施方案",
                         "为切实做好今年防汛工作，确保人民群众生命财产安全，根据上级有关要求，结合我镇实际，制定本方案。"]


def _plain_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


ARTICLE = ["关于清河镇2027年秸秆禁烧工作的报告", "今年以来，我镇把秸秆禁烧作为改善空气质量的重要抓手，层层压实责任，全镇未发生一起焚烧事件。",
           "一、主要做法", "镇村两级签订责任书，划定网格，每个网格落实一名责任人，实行日巡查、周通报制度。",
           "二、下步打算", "继续抓好秸秆综合利用，推广机械化还田，力争综合利用率达到百分之九十五以上。"]


def test_a_word_copy_of_an_imported_text_is_a_duplicate(tmp_path):
    text = tmp_path / "a-collection.txt"
    text.write_text("\n".join(ARTICLE) + "\n", encoding="utf-8")
    word = _plain_docx(tmp_path / "b-copy.docx", ARTICLE)
    report = run_import([text, word], tmp_path / "docs")
    assert report["totals"]["documents"] == 1 and report["totals"]["duplicates"] == 1
    entry = source_report(report, "b-copy.docx")
    assert entry["duplicates"][0]["duplicate_of"] == "a-collection.txt 第 1 篇" and entry["accounting"]["balanced"]


def test_a_word_file_that_numbers_its_articles_is_a_collection(tmp_path):
    second = ["关于清河镇2027年防汛工作的总结", "今年汛期，我镇紧紧围绕不死人、少损失的目标，扎实做好各项防汛工作，安全度汛。",
              "一、工作成效", "全镇排查隐患点四十二处，全部整改到位，转移群众一百二十人。"]
    word = _plain_docx(tmp_path / "合集.docx", ["篇1", *ARTICLE, "篇2", *second])
    report = run_import([word], tmp_path / "docs")
    titles = [d["title"] for d in source_report(report, "合集.docx")["documents"]]
    assert titles == [ARTICLE[0], second[0]]


def test_libreoffice_timeout_leaves_no_process(tmp_path, monkeypatch):
    """A conversion that hangs is killed with everything it started."""
    import os
    import time

    from fanwen.importer.office import convert, read_office

    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $$ $! > {pids}\nsleep 60\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "soffice", lambda: str(fake))
    monkeypatch.setattr(convert, "TIMEOUT", 1)
    old = tmp_path / "挂起.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    with pytest.raises(FanwenError) as error:
        read_office(old)
    assert "超过 1 秒" in error.value.problem and "挂起.doc" in error.value.where

    def alive(pid: str) -> bool:
        status = Path(f"/proc/{pid}/status")
        return status.exists() and "\tZ" not in status.read_text().split("State:")[1][:4]

    deadline = time.monotonic() + 5  # killed at once; the kernel takes a moment to reap them
    while any(alive(pid) for pid in pids.read_text().split()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(alive(pid) for pid in pids.read_text().split())
    assert os.path.exists(old)


def test_a_converted_file_is_converted_once(tmp_path, monkeypatch):
    """LibreOffice is run once per content and version: a copy of a .doc under another name, or
    the same archive imported again, reads the kept .docx; an edited file is converted again."""
    from fanwen.importer.office import convert, read_office

    monkeypatch.setenv("FANWEN_CACHE_DIR", str(tmp_path / "cache"))
    made = fx.word_plan(tmp_path / "made.docx")
    calls = tmp_path / "calls"
    fake = tmp_path / "soffice"  # "converts" by copying the Word file, and counts its runs
    fake.write_text(f'#!/bin/sh\necho run >> {calls}\nfor a; do last="$a"; done\n'
                    f'cp {made} "$(dirname "$last")/source.docx"\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "soffice", lambda: str(fake))

    def runs() -> int:
        return len(calls.read_text().split()) if calls.exists() else 0

    old = tmp_path / "防汛方案.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    def text(collection) -> list[str]:
        return [line.text for line in collection.lines]

    first = read_office(old)
    assert runs() == 1 and "清河镇2027年防汛工作实施方案" in text(first)
    copy = tmp_path / "另一个文件夹" / "副本.wps"
    copy.parent.mkdir()
    shutil.copyfile(old, copy)
    assert text(read_office(copy)) == text(first) and text(read_office(old)) == text(first)
    assert runs() == 1
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4095) + b"\x01")
    read_office(old)
    assert runs() == 2


def test_old_word_files_of_one_import_share_a_libreoffice_run(tmp_path, monkeypatch):
    """Starting LibreOffice is most of a conversion: the old Word files an import meets are
    converted by one run (up to convert.BATCH); a file that run could not convert is tried again
    on its own and skipped with LibreOffice's error, the others are imported."""
    import docx

    from fanwen.importer.office import convert
    from fanwen.importer.run import run_import

    monkeypatch.setenv("FANWEN_CACHE_DIR", str(tmp_path / "cache"))
    made = tmp_path / "made"
    made.mkdir()
    for name, place in (("a", "清河镇"), ("b", "石桥镇"), ("c", "云溪镇"), ("d", "青禾镇")):
        word = docx.Document(str(fx.word_plan(made / "plan.docx")))
        for paragraph in word.paragraphs:
            for run in paragraph.runs:
                run.text = run.text.replace("清河镇", place).replace("我镇", place)
        word.save(str(made / f"{name}.docx"))
    calls = tmp_path / "calls"
    fake = tmp_path / "soffice"  # "converts" each input (named by its last byte) into --outdir, counting runs
    fake.write_text(f'#!/bin/sh\necho run >> {calls}\nout=""; prev=""\n'
                    'for a; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done\nmkdir -p "$out"\n'
                    'for a; do case "$a" in *.doc|*.wps) id=$(tail -c 1 "$a")\n'
                    f'  [ -f {made}/$id.docx ] && cp {made}/$id.docx "$out/$(basename "${{a%.*}}").docx";; esac; done\n',
                    encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "soffice", lambda: str(fake))
    folder = tmp_path / "archive"
    folder.mkdir()
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    for name, last in (("1-清河.doc", b"a"), ("2-石桥.wps", b"b"), ("3-坏文件.doc", b"x"), ("4-云溪.doc", b"c"),
                       ("5-青禾.docx", b"d")):  # the last: a .docx that is really an old .doc
        (folder / name).write_bytes(ole + last)
    report = run_import(sorted(folder.iterdir()), tmp_path / "docs")
    assert len(calls.read_text().split()) == 2  # the five together, then the one it could not convert alone
    assert [Path(s["file"]).name for s in report["skipped"]] == ["3-坏文件.doc"]
    assert "LibreOffice 无法转换" in report["skipped"][0]["problem"]
    # The four others read (one page: the fixture's plans differ in the town's name alone).
    assert sorted(r["file"] for r in report["sources"]) == ["1-清河.doc", "2-石桥.wps", "4-云溪.doc", "5-青禾.docx"]
    assert report["totals"]["documents"] + report["totals"]["duplicates"] == 4


def test_content_controls_and_zip_bomb(tmp_path):
    """Text inside a block-level content control is read; a .docx unpacking to gigabytes is refused
    before it is unpacked."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from fanwen.importer.office import read_office

    document = docx.Document()
    document.add_paragraph("关于清河镇2027年防汛工作的报告", style="Title")
    document.element.body.insert(1, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>今年汛期，我镇安全度汛，未发生人员伤亡。</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>'))
    path = tmp_path / "controls.docx"
    document.save(path)
    assert [line.text for line in read_office(path).lines] == ["关于清河镇2027年防汛工作的报告", "今年汛期，我镇安全度汛，未发生人员伤亡。"]

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path) as good, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in good.infolist():
            out.writestr(item, good.read(item))
        with out.open("word/media/padding.bin", "w") as padding:
            chunk = bytes(1 << 20)
            for _ in range(450):
                padding.write(chunk)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    with pytest.raises(FanwenError) as error:
        read_office(bomb)
    assert "解压后有 451 MB，超过 400 MB 的上限" in error.value.problem


def test_pdf_reading_order_rules():
    """Two columns only where both halves have lines starting at one x; right-aligned dates and
    short lines of a one-column page keep top-to-bottom order."""
    from fanwen.importer.office.pdf import TextLine, _reading_order

    def line(y: float, x0: float, x1: float, text: str) -> TextLine:
        return TextLine(1, x0, y, x1, y + 12, text, 12)

    one_column = [line(700, 72, 520, "甲"), line(680, 72, 200, "乙"), line(660, 400, 520, "丙"),
                  line(640, 72, 210, "丁"), line(620, 420, 520, "戊"), line(600, 72, 190, "己"),
                  line(580, 380, 520, "庚")]
    assert [l.text for l in _reading_order(one_column, 595)] == list("甲乙丙丁戊己庚")
    two_columns = [line(700, 72, 520, "题"), *[line(680 - 20 * i, 72, 290, f"左{i}") for i in range(3)],
                   *[line(680 - 20 * i, 310, 520, f"右{i}") for i in range(3)], line(600, 72, 520, "尾")]
    assert [l.text for l in _reading_order(two_columns, 595)] == ["题", "左0", "左1", "左2", "右0", "右1", "右2", "尾"]


def test_headings_from_outline_levels_and_chinese_style_names(tmp_path):
    """WPS names its heading styles 标题 1/标题 2; some offices set only an outline level."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("清河镇2027年工作总结", style="Title")
    document.add_paragraph("今年以来，全镇上下认真落实各项工作部署，经济社会发展稳中有进。")
    outlined = document.add_paragraph("主要成效")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    document.add_paragraph("（一）产业发展", style="标题 2")
    document.add_paragraph("全镇新建设施大棚一百二十座，带动群众增收。")
    path = tmp_path / "summary.docx"
    document.save(path)
    run_import([path], tmp_path / "docs")
    front, lines = only_page(tmp_path / "docs")
    assert "title: 清河镇2027年工作总结\n" in front and "type: 总结\n" in front
    assert lines == ["今年以来，全镇上下认真落实各项工作部署，经济社会发展稳中有进。", "## 主要成效", "### （一）产业发展",
                     "全镇新建设施大棚一百二十座，带动群众增收。"]


def test_radicals_from_pdf_fonts_fold_to_characters():
    from fanwen.importer.office.model import fold_radicals

    assert fold_radicals("⼯作⽅案，⼈⺠群众，⾸⻚") == "工作方案，人民群众，首页"  # punctuation stays full-width


def test_pdf_printed_by_a_browser(tmp_path):
    """A second PDF producer: Chromium prints the saved page in two CSS columns. Its CJK font maps
    several characters to radical code points; the page must read as plain text all the same."""
    import re

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("/usr/bin/chromium is missing: run `make test`, which installs Debian's chromium")
    page = tmp_path / "page.html"
    page.write_text(fx.WEB_PAGE.replace("<article>", '<article style="column-count:2">'), encoding="utf-8")
    pdf = tmp_path / "printed.pdf"
    subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120, check=True)
    page.unlink()
    report = run_import([pdf], tmp_path / "docs")
    assert report["sources"][0]["repairs"].get("部首字符", 0) > 0 and report["sources"][0]["accounting"]["balanced"]
    front, lines = only_page(tmp_path / "docs")
    assert "title: 清河镇防汛工作实施方案\n" in front  # the large type below the navigation
    text = "\n".join(lines)
    assert not re.search("[\u2e80-\u2fdf]", text)
    assert "**（一）加强组织领导。**镇成立防汛工作领导小组，由镇长任组长，分管副镇长任副组长，各村党支部书记为成员。" in lines
    assert lines.index("## 二、工作措施") < lines.index(
        "**（三）做好物资储备。**镇村两级要按照规定储备编织袋、救生衣、冲锋舟等防汛物资，确保关键时刻拿得出、用得上。")


def test_an_unforeseen_reader_error_skips_only_that_file(tmp_path, monkeypatch):
    from fanwen.importer.office import word

    def broken(path, document):
        raise AttributeError("'NoneType' object has no attribute 'val'")

    monkeypatch.setattr(word, "read_docx", broken)
    (tmp_path / "page.html").write_text(fx.WEB_PAGE, encoding="utf-8")
    fx.word_report(tmp_path / "odd.docx", 1)
    report = run_import(sorted(tmp_path.glob("*.*")), tmp_path / "docs")
    assert [s["file"] for s in report["sources"]] == ["page.html"]
    assert report["skipped"][0]["problem"].startswith("读取文件时出错（AttributeError")


def test_web_page_title_outside_the_article(tmp_path):
    """The <h1> sits above the article container, which is all trafilatura keeps: the page title
    (without the site's name) is the document's title."""
    body = "".join(f"<p>{text}</p>" for text in ARTICLE[1:])
    html = ('<html><head><meta charset="utf-8"><title>关于清河镇2027年秸秆禁烧工作的报告_范文大全网</title></head><body>'
            '<div class="nav"><a href="/">首页</a> <a href="/bg/">工作报告</a></div>'
            f'<div class="top"><h1>{ARTICLE[0]}</h1></div><div id="article" class="content">{body}</div>'
            '<div class="footer">版权所有 范文大全网</div></body></html>')
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    run_import([tmp_path / "page.html"], tmp_path / "docs")
    front, lines = only_page(tmp_path / "docs")
    assert f"title: {ARTICLE[0]}\n" in front and "type: 报告\n" in front
    assert lines == [ARTICLE[1], "## 一、主要做法", ARTICLE[3], "## 二、下步打算", ARTICLE[5]]


def test_reader_source_names_the_office_file(tmp_path):
    from fanwen.importer.office import read_office

    collection = read_office(fx.word_report(tmp_path / "上半年报告.docx", 2))
    assert collection.reader_source(collection.units[0]) == "Word文件《上半年报告.docx》"


def test_a_one_column_layout_table_is_read_as_paragraphs(tmp_path):
    import docx

    document = docx.Document()
    frame = document.add_table(rows=1, cols=1)
    cell = frame.cell(0, 0)
    cell.paragraphs[0].text = ARTICLE[0]
    for text in ARTICLE[1:]:
        cell.add_paragraph(text)
    path = tmp_path / "framed.docx"
    document.save(path)
    run_import([path], tmp_path / "docs")
    front, lines = only_page(tmp_path / "docs")
    assert f"title: {ARTICLE[0]}\n" in front
    assert lines == [ARTICLE[1], "## 一、主要做法", ARTICLE[3], "## 二、下步打算", ARTICLE[5]]


def test_office_pages_build_into_the_site(tmp_path, repairs_remembered):
    """Office files dropped into sources/ go through `fanwen import sources/` and the strict site
    build: headings, the table, the list and the footnotes come out as HTML, and the links check."""
    from conftest import copy_project

    from test_links import broken_links

    project = copy_project(tmp_path)
    office = project / "sources" / "office"
    office.mkdir()
    fx.word_plan(office / "清河镇防汛方案.docx")
    (office / "page.html").write_text(fx.WEB_PAGE.replace("清河镇", "东湖镇"), encoding="utf-8")
    result = run(["fanwen", "import", "sources/", "--report", "build/r.json"], cwd=project)
    assert result.returncode == 0, result.stderr
    result = run(["fanwen", "build"], cwd=project)
    assert result.returncode == 0, result.stderr
    report = json.loads((project / "build" / "r.json").read_text(encoding="utf-8"))
    page = next(d["page"] for s in report["sources"] if s["file"] == "清河镇防汛方案.docx" for d in s["documents"])
    html = (project / "site" / page.replace(".md", "/index.html")).read_text(encoding="utf-8")
    assert ">总体要求<" in html and "<th>村名</th>" in html and "<li>应急物资</li>" in html
    assert f"<p>[注1]{fx.FOOTNOTE}</p>" in html and "抄送" not in html
    assert not broken_links(project / "site")


def test_same_file_name_in_two_year_folders(tmp_path):
    for year, n in (("2026", 4), ("2027", 5)):
        (tmp_path / "archive" / year).mkdir(parents=True)
        fx.word_report(tmp_path / "archive" / year / "工作报告.docx", n)
    result = run(["fanwen", "import", str(tmp_path / "archive"), "--docs", str(tmp_path / "docs"),
                  "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0, result.stderr
    assert len(pages(tmp_path / "docs")) == 2
