"""The search index as written at build time (the browser side is tests/test_search.py)."""

import json
import struct
import time
import zlib

import deflate
import pytest

from fanwen.search import index as search
from fanwen.mkdocs.documents import mark_article


def load(root, key):
    """A file's payload: JSON for the manifest and the fold table, inflated bytes for the rest."""
    text = (root / f"{key}.js").read_text(encoding="utf-8")
    assert text.startswith(f"fanwenData({json.dumps(key)},")
    payload = json.loads(text[text.index(",") + 1:text.rindex(")")])
    if key == "manifest":
        return payload
    if key == "fold":
        return search.read_fold(search.unpack(payload))
    return search.unpack(payload)


def test_z85_reads_back_every_length():
    for data in (b"", b"\0", b"abc", bytes(range(256)) * 3, b"\xff" * 7, "换届选举".encode() * 500):
        raw = deflate.deflate_compress(data, search.LEVEL)
        packed = search._pack(data)
        # Z85: five characters per four bytes, after the count of padding bytes.
        assert '"' not in packed and "\\" not in packed and len(packed) == 1 + 5 * -(-len(raw) // 4)
        assert search.unpack(packed) == data  # zlib (as the browser) inflates libdeflate's output
    # libdeflate's deflate is no larger than zlib's at the same level on text.
    text = "".join(f"第{i}篇乡镇换届选举工作方案，网格化管理。" for i in range(2000)).encode()
    zl = zlib.compressobj(search.LEVEL, zlib.DEFLATED, -15)
    assert len(deflate.deflate_compress(text, search.LEVEL)) <= len(zl.compress(text) + zl.flush())


def test_varints_read_back_and_data_files_are_json():
    import numpy as np

    rng = np.random.default_rng(7)
    for bits in (1, 7, 8, 14, 15, 31, 32, 33, 62):
        values = rng.integers(0, 1 << bits, size=300, dtype=np.int64)
        values[:3] = [0, (1 << bits) - 1, 127 if bits >= 7 else 0]
        data, ends = search._varints(values, np)
        assert varints(data.tobytes()) == values.tolist()
        assert ends.tolist() == np.cumsum([len(search._varints([v], np)[0]) for v in values.tolist()]).tolist()
    assert search._varints(np.zeros(0, dtype=np.int64), np)[0].tobytes() == b""
    # A data file is a script whose payload is a JSON string, also where it is not Z85.
    for payload in (search._pack(b"abc" * 50), 'say "hi"\\', "换届\n", {"a": [1, "b"]}):
        text = search._script("s/0-1", payload)
        assert json.loads(text[text.index(",") + 1:text.rindex(")")]) == payload


def test_text_chunks_keep_their_size_on_disk_where_the_text_changes(monkeypatch):
    """Text that repeats itself, then text that does not: each t/ file stays near TEXT_FILE on
    disk (a length fixed from the first pages made the later files several times larger)."""
    import random

    monkeypatch.setattr(search, "TEXT_FILE", 2048)
    monkeypatch.setattr(search, "_MIN_CHUNK", 256)
    rng = random.Random(5)
    text = "网格化管理工作方案。" * 3000 + "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(12000))
    made, _, used = search._text_chunks(text, 8192, final=True)
    assert used == len(text) and "".join(search.unpack(packed).decode("utf-8") for _, packed in made) == text
    assert [len(search.unpack(packed).decode("utf-8")) for _, packed in made] == [length for length, _ in made]
    sizes = [len(packed) for _, packed in made]
    assert max(sizes[:-1]) <= search.TEXT_OVER * 2048 and len(made) > 8
    assert max(length for length, _ in made) > 4 * min(length for length, _ in made[:-1])  # lengths of their own


def varints(data):
    at, out = 0, []
    while at < len(data):
        n = shift = 0
        while True:
            b = data[at]
            at += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        out.append(n)
    return out


def starts(root):
    """Where each page begins in the text stream (as search-worker.js computes it)."""
    out = [0]
    for length in search.read_u32_planes(load(root, "docs")):
        out.append(out[-1] + length + 1)
    return out


def titles(root, manifest):
    rows = [entry for n in range(-(-manifest["docs"] // manifest["meta"]))
            for entry in search.read_meta(load(root, f"m/{n}"))]
    if manifest["meta_all"]:  # every page's row in one file as well: the same rows
        assert search.read_meta(load(root, "m/all")) == rows
    else:
        assert not (root / "m" / "all.js").exists()
    # Every page's label in a column of its own as well (narrowing by type and level reads it)
    assert search.read_labels(load(root, "tags")) == [label for _, _, label in rows]
    return rows


def doc_text(root, manifest, doc):
    """A page's text from the t/ files that hold it (chunks: the code points of each)."""
    begin, lengths = starts(root), search.read_u32_planes(load(root, "chunks"))
    assert sum(lengths) == begin[-1] and len(lengths) == len(list((root / "t").glob("*.js")))
    text, at = [], 0
    for n, length in enumerate(lengths):
        if at < begin[doc + 1] and at + length > begin[doc]:
            chunk = load(root, f"t/{n}").decode("utf-8")
            assert len(chunk) == length
            text.append(chunk[max(0, begin[doc] - at):begin[doc + 1] - 1 - at])
        at += length
    return "".join(text)


def read_shard(root, manifest, gram, spread=False):
    """({gram: bytes, or the name of its x/ file}, spread bigrams) of the shard where `gram` is
    looked for first (as search-worker.js shardOf: the part of its last character, a trigram's
    middle one, then the hash of the gram or of a trigram's first bigram)."""
    part = search.gram_part(gram, len(manifest["shards"]))
    data = load(root, search.shard_file(manifest, gram, spread))
    count, size_bytes, text_bytes = struct.unpack("<III", data[:12])
    codes = varints(data[12:12 + size_bytes])
    grams = search.read_gram_text(data[12 + size_bytes:12 + size_bytes + text_bytes])
    assert len(codes) == count and len(grams) == count
    # 1-2-gram lists first, then the positions of all the trigram lists as planes.
    inline = [(g, code >> 2) for g, code in zip(grams, codes) if not code & 1]
    at = 12 + size_bytes + text_bytes
    planes_at = at + sum(size for g, size in inline if len(g) < 3)
    positions = sum(size for g, size in inline if len(g) == 3)
    planes = search.read_planes(data[planes_at:], positions)
    assert len(data) == planes_at + 4 * positions + -(-positions // 4)
    out, spread_out, used = {}, set(), 0
    for g, code in zip(grams, codes):
        if code & 2:
            assert len(g) == 2
            spread_out.add(g)
        if code & 1:
            out[g] = f"x/{part}-{code >> 2}"
        elif len(g) == 3:
            out[g], used = planes[used:used + (code >> 2)], used + (code >> 2)
        else:
            out[g], at = data[at:at + (code >> 2)], at + (code >> 2)
    assert at == planes_at and used == positions
    return out, spread_out


def read_x(root, key, gram):
    """An x/ file: a 1-2-gram's bytes, or a trigram's [(gap, field)]."""
    data = load(root, key)
    if len(gram) < 3:
        return data
    skip = next(i for i, b in enumerate(data) if not b & 0x80) + 1  # the number of positions
    count = varints(data[:skip])[0]
    assert len(data) == skip + 4 * count + -(-count // 4)
    return search.read_planes(data[skip:], count)


def shard(root, manifest, gram):
    """{gram: bytes, or the name of its x/ file} of the shard holding `gram`: a trigram is in
    its first bigram's shard unless that bigram is marked spread there."""
    out, spread = read_shard(root, manifest, gram)
    if len(gram) == 3 and gram[:2] in spread:
        out, _ = read_shard(root, manifest, gram, spread=True)
    return out


def presence(root, manifest, gram):
    """[(doc, fields)] of a bigram from its b/ file (as the worker's "missing" answer reads
    it: the bigrams of the file's part hashed into it, their postings without counts)."""
    data = load(root, search.bigram_file(manifest, gram))
    count, size_bytes, text_bytes = struct.unpack("<III", data[:12])
    counts = varints(data[12:12 + size_bytes])
    grams = search.read_gram_text(data[12 + size_bytes:12 + size_bytes + text_bytes])
    assert len(counts) == count == len(grams) and grams == sorted(grams) and all(len(g) == 2 for g in grams)
    body, total = data[12 + size_bytes + text_bytes:], sum(counts)
    assert len(body) == 5 * total
    if gram not in grams:
        return None
    first = sum(counts[:grams.index(gram)])
    out, doc = [], -1
    for i in range(first, first + counts[grams.index(gram)]):
        doc += sum(body[b * total + i] << 8 * b for b in range(4)) + 1
        out.append((doc, body[4 * total + i]))
    return out


def postings(root, manifest, gram):
    """As the worker reads them: [(doc, count, fields)] for 1-2 characters, [(doc, [(position in
    the page, field)])] for trigrams."""
    value = shard(root, manifest, gram).get(gram)
    if value is None:
        return None
    if isinstance(value, str):
        value = read_x(root, value, gram)
    out = []
    if len(gram) < 3:
        numbers = varints(value)
        doc = -1
        for gap, v in zip(numbers[0::2], numbers[1::2]):
            doc += gap + 1
            out.append((doc, v >> 3, v & 7))
        return out
    begin, pos = starts(root), 0
    for gap, field in value:
        pos += gap
        doc = max(d for d in range(len(begin) - 1) if begin[d] <= pos)
        if not out or out[-1][0] != doc:
            out.append((doc, []))
        out[-1][1].append((pos - begin[doc], field))
    return out


def test_fold_is_simplified_and_keeps_length():
    assert search.fold("換屆選舉 社會治理") == "换届选举 社会治理"
    assert search.fold("ABC") == "abc"
    for text in ("İstanbul", "產業發展", "乾坤"):
        assert len(search.fold(text)) == len(text)


def test_blocks_mark_headings_and_drop_permalinks():
    html = ('<h2 id="a">一、工作目标<a class="headerlink" href="#a">¶</a></h2>\n'
            '<p>推进  <strong>网格化</strong>管理\n工作。</p><ul><li>甲</li><li>乙</li></ul>')
    assert search.html_blocks(html) == [(search.HEADING, "一、工作目标"), (search.BODY, "推进 网格化管理 工作。"),
                                         (search.BODY, "甲"), (search.BODY, "乙")]


def test_blocks_read_by_the_fast_path_are_what_html_parser_reads():
    """The indexer reads python-markdown's HTML with a regular expression; whatever the markup,
    the blocks are those html.parser gives (odd markup goes to html.parser itself)."""
    samples = [
        '<h2 id="a">一、目标<a class="headerlink" href="#a" title="本节链接">¶</a></h2><p>甲&amp;乙 &lt;丙&gt; &#20013;</p>',
        '<P>大写<BR>换行<br/>再换<br />行</P><!-- 注释 <p>不算</p> -->尾<hr>',
        '<table><thead><tr><th>项目</th></tr></thead><tbody><tr><td>一</td><td>二</td></tr></tbody></table>',
        "<p class='x'>单引号<a class='headerlink x' href=#b>¶</a>后</p><a class=headerlink>¶</a>文",
        '<div markdown><p>嵌套<span class="fw-gap" title="a &gt; b">××</span>村</p></div>',
        '<p>未闭合 <em>强调', '文字 < 3 和 a<b', '<p>x</p><script>var a = "<p>";</script><p>y</p>',
        '<!DOCTYPE html><p>声明</p>', '<p>断开的标签 <a href="x"', '<p>断开的注释 <!-- 没有结束</p>',
    ]
    for html in samples:
        assert search.html_blocks(html) == search._parsed_blocks(html), html


def test_article_region_leaves_out_metadata_and_related_links():
    html = ('<p class="fw-meta">方案 · 村 · <a href="index.md">主题</a></p>\n<p>正文选举。</p>\n'
            '<h2 id="相关范文">相关范文</h2>\n<ul><li><a href="x/">别篇</a></li></ul>')
    page, article = mark_article(html)
    assert article.strip() == "<p>正文选举。</p>"
    assert '<div class="fw-article" data-fw-search>' in page and "相关范文" in page and "fw-meta" in page
    assert page.index("data-fw-search") < page.index("正文") < page.index("</div>") < page.index("相关范文")


def test_index_finds_substrings_with_positions_and_fields(tmp_path):
    index = search.Index()
    index.add("a/", "村换届选举工作方案", [(search.HEADING, "一、选举委员会"), (search.BODY, "做好換屆選舉工作，选举日。")])
    index.add("b/", "社区治理", [(search.BODY, "选举 委员会")])
    manifest = index.write(tmp_path)
    root = tmp_path / search.INDEX_DIR
    assert manifest["docs"] == 2 and (root / "manifest.js").exists()
    assert titles(root, manifest) == [["a/", "村换届选举工作方案", ""], ["b/", "社区治理", ""]]
    assert doc_text(root, manifest, 0) == "村换届选举工作方案\n一、选举委员会\n做好換屆選舉工作，选举日。"
    assert doc_text(root, manifest, 1) == "社区治理\n选举 委员会"
    # 选举: 4 times in page a (title, heading, body twice, one of them traditional), once in b.
    assert postings(root, manifest, "选举") == [(0, 4, 0b111), (1, 1, 0b001)]
    # Trigrams carry positions (code points into title + "\n" + blocks) and the field.
    assert postings(root, manifest, "选举委") == [(0, [(12, search.HEADING)])]
    assert postings(root, manifest, "换届选") == [(0, [(1, search.TITLE), (20, search.BODY)])]
    assert postings(root, manifest, "委员会") == [(0, [(14, search.HEADING)]), (1, [(8, search.BODY)])]
    assert postings(root, manifest, "举 委") is None  # n-grams never span a space
    assert postings(root, manifest, "日。\n") is None and postings(root, manifest, "。\n社") is None  # nor pages
    # Only fold pairs whose simplified side occurs somewhere are shipped.
    pairs = load(root, "fold")
    assert "選选" in pairs and "舉举" in pairs and "發发" not in pairs


@pytest.mark.parametrize("sample", [1000, 5])
def test_many_pages_share_few_files(tmp_path, monkeypatch, sample):
    """Pages are packed many to a file and long posting lists get files of their own; every
    list, title and text still reads back exactly (here with small sizes, to cross every
    boundary: text chunks, title files, shards, separate lists). With a sample of 5 pages the
    sizes are fixed early and the text chunks and openings are made while pages are added."""
    monkeypatch.setattr(search, "SAMPLE", sample)
    monkeypatch.setattr(search.Index, "chunk_length", lambda self: 50)
    monkeypatch.setattr(search, "TEXT_FILE", 60)  # the files after the first: about as small
    monkeypatch.setattr(search, "_MIN_CHUNK", 8)
    monkeypatch.setattr(search, "META", 3)
    monkeypatch.setattr(search, "BIG", 20)
    monkeypatch.setattr(search, "SHARD_FILE", 300)
    monkeypatch.setattr(search, "BIGRAM_FILE", 30)
    monkeypatch.setattr(search.Index, "part_count", lambda self: 3)
    index = search.Index()
    pages = [(f"p{i}/", f"第{i}篇乡镇工作总结", [(search.HEADING, "一、主要做法"),
                                            (search.BODY, f"网格化管理第{i}项，選舉𠀋字" * (1 + i % 3))]) for i in range(20)]
    for page in pages:
        index.add(*page)
    manifest = index.write(tmp_path)
    root = tmp_path / search.INDEX_DIR
    assert len(manifest["shards"]) == 3 and sum(manifest["shards"]) > 3 and list((root / "x").glob("*.js")) and len(list((root / "t").glob("*.js"))) > 5
    assert titles(root, manifest) == [[loc, title, ""] for loc, title, _ in pages]
    for doc, (_, title, blocks) in enumerate(pages):
        assert doc_text(root, manifest, doc) == "\n".join([title] + [text for _, text in blocks])
    # Every page's opening, in the o/ file of its group.
    groups, begin, first = manifest["open_pages"], starts(root), 0
    assert sum(groups) == len(pages) and len(groups) == len(list((root / "o").glob("*.js")))
    for n, count in enumerate(groups):
        group = range(first, first + count)
        assert load(root, f"o/{n}").decode("utf-8") == "".join(doc_text(root, manifest, d)[:manifest["open"]] for d in group)
        first += count
    assert manifest["open"] == 512 and len(begin) == len(pages) + 1
    assert postings(root, manifest, "工作总") == [(doc, [(len(f"第{doc}篇乡镇"), search.TITLE)]) for doc in range(20)]
    assert [(doc, count) for doc, count, _ in postings(root, manifest, "选举")] == [(d, 1 + d % 3) for d in range(20)]
    assert postings(root, manifest, "字\n") is None
    # Every list is where the worker looks for it: trigrams with their first bigram, or, for a
    # bigram marked spread (some are, at this shard size), in the shard of their own hash.
    grouped = spread = 0
    for gram, data in index.postings().items():
        value = shard(root, manifest, gram)[gram]
        assert (read_x(root, value, gram) if isinstance(value, str) else value) == data, gram
        if len(gram) == 3:
            marked = gram[:2] in read_shard(root, manifest, gram)[1]
            spread, grouped = spread + marked, grouped + (not marked)
    assert spread and grouped and manifest["split"]  # and some shards were cut in two or more
    # The manifest lists exactly the bigrams their shards mark spread: the worker goes straight
    # to a trigram's own shard by it.
    marked = {gram for gram in index.postings() if len(gram) == 2 and gram in read_shard(root, manifest, gram)[1]}
    assert marked and search.spread_bigrams(manifest) == marked
    # Every bigram's pages and fields in its b/ file as well (the "missing" answer reads them).
    assert sum(manifest["bigrams"]) > len(manifest["bigrams"])
    for gram in index.postings():
        if len(gram) == 2:
            assert presence(root, manifest, gram) == [(doc, fields) for doc, _, fields in postings(root, manifest, gram)], gram
        elif len(gram) == 1:
            assert presence(root, manifest, gram) is None


def test_the_counting_does_not_depend_on_slices_cell_size_or_sort_key(tmp_path, monkeypatch):
    """The counting reads the stream in slices, packs each position in a four- or eight-byte
    cell, and sorts trigrams by a packed key or, where it would not fit, an argsort. Each
    choice is forced here on a library that crosses every boundary: the same files, byte for
    byte. A page added after the index was prepared is counted with the rest."""
    monkeypatch.setattr(search.Index, "part_count", lambda self: 3)
    pages = [(f"p{i}/", f"第{i}篇乡镇工作总结", [(search.HEADING, "一、主要做法"),
                                            (search.BODY, f"网格化管理第{i}项，選舉𠀋字 ABC" * (1 + i % 3))]) for i in range(12)]

    def build(name, late=False):
        index = search.Index()
        for page in pages[:-2] if late else pages:
            index.add(*page)
        if late:
            index.prepare()
            for page in pages[-2:]:
                index.add(*page)
        index.write(tmp_path / name)
        root = tmp_path / name / search.INDEX_DIR
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.js")}

    expected = build("plain")
    assert build("late", late=True) == expected
    monkeypatch.setattr(search, "_STEP", 7)  # slices far shorter than a page
    assert build("slices") == expected
    monkeypatch.setattr(search, "_NARROW_CELL", 8)
    assert build("wide-cells") == expected
    monkeypatch.setattr(search, "_KEY_BITS", 20)
    assert build("argsort") == expected


def test_index_built_in_the_background_reads_the_same(tmp_path):
    """BackgroundIndex builds in another process from the pages' HTML; every posting list,
    title and text must read exactly as from the index built here."""
    pages = [("a/", "村换届选举工作方案", '<h2 id="x">一、选举委员会</h2>\n<p>做好換屆選舉工作，选举日。</p>'),
             ("b/", "社区治理", "<p>选举 委员会<br>网格化管理𠀋字</p>"),
             ("c/", "乡镇工作总结", "<h2>二、存在的问题</h2><p>网格化管理不够到位，选举</p>")]
    single = search.Index()
    for location, title, html in pages:
        single.add(location, title, search.html_blocks(html))
    one = single.write(tmp_path / "one")
    background = search.BackgroundIndex()
    for page in pages:
        background.add_html(*page)
    many = background.write(tmp_path / "background")
    assert many == one
    root1, root2 = tmp_path / "one" / search.INDEX_DIR, tmp_path / "background" / search.INDEX_DIR
    for gram in single.postings():
        assert postings(root2, many, gram) == postings(root1, one, gram), gram
    assert postings(root2, many, "不在索引里") is None
    for key in ("m/0", "t/0", "docs", "fold"):
        assert load(root2, key) == load(root1, key)


def test_the_index_prepared_while_the_build_goes_on_is_the_same(tmp_path, monkeypatch):
    """finish() lets the indexer make the index before the build asks for it; what it writes is
    byte for byte what is made at the end, also when a page still comes after finish() (it is
    made again) and when the build asks before the indexer is through (the rest is shared out)."""
    monkeypatch.setattr(search.Index, "part_count", lambda self: 4)  # the forked indexers inherit it
    pages = [(f"p{i}/", f"第{i}篇乡镇工作总结", f"<h2>一、主要做法</h2><p>网格化管理第{i}项，選舉{'换届选举' * i}</p>")
             for i in range(30)]
    single = search.Index()
    for location, title, html in pages:
        single.add(location, title, search.html_blocks(html))
    single.write(tmp_path / "one")

    def files(site):
        root = site / search.INDEX_DIR
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != "record.json"}

    expected = files(tmp_path / "one")
    for name, late, wait in (("waited", 0, 0.5), ("late", 3, 0.3), ("at-once", 0, 0)):
        background = search.BackgroundIndex()
        try:
            for page in pages[:len(pages) - late]:
                background.add_html(*page)
            background.finish()
            if late:
                time.sleep(wait)  # prepared without the last pages by now
                for page in pages[len(pages) - late:]:
                    background.add_html(*page)
                background.finish()
            time.sleep(wait)
            background.write(tmp_path / name)
        finally:
            background.close()
        assert files(tmp_path / name) == expected, name


def _pages(n):
    return [(f"p{i}/", f"第{i}篇", f"<p>第{i}篇正文，乡镇工作总结。</p>") for i in range(n)]


def test_a_failing_indexer_stops_the_build_promptly_and_leaves_no_process():
    """An indexer that dies on a page must not leave the build waiting on a full queue (the
    build used to hang for good after printing 构建失败)."""
    import time

    index = search.BackgroundIndex()
    index.add_html("bad/", None, "<p>标题不是文字</p>")  # the indexers fail on it
    started = time.monotonic()
    try:
        for location, title, html in _pages(2000):  # far more than the queues hold
            index.add_html(location, title, html)
        raised = None
    except RuntimeError as error:
        raised = str(error)
    assert raised and "建立搜索索引失败" in raised
    assert time.monotonic() - started < 30
    processes = list(index.processes)
    index.close()
    assert not any(p.is_alive() for p in processes)


def test_a_full_disk_while_writing_the_index_is_a_clear_message(tmp_path, monkeypatch):
    import errno

    def full(self, root):
        raise OSError(errno.ENOSPC, "No space left on device", str(root / "s" / "1.js"))

    monkeypatch.setattr(search.Index, "write_part", full)  # the forked indexers inherit it
    index = search.BackgroundIndex()
    for location, title, html in _pages(3):
        index.add_html(location, title, html)
    try:
        index.write(tmp_path)
        message = None
    except RuntimeError as error:
        message = str(error)
    finally:
        index.close()
    assert message and "磁盘空间不足" in message and "清理磁盘空间后重新构建" in message
    assert "Traceback" not in message and "程序的问题" not in message


def test_the_served_worker_is_the_source_without_whole_line_comments(tmp_path):
    """The worker is downloaded before the first result: the site gets it without its comments
    and indentation, every line of code otherwise as written (nothing joined, nothing inside a
    line changed), and its version follows what is served."""
    search.install_worker(tmp_path)
    served = (tmp_path / search.WORKER).read_text(encoding="utf-8").splitlines()
    source = [line.strip() for line in (search.ASSETS / "search-worker.js").read_text(encoding="utf-8").splitlines()]
    assert len("\n".join(served)) < 0.8 * len("\n".join(source))
    assert not [line for line in served if line.startswith(("//", "/*", "*")) or not line]
    at = 0
    for line in served:  # the served lines are source lines, in order
        at = source.index(line, at) + 1
    assert 'self.fanwenData = (key, payload) => { raw.set(key, payload) }' in served
