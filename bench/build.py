"""Build speed at scale: the whole site build vs python-markdown alone on the same files.

    .venv/bin/python bench/build.py                       # 1,000 / 5,000 / 10,000 pages + serve
    .venv/bin/python bench/build.py --sizes 1000 --no-serve  # a quick run

For each size it makes a synthetic library from the real pages (bench/synthetic.py), then, each
in a fresh process so that peak memory is that step's own:

* python-markdown: converts every Markdown file of that docs/ (front matter stripped) with the
  Markdown extensions of mkdocs.yml: the floor any MkDocs build stands on;
* build: `mkdocs build --strict` of the project's own mkdocs.yml, search index included (built
  in a second process);
* the same build with the n-gram indexer left out, to show what the index costs.

A second table compares the search index with the Markdown it indexes: number of files and bytes
under search/fanwen/, and the CPU time of the indexing process beside python-markdown's time.

Wall time, peak memory and build ÷ python-markdown; then the same ratios in CPU time of the
build process, which the load of a shared machine moves much less than wall time. The build's peak is the largest sum of the
proportional set size (PSS) of the build process and its indexing processes, sampled every 0.5 s
by another process from the moment the last page is handed to the indexer (from then on it sorts
and compresses while MkDocs writes the pages; code older than that signal is sampled while the
index is written) to the end (the indexers are forked from the build and share its pages, which
plain RSS would count two or three times; sampling PSS slows a process, so only that last phase,
when all of them hold all their data, is sampled), or the build process's own peak if larger.
A third table gives the index tail: how long the build waits for the index at its end.
When the build renders the documents' Markdown in a second process (fanwen/mkdocs/render_pool.py),
the memory is sampled from that process's start, and a fourth table gives its pages and CPU time
(taken out of the indexer's).

Serve: on the largest size it starts `mkdocs serve --dirty` the way `make serve` does, waits
for the first build, appends a sentence to one document and times how long it takes until the
served page shows it (file watcher + rebuild + write), over a few edits. It waits as the page
open in a browser does (MkDocs's livereload request, then one load of the page).

Prints Markdown tables; bench/build-benchmark.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from synthetic import ROOT, make_docs, make_project

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pss_kb(pid: int | str) -> int:
    """Proportional set size: shared pages (the forked indexers share the build's) counted once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[str]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += task.read_text().split()
    return found


class TreeMemory:
    """Samples the memory of this process and its children (the indexers) together."""

    def __init__(self, every: float = 1.0):
        import threading

        self.peak_kb, self.every, self.stopped = 0, every, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        me = os.getpid()
        while not self.stopped.is_set():
            total = _pss_kb(me) + sum(_pss_kb(child) for child in _children(me))
            self.peak_kb = max(self.peak_kb, total)
            self.stopped.wait(self.every)

    def stop(self) -> float:
        self.stopped.set()
        self.thread.join()
        return self.peak_kb / 1024


class SampledElsewhere:
    """TreeMemory of this process run in another process: reading the PSS of a large process
    costs CPU time, which a sampling thread in the build would add to the build's own (2.4 s
    more build CPU at 3,000 pages once sampling starts when the last page is in)."""

    def __init__(self, every: float = 0.5):
        self.process = subprocess.Popen([sys.executable, __file__, "_sample", str(os.getpid()), str(every)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def stop(self) -> float:
        out, _ = self.process.communicate("")  # EOF on its stdin: it prints the peak and ends
        return float(out.strip() or 0)


def sample_tree(pid: str, every: str) -> None:
    """The peak PSS of process `pid` and its children until stdin ends (SampledElsewhere)."""
    import select

    peak = 0
    while True:
        # Every process of the tree (the indexers, and the writer an indexer forks), but this one.
        tree, found = [], [c for c in _children(int(pid)) if c != str(os.getpid())]
        while found:
            tree += found
            found = [c for f in found for c in _children(int(f))]
        total = _pss_kb(pid) + sum(_pss_kb(child) for child in tree)
        peak = max(peak, total)
        ready, _, _ = select.select([sys.stdin], [], [], float(every))
        if ready and not sys.stdin.read():
            break
    print(peak / 1024, flush=True)


# --------------------------------------------------------------------------- child processes


def markdown_only(docs: Path) -> dict:
    """python-markdown over every page of docs/, with mkdocs.yml's extensions."""
    import markdown

    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    pages = sorted(docs.rglob("*.md"))
    start, cpu = time.perf_counter(), time.process_time()
    md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
    size = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        size += len(text.encode("utf-8"))
        if text.startswith("---\n"):
            text = text[text.find("\n---\n", 4) + 5:]
        md.reset().convert(text)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "peak_mb": peak_mb(),
            "pages": len(pages), "bytes": size}


def mkdocs_build(project: Path, site: Path) -> dict:
    """The real build, in this process; the search index is built by its indexing processes
    (fanwen.search.BackgroundIndex), whose memory counts in the peak (TreeMemory)."""
    from fanwen.search import index as search
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    sampled = {"peak_mb": 0.0, "tail": 0.0, "last_page": None, "written": None, "memory": None}
    write, add_html = search.BackgroundIndex.write, search.BackgroundIndex.add_html
    finish = getattr(search.BackgroundIndex, "finish", None)  # code older than the finish signal has none

    def timed_add_html(self, *args):
        add_html(self, *args)
        sampled["last_page"] = time.perf_counter()

    def sampled_finish(self):
        # From here on the indexer sorts and compresses while MkDocs still writes the pages:
        # both processes hold their data, so the peak is sampled from here (sampling PSS walks
        # each process's page tables and slows it, so not for the whole build).
        sampled["memory"] = sampled["memory"] or SampledElsewhere(every=0.5)
        return finish(self)

    def sampled_write(self, site_dir):
        # All three processes hold their data from here to the end: the build's peak.
        sampled["memory"] = sampled["memory"] or SampledElsewhere(every=0.5)
        start = time.perf_counter()
        try:
            return write(self, site_dir)
        finally:
            # The index tail: what the build waits for the indexer at its very end.
            sampled["written"] = time.perf_counter()
            sampled["tail"] = sampled["written"] - start
            sampled["peak_mb"] = sampled["memory"].stop()

    search.BackgroundIndex.write = sampled_write
    search.BackgroundIndex.add_html = timed_add_html
    if finish is not None:
        search.BackgroundIndex.finish = sampled_finish
    # The documents' Markdown rendered by a second process (code older than it has none): the
    # worker holds its own data while MkDocs renders the pages, so memory is sampled from its start.
    from timing import count_render_worker

    def pool_started():
        sampled["memory"] = sampled["memory"] or SampledElsewhere(every=0.5)

    count_render_worker(sampled.setdefault("pool", {}), on_start=pool_started)
    if os.environ.get("BENCH_NO_INDEX"):  # the same build with the n-gram indexer left out
        search.BackgroundIndex.__init__ = lambda self: None
        search.BackgroundIndex.add_html = lambda self, *args: None
        search.BackgroundIndex.write = lambda self, site_dir: {}
        search.BackgroundIndex.close = lambda self: None
        search.BackgroundIndex.finish = lambda self: None
    os.chdir(project)
    start, cpu = time.perf_counter(), time.process_time()
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    index = [p for p in (site / search.INDEX_DIR).rglob("*") if p.is_file()]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the indexer and the render worker, joined by now
    pool = {"worker_cpu": 0.0, "rendered": 0, "documents": 0, **sampled["pool"]}
    if sampled["memory"] is not None and not sampled["peak_mb"]:  # a build without the indexer
        sampled["peak_mb"] = sampled["memory"].stop()
    return {"render_cpu": pool["worker_cpu"], "rendered": pool["rendered"], "documents": pool["documents"],"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "tree_peak_mb": max(sampled["peak_mb"], peak_mb()),
            "index_files": len(index), "index_bytes": sum(p.stat().st_size for p in index),
            "index_cpu": children.ru_utime + children.ru_stime - pool["worker_cpu"], "index_tail": sampled["tail"],
            "after_last_page": (sampled["written"] - sampled["last_page"]) if sampled["last_page"] and sampled["written"] else 0.0}


def child(step: str, *args: str, env: dict | None = None) -> dict:
    result = subprocess.run([sys.executable, __file__, "_" + step, *args], capture_output=True, text=True,
                            env={**ENV, **(env or {})})
    if result.returncode:
        sys.exit(f"{step} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def browser_waits(url: str, page_text: str, marker: str, edited: float, log) -> None:
    """As the page open in a browser does (MkDocs's livereload script): ask the server to answer
    when a newer build is visible, then load the page once. Requesting the page every few
    milliseconds instead keeps the server's threads busy and slows the rebuild itself (at 20 ms,
    measured: 4.8 s instead of 1.9 s)."""
    base = url.split("/", 3)[:3]
    while True:
        found = re.search(r"livereload\((\d+), (\d+)\)", page_text)
        if not found:
            sys.exit("no livereload script in the served page")
        fetch("/".join(base) + f"/livereload/{found[1]}/{found[2]}")
        page_text = fetch(url)
        if marker in page_text:
            return
        if time.time() - edited > 120:
            log.seek(0)
            sys.exit(f"the edit never showed up:\n{log.read()[-3000:]}")


def serve_rebuilds(project: Path, edits: int = 3) -> dict:
    """Start `mkdocs serve --dirty` (as `make serve` does) and time edit → page shows the edit."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")
    start = time.perf_counter()
    server = subprocess.Popen([str(BIN / "mkdocs"), "serve", "--dirty", "--strict",
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=project, env=ENV,
                              stdout=log, stderr=subprocess.STDOUT)
    page = sorted((project / "docs" / "examples").glob("*/*-s*.md"))[len(list((project / "docs").rglob("*.md"))) // 3]
    url = f"http://127.0.0.1:{port}/" + page.relative_to(project / "docs").with_suffix("").as_posix() + "/"
    try:
        while not fetch(url):
            if server.poll() is not None or time.perf_counter() - start > 1800:
                log.seek(0)
                sys.exit(f"mkdocs serve did not come up:\n{log.read()[-3000:]}")
            time.sleep(0.2)
        first = time.perf_counter() - start
        times = []
        original = page.read_text(encoding="utf-8")
        for n in range(edits):
            marker = f"基准测试第{n}次修改{time.time_ns()}"
            time.sleep(1.5)  # let mtimes differ from the previous build's output
            edited = time.perf_counter()
            page_text = fetch(url)
            wall = time.time()
            page.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            browser_waits(url, page_text, marker, wall, log)
            times.append(time.perf_counter() - edited)
        page.write_text(original, encoding="utf-8")
        return {"first_build": first, "rebuilds": times}
    finally:
        server.terminate()
        server.wait(30)


# --------------------------------------------------------------------------- report


def table(rows: list[dict]) -> str:
    lines = ["| pages | python-markdown | site build | build ÷ markdown | peak memory, all processes (PSS) "
             "| build without the search index | ÷ markdown |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md, b, n = r["markdown"], r["build"], r["no_index"]
        lines.append(f"| {r['pages']:,} | {md['seconds']:.1f} s | {b['seconds']:.1f} s "
                     f"| {b['seconds'] / md['seconds']:.2f}× | {b['tree_peak_mb']:.0f} MB "
                     f"| {n['seconds']:.1f} s | {n['seconds'] / md['seconds']:.2f}× |")
    return "\n".join(lines)


def cpu_table(rows: list[dict]) -> str:
    """The same ratios in CPU time of the build process (the indexers' own is in index_table):
    on a shared two-core machine wall times swing with the load, CPU times much less."""
    lines = ["| pages | python-markdown CPU | build CPU | ÷ markdown | build without the search index, CPU | ÷ markdown |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md, b, n = r["markdown"], r["build"], r["no_index"]
        lines.append(f"| {r['pages']:,} | {md['cpu']:.1f} s | {b['cpu']:.1f} s | {b['cpu'] / md['cpu']:.2f}× "
                     f"| {n['cpu']:.1f} s | {n['cpu'] / md['cpu']:.2f}× |")
    return "\n".join(lines)


def index_table(rows: list[dict]) -> str:
    """The search index against the Markdown: files, bytes on disk, and the CPU time of the
    indexing process (which runs beside the build, so its time is not the build's)."""
    lines = ["| pages | Markdown (UTF-8) | index files | index size | ÷ Markdown | indexer CPU | ÷ python-markdown |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md, b = r["markdown"], r["build"]
        lines.append(f"| {r['pages']:,} | {md['bytes'] / 1e6:.1f} MB | {b['index_files']:,} | {b['index_bytes'] / 1e6:.1f} MB "
                     f"| {b['index_bytes'] / md['bytes']:.2f}× | {b['index_cpu']:.1f} s "
                     f"| {b['index_cpu'] / md['seconds']:.2f}× |")
    return "\n".join(lines)


def tail_table(rows: list[dict]) -> str:
    """The index tail: how long the build waits for the indexer at its end (BackgroundIndex.write),
    and the time from the last page handed to the indexer to the index written (MkDocs writes
    the pages in between)."""
    lines = ["| pages | build waits for the index (tail) | last page handed over → index written | indexer CPU ÷ python-markdown CPU |",
             "|---:|---:|---:|---:|"]
    for r in rows:
        md, b = r["markdown"], r["build"]
        lines.append(f"| {r['pages']:,} | {b.get('index_tail', 0):.2f} s | {b.get('after_last_page', 0):.1f} s "
                     f"| {b['index_cpu'] / md['cpu']:.2f}× |")
    return "\n".join(lines)


def pool_table(rows: list[dict]) -> str:
    """The documents rendered by the second process (fanwen/mkdocs/render_pool.py): how many of
    them, its CPU time, and the build's CPU with it (build process + render worker; the indexer's
    is in index_table)."""
    lines = ["| pages | documents rendered by the worker | render worker CPU | build process + worker CPU | ÷ markdown CPU |",
             "|---:|---:|---:|---:|---:|"]
    for r in rows:
        md, b = r["markdown"], r["build"]
        both = b["cpu"] + b.get("render_cpu", 0.0)
        lines.append(f"| {r['pages']:,} | {b.get('rendered', 0):,} of {b.get('documents', 0):,} | {b.get('render_cpu', 0.0):.1f} s "
                     f"| {both:.1f} s | {both / md['cpu']:.2f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="comma-separated page counts")
    parser.add_argument("--no-serve", action="store_true", help="skip the `mkdocs serve` rebuild timing")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-build")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    rows = []
    for pages in sizes:
        folder = args.out / str(pages)
        folder.mkdir()
        make_docs(pages, folder / "docs")
        project = make_project("fanwen", folder / "docs", folder, link=False)
        row = {"pages": pages, "markdown": child("markdown", str(project / "docs")),
               "build": child("build", str(project), str(folder / "site"))}
        shutil.rmtree(folder / "site")
        row["no_index"] = child("build", str(project), str(folder / "site"), env={"BENCH_NO_INDEX": "1"})
        built = sum(1 for _ in (folder / "site").rglob("index.html"))
        print(f"{pages:>6} pages: markdown {row['markdown']['seconds']:.1f} s, build {row['build']['seconds']:.1f} s "
              f"({row['build']['peak_mb']:.0f} MB, {built} HTML pages)", file=sys.stderr)
        rows.append(row)
        shutil.rmtree(folder / "site")
        if pages == max(sizes) and not args.no_serve:
            serve = serve_rebuilds(project)
            row["serve"] = serve
    print(table(rows))
    print()
    print(cpu_table(rows))
    print()
    print(index_table(rows))
    print()
    print(tail_table(rows))
    print()
    print(pool_table(rows))
    served = [r for r in rows if "serve" in r]
    for r in served:
        s = r["serve"]
        print(f"\n`mkdocs serve --dirty` on {r['pages']:,} pages: first build served after {s['first_build']:.1f} s; "
              f"one-page edit → page shows it: " + ", ".join(f"{t:.2f} s" for t in s["rebuilds"])
              + f" (median {statistics.median(s['rebuilds']):.2f} s)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_sample":
        sample_tree(*sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        step = {"_markdown": markdown_only, "_build": mkdocs_build}[sys.argv[1]]
        print(json.dumps(step(*map(Path, sys.argv[2:]))))
    else:
        main()
