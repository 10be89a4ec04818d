"""Boundary and label quality of the importer's rules against the hand reading in
tests/fixtures/articles.json (seeds 000–004). Prints one table row per file.

    .venv/bin/python bench/quality.py [--tolerance 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fanwen.importer.run import run_import  # noqa: E402
from fanwen.importer.quality import measure, reference_units  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tolerance", type=int, default=0, help="lines a split point may be off")
    args = parser.parse_args()
    sources = sorted((ROOT / "sources").glob("00[0-4]_*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        report = run_import(sources, Path(tmp), use_manifests=False)  # the rules alone
    rows = measure(report, reference_units(ROOT / "tests/fixtures/articles.json"), args.tolerance)
    print(f"| file | ref | pred | precision | recall | title | type | level | theme |  (tolerance ±{args.tolerance})")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['file']} | {r['ref']} | {r['pred']} | {r['precision']:.2f} | {r['recall']:.2f} | "
              f"{r['title']} | {r['type']} | {r['level']} | {r['theme']} |")


if __name__ == "__main__":
    main()
