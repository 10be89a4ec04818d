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
    # What a writer sees in the copy, read off the sample data and the template's own outline:
    # the title names the unit and topic; the six parts come in order, numbered 一、 to 六、; the
    # leading group, every phase's dates and the signature with the plan's first day are there.
    lines = copied.split("\n")
    assert lines[0] == "××镇农村人居环境整治工作方案"
    parts = ["指导思想", "工作目标", "组织领导", "主要任务", "方法步骤", "工作要求"]
    headings = [line for line in lines if line[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert [h[2:] for h in headings] == parts
    assert "组长：张××（镇党委书记）" in lines
    assert "（一）动员部署阶段（2027年3月1日至3月15日）" in lines and "（四）总结提升阶段（2027年8月1日至8月31日）" in lines
    assert copied.rstrip().endswith("××镇人民政府\n2027年3月1日")
    assert "（一）" in copied and "<" not in copied and "**" not in copied
    # …and it is the very text `fanwen draft` writes as .txt (one rendering for both).
    assert copied == plain_text(render("work-plan", default_context(ROOT), ROOT))
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
