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
