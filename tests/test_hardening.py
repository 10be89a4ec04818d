"""Bad input, one case each, in one place. Every case must fail with a non-zero exit code and a
message that names the file (and the line or key where there is one) and says how to fix it,
print no Python traceback, and leave the previous docs/ and site/ exactly as they were.

The cases run in one throwaway copy of the project, built once (`fanwen build`); each test
breaks one input, runs `fanwen import` or `fanwen build`, compares docs/ and site/ with the
snapshot and puts the input back. At the end: a successful `fanwen build` swaps the new site
in, and `fanwen dist` writes both archives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import tarfile
import time
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from conftest import SOURCES, copy_project, free_port, run
from linkcheck import broken_links

# A real collection imported together with the bad one (the smallest, to keep the battery fast).
GOOD_SOURCE = "sources/" + min(SOURCES, key=lambda p: p.stat().st_size).name
PAGE = "docs/examples/jingji/000-153e3eec68b796a2-03.md"  # an imported document page


_HASHED: dict[Path, tuple[tuple[int, ...], str]] = {}  # file → (its stat when hashed, its hash)


def digest(folder: Path) -> dict[str, str]:
    """Each file's content hash. A file is read again only when its inode, size or times changed
    since it was last hashed: every test compares the whole site twice, and a command that writes
    a file changes its times (it runs well after the file was last hashed)."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            continue
        key = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        known = _HASHED.get(path)
        if known is None or known[0] != key:
            known = _HASHED[path] = (key, hashlib.sha1(path.read_bytes()).hexdigest())
        hashes[path.relative_to(folder).as_posix()] = known[1]
    return hashes


class Project:
    """The built copy; `write` changes a file until `intact()` or the end of the test."""

    def __init__(self, root: Path):
        self.root = root
        self.saved: dict[Path, bytes | None] = {}
        self.docs = digest(root / "docs")
        self.site = digest(root / "site")

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        if path not in self.saved:
            self.saved[path] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    def restore(self) -> None:
        for path, content in self.saved.items():
            if content is None:
                path.unlink(missing_ok=True)
                if path.parent != self.root and not any(path.parent.iterdir()):
                    path.parent.rmdir()
            else:
                path.write_bytes(content)
        self.saved.clear()

    def intact(self) -> None:
        """Put the broken input back, then compare: nothing else may have changed."""
        self.restore()
        assert digest(self.root / "docs") == self.docs, "docs/ changed"
        assert digest(self.root / "site") == self.site, "site/ changed"
        leftovers = [*self.root.glob("site.*-*"), *(self.root / "docs").glob(".examples-*")]
        assert not leftovers, leftovers


@pytest.fixture(scope="module")
def built(tmp_path_factory, built_site):
    """The copy, with the run's build of the project as its site/ (what `fanwen build` makes
    there; successful `fanwen build`s of the copy are tested at the end)."""
    root = copy_project(tmp_path_factory.mktemp("hardening"))
    shutil.copytree(built_site, root / "site")
    return root


@pytest.fixture
def project(built):
    project = Project(built)
    yield project
    project.restore()


def refused(result, *expected: str) -> str:
    """Assert a clean failure and return its output."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and 'File "' not in output, output
    assert "怎么办" in output, output
    for text in expected:
        assert text in output, f"`{text}` missing in:\n{output}"
    return output


def import_(project: Project, *sources: str):
    return run(["fanwen", "import", GOOD_SOURCE, *sources, "--report", "build/r.json"], cwd=project.root)


def build(project: Project, *args: str):
    return run(["fanwen", "build", *args], cwd=project.root)


# --------------------------------------------------------------------------- sources (fanwen import)

def test_empty_source(project):
    project.write("sources/empty.txt", b"\n  \n")
    refused(import_(project, "sources/empty.txt"), "sources/empty.txt", "文件为空", "从导入命令中去掉")
    project.intact()


def test_binary_source(project):
    project.write("sources/binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    refused(import_(project, "sources/binary.txt"), "sources/binary.txt: 字节偏移 8", "二进制", "另存为 UTF-8 文本")
    project.intact()


def test_undecodable_source(project):
    # Valid UTF-8 first, then bytes that neither UTF-8 nor GB18030 can decode.
    project.write("sources/garbled.txt", "乡镇工作报告\n".encode("utf-8") + b"\xff\xfe\x81\x30abc\n")
    refused(import_(project, "sources/garbled.txt"), "sources/garbled.txt: 字节偏移 19", "既不是 UTF-8，也不是 GB18030/GBK 或 Big5",
            "另存为 UTF-8")
    project.intact()


def test_source_without_articles(project):
    project.write("sources/lead-only.txt", "前言:我们精心挑选了数篇优质文章,供您阅读参考。\n相关文章\n工作总结\n".encode("utf-8"))
    refused(import_(project, "sources/lead-only.txt"), "sources/lead-only.txt", "没有识别出任何文章",
            "data/boilerplate.yml")
    project.intact()


def test_oversized_source(project):
    with open(project.write("sources/huge.txt", b""), "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    result = import_(project, "sources/huge.txt")  # refused from its size, before any source is read
    refused(result, "sources/huge.txt", "50.0 MB", "20 MB 的上限", "拆成几个较小的文件")
    project.intact()


def test_duplicate_document_slugs_from_two_sources(project):
    # `zz_dup` and `zz-dup` both become the page name `zz-dup-01`.
    project.write("sources/zz_dup.txt", "测试合集篇1\n一、第一部分\n第一篇正文，写了一些工作情况和下一步打算。\n")
    project.write("sources/zz-dup.txt", "测试合集篇1\n一、安全检查\n另一篇正文，写的是安全生产检查的安排。\n")
    refused(import_(project, "sources/zz_dup.txt", "sources/zz-dup.txt"), "sources/zz_dup.txt", "zz-dup-01",
            "zz-dup.txt 第 1 篇", "请给其中一个改名")
    project.intact()


# --------------------------------------------------------------------------- site (fanwen build)

def test_duplicate_document_in_two_themes(project):
    """The same document slug (file name) under two theme folders: the build refuses it."""
    copy = PAGE.replace("/jingji/", "/dangjian/")
    project.write(copy, project.read(PAGE).replace("theme: jingji", "theme: dangjian"))
    refused(build(project), copy.removeprefix("docs/"), PAGE.removeprefix("docs/"), "重复",
            "同一篇文档只能放在一个主题下")
    project.intact()


@pytest.mark.parametrize("extra, names", [
    # examples/jingji/<slug>/index.md and examples/jingji/<slug>.md are both …/<slug>/index.html
    (PAGE.removesuffix(".md") + "/index.md", "生成同一个页面"),
    # a hand-written page where a template page is generated
    ("docs/moban/work-plan.md", "与写作模板页 moban/work-plan.md 同名"),
])
def test_two_pages_with_the_same_url(project, extra, names):
    project.write(extra, "---\ntitle: 冲突页\n---\n\n# 冲突页\n\n正文。\n")
    refused(build(project), extra.removeprefix("docs/"), names, "改名")
    project.intact()


def test_malformed_mkdocs_yml(project):
    line = len(project.read("mkdocs.yml").splitlines()) + 1
    project.write("mkdocs.yml", project.read("mkdocs.yml") + "site_author: 办公室: 多余的冒号\n")
    refused(build(project), f"mkdocs.yml:{line}", f"第 {line} 行", "检查该行")
    project.intact()


def test_malformed_theme_list(project):
    text = project.read("data/themes.yml")
    line = text[:text.index("  name: 人大工作与基层民主")].count("\n") + 1
    project.write("data/themes.yml", text.replace("  name: 人大工作与基层民主", "  name: 人大工作: 基层民主"))
    for result in (build(project), import_(project)):
        refused(result, f"data/themes.yml:{line}", "YAML", "缩进")
    project.intact()


# Every rules file in data/ is checked by its model (fanwen/schema.py) when it is first read:
# a renamed key, a value of the wrong kind or a broken pattern names the file, the line of the
# key and the key path — never a KeyError or re.error traceback from deep in the importer.
RULE_MISTAKES = [
    ("data/classify.yml", "title_weight: 10", "title_wieght: 10", "title_wieght", "不是可用的项"),
    ("data/classify.yml", "heading_weight: 3", "heading_weight: 很高", "heading_weight", "应为数字"),
    ("data/boilerplate.yml", "    reason: 相关文章列表\n    max_chars: 80", "    reason: 相关文章列表\n    max_chars: 八十",
     "tail.list_item.max_chars", "应为整数"),
    ("data/boilerplate.yml", "- reason: 行内广告\n    pattern: '/?",  "- reason: 行内广告\n    pattern: '(/?",
     "inline[0].pattern", "正则表达式有误"),
    ("data/split.yml", "long_page_chars: 12000", "long_page_chars: [12000]", "long_page_chars", "应为整数"),
    ("data/repairs.yml", "count_units:", "count_unit:", "count_unit", "不是可用的项"),
    ("data/status.yml", "    reliable: false", "    reliable: 不可靠", "statuses[2].reliable", "true 或 false"),
    ("data/themes.yml", "- slug: dangjian", "- slug: 党建", "[0].slug", "小写 ASCII"),
]


@pytest.mark.parametrize("rel, old, new, key, expected", RULE_MISTAKES, ids=lambda v: v if isinstance(v, str) and v.startswith("data/") else None)
def test_a_mistake_in_a_rules_file_names_its_file_line_and_key(project, rel, old, new, key, expected):
    text = project.read(rel)
    assert old in text, old
    changed = text.replace(old, new, 1)
    at = changed.index(new) + (new.index(key.split(".")[-1].split("[")[0]) if key.split(".")[-1].split("[")[0] in new else 0)
    line = changed[:at].count("\n") + 1
    project.write(rel, changed)
    refused(import_(project), f"{rel}:{line}: {key}", expected)
    project.intact()


def test_a_sections_file_without_aliases_is_refused(project):
    project.write("data/sections.yml", project.read("data/sections.yml").replace(
        "  aliases: [基本原则, 工作原则]", "  alias: [基本原则, 工作原则]", 1))
    refused(build(project), "data/sections.yml:", "[1].alias", "不是可用的项")
    project.intact()


def test_unknown_theme_in_front_matter(project):
    project.write(PAGE, project.read(PAGE).replace("theme: jingji", "theme: caiwu"))
    refused(build(project), f"{PAGE.removeprefix('docs/')}: theme", "caiwu", "data/themes.yml", "jingji")
    project.intact()


def test_make_serve_says_in_chinese_why_it_stopped(project):
    """`make serve` (mkdocs serve) with a page the build refuses: the reason and MkDocs's own last
    line ("Aborted with a BuildError!", printed outside its log) in Chinese, and it stops."""
    project.write(PAGE, project.read(PAGE).replace("theme: jingji", "theme: caiwu"))
    result = run(["mkdocs", "serve", "--strict", "--dirty", "--dev-addr", f"127.0.0.1:{free_port()}"], cwd=project.root)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "caiwu" in output and "构建没有完成：出错的地方见上面。" in output, output
    assert "Aborted" not in output and "Traceback" not in output, output
    project.intact()


@pytest.mark.parametrize("page, change, expected", [
    (PAGE, lambda t: t.replace("\n---\n", "\n\n", 1), "没有结束行 `---`"),
    (PAGE, lambda t: t.replace("\ntype: ", "\ntype: 方案: ", 1), ".md:3: front matter 不是合法的 YAML（第 3 行）：这里不能再写“键: 值”"),
    # a hand-written page: MkDocs alone would show the broken front matter as text
    ("docs/atlas.md", lambda t: t.replace("title: ", "title: 类型: ", 1), "atlas.md:2: front matter 不是合法的 YAML"),
])
def test_broken_front_matter(project, page, change, expected):
    text = project.read(page)
    assert text.startswith("---\n") and text.count("\n---\n") >= 1
    project.write(page, change(text))
    refused(build(project), page.removeprefix("docs/"), expected, "怎么办")
    project.intact()


def test_macro_that_cannot_be_rendered(project):
    # mkdocs-macros prints a traceback and exits; `fanwen build` shows the error without it.
    project.write("docs/broken.md", "---\nrender_macros: true\n---\n\n# 坏页\n\n{{ unit_nam }}\n")
    output = refused(build(project), "broken.md：页面中的宏无法展开：没有名为 unit_nam 的变量或宏", "宏无法展开")
    assert "[macros]" not in output and "_File_" not in output  # mkdocs-macros' own (English, Markdown) words
    project.write("docs/broken.md", "---\nrender_macros: true\n---\n\n# 坏页\n\n{{ unit_name | nosuch }}\n")
    refused(build(project), "broken.md（正文第 3 行）：页面中的宏无法展开：没有名为 nosuch 的过滤器")
    project.intact()


# --------------------------------------------------------------------------- security round two

TRADITIONAL = ("鄉鎮工作總結\n一、基本情況\n今年以來，我鎮認真貫徹落實縣委縣政府的決策部署，"
               "圍繞產業發展、環境整治和民生保障開展了大量工作，群眾滿意度進一步提高。\n"
               "二、存在問題\n基層幹部隊伍老化，村級集體經濟薄弱，項目推進較慢。\n")


def imported_title(project: Project, tmp_path: Path, name: str, data: bytes) -> str:
    """Import one source into a scratch docs folder; the title of its one page."""
    project.write(f"sources/{name}", data)
    docs = tmp_path / "docs"
    result = run(["fanwen", "import", f"sources/{name}", "--docs", str(docs), "--report", str(tmp_path / "r.json")],
                 cwd=project.root)
    assert result.returncode == 0, result.stdout + result.stderr
    pages = sorted(p for p in (docs / "examples").rglob("*.md") if p.name != "index.md")
    assert len(pages) == 1, pages
    return yaml.safe_load(pages[0].read_text(encoding="utf-8").split("---\n")[1])["title"]


@pytest.mark.parametrize("name, encode", [
    ("big5.txt", lambda text: text.encode("cp950")),
    ("gbk.txt", lambda text: text.encode("gb18030")),
    ("utf16.txt", lambda text: text.encode("utf-16")),          # Windows "Unicode" (with BOM)
    ("utf16-nobom.txt", lambda text: text.encode("utf-16-le")),
])
def test_legacy_and_utf16_sources_decode_to_the_same_text(project, tmp_path, name, encode):
    assert imported_title(project, tmp_path, name, encode(TRADITIONAL)) == "乡镇工作总结"
    project.intact()


def test_an_encoding_that_cannot_be_decided_is_refused_naming_the_choices(project):
    # Bytes valid as both GB18030 and Big5 that read as Chinese text in neither.
    garbage = bytes(b for i in range(400) for b in (0xF1 + i % 6, 0xA1 + (i * 7) % 90)) + "\n".encode()
    result = import_(project, project.write("sources/unsure.txt", garbage).relative_to(project.root).as_posix())
    refused(result, "sources/unsure.txt", "无法确定文件编码", "GB18030", "Big5", "另存为 UTF-8")
    project.intact()


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)) + "title: *j\n"


def limited(args: list[str], project: Project, env=None):
    """Run under a 1.5 GB address-space limit: a YAML bomb must be refused, not expanded."""
    import resource
    import subprocess

    from conftest import BIN

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))

    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=project.root, capture_output=True, text=True,
                          preexec_fn=limit, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def test_yaml_alias_bombs_are_refused(project):
    source = Path(GOOD_SOURCE)
    project.write(str(source.with_suffix(".yml")), BOMB)
    refused(limited(["fanwen", "import", GOOD_SOURCE], project), source.with_suffix(".yml").name, "锚点和别名", "&名字")
    project.intact()
    project.write("data/unit.yml", BOMB)
    refused(limited(["fanwen", "build"], project), "data/unit.yml:1", "锚点和别名")
    project.intact()


@pytest.mark.parametrize("value, expected", [
    ("2027-02-28", None),                 # YAML would make it a date: it stays the text it reads as
    ("2027-02-30", None),                 # an impossible date is not a crash either
    ("[甲, 乙]", "`title` 应为一行文字，实际是 列表"),
    ("12", "`title` 应为一行文字，实际是 数字 12"),
])
def test_manifest_title_values_are_checked_before_anything_is_written(project, tmp_path, value, expected):
    source = Path(GOOD_SOURCE)
    draft = run(["fanwen", "import", GOOD_SOURCE, "--docs", str(tmp_path / "docs"), "--report",
                 str(tmp_path / "r.json"), "--no-manifest"], cwd=project.root)
    assert draft.returncode == 0, draft.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    first = report["sources"][0]["documents"][0]
    manifest = (f"documents:\n- start: {first['start_line']}\n  end: {first['end_line']}\n"
                f"  title: {value}\n")
    project.write(str(source.with_suffix(".yml")), manifest)
    docs = tmp_path / "curated"
    result = run(["fanwen", "import", GOOD_SOURCE, "--docs", str(docs), "--report", str(tmp_path / "r2.json")],
                 cwd=project.root)
    if expected:
        refused(result, f"{source.with_suffix('.yml').name}: documents[0].title", expected, "加引号")
        assert not (docs / "examples").exists()  # checked before anything is written
    else:
        assert result.returncode == 0, result.stderr
        titles = [yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1])["title"]
                  for p in (docs / "examples").rglob("*.md") if p.name != "index.md"]
        assert value in titles
    project.intact()


def test_a_manifest_that_drops_everything_says_so(project):
    source = Path(GOOD_SOURCE)
    lines = len((project.root / source).read_text(encoding="utf-8").splitlines())
    project.write(str(source.with_suffix(".yml")), f"documents:\n- start: 1\n  end: {lines}\n  drop: true\n")
    output = refused(import_(project), source.with_suffix(".yml").name, "整理清单没有留下任何文章", "drop: true")
    assert "boilerplate" not in output
    project.intact()


@pytest.mark.parametrize("line, expected", [
    ("title: [甲, 乙]", "`title` 应为一行文字，实际是 列表"),
    ("type: <img src=x onerror=alert(1)>", "`type` 的值"),
    ("level: 地区", "`level` 的值 “地区” 不在可用的取值中"),
])
def test_front_matter_values_of_the_wrong_kind_fail_the_build_promptly(project, line, expected):
    key = line.split(":")[0]
    text = re.sub(rf"(?m)^{key}: .*$", line, project.read(PAGE), count=1)
    project.write(PAGE, text)
    refused(build(project), f"{PAGE.removeprefix('docs/')}: {key}", expected)
    project.intact()


def test_a_script_in_a_hand_written_page_fails_the_build(project):
    project.write("docs/notice.md", "# 通知\n\n<script>alert(1)</script>\n\n正文。\n")
    output = refused(build(project), "构建页面 notice.md 时出错", "不属于站点模板的脚本", "alert(1)")
    assert "Error building page" not in output
    project.write("docs/notice.md", '# 通知\n\n<a href="#" onclick="alert(1)">点我</a>\n')
    refused(build(project), "notice.md", "事件属性")
    project.intact()


@pytest.mark.parametrize("url", ['http://intranet/fanwen/"><script>alert(1)</script>', "http://intra net/", "intranet"])
def test_a_site_url_with_markup_or_spaces_is_refused(project, url):
    refused(run(["fanwen", "build"], cwd=project.root, env={"SITE_URL": url}), "SITE_URL", "不是合法的网址")
    project.intact()


def build_children(root: Path) -> list[int]:
    """Processes (other than pytest's) working in the project copy: the build and its indexer."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if Path(os.readlink(entry / "cwd")) == root and b"fanwen" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_killed_build_leaves_no_process_behind(project):
    import signal
    import subprocess

    from conftest import BIN

    # --rebuild-index: an earlier test built site/, whose index would be reused without an indexer.
    process = subprocess.Popen([str(BIN / "fanwen"), "build", "--rebuild-index"], cwd=project.root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    deadline = time.monotonic() + 60
    running = build_children(project.root)
    while len(running) < 2 and time.monotonic() < deadline:  # the build and its indexer
        time.sleep(0.05)
        running = build_children(project.root)
    # Killed at once: looked at again, the indexer may have finished its work meanwhile (this
    # test failed now and then, asserting on a second look).
    assert len(running) >= 2, running
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 20
    while build_children(project.root) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert build_children(project.root) == []
    for leftover in project.root.glob("site.new-*"):  # the next build clears a killed build's folder
        assert str(process.pid) in leftover.name
    assert build(project).returncode == 0
    assert not list(project.root.glob("site.*-*"))
    project.site = digest(project.root / "site")
    project.intact()


# --------------------------------------------------------------------------- good builds and archives

def test_build_swaps_the_site_in_only_when_done(project):
    out = project.root / "other-site"
    out.mkdir(exist_ok=True)
    (out / "index.html").write_text("old", encoding="utf-8")
    (out / "stale.html").write_text("old", encoding="utf-8")
    result = build(project, "--site-dir", "other-site")
    assert result.returncode == 0, result.stderr
    assert "已构建网站" in result.stdout
    assert "范文库" in (out / "index.html").read_text(encoding="utf-8") and not (out / "stale.html").exists()
    assert not list(project.root.glob("other-site.*-*"))
    # A failing build into the same folder keeps it as it is.
    before = digest(out)
    project.write("mkdocs.yml", project.read("mkdocs.yml") + "extra: [\n")
    refused(build(project, "--site-dir", "other-site"), "mkdocs.yml:")
    assert digest(out) == before and not list(project.root.glob("other-site.*-*"))
    # A folder that is not a built site is never replaced (the old one is deleted after a swap).
    refused(build(project, "--site-dir", "sources"), "sources", "不像是构建出的站点")
    project.intact()


def test_dist_writes_both_archives(project):
    # A hook writes what FANWEN_OFFLINE was during each build (mkdocs.yml reads it with !ENV).
    project.write("probe_hook.py", "import os, pathlib\n\ndef on_post_build(config):\n"
                  "    pathlib.Path(config.site_dir, 'probe.txt').write_text(os.environ.get('FANWEN_OFFLINE', 'unset'))\n")
    project.write("mkdocs.yml", project.read("mkdocs.yml") + "\nhooks:\n  - probe_hook.py\n")
    (project.root / "deploy").mkdir(exist_ok=True)
    result = run(["fanwen", "dist", "--dist-dir", "out/dist", "--site-dir", "out/site",
                  "--offline-dir", "out/offline"], cwd=project.root)
    assert result.returncode == 0, result.stderr
    name = f"fanwen-site-{version('fanwen')}-{dt.date.today():%Y%m%d}"
    out = project.root / "out"
    assert sorted(p.name for p in (out / "dist").iterdir()) == [f"{name}.tar.gz", f"{name}.zip"]
    with tarfile.open(out / "dist" / f"{name}.tar.gz") as tar:
        tar_names = [m.name + ("/" if m.isdir() else "") for m in tar.getmembers()]
        readme = tar.extractfile(f"{name}/部署说明.txt").read().decode("utf-8-sig")
    with zipfile.ZipFile(out / "dist" / f"{name}.zip") as archive:
        zip_names = archive.namelist()
        probes = archive.read(f"{name}/site/probe.txt"), archive.read(f"{name}/离线版/probe.txt")
    assert tar_names == zip_names == sorted(zip_names)
    assert {n.split("/")[0] for n in zip_names} == {name}
    assert {f"{name}/site/index.html", f"{name}/离线版/index.html", f"{name}/部署说明.txt"} <= set(zip_names)
    assert (f"{name}/nginx.conf" in zip_names) == (project.root / "deploy" / "nginx.conf").is_file()
    assert not [n for n in zip_names if ".DS_Store" in n or ".new-" in n or "__pycache__" in n]
    assert len([n for n in zip_names if n.startswith(f"{name}/site/")]) == len(list((out / "site").rglob("*"))) + 1
    assert probes == (b"false", b"true")
    assert not broken_links(out / "offline")  # opened from a shared drive: every link must resolve
    for needed in ("site/", "离线版/", "nginx", "SITE_URL=http://内网地址/fanwen/ make dist", "make build-offline",
                   "双击", "index.html"):
        assert needed in readme, needed
    shutil.rmtree(out)
    project.intact()


def test_archives_leave_out_junk(tmp_path):
    from fanwen.publish.build import tree_entries

    for name in ("index.html", "a/.DS_Store", "a/page.html", "Thumbs.db", "b~", "._index.html", "a/__pycache__/x.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [n for n, _ in tree_entries(tmp_path, "top")] == ["top/", "top/a/", "top/a/page.html", "top/index.html"]
