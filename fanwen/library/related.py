"""同主题范文 → 相关范文: documents of the same type that are about the same thing.

Theme alone is too coarse (an election plan next to a survey of the agricultural tax): the
related list takes documents of the same type whose title and opening share the most
distinctive character pairs, each pair weighted by how rare it is, with a small lift for the
same theme. An inverted index per type keeps it near-linear for a 10,000-page library; the
scores of one document's candidates are summed by numpy (np.bincount over the posting lists
of its pairs): summed in Python they cost a quarter of a minute at 10,000 pages, where every
rare pair is shared by hundreds of documents."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache

from fanwen.library.catalog import Entry, listing_order

_HAN = re.compile(r"[\u3400-\u9fff]+")
COMMON = 0.2  # a pair in more than this share of a type's documents says nothing (工作, 情况)
SAME_THEME = 0.5  # lift, in units of one rare shared pair


def _pairs(entry: Entry) -> frozenset[str]:
    return _pairs_of(entry.title + " " + entry.first_line[:120])


@lru_cache(maxsize=1 << 16)  # `mkdocs serve` rebuilds: the unedited documents' pairs are known
def _pairs_of(text: str) -> frozenset[str]:
    return frozenset(run[i:i + 2] for run in _HAN.findall(text) for i in range(len(run) - 1))


class _Type:
    """The documents of one type (in path order) and the weighted posting lists of their pairs."""

    def __init__(self, members: list[Entry], pairs: dict[str, frozenset[str]], order: dict[str, int], np):
        self.members = members
        self.number = {e.path: i for i, e in enumerate(members)}
        postings: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(members):
            for pair in pairs[entry.path]:
                postings[pair].append(i)
        limit = max(2, COMMON * len(members))
        self.weights = {pair: math.log(len(members) / len(ids)) + 1 for pair, ids in postings.items() if len(ids) <= limit}
        self.postings = {pair: np.asarray(postings[pair], dtype=np.int64) for pair in self.weights}
        self.theme_ids: dict[str, int] = {}
        self.themes = np.asarray([self.theme_ids.setdefault(e.theme, len(self.theme_ids)) for e in members],
                                 dtype=np.int64)
        self.order = np.asarray([order[e.path] for e in members], dtype=np.int64)


class Related:
    def __init__(self, entries: tuple[Entry, ...]):
        import numpy

        self.np = numpy
        self.key = _key(entries)
        self.pairs: dict[str, frozenset[str]] = {entry.path: _pairs(entry) for entry in entries}
        # Each document's listing order, once per library: computed inside the sort it cost a
        # stat of data/status.yml per candidate.
        order = {entry.path: listing_order(entry) for entry in entries}
        by_type: dict[str, list[Entry]] = defaultdict(list)
        for entry in sorted(entries, key=lambda e: e.path):
            by_type[entry.type].append(entry)
        self.types = {kind: _Type(members, self.pairs, order, numpy) for kind, members in by_type.items()}

    @classmethod
    def of_library(cls, entries: tuple[Entry, ...], previous: "Related | None" = None) -> "Related":
        """The Related of `entries`: `previous` itself when nothing it depends on changed (a
        `mkdocs serve` rebuild after an edit to a document's text: a second at 10,000 pages)."""
        if previous is not None and previous.key == _key(entries):
            return previous
        return cls(entries)

    def of(self, entry: Entry, n: int = 6) -> list[Entry]:
        """Up to n documents of the entry's type most like it, best first (ties: path order)."""
        np = self.np
        group = self.types.get(entry.type)
        if group is None:
            return []
        lists, weights = [], []
        for pair in sorted(self.pairs.get(entry.path, ())):  # a fixed order: the same sums every build
            weight = group.weights.get(pair)
            if weight is not None:
                lists.append(group.postings[pair])
                weights.append(weight)
        if not lists:
            return []
        weights = np.repeat(weights, [len(ids) for ids in lists])
        # bincount adds in array order: each candidate's sum is taken in sorted pair order, as the
        # loop over pairs did, so the scores (and the ties) are the same to the last bit.
        scores = np.bincount(np.concatenate(lists), weights, minlength=len(group.members))
        me = group.number.get(entry.path)
        if me is not None:
            scores[me] = 0.0
        candidates = np.flatnonzero(scores > 0)
        same = group.themes[candidates] == group.theme_ids.get(entry.theme, -1)
        values = scores[candidates] + np.where(same, SAME_THEME, 0.0)
        # 有缺损 and 疑似洗稿 documents only after every sound one; then score; then path order.
        best = candidates[np.lexsort((candidates, -values, group.order[candidates]))[:n]]
        return [group.members[i] for i in best.tolist()]


def _key(entries: tuple[Entry, ...]) -> tuple:
    """What the related lists are computed from: each document's path, type, theme, title,
    opening and listing order (its status, and whether data/status.yml calls that reliable)."""
    return tuple((e.path, e.type, e.theme, e.title, e.first_line[:120], listing_order(e)) for e in entries)
