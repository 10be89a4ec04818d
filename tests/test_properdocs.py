"""The site builds the same with ProperDocs, the maintained drop-in fork of MkDocs 1.6 (MkDocs 2.0
drops plugins): same pages, same search index, same downloads. Only the generator line differs."""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

from conftest import run

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def comparable(path: Path) -> bytes:
    if path.suffix == ".docx":  # the zip's timestamps and docProps/core.xml's dates are the build's
        with zipfile.ZipFile(path) as docx:
            return b"".join(docx.read(name) for name in sorted(docx.namelist()) if name != "docProps/core.xml")
    if path.suffix == ".gz":  # sitemap.xml.gz: its header holds the build's day (two builds may straddle midnight)
        return gzip.decompress(path.read_bytes())
    return GENERATOR.sub(b"", path.read_bytes())


def test_properdocs_builds_the_same_site(built_site, tmp_path):
    out = tmp_path / "site"
    result = run(["properdocs", "build", "--strict", "--site-dir", str(out)])
    assert result.returncode == 0, result.stderr
    mkdocs = {p.relative_to(built_site) for p in built_site.rglob("*") if p.is_file()}
    properdocs = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    assert mkdocs == properdocs
    different = [str(p) for p in sorted(mkdocs) if comparable(built_site / p) != comparable(out / p)]
    assert different == []
    assert b"ProperDocs" in (out / "index.html").read_bytes()


def test_properdocs_builds_the_same_site_with_the_render_worker(built_site, tmp_path):
    """The documents' Markdown rendered by the second process (fanwen/mkdocs/render_pool.py, from
    one document on here) under ProperDocs's own Page: the same site again."""
    from conftest import copy_project
    from test_render_pool import parallel_from

    project = copy_project(tmp_path)
    parallel_from(project, 1)
    out = tmp_path / "site"
    result = run(["properdocs", "build", "--strict", "--verbose", "--site-dir", str(out)], cwd=project)
    assert result.returncode == 0, result.stderr
    used = re.search(r"Markdown rendered by the second process: (\d+) of (\d+) documents", result.stderr)
    assert used and int(used[1]) > 0, result.stderr[-2000:]
    mkdocs = {p.relative_to(built_site) for p in built_site.rglob("*") if p.is_file()}
    assert mkdocs == {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    assert [str(p) for p in sorted(mkdocs) if comparable(built_site / p) != comparable(out / p)] == []
