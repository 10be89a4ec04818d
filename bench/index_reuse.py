"""How much of the search index a second build could reuse after a one-page edit.

    .venv/bin/python bench/index_reuse.py build/bench-build/10000/project-fanwen/docs

Indexes every synthetic document of DOCS in this process (paragraphs as body text, one process
for the writing so that every file passes through here), appends a sentence to the document a
third of the way in, indexes again, and prints the time of each phase and how many written files
are byte for byte the same before compression. Written to decide whether a content-keyed cache
of the index's files is worth having (bench/build-benchmark.md, third round: it is not, 12%).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import fanwen.search.index as ix


def main(docs: Path) -> None:
    pages = []
    for path in sorted(docs.glob("examples/*/*-s*.md")):
        text = path.read_text(encoding="utf-8")
        body = text[text.find("\n---\n", 4) + 5:]
        pages.append((path.stem, path.stem, [(ix.BODY, b.strip()) for b in body.split("\n\n") if b.strip()]))
    stats = {"pack": 0.0, "payloads": []}
    pack = ix._pack

    def timed(payload):  # every file's content before compression, and the compression's time
        start = time.perf_counter()
        packed = pack(payload)
        stats["pack"] += time.perf_counter() - start
        stats["payloads"].append(hashlib.sha1(payload).hexdigest())
        return packed

    ix._pack = timed
    ix._in_two_processes = lambda work, parts: [work(parts)]  # all files written in this process

    def build(out: str) -> set[str]:
        stats["pack"], stats["payloads"] = 0.0, []
        start = time.perf_counter()
        index = ix.Index()
        for location, title, blocks in pages:
            index.add(location, title, blocks, "x")
        added = time.perf_counter()
        index.write_part(ix.prepare_index_dir(out))
        done = time.perf_counter()
        print(f"add {added - start:.1f} s, write {done - added:.1f} s (deflate {stats['pack']:.1f} s), "
              f"files {len(stats['payloads'])}", flush=True)
        return set(stats["payloads"])

    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        before = build(first)
        k = len(pages) // 3
        location, title, blocks = pages[k]
        pages[k] = (location, title, blocks + [(ix.BODY, "基准测试追加的一句话。")])
        after = build(second)
    print(f"files unchanged: {len(before & after)} of {len(after)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
