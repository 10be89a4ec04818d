"""The package as a wheel (what `pip install` of a release gives a keeper): every module, the
search worker, the templates and data files that `fanwen draft` needs from any folder, and the
`fanwen` command and MkDocs plugin entry points. Guards the explicit package list in
pyproject.toml: a new sub-package left out of it would work in the checkout and fail installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_the_wheel_holds_every_module_and_the_bundled_templates_and_data(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                             "--wheel-dir", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # No setuptools warning about the package's configuration (a pip index warning of this
    # machine's configuration is not ours and may appear).
    assert "setuptools" not in result.stderr.lower() and "BuildBackendWarning" not in result.stderr, result.stderr
    (wheel,) = tmp_path.glob("fanwen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "fanwen").rglob("*.py")
               if "bundled" not in p.parts and "__pycache__" not in p.parts}
    assert modules - names == set()
    assert "fanwen/search/search-worker.js" in names
    for folder, suffix in (("templates", ".md"), ("data", ".yml")):
        shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith(f"fanwen/bundled/{folder}/")}
        assert shipped == {p.name for p in (ROOT / folder).glob(f"*{suffix}")}, folder
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "fanwen = fanwen.cli:run" in text and "fanwen = fanwen.mkdocs.plugin:FanwenPlugin" in text
