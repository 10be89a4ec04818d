"""Character-level rules, on real lines from the seeds."""

from pathlib import Path

import pytest

from fanwen.errors import FanwenError
from fanwen.importer.text import decode_source, has_traditional, is_pinyin_syllable, remove_pinyin, to_simplified

LINE_000_1 = "鄉(xiāng)鎮(zhèn)換屆選舉工作方案范文"


def test_pinyin_annotations_are_removed():
    text, removed = remove_pinyin(LINE_000_1)
    assert text == "鄉鎮換屆選舉工作方案范文"
    assert removed == ["(xiāng)", "(zhèn)"]


@pytest.mark.parametrize("line", [
    "(一)自查方式",  # second-level heading, 000 line 116
    "以《中華人民共和國村民委員會組織法》(以下簡稱《村委會組織法》)為準則",  # 000 line 5
    "社會治理現代化工作方案(精選18篇)",  # 002 line 1
    "依托長江三峽(xx)纖夫文化旅游節",  # a placeholder in brackets, not pinyin (002)
    "地區生產總值(GDP)增長",
    "有小(二)型以上水库10座",  # 001 line 4
])
def test_legitimate_parentheses_stay(line):
    assert remove_pinyin(line) == (line, [])


def test_pinyin_after_heading_number_is_still_removed():
    # 000 line 16: a real heading `(一)` next to annotations on the following characters.
    text, removed = remove_pinyin("1、學(xué)習(xí)法規(guī)和文件")
    assert text == "1、學習法規和文件" and len(removed) == 3


def test_syllables():
    assert all(map(is_pinyin_syllable, ["xiāng", "zhèn", "de", "lüè", "nǚ", "ér"]))
    assert not any(map(is_pinyin_syllable, ["xx", "gdp", "abc", "zzz"]))


def test_traditional_to_simplified():
    assert to_simplified("鄉鎮換屆選舉工作方案") == "乡镇换届选举工作方案"
    simplified = "乡镇工作情况报告篇一"
    assert to_simplified(simplified) == simplified and not has_traditional(simplified)


def test_decoding_utf8_bom_gbk_and_crlf(tmp_path):
    text = "乡镇工作情况报告篇一\r\n一、基本情况。\r\n"
    assert decode_source(Path("a.txt"), text.encode("utf-8")) == "乡镇工作情况报告篇一\n一、基本情况。\n"
    assert decode_source(Path("a.txt"), b"\xef\xbb\xbf" + text.encode("utf-8")).startswith("乡镇")
    assert decode_source(Path("a.txt"), text.encode("gbk")) == "乡镇工作情况报告篇一\n一、基本情况。\n"
    assert decode_source(Path("a.txt"), "鄉鎮換屆".encode("gb18030")) == "鄉鎮換屆"


def test_binary_file_is_refused_with_offset():
    with pytest.raises(FanwenError) as error:
        decode_source(Path("scan.txt"), b"PK\x03\x04\x00\x00abc")
    assert "scan.txt" in str(error.value) and "字节偏移 4" in str(error.value) and "二进制" in str(error.value)


def test_undecodable_file_names_the_byte_offset():
    data = "乡镇工作".encode("utf-8") + b"\xff\xfe\xfd\xfc\x80"
    with pytest.raises(FanwenError) as error:
        decode_source(Path("bad.txt"), data)
    message = str(error.value)
    assert "bad.txt" in message and "字节偏移 12" in message and "UTF-8" in message and "另存为" in message


def test_empty_file_is_refused():
    with pytest.raises(FanwenError, match="文件为空"):
        decode_source(Path("empty.txt"), b"  \n\n")
