"""Timing what a build spends in one function, from inside the build's own process."""

from __future__ import annotations

import functools
import time


def add_time(owner, name: str, spent: dict, key: str, accumulate: bool = True) -> None:
    """Wrap `owner.name` so that every call adds its wall time to `spent[key]` (or, with
    `accumulate=False`, sets it to the last call's)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            took = time.perf_counter() - start
            spent[key] = spent.get(key, 0.0) + took if accumulate else took

    setattr(owner, name, wrapper)


def count_render_worker(record: dict, on_start=None):
    """Record the render worker's work (fanwen/mkdocs/render_pool.py) in `record` when the build
    closes it: {"worker_cpu", "rendered", "documents"}; `on_start()` is called as it starts.
    Returns the RenderPool class, or None for code older than the worker.

    Why: the worker is a child of the build process like the search indexer, so the children's
    CPU time is the indexer's only once the worker's is taken out of it."""
    try:
        from fanwen.mkdocs import render_pool
    except ImportError:
        return None
    pool = render_pool.RenderPool
    start, close = pool.__init__, pool.close

    def started(self, *args, **kwargs):
        if on_start is not None:
            on_start()
        start(self, *args, **kwargs)

    def closed(self):
        close(self)
        record.update(worker_cpu=self.worker_cpu, rendered=self.rendered, documents=len(self.uris))

    pool.__init__, pool.close = started, closed
    return pool
