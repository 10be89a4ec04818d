"""GBK-shift mojibake repair (`fanwen.importer.mojibake`), on the real lines of `sources/`."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from fanwen.importer.mojibake import UNREADABLE, LineRepair, char_frequencies, repair_lines, repair_mojibake_line
from fanwen.importer.text import remove_pinyin

SOURCES = Path(__file__).resolve().parent.parent / "sources"
S000 = "000_153e3eec68b796a2.txt"
S001 = "001_f4abef7fa6c5e6d7.txt"
S002 = "002_12e63fd3074438a3.txt"
S003 = "003_937a8ac7aaaebc9c.txt"

# The garbled lines of each collection (1-based), established by reading them: every other line
# must come back unchanged.
GARBLED = {
    S000: {100, 223, 243, 249, 253, 257, 259, 280, 284},
    S001: set(),
    S002: {11, 13, 23, 24, 26, 30, 31, 32, 33, 35, 37, 39, 40, 41, 44, 45, 54, 55, 57, 59, 60,
           61, 78, 115, 117, 133, 134, 135, 192, 194, 196, 199, 203, 211, 215, 217, 220, 230,
           231, 232, 233, 235, 236, 237, 278, 283, 284, 285, 287, 288, 289, 291, 297, 303, 309,
           311, 319, 321, 322, 323, 324, 325, 329, 331, 336, 338, 340, 344, 346, 349, 351, 367,
           389, 393, 399, 404, 412, 440, 486, 494, 495, 500, 501, 512, 514, 516, 517, 525, 527,
           532, 534, 544, 546, 552, 554, 562, 563, 564, 565},
    S003: set(),
}


@pytest.fixture(autouse=True, scope="module")
def _after_the_import(repairs_remembered):
    """The real collections' repairs come from the session import (conftest.py)."""


@functools.cache
def lines(name: str) -> tuple[str, ...]:
    return tuple((SOURCES / name).read_text(encoding="utf-8").split("\n"))


@functools.cache
def freq(name: str) -> dict[str, float]:
    return char_frequencies(lines(name))


@functools.cache
def repaired(name: str) -> tuple[LineRepair, ...]:
    """`repair_mojibake_line` of every line against the collection's frequencies: what the importer does,
    remembered by content (the session's import computed it; see conftest.py)."""
    return tuple(repair_lines(lines(name)))


def line(name: str, no: int) -> str:
    return lines(name)[no - 1]


def repair(name: str, no: int) -> LineRepair:
    return repaired(name)[no - 1]


# --------------------------------------------------------------------------- line-initial headings


def test_heading_with_chinese_numeral():
    raw = line(S002, 562)
    assert raw.startswith("。ㄒ唬└叨戎匾,精心部署。")
    result = repair(S002, 562)
    # 視's trail byte met the comma and was dropped by the first decoder: that character is lost.
    assert result.text == "（一）高度重" + UNREADABLE + raw[len("。ㄒ唬└叨戎匾"):]
    assert result.recovered == [("。ㄒ唬└叨戎匾", "（一）高度重" + UNREADABLE)]
    assert result.unrecovered == ["匾"]


@pytest.mark.parametrize("no, garbled, heading", [
    (24, "。ǘ┥钊胪七M", "（二）深入推進"),      # 二's trail and ）'s lead were dropped together
    (45, "。ㄈ┓e", "（三）積"),                # 積's trail byte is the ASCII letter e
    (288, "。﹫猿秩伺c", "（六）堅持人與"),      # both pairs inside （六） were dropped
    (525, "。ㄒ唬┕ぷ魅蝿", "（一）工作任務"),    # the annotation (wù) names the last character
])
def test_heading_and_rest_of_run_recovered(no, garbled, heading):
    raw = line(S002, no)
    assert raw.startswith(garbled)
    result = repair(S002, no)
    assert result.text == heading + raw[len(garbled):]
    assert result.recovered == [(garbled, heading)]
    assert result.unrecovered == []


@pytest.mark.parametrize("no, number", [(26, "1"), (30, "1"), (31, "2"), (32, "3"), (33, "4")])
def test_heading_with_digit(no, number):
    raw = line(S002, no)
    assert raw.startswith(f"。{number})")
    assert repair(S002, no).text == f"（{number}）" + raw[3:]


def test_no_garbled_heading_is_left():
    for no, result in enumerate(repaired(S002), start=1):
        assert not result.text.startswith("。"), no


# --------------------------------------------------------------------------- runs inside a line


def test_annotator_debris_inside_a_line():
    raw = line(S000, 257)
    result = repair(S000, 257)
    expected = (raw.replace("當(dāng)?shù)乜h政府", "當(dāng)地縣政府")
                .replace("?shù)匦I岚踩摽傌?zé)", f"地校舍安{UNREADABLE}總責(zé)"))
    assert expected != raw
    assert result.text == expected
    assert result.recovered == [("?shù)乜h", "地縣"), ("?shù)乜h", "地縣"),
                                ("?shù)匦I岚踩摽傌?zé)", f"地校舍安{UNREADABLE}總責(zé)")]
    assert result.unrecovered == ["踩摽"]


def test_run_after_annotator_debris_is_read_to_its_end():
    raw = line(S000, 259)
    assert "當(dāng)?shù)匦0补こ淌┬袪顩r、" in raw
    assert "當(dāng)地校安工程施行狀況、" in repair(S000, 259).text


def test_folded_full_width_punctuation_starts_a_run():
    raw = line(S002, 11)
    assert "水平?茖W(xué)劃分" in raw
    result = repair(S002, 11)
    # `?` is ？ (A3 BF): its first byte is the trail of 。, whose lead byte is gone.
    assert f"水平{UNREADABLE}科學(xué)劃分" in result.text
    assert ("?茖W", f"{UNREADABLE}科學") in result.recovered


def test_unrecoverable_run_is_marked_and_listed():
    raw = line(S002, 13)
    assert "錄入?yún)^(qū)綜治" in raw
    result = repair(S002, 13)
    assert result.text == raw.replace("?yún)^(qū)", UNREADABLE)
    assert result.recovered == []
    assert result.unrecovered == ["?yún)^(qū)"]


def test_every_marker_is_listed():
    for name in (S000, S002):
        for result in repaired(name):
            assert result.text.count(UNREADABLE) == len(result.unrecovered)


def test_recovered_annotations_are_in_the_normal_form():
    # After the importer's pinyin step no annotation may be left over: the repair writes
    # `字(pīn)` right after its character and drops annotations of lost characters.
    pinyin = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
    for name in (S000, S002):
        for no in GARBLED[name]:
            text, _ = remove_pinyin(repair(name, no).text)
            assert not pinyin.search(text), (name, no, pinyin.search(text))
            assert not re.search(r"\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", text), (name, no)


# --------------------------------------------------------------------------- nothing else changes


@pytest.mark.parametrize("name", [S000, S001, S002, S003])
def test_exactly_the_garbled_lines_change(name):
    changed = {no for no, (raw, result) in enumerate(zip(lines(name), repaired(name)), start=1)
               if result.text != raw}
    assert changed == GARBLED[name]
    assert len(changed) == {S000: 9, S001: 0, S002: 99, S003: 0}[name]


@pytest.mark.parametrize("name", [S001, S003])
def test_clean_collections_are_untouched(name):
    for raw, result in zip(lines(name), repaired(name)):
        assert result == LineRepair(raw, [], [])


@pytest.mark.parametrize("name", [S001, S002])
def test_real_question_mark_stays(name):
    text = "这是为什么?我们认为,关键在于落实。"
    assert repair_mojibake_line(text, freq(name)) == LineRepair(text, [], [])


# --------------------------------------------------------------------------- a new collection


def _garble(text: str) -> str:
    """Damage text as the sources were damaged: GBK bytes read one byte out of step (after a
    stray byte), pairs that are no character dropped, full-width forms folded to ASCII."""
    data = ("\u3000" + text).encode("gb18030")[1:]
    out, i = [], 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
            continue
        if i + 1 == len(data):
            break
        try:
            char = data[i:i + 2].decode("gb18030") if data[i + 1] >= 0x40 else None
        except UnicodeDecodeError:
            char = None
        if char and not 0xE000 <= ord(char) <= 0xF8FF:
            out.append(chr(ord(char) - 0xFEE0) if 0xFF01 <= ord(char) <= 0xFF5E else char)
            i += 2
        else:
            i += 1 if data[i + 1] < 0x80 else 2
    return "".join(out)


def test_unseen_collection_of_the_same_kind():
    # 003 is simplified and has no mojibake. Damage some of its lines the same way and repair
    # them with the frequencies of the others: no change to the code, no knowledge of the text.
    long = [raw for raw in lines(S003) if len(raw) >= 8]
    samples = long[::4]
    model = char_frequencies(raw for raw in lines(S003) if raw not in samples)
    restored = 0
    for raw in samples:
        garbled = _garble("（三）" + raw)
        assert garbled.startswith("。")
        result = repair_mojibake_line(garbled, model)
        restored += result.text.startswith("（三）")
        assert result.text.count(UNREADABLE) == len(result.unrecovered)
    assert restored >= 0.9 * len(samples)


def test_only_beginnings_without_a_run_worth_keeping_are_skipped(monkeypatch):
    # The search leaves out the beginnings where following `_walk` in advance shows that no
    # reading could be kept (`_live_beginnings`). Searching from every beginning must find the
    # same runs: on garbled lines (real and made), and on clean ones.
    from fanwen.importer import mojibake

    made = [_garble(prefix + raw) for prefix, raw in zip(["（三）", "", "一、"] * 20, lines(S003)[10:70])]
    samples = {S000: [line(S000, no) for no in sorted(GARBLED[S000])] + list(lines(S000)[:20]),
               S002: [line(S002, no) for no in sorted(GARBLED[S002])[:40]],
               S003: made + list(lines(S003)[:20])}
    skipped = 0
    for name, sample in samples.items():
        model = mojibake._model(freq(name))
        runs = [mojibake._runs(raw, model) for raw in sample]
        for raw in sample:
            search = mojibake._Search(raw, model)
            skipped += len(search.beginnings) - len(mojibake._live_beginnings(search))
        with monkeypatch.context() as patch:
            patch.setattr(mojibake, "_live_beginnings", lambda search: search.beginnings)
            assert [mojibake._runs(raw, model) for raw in sample] == runs, name
    assert skipped > 1000


# --------------------------------------------------------------------------- remembered repairs


def test_remembered_repairs_are_the_computed_ones_and_follow_the_content(tmp_path, monkeypatch):
    """The importer's repairs are remembered by content (in the process and in FANWEN_CACHE_DIR):
    a remembered answer is the computed one, an edited line gets its own repair, and a damaged
    or unwritable cache only costs time."""
    from fanwen.importer import mojibake

    N, G = 30, 9  # a small collection of 003's lines, one of them garbled

    def forget():  # a new process: nothing in memory, only the cache folder
        monkeypatch.setattr(mojibake, "_memory", {})

    def computed(collection):  # no cache at all
        freq = mojibake._char_frequencies(list(collection))
        return [repair_mojibake_line(raw, freq) for raw in collection]

    cache = tmp_path / "cache"
    monkeypatch.setenv("FANWEN_CACHE_DIR", str(cache))
    forget()
    clean = [raw for raw in lines(S003) if raw][:N]
    collection = clean[:G] + [_garble("（三）" + clean[G])] + clean[G + 1:]
    expected = computed(collection)
    assert expected[G].text != collection[G] and UNREADABLE in expected[G].text  # the garbled line is marked
    assert repair_lines(collection) == expected
    assert len(list(cache.glob("mojibake-*.bin"))) == 2  # the frequencies and the repairs
    forget()
    assert repair_lines(collection) == expected  # read back from the folder
    assert char_frequencies(collection) == mojibake._char_frequencies(collection)

    edited = collection[:G] + [_garble("（四）" + clean[G])] + collection[G + 1:]
    assert repair_lines(edited) == computed(edited)
    assert repair_lines(edited)[G] != expected[G]

    for entry in cache.glob("mojibake-*.bin"):  # damaged files are ignored, then rewritten
        entry.write_bytes(entry.read_bytes()[:32] + b'{"count": 3, "changed": {"0": ["x"]}}')
    forget()
    assert repair_lines(collection) == expected
    forget()
    assert repair_lines(collection) == expected

    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("FANWEN_CACHE_DIR", str(blocked / "cache"))  # cannot be made: not used
    forget()
    assert repair_lines(collection) == expected
