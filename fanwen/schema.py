"""What each rules file in data/ must look like, as pydantic models: one mechanism for every
data file (unit data has its own models in fanwen/drafting/unitdata.py, checked the same way,
`fanwen.data.validate`). A wrong key, type or pattern stops the import or the build with the
file, the line and the key path, in Chinese — never a KeyError traceback later.

The models check shape and values; the code reads the validated data (`load_rules` returns it
as plain dicts and lists, so rules stay easy to read where they are used)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, model_validator


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"正则表达式有误：{error}（用单引号括起，反斜杠不要加倍）") from None
    return value


def _word(value: str) -> str:
    if not value.strip():
        raise ValueError("不能为空")
    return value


Pattern = Annotated[str, AfterValidator(_pattern)]
Word = Annotated[str, AfterValidator(_word)]
Weights = dict[str, float]


class _Strict(BaseModel):
    # A misspelt key (`title_wieght`) is an error, not a silently ignored rule.
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------- themes.yml


def _slug(value: str) -> str:
    if not value.isascii() or not value.replace("-", "").isalnum() or value != value.lower():
        raise ValueError("slug 会成为网址的一部分，只能用小写 ASCII 字母、数字和连字符（如 dangjian）")
    return value


class Theme(_Strict):
    slug: Annotated[str, AfterValidator(_slug)]
    name: Word
    description: str
    keywords: Weights


class Themes(RootModel[list[Theme]]):
    root: list[Theme] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        seen = set()
        for theme in self.root:
            if theme.slug in seen:
                raise ValueError(f"slug `{theme.slug}` 重复：每个主题的 slug 必须唯一")
            seen.add(theme.slug)
        return self


# ----------------------------------------------------------------------------- classify.yml


class WordScores(_Strict):
    title: Weights = {}
    headings: Weights = {}
    text: Weights = {}


class Classify(_Strict):
    title_weight: float
    heading_weight: float
    # The document types and levels are these keys, in this order, then 其他 (what a document
    # that scores nothing is): the site's lists, filters and facets all follow them.
    types: dict[Word, WordScores | None] = Field(min_length=1)
    levels: dict[Word, WordScores | None] = Field(min_length=1)
    title_level_word: dict[str, str] = {}
    title_level_self: dict[str, list[str]] = {}
    title_suffix: dict[str, str] = {}

    @model_validator(mode="after")
    def _known_keys(self):
        for field, known in (("title_level_word", self.levels), ("title_level_self", self.levels),
                             ("title_suffix", self.types)):
            unknown = [key for key in getattr(self, field) if key not in known and key != "其他"]
            if unknown:
                raise ValueError(f"`{field}` 中的 `{unknown[0]}` 不是 types/levels 中定义的名称")
        return self


# ------------------------------------------------------------------------- boilerplate.yml


class Rule(_Strict):
    reason: Word
    pattern: Pattern
    max_chars: int | None = Field(default=None, ge=1)


class ListItem(_Strict):
    reason: Word
    max_chars: int = Field(ge=1)


class Tail(_Strict):
    start: list[Rule] = []
    list_item: ListItem


class Boilerplate(_Strict):
    lead: list[Rule] = []
    header: list[Rule] = []
    tail: Tail
    anywhere: list[Rule] = []
    inline: list[Rule] = []


# ------------------------------------------------------------------------------- split.yml


class Split(_Strict):
    doc_type_words: list[Word] = Field(min_length=1)
    marker_words: list[Word] = Field(min_length=1)
    salutations: list[Pattern] = []
    opening_paragraphs_max: int = Field(ge=0)
    continuation_openers: list[Word] = []
    unnumbered_run_min: int = Field(ge=1)
    opening_words: list[Word] = []
    long_page_chars: int = Field(ge=1)
    one_line_page_chars: int = Field(ge=1)
    one_line_page_headings: int = Field(ge=1)
    broken_line_min_chars: int = Field(ge=1)
    viewer_chunks_min: int = Field(ge=1)
    inline_heading_max_chars: int = Field(ge=1)


# ----------------------------------------------------------------------------- repairs.yml


class RoundTrip(_Strict):
    fingerprints: list[Word] = []
    always: dict[Word, str] = {}
    in_round_trip: dict[Word, str] = {}


class Repairs(_Strict):
    zhe_keep_words: list[Word] = []
    round_trip: RoundTrip = RoundTrip()
    count_units: list[Word] = []


# ------------------------------------------------------------------------------ status.yml


class Status(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Word
    note: Word
    quiet: bool = False      # 完整: no badge, no note
    reliable: bool = True    # false: listed last, never a template's section example


class Statuses(_Strict):
    statuses: list[Status] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete_first(self):
        if self.statuses[0].name != "完整":
            raise ValueError("第一项应为 `完整`（没有 status 的范文就是完整的）")
        return self


# ---------------------------------------------------------------------------- sections.yml


class Part(_Strict):
    name: Word
    aliases: list[Word] = Field(min_length=1)


class Sections(RootModel[list[Part]]):
    root: list[Part] = Field(min_length=1)


# ------------------------------------------------------------------------------ office.yml


class OfficeRule(_Strict):
    name: Word
    action: Literal["drop", "keep"]
    where: Literal["start", "end", "anywhere"] = "anywhere"
    patterns: list[Pattern] = Field(min_length=1)


class Office(_Strict):
    edge_lines: int = Field(default=8, ge=1, le=50)
    page_parts: dict[Word, Literal["drop", "keep"]] = {}
    rules: list[OfficeRule]


# The model of each rules file, by name: `fanwen.data.load_rules` checks a file against it.
RULES = {"themes.yml": Themes, "classify.yml": Classify, "boilerplate.yml": Boilerplate, "split.yml": Split,
         "repairs.yml": Repairs, "status.yml": Statuses, "sections.yml": Sections, "office.yml": Office}
