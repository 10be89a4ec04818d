"""`make serve` learns of edits from the operating system (fanwen/mkdocs/watch.py): an edit
starts a rebuild, reading a page does not (or every rebuild would start the next), and where
the system cannot report changes the server still watches by polling."""

import time

import pytest
from mkdocs.livereload import LiveReloadServer

from fanwen.mkdocs import watch


def server_for(folder):
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(folder))
    server.watch(str(folder))
    return server


def wait_for(condition, seconds=3.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_an_edit_starts_a_rebuild_and_a_read_does_not(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("正文", encoding="utf-8")
    server = server_for(tmp_path)
    try:
        assert watch.use_native_observer(server)
        server.observer.start()  # as `mkdocs serve` does: already started, no second start
        page.read_text(encoding="utf-8")
        time.sleep(0.3)
        assert not server._want_rebuild
        page.write_text("正文，改过", encoding="utf-8")
        assert wait_for(lambda: server._want_rebuild)
    finally:
        server.observer.stop()
        server.observer.join()


@pytest.mark.parametrize("fails", ["made", "started"])
def test_without_system_notices_the_server_still_polls(tmp_path, monkeypatch, fails):
    native = watch._native_observer

    def unavailable():
        if fails == "made":  # no native observer on this platform
            raise OSError(38, "not implemented")
        observer = native()

        def start():  # inotify's watch limit is reached when its watches are taken
            raise OSError(28, "inotify watch limit reached")
        observer.start = start
        return observer

    monkeypatch.setattr(watch, "_native_observer", unavailable)
    server = server_for(tmp_path)
    assert not watch.use_native_observer(server)
    assert server._watched_paths == {str(tmp_path): 1}
    server.observer.start()
    try:
        time.sleep(0.6)  # the first listing of the folder
        (tmp_path / "new.md").write_text("新的一篇", encoding="utf-8")
        assert wait_for(lambda: server._want_rebuild)
    finally:
        server.observer.stop()
        server.observer.join()
