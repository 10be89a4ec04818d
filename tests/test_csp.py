"""fanwen/publish/csp.py: inline scripts move into content-addressed files, so that the built site runs
under `script-src 'self'` (deploy/nginx.conf; tests/test_nginx.py checks it in the browser)."""

from __future__ import annotations

import hashlib
import posixpath
import re

import pytest

from fanwen.publish.csp import (INLINE_DIR, KnownScripts, UnknownScript, externalize_inline_scripts, page_base,
                               template_base, write_scripts)


def name(js: str) -> str:
    return f"{INLINE_DIR}/{hashlib.sha256(js.encode()).hexdigest()[:16]}.js"


def test_inline_script_becomes_a_file_at_the_same_place():
    html = '<p>a</p><script>var x = "<b>";</script><p>b</p>'
    out, files = externalize_inline_scripts(html, ".")
    path = name('var x = "<b>";')
    assert out == f'<p>a</p><script src="{path}"></script><p>b</p>'
    assert files == {path: b'var x = "<b>";'}


def test_order_of_several_scripts_is_kept_and_equal_scripts_share_a_file():
    html = "<script>a()</script><script src='x.js'></script><script>b()</script><script>a()</script>"
    out, files = externalize_inline_scripts(html, ".")
    assert re.findall(r'src="([^"]+)"|src=\'([^\']+)\'', out) == [
        (name("a()"), ""), ("", "x.js"), (name("b()"), ""), (name("a()"), "")]
    assert set(files) == {name("a()"), name("b()")}


@pytest.mark.parametrize("base, src", [
    (".", "assets/fanwen/inline/"),
    ("", "assets/fanwen/inline/"),
    ("..", "../assets/fanwen/inline/"),
    ("../..", "../../assets/fanwen/inline/"),
    ("/", "/assets/fanwen/inline/"),
    ("/fanwen/", "/fanwen/assets/fanwen/inline/"),
    ("/fanwen", "/fanwen/assets/fanwen/inline/"),
])
def test_src_is_relative_to_the_page_like_base_url(base, src):
    out, _ = externalize_inline_scripts("<script>f()</script>", base)
    assert out == f'<script src="{src}{name("f()").rsplit("/", 1)[1]}"></script>'


def test_data_and_non_javascript_scripts_stay_inline():
    kept = ['<script id="__config" type="application/json">{"a": "</b>"}</script>',
            '<script type="application/ld+json">{}</script>',
            '<script type="text/template"><p>{{ x }}</p></script>',
            '<script type="importmap">{"imports": {}}</script>',
            '<script language="vbscript">x</script>',
            '<script src="assets/fanwen.js"></script>',
            '<script src="a.js">/* ignored body */</script>',
            "<!-- <script>not a script</script> -->"]
    for html in kept:
        assert externalize_inline_scripts(html, "..") == (html, {}), html


@pytest.mark.parametrize("html, expected", [
    ('<script type="text/javascript">f()</script>', '<script src="{}"></script>'),
    ('<SCRIPT TYPE="Application/JavaScript">f()</SCRIPT >', '<script src="{}"></script>'),
    ('<script type="text/javascript; charset=utf-8">f()</script>', '<script src="{}"></script>'),
    ('<script language="javascript">f()</script>', '<script src="{}"></script>'),
    # async/defer mean nothing on an inline script: dropped, so the file still runs in place.
    ('<script async defer id="x">f()</script>', '<script src="{}" id="x"></script>'),
    ('<script data-x="a>b" nomodule>f()</script>', '<script src="{}" data-x="a>b" nomodule></script>'),
    ('<script type="module">f()</script>', '<script src="{}" type="module"></script>'),
    ("<script>\nf()\n</script\n>", None),
])
def test_javascript_types_and_attributes(html, expected):
    out, files = externalize_inline_scripts(html, ".")
    assert len(files) == 1
    path, data = next(iter(files.items()))
    assert path == name(data.decode())
    if expected:
        assert out == expected.format(path)
    else:
        assert out == f'<script src="{path}"></script>' and data == b"\nf()\n"


@pytest.mark.parametrize("tag", [
    '<a href="javascript:alert(1)">', '<a href=" JaVaScRiPt:alert(1)">',
    # character references and white space a browser decodes or drops inside a URL
    '<a href="jav&#97;script:alert(1)">', '<a href="java&#x09;script:alert(1)">', '<a href="java&Tab;script:alert(1)">',
    '<a href="javascript&colon;alert(1)">', '<svg><a xlink:href="javascript:alert(1)">',
    # attributes after a slash or straight after a quoted value, in any case
    '<img src=x oNerror=alert(1)>', '<img/onerror=alert(1) src=x>', '<img src="x"onerror=alert(1)>',
    # a frame's document in an attribute (its scripts run inside the frame)
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
])
def test_event_handlers_and_javascript_urls_stop_the_build_however_written(tag):
    known = KnownScripts([])
    with pytest.raises(UnknownScript) as error:
        externalize_inline_scripts(f"<p>正文</p>{tag}点我</a>", ".", known, "docs/notice.md")
    assert error.value.where == "docs/notice.md" and "会执行代码的属性（事件属性、javascript: 链接或 srcdoc）" in error.value.problem


def test_the_words_in_text_comments_and_other_attributes_are_not_code():
    known = KnownScripts([])
    html = ('<p>不要写 javascript: 链接，也不要写 onclick=；</p><!-- <a href="javascript:x"> -->'
            '<meta name="x" content="y"><button class="icon" data-on="1">按钮</button>'
            '<a href="https://example.org/?q=javascript:">链接</a>')
    assert externalize_inline_scripts(html, ".", known) == (html, {})


def test_empty_scripts_are_dropped_and_output_is_stable():
    assert externalize_inline_scripts("<p><script> \n</script></p>", ".") == ("<p></p>", {})
    once, files = externalize_inline_scripts("<script>é()</script>x", "..")
    assert files[name("é()")] == "é()".encode("utf-8")
    assert externalize_inline_scripts(once, "..") == (once, {})


def test_bases_as_mkdocs_computes_them():
    assert page_base("") == "."
    assert page_base("examples/zhili/") == "../.."
    assert page_base("moban/work-plan/") == "../.."
    assert page_base("examples/zhili/index.html") == "../.."  # use_directory_urls: false
    assert template_base("404.html", "http://intranet/fanwen/") == "/fanwen/"
    assert template_base("404.html", None) == "/"
    assert template_base("404.html", "") == "/"
    assert template_base("sitemap.xml", "http://intranet/fanwen/") == "."


def test_write_scripts(tmp_path):
    write_scripts(tmp_path, {f"{INLINE_DIR}/ab.js": b"x()"})
    assert (tmp_path / INLINE_DIR / "ab.js").read_bytes() == b"x()"


# ------------------------------------------------------------------ the built site

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)


def test_built_site_has_no_inline_code(built_site):
    """No executable inline script, event handler attribute, javascript: URL or inline style on
    any page (all blocked by the shipped policy), and every script's src is a file of the site."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 50
    inline = set()
    for html_file in pages:
        html = html_file.read_text(encoding="utf-8")
        for attrs, body in SCRIPT.findall(html):
            if "src=" not in attrs:
                assert 'type="application/json"' in attrs, (html_file, body[:80])
                continue
            src = re.search(r'src="([^"?]+)', attrs).group(1)
            if src.startswith("/"):  # the 404 page (site_url unset: served from the root)
                assert html_file.name == "404.html", (html_file, src)
                target = built_site / src.lstrip("/")
            else:
                folder = html_file.parent.relative_to(built_site).as_posix()
                target = built_site / posixpath.normpath(posixpath.join(folder, src))
            assert target.is_file(), (html_file, src)
            if f"/{INLINE_DIR}/" in "/" + target.relative_to(built_site).as_posix():
                inline.add(target)
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I), html_file
        assert not re.search(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", html, re.I), html_file
        assert not re.search(r"<style\b|<[a-z][^>]*\sstyle\s*=", html, re.I), html_file
    # __md_scope and our __config rewrite differ with the depth of the page; the rest is shared.
    assert 3 <= len(inline) <= 20
    for path in inline:
        assert path.name == hashlib.sha256(path.read_bytes()).hexdigest()[:16] + ".js"
    scope = [p for p in inline if p.read_text(encoding="utf-8").startswith("__md_scope=new URL(")]
    assert scope


@pytest.mark.browser
def test_pages_work_from_file_urls(browser, built_site):
    """Opened from disk (file://), a deep page still runs the moved scripts: Material's storage
    scope and the search worker setting are those of the site root."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((built_site / "examples" / "zhili" / "index.html").as_uri())
    page.wait_for_load_state("load")
    scope = page.evaluate("__md_scope.href")
    assert scope == built_site.as_uri() + "/"
    config = page.evaluate("JSON.parse(document.getElementById('__config').textContent)")
    assert config["search"].startswith("../../assets/fanwen/search-worker.js?v=")
    # Material's search asks for search/search_index.js on file:// (a file the stock search
    # writes only with its offline plugin): not ours to fix here, and the same with inline scripts.
    assert [e for e in errors if not e.endswith("/search/search_index.js")] == []
    context.close()
