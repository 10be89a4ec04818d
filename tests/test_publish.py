"""Publishing: the offline copy from a shared drive (file://), a sub-path build, the privacy
guard against outside requests, and printing a page to A4."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import SEARCH_HOOK, copy_project, run, serve_folder, settle, type_query, watch_network

pytestmark = pytest.mark.browser
DOC = "examples/dangjian/003-937a8ac7aaaebc9c-01"
TEMPLATE = "moban/work-plan"


# --------------------------------------------------------------------------- offline (file://)


def test_offline_copy_browses_and_searches_from_file_urls(browser, offline_site, screenshots):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(SEARCH_HOOK)
    page = context.new_page()
    schemes, errors = set(), []
    page.on("request", lambda request: schemes.add(urlparse(request.url).scheme))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((offline_site / "index.html").as_uri())
    # Navigation: home → a theme → one of its documents, all as .html files on disk.
    page.locator(".md-content a", has_text="社会治理").first.click()
    assert page.url.endswith("examples/zhili/index.html")
    page.locator(".md-content .grid.cards a").first.click()
    assert page.url.startswith("file://") and page.url.endswith(".html")
    assert page.locator(".fw-meta").count() == 1
    # Search runs in the vendored iframe-worker shim, loading the index with <script> tags.
    items = type_query(page, "换届选举", timeout=15_000)
    assert items.count() > 3
    assert "换届选举" in page.locator("li.md-search-result__item mark").first.evaluate(
        "m => m.closest('li').innerText")
    page.screenshot(path=screenshots / "offline-search.png")
    # Past the first screen the results and snippets are filled as the list is scrolled (the
    # page asks the worker in the iframe for them), with file:// addresses as well.
    box = page.locator("input.md-search__input")
    box.fill("工作")
    box.press("End")
    page.wait_for_function("""() => window.__fw.done.includes("工作")""", timeout=15_000)  # the complete answer
    expected = int(page.locator(".md-search-result__meta").inner_text().split(" ")[0])
    assert expected > 14
    hrefs = page.evaluate("""async expected => {
        const wrap = document.querySelector(".md-search__scrollwrap");
        const items = () => document.querySelectorAll("li.md-search-result__item");
        const pending = () => document.querySelector(".md-search-result__list :is(.fw-row, .fw-snippet)");
        const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
        for (let step = 0; step < 400 && (items().length < expected || pending()); step++) {
            wrap.scrollTop = step % 2 ? wrap.scrollHeight : 0;
            await frame();
        }
        return pending() ? [] : [...items()].map(li => li.querySelector("a").href);
    }""", expected)
    assert len(hrefs) == expected and all(h.startswith("file://") and ".html" in h for h in hrefs), hrefs[:20]
    box.fill("换届选举")
    box.press("End")
    items.locator("mark", has_text="换届选举").first.wait_for()
    items.locator("a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith("file://") and ".html" in page.url
    assert "换届选举" in page.locator(".md-content").inner_text()
    context.close()
    assert schemes <= {"file", "data", "about", "blob"}, schemes
    assert not errors, errors


def test_offline_copy_loads_nothing_from_unpkg(offline_site):
    pages = list(offline_site.rglob("*.html"))
    assert pages and not [p for p in pages if "unpkg.com" in p.read_text(encoding="utf-8")]
    assert (offline_site / "assets/vendor/iframe-worker/shim.js").is_file()


# --------------------------------------------------------------------------- sub-path


def test_site_works_under_a_sub_path(browser, subpath_site):
    """Built for http://host/fanwen/ and served with its parent as the web root: every page,
    asset and download the writer touches is under /fanwen/ and answers 200."""
    site = subpath_site
    context = browser.new_context()
    page = watch_network(context.new_page())
    responses = []
    page.on("response", lambda response: responses.append((response.url, response.status)))
    with serve_folder(site.parent) as root:
        base = root + "fanwen/"
        try:
            page.goto(base)
            page.locator(".md-content a", has_text="基层党建").first.click()
            page.locator(".md-content .grid.cards a").first.click()
            page.locator(".fw-meta").first.wait_for()  # the click navigates: wait for the document page
            assert page.locator(".fw-meta").count() == 1
            page.goto(base + TEMPLATE + "/")
            for link in page.locator(".fw-actions a[download]").all():
                href = link.evaluate("a => a.href")
                assert urlparse(href).path.startswith("/fanwen/moban/downloads/")
                assert context.request.get(href).status == 200
            settle(page)
        finally:
            context.close()
    assert len(responses) > 10
    for url, status in responses:
        assert urlparse(url).path.startswith("/fanwen/"), url
        assert status in (200, 304), (url, status)


# --------------------------------------------------------------------------- privacy guard


def test_an_outside_asset_fails_the_build_with_the_fix(tmp_path):
    project = copy_project(tmp_path)
    index = project / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + '\n<img src="https://cdn.example.com/logo.png">\n',
                     encoding="utf-8")
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "out")], cwd=project)
    assert result.returncode != 0
    assert "https://cdn.example.com/logo.png" in result.stderr and "index.md" in result.stderr
    assert "docs/assets/" in result.stderr  # the fix
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- print


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("path, headings", [
    (DOC, ".md-content h1, .md-content h2, .md-content h3"),
    (TEMPLATE, ".fw-paper .fw-doc-title, .fw-paper .fw-doc-h1, .fw-paper .fw-doc-h2"),
])
def test_printing_gives_the_document_alone_on_a4(page, site_url, tmp_path, path, headings):
    page.goto(site_url + path + "/")
    heads = [h.strip() for h in page.locator(headings).all_inner_texts() if h.strip()]
    body = page.locator(".fw-article p, .fw-paper p").all_inner_texts()
    pdf = tmp_path / "print.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = pdf_pages(pdf)
    flat = "".join("".join(p.split()) for p in pages)
    # The document is there, from its title to its last paragraph…
    assert "".join(heads[0].split()) in flat and "".join(body[-1].split())[:20] in flat
    # …and nothing of the site around it.
    for chrome in ("范文库", "按主题浏览", "搜索", "相关范文", "复制全文", "下载 Word", "写作要点", "Material for MkDocs"):
        assert "".join(chrome.split()) not in flat, chrome
    # Page numbers as GB/T 9704 writes them, under the text: — 1 —.
    assert "—1—" in "".join(pages[0].split())
    # No page ends with a heading: headings stay with the text they introduce.
    folded = {"".join(h.split()) for h in heads}
    for number, text in enumerate(pages[:-1], start=1):
        last = "".join([line for line in text.splitlines() if line.strip()][-1].split())
        assert last not in folded, f"page {number} ends with the heading {last}"
