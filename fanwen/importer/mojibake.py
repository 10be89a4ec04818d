"""Repair GBK-shift mojibake in raw source lines (`。ㄒ唬┌l(fā)揮…` → `（一）發(fā)揮…`).

How the damage arose (read off the data, and what the repair undoes):

* The site kept its text as GBK bytes. Somewhere a byte was lost or added, and from there on
  the bytes were decoded one byte out of step: every garbled character is the trail byte of one
  real character plus the lead byte of the next one (`（一）` = A3A8 D2BB A3A9 read from one
  byte earlier gives `。ㄒ唬`).
* That out-of-step decoder dropped byte pairs that are not GBK characters, and dropped a lead
  byte that met an ASCII byte (`視,` → `,`); full-width forms it produced (`！？（）ｍ`) were later
  folded to ASCII. ASCII bytes can never be lead bytes, so the stream falls back into step at
  the next ASCII byte: a damaged run ends at an ASCII character or at the end of the line.
* The site's pinyin annotator inserted `(pīn)` after byte pairs that straddle two characters,
  which left `?pīn)` behind (`當(dāng)地` → `當(dāng)?shù)乜h`: `數` = 94 B5 is the trail of 當 plus the lead
  of 地, and `?` is the lead byte B5 that met the inserted `(`).

The repair re-encodes a run as GB18030 and decodes it one byte later (`decode(encode(run)[1:])`),
trying both readings of an ASCII character inside a run (a byte of its own, or a folded
full-width character). Bytes that the first decoder threw away are gone for good; the
characters they belonged to become `UNREADABLE`, so no guess is ever shown as text.

Whether a run is garbled, and whether a re-reading is better, is decided by a character
frequency model of the collection itself (`char_frequencies`): garbled characters are the rare
ones, a correct re-reading is made of the collection's common characters. Two kinds of damage
are evidence by themselves: a line-initial heading number whose garbled form is exactly what
the line shows, and the annotator's `?pīn)`.

Use: `repair_lines(lines)` for the raw lines of one collection, before pinyin annotations are
removed; or `freq = char_frequencies(lines)` once, then `repair_mojibake_line(line, freq)` for any line.
Both answers are remembered by content (see "Remembered answers" below).

Known limit: where the first decoder dropped a byte pair inside a run, the re-reading joins the
halves of two characters into one, and that one may be a common character (`矛盾` → 密). Such
a character is only shown as lost when the collection does not know it.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from fanwen import cache
from fanwen.importer.text import CJK, TONED, is_pinyin_syllable

UNREADABLE = "【原文此处乱码】"

# A repaired run must beat the garbled one by this many nats (natural-log probability) in total
# and on average per character: a re-reading that is only slightly more likely is chance.
MIN_GAIN = 2.5
MIN_GAIN_PER_CHAR = 1.0
MIN_RECOVERED = 1
# A re-read character must occur this many times in the collection; rarer ones are more likely
# the product of a byte pair that the first decoder dropped, and are shown as lost.
MIN_SEEN = 3
# A lost character costs this many nats, so that a reading full of holes does not win.
LOST_PENALTY = 4.0
# What a matching garbled heading or annotator debris is worth, in nats.
EVIDENCE = 8.0
# How much weaker the evidence may be for leaving a line out of the frequency count.
LENIENT = 0.25
# Limits that keep the search over readings small.
MAX_READINGS = 400
MAX_RUN = 400

_PINYIN = rf"[a-z{TONED}ü]{{1,7}}"
# An annotation as the site writes it: one character, then `(pīn)`.
_ANNOTATED = re.compile(rf"([{CJK}])\(({_PINYIN})\)")
# What the annotator left where it split a character: `?pīn)`.
_DEBRIS = re.compile(rf"\?({_PINYIN})\)")
_ANNOTATION_AT = re.compile(rf"\(({_PINYIN})\)")
_NUMERALS = "一二三四五六七八九十"
_OPENER = {_DEBRIS: "?", _ANNOTATION_AT: "("}  # the character each pattern starts with
_OPENERS = re.compile(r"[?(]")
_CJK_CHAR = re.compile(rf"[{CJK}]")


def _pinyin_at(pattern: re.Pattern, line: str, k: int) -> re.Match | None:
    """`pattern` (annotation or debris) at line[k], when what it holds is one pinyin syllable."""
    if line[k:k + 1] != _OPENER[pattern]:  # the search asks at every character: most are neither
        return None
    match = pattern.match(line, k)
    return match if match and is_pinyin_syllable(match.group(1)) else None


@dataclass
class LineRepair:
    """What `repair_mojibake_line` did to one line."""

    text: str  # the repaired line (unrecoverable spans replaced by UNREADABLE)
    recovered: list[tuple[str, str]] = field(default_factory=list)  # (garbled span, recovered text)
    unrecovered: list[str] = field(default_factory=list)  # garbled spans that could not be recovered


# --------------------------------------------------------------------------- bytes


@functools.cache  # asked millions of times for the few thousand characters of a collection
def _gbk(char: str) -> bytes | None:
    """The one or two GB18030 bytes of a character, or None (four-byte characters and private
    use ones never came out of the first decoder, so no run can cross them)."""
    data = char.encode("gb18030")
    return data if len(data) <= 2 and not _private(char) else None


def _private(char: str) -> bool:
    return 0xE000 <= ord(char) <= 0xF8FF


@functools.cache
def _pair(lead: int, trail: int) -> str | None:
    """The character of two GB18030 bytes, or None when they are not one.

    Codes that GB18030 maps to the private use area are the ones the first decoder dropped.
    """
    if lead < 0x81 or trail < 0x40 or trail == 0x7F or trail == 0xFF:
        return None
    try:
        char = bytes((lead, trail)).decode("gb18030")
    except UnicodeDecodeError:
        return None
    return char if len(char) == 1 and not _private(char) else None


def _fold(char: str) -> str:
    """Full-width ASCII forms as the collection stores them (`（` → `(`), for counting only."""
    code = ord(char)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else char


def _readable(char: str) -> bool:
    """Chinese characters, punctuation and ASCII digits: what a re-read character can be."""
    category = unicodedata.category(char)
    return (category.startswith("P") or "0" <= char <= "9"
            or (category == "Lo" and _CJK_CHAR.match(char) is not None))


def _garble(data: bytes) -> tuple[str, int | None]:
    """What the out-of-step decoder made of `data`: the text and a lead byte left over at the end.

    Used to check a guessed heading against what the line shows.
    """
    out, i = [], 0
    while i < len(data):
        byte = data[i]
        if byte < 0x80:
            out.append(chr(byte))
            i += 1
        elif i + 1 == len(data):
            return "".join(out), byte
        else:
            char = _pair(byte, data[i + 1])
            if char is not None:
                out.append(_fold(char))
                i += 2
            elif data[i + 1] < 0x80:  # a lead byte before ASCII is dropped, the ASCII byte stays
                i += 1
            else:  # a pair that is no character is dropped whole
                i += 2
    return "".join(out), None


# --------------------------------------------------------------------------- the model


def _count(lines: Iterable[str]) -> dict[str, float]:
    raw: Counter = Counter()
    annotated: Counter = Counter()
    for line in lines:
        raw.update(line)
        annotated.update(f"{m.group(1)}({m.group(2)})" for m in _ANNOTATED.finditer(line)
                         if is_pinyin_syllable(m.group(2)))
    # Folded once per distinct character. The raw counts are in the order each character first
    # occurs, so the folded ones are too (a folded key first occurs with its first variant):
    # the model's tables follow this order.
    chars: Counter = Counter()
    for char, n in raw.items():
        chars[_fold(char)] += n
    total = sum(chars.values()) or 1
    freq = {char: n / total for char, n in chars.items()}
    # Annotated characters (`數(shù)`) are kept under their own keys: they tell which character a
    # leftover `?shù)` belonged to.
    freq.update({key: n / total for key, n in annotated.items()})
    return freq


def char_frequencies(lines: Iterable[str]) -> dict[str, float]:
    """Relative frequency of every character of a collection, learnt from its good lines
    (remembered by content: `_remembered`)."""
    lines = list(lines)
    return _remembered("freq", lines, lambda: _char_frequencies(lines), _freq_out, _freq_in)


def _char_frequencies(lines: list[str]) -> dict[str, float]:
    """Relative frequency of every character of a collection, learnt from its good lines.

    The first count includes the damaged lines, whose garbled characters (`唬` in every
    `。ㄒ唬`) would look ordinary if they stayed in; so the lines that the first model repairs
    are left out and the count is made again. Keys of the form `字(pīn)` count how often the
    site annotated a character with that reading.
    """
    freq = _count(lines)
    for _ in range(2):
        model = _model(freq)
        # Leaving a good line out of the count costs little, keeping a garbled one in costs
        # much: lines are left out on weaker evidence than `repair_mojibake_line` needs to change them.
        freq = _count(line for line in lines if _repair(line, model, strict=False).text == line)
    return freq


class _Memo(dict):
    """A value per key, worked out on first use. Looking one up is a dict lookup in C, where a
    method with its own cache was a Python call: the search asks millions of times."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


class _Model:
    """Log-probabilities and the annotation table of one frequency mapping."""

    def __init__(self, freq: Mapping[str, float]):
        self.freq = freq
        singles = [v for k, v in freq.items() if len(k) == 1 and v > 0]
        self.once = min(singles) if singles else 1e-7  # the frequency of a character seen once
        self.unseen = math.log(self.once / 2)
        self.readings: dict[str, list[str]] = {}
        for key in freq:
            match = _ANNOTATED.fullmatch(key)
            if match:
                self.readings.setdefault(match.group(2), []).append(match.group(1))
        self.seen = _Memo(self._seen).__getitem__
        self.reads = _Memo(self._reads).__getitem__
        # Every run a line could hold, found once per line and model (`_candidates`): a clean
        # collection is searched with the same model three times (both counts leave no line
        # out), a damaged one with its final model twice (strictly and leniently).
        self.runs: dict[str, list[_Candidate]] = {}

    def _seen(self, char: str) -> bool:
        """`seen(char)`: attested in the collection often enough to trust a re-read character.

        Only Chinese characters and punctuation count: a re-reading that yields pinyin letters,
        box drawing or full-width letters is a wrong one.
        """
        return _readable(char) and self.freq.get(_fold(char), 0) >= MIN_SEEN * self.once

    def _reads(self, text: str | None) -> bool:
        """`reads(text)`: a re-read piece made only of trusted characters (its annotation aside)."""
        return bool(text) and all(self.seen(c) for c in _bare(text))

    def logp_elsewhere(self, char: str, line: str) -> float:
        """Log-probability from the rest of the collection: a character that occurs only in
        this line (as garbled characters do) counts as unseen."""
        p = self.freq.get(_fold(char), 0) - line.count(char) * self.once
        return math.log(p) if p > self.once / 2 else self.unseen

    def logp(self, char: str) -> float:
        p = self.freq.get(_fold(char), 0)
        return math.log(p) if p > 0 else self.unseen

    def annotated(self, reading: str, lead: int) -> list[str]:
        """Characters the site annotated with `reading` whose GBK lead byte is `lead`."""
        return [c for c in self.readings.get(reading, []) if (_gbk(c) or b"\0")[0] == lead]


# --------------------------------------------------------------------------- readings of a run

# A reading is a list of pieces: (text, first, last) — the text it puts in the line, and the
# indexes of the first and last garbled characters its bytes came from. text None = lost.
Piece = tuple[str | None, int, int]


@dataclass
class _Candidate:
    start: int
    end: int  # the run is line[start:end]
    pieces: list[Piece]
    gain: float = 0.0
    recovered: int = 0  # characters re-read
    lost: int = 0  # lost spans
    evidence: bool = False  # a garbled heading or annotator debris


def _foldable(line: str, model: _Model, k: int) -> bool:
    """Can the ASCII character line[k] stand for a folded full-width one inside a run?

    Only when its second byte makes a known character with the next character's first byte
    (`湫0补`: ０ = A3B0, and B0 B2 = 安), or the next character is an ASCII letter that can be a
    trail byte: ASCII text is everywhere, and a reading that turns it into full-width forms out
    of step finds words by chance (`工程,坚持` → 常; `16` → 保短). A digit only when it stands
    alone.
    """
    if not "!" <= line[k] <= "~" or k + 1 >= len(line):
        return False
    if line[k].isdigit() and any(c.isdigit() for c in line[max(k - 1, 0):k + 2:2]):
        return False
    data = _gbk(line[k + 1])
    if data is None:
        return False
    if len(data) == 1:
        return line[k + 1].isalpha()
    char = _pair(ord(line[k]) + 0x80, data[0])
    return char is not None and model.seen(char)


class _Line:
    """What the search asks about one line at nearly every step, worked out once per line (a
    line is searched with two or three models): each character's GB18030 bytes, the annotations
    and annotator debris, which characters can be garbled ones, and where a run can begin. None
    of it depends on the model."""

    __slots__ = ("text", "bytes", "two", "shifted", "debris", "annotation", "garbled", "beginnings")

    def __init__(self, line: str):
        n = len(line)
        self.text = line
        self.bytes = [_gbk(c) for c in line]
        self.two = two = [data is not None and len(data) == 2 for data in self.bytes]
        # `shifted[k]`: the character read one byte out of step across two two-byte characters
        # line[k-1] and line[k] (the trail byte of one, the lead byte of the next), or None:
        # what a walk through ordinary text reads at every step.
        self.shifted = [None] + [_pair(self.bytes[k - 1][1], self.bytes[k][0]) if two[k - 1] and two[k] else None
                                 for k in range(1, n)]
        # Annotator debris begins with `?`, an annotation with `(`: only there is either tried.
        self.debris: list[re.Match | None] = [None] * n
        self.annotation: list[re.Match | None] = [None] * n
        inside = [False] * n  # part of a `(pīn)` annotation, which the first decoder never touches
        for opener in _OPENERS.finditer(line):
            k = opener.start()
            if line[k] == "?":
                self.debris[k] = _pinyin_at(_DEBRIS, line, k)
            else:
                match = self.annotation[k] = _pinyin_at(_ANNOTATION_AT, line, k)
                if match:
                    inside[k:match.end()] = [True] * (match.end() - k)
        category = unicodedata.category  # `_garbled_kind`, with its common answers first
        self.garbled = [c >= "\x80" and (category(c) != "Ll" or _garbled_kind(line, k))
                        for k, c in enumerate(line)]
        # A run begins at annotator debris, or at a garbled character or a folded full-width
        # punctuation mark, never inside an annotation.
        self.beginnings = [i for i, c in enumerate(line) if self.debris[i] or (
            self.bytes[i] is not None and not inside[i]
            and (self.garbled[i] or i > 0 and not c.isalnum() and c not in "()"))]


@functools.lru_cache(maxsize=1024)  # a collection's lines, for the next model's search
def _line(text: str) -> _Line:
    return _Line(text)


class _Search:
    """One line searched with one model: the line's facts (`_Line`) and the model's answers that
    the search asks for at every step."""

    __slots__ = ("text", "n", "bytes", "two", "shifted", "debris", "annotation", "garbled", "beginnings",
                 "model", "reads", "in_step", "elsewhere")

    def __init__(self, line: str, model: _Model):
        facts = _line(line)
        self.text, self.n = line, len(line)
        self.bytes, self.two, self.shifted, self.debris = facts.bytes, facts.two, facts.shifted, facts.debris
        self.annotation, self.garbled, self.beginnings = facts.annotation, facts.garbled, facts.beginnings
        self.model, self.reads = model, model.reads
        # `elsewhere[char]`: `_Model.logp_elsewhere` for this line (`_gain` asks for every
        # character of every run).
        self.elsewhere = _Memo(lambda char: model.logp_elsewhere(char, line))
        # `in_step[k]`: does the line read as ordinary text from line[k] on, as it does after a
        # resync? Its next two characters hold no unknown non-ASCII one, and at least one
        # non-ASCII one. (0 ASCII, 1 known, 2 unknown; one entry past the end.)
        seen = model.seen
        kinds = [0 if c < "\x80" else 1 if seen(c) else 2 for c in line] + [0, 0]
        self.in_step = [a != 2 and b != 2 and a + b > 0 for a, b in zip(kinds, kinds[1:])]


def _mostly_holes(read: int, pieces: int) -> bool:
    """Has a reading of `pieces` pieces, `read` of which read, more holes than characters (its
    first piece aside)? Then it cannot be good (`_runs`)."""
    return not read or pieces - 1 - read > read


def _live_beginnings(s: _Search) -> list[int]:
    """The line's `beginnings` that a search must start from: all but those where it is certain
    without the search that `_runs` would keep no reading.

    Only a plain beginning (`_starts`) after the first character of the line and not at
    annotator debris can be left out: its readings are those of one `_walk`, which follows a
    single path (where it branches, it hands out readings and ends, or goes on with a folded
    full-width character after handing out the other reading). It is left out when that walk
    stops, or reaches the end of the line, before any reading it hands out has as many
    re-read characters as holes: `_runs` drops every such reading. Most beginnings are
    ordinary text, whose out-of-step readings are made of unknown characters, so this spares
    the search for most of them.

    This follows `_walk` step by step, with the same limits, for each beginning: the walk's
    pieces are the first (a lost one) and one per step, so at line[k] it holds k - i of them,
    and `bad` counts the steps whose character does not read. Any change to `_walk` must be
    made here too (tests/test_mojibake.py compares the two).
    """
    line, model, reads, n = s.text, s.model, s.reads, s.n
    bytes_at, two, debris_at, annotation_at, in_step = s.bytes, s.two, s.debris, s.annotation, s.in_step
    # A step from one two-byte character to the next reads the same character for every walk
    # that takes it (`_Line.shifted`): whether it reads is asked once per position.
    shifted_reads = list(map(reads, s.shifted))
    # The commonest case, decided at once: four such steps in a row whose characters do not
    # read. No reading handed out on the way has a character that reads, and the walk is
    # hopeless at its fifth step (4 > 2 + 5 // 3).
    unread = [step and not known for step, known in zip(two, shifted_reads)]
    live = []
    for i in s.beginnings:
        if i == 0 or debris_at[i]:
            live.append(i)
            continue
        if two[i] and i + 4 < n and unread[i + 1] and unread[i + 2] and unread[i + 3] and unread[i + 4]:
            continue
        data = bytes_at[i]
        origin = i - 1 if i > 1 and line[i - 1] == "?" and _CJK_CHAR.match(line[i - 2]) else i
        k, pending = i + 1, data[1] if len(data) == 2 else data[0] + 0x80
        in_line = two[i]  # the pending byte is line[k-1]'s trail byte
        bad = 0
        kept = False  # some reading would be kept: the search must be made
        for _ in range(MAX_READINGS):  # the walk's budget
            length = k - i  # pieces so far
            if k - origin > MAX_RUN or bad > 2 + length // 3:
                break  # the walk stops here
            if k < n and two[k]:  # the common step, first
                # The walk hands out the reading that ends here (`_mostly_holes`, inline).
                if length > 1 and in_step[k] and 0 < length - 1 - bad and length <= 2 * (length - 1 - bad):
                    kept = True
                    break
                bad += not (shifted_reads[k] if in_line else reads(_pair(pending, bytes_at[k][0])))
                pending, k, in_line = bytes_at[k][1], k + 1, True
                continue
            read = length - 1 - bad  # in the readings below, before their last piece
            if k == n or bytes_at[k] is None:  # the walk's last reading: the lead byte is lost
                kept = not _mostly_holes(read, length + 1)
                break
            debris = debris_at[k]
            if debris:  # the walk's last readings: the characters annotated so, or a lost one
                reading = debris.group(1)
                found = model.annotated(reading, pending)
                kept = (any(not _mostly_holes(read + reads(f"{char}({reading})"), length + 1) for char in found)
                        if found else not _mostly_holes(read, length + 1))
                break
            annotation = annotation_at[k]
            if annotation:  # the walk's last readings, when the annotation names characters
                found = model.annotated(annotation.group(1), pending)
                if found:
                    kept = any(not _mostly_holes(read + reads(char), length + 1) for char in found)
                    break
            byte = bytes_at[k][0]
            char = _pair(pending, byte)  # the reading that ends at this ASCII character
            if not _mostly_holes(read + (char is not None and reads(char)), length + 1):
                kept = True
                break
            if annotation or not _foldable(line, model, k):
                break  # the walk's last reading
            bad += not reads(_pair(pending, 0xA3))  # it was a folded full-width character
            pending, k, in_line = byte + 0x80, k + 1, False
        if kept:
            live.append(i)
    return live


def _walk(s: _Search, k: int, pending: int | None, pieces: list[Piece], budget: list[int],
          bad: int = 0) -> Iterator[tuple[int, list[Piece]]]:
    """Decode line[k:] in step, with `pending` the lead byte carried over; yield (end, pieces).

    Branches where the reading is ambiguous: an ASCII character may have been a folded
    full-width character, and the first decoder may have dropped an odd number of bytes (a
    stray byte such as 0x80), which puts the stream back in step without any ASCII.

    `bad` is how many of the pieces after the first do not read (none when a walk begins with
    one piece, as every walk but a branch does). `_live_beginnings` follows this walk in
    advance to skip hopeless beginnings: a change here must be made there too.
    """
    line, n, model, reads = s.text, s.n, s.model, s.reads
    bytes_at, debris_at, annotation_at, in_step = s.bytes, s.debris, s.annotation, s.in_step
    # The pieces grow in place below, one per step (a copy, so the caller's list stays as it
    # was); every reading handed out is a list of its own.
    pieces = list(pieces)
    origin = pieces[0][1]
    while pending is not None:
        # Reading ordinary text out of step gives mostly unknown characters: stop early.
        if budget[0] <= 0 or k - origin > MAX_RUN or bad > 2 + len(pieces) // 3:
            return
        budget[0] -= 1
        if k == n:
            yield k, pieces + [(None, k - 1, k - 1)]  # the carried lead byte's character is gone
            return
        debris = debris_at[k]
        if debris:  # the lead byte met an inserted `(`: the annotation says which character it was
            end, reading = debris.end(), debris.group(1)
            found = model.annotated(reading, pending)
            for char in found:
                yield end, pieces + [(f"{char}({reading})", k - 1, end - 1)]
            if not found:
                yield end, pieces + [(None, k - 1, end - 1)]
            return
        data = bytes_at[k]
        if data is None:
            yield k, pieces + [(None, k - 1, k - 1)]
            return
        if len(data) == 2:
            if len(pieces) > 1 and in_step[k]:
                yield k, pieces + [(None, k - 1, k - 1)]
            text = _pair(pending, data[0])
            pieces.append((text, k - 1, k))
            bad += not reads(text)
            pending, k = data[1], k + 1
            continue
        byte = data[0]
        annotation = annotation_at[k]
        if annotation:  # the lead byte met the character's own annotation: it names the character
            found = model.annotated(annotation.group(1), pending)
            for char in found:
                yield k, pieces + [(char, k - 1, k - 1)]
            if found:
                return
        char = _pair(pending, byte)
        if char is not None:  # an ASCII letter that is the trail byte of a character
            yield k + 1, pieces + [(char, k - 1, k)]
        else:  # the lead byte met ASCII and was dropped: that character is lost
            yield k, pieces + [(None, k - 1, k - 1)]
        if _foldable(line, model, k) and not annotation:  # or it was a folded full-width one, A3 xx
            text = _pair(pending, 0xA3)
            yield from _walk(s, k + 1, byte + 0x80, pieces + [(text, k - 1, k)], budget,
                             bad + (not reads(text)))
        return
    yield k, pieces


def _prev_trail(line: str, start: int) -> int | None:
    """The trail byte of the character before `start`, skipping its own annotation."""
    match = re.search(rf"\({_PINYIN}\)$", line[:start])
    if match:
        start = match.start()
    if start == 0:
        return None
    data = _gbk(line[start - 1])
    return data[1] if data and len(data) == 2 else None


def _resume(s: _Search, k: int, pieces: list[Piece],
            budget: list[int]) -> Iterator[tuple[int, list[Piece]]]:
    """Go on after a character whose lead byte is gone: line[k] holds its trail byte."""
    data = s.bytes[k] if k < s.n else None
    if data is None:
        return
    if len(data) == 2:
        yield from _walk(s, k + 1, data[1], pieces, budget)
    elif not s.annotation[k]:
        if 0x40 <= data[0] <= 0x7E:  # an ASCII trail byte: that character ends the run
            yield k + 1, pieces[:-1] + [(None, pieces[-1][1], k)]
        if _foldable(s.text, s.model, k):  # or a folded full-width character, A3 xx
            yield from _walk(s, k + 1, data[0] + 0x80, pieces, budget)


def _starts(s: _Search, i: int) -> Iterator[tuple[int, list[Piece]]]:
    """Every reading of a run that begins at line[i], one of the line's `beginnings`."""
    line, model = s.text, s.model
    budget = [MAX_READINGS]
    debris = s.debris[i]
    if debris:  # `?pīn)` left by the annotator: it knows the byte that the `?` swallowed
        end, trail = debris.end(), _prev_trail(line, i)
        found = model.annotated(debris.group(1), trail) if trail is not None else []
        for char in found:
            yield from _walk(s, end, _gbk(char)[1], [("", i, end - 1)], budget)
        if s.in_step[end]:  # or the next character went with it
            yield end, [(None, i, end - 1)]
        if not found:  # that byte is gone, and with it the next character's lead byte
            yield from _resume(s, end, [(None, i, end - 1)], budget)
        return
    # A run starts at a garbled character or at a folded full-width punctuation mark (which
    # `_Line.beginnings` has checked).
    data = s.bytes[i]
    # The dropped byte is the trail of a character whose lead byte is gone, except at the start
    # of a line, where it is a stray byte of the stripped indentation.
    first: Piece = ("", i, i) if i == 0 else (None, i, i)
    if i > 1 and line[i - 1] == "?" and _CJK_CHAR.match(line[i - 2]):
        first = (None, i - 1, i)  # a `?` right before is the decoder's mark for those bytes
    lead_in = data[1] if len(data) == 2 else data[0] + 0x80
    yield from _walk(s, i + 1, lead_in, [first], budget)
    if i == 0:
        yield from _headings(s, budget)


@functools.cache
def _garbled_headings(stray: bytes) -> tuple[tuple[str, str, int | None], ...]:
    """Every heading `_headings` tries, with what the out-of-step decoder made of it after the
    stray byte `stray` (`_garble`): (heading, text shown, lead byte left over)."""
    numbers = list(_NUMERALS) + [f"十{n}" for n in _NUMERALS[:9]] + [str(n) for n in range(1, 30)]
    headings = [f"（{number}）" for number in numbers]
    return tuple((heading, *_garble(stray + heading.encode("gb18030"))) for heading in headings)


def _headings(s: _Search, budget: list[int]) -> Iterator[tuple[int, list[Piece]]]:
    """A line-initial heading number, `。ㄒ唬` = （一）, `。ǘ┮` = （二）, `。1)` = （1）.

    Inside a heading, the out-of-step decoder dropped pairs such as FE A3 (the trail of 二 and
    the lead of ）), so the plain re-reading fails; but every Chinese numeral has its own lead
    byte, so garbling each possible heading and comparing with the line tells which it was.
    """
    line = s.text
    for heading, shown, left in _garbled_headings((s.bytes[0] or b"")[:1]):
        if not line.startswith(shown):
            continue
        k = len(shown)
        start = [(heading, 0, max(k - 1, 0))]
        if left is None:
            yield k, start
            continue
        # `）`'s last byte was read with the next character's lead byte: the line must show that
        # pair next; or plain ASCII, when the heading was followed by ASCII; or, when the pair
        # was no character, the next character's ASCII trail byte.
        data = s.bytes[k] if k < s.n else None
        if data and len(data) == 2 and data[0] == left:
            yield from _walk(s, k + 1, data[1], start, budget)
        elif data and len(data) == 1 and _pair(left, data[0]) is None:
            yield k, start  # the heading was followed by ASCII, which the lead byte met
        elif data and 0x40 <= data[0] <= 0x7E:
            yield k + 1, start + [(None, k, k)]


# --------------------------------------------------------------------------- choosing runs


def _finish(s: _Search, start: int, end: int, pieces: list[Piece]) -> _Candidate:
    """Characters the model does not know are wrong re-readings: they count as lost.

    The candidate's gain is left to the caller (`_gain`): most candidates have too many holes
    to be good whatever it is.
    """
    line, model = s.text, s.model
    clean: list[Piece] = []
    for text, first, last in pieces:
        if text and not model.reads(text):
            text = None
        if text is None and clean and clean[-1][0] is None:
            clean[-1] = (None, clean[-1][1], last)  # neighbouring losses are one span
        else:
            clean.append((text, first, last))
    # An annotation right after a lost character belonged to it: it goes too.
    match = _ANNOTATION_AT.match(line, end)
    if match and clean and clean[-1][0] is None:
        clean[-1] = (None, clean[-1][1], match.end() - 1)
        end = match.end()
    candidate = _Candidate(min(start, clean[0][1]), end, clean)
    # Only characters re-read from bytes of garbled characters or of ASCII letters (trail bytes)
    # count as evidence: reading plain digits as full-width ones (`150` → ５０ → 保担) makes
    # words out of nothing.
    candidate.recovered = sum(len(_bare(text)) for text, first, last in clean
                              if text and any(ord(c) > 0x7F or c.isalpha()
                                              for c in line[first:last + 1]))
    candidate.lost = sum(text is None for text, _, _ in clean)
    return candidate


def _garbled_kind(line: str, i: int) -> bool:
    """Can line[i] be a character the first decoder made from two bytes? Not ASCII, and not a
    toned vowel of a pinyin annotation (one next to an ASCII letter, or closing one)."""
    if ord(line[i]) <= 0x7F:
        return False
    if unicodedata.category(line[i]) != "Ll":
        return True
    around = line[max(i - 1, 0):i] + line[i + 1:i + 2]
    return not (any(c.isascii() and c.isalpha() for c in around) or line[i + 1:i + 2] == ")")


def _bare(text: str) -> str:
    """A re-read piece without its annotation (`數(shù)` → `數`)."""
    return _ANNOTATION_AT.sub("", text) if "(" in text else text


def _gain(s: _Search, candidate: _Candidate) -> float:
    """How much better the re-reading explains the run than the text as shown, in nats.

    Each re-read character gains what it is more likely than the average shown character (ASCII
    debris and trail bytes say nothing and are left out). A lost span gains nothing and costs a
    fixed penalty (half for the one every mid-line run starts with), plus whatever the
    characters it wipes out are more likely than unknown ones: declaring common text garbled
    is expensive, declaring garble garbled is free.
    """
    line, model, garbled, elsewhere = s.text, s.model, s.garbled, s.elsewhere
    span = range(candidate.start, candidate.end)
    shown = [elsewhere[line[i]] for i in span if garbled[i]]
    baseline = sum(shown) / len(shown) if shown else model.unseen
    read = set()
    gain = 0.0
    for text, first, last in candidate.pieces:
        if text:
            read.update(range(first, last + 1))
            gain += sum(model.logp(c) - baseline for c in _bare(text))
    wiped = {i for text, first, last in candidate.pieces if text is None
             for i in range(first, last + 1)} - read
    gain -= sum(max(0.0, elsewhere[line[i]] - model.unseen) for i in wiped if garbled[i])
    holes = candidate.lost - (candidate.pieces[0][0] is None) / 2
    return gain - LOST_PENALTY * holes


def _good(candidate: _Candidate, strict: bool = True) -> bool:
    """Is the re-reading clearly better than what the line shows?"""
    scale = 1.0 if strict else LENIENT
    return _may_be_good(candidate) and (candidate.gain >= scale * MIN_GAIN
            and candidate.gain >= scale * MIN_GAIN_PER_CHAR * candidate.recovered)


def _may_be_good(candidate: _Candidate) -> bool:
    """What `_good` asks of a candidate before its gain, strict or not."""
    if candidate.lost > candidate.recovered + candidate.evidence:
        return False  # mostly holes: no reason to think this was a run at all
    return candidate.recovered >= MIN_RECOVERED or candidate.evidence


def _candidates(line: str, model: _Model, strict: bool) -> list[_Candidate]:
    """The best reading of every run that is clearly better than the line as shown (`_good`)."""
    runs = model.runs.get(line)
    if runs is None:
        runs = model.runs[line] = _runs(line, model)
    best: dict[tuple[int, int], _Candidate] = {}
    for candidate in runs:
        key = (candidate.start, candidate.end)
        if _good(candidate, strict) and (key not in best or candidate.gain > best[key].gain):
            best[key] = candidate
    return list(best.values())


def _runs(line: str, model: _Model) -> list[_Candidate]:
    """Every reading of every run of the line that `_good` may find good (strictly or not),
    in the order found."""
    runs: list[_Candidate] = []
    search = _Search(line, model)
    for i in _live_beginnings(search):
        debris = search.debris[i] is not None
        for end, pieces in _starts(search, i):
            if end <= i:
                continue
            # A heading that garbles to exactly what the line shows, or the annotator's `?pīn)`,
            # is evidence of damage in itself, whatever the frequencies say.
            evidence = debris or (pieces[0][0] or "").startswith("（")
            if not evidence:
                read = 0
                for piece in pieces:
                    read += model.reads(piece[0])
                if _mostly_holes(read, len(pieces)):
                    continue  # cannot be good
            candidate = _finish(search, i, end, pieces)
            candidate.evidence = evidence
            if not _may_be_good(candidate):
                continue  # whatever its gain
            candidate.gain = _gain(search, candidate)
            if evidence:
                candidate.gain += EVIDENCE
            runs.append(candidate)
    return runs


def _choose(candidates: list[_Candidate]) -> list[_Candidate]:
    """The non-overlapping runs with the largest total gain (weighted interval scheduling)."""
    ordered = sorted(candidates, key=lambda c: c.end)
    ends = [c.end for c in ordered]
    total = [0.0] * (len(ordered) + 1)  # best gain using the first n runs
    before = [bisect.bisect_right(ends, c.start, 0, n) for n, c in enumerate(ordered)]
    for n, candidate in enumerate(ordered):
        total[n + 1] = max(total[n], total[before[n]] + candidate.gain)
    chosen, n = [], len(ordered)
    while n > 0:
        if total[n] == total[n - 1]:
            n -= 1
        else:
            chosen.append(ordered[n - 1])
            n = before[n - 1]
    return chosen[::-1]


def repair_mojibake_line(line: str, freq: Mapping[str, float]) -> LineRepair:
    """Re-read the garbled runs of one raw line; the line comes back unchanged when it has none.

    `freq` is the collection's `char_frequencies`. Runs that re-read cleanly are replaced by
    their text; characters whose bytes are gone become `UNREADABLE`, never a guess.
    """
    return _repair(line, _model(freq), strict=True)


def repair_lines(lines: Sequence[str]) -> list[LineRepair]:
    """`repair_mojibake_line` for every raw line of one collection against the collection's own
    `char_frequencies`: what the importer does to a text collection (remembered by content)."""
    lines = list(lines)

    def compute() -> list[LineRepair]:
        freq = char_frequencies(lines)
        return [repair_mojibake_line(line, freq) for line in lines]

    return _remembered("lines", lines, compute, lambda repairs: _lines_out(repairs, lines),
                       lambda data: _lines_in(data, lines))


_last_model: list = [None, None]  # (freq, its model): one collection is repaired line by line
# The last few models by content: the same frequencies give the same model and the same runs
# (`_Model.runs`), whichever dict holds them, and learning a collection's model meets the same
# frequencies up to three times (the two counts of `_char_frequencies` and the final one).
_models: dict[tuple, _Model] = {}
MODELS_KEPT = 4


def _model(freq: Mapping[str, float]) -> _Model:
    if _last_model[0] is not freq:
        content = tuple(freq.items())  # in order: the order of the annotation table follows it
        model = _models.get(content)
        if model is None:
            while len(_models) >= MODELS_KEPT:
                _models.pop(next(iter(_models)))
            model = _models[content] = _Model(dict(freq))  # its own copy: kept for later callers
        _last_model[:] = [freq, model]
    return _last_model[1]


def _merge(line: str, runs: list[_Candidate]) -> list[_Candidate]:
    """Join two runs that meet at lost characters across a stray ASCII character or two
    (`社▮4▮領`): what lies between two unreadable spans belongs to the same damage."""
    merged: list[_Candidate] = []
    for run in runs:
        if merged:
            last = merged[-1]
            gap = line[last.end:run.start]
            if (len(gap) <= 2 and gap.isascii() and last.pieces[-1][0] is None
                    and run.pieces[0][0] is None):
                lost = (None, last.pieces[-1][1], run.pieces[0][2])
                merged[-1] = _Candidate(last.start, run.end,
                                        last.pieces[:-1] + [lost] + run.pieces[1:])
                continue
        merged.append(run)
    return merged


def _repair(line: str, model: _Model, strict: bool) -> LineRepair:
    repair = LineRepair(line)
    out, pos = [], 0
    for run in _merge(line, _choose(_candidates(line, model, strict))):
        out.append(line[pos:run.start])
        text = "".join(UNREADABLE if t is None else t for t, _, _ in run.pieces)
        lost = [line[first:last + 1] for t, first, last in run.pieces if t is None]
        out.append(text)
        if text != UNREADABLE:
            repair.recovered.append((line[run.start:run.end], text))
        repair.unrecovered.extend(lost)
        pos = run.end
    out.append(line[pos:])
    repair.text = "".join(out)
    return repair


# --------------------------------------------------------------------------- remembered answers

# The model of a collection is learnt by repairing every line of it twice, which is nearly all of
# the time an import of the real collections takes; and the same collections are imported again
# and again (`make import`, the tests, a copy of the project). So both answers are remembered, in
# this process and in the cache folder (fanwen.cache, which checks every entry on reading), under
# a key made of the lines themselves and of everything else that decides the answer: this
# module's code and the code it calls (fanwen.importer.text), the Python version (the GB18030
# codec) and the Unicode version. That is narrower than fanwen.cache's own code key (the whole
# package), so an edit elsewhere in fanwen does not cost the next import its repairs.

CACHE_ENTRIES = 64  # entries of each kind kept in the cache folder (a few KB to ~100 KB each)
_memory: dict[str, object] = {}
_code: list[str] = []


def _code_key() -> str:
    if not _code:
        digest = hashlib.sha256(f"{sys.version}|{unicodedata.unidata_version}".encode())
        for module in (__name__, is_pinyin_syllable.__module__):
            digest.update(Path(sys.modules[module].__file__).read_bytes())
        _code.append(digest.hexdigest())
    return _code[0]


def _remembered(kind: str, lines: list[str], compute, dump, load):
    """`compute()`, or the answer remembered for these lines; `dump` and `load` turn it into
    JSON data and back (every caller gets its own copy)."""
    digest = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()
    key = f"{kind}|{_code_key()}|{digest}"
    if key not in _memory:
        data = cache.remembered(f"mojibake-{kind}", key, keep=CACHE_ENTRIES, code=False,
                                compute=lambda: json.dumps(dump(compute()), ensure_ascii=False).encode("utf-8"))
        while len(_memory) >= 16:
            _memory.pop(next(iter(_memory)))
        _memory[key] = json.loads(data)
    return load(_memory[key])


def _freq_out(freq: dict[str, float]) -> dict[str, float]:
    return dict(freq)


def _freq_in(data) -> dict[str, float]:
    if not isinstance(data, dict) or not all(isinstance(v, float) for v in data.values()):
        raise ValueError("not a frequency table")
    return dict(data)


def _lines_out(repairs: list[LineRepair], lines: list[str]) -> dict:
    """Only the lines the repair touched: every other line comes back as it was."""
    return {"count": len(repairs),
            "changed": {str(i): [r.text, [list(pair) for pair in r.recovered], list(r.unrecovered)]
                        for i, (r, line) in enumerate(zip(repairs, lines))
                        if r.text != line or r.recovered or r.unrecovered}}


def _lines_in(data, lines: list[str]) -> list[LineRepair]:
    if data["count"] != len(lines):
        raise ValueError("another collection")
    repairs = [LineRepair(line) for line in lines]
    for i, (text, recovered, unrecovered) in data["changed"].items():
        repairs[int(i)] = LineRepair(text, [(g, r) for g, r in recovered], list(unrecovered))
    return repairs
