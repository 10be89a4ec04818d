"""Shared fixtures: a fresh import of the real sources, the built site and its variants, a local
server, nginx and Debian's chromium (headless shell) driven by Playwright."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import shutil
import subprocess
import sys
import weakref
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "sources").glob("*.txt"))
# Debian's headless build of chromium (package chromium-headless-shell, the same Blink as
# /usr/bin/chromium without the desktop browser around it): the browser tests take about half
# the CPU time they take in the full browser's headless mode.
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).parent


def run(args: list[str], cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a project command (fanwen, mkdocs) from the test virtualenv: a process of its own,
    forked from this test process's zygote (tests/zygote.py), which has MkDocs and fanwen imported
    already. Other commands start as usual."""
    command = [str(BIN / args[0]), *args[1:]]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    if args[0] not in ("fanwen", "mkdocs"):
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    return _Zygote.get().run(command, Path(cwd), env)


class _Zygote:
    """This process's zygote (one per xdist worker), started at the first command and gone when
    the process ends (it stops when its request pipe closes). One command at a time."""

    _one: _Zygote | None = None

    @classmethod
    def get(cls) -> _Zygote:
        if cls._one is None or cls._one.process.poll() is not None:
            cls._one = cls()
        return cls._one

    def __init__(self):
        self.lock = threading.Lock()
        self.folder = Path(tempfile.mkdtemp(prefix="zygote-", dir=run_folder()))
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        with open(self.folder / "zygote.err", "w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("zygote.py")), str(request_read), str(answer_write)],
                pass_fds=(request_read, answer_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=errors, cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        os.close(request_read)
        os.close(answer_write)
        self.requests = os.fdopen(request_write, "w", encoding="utf-8")
        self.answers = os.fdopen(answer_read, "r", encoding="utf-8")

    def run(self, command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
        with self.lock:
            out, err = self.folder / "stdout", self.folder / "stderr"
            self.requests.write(json.dumps({"argv": command, "cwd": str(cwd), "env": env,
                                            "out": str(out), "err": str(err)}) + "\n")
            self.requests.flush()
            answer = self.answers.readline()
            assert answer, "the zygote stopped: " + (self.folder / "zygote.err").read_text(encoding="utf-8")
            return subprocess.CompletedProcess(command, json.loads(answer)["code"],
                                               out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))


def pytest_configure(config):
    """A folder for this run, shared by this process, the commands it runs and any xdist workers
    (they inherit the environment), removed at the end: the cache folder where fanwen.importer.mojibake
    remembers each collection's repairs (empty: a run never reads answers an earlier run left),
    and what is made once per run (`once_per_run`, the background import)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    folder = Path(tempfile.mkdtemp(prefix="fanwen-test-run-"))
    os.environ["FANWEN_TEST_RUN"] = str(folder)
    os.environ["FANWEN_CACHE_DIR"] = str(folder / "cache")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def run_folder() -> Path:
    return Path(os.environ["FANWEN_TEST_RUN"])


def once_per_run(name: str, make):
    """`make(folder)` once per test run, its answer JSON data (strings, numbers, lists).

    Under pytest-xdist every worker has a session of its own: the first worker to ask makes it in
    the run's folder while the others wait on a lock, then they all read the answer it left."""
    import fcntl

    common = run_folder() / "once"
    common.mkdir(exist_ok=True)
    with open(common / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        answer = common / f"{name}.json"
        if answer.exists():
            return json.loads(answer.read_text(encoding="utf-8"))
        folder = common / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        value = make(folder)
        answer.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        return value


# --------------------------------------------------------------------------- the session import
# `fanwen import sources/*.txt` is the run's largest single piece of work (the real collections'
# mojibake repair). It starts in the background as soon as the tests are collected, when any of
# them needs it, so the first tests (and the other xdist worker) run meanwhile; `import_run`
# waits for it. Whichever process collects first starts it; that process hands its answers on.

_started: list = []  # (process, thread) of the import this process started


def _import_folder() -> Path:
    return run_folder() / "import"


def _start_import() -> None:
    folder = _import_folder()
    folder.mkdir(exist_ok=True)
    try:
        os.close(os.open(folder / "started", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return  # another worker started it
    cold = folder / "cache"  # a cache of its own, empty: the corpus is really repaired here
    with open(folder / "stdout", "w") as out, open(folder / "stderr", "w") as err:
        process = subprocess.Popen(
            [str(BIN / "fanwen"), "import", *map(str, SOURCES), "--docs", str(folder / "docs"),
             "--report", str(folder / "report.json")], cwd=ROOT, stdout=out, stderr=err,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "FANWEN_CACHE_DIR": str(cold)})

    def finish():
        code = process.wait()
        # What it learnt goes to the run's shared cache: every later import of the same
        # collections (a re-import, a copy of the project) reads it, and comparing their pages
        # with these checks that a remembered repair is the computed one.
        shared = Path(os.environ["FANWEN_CACHE_DIR"])
        shared.mkdir(parents=True, exist_ok=True)
        for entry in cold.glob("mojibake-*.bin"):
            shutil.copy(entry, shared / entry.name)
        (folder / "returncode.part").write_text(str(code), encoding="utf-8")
        os.replace(folder / "returncode.part", folder / "returncode")

    thread = threading.Thread(target=finish, daemon=True)
    thread.start()
    _started.append((process, thread))


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    if any("import_run" in item.fixturenames for item in session.items):
        _start_import()


def pytest_sessionfinish(session):
    for process, thread in _started:  # the other worker may still be waiting for it
        if session.shouldstop or session.shouldfail:
            process.terminate()
        thread.join()


@pytest.fixture(scope="session")
def import_run():
    """`fanwen import sources/*.txt` into a temporary docs folder, once per run (the real
    collections take a while, see above): (docs dir, report path, what the command printed)."""
    folder = _import_folder()
    _start_import()  # if collection did not (a test that asks for the fixture by name)
    deadline = time.monotonic() + 900  # a guard against waiting forever, not a speed limit
    while not (folder / "returncode").exists():
        assert time.monotonic() < deadline, "the background `fanwen import` never finished"
        time.sleep(0.1)
    stderr = (folder / "stderr").read_text(encoding="utf-8")
    assert (folder / "returncode").read_text(encoding="utf-8") == "0", stderr
    return folder / "docs", folder / "report.json", (folder / "stdout").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def repairs_remembered(import_run):
    """For tests that import the real collections again: after the session import their mojibake
    repairs are in the run's cache, so they are read, not worked out once more (under xdist, at
    the same time as the import on the other worker)."""


@pytest.fixture(scope="session")
def fresh_import(import_run):
    """The session's import of the real sources: (docs dir, report)."""
    docs, report, _ = import_run
    return docs, json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_site():
    """The project's own site, built with --strict into a temporary folder (once per run)."""
    def make(folder: Path):
        result = run(["mkdocs", "build", "--strict", "--site-dir", str(folder / "site")])
        assert result.returncode == 0, result.stderr
        return str(folder / "site")

    return Path(once_per_run("site", make))


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served on 127.0.0.1 (a free port)."""
    with serve_folder(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium-headless-shell")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser):
    """One tab per test module, each test opening the page it needs: a new tab costs chromium
    about twice a navigation in an open one (a fresh renderer parses Material's script and styles
    and loads the fonts again). Tests that depend on what the browser keeps (storage, downloads,
    permissions) open a context of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield watch_network(context.new_page())
    context.close()


@pytest.fixture
def screenshots():
    """Where browser tests leave screenshots for a person to look at."""
    folder = ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- deploy/nginx.conf

NGINX = "/usr/sbin/nginx"
CONF = ROOT / "deploy" / "nginx.conf"


def shipped_policy() -> str:
    match = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', CONF.read_text(encoding="utf-8"))
    assert match, "deploy/nginx.conf sets no Content-Security-Policy"
    return match.group(1)


def render_conf(site: Path, port: int) -> str:
    """The shipped server config with only its `listen` and `alias` lines replaced."""
    text = CONF.read_text(encoding="utf-8")
    text, listens = re.subn(r"(?m)^(\s*)listen 80;", rf"\1listen 127.0.0.1:{port};", text)
    text, aliases = re.subn(r"(?m)^(\s*)alias /srv/fanwen/site/;", rf"\1alias {site}/;", text)
    assert listens == 1 and aliases == 1, "deploy/nginx.conf: expected one `listen 80;` and one `alias /srv/fanwen/site/;`"
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_with_nginx(site: Path, port: int, tmp: Path):
    """Debian's nginx in the foreground with deploy/nginx.conf serving `site` at /fanwen/."""
    with _nginx(render_conf(site, port), port, tmp):
        yield


@contextlib.contextmanager
def _nginx(server: str, port: int, tmp: Path):
    """Debian's nginx in the foreground with this `server { … }` block, until the block ends."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: run `make test`, which installs Debian's nginx")
    (tmp / "fanwen.conf").write_text(server, encoding="utf-8")
    temp_paths = "\n".join(f"  {kind}_temp_path {tmp}/{kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {tmp}/access.log;
{temp_paths}
  include {tmp}/fanwen.conf;
}}
""", encoding="utf-8")
    test = subprocess.run([NGINX, "-t", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf")],
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf"),
                                "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                assert process.poll() is None, (tmp / "error.log").read_text()
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def serve_folder(folder: Path):
    """`folder` served as a plain static web root on 127.0.0.1 (a free port): its base URL.

    By nginx, with none of deploy/nginx.conf's headers (test_nginx and test_security run that one):
    the suite's pages ask for about 700 files, and Python's http.server, a thread and a connection
    per file inside the test process, cost more CPU than nginx and held the test's interpreter."""
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="nginx-", dir=run_folder()))
    server = f"""server {{
  listen 127.0.0.1:{port};
  server_name _;
  absolute_redirect off;
  root {folder};
  index index.html;
}}
"""
    try:
        with _nginx(server, port, tmp):
            yield f"http://127.0.0.1:{port}/"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- shared site variants
# Each variant of the project's site is built once per session and shared by every module that
# browses it (the builds take seconds each, and the modules used to make their own).


@pytest.fixture(scope="session")
def subpath_site():
    """The project's site built for http://127.0.0.1/fanwen/, in a folder named fanwen/ so that
    its parent can be served as the web root. The host and port it is served on (each test's
    own) only show in the canonical links and sitemap.xml, which no page loads. As copied to a
    server, it carries a .git folder that came along by mistake (test_nginx: never served)."""
    def make(folder: Path):
        site = folder / "fanwen"
        result = run(["mkdocs", "build", "--strict", "--site-dir", str(site)],
                     env={"SITE_URL": "http://127.0.0.1/fanwen/"})
        assert result.returncode == 0, result.stderr
        (site / ".git").mkdir()
        (site / ".git" / "config").write_text("[core]\n", encoding="utf-8")
        return str(site)

    return Path(once_per_run("subpath", make))


@pytest.fixture(scope="session")
def subpath_nginx(subpath_site, tmp_path_factory):
    """deploy/nginx.conf serving the sub-path site at /fanwen/ on a free port: its base URL."""
    port = free_port()
    with serve_with_nginx(subpath_site, port, tmp_path_factory.mktemp("nginx")):
        yield f"http://127.0.0.1:{port}/fanwen/"


# Recorded in the page before Material starts its worker: every answer of the search worker
# (Material's RESULT messages, and the worker's own "done" note that ends an answer) and the
# time of the last key released in the search box. From file:// the vendored iframe-worker shim
# replaces window.Worker after this runs: that one is wrapped too.
SEARCH_HOOK = """
window.__fw = { results: [], done: [], keyup: 0 };
document.addEventListener("keyup", () => { window.__fw.keyup = performance.now() }, true);
const wrap = Base => class extends Base {
  constructor(url, options) {
    super(url, options);
    this.addEventListener("message", ev => {
      const m = ev.data;
      if (m && m.type === 3) window.__fw.results.push({ t: performance.now(), n: m.data.items.length });
      if (m && m.type === "fanwen-done") window.__fw.done.push(m.query);
    });
  }
};
let CurrentWorker = wrap(window.Worker);
Object.defineProperty(window, "Worker", { configurable: true, get: () => CurrentWorker,
                                          set: value => { CurrentWorker = wrap(value) } });
"""


def type_query(page, query: str, timeout: float = 10_000):
    """Type `query` into the page's header search box as a reader does (Material reads the box on
    keyup) and wait for the first result: the results' locator."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    items = page.locator("li.md-search-result__item")
    items.first.wait_for(timeout=timeout)
    return items


_NETWORK: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # page → its requests in flight


def watch_network(page):
    """Count `page`'s requests in flight from now on (for `settle`); returns the page."""
    state = _NETWORK[page] = {"open": set(), "last": time.monotonic()}

    def started(request):
        state["open"].add(request)
        state["last"] = time.monotonic()

    def ended(request):
        state["open"].discard(request)
        state["last"] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    return page


def settle(page, quiet: float = 0.15) -> None:
    """Wait until the page has loaded and no request has been in flight for `quiet` seconds:
    Playwright's "networkidle" with a shorter quiet time (it waits half a second, and the suite
    waited for it a dozen times). The page must be watched (`watch_network`) since it opened."""
    state = _NETWORK[page]
    page.wait_for_load_state("load")
    deadline = time.monotonic() + 30  # as networkidle's own timeout
    while state["open"] or time.monotonic() - state["last"] < quiet:
        assert time.monotonic() < deadline, f"requests still open: {[r.url for r in state['open']]}"
        page.wait_for_timeout(25)  # lets Playwright deliver the page's events


@pytest.fixture(scope="session")
def offline_site():
    """`fanwen build --offline` (what `make build-offline` runs), into a folder with a Chinese name
    as a writer would put on a shared drive (once per run)."""
    def make(folder: Path):
        site = folder / "范文库离线版"
        result = run(["fanwen", "build", "--offline", "--site-dir", str(site)])
        assert result.returncode == 0, result.stderr
        return str(site)

    return Path(once_per_run("offline", make))


# Recorded before any page script runs: CSP violations and uncaught errors.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def copy_project(tmp_path: Path) -> Path:
    """A throwaway copy of the project (for tests that break mkdocs.yml or data files)."""
    target = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", "site", "site-offline", "site.*-*", "site-offline.*-*", "dist", "build",
                                    ".git", "__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(ROOT, target, ignore=ignore)
    return target
