"""Where the time of a `make serve` rebuild goes: edit → file watcher → MkDocs → page served.

    .venv/bin/python bench/serve_steps.py PROJECT [--edits 3] [--profile OUT.prof]

PROJECT is a project folder made by bench/build.py or bench/synthetic.py (docs/ moved in, not
linked). Runs `mkdocs serve --dirty --strict` in a child process with timestamps added at each
step (watcher sees the change, MkDocs starts the rebuild, config loaded, each build phase, rebuild
done), appends a sentence to one document, polls the served page until it shows the sentence,
and prints the steps of each edit in seconds after the file was written. --profile writes a
cProfile of the last rebuild (the build() call only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build import ENV, browser_waits, fetch, free_port

# Runs inside the `mkdocs serve` process: wraps the steps with timestamps (time.time(), which
# both processes share) written as JSON lines to the file named by FANWEN_BENCH_STEPS.
CHILD = r"""
import json, os, sys, time
out = open(os.environ["FANWEN_BENCH_STEPS"], "a", buffering=1)
def mark(step, **extra):
    out.write(json.dumps({"step": step, "t": time.time(), **extra}) + "\n")

import watchdog.observers.polling as polling
snapshot = polling.PollingEmitter.queue_events
def queue_events(self, timeout):
    start = time.time()
    result = snapshot(self, timeout)
    mark("poll", took=time.time() - start - 0)  # includes the observer's wait
    return result
polling.PollingEmitter.queue_events = queue_events

import mkdocs.livereload as lr
watch = lr.LiveReloadServer.watch
def watched(self, path, *args, **kwargs):
    mark("watch", path=path)
    return watch(self, path, *args, **kwargs)
lr.LiveReloadServer.watch = watched
import watchdog.events
dispatch = watchdog.events.FileSystemEventHandler.dispatch
def dispatched(self, event):
    if not event.is_directory:
        mark("event", path=event.src_path)
    return dispatch(self, event)
watchdog.events.FileSystemEventHandler.dispatch = dispatched

import mkdocs.commands.serve as serve, mkdocs.commands.build as build_module, mkdocs.config as config_module
load = serve.load_config
def load_config(*a, **k):
    mark("config start")
    c = load(*a, **k)
    mark("config done")
    return c
serve.load_config = load_config
real_build = build_module.build
profile_to = os.environ.get("FANWEN_BENCH_PROFILE")
def build(*a, **k):
    mark("build start")
    if profile_to:
        import cProfile
        p = cProfile.Profile()
        p.enable()
    try:
        return real_build(*a, **k)
    finally:
        if profile_to:
            p.disable()
            p.dump_stats(profile_to)
        mark("build done")
serve.build = build
import mkdocs.plugins as plugins
for event in ("on_config", "on_files", "on_nav", "on_env", "on_post_build"):
    real = getattr(plugins.PluginCollection, event)
    def wrapped(self, *a, _real=real, _event=event, **k):
        mark(_event + " start")
        r = _real(self, *a, **k)
        mark(_event + " done")
        return r
    setattr(plugins.PluginCollection, event, wrapped)
def timed(name, label):
    real = getattr(build_module, name)
    def wrapped(page, *a, **k):
        start = time.time()
        r = real(page, *a, **k)
        mark(label, uri=page.file.src_uri, took=time.time() - start)
        return r
    setattr(build_module, name, wrapped)
timed("_build_page", "page")
timed("_populate_page", "markdown")
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", "serve", "--dirty", "--strict", "--dev-addr", sys.argv[1]]
cli()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--poll", type=float, default=0,
                        help="request the page every POLL seconds instead of waiting as a browser does")
    args = parser.parse_args()
    project = args.project.resolve()
    steps = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    port = free_port()
    env = {**ENV, "FANWEN_BENCH_STEPS": str(steps)}
    if args.profile:
        env["FANWEN_BENCH_PROFILE"] = str(args.profile.resolve())
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen([sys.executable, "-c", CHILD, f"127.0.0.1:{port}"], cwd=project, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    docs = project / "docs"
    page = sorted((docs / "examples").glob("*/*-s*.md"))[len(list(docs.rglob("*.md"))) // 3]
    url = f"http://127.0.0.1:{port}/" + page.relative_to(docs).with_suffix("").as_posix() + "/"
    start = time.time()
    try:
        while not fetch(url):
            if server.poll() is not None or time.time() - start > 1800:
                log.seek(0)
                sys.exit(f"mkdocs serve did not come up:\n{log.read()[-3000:]}")
            time.sleep(0.2)
        print(f"first build served after {time.time() - start:.1f} s", file=sys.stderr)
        original = page.read_text(encoding="utf-8")
        page_text = fetch(url)
        results = []
        for n in range(args.edits):
            marker = f"基准测试第{n}次修改{time.time_ns()}"
            time.sleep(2)
            seen = steps.stat().st_size
            edited = time.time()
            page.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            if args.poll:
                while marker not in fetch(url):
                    if time.time() - edited > 120:
                        log.seek(0)
                        sys.exit(f"the edit never showed up:\n{log.read()[-3000:]}")
                    time.sleep(args.poll)
            else:
                browser_waits(url, page_text, marker, edited, log)
            shown = time.time() - edited
            page_text = fetch(url)
            time.sleep(0.3)
            with steps.open() as f:
                f.seek(seen)
                marks = [json.loads(line) for line in f if line.strip()]
            results.append((shown, marks, edited))
        page.write_text(original, encoding="utf-8")
    finally:
        server.terminate()
        server.wait(30)
    for shown, marks, edited in results:
        print(f"\nedit shown after {shown:.2f} s")
        pages = [m for m in marks if m["step"] in ("page", "markdown")]
        polls = [m for m in marks if m["step"] == "poll"]
        if polls:
            print(f"  {len(polls)} watcher polls, each {sum(m['took'] for m in polls) / len(polls):.2f} s incl. 0.5 s wait")
        for m in marks:
            if m["step"] not in ("page", "markdown", "poll"):
                print(f"  {m['t'] - edited:6.2f}  {m['step']} {m.get('path', '')}")
        for kind in ("markdown", "page"):
            mine = [m for m in pages if m["step"] == kind]
            print(f"  {kind}: {len(mine)} pages, {sum(m['took'] for m in mine):.2f} s: "
                  + ", ".join(f"{m['uri']} {m['took']:.2f}" for m in sorted(mine, key=lambda m: -m["took"])[:8]))
    print(f"\nuptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
