"""Search at scale: 范文库's n-gram search vs Material's stock search (lunr + jieba), side by side.

    .venv/bin/python bench/search.py                 # 10,000 synthetic pages, both engines
    .venv/bin/python bench/search.py --pages 500     # a quick run
    .venv/bin/python bench/search.py --pages 0       # the real site as it is
    .venv/bin/python bench/search.py --engines fanwen --skip-build --out /abs/dir --first 换届选举,培训
                                                     # each query as the first one of a new browser

Makes a synthetic library from the real pages (each real page copied with a varied title and
two paragraphs from another page of its theme added), builds it once per engine with the
project's own mkdocs.yml (stock: `fanwen: {search: false}`), serves each build on 127.0.0.1
and types every query of tests/fixtures/queries.txt into the header search box in Debian's
chromium. It measures:

* index build time: time spent in the engine's build steps (stock: Material's search plugin,
  jieba included; fanwen: text extraction, n-gram indexing and writing the files);
* index size on disk: bytes (and files) the engine adds to the site;
* bytes before the first result: every byte the server sent from opening the home page to the
  first result of the first query (page, theme, scripts and index), and the search part of it;
* latency: from the key-up in the search box to the first change of the result list, p50/p95
  over the queries after the first (the first, cold query is reported on its own).

Bytes are counted by the server as sent (no compression), so a server that gzips sends less; with
--first the complete answer is also given as deploy/nginx.conf sends it (gzip level 5, bodies only).
Prints a Markdown table; bench/search-benchmark.md records a run.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from synthetic import make_docs, make_project

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
QUERY_TIMEOUT = 15  # seconds a query after the first may take before it counts as timed out
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
QUERIES = [line.strip() for line in (ROOT / "tests" / "fixtures" / "queries.txt").read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("#")]

# Times the first change of the search result list (or its count line) after a key-up, and
# records the 范文库 worker's "done" notes; installed before Material starts.
HOOK = """
window.__bench = { keyup: 0, changed: 0, done: [], first: null };
document.addEventListener("keyup", () => { window.__bench.keyup = performance.now(); window.__bench.changed = 0 }, true);
// Opened from file://, the iframe-worker shim replaces window.Worker later: wrap that one too.
const wrap = Base => class extends Base {
  constructor(url, options) {
    super(url, options);
    this.addEventListener("message", ev => {
      if (ev.data && ev.data.type === "fanwen-done") window.__bench.done.push(ev.data.query);
      if (ev.data && ev.data.type === "fanwen-first" && !window.__bench.first) window.__bench.first = ev.data.files;
    });
  }
};
let CurrentWorker = wrap(window.Worker);
Object.defineProperty(window, "Worker", { configurable: true, get: () => CurrentWorker,
                                          set: value => { CurrentWorker = wrap(value) } });
"""
# Watch the result area (the count line and the list) for the first change after a key-up.
NARROW = """() => {
  const area = document.querySelector("[data-md-component=search-result]");
  new MutationObserver(() => {
    if (window.__bench.keyup && !window.__bench.changed) window.__bench.changed = performance.now();
  }).observe(area, { childList: true, subtree: true, characterData: true });
}"""


# --------------------------------------------------------------------------- build (own process)


def timed_build(project: Path, site: Path) -> dict:
    """Build in this process with the engines' build steps timed (run via `_build`)."""
    os.chdir(project)
    from timing import add_time, count_render_worker

    spent = {"index": 0.0}

    def timer(owner, name):
        add_time(owner, name, spent, "index")

    from material.plugins.search.plugin import SearchPlugin
    from fanwen.search import index as search

    for name in ("on_page_context", "on_post_build"):
        timer(SearchPlugin, name)
    # 范文库: what the build spends on the index (handing pages over, waiting for the index
    # to be written); the indexing process's own CPU time is reported apart (index_cpu).
    timer(search.BackgroundIndex, "add_html")
    timer(search.BackgroundIndex, "write")
    timer(search, "install_worker")

    # The render worker is a child of the build as well: its CPU time is not the indexer's.
    rendering = {"worker_cpu": 0.0}
    count_render_worker(rendering)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    start = time.perf_counter()
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True))
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"build": time.perf_counter() - start, "index": spent["index"],
            "index_cpu": children.ru_utime + children.ru_stime - rendering["worker_cpu"]}


def build(project: Path, site: Path, offline: bool = False) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **({"FANWEN_OFFLINE": "true"} if offline else {})}
    result = subprocess.run([sys.executable, __file__, "_build", str(project), str(site)],
                            capture_output=True, text=True, env=env)
    if result.returncode:
        sys.exit(f"build of {project} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def index_size(site: Path, engine: str) -> tuple[int, int]:
    if engine == "stock":
        files = [site / "search" / "search_index.json"]
    else:
        files = [p for p in (site / "search").rglob("*") if p.is_file()]
        files += [p for p in (site / "assets" / "fanwen").rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# --------------------------------------------------------------------------- browser


def gzip_size(site: Path, url: str) -> int:
    """Bytes of a served file as deploy/nginx.conf sends it (gzip_comp_level 5; body only)."""
    path = urllib.parse.unquote(urllib.parse.urlparse(url).path)
    file = Path(path) if Path(path).is_file() else site / path.lstrip("/")
    return len(gzip.compress(file.read_bytes(), 5))


class Counting(http.server.SimpleHTTPRequestHandler):
    log: list = []  # (time the response ended, path, bytes, time the request arrived)

    def handle_one_request(self):
        self.arrived = time.perf_counter()
        super().handle_one_request()

    def copyfile(self, source, outputfile):
        sent = 0
        while chunk := source.read(1 << 16):
            outputfile.write(chunk)
            sent += len(chunk)
        self.log.append((time.perf_counter(), self.path, sent, self.arrived))

    def log_message(self, *args):
        pass


def measure(site: Path, engine: str, cold_timeout: float, offline: bool = False, queries=None) -> dict:
    """Offline: the site opened from file:// (no server: bytes are the sizes of the files the
    browser read). `queries`: these instead of tests/fixtures/queries.txt."""
    queries = QUERIES if queries is None else queries
    from playwright.sync_api import sync_playwright

    Counting.log = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = (site / "index.html").as_uri() if offline else f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            context.add_init_script(HOOK)
            page = context.new_page()
            if offline:
                def read(request):
                    if request.url.startswith("file://"):
                        path = Path(urllib.parse.unquote(urllib.parse.urlparse(request.url).path))
                        if path.is_file():
                            now = time.perf_counter()
                            Counting.log.append((now, request.url, path.stat().st_size, now))
                page.on("requestfinished", read)
            page.goto(base)
            page.wait_for_load_state("load")
            page.evaluate(NARROW)
            box = page.locator("input.md-search__input")
            box.click()
            latencies = []
            first = None
            for n, query in enumerate(queries):
                page.evaluate("() => { window.__bench.done = [] }")
                mark = len(Counting.log)
                box.fill(query)
                box.press("End")
                timeout = cold_timeout if n == 0 else QUERY_TIMEOUT
                try:
                    page.wait_for_function("() => window.__bench.changed > 0", timeout=timeout * 1000, polling=5)
                    t = page.evaluate("() => window.__bench.changed - window.__bench.keyup")
                except Exception:
                    if n == 0:
                        out["cold_failed"] = f"{cold_timeout:.0f} s 内没有结果"
                        break
                    # Counted at the time limit (so p95 is a lower bound); the engine is still
                    # busy with it, later queries wait behind it as they would for a writer.
                    out["timeouts"] = out.get("timeouts", 0) + 1
                    t = timeout * 1000
                if n == 0:
                    first = t
                    # The first answer's own files: the requests that arrived before the result
                    # list changed (the page's clock mapped onto ours), not the ones the worker
                    # starts right after it for the complete answer (those are counted below).
                    since, now = page.evaluate("() => [performance.now() - window.__bench.changed, performance.now()]")
                    changed = time.perf_counter() - since / 1000
                    before = [entry for entry in Counting.log if entry[3] <= changed]
                    out["bytes_first"] = sum(entry[2] for entry in before)
                    out["search_bytes_first"] = sum(entry[2] for entry in before if "search" in entry[1])
                    out["requests_first"] = len(before)
                    out["first_files"] = [[entry[1].split("?")[0], entry[2]] for entry in Counting.log[mark:]
                                          if entry[3] <= changed]
                else:
                    latencies.append(t)
                if engine == "fanwen":
                    page.wait_for_function("q => window.__bench.done.includes(q)", arg=query, timeout=30_000)
                page.wait_for_timeout(50)
                out.setdefault("per_query_bytes", []).append(sum(entry[2] for entry in Counting.log[mark:]))
                if n == 0 and engine == "fanwen":
                    # Exactly what the first answer read: the files the worker had asked for when
                    # it sent it (its own report), and the worker script.
                    keys = page.evaluate("() => window.__bench.first") or []
                    wanted = {f"search/fanwen/{key}.js" for key in keys}
                    sizes = {}
                    for entry in Counting.log:  # served over HTTP or read from file://
                        path = urllib.parse.unquote(urllib.parse.urlparse(entry[1]).path)
                        key = path[path.find("search/fanwen/"):] if "search/fanwen/" in path else path
                        if key in wanted or path.endswith("/search-worker.js"):
                            sizes[key] = entry[2]
                    out["first_answer_bytes"] = sum(sizes.values())
                    out["first_answer_files"] = sorted(sizes.items())
                if n == 0:  # the whole first query, its complete answer included
                    out["results"] = page.locator(".md-search-result__meta").inner_text()
                    out["search_bytes_first_complete"] = sum(entry[2] for entry in Counting.log if "search" in entry[1])
                    out["search_gzip_first_complete"] = sum(gzip_size(site, entry[1]) for entry in Counting.log if "search" in entry[1])
                    out["first_complete_files"] = [[entry[1].split("?")[0], entry[2]] for entry in Counting.log[mark:]]
            out["cold_ms"] = first
            if latencies:
                latencies.sort()
                out["p50"] = statistics.median(latencies)
                out["p95"] = latencies[round(0.95 * (len(latencies) - 1))]
                out["max"] = latencies[-1]
            out["bytes_session"] = sum(entry[2] for entry in Counting.log)
            browser.close()
    finally:
        server.shutdown()
    return out


# --------------------------------------------------------------------------- report


def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} KB"


def table(pages: int, rows: dict) -> str:
    lines = [f"| {pages:,} 篇范文 | 范文库 n-gram 搜索 | Material 自带搜索（lunr + jieba） |", "| --- | --- | --- |"]

    def row(label, fn):
        cells = []
        for engine in ("fanwen", "stock"):
            r = rows.get(engine)
            try:
                cells.append(fn(r) if r else "未测")
            except (KeyError, TypeError):
                cells.append(r.get("cold_failed", "—") if r else "—")
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")

    row("整站构建时间（`mkdocs build`）", lambda r: f"{r['build']:.0f} s")
    row("其中建索引的时间", lambda r: f"{r['index']:.0f} s")
    row("索引进程的 CPU 时间（与构建并行）", lambda r: f"{r['index_cpu']:.0f} s")
    row("索引占用磁盘", lambda r: f"{mb(r['size'])}，{r['files']:,} 个文件")
    row("出现第一条结果前下载的字节（页面 + 搜索）", lambda r: mb(r["bytes_first"]))
    row("其中搜索索引和 worker", lambda r: mb(r["search_bytes_first"]))
    row("第一次查询的前十条结果读的索引文件和 worker", lambda r: mb(r["first_answer_bytes"]))
    row("第一次查询的全部结果（补全之后）：搜索索引和 worker", lambda r: mb(r["search_bytes_first_complete"]))
    row("第一次搜索：松键到出结果", lambda r: f"{r['cold_ms']:.0f} ms" if r["cold_ms"] < 10_000 else f"{r['cold_ms'] / 1000:.0f} s")
    def ms(value):
        text = f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.1f} s"
        return f"≥ {text}（有查询超时）" if value >= QUERY_TIMEOUT * 1000 else text

    row("之后每次搜索的延迟 p50", lambda r: ms(r["p50"]))
    row("之后每次搜索的延迟 p95", lambda r: ms(r["p95"]))
    row(f"超过 {QUERY_TIMEOUT} s 的查询", lambda r: f"{r.get('timeouts', 0)} 个")
    row(f"{len(QUERIES)} 个查询共下载", lambda r: mb(r["bytes_session"]))
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        print(json.dumps(timed_build(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="synthetic pages (0: the real site)")
    parser.add_argument("--engines", default="fanwen,stock")
    parser.add_argument("--offline", action="store_true",
                        help="范文库 only: the offline copy opened from file:// (FANWEN_OFFLINE build)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-search")
    parser.add_argument("--cold-timeout", type=float, default=600, help="seconds to wait for the first result")
    parser.add_argument("--table", action="store_true", help="only print the table of the results saved in --out")
    parser.add_argument("--keep-site", action="store_true", help="keep the built sites in --out")
    parser.add_argument("--skip-build", action="store_true",
                        help="measure the sites already built in --out (keeps --out)")
    parser.add_argument("--first", default="",
                        help="范文库 only, with --skip-build: these comma-separated queries, each as the first query "
                             "of a new browser, what its first ten and its complete answer downloaded")
    args = parser.parse_args()
    if args.table:
        rows = {e: json.loads((args.out / f"result-{e}.json").read_text(encoding="utf-8"))
                for e in ("fanwen", "stock") if (args.out / f"result-{e}.json").exists()}
        print(table(args.pages, rows))
        return

    if args.first:
        site = args.out / "site-fanwen"
        lines = ["| 第一次查询 | 结果数 | 前十条：索引文件和 worker | 全部结果：索引文件和 worker | 同上，经 deploy/nginx.conf 压缩 | 文件数 |",
                 "| --- | --- | --- | --- | --- | --- |"]
        for query in args.first.split(","):
            row = measure(site, "fanwen", args.cold_timeout, args.offline, [query])
            files = row["first_complete_files"]
            print(json.dumps({"query": query, **{k: row[k] for k in ("first_answer_bytes", "search_bytes_first_complete",
                                                                       "search_gzip_first_complete", "first_answer_files")},
                              "files": files}, ensure_ascii=False), flush=True)
            lines.append(f"| {query} | {row.get('results', '')} | {mb(row['first_answer_bytes'])} | "
                         f"{mb(row['search_bytes_first_complete'])} | {mb(row['search_gzip_first_complete'])} | {len(files)} |")
        print("\n".join(lines))
        return
    if args.skip_build:
        pages = len([p for p in (args.out / "docs").glob("examples/*/*.md") if p.name != "index.md"])
    else:
        if args.out.exists():
            shutil.rmtree(args.out)
        args.out.mkdir(parents=True)
        pages = make_docs(args.pages, args.out / "docs")
    print(f"{pages} document pages in {args.out / 'docs'}", flush=True)
    rows = {}
    for engine in args.engines.split(","):
        project = args.out / f"project-{engine}"
        if not args.skip_build:
            project = make_project(engine, args.out / "docs", args.out)
        site = args.out / f"site-{engine}"
        saved = args.out / f"build-{engine}.json"
        if args.skip_build and saved.exists() and site.exists():
            row = json.loads(saved.read_text(encoding="utf-8"))
        else:
            print(f"[{engine}] building …", flush=True)
            row = build(project, site, args.offline)
            row["size"], row["files"] = index_size(site, engine)
            saved.write_text(json.dumps(row), encoding="utf-8")
        print(f"[{engine}] built in {row['build']:.0f} s (index {row['index']:.1f} s), index {mb(row['size'])}",
              flush=True)
        row.update(measure(site, engine, args.cold_timeout, args.offline))
        print(f"[{engine}] {json.dumps({k: v for k, v in row.items() if k != 'per_query_bytes'})}", flush=True)
        rows[engine] = row
        (args.out / f"result-{engine}.json").write_text(json.dumps(row, indent=1), encoding="utf-8")
        if not args.keep_site and not args.skip_build:
            # A 10,000-page site is large; the numbers are kept. A site measured again with
            # --skip-build was kept on purpose: it stays.
            shutil.rmtree(site)
    print()
    print(table(pages, rows))


if __name__ == "__main__":
    main()
