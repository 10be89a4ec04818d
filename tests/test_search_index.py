"""The search index as written at build time (the browser side is tests/test_search.py)."""

import base64
import json

from fanwen import search
from fanwen.site import mark_article


def load(root, key):
    text = (root / f"{key}.js").read_text(encoding="utf-8")
    assert text.startswith(f"fanwenData({json.dumps(key)},")
    return json.loads(text[text.index(",") + 1:text.rindex(")")])


def shard_key(manifest, gram):
    """As search-worker.js shardOf: s/<n> in a one-part index, s/<part>-<n> in a split one."""
    shards = manifest["shards"]
    if isinstance(shards, int):
        return f"s/{search.fnv(gram) % shards}"
    part = search.gram_part(gram, len(shards))
    return f"s/{part}-{search.fnv(gram) % shards[part]}"


def postings(root, manifest, gram):
    shard = load(root, shard_key(manifest, gram))
    value = shard.get(gram)
    if value is None:
        return None
    if value == 1:
        value = load(root, f"x/{gram.encode().hex()}")
    data, at, out = base64.b64decode(value), 0, []

    def next_int():
        nonlocal at
        n = shift = 0
        while True:
            b = data[at]
            at += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n

    doc = -1
    while at < len(data):
        doc += next_int() + 1
        if len(gram) < 3:
            v = next_int()
            out.append((doc, v >> 3, v & 7))
        else:
            pos, codes = 0, []
            for _ in range(next_int()):
                v = next_int()
                pos += v >> 2
                codes.append((pos, v & 3))
            out.append((doc, codes))
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
    assert load(root, "m/0") == [["a/", "村换届选举工作方案", 1], ["b/", "社区治理", 1]]
    assert load(root, "t/0-0") == "村换届选举工作方案\n一、选举委员会\n做好換屆選舉工作，选举日。"
    # 选举: 4 times in page a (title, heading, body twice, one of them traditional), once in b.
    assert postings(root, manifest, "选举") == [(0, 4, 0b111), (1, 1, 0b001)]
    # Trigrams carry positions (code points into title + "\n" + blocks) and the field.
    assert postings(root, manifest, "选举委") == [(0, [(12, search.HEADING)])]
    assert postings(root, manifest, "换届选") == [(0, [(1, search.TITLE), (20, search.BODY)])]
    assert postings(root, manifest, "举 委") is None  # n-grams never span a space
    # Only fold pairs whose simplified side occurs somewhere are shipped.
    pairs = load(root, "fold")
    assert "選选" in pairs and "舉举" in pairs and "發发" not in pairs


def test_index_split_over_processes_reads_the_same(tmp_path):
    """BackgroundIndex splits the n-grams over several processes; every posting list, title
    and text piece must read exactly as from the one-process index."""
    pages = [("a/", "村换届选举工作方案", [(search.HEADING, "一、选举委员会"), (search.BODY, "做好換屆選舉工作，选举日。")]),
             ("b/", "社区治理", [(search.BODY, "选举 委员会\n网格化管理𠀋字")]),
             ("c/", "乡镇工作总结", [(search.HEADING, "二、存在的问题"), (search.BODY, "网格化管理不够到位，选举")])]
    single = search.Index()
    for location, title, blocks in pages:
        single.add(location, title, blocks)
    one = single.write(tmp_path / "one")
    for parts in (2, 3):
        split = search.BackgroundIndex(parts=parts)
        for location, title, blocks in pages:
            for queue in split.queues:
                queue.put((location, title, blocks))
        many = split.write(tmp_path / f"split{parts}")
        assert isinstance(many["shards"], list) and len(many["shards"]) == parts and many["docs"] == 3
        root1, root2 = tmp_path / "one" / search.INDEX_DIR, tmp_path / f"split{parts}" / search.INDEX_DIR
        for gram in single.postings:
            assert postings(root2, many, gram) == postings(root1, one, gram), gram
        assert postings(root2, many, "不在索引里") is None
        for key in ("m/0", "t/0-0", "t/2-0", "fold"):
            assert load(root2, key) == load(root1, key)


def _pages(n):
    return [(f"p{i}/", f"第{i}篇", f"<p>第{i}篇正文，乡镇工作总结。</p>") for i in range(n)]


def test_a_failing_indexer_stops_the_build_promptly_and_leaves_no_process():
    """An indexer that dies on a page must not leave the build waiting on a full queue (the
    build used to hang for good after printing 构建失败)."""
    import time

    index = search.BackgroundIndex(parts=2)
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
        raise OSError(errno.ENOSPC, "No space left on device", str(root / "s" / "0-1.js"))

    monkeypatch.setattr(search.Index, "write_part", full)  # the forked indexers inherit it
    index = search.BackgroundIndex(parts=2)
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
