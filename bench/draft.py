"""起草 in the browser (issue 13): how fast the page drafts, and what it loads for it.

    .venv/bin/python bench/draft.py                 # builds the site into a temporary folder
    .venv/bin/python bench/draft.py --site site     # an existing build

With Debian's chromium (as the tests), on the template that renders longest for the 乡镇
fixture (tests/fixtures/unit-town.yml, read in with 从文件读入):

* keystroke → updated page: a character typed into 工作主题 (an input event, as typing sends
  it) until the draft on the page is rebuilt and laid out (the handler is synchronous; the
  layout is forced by reading the paper's height) and until the next frame is painted;
* the .docx: FwDocx.build on that draft (in the page), and click on 下载 Word → the download;
* script bytes: every script the template page loads, raw and gzip-compressed (nginx
  compresses them, deploy/nginx.conf), the drafting scripts on their own.

Prints a Markdown table. Not a timed test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UNIT = ROOT / "tests" / "fixtures" / "unit-town.yml"

KEYSTROKES = """
async (n) => {
  const input = document.querySelector('[data-fw-path="topic"]');
  const paper = () => document.querySelector('.fw-paper');
  const sync = [], painted = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    input.value = input.value + (i % 2 ? '治' : '整');
    input.dispatchEvent(new Event('input', {bubbles: true}));
    paper().offsetHeight;  // layout of the rebuilt draft
    sync.push(performance.now() - t0);
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    painted.push(performance.now() - t0);
  }
  return {sync, painted};
}
"""

DOCX = """
(n) => {
  const d = window.FwDraft.current(), times = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    size = window.FwDocx.build(window.FwCore.blocks(d.filled), d.ctx.unit.name, d.title).length;
    times.push(performance.now() - t0);
  }
  return {times, size};
}
"""


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def longest_template() -> str:
    from fanwen.drafting.templates import list_templates, load_context, plain_text, render
    from fanwen.errors import FanwenError

    context, _ = load_context(UNIT, ROOT)
    lengths = {}
    for t in list_templates(ROOT):
        try:
            lengths[t.slug] = len(plain_text(render(t.slug, context, ROOT)))
        except FanwenError:
            pass
    return max(lengths, key=lengths.get)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    tmp = None
    site = args.site
    if site is None:
        tmp = tempfile.TemporaryDirectory()
        site = Path(tmp.name) / "site"
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                       check=True, capture_output=True)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    slug = longest_template()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        scripts = []
        page.on("response", lambda r: scripts.append(r.url) if r.request.resource_type == "script" else None)
        page.goto(base + f"moban/{slug}/")
        page.locator("input.fw-file").set_input_files(str(UNIT))
        page.locator(".fw-status", has_text="已从文件").wait_for()
        chars = page.evaluate("document.querySelector('.fw-copy').getAttribute('data-copy').length")
        keys = page.evaluate(KEYSTROKES, args.keys)
        docx = page.evaluate(DOCX, 30)
        clicks = []
        for _ in range(5):
            import time
            t0 = time.perf_counter()
            with page.expect_download():
                page.get_by_role("link", name="下载 Word").click()
            clicks.append((time.perf_counter() - t0) * 1000)
        browser.close()
    server.shutdown()

    def size(url: str) -> tuple[int, int]:
        data = (site / urlparse(url).path.lstrip("/")).read_bytes()
        return len(data), len(gzip.compress(data, 5))

    sizes = {urlparse(u).path: size(u) for u in dict.fromkeys(scripts)}
    drafting = {p: s for p, s in sizes.items() if "draft" in p or "docx" in p or "js-yaml" in p}
    print(f"Template: {slug} ({chars} characters, unit-town.yml), {args.keys} keystrokes\n")
    print("| measure | median | p95 |\n|---|---|---|")
    print(f"| keystroke → draft rebuilt and laid out | {statistics.median(keys['sync']):.1f} ms | {p95(keys['sync']):.1f} ms |")
    print(f"| keystroke → next frame painted | {statistics.median(keys['painted']):.1f} ms | {p95(keys['painted']):.1f} ms |")
    print(f"| .docx built in the page ({docx['size'] // 1024} KB) | {statistics.median(docx['times']):.1f} ms | {p95(docx['times']):.1f} ms |")
    print(f"| click 下载 Word → download starts | {statistics.median(clicks):.0f} ms | {max(clicks):.0f} ms (max of 5) |")
    print("\n| script | bytes | gzip |\n|---|---|---|")
    for path, (raw, gz) in sizes.items():
        print(f"| {path} | {raw:,} | {gz:,} |")
    print(f"| **drafting scripts** | {sum(s[0] for s in drafting.values()):,} | {sum(s[1] for s in drafting.values()):,} |")
    print(f"| **all scripts of the page** | {sum(s[0] for s in sizes.values()):,} | {sum(s[1] for s in sizes.values()):,} |")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
