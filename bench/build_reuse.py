"""`fanwen build` from scratch and after editing one document, which reuses the search index.

    .venv/bin/python bench/build_reuse.py                 # 10,000 synthetic pages (made once, kept)
    .venv/bin/python bench/build_reuse.py --pages 1000 --edits 2

Makes the synthetic library of bench/build.py (build/bench-reuse/<pages>/project-fanwen, kept
for the next run), then times in child processes (each build is `fanwen build`'s own
build_site, swapping the new site in):

1. a build with no previous site (the whole index, in its indexing process);
2. `--edits` pairs, under about the same load: one sentence appended to one document, then a
   build (the previous site's index is reused, the edited page indexed in the build process);
   another document edited the same way, built with --rebuild-index (the whole index, as
   before, for comparison).

For each: wall time, CPU of the build process and of its indexing processes, what the build
said about the index, and for the reusing builds the time in fanwen/search/reuse.py (page
fingerprints, the decision, linking the old files and writing delta/). Checks that the old
index's files are the same files (inodes) after a reusing build. Load (`uptime`) before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def build_once(project: Path, site: Path, rebuild: bool) -> dict:
    """One `fanwen build` in this process (a child of main)."""
    from fanwen.publish.build import build_site
    from fanwen.search import reuse

    from timing import add_time

    spent = {"reuse": 0.0}
    for name in ("add", "decide", "write"):
        add_time(reuse.Reuse, name, spent, "reuse")
    from fanwen.search import index as search

    # the build's wait for its indexing process at the end
    add_time(search.BackgroundIndex, "write", spent, "index_wait", accumulate=False)
    os.chdir(project)
    start = time.perf_counter()
    seconds, note = build_site(site, project / "mkdocs.yml", rebuild_index=rebuild)
    wall = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": wall, "note": note, "build_cpu": me.ru_utime + me.ru_stime,
            "index_cpu": children.ru_utime + children.ru_stime, "reuse_seconds": spent["reuse"],
            "index_wait": spent.get("index_wait", 0.0), "peak_mb": max(me.ru_maxrss, children.ru_maxrss) / 1024}


def child(project: Path, site: Path, rebuild: bool = False) -> dict:
    before = load()
    result = subprocess.run([sys.executable, __file__, "_build", str(project), str(site), "1" if rebuild else ""],
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if result.returncode:
        sys.exit(f"build failed:\n{result.stderr[-3000:]}")
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["load"] = f"{before} → {load()}"
    return row


def index_inodes(site: Path) -> dict[str, int]:
    root = site / "search" / "fanwen"
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*.js")
            if p.name != "manifest.js" and "delta" not in p.relative_to(root).parts}


def show(label: str, row: dict) -> None:
    print(f"{label}: {row['seconds']:.1f} s, build process CPU {row['build_cpu']:.1f} s, "
          f"indexing processes CPU {row['index_cpu']:.1f} s, waiting for them at the end {row.get('index_wait', 0):.1f} s, "
          f"in reuse.py {row['reuse_seconds']:.2f} s, peak RSS of one process {row.get('peak_mb', 0):.0f} MB; "
          f"load {row['load']}\n    {row['note']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=2, help="pairs of builds after an edit")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-reuse")
    args = parser.parse_args()
    folder = args.out / str(args.pages)
    project = folder / "project-fanwen"
    if not (project / "mkdocs.yml").is_file():
        from synthetic import make_docs, make_project

        folder.mkdir(parents=True, exist_ok=True)
        make_docs(args.pages, folder / "docs")
        make_project("fanwen", folder / "docs", folder, link=False)
    site = folder / "site"
    if site.exists():
        import shutil
        shutil.rmtree(site)
    pages = sorted(p for p in (project / "docs").glob("examples/*/*-s*.md"))
    print(f"{len(pages):,} documents; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    show("from scratch", child(project, site))
    for n in range(args.edits):
        # Pairs under the same load: an edit built reusing the index, then another edit built
        # with --rebuild-index (the whole index again, as before this round).
        for rebuild in (False, True):
            inodes = index_inodes(site)
            page = pages[len(pages) // 3 + 2 * n + rebuild]
            page.write_text(page.read_text(encoding="utf-8") + f"\n\n基准测试第 {n + 1} 次追加的一句话。\n",
                            encoding="utf-8")
            row = child(project, site, rebuild=rebuild)
            show(f"edit {n + 1}{', --rebuild-index' if rebuild else ''}", row)
            if not rebuild:
                same = sum(index_inodes(site).get(key) == inode for key, inode in inodes.items())
                print(f"    old index files still the same inode: {same} of {len(inodes)}")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        print(json.dumps(build_once(Path(sys.argv[2]), Path(sys.argv[3]), bool(sys.argv[4]))))
    else:
        main()
