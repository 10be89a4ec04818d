"""Replacing a folder of output all at once, written once for the importer (docs/examples/) and
the build (site/): a reader — a web server, a keeper's browser — sees the old folder or the new
one, never half of each, and a failure leaves the old one in place."""

from __future__ import annotations

import shutil
from pathlib import Path


def swap_in(staging: Path, target: Path, aside: Path) -> list[tuple[str, BaseException]]:
    """Put the finished `staging` folder in place of `target`: two renames in the same folder
    (the old one moves to `aside` first); the old one is deleted only once the new one is in
    place, and put back if the second rename fails. Returns what of the old folder could not
    be deleted (path, error): the new one is in place all the same."""
    if aside.exists():
        shutil.rmtree(aside)
    if target.exists():
        target.rename(aside)
    try:
        staging.rename(target)
    except OSError:
        if aside.exists():
            aside.rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    failures: list[tuple[str, BaseException]] = []
    if aside.exists():
        shutil.rmtree(aside, onerror=lambda _function, path, error: failures.append((path, error[1])))
    return failures
