"""Template pages in the browser: 复制全文 copies clean plain text; the downloads work."""

import pytest

from conftest import ROOT
from fanwen.drafting.templates import default_context, plain_text, render

pytestmark = pytest.mark.browser


def test_copy_button_puts_the_plain_text_on_the_clipboard(browser, site_url, screenshots):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + "moban/work-plan/")
    assert page.locator(".fw-paper .fw-filled").count() > 10  # filled-in values are marked
    page.get_by_role("button", name="复制全文").click()
    page.get_by_role("button", name="已复制").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = plain_text(render("work-plan", default_context(ROOT), ROOT))
    assert copied == expected
    assert "一、指导思想" in copied and "（一）" in copied and "<" not in copied and "**" not in copied
    assert not any(c in copied for c in "\u200b\u200c\u200d\ufeff\ue000\ue001")
    page.screenshot(path=screenshots / "template-1280.png", full_page=False)
    context.close()


def test_download_links_work(page, site_url):
    page.goto(site_url + "moban/work-plan/")
    for name, magic in (("下载 Markdown", b"# "), ("下载 Word", b"PK")):
        href = page.get_by_role("link", name=name).get_attribute("href")
        response = page.request.get(page.url + href if not href.startswith("http") else href)
        assert response.status == 200 and response.body().startswith(magic), (name, href)


def test_section_examples_link_to_model_documents(page, site_url):
    page.goto(site_url + "moban/work-plan/")
    quotes = page.locator(".md-content blockquote")
    assert quotes.count() >= 6
    first = page.locator(".md-content a[href*='examples/']").first
    first.click()
    page.wait_for_load_state()
    assert "/examples/" in page.url and page.locator(".fw-meta").count() == 1
