"""同主题范文 → 相关范文: documents of the same type that are about the same thing.

Theme alone is too coarse (an election plan next to a survey of the agricultural tax): the
related list takes documents of the same type whose title and opening share the most
distinctive character pairs, each pair weighted by how rare it is, with a small lift for the
same theme. An inverted index per type keeps it near-linear for a 10,000-page library."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from fanwen.library.catalog import Entry, listing_order

_HAN = re.compile(r"[\u3400-\u9fff]+")
COMMON = 0.2  # a pair in more than this share of a type's documents says nothing (工作, 情况)
SAME_THEME = 0.5  # lift, in units of one rare shared pair


def _pairs(entry: Entry) -> set[str]:
    text = entry.title + " " + entry.first_line[:120]
    return {run[i:i + 2] for run in _HAN.findall(text) for i in range(len(run) - 1)}


class Related:
    def __init__(self, entries: tuple[Entry, ...]):
        self.pairs: dict[str, set[str]] = {}
        self.postings: dict[str, dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
        self.weights: dict[str, dict[str, float]] = {}
        counts: dict[str, Counter] = defaultdict(Counter)
        sizes: Counter = Counter()
        for entry in entries:
            pairs = self.pairs[entry.path] = _pairs(entry)
            sizes[entry.type] += 1
            counts[entry.type].update(pairs)
            for pair in pairs:
                self.postings[entry.type][pair].append(entry)
        for kind, counter in counts.items():
            limit = max(2, COMMON * sizes[kind])
            self.weights[kind] = {pair: math.log(sizes[kind] / n) + 1 for pair, n in counter.items() if n <= limit}

    def of(self, entry: Entry, n: int = 6) -> list[Entry]:
        """Up to n documents of the entry's type most like it, best first (ties: path order)."""
        weights, postings = self.weights.get(entry.type, {}), self.postings[entry.type]
        scores: dict[str, float] = defaultdict(float)
        by_path: dict[str, Entry] = {}
        for pair in sorted(self.pairs.get(entry.path, ())):  # a fixed order: the same sums every build
            weight = weights.get(pair)
            if weight is None:
                continue
            for other in postings[pair]:
                if other.path != entry.path:
                    scores[other.path] += weight
                    by_path[other.path] = other
        for path, other in by_path.items():
            if other.theme == entry.theme:
                scores[path] += SAME_THEME
        # 有缺损 and 疑似洗稿 documents only after every sound one.
        best = sorted(scores, key=lambda path: (listing_order(by_path[path]), -scores[path], path))[:n]
        return [by_path[path] for path in best]
