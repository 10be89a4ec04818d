"""`make serve`: the operating system tells MkDocs about edits instead of MkDocs looking for them.

MkDocs watches with watchdog's PollingObserver: every 0.5 s it lists and stats every file under
docs/. At 10,000 pages one look took 0.2 s of Python (measured, bench/serve_steps.py), so an edit
waited up to 0.7 s before the rebuild started, and the looking went on during the rebuild,
holding the interpreter lock a quarter of the time. The native observer (inotify on Linux,
FSEvents on macOS, ReadDirectoryChangesW on Windows) reports an edit at once and costs nothing
in between. Where it cannot be used (no inotify watches left, an unusual file system), MkDocs's
polling stays.
"""

from __future__ import annotations

import logging

log = logging.getLogger("mkdocs.plugins.fanwen")


def _native_observer():
    from watchdog import events
    from watchdog.observers import Observer

    # Changes only: the native observers also report files being opened and read, and every
    # rebuild reads the edited page — without this filter each rebuild would start the next.
    changes = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent, events.FileMovedEvent,
               events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

    class ChangesObserver(Observer):
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None, **kwargs):
            return super().schedule(event_handler, path, recursive=recursive,
                                    event_filter=event_filter or changes, **kwargs)

        def start(self):  # started here already (to find out whether it works); serve starts it again
            if not self.is_alive():
                super().start()

    return ChangesObserver()


def use_native_observer(server) -> bool:
    """Swap the LiveReloadServer's polling observer for the native one, with the same watched
    paths, and start it. Called from on_serve, before the server starts its observer (which is
    then a no-op). False: polling stays."""
    watched, polling = getattr(server, "_watched_paths", None), getattr(server, "observer", None)
    if watched is None or polling is None or polling.is_alive():
        return False
    paths = dict(watched)

    def watch_with(observer):
        """The server's watched paths, registered afresh on `observer`."""
        server._watched_paths.clear()
        server._watch_refs.clear()
        server.observer = observer
        for path, count in paths.items():
            for _ in range(count):
                server.watch(path)

    try:
        native = _native_observer()
        for path, count in paths.items():
            for _ in range(count):
                server.unwatch(path)
        watch_with(native)
        native.start()  # inotify's watches are taken here: a limit reached raises now
    except Exception as error:  # no native observer here: back to polling, which always works
        log.info(f"范文库：系统的文件变动通知不可用（{error}），改回每 0.5 秒扫描一次 docs/")
        if server.observer is not polling:  # the paths had moved to the native one: move them back
            try:
                server.observer.stop()
            except Exception:
                pass
            watch_with(polling)
        return False
    return True
