"""Every internal link of the built site resolves: the file exists, and its #fragment is an id.

One pass over the HTML (standard library parser), so the whole site takes about a second.
"""

from __future__ import annotations

from linkcheck import broken_links, parse_site


def test_every_internal_link_resolves(built_site):
    pages = parse_site(built_site)
    assert len(pages) > 50
    broken = broken_links(built_site)
    assert not broken, f"{len(broken)} 个断链：\n" + "\n".join(broken[:40])


def test_checker_finds_a_broken_file_and_fragment(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#x">ok</a><a href="a/#nope">bad</a>'
                                         '<img src="/missing.png"><a href="https://example.org/">ext</a>'
                                         '<a href="#top" id="top">self</a>', encoding="utf-8")
    (tmp_path / "a" / "index.html").write_text('<h2 id="x">x</h2><a href="../index.html#top">back</a>',
                                               encoding="utf-8")
    broken = broken_links(tmp_path)
    assert len(broken) == 2
    assert "a/#nope" in broken[0] and "missing.png" in broken[1]
