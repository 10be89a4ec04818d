"""The site as a writer sees it, in Debian's chromium."""

from urllib.parse import urlparse

import pytest

from conftest import ROOT, settle
from fanwen.data import load_themes
from fanwen.library.catalog import read_front_matter

pytestmark = pytest.mark.browser
DOC = "examples/jingji/000-153e3eec68b796a2-03/"


def test_home_lists_every_theme_with_counts(page, site_url, screenshots):
    page.goto(site_url)
    cards = page.locator(".md-content .grid.cards").nth(1).locator("li")  # after 找范文 / 照模板起草 / 看文稿结构
    names = [t["name"] for t in load_themes()]
    assert cards.count() == len(names)
    text = page.locator(".md-content").inner_text()
    for name in names:
        assert name in text
    assert "范文库现有" in text and "方案" in text
    page.screenshot(path=screenshots / "home-1280.png", full_page=True)


def test_theme_page_links_to_its_documents(page, site_url):
    page.goto(site_url + "examples/jingji/")
    page.locator(".md-content .grid.cards a").first.click()
    page.wait_for_load_state()
    assert "/examples/jingji/" in page.url and page.locator(".fw-meta").count() == 1


def test_document_page_shows_headings_metadata_and_toc(page, site_url, screenshots):
    page.goto(site_url + DOC)
    meta, _ = read_front_matter(ROOT / "docs" / (DOC.rstrip("/") + ".md"))
    assert page.locator(".md-content h1").inner_text() == meta["title"]
    meta = page.locator(".fw-meta").inner_text()
    assert "方案" in meta and "农村经济与财务资产管理" in meta and "字" in meta and "来源" in meta
    headings = page.locator(".md-content h2").all_inner_texts()
    assert any(h.startswith("一、检查对象和范围") for h in headings)
    assert page.locator(".md-content h3", has_text="（一）自查方式").count() == 1
    assert page.locator(".md-sidebar--secondary", has_text="四、工作要求").count() == 1
    page.screenshot(path=screenshots / "document-1280.png", full_page=False)


def test_document_page_reads_on_a_phone(browser, site_url, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
    phone = context.new_page()
    phone.goto(site_url + DOC)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    font = phone.evaluate("getComputedStyle(document.querySelector('.md-content p')).fontSize")
    assert float(font.rstrip("px")) >= 14
    phone.screenshot(path=screenshots / "document-390.png", full_page=False)
    context.close()


def test_no_request_leaves_the_local_server(page, site_url):
    hosts = set()
    record = lambda request: hosts.add(urlparse(request.url).hostname)
    page.on("request", record)
    for path in ("", "examples/zhili/", DOC, "tags/"):
        page.goto(site_url + path)
        settle(page)
    page.remove_listener("request", record)
    assert hosts == {"127.0.0.1"}
