"""Character-level cleaning of scraped text: decoding, pinyin annotations, script folding."""

from __future__ import annotations

import contextlib
import itertools
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from fanwen.errors import FanwenError

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# --------------------------------------------------------------------------- decoding

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Legacy Chinese encodings tried when a file is not UTF-8. GB18030 decodes almost any byte
# string, Big5 text included (as garbage), so a strict decode proves nothing: each decoding
# is scored and one is taken only on clear evidence.
LEGACY = (("gb18030", "GB18030/GBK（简体）"), ("cp950", "Big5（繁体）"), ("big5hkscs", "Big5-HKSCS（繁体）"))
CLEAR = 0.85   # at least this share of a decoding's non-ASCII characters must read as Chinese text
MARGIN = 0.15  # …and that much more than any other decoding's share
SAMPLE = 50_000  # non-ASCII characters scored (the opening of a large file is enough evidence)


@lru_cache(maxsize=65536)
def _reads_as_text(char: str) -> bool:
    """Whether a non-ASCII character is what Chinese text is made of: a frequent hanzi (GB2312
    level 1, or Big5's frequent range A440–C67E), or CJK / full-width punctuation. Garbage from a
    wrong decoding lands mostly on rare hanzi, kana, Cyrillic, private-use code points."""
    code = ord(char)
    if (0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027 or char in "·×÷°"
            or 0x2150 <= code <= 0x218F or 0x2460 <= code <= 0x24FF or 0x3200 <= code <= 0x32FF  # Ⅱ ① ㈠
            or char in TONED):  # pinyin annotations
        return True
    if not 0x4E00 <= code <= 0x9FFF:
        return False
    with contextlib.suppress(UnicodeEncodeError):
        if 0xB0 <= char.encode("gb2312")[0] <= 0xD7:
            return True
    with contextlib.suppress(UnicodeEncodeError):
        return 0xA440 <= int.from_bytes(char.encode("cp950"), "big") <= 0xC67E
    return False


def text_share(text: str) -> float:
    """Share of the (first SAMPLE) non-ASCII characters that read as Chinese text; 1.0 if none."""
    chars = [c for c in itertools.islice((c for c in text if c > "\x7f"), SAMPLE)]
    return sum(map(_reads_as_text, chars)) / len(chars) if chars else 1.0


def _utf16_without_bom(data: bytes) -> str | None:
    """Windows "Unicode" text saved without its BOM: NUL high bytes on one side of each pair."""
    if len(data) % 2 or len(data) < 4:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary data decodes too, as rare characters and controls: only text that reads as
        # Chinese, with line breaks and without controls, is taken.
        if "\n" in text and text_share(text) >= CLEAR and not any(
                unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
            return text
    return None


def decode_source(path: Path, data: bytes) -> str:
    """Bytes of a collection → text: by BOM (UTF-8, UTF-16), UTF-8, UTF-16 without BOM, then
    GB18030 or Big5, whichever reads as Chinese text on clear evidence.

    A file whose encoding cannot be decided fails naming the candidates, so the keeper can
    save it as UTF-8; binary files (NUL bytes) are refused outright.
    """
    if not data.strip():
        raise FanwenError(str(path), "文件为空，没有可导入的内容", "确认抓取是否成功，或从导入命令中去掉这个文件。")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as error:
                raise FanwenError(f"{path}: 字节偏移 {error.start + len(bom)}",
                                  f"文件开头标明是 {encoding.upper()} 编码，但其中有无法解码的字节",
                                  "用文本编辑器打开，另存为 UTF-8 后重新导入。") from None
            break
    if text is None and b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            nul = data.find(b"\x00")
            raise FanwenError(f"{path}: 字节偏移 {nul}", "这是二进制文件（含 NUL 字节），不是文本合集",
                              "若它其实是 Word、PDF 或网页，改用 .docx/.doc/.pdf/.html 扩展名直接导入；"
                              "文本合集请另存为 UTF-8 文本。")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            text = _decode_legacy(path, data, utf8_error)
    if text.strip() == "":
        raise FanwenError(str(path), "文件为空，没有可导入的内容", "确认抓取是否成功，或从导入命令中去掉这个文件。")
    # Control characters other than tab/newline are never part of an article.
    bad = next((i for i, c in enumerate(text) if unicodedata.category(c) == "Cc" and c not in "\t\n\r"), None)
    if bad is not None:
        raise FanwenError(f"{path}: 字符位置 {bad}", f"含控制字符 U+{ord(text[bad]):04X}，不像文本合集",
                          "确认这是抓取下来的文本文件；二进制文件不能导入。")
    return strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))


def _decode_legacy(path: Path, data: bytes, utf8_error: UnicodeDecodeError) -> str:
    scored = []
    for encoding, label in LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((text_share(text), label, text))
    scored.sort(key=lambda item: -item[0])
    families = {label.split("（")[0].split("-")[0] for _, label, _ in scored}  # Big5 and Big5-HKSCS: one
    if len(families) == 1 and scored[0][0] >= 0.5:
        return scored[0][2]  # one family decodes at all: no choice to make, unless it reads as garbage
    if scored and scored[0][0] >= CLEAR and scored[0][0] - max(
            (share for share, label, _ in scored[1:] if not label.startswith(scored[0][1].split("（")[0].split("-")[0])),
            default=0) >= MARGIN:
        return scored[0][2]
    if not scored:
        raise FanwenError(
            f"{path}: 字节偏移 {utf8_error.start}",
            f"既不是 UTF-8，也不是 GB18030/GBK 或 Big5 编码（UTF-8 在第 {utf8_error.start} 字节处无法解码："
            f"{data[utf8_error.start:utf8_error.start + 4].hex(' ')}）",
            "用文本编辑器以正确的编码打开并另存为 UTF-8，再重新导入。")
    readings = "；".join(f"按 {label} 读，常用汉字和标点占 {share:.0%}" for share, label, _ in scored)
    raise FanwenError(str(path), f"无法确定文件编码（不是 UTF-8）：{readings}",
                      "用文本编辑器以正确的编码（简体多为 GB18030/GBK，繁体多为 Big5）打开，确认文字正常后另存为 UTF-8，再重新导入。")


# Characters that change how text is shown without being text: bidirectional overrides and
# isolates (which can make a title read backwards) and zero-width characters. Never part of an
# article; the BOM inside a file is one of them.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


# --------------------------------------------------------------------------- pinyin

_PLAIN = "aaaaeeeeiiiioooouuuuüüüü"
_DETONE = str.maketrans(TONED, _PLAIN)
# One pinyin syllable (toneless form): optional initial, a final that has a vowel.
_SYLLABLE = re.compile(r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[iuüv]?(?:[aeiouüv]{1,2})(?:ng|n|r)?")
_ANNOTATION = re.compile(rf"(?<=[{CJK}])[(（]([a-z{TONED}ü]{{1,7}})[)）]")


def is_pinyin_syllable(word: str) -> bool:
    """True for one pinyin syllable such as `xiāng` or `de`; `xx` (a placeholder) is not."""
    return bool(_SYLLABLE.fullmatch(word.translate(_DETONE)))


def remove_pinyin(line: str) -> tuple[str, list[str]]:
    """Drop pinyin annotations after characters (`鄉(xiāng)` → `鄉`); return what was removed.

    Only a single lowercase syllable right after a Chinese character is an annotation:
    `(一)`, `(GDP)`, `(xx)` and `(以下简称…)` are real text and stay.
    """
    removed: list[str] = []

    def drop(match: re.Match) -> str:
        if is_pinyin_syllable(match.group(1)):
            removed.append(match.group(0))
            return ""
        return match.group(0)

    return _ANNOTATION.sub(drop, line), removed


# --------------------------------------------------------------------------- script


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC's t2s; simplified text passes through unchanged."""
    return _t2s().convert(text)


def has_traditional(text: str) -> bool:
    """True if OpenCC would change any character of the text."""
    return to_simplified(text) != text


# --------------------------------------------------------------------------- numbering

CN_NUM = "一二三四五六七八九十"
CIRCLED = "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"
# `一、` (top level), `（一）` / `(一)` / `㈠` (second level), `1.` `1、` `（1）` (third level).
TOP = re.compile(rf"^([{CN_NUM}]{{1,3}})、")
SECOND = re.compile(rf"^(?:[(（]([{CN_NUM}]{{1,3}})[)）]|([{CIRCLED}]))")
THIRD = re.compile(r"^(?:\d{1,2}\s*[.、．](?!\d)|[(（]\d{1,2}[)）])")
ENUM = re.compile(rf"^(?:[{CN_NUM}]是|[{CN_NUM}]要|第[{CN_NUM}]{{1,3}}(?:[,，、是]|阶段|部分|步|条|章|节)|首先|其次|最后)")
SENTENCE_END = "。！？!?；;"


def numbering_level(line: str) -> int:
    """1 for `一、`, 2 for `（一）`, 3 for `1、`, 4 for `一是`; 0 for an unnumbered line."""
    if TOP.match(line):
        return 1
    if SECOND.match(line):
        return 2
    if THIRD.match(line):
        return 3
    if ENUM.match(line):
        return 4
    return 0


def parse_cn_number(text: str) -> int:
    """Value of a small Chinese numeral (一 … 九十九)."""
    if text in ("十",):
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_NUM.index(tens) + 1 if tens else 1) * 10 + (CN_NUM.index(ones) + 1 if ones else 0)
    return CN_NUM.index(text) + 1 if text in CN_NUM else 0


def uncircle(text: str) -> str:
    """`㈠…` → `（一）…`: the circled second-level numbers as the site writes them."""
    if text[:1] in CIRCLED:
        return f"（{CN_NUM[CIRCLED.index(text[0])]}）{text[1:]}"
    return text


def split_run_in(line: str) -> tuple[str, str]:
    """A numbered line → (heading, body). The body is empty for a standalone heading.

    `（一）举办现场宣传咨询活动。组织…` → (`（一）举办现场宣传咨询活动。`, `组织…`).
    """
    for i, char in enumerate(line):
        if char in "。！？!?：:" and i < len(line) - 1:
            return line[: i + 1], line[i + 1:]
    return line, ""


def is_standalone_heading(line: str, max_chars: int = 60) -> bool:
    """A numbered line that is only a heading: short, and no sentence ends inside it."""
    head, body = split_run_in(line)
    return not body and len(line) <= max_chars


def ends_sentence(line: str) -> bool:
    return bool(line) and line[-1] in SENTENCE_END + "：:，,"
