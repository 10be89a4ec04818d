"""Search through the real header search box in Debian's chromium.

Which pages *should* match is computed here, independently of fanwen/search/index.py: the text of
every built document page as the browser renders it (`.md-content article` without the
metadata line, the tags, the permalinks and the 相关范文 section: ours, not the document's), folded to simplified script with
OpenCC's t2s. A page is relevant to a query when that text contains the folded query.
"""

from __future__ import annotations

import functools
import json
import os
import re
import http.server
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

import opencc
import pytest

from conftest import BIN, ROOT, SEARCH_HOOK, free_port, serve_folder, type_query

pytestmark = pytest.mark.browser
QUERIES = [line.strip() for line in (ROOT / "tests" / "fixtures" / "queries.txt").read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("#")]
T2S = opencc.OpenCC("t2s")

# Each built page's article, as the browser lays it out with no script and no style: parsed from
# the file, moved into the (blank) open page and read with innerText. All pages in one call.
ARTICLE_TEXTS = """pages => pages.map(([location, html]) => {
  const article = new DOMParser().parseFromString(html, "text/html").querySelector(".md-content article");
  if (location.startsWith("examples/") && !article.querySelector(".fw-meta")) return null;  // a theme's list
  document.body.replaceChildren(document.adoptNode(article));
  article.querySelectorAll(".fw-meta, .md-tags, .headerlink, .fw-note, .fw-use-template").forEach(el => el.remove());
  for (let el = document.getElementById("相关范文"); el; ) { const next = el.nextElementSibling; el.remove(); el = next }
  return {
    text: article.innerText,
    headings: [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(h => h.innerText),
  };
})"""


def fold(text: str) -> str:
    return T2S.convert(text)


@pytest.fixture(scope="module")
def corpus(browser, built_site):
    """{location: (folded article text, [folded title and headings])} of every document page."""
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", lambda route: route.abort())  # the HTML alone: no script, style or image
    page = context.new_page()
    page.set_content('<!doctype html><meta charset="utf-8"><body></body>')
    files = sorted([*built_site.glob("examples/*/*/index.html"), *built_site.glob("moban/*/index.html"),
                    built_site / "atlas" / "index.html"])
    locations = [html.parent.relative_to(built_site).as_posix() + "/" for html in files]
    found = page.evaluate(ARTICLE_TEXTS, [[loc, html.read_text(encoding="utf-8")] for loc, html in zip(locations, files)])
    pages = {loc: (fold(f["text"]), [fold(h) for h in f["headings"]]) for loc, f in zip(locations, found) if f}
    context.close()
    assert len(pages) > 50
    return pages


def relevant(corpus, query: str) -> tuple[set[str], set[str]]:
    """(pages containing the query, those of them containing it in the title or a heading)."""
    q = fold(query)
    pages = {loc for loc, (text, _) in corpus.items() if q in text}
    titled = {loc for loc in pages if any(q in h for h in corpus[loc][1])}
    return pages, titled


class SearchBox:
    """The header search box of one open page."""

    def __init__(self, page, prefix: str):
        self.page, self.prefix = page, prefix
        self.box = page.locator("input.md-search__input")
        self.box.click()

    def search(self, query: str) -> dict:
        page = self.page
        page.evaluate("() => { window.__fw.done = []; window.__fw.results = [] }")
        self.box.fill(query)
        self.box.press("End")  # Material reads the box on keyup (as after typing or an IME)
        page.wait_for_function("q => window.__fw.done.includes(q)", arg=query, timeout=10_000)
        results = page.evaluate("() => window.__fw.results")
        expected = results[-1]["n"]
        latency = results[0]["t"] - page.evaluate("() => window.__fw.keyup")
        items = page.locator("li.md-search-result__item")
        # Material renders ten results, then four more each time the list is scrolled to its end
        # (it reacts to reaching the end, so scroll away and back).
        # Done in the page, a frame per step: a round trip from here for each step cost more
        # than Material's rendering.
        page.evaluate("""async expected => {
            const wrap = document.querySelector(".md-search__scrollwrap");
            const count = () => document.querySelectorAll("li.md-search-result__item").length;
            const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
            // Results past the first ten, and the snippets of those below the first screen, come
            // as placeholders the page fills as the list is scrolled (fanwen-search.js): until
            // every one is in place.
            const pending = () => document.querySelector(".md-search-result__list :is(.fw-row, .fw-snippet)");
            for (let step = 0; step < 400 && (count() < expected || pending()); step++) {
                wrap.scrollTop = step % 2 ? wrap.scrollHeight : 0;
                await frame();
            }
        }""", expected)
        assert not page.locator(".md-search-result__list :is(.fw-row, .fw-snippet)").count(), f"{query}: placeholders left"
        assert items.count() == expected, f"{query}: {items.count()} rendered of {expected}"
        rendered = page.evaluate("""() => [...document.querySelectorAll("li.md-search-result__item")].map(li => ({
            href: li.querySelector("a").href,
            marks: [...li.querySelectorAll("mark")].map(m => m.textContent),
            snippet: !!li.querySelector("article p:not(.fw-result-tags)"),
        }))""")
        locations = []
        for item in rendered:
            path = unquote(urlparse(item["href"]).path)
            assert path.startswith(self.prefix), item["href"]
            locations.append(path[len(self.prefix):])
        meta = page.locator(".md-search-result__meta").inner_text()
        return {"locations": locations, "items": rendered, "latency": latency, "meta": meta}


@pytest.fixture(scope="module")
def search_box(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(SEARCH_HOOK)
    page = context.new_page()
    page.goto(site_url)
    yield SearchBox(page, urlparse(site_url).path)
    context.close()


@pytest.fixture(scope="module")
def answers(search_box):
    return {query: search_box.search(query) for query in QUERIES}


def test_every_page_containing_the_query_is_found(corpus, answers):
    missing, matched = {}, 0
    for query, answer in answers.items():
        pages, _ = relevant(corpus, query)
        matched += bool(pages)
        lost = pages - set(answer["locations"])
        if lost:
            missing[query] = sorted(lost)
    assert not missing, f"recall below 1.0: {missing}"
    assert matched >= 0.8 * len(answers)  # the oracle itself works (保障措施 is on no page)


def test_exact_matches_rank_first_title_and_headings_before_body(corpus, answers):
    wrong = {}
    for query, answer in answers.items():
        pages, titled = relevant(corpus, query)
        order = answer["locations"]
        exact = [loc for loc in order if loc in pages]
        if order[:len(exact)] != exact:
            wrong[query] = f"a page without「{query}」ranks above one with it: {order}"
        flags = [loc in titled for loc in exact]
        if flags != sorted(flags, reverse=True):
            wrong[query] = f"a body-only match ranks above a title/heading match: {list(zip(exact, flags))}"
    assert not wrong, wrong


def test_traditional_query_finds_what_the_simplified_one_finds(search_box, answers):
    traditional = [q for q in QUERIES if fold(q) != q]
    assert traditional, "the query file should hold traditional-script queries"
    for query in traditional:
        simplified = search_box.search(fold(query))
        assert answers[query]["locations"] == simplified["locations"], query
        assert answers[query]["locations"]


def test_matches_are_highlighted(corpus, answers):
    for query, answer in answers.items():
        pages, _ = relevant(corpus, query)
        for loc, item in zip(answer["locations"], answer["items"]):
            if loc in pages and item["snippet"]:
                assert any(fold(query) in fold(mark) for mark in item["marks"]), (query, loc, item["marks"])
        count = len(answer["locations"])
        assert answer["meta"] == ("没有找到符合条件的结果" if count == 0 else "找到 1 个符合条件的结果" if count == 1
                                  else f"{count} 个符合条件的结果"), answer["meta"]


# How fast results come (p50/p95 from keyup to the first answer) is measured by bench/search.py,
# not asserted here: a shared 2-core machine makes wall-clock limits flaky, not informative.


def test_result_opens_the_page_with_the_match_highlighted(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(SEARCH_HOOK)
    page = context.new_page()
    page.goto(site_url)
    SearchBox(page, urlparse(site_url).path).search("選舉委員會")
    page.locator("li.md-search-result__item a").first.click()
    page.wait_for_url(lambda url: "/examples/" in url or "/moban/" in url)  # a document or a template
    # Material marks the query on the opened page after it has loaded: wait, and read in one go.
    marks = page.wait_for_function("""() => {
        const marks = [...document.querySelectorAll(".md-content mark[data-md-highlight]")].map(m => m.textContent);
        return marks.length ? marks : null }""", timeout=10_000).json_value()
    assert all(m == "选举委员会" for m in marks), marks
    context.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_search_works_under_a_sub_path(browser, subpath_site, corpus):
    site = subpath_site
    with serve_folder(site.parent) as root:  # the site at /fanwen/ of the server
        base = root + "fanwen/"
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_init_script(SEARCH_HOOK)
        page = context.new_page()
        failed = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(base + "examples/zhili/")
        answer = SearchBox(page, "/fanwen/").search("换届选举")
        pages, _ = relevant(corpus, "换届选举")
        assert pages <= set(answer["locations"])
        page.locator("li.md-search-result__item a").first.click()
        page.wait_for_url(lambda url: "?h=" in url)  # the result's page, with the words to highlight
        page.wait_for_load_state()
        assert urlparse(page.url).path.startswith(("/fanwen/examples/", "/fanwen/moban/"))
        assert not failed, failed
        context.close()


def serve_copy(site: Path, tmp_path: Path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(copy)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return copy, server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.mark.parametrize("remove", ["manifest.js", "shard"])
def test_an_incomplete_index_says_so_in_the_page(browser, built_site, tmp_path, remove):
    copy, server, base = serve_copy(built_site, tmp_path)
    index = copy / "search" / "fanwen"
    if remove == "shard":
        for shard in (index / "s").glob("*.js"):
            shard.unlink()
    else:
        (index / "manifest.js").unlink()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(base)
        item = type_query(page, "换届选举").first
        assert "搜索索引不完整，请重新构建" in item.inner_text()
        context.close()
    finally:
        server.shutdown()


def test_the_same_pages_indexed_in_small_files_are_found_alike(browser, built_site, tmp_path, search_box, monkeypatch):
    """A large library's index has what the project's 66 documents never make: common bigrams
    marked "spread" (their trigrams hashed by themselves; the worker goes straight to such a
    trigram's shard by the manifest's list), shards cut into several files and long lists in
    files of their own. The site's pages, read back from its index, are indexed again with tiny
    file sizes, which makes all of them: every query finds the same pages as before, the same
    ones of them containing the query itself (the others are marked with what they miss)."""
    from fanwen.search import index as search

    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    root = site / search.INDEX_DIR

    def payload(key):
        text = (root / f"{key}.js").read_text(encoding="utf-8")
        return search.unpack(json.loads(text[text.index(",") + 1:text.rindex(")")]))

    manifest = search.read_manifest(root)
    lengths = search.read_u32_planes(payload("docs"))
    stream = "".join(payload(f"t/{n}").decode("utf-8") for n in range(len(list((root / "t").glob("*.js")))))
    rows = [row for n in range(-(-manifest["docs"] // manifest["meta"])) for row in search.read_meta(payload(f"m/{n}"))]
    for name, size in (("SHARD_FILE", 4096), ("BIG", 256), ("BIGRAM_FILE", 1024)):
        monkeypatch.setattr(search, name, size)
    index, at = search.Index(), 0
    for (location, title, label), length in zip(rows, lengths):
        lines = stream[at:at + length].split("\n")
        index.add(location, title, [(search.BODY, line) for line in lines[1:]], label)
        at += length + 1
    small = index.write(site)
    spread = search.spread_bigrams(small)
    assert spread and small["split"] and list((root / "x").glob("*.js")), (len(spread), small["split"])
    # The queries of three characters or more whose first two are spread, and two others.
    queries = [q for q in QUERIES if len(q) >= 3 and search.fold(q)[:2] in spread] + ["选举", "网格化管理"]
    assert len(queries) >= 5
    with serve_folder(site) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_init_script(SEARCH_HOOK)
        page = context.new_page()
        page.goto(url)
        box = SearchBox(page, urlparse(url).path)
        for query in queries:
            assert found(box, query) == found(search_box, query), query
        context.close()


def found(box, query: str) -> tuple[list[str], list[str]]:
    """(the pages found, those of them containing the query itself: no "missing" line)."""
    box.box.fill("")  # Material asks again only for a query other than the one in the box
    box.box.press("End")
    locations = box.search(query)["locations"]
    missing = box.page.evaluate("""() => [...document.querySelectorAll("li.md-search-result__item")]
        .map(li => !!li.querySelector(".md-search-result__terms"))""")
    return sorted(locations), sorted(loc for loc, lacks in zip(locations, missing) if not lacks)


def test_a_broad_query_asks_for_each_index_file_once(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(SEARCH_HOOK)
    page = context.new_page()
    requested = []
    page.on("request", lambda r: requested.append(urlparse(r.url).path) if "/search/fanwen/" in r.url else None)
    page.goto(site_url)
    answer = SearchBox(page, urlparse(site_url).path).search("工作")  # on nearly every page
    assert len(answer["locations"]) >= 60
    assert len(requested) == len(set(requested)), [p for p in set(requested) if requested.count(p) > 1]
    context.close()


def test_templates_and_the_atlas_are_found_with_the_documents(search_box):
    answer = search_box.search("换届选举")
    assert "moban/election-plan/" in answer["locations"][:3]  # the template of that name, near the top
    assert any(loc.startswith("examples/") for loc in answer["locations"])
    titles = search_box.page.locator("li.md-search-result__item h1").all_inner_texts()
    assert any("写作模板" in title for title in titles)
    answer = search_box.search("模板")
    assert {loc for loc in answer["locations"] if loc.startswith("moban/")} >= {"moban/work-plan/", "moban/work-summary/"}
    assert "atlas/" in search_box.search("结构图谱")["locations"][:1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def test_an_edit_in_make_serve_is_searchable_at_once(browser, tmp_path):
    """`make serve` (mkdocs serve --dirty) re-renders only the edited page and the pages that
    list it: after an edit that changes a document's title and text, its theme page and the
    pages linking to it show the new title, and search finds the new text, no longer the old,
    and lists the page once. The terminal says what happens in Chinese."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("docs", "data", "overrides", "templates", "macros"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    # A document that a similar one lists back among its related links (fanwen/library/related.py).
    from fanwen.library.catalog import scan
    from fanwen.library.related import Related

    library = scan(project / "docs")
    similar = Related(library)
    chosen = next(e for e in library if any(e in similar.of(r, 6) for r in similar.of(e, 6)))
    page = project / "docs" / chosen.path
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\n\n旧标记子丑寅卯\n", encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    location = page.relative_to(project / "docs").with_suffix("").as_posix() + "/"
    theme = page.parent.name
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(BIN / "mkdocs"), "serve", "--dirty", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while "子丑寅卯" not in _get(base + location):
            assert server.poll() is None and time.monotonic() < deadline, "mkdocs serve did not come up"
            time.sleep(0.5)
        def related_links(url: str) -> list[str]:  # the 相关范文 of a page, as absolute URLs
            section = _get(url).split('id="相关范文"', 1)[-1].split("</ul>", 1)[0]
            return [urllib.parse.urljoin(url, href) for href in re.findall(r'href="([^"]+)"', section)]

        related = related_links(base + location)
        assert related  # documents like this one; those that list it back must show the edit
        title = re.search(r"(?m)^title: (.+)$", original).group(1)
        page.write_text(original.replace(f"title: {title}", f"title: {title}（修订稿）", 1) + "\n\n新标记辰巳午未\n",
                        encoding="utf-8")
        while "辰巳午未" not in _get(base + location):
            assert server.poll() is None and time.monotonic() < deadline, "the edit never showed"
            time.sleep(0.2)
        assert "（修订稿）" in _get(f"{base}examples/{theme}/")
        # One rebuild per edit: reading the edited page while rebuilding is no change (the
        # browser would otherwise reload over and over). Counted again after the searches
        # below, at least two seconds later.
        builds = (tmp_path / "serve.log").read_text().count("正在构建网站")
        counted = time.monotonic()
        listing = [url for url in related if base + location in related_links(url)]
        assert listing and all("（修订稿）" in _get(url) for url in listing)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_init_script(SEARCH_HOOK)
        tab = context.new_page()
        tab.goto(base)
        box = SearchBox(tab, "/")
        found = box.search("辰巳午未")
        assert found["locations"] == [location]
        assert any("辰巳午未" in mark for mark in found["items"][0]["marks"])
        assert box.search("子丑寅卯")["locations"] == []
        common = box.search("工作")["locations"]
        assert common.count(location) == 1 and len(common) == len(set(common))
        time.sleep(max(0.0, counted + 2 - time.monotonic()))
        assert (tmp_path / "serve.log").read_text().count("正在构建网站") == builds
        # A deleted document leaves search too (once its theme page no longer lists it).
        gone = next(e for e in library if e.theme != chosen.theme and "&" not in e.title)
        gone_location = gone.path.removesuffix(".md") + "/"
        assert gone_location in box.search(gone.title)["locations"]
        (project / "docs" / gone.path).unlink()
        deadline = time.monotonic() + 120
        while gone.title in _get(f"{base}examples/{gone.theme}/"):
            assert server.poll() is None and time.monotonic() < deadline, "the deletion never showed"
            time.sleep(0.2)
        tab = context.new_page()
        tab.goto(base)
        box = SearchBox(tab, "/")
        after = box.search(gone.title)["locations"]
        assert gone_location not in after
        assert box.search("辰巳午未")["locations"] == [location]
        context.close()
        # What the keeper's terminal showed: MkDocs's news in Chinese, none of its chatter.
        shown = (tmp_path / "serve.log").read_text(encoding="utf-8")
        assert "提示：网站已构建" in shown and f"预览地址：{base}" in shown and "发现文件有改动" in shown
        assert not re.search(r"INFO|Building|Serving|\[macros\]|Watching", shown), shown
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_results_below_the_first_screen_are_filled_before_they_are_shown(search_box):
    """The answer gives the results on the first screen in full; the snippets of the rest of the
    first ten and the rows (address, title, label) of every result past the tenth are
    placeholders (the count is right at once), read when the list is scrolled towards them, so
    that each is filled when it is shown."""
    page = search_box.page
    answer = search_box.search("工作")  # scrolls to the end and waits for every placeholder
    page.evaluate("() => { window.__fw.done = []; window.__fw.results = [] }")
    search_box.box.fill("")
    search_box.box.fill("工作")
    search_box.box.press("End")
    page.wait_for_function("q => window.__fw.done.includes(q)", arg="工作", timeout=10_000)
    page.wait_for_timeout(200)
    state = page.evaluate("""() => {
        const bottom = document.querySelector(".md-search__scrollwrap").getBoundingClientRect().bottom;
        const items = [...document.querySelectorAll("li.md-search-result__item")];
        return {
            meta: document.querySelector(".md-search-result__meta").textContent,
            rows: document.querySelectorAll(".md-search-result__list .fw-row").length,
            snippets: items.map(li => li.querySelector(".fw-snippet") ? "later"
                : li.querySelector("article p:not(.fw-result-tags)") ? "shown" : "none"),
            seen: items.map(li => li.getBoundingClientRect().top < bottom),
        } }""")
    assert state["meta"] == answer["meta"] and state["rows"] == 0 and len(state["snippets"]) == 10, state
    assert all(kind == "shown" for kind, seen in zip(state["snippets"], state["seen"]) if seen), state
    assert "later" in state["snippets"], state  # at 1280 × 900 four or five results are in view
    # A little scrolling asks for what lies ahead; the results Material then adds at the end
    # are filled before the browser paints them (in the animation frame after they are added).
    found = page.evaluate("""async () => {
        const wrap = document.querySelector(".md-search__scrollwrap");
        const list = document.querySelector(".md-search-result__list");
        const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
        wrap.scrollTop = 40;
        await new Promise(done => setTimeout(done, 500));
        const added = [];
        new MutationObserver(records => {
            const nodes = records.flatMap(r => [...r.addedNodes]);
            requestAnimationFrame(() => nodes.forEach(node => added.push(!!node.querySelector(".fw-row"))));
        }).observe(list, { childList: true });
        wrap.scrollTop = wrap.scrollHeight;
        for (let step = 0; step < 50 && !added.length; step++) await frame();
        return { added, snippets: [...list.children].slice(0, 10).map(li => !!li.querySelector("article p:not(.fw-result-tags)")) };
    }""")
    assert found == {"added": [False] * 4, "snippets": [True] * 10}, found
    locations = page.evaluate("""() => [...document.querySelectorAll("li.md-search-result__item a")].map(a => a.href)""")
    assert [unquote(urlparse(href).path)[len(search_box.prefix):] for href in locations] == answer["locations"][:14]
    search_box.box.fill("")  # the next search of 工作 is a new query again
    search_box.box.press("End")


def test_results_narrow_by_type_and_level(search_box):
    page = search_box.page
    every = search_box.search("工作")["locations"]
    labels = lambda: page.locator("li.md-search-result__item .fw-result-tags").all_inner_texts()

    def choose(facet: str, value: str) -> list[str]:
        page.evaluate("() => { window.__fw.done = []; window.__fw.results = [] }")
        page.locator(f'.fw-facet[data-facet="{facet}"][data-value="{value}"]').click()
        query = page.locator("input.md-search__input").input_value()
        page.wait_for_function("q => window.__fw.done.includes(q)", arg=query, timeout=10_000)
        page.wait_for_timeout(100)
        return labels()

    shown = choose("文种", "方案")
    assert shown and all(label.startswith("方案 · ") for label in shown)
    assert page.locator('.fw-facet[data-value="方案"]').get_attribute("aria-pressed") == "true"
    shown = choose("层级", "村")
    assert shown and all(label == "方案 · 村" for label in shown)
    choose("层级", "")
    shown = choose("文种", "写作模板")
    assert shown and all(label == "写作模板" for label in shown)
    choose("文种", "")
    assert page.locator("input.md-search__input").input_value() == "工作"
    assert page.evaluate("() => window.__fw.results")[-1]["n"] == len(every)  # all of them again
