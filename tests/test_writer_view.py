"""The site as a writer sees it: overview pages to start from, the list of every document
narrowed by type, level and theme (also from file://), the grouped tags page, the Chinese 404,
a model document's way to its template, and readability (contrast, the CJK font, text size)."""

from __future__ import annotations

import re
from html import unescape as html_unescape

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb(css: str, background=(255, 255, 255)) -> tuple[float, float, float]:
    """An rgb()/rgba() colour, composited over `background`."""
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    r, g, b = parts[:3]
    alpha = parts[3] if len(parts) > 3 else 1.0
    return tuple(alpha * c + (1 - alpha) * bg for c, bg in zip((r, g, b), background))


STYLE = """sel => { const el = document.querySelector(sel); const s = getComputedStyle(el);
  return {color: s.color, background: s.backgroundColor, font: s.fontFamily, size: parseFloat(s.fontSize)} }"""


def test_the_main_colour_pairs_reach_wcag_aa(page, site_url):
    page.goto(site_url + "examples/jingji/000-153e3eec68b796a2-03/")
    header = page.evaluate(STYLE, ".md-header")
    title = page.evaluate(STYLE, ".md-header__title")
    link = page.evaluate(STYLE, ".md-content a.fw-use-template")
    body = page.evaluate(STYLE, ".md-content .fw-article p")
    meta = page.evaluate(STYLE, ".md-content .fw-meta")
    pairs = {
        "header text on header": (rgb(title["color"], rgb(header["background"])), rgb(header["background"])),
        "link on page": (rgb(link["color"]), (255, 255, 255)),
        "body text on page": (rgb(body["color"]), (255, 255, 255)),
        "metadata line on page": (rgb(meta["color"]), (255, 255, 255)),
    }
    low = {name: round(contrast(*pair), 2) for name, pair in pairs.items() if contrast(*pair) < 4.5}
    assert not low, low


def test_body_text_is_set_in_the_cjk_stack_and_nothing_is_below_14_px(page, site_url):
    page.goto(site_url + "moban/work-plan/")
    font = page.evaluate(STYLE, ".md-content p")["font"]
    assert font.startswith('"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"'), font
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '.md-content p, .md-content li, .md-content td, .md-content .admonition, .md-nav__link, .md-copyright, .fw-tag, .md-tag')]
        .filter(el => el.offsetParent !== null && el.innerText.trim())
        .map(el => [el.className || el.tagName, parseFloat(getComputedStyle(el).fontSize)])""")
    small = [s for s in sizes if s[1] < 14]
    assert sizes and not small, small[:10]


def test_overviews_open_the_sections_and_the_home_page_leads_to_templates(page, site_url):
    page.goto(site_url)
    assert page.title() == "范文库 · 基层工作方案、报告、汇报、总结范文与写作模板"
    page.get_by_role("link", name="照模板起草").click()
    page.wait_for_url("**/moban/")
    assert page.locator("h1").inner_text().rstrip("¶") == "写作模板"
    assert page.locator(".md-content .grid.cards li").count() >= 6
    assert page.get_by_role("link", name="结构图谱").count() >= 1
    page.goto(site_url)
    page.locator(".md-nav__link", has_text="按主题浏览").first.click()
    page.wait_for_url("**/examples/")
    assert page.locator("h1").inner_text().rstrip("¶") == "按主题浏览"


def test_the_list_of_every_document_narrows_by_type_level_and_theme(page, site_url):
    page.goto(site_url + "examples/")
    items = page.locator("ul.fw-all li")
    total = items.count()
    assert total >= 60 and page.locator(".fw-count").inner_text() == f"共 {total} 篇"
    page.select_option("select[data-fw-filter=type]", "方案")
    page.select_option("select[data-fw-filter=level]", "村")
    visible = page.locator("ul.fw-all li:not([hidden])")
    shown = visible.count()
    assert 0 < shown < total and page.locator(".fw-count").inner_text() == f"共 {shown} 篇"
    for i in range(shown):
        assert visible.nth(i).get_attribute("data-type") == "方案" and visible.nth(i).get_attribute("data-level") == "村"
    assert "type=%E6%96%B9%E6%A1%88" in page.url or "type=方案" in page.url
    page.select_option("select[data-fw-filter=theme]", "anquan")
    if page.locator("ul.fw-all li:not([hidden])").count() == 0:
        assert page.locator(".fw-none").is_visible()
    # A link from 按类型与层级 opens the list already narrowed.
    page.goto(site_url + "tags/")
    groups = [h.rstrip("¶") for h in page.locator("h2").all_inner_texts()]
    assert groups[:3] == ["按文种", "按层级", "按主题"]
    page.locator("ul.fw-groups li", has_text="总结").first.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("select[data-fw-filter=type]").input_value() == "总结"
    count = int(re.search(r"\d+", page.locator(".fw-count").inner_text()).group())
    assert count == page.locator("ul.fw-all li:not([hidden])").count() > 0


def test_a_model_document_leads_to_the_template_of_its_type(page, site_url, built_site):
    missing = []
    for html in sorted(built_site.glob("examples/*/*/index.html")):
        text = html.read_text(encoding="utf-8")
        if 'class="fw-meta"' in text and "fw-use-template" not in text and "<h1" in text:
            meta = re.sub(r"<[^>]+>", "", re.search(r'<p class="fw-meta">(.*?)</p>', text, re.S).group(1))
            kind = meta.split("·")[0].split()[-1]  # after the status badge, if any
            if kind not in ("讲话", "其他"):
                missing.append((html.parent.name, kind))
    assert not missing, missing
    page.goto(site_url + "examples/dangjian/")
    page.locator(".md-content .grid.cards a", has_text="换届选举").first.click()
    page.locator("a.fw-use-template").click()
    page.wait_for_url("**/moban/election-plan/")


def test_missing_pages_get_a_chinese_page_with_ways_on(page, site_url, built_site):
    html = (built_site / "404.html").read_text(encoding="utf-8")
    assert "没有找到这个页面" in html and "Not found" not in html
    for text in ("首页", "按主题浏览", "写作模板", "搜索框"):
        assert text in html
    page.goto(site_url + "404.html")
    assert page.locator(".md-search__input").count() == 1


def test_no_english_tooltips_or_developer_leftovers(built_site):
    for path in [built_site / "index.html", built_site / "atlas" / "index.html",
                 built_site / "examples" / "jingji" / "000-153e3eec68b796a2-03" / "index.html"]:
        text = path.read_text(encoding="utf-8")
        assert "Permanent link" not in text and "data/sections.yml" not in text, path
        assert 'title="本节链接"' in text or path.parent == built_site


def test_quality_is_visible_and_damaged_documents_come_last(page, site_url, built_site):
    from fanwen.library.catalog import scan

    library = scan(ROOT / "docs")
    counts = {status: sum(e.status == status for e in library) for status in ("节选", "有缺损", "疑似洗稿")}
    assert all(counts.values()), counts  # the seeds have each kind
    damaged = next(e for e in library if e.status == "有缺损")
    page.goto(site_url + damaged.path.removesuffix(".md") + "/")
    badge = page.locator(".fw-meta .fw-status")
    assert badge.inner_text() == "有缺损" and "乱码" in badge.get_attribute("title")
    assert "本文有缺损" in page.locator(".fw-note").first.inner_text()
    # In the list of every document the sound ones come first, the damaged and spun ones last.
    page.goto(site_url + "examples/")
    warned = page.evaluate("""() => [...document.querySelectorAll('ul.fw-all li')]
        .map(li => !!li.querySelector('.fw-status--warn'))""")
    assert warned == sorted(warned) and any(warned)


def test_no_page_shows_a_source_file_name_or_raw_markup_in_card_text(built_site):
    for html in [*built_site.glob("examples/*/index.html"), *built_site.glob("examples/*/*/index.html")]:
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"\d{3}_[0-9a-f]{16}\.txt", text), html
        for card in re.findall(r'<li>\s*<p><strong><a[^>]*>.*?</li>', text, re.S):
            visible = re.sub(r"<[^>]+>", "", card)
            assert "<" not in html_unescape(visible) or "&lt;" in card, html
            assert "fw-" not in visible and "title=" not in visible, (html, visible)


def test_copy_on_a_document_page_gives_its_text(browser, site_url, built_site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], locale="zh-CN")
    page = context.new_page()
    page.goto(site_url + "examples/jingji/000-153e3eec68b796a2-03/")
    page.locator(".fw-actions .fw-copy").click()
    page.wait_for_function("() => document.querySelector('.fw-actions .fw-copy').textContent === '已复制'")
    text = page.evaluate("() => navigator.clipboard.readText()")
    context.close()
    lines = text.splitlines()
    assert lines[0] == "村级财务检查工作方案"
    assert "一、检查对象和范围" in lines and "（一）自查方式" in lines
    for leftover in ("复制全文", "用这个模板起草", "相关范文", "¶", "来源", "范文库"):
        assert leftover not in text, leftover
    assert text.endswith("\n") and len(text) > 600


def test_word_download_on_a_document_page_is_the_document_in_the_official_layout(browser, site_url, tmp_path):
    import docx

    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url + "examples/jingji/000-153e3eec68b796a2-03/")
    with page.expect_download() as download:
        page.locator(".fw-actions .fw-word").click()
    assert download.value.suggested_filename == "村级财务检查工作方案.docx"
    path = tmp_path / "范文.docx"
    download.value.save_as(path)
    context.close()
    assert errors == []
    document = docx.Document(str(path))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0][1] == "村级财务检查工作方案"
    assert ("Heading 1", "一、检查对象和范围") in paragraphs and ("Heading 2", "（一）自查方式") in paragraphs
    assert not any("复制全文" in text or "相关范文" in text or "¶" in text for _, text in paragraphs)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37  # A4, GB/T 9704 margins


def test_a_template_page_lists_its_best_models(page, site_url):
    page.goto(site_url + "moban/election-plan/")
    models = page.locator("ul.fw-models a")
    assert models.count() >= 1 and "换届选举" in models.first.inner_text()
    page.goto(site_url + "moban/work-summary/")
    titles = page.locator("ul.fw-models a").all_inner_texts()
    assert len(titles) >= 5 and all("总结" in t or "汇报" in t or "小结" in t for t in titles[:3])
    page.locator("ul.fw-models a").first.click()
    page.wait_for_url("**/examples/**")
    assert page.locator("a.fw-use-template").inner_text() == "用这个模板起草：工作总结"
