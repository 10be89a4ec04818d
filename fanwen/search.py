"""Site search: a chunked character n-gram index written at build time, read by a small
search worker (fanwen/assets/search-worker.js) that speaks Material's worker protocol.

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
gets a file of its own, so a query loads a handful of small files. Page text for snippets is
split into fixed-size pieces, loaded only for the results shown.

Every file is a script calling `fanwenData(key, payload)`: served over HTTP the worker fetches
and parses it as JSON; opened from file:// (Material's offline plugin runs the worker in an
iframe where only <script> loading works) it is loaded with importScripts. The same files serve
both.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import itertools
import json
import multiprocessing
import operator
import os
import queue
import re
import shutil
import traceback
from collections import Counter
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

PIECE = 1000          # code points of page text per snippet file
META_CHUNK = 32       # documents per title/location file
INLINE_MAX = 768      # posting bytes kept inside a shard; larger lists get their own file
SHARD_TARGET = 8192   # bytes aimed at per shard file
INDEX_DIR = "search/fanwen"
WORKER = "assets/fanwen/search-worker.js"
ASSETS = Path(__file__).parent / "assets"

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
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


# --------------------------------------------------------------------------- index


def _encode(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_CACHED = 1 << 15
_VARINT = [_encode(n) for n in range(_CACHED)]  # most numbers written are small: look them up


def _varbytes(n: int) -> bytes:
    return _VARINT[n] if n < _CACHED else _encode(n)


def fnv(key: str) -> int:
    """FNV-1a over code points; the worker computes the same to find a gram's shard."""
    h = 0x811C9DC5
    for ch in key:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


class Index:
    """Collects pages during the build and writes the chunked index after it."""

    def __init__(self, part: int = 0, parts: int = 1):
        """`parts` > 1: this object holds only the n-grams of one part (`gram_part`), so that
        several processes can share the indexing; part 0 also keeps the pages' text."""
        self.part, self.parts = part, parts
        self.docs: list[tuple[str, str, str] | None] = []  # (location, title, text); None outside part 0
        self.entries: dict[str, list] = {}  # n-gram → [posting list bytes, last document added]

    def add(self, location: str, title: str, blocks: list[tuple[int, str]]) -> None:
        """One page: its URL (relative to the site root), title and article blocks.

        The page's text stream is the title and the blocks joined by newlines; n-grams never
        span a newline or a space, positions are code-point offsets into this stream.
        Counting is done with C-level Counter/zip over the whole stream (a 10,000-page site
        is 35 million characters), the per-block work is only for the short title/headings."""
        doc = len(self.docs)
        blocks = [(TITLE, _SPACE.sub(" ", title).strip())] + blocks
        text = "\n".join(t for _, t in blocks)
        self.docs.append((location, blocks[0][1], text) if self.part == 0 else None)
        folded = fold(text)
        kinds = bytearray(len(folded))  # BODY everywhere, then the title and the headings
        marked: dict[int, Counter] = {TITLE: Counter(), HEADING: Counter()}
        offset = 0
        for kind, block in blocks:
            if kind != BODY:
                kinds[offset:offset + len(block)] = bytes([kind]) * len(block)
                part = folded[offset:offset + len(block)]
                marked[kind].update(part)
                marked[kind].update(map(str.__add__, part, part[1:]))
            offset += len(block) + 1
        part, parts = self.part, self.parts
        bigrams = map(str.__add__, folded, folded[1:])
        trigrams = enumerate(map("".join, zip(folded, folded[1:], folded[2:])))
        if parts == 1:
            counts = Counter(folded)
        else:  # only this part's n-grams (gram_part), selected with C-level iterators
            owner = folded.translate(_part_table(parts))
            mine = str(part)
            counts = Counter(folded) if part == 0 else Counter()
            bigrams = itertools.compress(bigrams, map(operator.eq, owner[1:], itertools.repeat(mine)))
            trigrams = itertools.compress(trigrams, map(operator.eq, owner[2:], itertools.repeat(mine)))
        counts.update(bigrams)
        # n-grams never span a space or a newline. Those that would are few (two per separator):
        # drop them here rather than testing every gram.
        for match in _SEPARATOR.finditer(folded):
            i = match.start()
            for gram in (folded[i], folded[i - 1:i + 1] if i else "", folded[i:i + 2]):
                counts.pop(gram, None)
        # gram → (title/heading bits of the mask, occurrences in the title and headings)
        special = {gram: (4, n) for gram, n in marked[TITLE].items()}
        for gram, n in marked[HEADING].items():
            bits, m = special.get(gram, (0, 0))
            special[gram] = (bits | 2, m + n)
        entries, varint, cached = self.entries, _VARINT, _CACHED
        # Per distinct gram of the page: one dict lookup into the index, the list [posting
        # bytes, last document] updated in place. The same six lines open the trigram loop
        # below: written out twice on purpose, a shared helper made indexing 15% slower.
        for gram, count in counts.items():
            mark = special.get(gram)
            value = count << 3 | 1 if mark is None else count << 3 | mark[0] | (count > mark[1])
            entry = entries.get(gram)
            if entry is None:
                entry = entries[gram] = [bytearray(), -1]
            gap = doc - entry[1] - 1
            out = entry[0]
            out += varint[gap] if gap < cached else _encode(gap)
            out += varint[value] if value < cached else _encode(value)
            entry[1] = doc
        positions: dict[str, list[int]] = {}
        for i, gram in trigrams:
            plist = positions.get(gram)
            if plist is None:
                positions[gram] = [i]
            else:
                plist.append(i)
        for match in _SEPARATOR.finditer(folded):
            i = match.start()
            for start in (i - 2, i - 1, i):
                if start >= 0:
                    positions.pop(folded[start:start + 3], None)
        for gram, plist in positions.items():
            entry = entries.get(gram)
            if entry is None:
                entry = entries[gram] = [bytearray(), -1]
            gap = doc - entry[1] - 1
            out = entry[0]
            out += varint[gap] if gap < cached else _encode(gap)
            if len(plist) == 1:  # most trigrams occur once in a page
                out += b"\x01"
                p = plist[0] << 2 | kinds[plist[0]]
                out += varint[p] if p < cached else _encode(p)
            else:
                out += _varbytes(len(plist))
                out += b"".join([_varbytes((p - prev) << 2 | kinds[p]) for p, prev in zip(plist, [0] + plist)])
            entry[1] = doc

    @property
    def postings(self) -> dict[str, bytearray]:
        """n-gram → its posting list (bytes)."""
        return {gram: entry[0] for gram, entry in self.entries.items()}

    def write(self, site_dir: str | Path) -> dict:
        """Write the index under site/search/fanwen/ (one part: the whole of it); returns the manifest."""
        root = prepare_index_dir(site_dir)
        return write_manifest(root, [(self.part, len(self.docs), *self.write_part(root))])

    def write_part(self, root: Path) -> tuple[int, str]:
        """This part's files: its shards and large posting lists, and, in part 0, the titles,
        the page text pieces and the fold table. Returns (shard count, digest of the files)."""
        digest = hashlib.sha1()
        files: dict[str, object] = {}
        postings = self.postings
        inline = sum(len(b) for b in postings.values() if len(b) <= INLINE_MAX)
        shards = max(1, -(-inline * 4 // 3 // SHARD_TARGET))
        shard_data: list[dict[str, object]] = [{} for _ in range(shards)]
        for gram, data in postings.items():
            b64 = base64.b64encode(data).decode("ascii")
            if len(data) <= INLINE_MAX:
                shard_data[fnv(gram) % shards][gram] = b64
            else:
                shard_data[fnv(gram) % shards][gram] = 1
                files[f"x/{gram.encode('utf-8').hex()}"] = b64
        prefix = "" if self.parts == 1 else f"{self.part}-"
        for i, data in enumerate(shard_data):
            files[f"s/{prefix}{i}"] = data
        if self.part == 0:
            for start in range(0, len(self.docs), META_CHUNK):
                files[f"m/{start // META_CHUNK}"] = [
                    [loc, title, -(-len(text) // PIECE)] for loc, title, text in self.docs[start:start + META_CHUNK]]
            for doc, (_, _, text) in enumerate(self.docs):
                for k in range(0, len(text), PIECE):
                    files[f"t/{doc}-{k // PIECE}"] = text[k:k + PIECE]
            # Only pairs whose simplified character occurs on some page: any other query
            # character matches nothing folded or not, and the table is loaded before the
            # first result. (Every unigram is in part 0.)
            pairs = fold_pairs()
            files["fold"] = "".join(pairs[i:i + 2] for i in range(0, len(pairs), 2) if pairs[i + 1] in postings)
        for key in sorted(files):
            body = _script(key, files[key])
            digest.update(body.encode("utf-8"))
            (root / f"{key}.js").write_text(body, encoding="utf-8")
        return shards, digest.hexdigest()


class _PartDigits(dict):
    """For str.translate: code point → the digit of its part (code point % parts)."""

    def __init__(self, parts: int):
        super().__init__()
        self.parts = parts

    def __missing__(self, code_point: int) -> str:
        digit = self[code_point] = str(code_point % self.parts)
        return digit


@lru_cache(maxsize=None)
def _part_table(parts: int) -> _PartDigits:
    return _PartDigits(parts)


def gram_part(gram: str, parts: int) -> int:
    """Which part of a split index holds an n-gram: every unigram in part 0, longer n-grams by
    the code point of their last character. search-worker.js computes the same."""
    return 0 if parts == 1 or len(gram) == 1 else ord(gram[-1]) % parts


def prepare_index_dir(site_dir: str | Path) -> Path:
    root = Path(site_dir) / INDEX_DIR
    if root.exists():
        shutil.rmtree(root)
    for sub in ("s", "x", "m", "t"):
        (root / sub).mkdir(parents=True)
    return root


def write_manifest(root: Path, written: list[tuple[int, int, int, str]]) -> dict:
    """manifest.js from what each part wrote: [(part, documents, shards, digest)]. `shards` is
    a number for a one-part index, else one number per part."""
    written = sorted(written)
    shards = [w[2] for w in written]
    manifest = {"v": hashlib.sha1("".join(w[3] for w in written).encode()).hexdigest()[:12],
                "docs": written[0][1], "shards": shards[0] if len(shards) == 1 else shards,
                "piece": PIECE, "meta": META_CHUNK}
    (root / "manifest.js").write_text(_script("manifest", manifest), encoding="utf-8")
    return manifest


class BackgroundIndex:
    """The Index built by other processes while MkDocs renders the pages.

    Why: indexing a page costs more CPU than rendering it. Split by n-gram (`gram_part`), two
    indexing processes share that work and write their parts of the index side by side, so
    on the keepers' two-core machines both cores stay busy for the whole build. The queues
    are bounded: slow indexers hold the build back instead of piling pages up in memory."""

    def __init__(self, parts: int | None = None):
        self.parts = parts or max(2, min(4, os.cpu_count() or 1))
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        self.results = context.Queue()
        self.queues, self.processes = [], []
        self._done: list = []  # the parts' results, as they arrive
        for part in range(self.parts):
            pages = context.Queue(maxsize=256)
            process = context.Process(target=_index_in_background,
                                      args=(pages, self.results, part, self.parts, os.getpid()),
                                      name=f"fanwen-search-index-{part}", daemon=True)
            process.start()
            self.queues.append(pages)
            self.processes.append(process)

    def add_html(self, location: str, title: str, html: str) -> None:
        """One page's article HTML. Its text is extracted here, once for all parts."""
        page = (location, title, html_blocks(html))
        for pages in self.queues:
            self._put(pages, page)

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
            self._put(pages, (None, None, str(root)))
        while len(self._done) < self.parts:
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
        written, self._done = self._done, []
        return write_manifest(root, written)

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


def _failure(kind: str, payload) -> str:
    if kind == "oserror":
        number, reason, filename = payload
        if number == errno.ENOSPC:
            return (f"写入搜索索引失败：磁盘空间不足（{filename}）。怎么办：清理磁盘空间后重新构建；"
                    "上一次成功构建的站点没有改动。")
        return (f"写入搜索索引失败：{filename}: {reason}。怎么办：检查输出目录的写入权限和磁盘空间后重新构建；"
                "上一次成功构建的站点没有改动。")
    return f"建立搜索索引失败（范文库程序的问题，请把下面的输出报告给维护者）：\n{payload}"


def _parent_gone(parent: int) -> bool:
    return os.getppid() != parent


def _index_in_background(pages, results, part: int, parts: int, parent: int) -> None:
    index = Index(part, parts)
    try:
        while True:
            try:
                location, title, blocks = pages.get(timeout=2)
            except queue.Empty:
                if _parent_gone(parent):  # the build was killed: don't linger
                    return
                continue
            if location is None:
                root = Path(blocks)  # the index folder, made ready by the build
                results.put(("done", (part, len(index.docs), *index.write_part(root))))
                return
            index.add(location, title, blocks)
    except OSError as error:  # a full disk, a read-only folder: the user's to fix
        results.put(("oserror", (error.errno, error.strerror, error.filename)))
    except BaseException:  # reported to the build, which fails with it
        results.put(("error", traceback.format_exc()))


def _script(key: str, payload) -> str:
    return f"fanwenData({json.dumps(key)},{json.dumps(payload, ensure_ascii=False, separators=(',', ':'))})\n"


def install_worker(site_dir: str | Path) -> None:
    """Copy the search worker into the built site (the template points Material at it)."""
    target = Path(site_dir) / WORKER
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / "search-worker.js", target)


def worker_version() -> str:
    return hashlib.sha1((ASSETS / "search-worker.js").read_bytes()).hexdigest()[:10]
