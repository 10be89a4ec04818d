"""deploy/nginx.conf as shipped (only `listen` and `alias` replaced) serving the site under
/fanwen/, driven by Debian's chromium: the pages satisfy the Content-Security-Policy (no
violation, no console error, search works), every response has the security headers, hashed
assets are cached for long, HTML is gzip-encoded and the downloads have their types."""

from __future__ import annotations

import gzip
import http.client
import re
from urllib.parse import urlparse

import pytest

from conftest import WATCH, settle, shipped_policy, type_query, watch_network

pytestmark = pytest.mark.browser
PREFIX = "/fanwen/"
DOC = "examples/zhili/"  # its first document is found from the theme page
MISSING = "no-such-page/"
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
}
LONG = "public, max-age=31536000, immutable"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"



@pytest.fixture(scope="module")
def nginx(subpath_nginx):
    """nginx in the foreground on 127.0.0.1:<free port>, the site built for /fanwen/ on that port
    (conftest.py: shared with the drafting test under nginx)."""
    return subpath_nginx


def get(base: str, path: str, encoding: str | None = "gzip") -> http.client.HTTPResponse:
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def assert_security_headers(url: str, headers: dict[str, str]) -> None:
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers.get("content-security-policy") == shipped_policy(), url
    for name, value in SECURITY.items():
        assert headers.get(name) == value, (url, name, headers.get(name))


def visit(browser, base: str, paths: list[str], search: str | None = None):
    """Open each path in a fresh context and return (responses with their headers, problems)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = watch_network(context.new_page())
    responses, problems = [], []
    page.on("response", lambda r: responses.append(r))

    def console(message):
        # The one expected error: the status of the page opened on purpose at a missing URL.
        expected = message.text.endswith("status of 404 (Not Found)") and message.location["url"] == base + MISSING
        if message.type in ("error", "warning") and not expected:
            problems.append(f"console {message.type}: {message.text} ({message.location['url']})")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    for path in paths:
        page.goto(base + path)
        settle(page)
        if search:
            type_query(page, search)
            page.keyboard.press("Escape")
        problems += page.evaluate("window.__csp")
    seen = [(r.url, r.status, r.all_headers()) for r in responses]
    return context, page, seen, problems


@pytest.fixture(scope="module")
def tour(browser, nginx):
    """Home, a theme page, a document page, a template page and a missing page, searching from
    each; every response and every problem the browser reported."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(nginx + DOC)
    document = page.locator(".md-content .grid.cards a").first.get_attribute("href")
    context.close()
    paths = ["", DOC, DOC + document, "moban/work-plan/", MISSING]
    context, page, responses, problems = visit(browser, nginx, paths, search="换届选举")
    yield {"paths": paths, "responses": responses, "problems": problems, "page": page}
    context.close()


def test_pages_satisfy_the_content_security_policy(tour):
    assert "script-src 'self'" in shipped_policy() and "unsafe" not in shipped_policy()
    assert tour["problems"] == []
    assert len(tour["responses"]) > 20


def test_every_response_has_the_security_headers(tour, nginx):
    for url, status, headers in tour["responses"]:
        assert_security_headers(url, headers)
    statuses = {status for _, status, _ in tour["responses"]}
    assert 404 in statuses  # the missing page, answered with the site's 404 page
    for path in ("/", "/fanwen", PREFIX + "examples", PREFIX + "missing.js"):  # redirects and errors
        response = get(nginx, path)
        assert response.status in (301, 302, 404), path
        assert_security_headers(path, dict(response.getheaders()))


def test_hashed_assets_are_cached_for_a_year_html_revalidated(tour):
    long, kinds = [], set()
    for url, status, headers in tour["responses"]:
        path = urlparse(url).path
        hashed = (re.search(r"/[^/]+\.[0-9a-f]{8,}(\.[a-z0-9]+)+$", path) or re.search(r"/[0-9a-f]{16}\.js$", path)
                  or "v=" in urlparse(url).query)
        if hashed:
            assert headers.get("cache-control") == LONG, url
            long.append(url)
            kinds.add("bundle" if "/bundle." in path else "css" if path.endswith(".min.css")
                      else "inline" if "/assets/fanwen/inline/" in path else "v" if "v=" in url else "other")
        elif headers.get("content-type", "").startswith("text/html"):
            assert headers.get("cache-control") == "no-cache", url
    assert {"bundle", "css", "inline", "v"} <= kinds, long


def test_html_and_text_assets_are_gzip_encoded(tour, nginx):
    html = [(url, headers) for url, status, headers in tour["responses"]
            if headers.get("content-type", "").startswith("text/html")]
    assert len(html) == len(tour["paths"])
    for url, headers in html:
        assert headers.get("content-encoding") == "gzip", url
        assert "accept-encoding" in headers.get("vary", "").lower(), url
    bundle = next(urlparse(u).path for u, _, _ in tour["responses"] if "/bundle." in u)
    css = next(urlparse(u).path for u, _, _ in tour["responses"] if "/main." in u and u.endswith(".css"))
    for path, kind in ((bundle, "application/javascript"), (css, "text/css"),
                       (PREFIX + "tags.json", "application/json"),
                       (PREFIX + "moban/downloads/work-plan.md", "text/markdown")):
        response = get(nginx, path)
        assert response.status == 200 and response.getheader("Content-Type").startswith(kind), path
        assert response.getheader("Content-Encoding") == "gzip", path
        gzip.decompress(response.body)
        plain = get(nginx, path, encoding=None)  # a client that does not accept gzip gets plain bytes
        assert plain.getheader("Content-Encoding") is None and plain.body == gzip.decompress(response.body)


def test_downloads_have_their_content_types(tour, nginx):
    page = tour["page"]
    page.goto(nginx + "moban/work-plan/")
    link = page.get_by_role("link", name="下载 Word")
    with page.expect_download() as download:
        link.click()
    # Saved under the document's own title (macros.file_stem), as the templates branch made it.
    assert download.value.suggested_filename == "××镇农村人居环境整治工作方案.docx" and download.value.failure() is None
    # A browser hands a download to its download manager: read the same URL's headers directly.
    answer = page.request.get(download.value.url)
    headers = {h["name"].lower(): h["value"] for h in answer.headers_array}
    assert answer.status == 200 and headers["content-type"] == DOCX and answer.body().startswith(b"PK")
    assert_security_headers(download.value.url, headers)
    markdown = get(nginx, PREFIX + "moban/downloads/work-plan.md")
    assert markdown.getheader("Content-Type") == "text/markdown; charset=utf-8"
    assert gzip.decompress(markdown.body).decode("utf-8").startswith("# ")


def test_styled_under_the_policy(tour, nginx, screenshots):
    page = tour["page"]
    page.goto(nginx + DOC)
    settle(page)
    # Material's stylesheet is applied: the header is red (palette primary) and fixed.
    header = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('.md-header'));"
                           " return [s.backgroundColor, s.position] })()")
    assert header[1] == "sticky" and header[0] not in ("rgba(0, 0, 0, 0)", "transparent"), header
    page.screenshot(path=screenshots / "nginx-csp-theme-1280.png", full_page=False)
    assert page.evaluate("window.__csp") == []


def test_hidden_files_copied_with_the_site_are_not_served(nginx):
    for path in (".git/config", ".git/", "assets/.DS_Store"):
        response = get(nginx, urlparse(nginx).path + path)
        assert response.status == 404, (path, response.status)
        assert b"[core]" not in response.body
