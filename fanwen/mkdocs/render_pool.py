"""The documents' Markdown rendered by a second process while MkDocs reads the other pages.

Why: MkDocs renders every page's Markdown in its one process, one page after another, before
it writes any (at 10,000 pages about half of the build); the keepers' machines have two cores,
and the second one idled through that phase. A forked worker renders the documents with
MkDocs's own `Page.render` (same extensions, same link rewriting and checks) and sends what that
sets on the page; MkDocs's process, when it comes to the page, takes it instead of rendering.

Exactness comes first:
- The worker renders the page's Markdown as MkDocs reads it (`Page.read_source`). The main process
  compares it with the Markdown it has after every plugin's on_page_markdown (a hash): another
  Markdown (mkdocs-macros rendering the page, the plugin writing our parts as Markdown) renders
  in the main process as before.
- A page whose rendering logs anything (but debug messages), warns or fails is rendered again by the main process:
  the warning or the error (with the file's name) is MkDocs's own, printed once, in page order.
- Both processes take pages from the front, in MkDocs's order: the worker announces the one it
  renders (`worker_at`), the main process one it reached first (`main_at`), and when it has to
  wait for the worker, it keeps a page ahead of it for itself (`kept`). Both may render one page
  in a race; either rendering serves.
- The worker ends with its pages, when the build is done with it (`close`, at on_env), when
  the build ends or fails, and when the build's process is gone (killed): it looks before
  every page, and a send to a closed pipe fails."""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import time
import warnings

# What Page.render sets on a page (MkDocs 1.6, ProperDocs): the worker sends these. A rendering
# that sets anything else is left to the main process.
FIELDS = ("content", "toc", "_title_from_render", "present_anchor_ids", "links_to_anchors")
_PIPE_SIZE = 1 << 20  # F_SETPIPE_SZ: the worker runs up to ~50 pages ahead before it waits


def digest(markdown: str) -> bytes:
    return hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class RenderPool:
    """A worker process rendering the pages `uris` (in MkDocs's order) for this build."""

    def __init__(self, page_class, files, config, uris: list[str], shape=lambda markdown: markdown):
        """`shape`: what the plugins' on_page_markdown most likely make of a page's Markdown."""
        context = multiprocessing.get_context("fork")
        self.uris, self.position = uris, {uri: n for n, uri in enumerate(uris)}
        self.worker_at = context.RawValue("q", 0)  # the worker renders or rendered the pages below
        self.main_at = context.RawValue("q", 0)    # the worker skips the pages below
        self.kept = context.RawArray("b", len(uris))  # and the pages marked here (_keep_ahead)
        self.receive, send = context.Pipe(duplex=False)
        try:
            import fcntl
            fcntl.fcntl(send.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_SIZE)
        except (ImportError, OSError):
            pass
        self.ready: dict[int, object] = {}  # results received before their page's turn
        self.worker_cpu = 0.0
        self.rendered = 0  # pages the main process took from the worker
        # The worker shares the build's memory: frozen objects stay out of its garbage
        # collections, which would otherwise touch (and copy) every page of it.
        gc.freeze()
        try:
            self.process = context.Process(
                target=_work, args=(send, self.receive, page_class, files, config, uris, shape, self.worker_at,
                                    self.main_at, self.kept, os.getpid()), name="fanwen-render", daemon=True)
            self.process.start()
        finally:
            gc.unfreeze()
        send.close()

    def render(self, page, config, files) -> None:
        """Page.render for `page`: the worker's rendering if it has the same Markdown, else MkDocs's."""
        page.__dict__.pop("render", None)
        result = self._take(self.position.get(page.file.src_uri))
        if result is not None and result[0] == digest(page.markdown):
            for name, value in result[1].items():
                if name == "links_to_anchors" and value is not None:
                    value = {files.get_file_from_path(uri): found for uri, found in value.items()}
                setattr(page, name, value)
            self.rendered += 1
            return
        type(page).render(page, config, files)

    def _take(self, n: int | None):
        """The worker's result for page `n`, or None: the main process renders it."""
        if n is None or self.receive is None:
            return None
        self._drain(n, block=False)
        if n in self.ready:
            return self.ready.pop(n)
        if self.kept[n] or self.worker_at.value <= n:  # not the worker's (yet): the main process renders it
            self.main_at.value = n + 1
            return None
        self._keep_ahead()
        self._drain(n, block=True)
        return self.ready.pop(n, None)

    def _keep_ahead(self) -> None:
        """The build waits for the worker: it keeps a page ahead of the worker to render itself.
        Both then end the pages at about the same time, where the build otherwise waited for the
        worker at nearly every page (it handles a page rendered for it faster than the worker
        renders one: at 10,000 pages the worker rendered 9,976 of them)."""
        ahead = self.worker_at.value + 1
        if ahead < len(self.uris):
            self.kept[ahead] = 1

    def _drain(self, n: int, block: bool) -> None:
        """Results waiting in the pipe (until page n's when `block`); earlier pages' are dropped."""
        try:
            while (block and n not in self.ready) or self.receive.poll():
                k, result = pickle.loads(self.receive.recv_bytes())
                if k is None:  # the worker is done
                    self.worker_cpu = result
                    self._stop()
                    return
                if k >= n:
                    self.ready[k] = result
        except (EOFError, OSError):  # the worker is gone: the main process renders the rest
            self._stop()

    def _stop(self) -> None:
        if self.receive is not None:
            self.receive.close()
            self.receive = None

    def close(self) -> None:
        """No more pages: the worker ends (after the page it renders), and is waited for."""
        self.main_at.value = len(self.uris)
        deadline = time.monotonic() + 10
        while self.receive is not None and time.monotonic() < deadline:
            try:
                if self.receive.poll(0.2):
                    k, result = pickle.loads(self.receive.recv_bytes())
                    if k is None:
                        self.worker_cpu = result
                        self._stop()
                elif not self.process.is_alive():
                    self._stop()
            except (EOFError, OSError):
                self._stop()
        self._stop()
        self.ready = {}
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class _Noted(logging.Handler):
    """In the worker: whether a page's rendering logged anything (the main process renders it again)."""

    def __init__(self):
        # Not debug messages (MkDocs's "Running `page_read_source` event…" under --verbose): those
        # of the pages the worker renders are not printed.
        super().__init__(logging.INFO)
        self.seen = False

    def emit(self, record):
        self.seen = True


def _work(send, receive, page_class, files, config, uris, shape, worker_at, main_at, kept, parent: int) -> None:
    receive.close()
    # Nothing of the worker's reaches the terminal: what a page logs, it logs again in the build.
    noted = _Noted()
    for logger in [logging.root, *logging.root.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.handlers = []
            logger.propagate = True
    logging.root.handlers = [noted]
    # A Python warning that would be shown (the filters ignore most library ones): the page is
    # rendered in the build, which shows it as it would have.
    warnings.showwarning = lambda *args, **kwargs: setattr(noted, "seen", True)
    try:
        n = 0
        while True:
            n = max(n, main_at.value)
            if n >= len(uris) or os.getppid() != parent:
                break
            if kept[n]:  # the build renders it
                n += 1
                continue
            worker_at.value = n + 1
            send.send_bytes(pickle.dumps((n, _render(page_class, files, config, uris[n], shape, noted)), pickle.HIGHEST_PROTOCOL))
            n += 1
        send.send_bytes(pickle.dumps((None, time.process_time())))
    except OSError:  # the build is gone (or closed the pipe): nothing to send to
        pass


def _render(page_class, files, config, uri: str, shape, noted: _Noted):
    file = files.get_file_from_path(uri)
    if file is None:
        return None
    page = page_class(None, file, config)
    noted.seen = False
    try:
        page.read_source(config)
        page.markdown = shape(page.markdown)
        before = dict(vars(page))
        page.render(config, files)
    except Exception:  # MkDocs's process renders it again and reports it
        return None
    changed = {k for k, v in vars(page).items() if k not in before or before[k] is not v}
    if noted.seen or not changed <= set(FIELDS):
        return None
    values = {name: getattr(page, name) for name in changed}
    if values.get("links_to_anchors") is not None:  # keyed by File: by its path, found again in the build
        values["links_to_anchors"] = {target.src_uri: found for target, found in values["links_to_anchors"].items()}
    return digest(page.markdown), values
