"""The whole corpus: every seed imports, nothing is lost, the pages are clean."""

import re
from pathlib import Path

import pytest

from fanwen.importer.run import run_import
from fanwen.library.catalog import read_front_matter
from fanwen.importer.quality import measure, reference_units
from fanwen.importer.page import render_line
from fanwen.importer.collection import clean_line, inline_ad_patterns
from fanwen.importer.mojibake import repair_lines
from fanwen.importer.repair import round_trip_table
from fanwen.importer.text import has_traditional, is_pinyin_syllable, to_simplified

from conftest import ROOT, SOURCES, run

ADS = inline_ad_patterns()
REFERENCE = reference_units(ROOT / "tests" / "fixtures" / "articles.json")
BOILERPLATE = re.compile(r"小编|仅供参考|供你借鉴|相关文章|热门标签|本文地址|^时间\s*[:：]\s*\d{4}|^导语\s*[:：]|^前言\s*[:：]")


def pages(docs: Path) -> list[Path]:
    return sorted(p for p in (docs / "examples").glob("*/*.md") if p.name != "index.md")


def test_every_seed_imports_and_accounting_balances(fresh_import):
    _, report = fresh_import
    assert [s["file"] for s in report["sources"]] == [p.name for p in SOURCES]
    for source in report["sources"]:
        acc = source["accounting"]
        assert acc["balanced"], source["file"]
        assert acc["chars_in"] + acc["chars_added_by_repairs"] == acc["chars_in_pages"] + acc["chars_removed"]
        assert acc["chars_in"] == sum(len(line) for line in (ROOT / "sources" / source["file"])
                                      .read_text(encoding="utf-8").split("\n"))
        assert all(r["reason"] for r in source["removed"])


def test_every_kept_line_is_on_its_page(fresh_import):
    """Each source line is either listed as removed or, cleaned, on the page of its document."""
    docs, report = fresh_import
    for source in report["sources"]:
        raw = (ROOT / "sources" / source["file"]).read_text(encoding="utf-8").split("\n")
        repaired = repair_lines(raw)  # what the import did to each raw line (remembered by content)
        removed = {r["line"] for r in source["removed"] if not r.get("inline")}
        assert removed, source["file"]  # boilerplate and markers were found
        covered = set(removed)
        for doc in source["documents"]:
            meta, body = read_front_matter(docs / doc["page"])
            page = _flat(body)
            for no in range(doc["start_line"], doc["end_line"] + 1):
                if no in removed or not raw[no - 1].strip():
                    continue
                line = clean_line(repaired[no - 1].text, ADS, ROUND_TRIP[source["file"]]).text
                rendered = _flat(render_line(line))
                # A line that a keyword-link fragment was joined to lost its final 。 (reported);
                # a sub-heading run into it may now be a block of its own, a broken line joined.
                on_page = rendered in page or rendered.rstrip("。") in page or line in meta["title"]
                assert on_page, (source["file"], no, line)
                covered.add(no)
        dup_lines = {n for d in source["duplicates"] for n in range(d["start_line"], d["end_line"] + 1)}
        blank = {i + 1 for i, line in enumerate(raw) if not line.strip()}
        assert covered | dup_lines | blank == set(range(1, len(raw) + 1)), source["file"]


ROUND_TRIP = {p.name: round_trip_table([to_simplified(p.read_text(encoding="utf-8"))]) for p in SOURCES}


def _flat(markdown: str) -> str:
    """Page text as the reader sees it, whatever the blocks: no block breaks, heading marks,
    bold marks, escapes or spaces (structure repair moves those, never the words)."""
    return re.sub(r"\s|#|\*\*|\\", "", markdown)


@pytest.mark.parametrize("check", ["pinyin", "traditional", "boilerplate"])
def test_pages_are_clean(fresh_import, check):
    docs, _ = fresh_import
    for path in pages(docs):
        meta, body = read_front_matter(path)
        text = meta["title"] + "\n" + body
        if check == "pinyin":
            annotations = [m for m in re.findall(r"[\u4e00-\u9fff][(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)[)）]", text)
                           if is_pinyin_syllable(m)]
            assert not annotations, (path.name, annotations[:5])
        elif check == "traditional":
            assert not has_traditional(text), path.name
        else:
            bad = [line for line in body.split("\n\n") if BOILERPLATE.search(line.replace("\\", ""))]
            assert not bad, (path.name, bad)


def test_document_counts_match_the_hand_reading(fresh_import):
    """With the curated manifests (sources/*.yml) every file has the documents a careful
    reader found (composite units split, verbatim duplicates dropped)."""
    _, report = fresh_import
    written = {s["file"]: len(s["documents"]) for s in report["sources"]}
    for name, units in REFERENCE.items():
        assert written[name] == sum(1 for u in units if not u["duplicate_of"]), name
    assert [written[n] for n in sorted(REFERENCE)] == [8, 27, 17, 14, 12]


@pytest.fixture(scope="module")
def rules_report(tmp_path_factory, repairs_remembered):
    """An import that ignores the manifests: the rules' own decisions."""
    return run_import(SOURCES, tmp_path_factory.mktemp("rules"), use_manifests=False)


def test_rules_alone_find_the_documents(rules_report):
    """Without any manifest the rules must still split well: markers in 000–002, structure in
    003 and 004 (no markers at all) and inside 001's composite units. Split points ±1 line."""
    report = rules_report
    written = {s["file"][:3]: len(s["documents"]) for s in report["sources"]}
    assert written["000"] == 8 and written["002"] == 17
    rows = {r["file"]: r for r in measure(report, REFERENCE, tolerance=1)}
    for name in ("000", "001", "002", "003", "004"):
        assert rows[name]["precision"] >= 0.95, rows[name]
        assert rows[name]["recall"] >= 0.85, rows[name]


def test_verbatim_duplicates_are_reported_and_kept_once(rules_report):
    report = rules_report
    dups = {(s["file"][:3], d["start_line"]): d["duplicate_of"] for s in report["sources"] for d in s["duplicates"]}
    assert dups[("002", 224)].endswith("第 3 篇")
    assert ("003", 122) in dups
    titles = [d["title"] for s in report["sources"] for d in s["documents"]]
    assert sum("自然资源" in t for t in titles) <= 1


def test_theme_follows_content_not_file(rules_report):
    # The election collection (000) holds a village finance inspection plan (article 3):
    # the rules alone put it under its content's theme.
    report = rules_report
    docs = {d["source"]: d for s in report["sources"] for d in s["documents"]}
    assert docs["000_153e3eec68b796a2.txt 第 3 篇"]["theme"] == "jingji"
    assert docs["000_153e3eec68b796a2.txt 第 1 篇"]["theme"] == "dangjian"


def test_front_matter_and_ascii_file_names(fresh_import):
    docs, _ = fresh_import
    for path in pages(docs):
        assert path.name.isascii() and path.parent.name.isascii()
        meta, _ = read_front_matter(path)
        assert {"title", "type", "theme", "level", "tags", "source", "source_label", "source_file", "source_lines",
                "chars"} <= set(meta)
        assert set(meta) <= {"title", "type", "theme", "level", "tags", "source", "source_label", "source_file",
                             "source_lines", "chars", "title_derived", "status"}
        assert meta.get("status", "节选") in {"节选", "有缺损", "疑似洗稿"} and ".txt" not in meta["source_label"]
        assert (ROOT / "sources" / meta["source_file"]).is_file()
        assert re.fullmatch(r"\d+-\d+", meta["source_lines"])
        assert meta["type"] in {"方案", "报告", "汇报", "总结", "讲话", "其他"}
        assert meta["theme"] == path.parent.name
        assert not re.fullmatch(r"(文章|篇)\s*\d+", meta["title"])


def test_reimport_is_byte_identical_and_committed_pages_are_current(fresh_import, tmp_path):
    docs, _ = fresh_import
    again = tmp_path / "docs"
    result = run(["fanwen", "import", *map(str, SOURCES), "--docs", str(again), "--report", str(tmp_path / "r.json")])
    assert result.returncode == 0, result.stderr

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "examples").rglob("*.md"))}

    assert tree(docs) == tree(again)
    assert tree(ROOT / "docs") == tree(docs), "docs/examples is stale: run `make import` and commit"
