"""Shared fixtures: a fresh import of the real sources, a built site, a local server and
Debian's chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "sources").glob("*.txt"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).parent


def run(args: list[str], cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a project command (fanwen, mkdocs) from the test virtualenv."""
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


@pytest.fixture(scope="session")
def fresh_import(tmp_path_factory):
    """`fanwen import sources/*.txt` into a temporary docs folder: (docs dir, report)."""
    import json

    docs = tmp_path_factory.mktemp("import") / "docs"
    report = docs.parent / "report.json"
    result = run(["fanwen", "import", *map(str, SOURCES), "--docs", str(docs), "--report", str(report)])
    assert result.returncode == 0, result.stderr
    return docs, json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The project's own site, built with --strict into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(out)])
    assert result.returncode == 0, result.stderr
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served on 127.0.0.1 (a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshots():
    """Where browser tests leave screenshots for a person to look at."""
    folder = ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def copy_project(tmp_path: Path) -> Path:
    """A throwaway copy of the project (for tests that break mkdocs.yml or data files)."""
    target = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", "site", "site-offline", "site.*-*", "site-offline.*-*", "dist", "build",
                                    ".git", "__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(ROOT, target, ignore=ignore)
    return target
