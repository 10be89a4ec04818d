"""Site search: a chunked character n-gram index written at build time, read by a small
search worker (fanwen/search/search-worker.js) that speaks Material's worker protocol.

Why n-grams and not words: writers search for a phrase from their own task (选举, 网格化管理)
and expect *every* page containing that string. Word segmentation (jieba, Pagefind) keeps
换届选举 as one word and then never matches 选举 inside it. A character n-gram index finds a
substring by construction:

* 1- and 2-character strings: a document list per unigram/bigram (document, count, whether
  it occurs in the title or a heading) answers the query exactly.
* 3 characters and longer: a positional list per trigram. A string of length L is covered
  by trigrams at fixed offsets; a page contains the string exactly when those trigrams occur
  at aligned positions, so pages with the exact string are told apart from pages with only
  its parts, without downloading any page text.

Why chunked: the browser must not download the whole site's text (the stock index is tens of
megabytes). Postings live in shard files chosen by a hash of the n-gram; a large posting list
gets a file of its own, so a query loads a handful of files. Page text for snippets comes in
fixed-size chunks of the whole site's text, loaded only for the results shown. Files are few
(a few hundred for 10,000 pages: copying a site of 100,000 small files to a Windows share or
zipping it was slow and fragile) and compressed (the index is smaller than the Markdown).

Every file is a script calling `fanwenData(key, payload)` (the payload Z85 of raw deflate,
inflated by the browser's DecompressionStream, no code of ours): served over HTTP the worker fetches
and parses it as JSON; opened from file:// (Material's offline plugin runs the worker in an
iframe where only <script> loading works) it is loaded with importScripts. The same files serve
both.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import multiprocessing
import os
import queue
import re
import shutil
import struct
import traceback
import zlib
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import deflate

INDEX_DIR = "search/fanwen"
WORKER = "assets/fanwen/search-worker.js"
ASSETS = Path(__file__).parent  # search-worker.js ships beside this module

TITLE, HEADING, BODY = 2, 1, 0
_BLOCKS = {"p", "li", "ul", "ol", "td", "th", "tr", "table", "thead", "tbody", "blockquote", "pre",
           "dd", "dt", "dl", "div", "section", "figure", "figcaption", "details", "summary", "br", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SPACE = re.compile(r"\s+")
_SEPARATOR = re.compile("[ \n]")


# --------------------------------------------------------------------------- folding


@lru_cache(maxsize=1)
def fold_pairs() -> str:
    """Traditional→simplified as one string of character pairs, only characters that change.

    Single code points on both sides (BMP only), so folding never changes a text's length and
    match positions in folded text are positions in the original text, which is what the
    snippet highlighter needs."""
    import opencc

    converter = opencc.OpenCC("t2s")
    source = "".join(chr(i) for r in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for i in range(*r))
    out = converter.convert("\n".join(source)).split("\n")
    return "".join(a + b for a, b in zip(source, out) if a != b and len(b) == 1 and ord(b) < 0x10000)


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    pairs = fold_pairs()
    return {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}


def _fold_codes(text: str, np):
    """fold(text) + "\n" as code points (uint32): the same, with the traditional → simplified
    table applied by a numpy lookup (str.translate with the table took a fifth of the indexer's
    time)."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return _fold_lut(np)[np.frombuffer((lower + "\n").encode("utf-32-le"), dtype=np.uint32)]


@lru_cache(maxsize=1)
def _fold_lut(np):
    lut = np.arange(0x110000, dtype=np.uint32)
    table = _fold_table()
    lut[np.fromiter(table.keys(), dtype=np.int64, count=len(table))] = [ord(v) for v in table.values()]
    return lut


def fold(text: str) -> str:
    """What the index and the worker compare: simplified script, lower-case Latin."""
    lower = text.lower()
    if len(lower) != len(text):  # e.g. İ → i̇: keep such characters so positions stay put
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower.translate(_fold_table())


# --------------------------------------------------------------------------- page text


class _Blocks(HTMLParser):
    """Block texts of an HTML fragment: [(kind, text)], headings marked, permalinks dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int, str]] = []
        self.parts: list[str] = []
        self.kind = BODY
        self.skip = 0  # depth inside <a class="headerlink"> (the ¶ permalink)

    def flush(self):
        text = _SPACE.sub(" ", "".join(self.parts)).strip()
        if text:
            self.blocks.append((self.kind, text))
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if self.skip:
            self.skip += tag != "br"
            return
        if tag == "a" and "headerlink" in (dict(attrs).get("class") or "").split():
            self.skip = 1
        elif tag in _HEADINGS:
            self.flush()
            self.kind = HEADING
        elif tag in _BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
            return
        if tag in _HEADINGS:
            self.flush()
            self.kind = BODY
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_blocks(html: str) -> list[tuple[int, str]]:
    """[(kind, text)] of an article's HTML: what _Blocks reads, read by a regular expression over
    the tags when the HTML is the plain markup python-markdown writes (4 times faster than
    html.parser, which was the larger part of the indexer's time); anything else (scripts,
    styles, declarations, CDATA) goes through html.parser."""
    if _UNUSUAL.search(html):
        return _parsed_blocks(html)
    blocks: list[tuple[int, str]] = []
    parts: list[str] = []
    kind, skip = BODY, 0

    def flush():
        text = _SPACE.sub(" ", "".join(parts)).strip()
        if text:
            blocks.append((kind, text))
        parts.clear()

    # The text before the first tag, then (closing "/", tag name, attributes, the text after
    # it) for every tag; a comment's name is None. Split in one call: a match object per tag
    # cost a fifth of the time.
    pieces = _TAG.split(html)
    if pieces[0]:
        parts.append(unescape(pieces[0]) if "&" in pieces[0] else pieces[0])
    for i in range(1, len(pieces), 4):
        tag = pieces[i + 1] and pieces[i + 1].lower()
        # Only blocks, headings and links (a permalink starts a skip) change anything while
        # nothing is skipped: <strong>, <span> and the like only end a piece of text.
        if tag is not None and (skip or tag in _MARKING):
            closing, attrs = pieces[i], pieces[i + 2]
            # As html.parser reports them: <x/> is a start tag and an end tag.
            for end in ((False, True) if attrs.endswith("/") else (False,)) if not closing else (True,):
                if not end:
                    if skip:
                        skip += tag != "br"
                    elif tag == "a":
                        skip = int("headerlink" in _class_of(attrs).split())
                    elif tag in _HEADINGS:
                        flush()
                        kind = HEADING
                    else:
                        flush()
                elif skip:
                    skip -= 1
                elif tag in _HEADINGS:
                    flush()
                    kind = BODY
                elif tag != "a":
                    flush()
        data = pieces[i + 3]
        if data and not skip:
            parts.append(unescape(data) if "&" in data else data)
    flush()
    return blocks


# Tags as html.parser reads them (name: a letter, then anything but space, "/" or ">"), and
# comments; what the fast path leaves to html.parser.
_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)([^>]*)>", re.S)
_UNUSUAL = re.compile(r"<(?:script|style|textarea|title|xmp|iframe|noembed|noframes|plaintext)\b|<![^-]|<!-(?!-)|<\?"
                      r"|<!--(?:(?!-->).)*$|<[a-zA-Z/][^>]*$", re.I | re.S)
_MARKING = _BLOCKS | _HEADINGS | {"a"}  # the tags html_blocks looks at
_CLASS = re.compile(r"""(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


def _class_of(attrs: str) -> str:
    match = _CLASS.search(attrs)
    if not match:
        return ""
    value = next(v for v in match.groups() if v is not None)
    return unescape(value) if "&" in value else value


def _parsed_blocks(html: str) -> list[tuple[int, str]]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


# --------------------------------------------------------------------------- index
#
# Layout (every data file but manifest.js deflate-compressed, then Z85 in a
# `fanwenData(key, "…")` script):
#
# * The text of all pages is one stream: page 0, "\n", page 1, "\n", … Page d starts at the sum
#   of the lengths (+1) of the pages before it; `docs` holds those lengths (as four byte planes,
#   planes_u32), so a position in the stream names a page and a place in it.
# * fold: the traditional → simplified pairs whose simplified character occurs (varints: the
#   traditional code point from the one before, the simplified one from it + 65,536).
# * t/<n>: the n-th piece of that stream (snippets), each about TEXT_FILE bytes on disk
#   (_text_chunks); `chunks` holds the code points of each (planes_u32). Many pages per file:
#   a few hundred files for 10,000 pages instead of one per page and 1,000 characters.
# * o/<n>: the openings (first OPEN code points) of open_pages[n] pages (manifest "open",
#   "open_pages": the pages of each o/ file, about TEXT_FILE bytes each: _opening_files), one
#   after the other; where each begins follows from the page lengths. A
#   snippet inside a page's opening is read from here (search-worker.js textRange).
# * Trigram postings are positions in the stream, delta-coded per trigram (the first from the
#   start of the stream), with the field of each (TITLE, HEADING, BODY). A page-local
#   (document, count, positions) list cost twice as much; the stream position holds the
#   document for free. In a shard the positions of all its trigrams are written together as
#   four byte planes of the gaps, then the fields four to a byte (_planes).
# * Unigram and bigram postings stay document lists: (document gap, count << 3 | fields) varints.
# * The grams are in parts by the code point of their last character, a trigram by its middle
#   one (gram_part), each part written on its own: s/<part>-<n> holds the postings of the part's
#   grams whose FNV hash is n modulo the part's shard count (manifest "shards", one count per
#   part). A trigram is hashed by its first bigram, so it lies in that bigram's shard: a query
#   word reads one shard per bigram, and the "missing" answer (every bigram) no more. A bigram
#   whose trigrams would make its shard much larger than the rest is marked spread, and its
#   trigrams are hashed by themselves (shard_hash_key; the worker reads the bigram's shard
#   first). A shard still much larger than SHARD_FILE is cut into k files s/<part>-<n>-<j>, j
#   the hash divided by the shard count, modulo k (manifest "split": {part: {n: k}};
#   shard_file). A shard file starts with a header: three uint32 (the number of grams, the
#   bytes of the codes, the bytes of the gram text), the codes (for a 1-2-gram its list's bytes
#   << 2, for a trigram its number of positions << 2, or k << 2 | 1 for a list longer than BIG
#   in x/<part>-<k>; | 2 for a spread bigram) and the grams, front-coded (_gram_text); then
#   the lists of the 1-2-grams not in x/, in order, then the positions of the trigrams not in
#   x/, in order, as planes. An x/ file holds one list: a 1-2-gram's bytes, or a trigram's
#   number of positions (varint) and its planes.
# * m/<n>: location, title and label of META pages (meta_text: columns, locations front-coded);
#   m/all: the same of every page, when there are more than two m/ files (manifest "meta_all":
#   from how many m/ files on reading it is cheaper).
# * delta/…: the same files for the pages edited during `mkdocs serve` (write_delta), or changed
#   since the index was built when `fanwen build` reuses it (fanwen/search/reuse.py); the
#   manifest's "delta" lists the pages of the first index they replace and, from `fanwen build`,
#   the place of each of its pages among them (results of equal rank keep the build's order).
# * record.json: what each page of a full index was (reuse.py), for the next `fanwen build`;
#   the worker never reads it.

# Sizes on disk aimed at: few files (under 2,000 at 10,000 pages of the bench's library) while a
# query still downloads little. How well text and postings compress depends on the library
# (the bench's synthetic pages repeat each other and shrink six-fold, real pages two-fold), so
# shard counts and the text chunk length are chosen from a compressed sample of each.
SHARD_FILE = 47104   # bytes on disk aimed at per shard file
SPLIT = 1.4          # a shard more than this many times SHARD_FILE is cut into files of 1.2 times it
TEXT_FILE = 20480    # bytes on disk aimed at per text chunk file
TEXT_OVER = 1.2      # a text chunk more than this many times TEXT_FILE is cut shorter (_text_chunks)
_MIN_CHUNK = 4096    # code points of a text chunk at least (but the last)
_MAX_CHUNK = 262_144  # and at most
BIGRAM_FILE = 16384  # bytes on disk aimed at per b/ file (documents and fields of bigrams; a
                     # first query reads one to three: 20,480 left the complete answer to 领导小组
                     # at 310 KB, 16,384 at 298 KB, for 43 more files at 10,000 pages)
META = 256           # pages per m/ file: the first ten results read up to ten of them
OPEN = 512           # code points of each page's opening in the o/ files
BIG = 65536          # posting bytes above which a list gets its own x/ file
SAMPLE = 1000        # pages whose text sets the size of the t/ and o/ files (chunk_length, opening_pages)
TEXT_SAMPLE = 160_000  # code points of their text compressed to set the size of the t/ files
LEVEL = 6            # libdeflate level: 8 saves about 1% and takes twice as long
_BITS = 21           # bits per code point in an n-gram key
_LOW = (1 << _BITS) - 1
_FIELD_BITS = (1, 2, 4)  # BODY, HEADING, TITLE as the bits of a 1-2-gram's field mask
_STEP = 1 << 22      # positions per slice of a whole-stream pass: no int64 copy of the stream
_NARROW_CELL = 32    # bits of a four-byte cell (_part_context); a larger cell takes eight
_KEY_BITS = 63       # bits of a sort key (a non-negative int64)


def fnv(key: str) -> int:
    """FNV-1a over code points; the worker computes the same to find a gram's shard."""
    h = 0x811C9DC5
    for ch in key:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def _fnv_keys(keys, np):
    """fnv() of the grams packed in int64 keys (1-3 code points of _BITS bits), vectorised."""
    h = np.full(len(keys), 0x811C9DC5, dtype=np.uint64)
    length = np.where(keys >> (2 * _BITS) > 0, 3, np.where(keys >> _BITS > 0, 2, 1))
    for i in (2, 1, 0):  # most significant code point first
        char = ((keys >> (i * _BITS)) & _LOW).astype(np.uint64)
        live = length > i
        h = np.where(live, ((h ^ char) * np.uint64(0x01000193)) & np.uint64(0xFFFFFFFF), h)
    return h


def _gram(key: int) -> str:
    chars = []
    while key:
        chars.append(chr(key & _LOW))
        key >>= _BITS
    return "".join(reversed(chars))


def _varints(values, np):
    """LEB128 varints of non-negative int64 values, vectorised: (bytes, end offset of each).

    Every value's first byte is written in one pass; the values with a second byte (a few in
    a hundred: gaps and counts are mostly small) in another, and so on. (A table of a row per
    value and a column per byte, read out through a mask, took three times as long; walking
    the values byte by byte in Python, far longer.)"""
    values = np.asarray(values)
    count = len(values)
    if not count:
        return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64)
    top = int(values.max())
    # Non-negative: read as unsigned as it is, without a copy; 32 bits where they do.
    values = values.astype(np.uint32 if top < 1 << 32 else np.uint64, copy=False) if values.dtype.kind in "iu" else values
    width = max(1, (top.bit_length() + 6) // 7)  # bytes of the largest value
    if width == 1:
        return values.astype(np.uint8), np.arange(1, count + 1, dtype=np.int64)
    size = np.ones(count, dtype=np.uint8)
    for j in range(1, width):
        size += values >= (1 << 7 * j)
    ends = np.cumsum(size, dtype=np.int64)
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    out[ends - size] = (values & 0x7F).astype(np.uint8) | (size > 1).astype(np.uint8) << 7
    longer = np.flatnonzero(size > 1)
    for j in range(1, width):
        rest = values[longer] >> (7 * j)
        more = size[longer] > j + 1
        out[ends[longer] - size[longer] + j] = (rest & 0x7F).astype(np.uint8) | more.astype(np.uint8) << 7
        longer = longer[more]
    return out, ends


def _pack(payload: bytes) -> str:
    """Raw deflate (the browser's DecompressionStream("deflate-raw") reads it) by libdeflate:
    at its level 6 two percent smaller than zlib's and 2.3 times as fast (zlib took a sixth of
    the indexer's time), then Z85."""
    return z85(deflate.deflate_compress(payload, LEVEL))


def _fit(length: int, size: int, least: int, most: int, step: int) -> int:
    """Units for a file of TEXT_FILE bytes on disk, when `length` units took `size`: a multiple
    of `step` between `least` and `most`."""
    return max(least, min(most, TEXT_FILE * length // max(1, size) // step * step))


def _chunk_size(length: int, size: int) -> int:
    """Code points for a text chunk of TEXT_FILE bytes on disk (see _fit)."""
    return _fit(length, size, _MIN_CHUNK, _MAX_CHUNK, 1024)


def _sized_files(total: int, pack, estimate: int, final: bool, least: int, most: int,
                 step: int) -> tuple[list[tuple[int, str]], int, int]:
    """`total` units (code points of text, pages' openings) cut into files of about TEXT_FILE
    bytes each, `pack(at, count)` making the file of units [at, at + count): ([(units, packed
    file)], the units to try for the next file, the units used). Not `final`: a file only where
    more units follow it (the pages still to come may belong in it); `final`: the rest as well.

    Why each file by its own size: how well text compresses changes along the stream (the
    writing templates and overview pages at its end, tables, pages repeating each other), and
    one length fixed from the first pages made files of up to twice the size aimed at, which a
    snippet of a hundred characters reads whole. Each file starts from the length that suited
    the one before; one that comes out more than TEXT_OVER times too large is cut again from its
    own ratio, or halfway between the lengths tried where the ratio misleads (the text changes
    inside the file), a few times at most. One too small is kept (the next one is longer):
    trying again cost as much compressing as the files themselves."""
    made, at = [], 0
    while at < total:
        left = total - at
        if not final and left < estimate:
            break
        length = min(estimate, left)
        tried = {length: pack(at, length)}
        low, high = 0, left + 1  # the longest count known too small, the shortest too large
        for _ in range(8):
            packed = tried[length]
            if len(packed) > TEXT_OVER * TEXT_FILE and length > least:
                high = length
            elif high <= left and len(packed) * TEXT_OVER < TEXT_FILE and length < min(left, most):
                low = length  # after a try too large (a small file only costs a file more)
            else:
                break
            guess = min(_fit(length, len(packed), least, most, step), left)
            if not low < guess < high:
                guess = (low + high) // 2
            if guess in tried or high - low < 2:
                break
            length = guess
            tried[length] = pack(at, length)
        if len(tried[length]) > TEXT_OVER * TEXT_FILE and low:  # out of tries: the longest not too large
            length = low
        packed = tried[length]
        if not final and at + length == total and len(packed) * TEXT_OVER < TEXT_FILE:
            # All that has come is too little for a file: wait for the pages after it, until
            # there is as much as should fill one (not a try after every page).
            estimate = max(estimate, _fit(length, len(packed), least, most, step))
            break
        made.append((length, packed))
        at += length
        if length >= least:  # the last, short file of the stream says little
            estimate = _fit(length, len(packed), least, most, step)
    return made, estimate, at


def _text_chunks(text: str, estimate: int, final: bool) -> tuple[list[tuple[int, str]], int, int]:
    """`text` in t/ files of about TEXT_FILE bytes each (_sized_files; units: code points)."""
    return _sized_files(len(text), lambda at, count: _pack(text[at:at + count].encode("utf-8")),
                        estimate, final, _MIN_CHUNK, _MAX_CHUNK, 1024)


def _opening_files(openings: list[str], estimate: int, final: bool) -> tuple[list[tuple[int, str]], int, int]:
    """Pages' openings in o/ files of about TEXT_FILE bytes each (_sized_files; units: pages)."""
    return _sized_files(len(openings), lambda at, count: _pack("".join(openings[at:at + count]).encode("utf-8")),
                        estimate, final, 16, 4096, 16)


# Z85 (ZeroMQ's base 85): 5 characters per 4 bytes where base64 takes 5⅓, so every index file,
# and what the first query downloads, is 6% smaller. None of its characters needs escaping in a
# JSON string. The first character is the number of zero bytes padded to a multiple of four.
Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85(data: bytes) -> str:
    import numpy as np

    pad = -len(data) % 4
    words = np.frombuffer(bytes(data) + b"\0" * pad, dtype=">u4").astype(np.uint32)
    digits = np.empty((len(words), 5), dtype=np.uint8)
    alphabet = np.frombuffer(Z85.encode("ascii"), dtype=np.uint8)
    for i in range(4, -1, -1):
        words, digit = np.divmod(words, np.uint32(85))
        digits[:, i] = alphabet[digit]
    return str(pad) + digits.tobytes().decode("ascii")


def unpack(payload: str) -> bytes:
    """The bytes of a data file's payload (z85 of raw deflate), as search-worker.js reads it."""
    import numpy as np

    values = np.zeros(128, dtype=np.int64)
    values[np.frombuffer(Z85.encode("ascii"), dtype=np.uint8)] = np.arange(85)
    digits = values[np.frombuffer(payload[1:].encode("ascii"), dtype=np.uint8)].reshape(-1, 5)
    words = np.zeros(len(digits), dtype=np.int64)
    for i in range(5):
        words = words * 85 + digits[:, i]
    data = words.astype(">u4").tobytes()
    return zlib.decompress(data[:len(data) - int(payload[0])], -15)


class Index:
    """Collects pages during the build and writes the index after it.

    Pages are kept as folded code points (4 bytes a character) and field marks; the n-grams are
    counted once, at the end, with numpy over the whole stream (sorting n-gram keys), which is
    tens of times faster than counting page by page in Python. Which part a gram goes to, and so
    every shard, depends on the length of the whole text, known only after the last page.

    What later pages cannot change is made as the pages come (the indexer is otherwise idle
    while MkDocs renders): each text chunk, each file of openings and each m/ file as soon as it
    is full, once the sample that fixes its size is in. prepare() makes the rest in memory when
    the last page is in, while MkDocs still writes the pages; write_part() writes it all."""

    def __init__(self, prefix: str = ""):
        """`prefix`: a folder inside the index for all its files (DELTA for the pages edited
        during `mkdocs serve`)."""
        import numpy  # here, not at the top: the build process counts n-grams only in `mkdocs serve`

        self.np = numpy
        self.prefix = prefix
        self.docs: list[tuple[str, str, str]] = []  # (location, title, label: 方案 · 村 / 写作模板)
        self.lengths: list[int] = []            # code points of each page's text
        # The folded code points of every page, then "\n" (uint32), and the TITLE / HEADING /
        # BODY of each (uint8), one after the other: growing buffers, never joined from pieces
        # (joining took a second copy of the stream at its largest, 160 MB at 10,000 pages).
        self.codes = bytearray()
        self.fields = bytearray()
        self.texts: list[str] = []              # the text of the first SAMPLE pages (the samples)
        self.made = _Files()                    # t/, o/ and m/ files complete before the last page
        self._text: list[str] = []              # page text (and "\n") not yet in a t/ file
        self._text_size = 0                     # its code points
        self._stream_size = 0                   # code points of the whole stream so far
        self._chunk = None                      # code points of the next t/ file, once the sample is in
        self._chunk_lengths: list[int] = []     # code points of each t/ file made
        self._openings: list[str] = []          # openings not yet in an o/ file
        self._per = None                        # pages of the next o/ file, once the sample is in
        self._open_groups: list[int] = []       # pages of each o/ file made
        self._meta_sizes: list[int] = []        # bytes of each m/ file made
        self.final = None                       # what prepare() made after the last page
        self._context = None                    # what counting every part needs (_part_context)

    def add(self, location: str, title: str, blocks: list[tuple[int, str]], label: str = "") -> None:
        """One page: its URL (relative to the site root), title and article blocks. Its text
        is the title and the blocks joined by newlines; n-grams never span a newline or a space.
        `label` (type · level, or 写作模板) is shown with the result, so the page can narrow
        the results by it; it is not searched."""
        np = self.np
        blocks = [(TITLE, _SPACE.sub(" ", title).strip())] + blocks
        text = "\n".join(t for _, t in blocks)
        self.docs.append((location, blocks[0][1], label))
        self.lengths.append(len(text))
        codes = _fold_codes(text, np)
        fields = np.zeros(len(codes), dtype=np.uint8)
        offset = 0
        for kind, block in blocks:
            if kind != BODY:
                fields[offset:offset + len(block)] = kind
            offset += len(block) + 1
        if self.codes is None:  # a page after prepare(): the rest is made again
            self._restore_stream()
        self.final = self._context = None
        try:
            self.codes += codes.tobytes()
            self.fields += fields.tobytes()
        except BufferError:  # an array made by _stream() still reads them: grow a copy
            self.codes, self.fields = bytearray(self.codes) + codes.tobytes(), bytearray(self.fields) + fields.tobytes()
        if len(self.texts) < SAMPLE:
            self.texts.append(text)
        self._text.append(text + "\n")
        self._text_size += len(text) + 1
        self._stream_size += len(text) + 1
        self._openings.append(text[:OPEN])
        self._make_full_files()

    def _make_full_files(self) -> None:
        """The t/, o/ and m/ files no later page can change: each as soon as it is full (and the
        sample that sets its size is complete), so that little is left after the last page."""
        if self._chunk is None and (len(self.texts) >= SAMPLE or self._stream_size - 1 >= TEXT_SAMPLE):
            self._chunk = self.chunk_length()
        if self._chunk is not None and self._text_size >= self._chunk:
            text = "".join(self._text)
            made, self._chunk, used = _text_chunks(text, self._chunk, final=False)
            for length, packed in made:
                self.made.put(f"{self.prefix}t/{len(self._chunk_lengths)}", packed)
                self._chunk_lengths.append(length)
            self._text, self._text_size = [text[used:]], len(text) - used
        if self._per is None and len(self.texts) >= SAMPLE:
            self._per = self.opening_pages([text[:OPEN] for text in self.texts])
        if self._per is not None and len(self._openings) >= self._per:
            made, self._per, used = _opening_files(self._openings, self._per, final=False)
            for count, packed in made:
                self.made.put(f"{self.prefix}o/{len(self._open_groups)}", packed)
                self._open_groups.append(count)
            self._openings = self._openings[used:]
        while (len(self._meta_sizes) + 1) * META <= len(self.docs):
            start = len(self._meta_sizes) * META
            self._meta_sizes.append(self.made.put(f"{self.prefix}m/{start // META}", _pack(meta_text(self.docs[start:start + META]))))

    def chunk_length(self) -> int:
        """Code points of the first text chunk: TEXT_FILE on disk, judged from the first 160,000
        characters compressed in pieces of 40,000 (each chunk after it from the one before:
        _text_chunks)."""
        sample = "\n".join(self.texts[:SAMPLE])[:TEXT_SAMPLE]
        if not sample:
            return _MIN_CHUNK
        size = sum(len(_pack(sample[i:i + 40_000].encode("utf-8"))) for i in range(0, len(sample), 40_000))
        return _chunk_size(len(sample), size)

    def opening_pages(self, openings: list[str]) -> int:
        """Pages of the first o/ file: TEXT_FILE on disk, judged from the openings of the first
        1,000 pages compressed in pieces of 200 (each file after it from the one before:
        _opening_files)."""
        sample = openings[:SAMPLE]
        if not sample:
            return 256
        size = sum(len(_pack("".join(sample[i:i + 200]).encode("utf-8"))) for i in range(0, len(sample), 200))
        return max(16, min(4096, TEXT_FILE * len(sample) // max(1, size) // 16 * 16))

    def postings(self) -> dict:
        """n-gram → its posting list: for 1-2 characters the bytes written to the shards, for
        trigrams [(gap, field)] (the first gap from the start of the stream)."""
        out = {}
        for _, keys, begins, sizes, data, gaps, kinds, _ in self._parts():
            for key, begin, size in zip(keys.tolist(), begins.tolist(), sizes.tolist()):
                if key >> 2 * _BITS:
                    out[_gram(key)] = list(zip(gaps[begin:begin + size].tolist(), kinds[begin:begin + size].tolist()))
                else:
                    out[_gram(key)] = data[begin:begin + size].tobytes()
        return out

    def _stream(self):
        """(folded code points, fields) of the whole stream, as arrays over the buffers."""
        np = self.np
        return np.frombuffer(self.codes, dtype=np.uint32), np.frombuffer(self.fields, dtype=np.uint8)

    def _restore_stream(self) -> None:
        """The stream's buffers again from the cells (_part_context drops them), for a page
        that comes after prepare()."""
        np, c = self.np, self._context
        cells = c.cells[1:-1]
        self.codes = bytearray(c.vocab[cells & c.low].astype(np.uint32).tobytes())
        self.fields = bytearray(((cells >> c.idbits) & 3).astype(np.uint8).tobytes())

    def _parts(self, only=None):
        """Yields (part, gram keys, byte offsets, byte sizes, posting bytes) for each part of the
        grams (or the parts in `only`): those whose last character's code point is `part` modulo
        the number of parts (gram_part). One part at a time, so that sorting never holds more
        than a few million numbers, and each part's shards are written before the next is counted."""
        context = self._part_context()
        if context is None:
            return
        for part in (range(context.parts) if only is None else only):
            yield self._part(context, part)

    def _part_context(self):
        """What counting each part needs, made once for all of them (and shared with the forked
        writer): each position of the stream as one number, its "cell" (its character's dense
        id, its field and its document), the positions of every part grouped in one array, and
        which ids are separators.

        Why packed numbers: characters get dense ids (a few thousand distinct ones), so that a
        gram, its document or position and its field fit in one int64 and a plain np.sort
        orders them (an argsort and gathers cost three to four times as much).

        Why cells and grouped positions: a part reads each of its characters with the one
        before and the one after it, all they need, in one read of twelve bytes, and finds
        its positions without comparing the part of every position of the stream. Reading
        ids, fields, documents and parts from arrays of their own took seven passes over the
        whole stream for every part: half of the counting. The stream's buffers are dropped
        once they are cells, so the counting holds 8 bytes a position (cell and place in the
        grouped positions) where it held 10; a page after prepare() makes them again."""
        if self._context is not None:
            return self._context
        np = self.np
        codes, fields = self._stream()
        n = len(codes)
        if not n:
            return None
        step = _STEP
        seen = np.zeros(0x110000, dtype=bool)
        for i in range(0, n, step):
            seen[codes[i:i + step]] = True
        present = np.flatnonzero(seen)
        idbits = max(1, (len(present) - 1).bit_length())
        docbits = max(1, len(self.lengths).bit_length())
        posbits = max(1, n.bit_length())
        if 2 * idbits + 1 + docbits + 3 > 63 or posbits + 32 > 63:
            raise ValueError(f"搜索索引放不下：{len(self.lengths)} 篇、{n} 字、{len(present)} 个不同的字")
        # A cell: the id, then the field (2 bits), then the document; four bytes a position
        # when they fit (10,000 pages of up to 65,536 distinct characters), else eight. One
        # cell before the stream and one after it, a separator each: every position has a
        # neighbour on either side.
        cell = np.uint32 if idbits + 2 + docbits <= _NARROW_CELL else np.uint64
        lut = np.zeros(0x110000, dtype=cell)
        lut[present] = np.arange(len(present))
        page_starts = np.cumsum(np.asarray(self.lengths, dtype=np.int64) + 1)[:-1]  # of pages 1, 2, …
        cells = np.empty(n + 2, dtype=cell)
        cells[0] = cells[-1] = lut[10]  # the stream ends with "\n", so it is present
        for i in range(0, n, step):
            block = lut[codes[i:i + step]]
            block |= fields[i:i + step].astype(cell) << cell(idbits)
            # The document of each position: the pages begun before the slice, plus one at
            # each page start in it.
            doc = np.zeros(len(block), dtype=cell)
            begun = np.searchsorted(page_starts, [i, i + len(block)])
            doc[page_starts[begun[0]:begun[1]] - i] = 1
            np.cumsum(doc, out=doc)
            doc += cell(begun[0])
            doc <<= cell(idbits + 2)
            block |= doc
            cells[1 + i:1 + i + len(block)] = block
        # Which ids are separators (newline, space, NUL): no n-gram spans one. A table of the
        # few thousand ids, not a flag for every position of the stream.
        separator = np.zeros(len(present), dtype=bool)
        separator[[int(lut[c]) for c in (0, 10, 32) if seen[c]]] = True
        del codes, fields, lut, block, doc
        self.codes = self.fields = None
        parts = self.part_count()
        by_part, bounds = _group_by_part(cells[1:-1], (present % parts).astype(np.uint8 if parts <= 256 else np.uint32),
                                         (1 << idbits) - 1, parts, step, np)
        # Cells p - 1, p and p + 1 of the stream (cells[p:p + 3]) as one item of the array
        # `around` (a view of the same memory): a part reads those of all its positions in
        # one gather.
        size = cells.itemsize
        around = np.ndarray(shape=(n,), dtype=f"V{3 * size}", buffer=cells, strides=(size,))
        self._context = SimpleNamespace(
            cells=cells, around=around, n=n, idbits=idbits, docbits=docbits,
            vocab=present.astype(np.int64), parts=parts, by_part=by_part, bounds=bounds, separator=separator,
            low=(1 << idbits) - 1)
        return self._context

    def _part(self, c, part):
        """(part, gram keys, byte offsets, byte sizes, posting bytes, trigram gaps, their fields)
        of one part (see _parts)."""
        np = self.np
        vocab, separator, idbits, docbits, low = c.vocab, c.separator, c.idbits, c.docbits, c.low
        last = c.by_part[c.bounds[part]:c.bounds[part + 1]].astype(np.int64)  # this part's characters
        # Each with the character before it and the one after it, as columns: before, this, after.
        cells = np.ascontiguousarray(c.around[last].view(c.cells.dtype).reshape(-1, 3).T)
        ids = cells & c.cells.dtype.type(low)
        solid = ~separator[ids]
        one = solid[1]            # a unigram ends here
        two = one & solid[0]      # a bigram ends here
        three = two & solid[2]    # a trigram has its middle here
        del solid
        marks = ((cells[:2] >> idbits) & 3).astype(np.uint8)  # TITLE / HEADING / BODY
        doc = (cells[1] >> (idbits + 2)).astype(np.int64)  # (eight-byte cells are unsigned)
        del cells
        # 1- and 2-grams: (gram, document) pairs, their counts and the OR of their fields'
        # bits. A bigram's number is ((first + 1) << idbits | second): never a unigram's.
        # In place, with the fewest temporaries (the largest part's are the indexer's peak
        # memory): (gram << docbits | document) << 3 | field bit (a bigram's field is that of
        # its first character).
        this = ids[1].astype(np.int64)
        packed = np.concatenate([this[one], (ids[0][two].astype(np.int64) + 1) << idbits | this[two]])
        del this
        packed <<= docbits
        packed |= np.concatenate([doc[one], doc[two]])
        packed <<= 3
        packed |= np.left_shift(np.uint8(1), np.concatenate([marks[1][one], marks[0][two]]))  # _FIELD_BITS: 1 << field
        del doc
        packed.sort()
        low3 = (packed & 7).astype(np.uint8)
        pair = packed
        pair >>= 3
        del packed
        first = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
        count = np.diff(np.append(first, len(pair)))
        mask = np.bitwise_or.reduceat(low3, first).astype(np.int64) if len(first) else first
        pair = pair[first]
        del first, low3
        grams, docs = pair >> docbits, pair & ((1 << docbits) - 1)
        new_gram = np.concatenate([[True], grams[1:] != grams[:-1]])
        gap = docs - np.concatenate([[-1], docs[:-1]]) - 1
        gap[new_gram] = docs[new_gram]
        values = np.empty(2 * len(grams), dtype=np.int64)
        values[0::2], values[1::2] = gap, count << 3 | mask
        grams = grams[new_gram]
        head = grams >> idbits
        keys = np.where(head > 0, vocab[np.maximum(head - 1, 0)] << _BITS | vocab[grams & low],
                        vocab[grams & low])
        short = self._lists(keys, new_gram, values, 2)
        # The same lists without the counts for the b/ files (each gram's first posting and
        # number of postings, the document gaps, the fields): the "missing" answer needs only
        # which pages have each two characters of a word, and where.
        firsts = np.flatnonzero(new_gram)
        presence = (firsts, np.diff(np.append(firsts, len(gap))), gap.astype(np.uint32), mask.astype(np.uint8))
        del values, gap, docs, grams, pair, mask, firsts
        # Trigrams: positions in the stream (of their first character), ascending per trigram,
        # and the field of each. A trigram belongs to the part of its middle character, the
        # part of its first bigram: the two are written to the same shard (_write_shards).
        at = last[three] - 1
        grams = ids[0][three].astype(np.int64)
        grams <<= idbits
        grams |= ids[1][three].astype(np.int64)
        grams <<= idbits
        grams |= ids[2][three].astype(np.int64)
        kinds = marks[0][three]
        del last, ids, marks, one, two, three
        # Sorted with each one's place in this part's list in the low bits (the places ascend
        # with the positions, so each trigram's positions stay ascending): the place takes
        # fewer bits than the stream position, which did not always fit beside the trigram.
        places = max(1, len(at).bit_length())
        if 3 * idbits + places <= _KEY_BITS:
            grams <<= places
            grams |= np.arange(len(at))
            grams.sort()
            place = grams & ((1 << places) - 1)
            grams >>= places
        else:  # many distinct characters: a stable argsort keeps each trigram's places in order
            place = np.argsort(grams, kind="stable")
            grams = grams[place]
        at, kinds = at[place], kinds[place]
        del place
        new_gram = np.concatenate([[True], grams[1:] != grams[:-1]])
        gap = at - np.concatenate([[0], at[:-1]])
        gap[new_gram] = at[new_gram]
        grams = grams[new_gram]
        keys = (vocab[grams >> 2 * idbits] << 2 * _BITS | vocab[(grams >> idbits) & low] << _BITS
                | vocab[grams & low])
        heads = np.flatnonzero(new_gram)
        counts = np.diff(np.append(heads, len(gap)))
        del at, grams, new_gram
        # Short lists: byte ranges of `short[2]`; trigram lists: ranges of the values.
        return (part, np.concatenate([short[0], keys]), np.concatenate([short[1][:-1], heads]),
                np.concatenate([np.diff(short[1]), counts]), short[2], gap.astype(np.uint32), kinds, presence)

    def part_count(self) -> int:
        """Parts of about a million characters of text each (the memory of sorting one part
        is some 150 MB)."""
        return max(1, -(-sum(self.lengths) // 1_000_000))

    def _lists(self, keys, new_gram, values, per):
        """(keys of the grams, byte offset of each gram's list and the end, bytes) from the
        varint values of consecutive grams, `per` values per posting."""
        np = self.np
        data, ends = _varints(values, np)
        heads = np.flatnonzero(new_gram)
        offsets = np.concatenate([[0], ends])[np.append(heads * per, len(values))]
        return keys, offsets, data

    def write(self, site_dir: str | Path) -> dict:
        """Write the index under site/search/fanwen/; returns the manifest."""
        root = prepare_index_dir(site_dir)
        return write_manifest(root, self.write_part(root))

    def prepare(self, stop=None) -> None:
        """Make in memory what is left after the last page (self.final): the last t/, o/ and
        m/ files, m/all, docs, then the shards part by part, asking `stop()` before each part
        whether to leave the rest to write_part (the build wants the index now: the rest is
        shared out between two processes there).

        Why: BackgroundIndex calls this as soon as the last page is in, while MkDocs still
        writes every page; the build then only waits for the files to be written."""
        if self.final is None:
            self.final = self._final_files()
        final = self.final
        while final.left and not (stop is not None and stop()):
            self._shards_of(self._parts([final.left[0]]), [final.left[0]], final.files, final.result)
            final.left.pop(0)

    def _final_files(self):
        """Every file but the shards and fold, in memory: what no page after the last could
        change is in self.made already."""
        np = self.np
        files = _Files()
        # The sizes: as fixed during the pages, or from the samples now (fewer pages than they
        # take). Nothing of self is changed: a page that came after this would make it again.
        chunk = self._chunk if self._chunk is not None else self.chunk_length()
        per = self._per if self._per is not None else self.opening_pages([text[:OPEN] for text in self.texts])
        made, _, _ = _text_chunks("".join(self._text), chunk, final=True)
        lengths = list(self._chunk_lengths)
        if not lengths and not made:  # one file even of no text at all (the first t/ file is always there)
            made = [(0, _pack(b""))]
        for length, packed in made:
            files.put(f"{self.prefix}t/{len(lengths)}", packed)
            lengths.append(length)
        # Where each t/ file begins: the code points of each, as four byte planes (planes_u32).
        files.put(f"{self.prefix}chunks", _pack(planes_u32(lengths, np)))
        # The opening of every page again, many pages to a file: a snippet within a page's
        # first OPEN code points (a title match is nearly always followed by the words early in
        # the text) reads the o/ file instead of a text chunk, and an o/ file holds the openings
        # of some ten times as many pages as a chunk holds whole pages.
        groups = list(self._open_groups)
        for count, packed in _opening_files(self._openings, per, final=True)[0]:
            files.put(f"{self.prefix}o/{len(groups)}", packed)
            groups.append(count)
        meta_sizes = list(self._meta_sizes)
        for start in range(len(meta_sizes) * META, len(self.docs), META):
            meta_sizes.append(files.put(f"{self.prefix}m/{start // META}", _pack(meta_text(self.docs[start:start + META]))))
        # Every page's row in one file as well: the complete answer to a broad query needs the
        # rows of most pages, and one file of all of them is smaller than the m/ files it
        # replaces (front coding and deflate work across all the locations). The worker reads
        # it when it would read at least `meta_all` m/ files it has not read yet.
        meta_all = 0
        if len(meta_sizes) > 2:
            whole = files.put(f"{self.prefix}m/all", _pack(meta_text(self.docs)))
            meta_all = -(-whole * len(meta_sizes) // sum(meta_sizes))
        # Every page's label (方案 · 村, 写作模板) as a column of its own: narrowing the results
        # by type and level needs the label of every result, and the m/ files (with locations
        # and titles) are read only for the results shown (search-worker.js).
        files.put(f"{self.prefix}tags", _pack(labels_column([label for _, _, label in self.docs], np)))
        lengths = np.asarray(self.lengths, dtype=np.int64)
        # Page lengths as four byte planes (planes_u32): a sixth smaller than varints, and read
        # before the first result.
        files.put(f"{self.prefix}docs", _pack(planes_u32(lengths, np)))
        parts = self.part_count()
        self._part_context()  # made before any fork: both writers share it
        return SimpleNamespace(files=files, groups=groups, meta_all=meta_all, parts=parts,
                               left=list(range(parts)), result={"shards": {}, "split": {}, "bigrams": {}, "unigrams": "", "spread": []})

    def write_part(self, root: Path) -> dict:
        """Every file but the manifest; returns what the manifest says.

        What prepare() has not made yet is made here, the parts left by two processes (this
        one forked) when there are several: at the end of a build nothing else runs, and the
        build process only waits."""
        np = self.np
        if self.final is None:
            self.final = self._final_files()
        final = self.final
        results = [final.result]
        if final.left:
            results += _in_two_processes(lambda only: self._write_parts(root, only), final.left)
        written: dict[str, str] = {**self.made.digests, **final.files.digests}  # key → digest of the file
        self.made.write(root)
        final.files.write(root)
        shards, bigrams, split, unigrams, spread = [0] * final.parts, [0] * final.parts, {}, set(), set()
        for result in results:
            for part, count in result["shards"].items():
                shards[int(part)] = count
            for part, count in result["bigrams"].items():
                bigrams[int(part)] = count
            written.update(result.get("files", {}))
            unigrams.update(result["unigrams"])
            spread.update(result["spread"])
        # The split shards in the order the two writers used to report them (even parts, then
        # odd ones, each ascending): the manifest stays byte for byte what it was.
        two = final.parts >= 2 and hasattr(os, "fork")
        for part in sorted(range(final.parts), key=lambda p: (p % 2, p) if two else p):
            for result in results:
                found = result["split"].get(part, result["split"].get(str(part)))
                if found:
                    split[str(part)] = {str(n): k for n, k in found.items()}
        # Only pairs whose simplified character occurs on some page: any other query character
        # matches nothing folded or not, and the table is loaded before the first result.
        # Packed as varints: each traditional character's code point from the one before (in
        # order), then its simplified one's from it (+65,536: never negative); a third of the
        # plain string in deflate, which the first query downloads.
        pairs = fold_pairs()
        kept = sorted((ord(pairs[i]), ord(pairs[i + 1])) for i in range(0, len(pairs), 2) if pairs[i + 1] in unigrams)
        values = np.asarray([v for n, (t, simple) in enumerate(kept)
                             for v in (t - (kept[n - 1][0] if n else 0), simple - t + 65536)], dtype=np.int64)
        fold = _Files(root)
        fold.put(f"{self.prefix}fold", _pack(_varints(values, np)[0].tobytes()))
        written.update(fold.digests)
        version = hashlib.sha1("".join(f"{key}:{digest}\n" for key, digest in sorted(written.items())).encode())
        return {"v": version.hexdigest()[:12], "docs": len(self.docs), "shards": shards, "split": split, "bigrams": bigrams,
                # The pages of each o/ file: a score of numbers at 10,000 pages, so in the manifest
                # (the code points of each t/ file, hundreds of them, are a data file: chunks).
                "meta": META, "meta_all": final.meta_all, "open": OPEN, "open_pages": final.groups,
                # The bigrams marked spread in their shards, one after the other (a hundred or two at
                # 10,000 pages, common words: 工作, 社会): the worker reads a trigram beginning with
                # one from the shard of its own hash at once, instead of first reading the bigram's
                # shard to learn that it is spread (a third shard, some 50 KB, for 领导小组).
                "spread": "".join(sorted(spread))}

    def _write_parts(self, root: Path, only) -> dict:
        """The shard files of the parts in `only`, written under `root`: {"shards": {part:
        count}, "split": {part: {n: k}}, "files": {key: digest}, "unigrams": characters seen}."""
        files = _Files(root)
        out = {"shards": {}, "split": {}, "bigrams": {}, "unigrams": "", "spread": []}
        self._shards_of(self._parts(only), only, files, out)
        return {**out, "files": files.digests}

    def _shards_of(self, counted, only, files, out) -> None:
        """The shard files of the counted parts (_parts) into `files`, and their counts, splits
        and characters into `out`; a part of `only` with no text at all gets one empty shard."""
        np = self.np
        done = set()
        for part, keys, begins, sizes, data, gaps, kinds, presence in counted:
            out["unigrams"] += "".join(chr(k) for k in keys[keys <= _LOW].tolist())
            made: dict = {}
            out["shards"][part], out["split"][part], spread = self._write_shards(made, f"{part}-", keys, begins, sizes, data, gaps, kinds)
            out["spread"] += spread
            out["bigrams"][part] = self._write_bigrams(made, f"{part}-", keys[:len(presence[0])], *presence)
            done.add(part)
            for key, payload in made.items():
                files.put(self.prefix + key, payload)
        empty = np.zeros(0, dtype=np.int64)
        for part in sorted(set(only) - done):  # no text at all: one empty shard
            made = {}
            out["shards"][part], out["split"][part], _ = self._write_shards(made, f"{part}-", empty, empty, empty, np.zeros(0, dtype=np.uint8),
                                                                         np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint8))
            out["bigrams"][part] = self._write_bigrams(made, f"{part}-", empty, empty, empty, np.zeros(0, dtype=np.uint32),
                                                       np.zeros(0, dtype=np.uint8))
            for key, payload in made.items():
                files.put(self.prefix + key, payload)

    def _write_shards(self, files: dict, prefix: str, keys, begins, sizes, data, gaps, kinds) -> tuple:
        """The shard files s/<prefix><n> and x/<prefix><k> of one part's grams; returns n, the
        split shards ({n: k}) and the bigrams marked spread.
        `begins` and `sizes`: byte ranges of `data` for 1-2-grams, ranges of `gaps` and
        `kinds` (trigram positions as gaps, their fields) for trigrams."""
        np = self.np
        # Postings by FNV hash: a trigram by the hash of its first bigram, so that it lies in the
        # bigram's shard (a query of four characters reads three shards instead of five: the
        # first bigram of each covering trigram, which the "missing" answer reads anyway, and
        # the last bigram). A bigram whose trigrams would make one shard far larger than the
        # others is marked "spread" and its trigrams are hashed by themselves.
        # The shard count: SHARD_FILE on disk per shard, judged from a sample compressed.
        tri = keys >> 2 * _BITS > 0
        raw_size = np.where(tri, sizes * 17 // 4, sizes)  # before deflate: 4 bytes and 2 bits a position
        big = raw_size > BIG
        x_number = np.full(len(keys), -1, dtype=np.int64)
        x_number[big] = np.arange(int(big.sum()))
        spread = np.zeros(len(keys), dtype=bool)

        def shard(grams):
            # Header: codes (size << 2 for a 1-2-gram, number of positions << 2 for a trigram,
            # or x-file number << 2 | 1; | 2 for a spread bigram) and the grams, "\n"-separated.
            code = np.where(big[grams], x_number[grams] << 2 | 1, sizes[grams] << 2) | spread[grams] << 1
            head = _varints(code, np)[0].tobytes()
            text = _gram_text(keys[grams], np)
            inline = grams[~big[grams]]
            short, long = inline[~tri[inline]], inline[tri[inline]]
            body = data[_ragged(begins[short], sizes[short], np)].tobytes()
            at = _ragged(begins[long], sizes[long], np)
            positions = _planes(gaps[at], kinds[at], np)
            return _pack(struct.pack("<III", len(grams), len(head), len(text)) + head + text + body + positions)

        inline_size = np.where(big, 2, raw_size) + 4  # what a gram adds to its shard, before deflate
        raw = int(inline_size.sum()) + 12
        trial = max(1, raw // 131072)
        own = _fnv_keys(keys, np)
        sample = np.flatnonzero(own % np.uint64(trial) == 0)
        packed = len(shard(sample)) if len(sample) else 1
        shards = max(1, round(packed * trial / SHARD_FILE)) if len(sample) else 1
        # Groups: a bigram (or unigram) and the trigrams it begins; "wide" when the group alone
        # would be more than half a shard on disk (a smaller group stays whole: a shard made
        # large by a few of them is cut in files below, and a wide one costs a query two files).
        head_key = np.where(tri, keys >> _BITS, keys)
        heads, group = np.unique(head_key, return_inverse=True)
        group_size = np.bincount(group, weights=inline_size, minlength=len(heads))
        ratio = packed / max(1, int(inline_size[sample].sum()) + 12) if len(sample) else 1
        wide = group_size * ratio > SHARD_FILE / 2
        spread = wide[group] & ~tri & (keys >> _BITS > 0)  # the bigram carries the mark
        hashes = np.where(tri & ~wide[group], _fnv_keys(head_key, np), own)
        which = (hashes % np.uint64(shards)).astype(np.int64)
        order = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[order], np.arange(shards + 1))
        for k, gram in enumerate(np.flatnonzero(big).tolist()):
            begin, size = begins[gram], sizes[gram]
            if tri[gram]:  # the number of positions, then as in a shard
                payload = _varints(np.asarray([size]), np)[0].tobytes() + _planes(gaps[begin:begin + size], kinds[begin:begin + size], np)
            else:
                payload = data[begin:begin + size].tobytes()
            files[f"x/{prefix}{k}"] = _pack(payload)
        # A shard much larger than the rest (a few heavy groups hashed together) is cut into k
        # files by the same hash divided by the shard count, modulo k (the manifest's "split"):
        # the largest file a query reads stays near SHARD_FILE.
        split = {}
        for n in range(shards):
            grams = order[bounds[n]:bounds[n + 1]]
            payload = shard(grams)
            if len(payload) <= SPLIT * SHARD_FILE:
                files[f"s/{prefix}{n}"] = payload
                continue
            # k files of about 1.2 times SHARD_FILE; one more while the hash leaves one of them
            # above the limit (a group is never cut: one larger than the limit stays whole).
            k = -(-len(payload) // int(1.2 * SHARD_FILE))
            while True:
                sub = ((hashes[grams] // np.uint64(shards)) % np.uint64(k)).astype(np.int64)
                pieces = [shard(grams[sub == j]) for j in range(k)]
                if max(map(len, pieces)) <= SPLIT * SHARD_FILE or k >= 8:
                    break
                k += 1
            split[n] = k
            for j, piece in enumerate(pieces):
                files[f"s/{prefix}{n}-{j}"] = piece
        return shards, split, [_gram(key) for key in keys[spread].tolist()]


    def _write_bigrams(self, files: dict, prefix: str, keys, firsts, counts, gaps, fields) -> int:
        """The b/<prefix><n> files of one part's bigrams (of `keys`, 1-2-grams whose postings
        are gaps[firsts[i]:firsts[i] + counts[i]], document gaps, and the fields' bits of each);
        returns n.

        Why: the "missing" answer to a word of three or more characters needs the pages with
        each two characters of it. In a shard a bigram's list is a tenth of the file (the rest
        is its trigrams' positions), and the bigrams that do not begin a covering trigram were
        two of the four shards a five-character word read. Without the counts the lists are
        two fifths of their size, and a b/ file is half a shard. Single characters are left
        out (that answer never reads them: a sixth of the bytes). A bigram's file is its FNV
        hash modulo n (SHARD_FILE's way of choosing n: a sample compressed); in it, the bigrams
        in order (front-coded) and their postings: three uint32 (grams, bytes of the count
        varints, bytes of the gram text), the number of postings of each, the gram text, the
        document gaps of all of them as four byte planes (planes_u32), then their fields, a byte
        each (as small after deflate as varints of gap << 3 | fields, and made without a loop)."""
        np = self.np
        pick = np.flatnonzero(keys > _LOW)
        keys, firsts, counts = keys[pick], firsts[pick], counts[pick]

        def payload(grams):
            at = _ragged(firsts[grams], counts[grams], np)
            head = _varints(counts[grams], np)[0].tobytes()
            text = _gram_text(keys[grams], np)
            return _pack(struct.pack("<III", len(grams), len(head), len(text)) + head + text
                         + planes_u32(gaps[at], np) + fields[at].tobytes())

        own = _fnv_keys(keys, np)
        n = 1
        if len(keys):
            trial = max(1, int(counts.sum()) * 5 // 131072)
            sample = np.flatnonzero(own % np.uint64(trial) == 0)
            if len(sample):
                n = max(1, round(len(payload(sample)) * trial / BIGRAM_FILE))
        which = (own % np.uint64(n)).astype(np.int64)
        for k in range(n):
            grams = np.flatnonzero(which == k)
            files[f"b/{prefix}{k}"] = payload(grams[np.argsort(keys[grams], kind="stable")])
        return n


def planes_u32(values, np) -> bytes:
    """Non-negative numbers below 2**32 as four byte planes, lowest first."""
    return np.asarray(values).astype("<u4").view(np.uint8).reshape(-1, 4).T.tobytes()


def read_u32_planes(data: bytes) -> list[int]:
    """Numbers written by planes_u32 (the docs and chunks files), as search-worker.js reads them."""
    count = len(data) // 4
    return [sum(data[b * count + i] << 8 * b for b in range(4)) for i in range(count)]


def read_fold(data: bytes) -> str:
    """The fold file's pairs as one string (traditional, simplified, …): what fold_pairs()
    gives, for the characters kept (search-worker.js reads it the same way)."""
    values, at, out, before = [], 0, [], 0
    while at < len(data):
        n = shift = 0
        while True:
            n |= (data[at] & 0x7F) << shift
            shift += 7
            at += 1
            if not data[at - 1] & 0x80:
                break
        values.append(n)
    for gap, simple in zip(values[0::2], values[1::2]):
        before += gap
        out.append(chr(before) + chr(before + simple - 65536))
    return "".join(out)


def _planes(gaps, kinds, np) -> bytes:
    """Trigram positions as a shard stores them: the gaps (the first of each list from the
    start of the stream) as four byte planes, lowest first (byte 0 of every gap, then byte 1,
    …), then the fields, four to a byte (lowest bits first). Why: deflate finds the nearly
    constant high bytes and the fields (nearly all body text) in runs; interleaved in varints
    with the gap it could not, and the trigram lists took 15% more."""
    planes = planes_u32(gaps, np)
    count = len(kinds)
    packed = np.zeros(-(-count // 4) * 4, dtype=np.uint8)
    packed[:count] = kinds
    packed = packed.reshape(-1, 4)
    fields = packed[:, 0] | packed[:, 1] << 2 | packed[:, 2] << 4 | packed[:, 3] << 6
    return planes + fields.astype(np.uint8).tobytes()


def read_planes(data: bytes, count: int) -> list[tuple[int, int]]:
    """[(gap, field)] of `count` trigram positions written by _planes (as search-worker.js
    reads them)."""
    out = []
    for i in range(count):
        gap = sum(data[b * count + i] << 8 * b for b in range(4))
        out.append((gap, data[4 * count + i // 4] >> 2 * (i % 4) & 3))
    return out


def gram_part(gram: str, parts: int) -> int:
    """Which part of the index holds an n-gram: the code point of its last character modulo
    the number of parts (the manifest's list of shard counts); for a trigram, of its middle
    character (the part of its first bigram). search-worker.js does the same."""
    return ord(gram[1] if len(gram) == 3 else gram[-1]) % parts


def shard_hash_key(gram: str, spread: bool) -> str:
    """What a gram's shard is chosen by (FNV hash modulo the part's shard count): a trigram
    by its first bigram, unless that bigram is marked spread in its own shard; any other gram
    by itself. search-worker.js does the same (shardOf)."""
    return gram[:2] if len(gram) == 3 and not spread else gram


def bigram_file(manifest: dict, gram: str) -> str:
    """The key of the b/ file that holds the documents and fields of a bigram (search-worker.js
    bigramOf)."""
    part = gram_part(gram, len(manifest["shards"]))
    return f"b/{part}-{fnv(gram) % manifest['bigrams'][part]}"


def spread_bigrams(manifest: dict) -> set[str]:
    """The bigrams marked spread (manifest "spread": two characters each, one after the other)."""
    chars = list(manifest.get("spread", ""))
    return {chars[i] + chars[i + 1] for i in range(0, len(chars) - 1, 2)}


def shard_file(manifest: dict, gram: str, spread: bool = False) -> str:
    """The key of the shard file where `gram` is looked for (with `spread`: a trigram whose
    first bigram is marked spread), as search-worker.js shardOf."""
    part = gram_part(gram, len(manifest["shards"]))
    count = manifest["shards"][part]
    h = fnv(shard_hash_key(gram, spread))
    k = manifest.get("split", {}).get(str(part), {}).get(str(h % count))
    return f"s/{part}-{h % count}" + (f"-{h // count % k}" if k else "")


class _Files:
    """Data files of the index by key: written under `root` as they are made, or, without a
    root, kept in memory until write() (the index folder is made ready by the build at its very
    end, and the files are made before that, while MkDocs writes the pages)."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.bodies: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}  # key → digest of the file (the manifest's version)

    def put(self, key: str, payload) -> int:
        """One data file; returns its size in bytes."""
        body = _script(key, payload).encode("utf-8")
        self.digests[key] = hashlib.sha1(body).hexdigest()
        if self.root is None:
            self.bodies[key] = body
        else:
            (self.root / f"{key}.js").write_bytes(body)
        return len(body)

    def write(self, root: Path) -> None:
        for key, body in self.bodies.items():
            (root / f"{key}.js").write_bytes(body)


def meta_text(docs) -> bytes:
    """The rows (location, title, label) of pages as an m/ file holds them: the locations, the
    titles, then the labels, one a line. Each location is front-coded, "<k> <rest>": the
    first k characters are those of the location before it (pages of a theme share a folder
    and most of a file name). Columns compress better than rows: a sixth smaller."""
    lines, before = [], ""
    for location, _, _ in docs:
        k = len(os.path.commonprefix([before, location]))
        lines.append(f"{k} {location[k:]}")
        before = location
    return "\n".join(lines + [title for _, title, _ in docs] + [label for _, _, label in docs]).encode("utf-8")


def labels_column(labels: list[str], np) -> bytes:
    """The tags file: the distinct labels, one a line, after the byte length of that text
    (uint32), then each page's label as its number among them (planes_u32: three of the four
    planes are zero and take nothing after deflate)."""
    names = sorted(set(labels))
    number = {name: n for n, name in enumerate(names)}
    text = "\n".join(names).encode("utf-8")
    return struct.pack("<I", len(text)) + text + planes_u32([number[label] for label in labels], np)


def read_labels(data: bytes) -> list[str]:
    """Each page's label from a tags file (labels_column read back, as search-worker.js reads it)."""
    size = struct.unpack_from("<I", data)[0]
    names = data[4:4 + size].decode("utf-8").split("\n")
    return [names[n] for n in read_u32_planes(data[4 + size:])]


def read_meta(data: bytes) -> list[list[str]]:
    """[location, title, label] of each page of an m/ file (meta_text read back, as
    search-worker.js reads it)."""
    lines = data.decode("utf-8").split("\n")
    count, out, before = len(lines) // 3, [], ""
    for n in range(count):
        k, rest = lines[n].split(" ", 1)
        before = before[:int(k)] + rest
        out.append([before, lines[count + n], lines[2 * count + n]])
    return out


def _in_two_processes(work, parts: list) -> list[dict]:
    """[work(every other part from the first), work(the others)], the others in a forked process
    (results as JSON through a pipe); just [work(parts)] when there is one part or no fork."""
    if len(parts) < 2 or not hasattr(os, "fork"):
        return [work(parts)]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            os.close(read)
            try:
                result = {"ok": work(parts[1::2])}
                code = 0
            except OSError as error:
                result = {"oserror": [error.errno, error.strerror, error.filename]}
            except BaseException:
                result = {"error": traceback.format_exc()}
            with os.fdopen(write, "wb") as out:
                out.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
        finally:
            os._exit(code)
    os.close(write)
    try:
        mine = work(parts[0::2])
    finally:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
    result = json.loads(data) if data else {"error": "写索引的子进程意外退出"}
    if "oserror" in result:
        raise OSError(*result["oserror"])
    if "error" in result:
        raise RuntimeError(result["error"])
    return [mine, result["ok"]]


def _ragged(begins, sizes, np):
    """Indices of the ranges [begin, begin + size) one after the other."""
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(begins - (np.cumsum(sizes) - sizes), sizes)
    return shift + np.arange(total)


def _group_by_part(cells, part_of, id_mask: int, parts: int, step: int, np):
    """(positions, bounds): the positions of the stream grouped by the part of their character
    (part p's are positions[bounds[p]:bounds[p + 1]], ascending), `part_of` the part of each
    id. Slice by slice of `step` positions: a stable sort of the slice's parts (a radix sort
    of small numbers) puts each part's positions in order, then each goes to its place."""
    n = len(cells)
    owner = np.empty(n, dtype=part_of.dtype)
    for i in range(0, n, step):
        owner[i:i + step] = part_of[cells[i:i + step] & id_mask]
    slices = range(0, n, step)
    counts = np.stack([np.bincount(owner[i:i + step], minlength=parts) for i in slices])
    bounds = np.zeros(parts + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=bounds[1:])
    # Where each slice's positions of each part begin: after the part's positions in the
    # slices before it.
    start = bounds[:-1] + np.cumsum(counts, axis=0) - counts
    positions = np.empty(n, dtype=np.uint32 if n <= 1 << 32 else np.int64)
    for k, i in enumerate(slices):
        order = np.argsort(owner[i:i + step], kind="stable")
        order += i
        ends = np.cumsum(counts[k])
        for part in np.flatnonzero(counts[k]).tolist():
            size = int(counts[k, part])
            positions[start[k, part]:start[k, part] + size] = order[ends[part] - size:ends[part]]
    return positions, bounds


def _gram_text(keys, np) -> bytes:
    """UTF-8 of the grams packed in `keys` (in order), front-coded: each one as the number of
    its first characters that are those of the gram before it ("0" to "2"), the rest of it
    and "\n". A shard's trigrams follow their first bigram in code point order, so most of
    them are "2" and one character: the gram text of a real library's shards, where most
    grams occur once or twice, was two fifths of them, and is a fifth smaller so."""
    length = np.where(keys >> 2 * _BITS > 0, 3, np.where(keys >> _BITS > 0, 2, 1))
    # The characters left-aligned (0 past the end).
    right = np.stack([keys >> 2 * _BITS, (keys >> _BITS) & _LOW, keys & _LOW], axis=1)
    chars = np.zeros_like(right)
    for size in (1, 2, 3):
        rows = length == size
        chars[rows, :size] = right[rows, 3 - size:]
    before = np.zeros_like(chars)
    before[1:] = chars[:-1]
    same = np.cumprod((chars == before) & (chars > 0), axis=1).sum(axis=1)
    same = np.minimum(same, length - 1)  # at least one character of its own
    out = np.zeros((len(keys), 5), dtype=np.int64)  # digit, up to three characters, "\n"
    out[:, 0] = 48 + same
    for i in range(3):
        live = i + same < length
        out[live, 1 + i] = chars[live, np.minimum(i + same, 2)[live]]
    out[np.arange(len(keys)), 1 + length - same] = 10
    return out[out > 0].astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")


def read_gram_text(data: bytes) -> list[str]:
    """The grams of a shard's header (_gram_text read back, as search-worker.js reads it)."""
    out, before = [], ""
    for line in data.decode("utf-8").split("\n")[:-1]:
        before = before[:int(line[0])] + line[1:]
        out.append(before)
    return out


def prepare_index_dir(site_dir: str | Path) -> Path:
    root = Path(site_dir) / INDEX_DIR
    if root.exists():
        shutil.rmtree(root)
    for sub in ("s", "x", "b", "m", "t", "o"):
        (root / sub).mkdir(parents=True)
    return root


DELTA = "delta/"


def read_manifest(root: Path) -> dict:
    text = (root / "manifest.js").read_text(encoding="utf-8")
    return json.loads(text[text.index(",") + 1:text.rindex(")")])


def read_locations(site_dir: str | Path) -> list[str]:
    """The locations of the pages of the index in the site, in index order."""
    root = Path(site_dir) / INDEX_DIR
    manifest = read_manifest(root)
    out = []
    for n in range(-(-manifest["docs"] // manifest["meta"])):
        text = (root / f"m/{n}.js").read_text(encoding="utf-8")
        payload = json.loads(text[text.index(",") + 1:text.rindex(")")])
        out += [row[0] for row in read_meta(unpack(payload))]
    return out


def write_delta(site_dir: str | Path, pages: list[tuple[str, str, list, str]], replaced: list[int],
                order: list[float] | None = None) -> dict:
    """The pages edited since the index was built, as a small second index in delta/ that the
    worker searches alongside the first, leaving out the documents `replaced` there.

    Why: `mkdocs serve --dirty` re-renders only the edited page; indexing the whole site again
    takes seconds at 10,000 pages, and every shard holds grams of every page, so none could be
    kept. The edited pages alone are indexed in milliseconds."""
    root = Path(site_dir) / INDEX_DIR
    manifest = read_manifest(root)
    manifest.pop("delta", None)
    if pages or replaced:  # only deleted pages: an empty index that replaces them
        manifest["delta"] = write_delta_part(root, pages, replaced, order)
    else:
        shutil.rmtree(root / DELTA, ignore_errors=True)
    return write_manifest(root, manifest)


def write_delta_part(root: Path, pages: list[tuple[str, str, list, str]], replaced: list[int],
                     order: list[float] | None = None) -> dict:
    """delta/ of the index at `root` (made anew) and what the manifest says of it. `order`:
    where each of `pages` ranks among the pages of the site's index when results are equal
    (search-worker.js tieKey), by default after all of them."""
    shutil.rmtree(root / DELTA, ignore_errors=True)
    for sub in ("s", "x", "b", "m", "t", "o"):
        (root / DELTA / sub).mkdir(parents=True)
    index = Index(DELTA)
    for page in pages:
        index.add(*page)
    out = {**index.write_part(root), "replaced": sorted(replaced)}
    if order is not None:
        out["order"] = list(order)
    return out


def write_manifest(root: Path, manifest: dict) -> dict:
    (root / "manifest.js").write_text(_script("manifest", manifest), encoding="utf-8")
    return manifest


class BackgroundIndex:
    """The Index built by another process while MkDocs renders the pages.

    Why: reading a page's text out of its HTML and keeping it for the index costs about as
    much as rendering it; in a second process that work runs on the other core of the keepers'
    two-core machines. The queue is bounded: a slow indexer holds the build back instead of
    piling pages up in memory."""

    def __init__(self, bounded: bool = True):
        """`bounded` false: pages the build already holds are handed over without waiting
        (the queue's thread sends them on while the build goes on)."""
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        self.results = context.Queue()
        self._done: list = []  # the indexer's result, once it arrives
        pages = context.Queue(maxsize=256 if bounded else 0)
        process = context.Process(target=_index_in_background, args=(pages, self.results, os.getpid()),
                                  name="fanwen-search-index", daemon=True)
        process.start()
        self.queues, self.processes = [pages], [process]

    def add_html(self, location: str, title: str, html: str, label: str = "") -> None:
        """One page's article HTML (its text is read out of it in the indexer)."""
        for pages in self.queues:
            self._put(pages, (location, title, html, label))

    def finish(self) -> None:
        """Every page has been handed over (MkDocs has rendered the Markdown of every page and
        now writes them): the indexer counts, sorts and compresses from now on, while MkDocs
        still writes the pages, instead of after the build (where the build waited 12 s at
        10,000 pages for it). A page handed over after this is still indexed (the work is made
        again), so this is only ever a hint of when to start."""
        for pages in self.queues:
            self._put(pages, (None, None, None, None))

    def _put(self, pages, item) -> None:
        # A bounded queue whose reader has stopped would block the build for good: wait in
        # short steps and look at the indexers in between.
        while True:
            try:
                pages.put(item, timeout=1)
                return
            except queue.Full:
                self._check()

    def _check(self) -> None:
        """Raise the indexers' own error, or a clear one if one of them is gone."""
        try:
            kind, payload = self.results.get_nowait()
        except queue.Empty:
            dead = [p for p in self.processes if not p.is_alive()]
            if dead:
                self.close()
                raise RuntimeError(f"搜索索引进程意外退出（退出码 {dead[0].exitcode}）。怎么办：再构建一次；"
                                   "若仍出错，检查内存是否够用（10,000 篇约需 1.3 GB），并把输出报告给维护者。") from None
            return
        if kind == "done":  # only after the end marker; put back for write()
            self._done.append(payload)
            return
        self.close()
        raise RuntimeError(_failure(kind, payload))

    def write(self, site_dir: str | Path) -> dict:
        root = prepare_index_dir(site_dir)
        for pages in self.queues:
            self._put(pages, (None, None, str(root), None))
        while not self._done:
            try:
                kind, payload = self.results.get(timeout=1)
            except queue.Empty:
                self._check()
                continue
            if kind != "done":
                self.close()
                raise RuntimeError(_failure(kind, payload))
            self._done.append(payload)
        for process in self.processes:
            process.join()
        done, self._done = self._done[0], []
        manifest = write_manifest(root, done["manifest"])
        # What each page was, for the next `fanwen build` to reuse this index (fanwen/search/reuse.py).
        from fanwen.search.reuse import write_record
        write_record(root, manifest, base64.b64decode(done["prints"]))
        return manifest

    def close(self) -> None:
        """Stop the indexers and drop what is still queued for them, so that neither this
        process (its queues' feeder threads) nor theirs waits at exit."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        for pages in [*self.queues, self.results]:
            pages.cancel_join_thread()
            pages.close()
        self.processes, self.queues = [], []


def _small_pages_only() -> None:
    """Ask numpy not to mark its large arrays for transparent huge pages in this process.

    Why: the indexer makes and frees arrays of tens of megabytes for every part. Where the
    kernel's huge-page defrag setting is "madvise" (Debian's default, and this machine's), each
    first touch of such an array may wait for the kernel to compact memory into a huge page
    (numpy issue 31590). Measured at 10,000 pages, the counting took 14.3 s of CPU with the
    marks and 10.6 s without. Nothing else changes: the same index, byte for byte."""
    import numpy

    setter = getattr(getattr(getattr(numpy, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
    if setter is not None:
        setter(False)


def _failure(kind: str, payload) -> str:
    if kind == "oserror":
        number, reason, filename = payload
        if number == errno.ENOSPC:
            return (f"写入搜索索引失败：磁盘空间不足（{filename}）。怎么办：清理磁盘空间后重新构建；"
                    "上一次成功构建的站点没有改动。")
        return (f"写入搜索索引失败：{filename}: {reason}。怎么办：检查输出目录的写入权限和磁盘空间后重新构建；"
                "上一次成功构建的站点没有改动。")
    return f"建立搜索索引失败（范文库程序的问题，请把下面的输出报告给维护者）：\n{payload}"


def os_failure(error: OSError) -> str:
    """The message for a file the index could not be written to (a full disk, a read-only folder)."""
    return _failure("oserror", (error.errno, error.strerror, error.filename))


def _parent_gone(parent: int) -> bool:
    return os.getppid() != parent


def _index_in_background(pages, results, parent: int) -> None:
    from fanwen.search.reuse import fingerprint

    _small_pages_only()
    index = Index()
    prints = []
    held = []  # what came from the queue while prepare() asked whether to stop

    def wanted() -> bool:
        """Whether to stop preparing: the build wants the index written (or sent a page after
        all), or it is gone."""
        if _parent_gone(parent):
            held.append(None)
            return True
        try:
            held.append(pages.get_nowait())
        except queue.Empty:
            return False
        return True

    try:
        while True:
            if held:
                item = held.pop(0)
                if item is None:  # the build was killed while the index was being prepared
                    return
            else:
                try:
                    item = pages.get(timeout=2)
                except queue.Empty:
                    if _parent_gone(parent):  # the build was killed: don't linger
                        return
                    continue
            location, title, html, label = item
            if location is None and html is None:  # the last page is in: prepare the index
                index.prepare(wanted)
                continue
            if location is None:
                root = Path(html)  # the index folder, made ready by the build
                results.put(("done", {"manifest": index.write_part(root),
                                      "prints": base64.b64encode(b"".join(prints)).decode("ascii")}))
                return
            index.add(location, title, html_blocks(html), label)
            prints.append(fingerprint(location, title, html, label))
    except OSError as error:  # a full disk, a read-only folder: the user's to fix
        results.put(("oserror", (error.errno, error.strerror, error.filename)))
    except BaseException:  # reported to the build, which fails with it
        results.put(("error", traceback.format_exc()))


def _script(key: str, payload) -> str:
    # A Z85 payload is its own JSON string (no quote, backslash or control character among
    # its characters): encoding it as JSON was a twentieth of the indexer's time.
    plain = isinstance(payload, str) and payload.isascii() and payload.isprintable() \
        and '"' not in payload and "\\" not in payload
    body = f'"{payload}"' if plain else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"fanwenData({json.dumps(key)},{body})\n"


def install_worker(site_dir: str | Path) -> None:
    """Copy the search worker into the built site (the template points Material at it), without
    its comments and indentation: the browser downloads it before the first result, and the
    comments were two fifths of it."""
    target = Path(site_dir) / WORKER
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(compact_worker(), encoding="utf-8")


@lru_cache(maxsize=4)
def _compact(source: str) -> str:
    out, in_comment = [], False
    for line in source.splitlines():
        text = line.strip()
        if in_comment:  # a block comment that began at the start of a line
            in_comment = "*/" not in text
            if in_comment or text.endswith("*/"):
                continue
            raise ValueError(f"search-worker.js: code after a comment on one line: {line}")
        if text.startswith("/*"):
            in_comment = "*/" not in text
            if not text.endswith("*/") and not in_comment:
                raise ValueError(f"search-worker.js: code after a comment on one line: {line}")
            continue
        if text and not text.startswith("//"):
            out.append(text)
    return "\n".join(out) + "\n"


def compact_worker() -> str:
    """search-worker.js as the site serves it: only whole-line comments (`//` lines and `/* */`
    blocks that begin a line), blank lines and indentation go; no line is joined to another and
    nothing inside a line changes, so strings, regular expressions and semicolon-free line ends
    read as they were written."""
    return _compact((ASSETS / "search-worker.js").read_text(encoding="utf-8"))


def worker_version() -> str:
    return hashlib.sha1(compact_worker().encode("utf-8")).hexdigest()[:10]
