"""Repairs of what the scrapers broke, one small function per kind of damage.

Each repair takes a cleaned (simplified, trimmed) line and returns the new line plus what it
did, so that the importer can count every change per file and per kind, and list every
removed character in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fanwen.data import load_rules
from fanwen.importer.text import CIRCLED, CJK, SECOND, TOP, split_run_in, uncircle

# Full-width punctuation that is Chinese context in its own right.
_CN_PUNCT = "，。、；：？！“”‘’《》（）【】—…·〔〕×"
_CJK_CHAR = re.compile(rf"[{CJK}{_CN_PUNCT}]")
PLACEHOLDER = "××"
UNREADABLE = "【原文此处乱码】"  # the same mark fanwen.mojibake puts where text is lost


@dataclass
class Edit:
    """What one repair did to one line."""

    kind: str
    count: int = 0
    removed: list[str] = field(default_factory=list)  # characters taken out (for the report)
    added: int = 0  # characters put in (a flagged gap, a normalised heading number)


def _is_cjk(char: str) -> bool:
    return bool(char) and bool(_CJK_CHAR.match(char))


# --------------------------------------------------------------------------- punctuation

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}


def _neighbours(text: str, i: int) -> tuple[str, str]:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return before, after


def _matching_parens(text: str) -> dict[int, int]:
    pairs, stack = {}, []
    for i, char in enumerate(text):
        if char == "(":
            stack.append(i)
        elif char == ")" and stack:
            open_at = stack.pop()
            pairs[open_at] = i
            pairs[i] = open_at
    return pairs


def restore_punctuation(text: str) -> tuple[str, Edit]:
    """ASCII `,;:!?()` in Chinese context → full-width; `3.5`, `12:18`, `3,000`, URLs and
    Latin-only runs keep their ASCII."""
    edit = Edit("标点")
    chars = list(text)
    pairs = _matching_parens(text)
    for i, char in enumerate(text):
        if char not in _HALF_TO_FULL:
            continue
        before, after = _neighbours(text, i)
        if char in "()":
            j = pairs.get(i)
            if j is None:
                chinese = _is_cjk(before) or _is_cjk(after)
            else:
                a, b = min(i, j), max(i, j)
                outside = (text[a - 1] if a else "") + (text[b + 1] if b + 1 < len(text) else "")
                chinese = any(map(_is_cjk, outside)) or any(map(_is_cjk, text[a + 1:b])) or a == 0
        elif char in ",:" and before.isdigit() and after.isdigit():
            chinese = False  # 3,000 and 12:18
        elif char == ":" and (after == "/" or text[max(0, i - 5):i].lower().endswith(("http", "https"))):
            chinese = False  # a URL
        elif char in "!?":
            chinese = _is_cjk(before)
        else:
            chinese = _is_cjk(before) or _is_cjk(after)
        if chinese:
            chars[i] = _HALF_TO_FULL[char]
            edit.count += 1
    return "".join(chars), edit


# A punctuation mark doubled (增强自觉性，，) or a pause mark before a full stop (如下：。): one
# of them is a scraping or typing slip. The ellipsis and the dash are written doubled on purpose.
_DOUBLED = re.compile(r"([，。、；：！？])\1+|(?<=：)。|[，、；](?=。)")


def collapse_doubled_punctuation(text: str) -> tuple[str, Edit]:
    """`，，` → `，`, `：。` → `：`, `，。` → `。`."""
    edit = Edit("重复标点")

    def drop(match: re.Match) -> str:
        kept = match.group(1) or ""
        edit.removed.append(match.group(0)[len(kept):])
        edit.count += 1
        return kept

    return _DOUBLED.sub(drop, text), edit


# --------------------------------------------------------------------------- injected junk

_STRAY_AFTER_DE = re.compile(rf"(?<=的)[.'`](?=[{CJK}“])")


def remove_stray_after_de(text: str) -> tuple[str, Edit]:
    """`的.` `的'` `的`` → `的`: characters a site injected to break copying."""
    edit = Edit("注入字符")
    edit.removed = _STRAY_AFTER_DE.findall(text)
    edit.count = len(edit.removed)
    return _STRAY_AFTER_DE.sub("", text), edit


def remove_inline_ads(text: str, patterns: list[re.Pattern]) -> tuple[str, Edit]:
    """Site adverts inside a paragraph (patterns from data/boilerplate.yml `inline`)."""
    edit = Edit("行内广告")
    for pattern in patterns:
        found = [m.group(0) for m in pattern.finditer(text)]
        if found:
            edit.removed += found
            text = pattern.sub("", text)
    edit.count = len(edit.removed)
    return text, edit


# --------------------------------------------------------------------------- headings


def normalise_heading(text: str) -> tuple[str, Edit]:
    """`㈠` → `（一）`, and a standalone heading loses its trailing `。`."""
    edit = Edit("标题")
    if text[:1] in CIRCLED:
        text = uncircle(text)
        edit.count += 1
        edit.added += 2
    if (TOP.match(text) or SECOND.match(text)) and text.endswith("。") and len(text) <= 60:
        head, body = split_run_in(text[:-1])
        if not body and not any(c in head for c in "。！？；"):
            text = text[:-1]
            edit.removed.append("。")
            edit.count += 1
    return text, edit


# --------------------------------------------------------------------------- placeholders

# Anonymisation marks: xx, XX, ××, **, ***, __, and a lone x between Chinese characters or
# digits (`x食安办`, `x号`). Letters inside Latin words are never touched.
_PLACEHOLDER = re.compile(r"(?<![A-Za-z./])(?<![A-Za-z]\s)(?:[xX×]{2,}|\*{2,}|_{2,}|＿{2,}"
                          r"|(?<!\d)[xX*](?=[\d" + CJK + r"〔\[])|(?<=\d)\*(?=[年月日号]))(?![A-Za-z./])")
# A year whose digits were deleted: `自年7月`, `一、年工作全面总结`, `年是…关键之年`.
_MISSING_YEAR = re.compile(r"(?:^|(?<=[自从于至到在、，。；：“（]))年(?=\d{1,2}月|工作|[，是,])")
_HEADING_YEAR = re.compile(r"^((?:[一二三四五六七八九十]{1,3}、)|(?:（[一二三四五六七八九十]{1,3}）))年(?=工作|度工作)")


# Shapes that stand for one number: a decimal (`x.x`, `xx.xx`), a range (`x-xx`).
_DECIMAL_BLANK = re.compile(r"(?<![A-Za-z\d])[xX×]+(?:\.[xX×]+|[-—～~][xX×]+)(?![A-Za-z])")
# A lone `X` after a name word (`县委书记X、`, `由X主持`): before punctuation or the line end.
_TRAILING_X = re.compile(rf"(?<=[{CJK}])[xX](?=[，。、；：！？”）)\s]|$)")
_RUN = re.compile(r"×{3,}")


def _count_blank() -> re.Pattern:
    units = load_rules("repairs.yml").get("count_units") or []
    return re.compile(r"(?<![\d.])\d+[xX×]{2,}(?=(?:%s))" % "|".join(map(re.escape, units)))


def unify_placeholders(text: str) -> tuple[str, Edit]:
    """Every anonymisation mark becomes `××`, the one form the site highlights: decimals
    (`x.x%`), ranges (`x-xx`), a name blanked to `X`, and a count with blanked digits
    (`20xxx人` → `××人`, never `20××人`, which reads as a year)."""
    edit = Edit("占位符")

    def to_placeholder(match: re.Match) -> str:
        if match.group(0) == PLACEHOLDER:
            return PLACEHOLDER
        edit.count += 1
        edit.added += len(PLACEHOLDER) - len(match.group(0))
        return PLACEHOLDER

    for pattern in (_count_blank(), _DECIMAL_BLANK, _TRAILING_X, _PLACEHOLDER, _RUN):
        text = pattern.sub(to_placeholder, text)
    return text, edit


# --------------------------------------------------------------------------- script folding


def fix_zhe(text: str) -> tuple[str, Edit]:
    """著 → 着 except in the words where 著 is right in simplified script (data/repairs.yml)."""
    edit = Edit("著→着")
    if "著" not in text:
        return text, edit
    keep = load_rules("repairs.yml").get("zhe_keep_words") or []
    chars = list(text)
    for i, char in enumerate(text):
        if char != "著":
            continue
        if any(text[max(0, i - w.index("著")):i - w.index("著") + len(w)] == w for w in keep if "著" in w):
            continue
        chars[i] = "着"
        edit.count += 1
    return "".join(chars), edit


def round_trip_table(lines: list[str]) -> list[tuple[str, str]]:
    """The round-trip repairs for one file: `always`, plus `in_round_trip` when the file shows
    a fingerprint of a word-level conversion round trip. Longest first."""
    rules = load_rules("repairs.yml").get("round_trip") or {}
    table = dict(rules.get("always") or {})
    if any(f in line for line in lines for f in rules.get("fingerprints") or []):
        table.update(rules.get("in_round_trip") or {})
    return sorted(table.items(), key=lambda pair: -len(pair[0]))


def repair_round_trip(text: str, table: list[tuple[str, str]]) -> tuple[str, Edit]:
    edit = Edit("繁简转换错误")
    for wrong, right in table:
        n = text.count(wrong)
        if n:
            text = text.replace(wrong, right)
            edit.count += n
            edit.removed += [wrong] * n
            edit.added += len(right) * n
    return text, edit


# --------------------------------------------------------------------------- quotes

_ASCII_QUOTE = re.compile(r'"([^"\n]{1,80})"')


def restore_quotes(text: str) -> tuple[str, Edit]:
    """ASCII double quotes around Chinese text → “…” (`不搞"一刀切"` → `不搞“一刀切”`)."""
    edit = Edit("引号")

    def quote(match: re.Match) -> str:
        inner = match.group(1)
        if not any(_is_cjk(c) for c in inner):
            return match.group(0)
        edit.count += 1
        return f"“{inner}”"

    return _ASCII_QUOTE.sub(quote, text), edit


def flag_missing_digits(text: str) -> tuple[str, Edit]:
    """A year with its digits deleted gets a visible `××` in front: flagged, never guessed."""
    edit = Edit("缺失数字")

    def flag(match: re.Match) -> str:
        edit.count += 1
        edit.added += len(PLACEHOLDER)
        return match.group(1) + PLACEHOLDER + "年" if match.lastindex else PLACEHOLDER + "年"

    text = _HEADING_YEAR.sub(flag, text)
    text = _MISSING_YEAR.sub(flag, text)
    return text, edit


def repair_line(text: str, inline_ads: list[re.Pattern], round_trip: list[tuple[str, str]] = ()
                ) -> tuple[str, list[Edit]]:
    """All line repairs in order; returns the repaired text and the non-empty edits."""
    edits = []
    # Placeholders first, so that `）,xx个` is Chinese context for the comma; punctuation twice,
    # so that a bracket just made full-width is context for its neighbour.
    for step in (lambda t: repair_round_trip(t, round_trip), lambda t: remove_inline_ads(t, inline_ads),
                 remove_stray_after_de, fix_zhe, unify_placeholders,
                 restore_punctuation, restore_punctuation, collapse_doubled_punctuation, restore_quotes,
                 normalise_heading, flag_missing_digits):
        text, edit = step(text)
        if edit.count:
            edits.append(edit)
    return text, edits
