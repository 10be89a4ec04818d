"""Import speed and memory for a folder of generated Word files.

    .venv/bin/python bench/office.py [--files 300]

Generates N small .docx reports (a title, three headings, a dozen paragraphs and a table each,
tests/office_fixtures.py), then runs `fanwen import <folder>` as its own process, as a keeper
would, and prints files per second and the import process's peak memory (max RSS). Every
report is a distinct document (its village number runs through the text), so the duplicate
check compares real candidates.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import office_fixtures  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-office-") as tmp:
        folder = Path(tmp) / "archive"
        folder.mkdir()
        started = time.perf_counter()
        for n in range(1, args.files + 1):
            office_fixtures.word_report(folder / f"report-{n:03d}.docx", n)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir())
        command = [str(Path(sys.executable).parent / "fanwen"), "import", str(folder), "--docs", str(Path(tmp) / "docs"),
                   "--report", str(Path(tmp) / "report.json")]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        stderr = process.stderr.read().decode()
        if status != 0:
            sys.exit(f"import failed: {stderr}")
        report = json.loads((Path(tmp) / "report.json").read_text(encoding="utf-8"))
    totals = report["totals"]
    print(f"| files | MB | documents | skipped | import s | files/s | peak RSS MB |  (generated in {generated:.1f} s)")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.files} | {size / 1e6:.1f} | {totals['documents']} | {totals['skipped']} | {seconds:.1f} | "
          f"{args.files / seconds:.1f} | {usage.ru_maxrss / 1024:.0f} |")


if __name__ == "__main__":
    main()
