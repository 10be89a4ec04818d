"""The documents' Markdown rendered by a second process (fanwen/mkdocs/render_pool.py): a build
that uses it makes the same site as one that does not, a page that warns or fails is reported by
the build as before, and the worker does not outlive a killed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

from conftest import copy_project, run

EXAMPLE = "docs/examples/jingji/000-153e3eec68b796a2-03.md"


def parallel_from(project, threshold: int) -> None:
    """mkdocs.yml with the fanwen plugin's parallel_from set."""
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - fanwen\n" in config
    (project / "mkdocs.yml").write_text(config.replace("\n  - fanwen\n", f"\n  - fanwen:\n      parallel_from: {threshold}\n"),
                                        encoding="utf-8")


def add_documents(project) -> None:
    """Documents that take each way of rendering: links to anchors (MkDocs checks them after the
    build, from what the rendering found), a heading 相关范文 of its own (the Markdown route: the
    worker's rendering does not serve), an h1 of its own."""
    model = (project / EXAMPLE).read_text(encoding="utf-8")
    head, body = model[:model.index("\n---\n", 4) + 5], model[model.index("\n---\n", 4) + 5:]
    extra = {  # name → (text before the body, after it)
        "zz-pool-anchor": ("见[另一篇的小节](000-153e3eec68b796a2-03.md#二检查内容)和[本篇的结尾](#结尾)。\n\n",
                           "\n## 结尾\n\n完。\n"),
        "zz-pool-related": ("", "\n## 相关范文\n\n同名的一节。\n"),
        "zz-pool-h1": ("# 自己的标题\n\n", ""),
    }
    for name, (before, after) in extra.items():
        (project / "docs/examples/jingji" / f"{name}.md").write_text(
            head.replace("title: ", f"title: {name} ", 1) + before + body + after, encoding="utf-8")


def site_files(site) -> dict[str, bytes]:
    # Word downloads hold the time they were made (two builds of the same code differ).
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file() and p.suffix != ".docx"}


def _build(project, site, threshold: int):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True)
    config.plugins["fanwen"].config.parallel_from = threshold
    build(config)


def wait_for_the_worker(monkeypatch) -> None:
    """The build waits for the worker to reach each page, and keeps none for itself: every
    document the worker can render, it renders (on a busy machine the build could otherwise be
    ahead of it throughout, and take every page itself)."""
    from fanwen.mkdocs import render_pool

    take = render_pool.RenderPool._take

    def patient(self, n):
        deadline = time.monotonic() + 30
        while n is not None and self.receive is not None and self.worker_at.value <= n and time.monotonic() < deadline:
            self._drain(n, block=False)  # the worker may wait for room in the pipe
            time.sleep(0.002)
        return take(self, n)

    monkeypatch.setattr(render_pool.RenderPool, "_take", patient)
    monkeypatch.setattr(render_pool.RenderPool, "_keep_ahead", lambda self: None)


def test_a_build_with_the_render_worker_makes_the_same_site(tmp_path, monkeypatch):
    project = copy_project(tmp_path)
    add_documents(project)
    from fanwen.mkdocs import render_pool

    used = []
    close = render_pool.RenderPool.close

    def counted(self):
        close(self)
        used.append((self.rendered, len(self.uris)))

    monkeypatch.setattr(render_pool.RenderPool, "close", counted)
    wait_for_the_worker(monkeypatch)
    monkeypatch.chdir(project)
    _build(project, tmp_path / "alone", 0)
    assert used == []
    _build(project, tmp_path / "pool", 1)
    (rendered, documents), = used
    # The worker's rendering served for most documents (not for those whose Markdown the plugin
    # changes: related documents in Markdown, as for zz-pool-related).
    assert documents > 60 and documents // 2 <= rendered < documents, used
    alone, pooled = site_files(tmp_path / "alone"), site_files(tmp_path / "pool")
    assert alone.keys() == pooled.keys()
    assert [uri for uri in alone if alone[uri] != pooled[uri]] == []
    page = pooled["examples/jingji/zz-pool-anchor/index.html"].decode("utf-8")
    assert 'href="../000-153e3eec68b796a2-03/#二检查内容"' in page and 'href="#结尾"' in page
    assert '<h2 id="相关范文">相关范文' in pooled["examples/jingji/zz-pool-related/index.html"].decode("utf-8")
    assert "<h1" in pooled["examples/jingji/zz-pool-h1/index.html"].decode("utf-8")


def test_a_page_that_warns_or_fails_is_reported_as_without_the_worker(tmp_path, monkeypatch):
    """The worker leaves a page that logs or raises to the build, which renders it and reports
    it itself: the same message, with the page's file, once."""
    project = copy_project(tmp_path)
    parallel_from(project, 1)
    broken = project / "docs/examples/jingji/zz-broken.md"
    model = (project / EXAMPLE).read_text(encoding="utf-8")
    broken.write_text(model + "\n见[不存在的一篇](nowhere.md)。\n", encoding="utf-8")
    result = run(["fanwen", "build"], cwd=project)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert out.count("examples/jingji/zz-broken.md 里的链接 nowhere.md 指向的页面不存在") == 1, out
    parallel_from(copy := copy_project(tmp_path / "alone"), 0)
    (copy / "docs/examples/jingji/zz-broken.md").write_text(broken.read_text(encoding="utf-8"), encoding="utf-8")
    alone = run(["fanwen", "build"], cwd=copy)
    assert alone.returncode == result.returncode
    mine = [line for line in out.splitlines() if "zz-broken" in line]
    assert mine and mine == [line for line in (alone.stdout + alone.stderr).splitlines() if "zz-broken" in line]

    # A Python warning while rendering a page: shown once, by the build's own rendering.
    broken.unlink()
    (project / "docs/examples/jingji/zz-warns.md").write_text(model, encoding="utf-8")
    from mkdocs.structure.pages import Page

    render = Page.render

    def warning(self, config, files):
        if self.file.src_uri.endswith("zz-warns.md"):
            warnings.warn("渲染时的一个警告", UserWarning)
        return render(self, config, files)

    monkeypatch.setattr(Page, "render", warning)
    monkeypatch.chdir(project)
    wait_for_the_worker(monkeypatch)  # the worker comes to that page, and leaves it to the build
    for threshold in (0, 1):
        with warnings.catch_warnings(record=True) as shown:
            warnings.simplefilter("always")
            _build(project, tmp_path / f"warned-{threshold}", threshold)
        assert [str(w.message) for w in shown if "渲染时" in str(w.message)] == ["渲染时的一个警告"], threshold
    (project / "docs/examples/jingji/zz-warns.md").unlink()

    # An error while rendering a page: raised by the build's own rendering, the same as without the worker.
    def failing(self, config, files):
        if self.file.src_uri.endswith("zz-fails.md"):
            raise ValueError("渲染失败的一页")
        return render(self, config, files)

    (project / "docs/examples/jingji/zz-fails.md").write_text(model, encoding="utf-8")
    monkeypatch.setattr(Page, "render", failing)
    monkeypatch.chdir(project)
    errors = []
    for threshold in (0, 1):
        with pytest.raises(ValueError) as raised:
            _build(project, tmp_path / f"site-{threshold}", threshold)
        errors.append(str(raised.value))
    assert errors == ["渲染失败的一页"] * 2


KILLED = textwrap.dedent(r"""
    import os, sys, time
    from fanwen.mkdocs.render_pool import RenderPool

    class SlowPage:
        def __init__(self, title, file, config):
            self.file = file
        def read_source(self, config):
            self.markdown = "x"
        def render(self, config, files):
            time.sleep(0.2)
            self.content = "<p>x</p>"

    class Files:
        def get_file_from_path(self, uri):
            return type("F", (), {"src_uri": uri})()

    pool = RenderPool(SlowPage, Files(), None, [f"{n}.md" for n in range(1000)])
    print(pool.process.pid, flush=True)
    time.sleep(60)
""")


def test_the_render_worker_ends_with_a_killed_build(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", KILLED], stdout=subprocess.PIPE, text=True)
    worker = int(process.stdout.readline())
    os.kill(worker, 0)  # it runs
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:  # ended (a zombie until whoever adopted it reaps it), or gone
            if "\nState:\tZ" in open(f"/proc/{worker}/status").read():
                break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the render worker outlived the build")
