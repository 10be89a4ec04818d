"""Character-level cleaning of scraped text: decoding, pinyin annotations, script folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .errors import FanwenError

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# --------------------------------------------------------------------------- decoding


def decode_source(path: Path, data: bytes) -> str:
    """Bytes of a collection → text. UTF-8 (with or without BOM) first, then GB18030.

    A file that is neither fails with the byte offset where decoding broke, so the keeper
    can look at the spot; binary files (NUL bytes) are refused outright.
    """
    if not data.strip():
        raise FanwenError(str(path), "文件为空，没有可导入的内容", "确认抓取是否成功，或从导入命令中去掉这个文件。")
    nul = data.find(b"\x00")
    if nul != -1:
        raise FanwenError(f"{path}: 字节偏移 {nul}", "这是二进制文件（含 NUL 字节），不是文本合集",
                          "只导入 .txt 文本；Word/PDF 请先另存为 UTF-8 文本。")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise FanwenError(
                f"{path}: 字节偏移 {utf8_error.start}",
                f"既不是 UTF-8 也不是 GB18030/GBK 编码（UTF-8 在第 {utf8_error.start} 字节处无法解码："
                f"{data[utf8_error.start:utf8_error.start + 4].hex(' ')}）",
                "用文本编辑器以正确的编码打开并另存为 UTF-8，再重新导入。") from None
    # Control characters other than tab/newline are never part of an article.
    bad = next((i for i, c in enumerate(text) if unicodedata.category(c) == "Cc" and c not in "\t\n\r"), None)
    if bad is not None:
        raise FanwenError(f"{path}: 字符位置 {bad}", f"含控制字符 U+{ord(text[bad]):04X}，不像文本合集",
                          "确认这是抓取下来的文本文件；二进制文件不能导入。")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- pinyin

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PLAIN = "aaaaeeeeiiiioooouuuuüüüü"
_DETONE = str.maketrans(_TONED, _PLAIN)
# One pinyin syllable (toneless form): optional initial, a final that has a vowel.
_SYLLABLE = re.compile(r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[iuüv]?(?:[aeiouüv]{1,2})(?:ng|n|r)?")
_ANNOTATION = re.compile(rf"(?<=[{CJK}])[(（]([a-z{_TONED}ü]{{1,7}})[)）]")


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


def cn_number(text: str) -> int:
    """Value of a small Chinese numeral (一 … 九十九)."""
    if text in ("十",):
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_NUM.index(tens) + 1 if tens else 1) * 10 + (CN_NUM.index(ones) + 1 if ones else 0)
    return CN_NUM.index(text) + 1 if text in CN_NUM else 0


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
