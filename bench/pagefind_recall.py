"""Recall and ranking of Pagefind (the other route issue 4 names) on the real site's pages.

Pagefind is not a dependency of the project; run it from its own virtualenv:

    python3 -m venv /tmp/pf && /tmp/pf/bin/pip install "pagefind[extended]==1.5.2"
    make build && .venv/bin/python bench/pagefind_recall.py --pagefind /tmp/pf/bin/python

Copies site/ to build/pagefind-site/, marks the same article region the n-gram index reads
(`data-fw-search` → also `data-pagefind-body`), runs Pagefind's indexer (Chinese
segmentation), then runs every query of tests/fixtures/queries.txt through Pagefind's JS API in
Debian's chromium and compares with the pages whose folded article text contains the query.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from fanwen.search import index as search  # noqa: E402

QUERIES = [line.strip() for line in (ROOT / "tests" / "fixtures" / "queries.txt").read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("#")]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pagefind", required=True, help="python of a virtualenv with pagefind[extended]")
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    args = parser.parse_args()
    site = ROOT / "build" / "pagefind-site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(args.site, site)
    texts = {}
    for page in site.glob("examples/*/*/index.html"):
        html = page.read_text(encoding="utf-8")
        match = re.search(r'<div class="fw-article" data-fw-search>(.*?)</div>\n<h2 id="相关范文"', html, re.S)
        if not match:
            continue
        page.write_text(html.replace("data-fw-search>", "data-fw-search data-pagefind-body>"), encoding="utf-8")
        texts["/" + page.parent.relative_to(site).as_posix() + "/"] = search.fold(
            "\n".join(text for _, text in search.html_blocks(match.group(1))))
    subprocess.run([args.pagefind, "-m", "pagefind", "--site", str(site)], check=True, capture_output=True)

    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        for query in QUERIES:
            urls = page.evaluate("""async q => { const pf = await import("/pagefind/pagefind.js");
                const r = await pf.search(q); return Promise.all(r.results.map(x => x.data().then(d => d.url))) }""", query)
            relevant = {url for url, text in texts.items() if search.fold(query) in text}
            order = [url in relevant for url in urls]
            rows.append((query, len(relevant), len(relevant & set(urls)), order == sorted(order, reverse=True)))
        browser.close()
    server.shutdown()
    print("| query | pages containing it | found by Pagefind | exact matches first |")
    print("| --- | --- | --- | --- |")
    for query, relevant, found, first in rows:
        print(f"| {query} | {relevant} | {found} | {'yes' if first else 'no'} |")
    relevant, found = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"\nrecall {found}/{relevant} = {found / relevant:.3f}; queries with every page found "
          f"{sum(r[1] == r[2] for r in rows)}/{len(rows)}; exact matches ranked first {sum(r[3] for r in rows)}/{len(rows)}")


if __name__ == "__main__":
    main()
