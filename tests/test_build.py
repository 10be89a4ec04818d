"""The MkDocs build: strict, no executed imported text, clear errors for bad data."""

import datetime
import re
from html.parser import HTMLParser

import pytest
import yaml

from conftest import copy_project, run


def test_theme_page_lists_cards(built_site):
    html = (built_site / "examples" / "jingji" / "index.html").read_text(encoding="utf-8")
    assert "农村经济与财务资产管理" in html and html.count('class="fw-tag"') >= 8
    assert "{{" not in html and "examples(" not in html


def test_document_page_has_metadata_toc_and_related(built_site):
    html = (built_site / "examples" / "jingji" / "000-153e3eec68b796a2-03" / "index.html").read_text(encoding="utf-8")
    assert 'class="fw-meta"' in html and "来源：范文合集《乡镇换届选举工作方案范文》第 3 篇" in html
    assert '<h2 id="一检查对象和范围">一、检查对象和范围' in html  # readable Chinese anchor
    assert "相关范文" in html and 'class="md-nav md-nav--secondary"' in html


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory):
    """A project built once with Jinja, markup and scripts in an imported collection and in the
    unit data; (project, site)."""
    tmp_path = tmp_path_factory.mktemp("untrusted")
    project = copy_project(tmp_path)
    source = project / "sources" / "zz_test.txt"
    source.write_text("测试合集篇1\n一、模板语法\n正文里有 {{ 7*7 }} 和 {% if x %} 这样的字符,还有<script>alert(1)</script>。\n"
                      "测试合集篇2\n一、第二篇\n第二篇正文。\n", encoding="utf-8")
    # This collection alone (the real ones take a while and are imported in test_corpus.py).
    result = run(["fanwen", "import", str(source)], cwd=project)
    assert result.returncode == 0, result.stderr
    unit = project / "data" / "unit.yml"
    unit.write_text(unit.read_text(encoding="utf-8").replace(
        "topic: 农村人居环境整治", 'topic: "<script>alert(1)</script>{{ 7*7 }}**整治**"'), encoding="utf-8")
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=project)
    assert result.returncode == 0, result.stderr
    return project, tmp_path / "site"


def test_imported_text_is_never_run_as_jinja(untrusted):
    _, site = untrusted
    page = next((site / "examples").glob("*/zz-test-01/index.html")).read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in page and "{% if x %}" in page and "正文里有 49" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert_no_script_ran_from(site)


def assert_no_script_ran_from(site):
    """No script the site ships says alert(1): injected inline code would have been moved into
    an assets/fanwen/inline/ file by the CSP step (fanwen/publish/csp.py) rather than show in the page."""
    for script in (site / "assets").rglob("*.js"):  # not search/: page text as data
        assert "alert(1)" not in script.read_text(encoding="utf-8", errors="replace"), script


def test_data_values_show_as_text_on_template_pages(untrusted):
    _, site = untrusted
    page = (site / "moban" / "work-plan" / "index.html").read_text(encoding="utf-8")
    paper = page[page.index('<div class="fw-paper">'):]
    assert '<span class="fw-filled">&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}**整治**工作</span>' in paper
    assert "<script>alert(1)" not in page and "49" not in paper
    assert_no_script_ran_from(site)


@pytest.mark.parametrize("value, problem", [
    ("甲镇\\ue001<script>alert('pua')</script>", "私用区字符"),
    ("甲镇\\n{: onclick=alert('attr') }", "不能换行"),
])
def test_injected_unit_data_stops_the_build_with_the_key(tmp_path, value, problem):
    """Issue 10, item 2: a private-use mark that would end the escaping, or a line break that
    would start an attribute list, is refused in data/unit.yml — the build stops and says
    which key, nothing is published."""
    project = copy_project(tmp_path)
    unit = project / "data" / "unit.yml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("short_name: ××镇", f'short_name: "{value}"'),
                    encoding="utf-8")
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "unit.short_name" in result.stderr and problem in result.stderr and "unit.yml:" in result.stderr
    page = tmp_path / "site" / "moban" / "work-plan" / "index.html"
    assert not page.exists() or "alert(" not in page.read_text(encoding="utf-8")


def test_undefined_macro_variable_fails_the_build(tmp_path):
    project = copy_project(tmp_path)
    (project / "docs" / "broken.md").write_text("---\nrender_macros: true\n---\n\n# 坏页\n\n{{ unit_nam }}\n",
                                                encoding="utf-8")
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=project)
    assert result.returncode != 0
    assert "unit_nam" in result.stderr and "broken.md" in result.stderr


# Bad themes.yml, unknown theme, broken front matter, duplicate pages, bad mkdocs.yml:
# tests/test_hardening.py (through `fanwen build`, which keeps the previous site/).


class _ShownText(HTMLParser):
    """What a reader of a page sees as text (and hears: titles, labels, placeholders), without
    scripts and styles — code elements included, since they are shown too."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed", "track"}

    def __init__(self):
        super().__init__()
        self.hidden = []
        self.parts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not any(self.hidden):
            self.parts += [attrs[k] for k in ("title", "aria-label", "placeholder", "alt") if attrs.get(k)]
        if tag not in self.VOID:
            self.hidden.append(tag in ("script", "style", "svg"))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.hidden:
            self.hidden.pop()

    def handle_data(self, data):
        if not any(self.hidden):
            self.parts.append(data)


# A file name, a command line or a slug (work-plan) in what a writer reads: the UI speaks of
# 模板 and 本单位信息, never of files and commands (intranet writers have no command line).
_LEAK = re.compile(r"\b[\w-]+\.(?:md|ya?ml|py|txt|json|js|docx)\b|\b(?:fanwen|make|mkdocs|pip|python3?)\s+-*[a-z]+"
                   r"|\b[a-z]+(?:-[a-z]+)+\b")


def test_no_page_shows_a_file_name_command_or_slug(built_site):
    leaks = {}
    for page in sorted(built_site.rglob("*.html")):
        parser = _ShownText()
        parser.feed(page.read_text(encoding="utf-8"))
        found = _LEAK.findall(" ".join(parser.parts))
        if found:
            leaks[page.relative_to(built_site).as_posix()] = sorted(set(found))
    assert leaks == {}


def _build_in_process(project, site):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from fanwen.data import data_dir

    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True))
    # The copy's data/ was used for its build only: what runs next in this process reads its own.
    assert data_dir() != (project / "data").resolve()
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


def test_document_parts_written_as_html_read_as_through_markdown(tmp_path, monkeypatch):
    """A document page's metadata line, buttons, template link and related documents are written
    as HTML after Markdown (fanwen/mkdocs/pages.py), not run through it, and its front matter is
    read once (by the library, not again by MkDocs): every page must read exactly as when they
    went through Markdown and MkDocs, also with titles and sources full of Markdown and HTML
    characters, a date in the front matter, and a document with its own heading 相关范文."""
    project = copy_project(tmp_path)
    model = (project / "docs" / "examples" / "jingji" / "000-153e3eec68b796a2-03.md").read_text(encoding="utf-8")
    body = model[model.index("\n---\n", 4) + 5:]
    tricky = [("蝴蝶兰花 <b>粗</b> *一* _二_ [三](x.md) \\ &amp; {#id} <!-- c -->", "合集《a&b》<i>第 3 篇</i> `x`"),
              ("蝴蝶兰花 ~~删~~ ==标== ^^上^^ $x$ | a | -- ...", "  前后有空格  "),
              ("蝴蝶兰花\t工作", "来源 &#20; &lt;"),
              ("蝴蝶兰花（相关范文）", "合集")]
    for n, (title, label) in enumerate(tricky):
        meta = {"title": title, "type": "方案", "level": "县", "theme": "jingji", "tags": ["方案", "县", "农村经济与财务资产管理"],
                "source": f"测试 {n}", "source_label": label, "chars": 787,
                # A date (MkDocs reads it as one, the library as text) and a nested value.
                **({"date": datetime.date(2027, 2, 28), "search": {"boost": 2}} if n == 1 else {})}
        text = body + ("\n## 相关·范文\n\n同名的一节。\n" if n == 3 else "")
        (project / "docs" / "examples" / "jingji" / f"zz-mark-{n}.md").write_text(
            "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + text, encoding="utf-8")
    as_html = _build_in_process(project, tmp_path / "html")
    import fanwen.mkdocs.plugin as plugin
    monkeypatch.setattr(plugin, "document_head_html", lambda *args: None)  # every page through Markdown
    monkeypatch.setattr(plugin, "known_front_matter", lambda *args: None)  # and its front matter read by MkDocs
    through_markdown = _build_in_process(project, tmp_path / "markdown")
    assert as_html.keys() == through_markdown.keys()
    assert [uri for uri in as_html if as_html[uri] != through_markdown[uri]] == []
    page = as_html["examples/jingji/zz-mark-0/index.html"].decode("utf-8")
    assert "来源：合集《a&amp;b》&lt;i&gt;第 3 篇&lt;/i&gt; `x`</p>" in page
    listing = as_html["examples/jingji/zz-mark-2/index.html"].decode("utf-8")  # a title with a tab: Markdown's way
    assert "蝴蝶兰花 &lt;b&gt;粗&lt;/b&gt; *一* _二_ [三](x.md) \\ &amp;amp; {#id} &lt;!-- c --&gt;</a>" in listing
    assert listing.count('<h2 id="相关范文">相关范文<a class="headerlink" href="#相关范文"') == 1
    assert 'href="#相关范文"' in listing[listing.index('class="md-nav md-nav--secondary"'):]  # in the contents
    own = as_html["examples/jingji/zz-mark-3/index.html"].decode("utf-8")
    assert '<h2 id="相关范文">相关·范文' in own and '<h2 id="相关范文_1">相关范文' in own


def test_theme_parts_kept_once_are_material_s_own(tmp_path, built_site, offline_site):
    """The site navigation (once per folder for the documents) and the search box (once per
    build) are kept after their first rendering (overrides/partials/nav.html, search.html): every
    page, in the normal and the offline build (the run's own builds of the project), is exactly
    what Material's own partials make."""
    project = copy_project(tmp_path)
    for name in ("nav.html", "search.html"):
        (project / "overrides" / "partials" / name).unlink()
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for site, offline in ((built_site, False), (offline_site, True)):
        if offline:
            config.write_text(text.replace("enabled: !ENV [FANWEN_OFFLINE, false]", "enabled: true"), encoding="utf-8")
        kept = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}
        own = _build_in_process(project, tmp_path / f"own-{offline}")
        assert kept.keys() == own.keys() and len(kept) > 90
        assert [uri for uri in kept if kept[uri] != own[uri]] == []
