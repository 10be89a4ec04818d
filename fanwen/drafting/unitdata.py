"""A unit's data (data/unit.yml or a writer's own file) and shared phrases, validated.

A wrong type, a missing key or a YAML syntax error fails with the file, the key path, the
line and what was expected; never a half-filled template. What is allowed but probably not
meant (no topic, no tasks, a year that contradicts the dates) comes back as warnings.

Every text value is plain text: it may not contain private-use characters (the renderer's
own marks), control characters or line breaks (one value is one line of the document), so
no value can end the escaping of a filled-in value or open a block of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from fanwen.data import load_model

# The unit levels are the keys of data/levels.yml (their words), handed to the model as the
# validation context `levels`: defined once, as data.
DEFAULT_LEVEL = "乡镇"

# Private use (the FILL marks live here), C0/C1 controls, line and paragraph separators.
_FORBIDDEN = re.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _text(value):
    """A value meant as text. Numbers and dates that YAML read as such are taken as the text
    the writer typed (`phone: 13857102233`); lists and mappings are refused."""
    if isinstance(value, bool):
        raise ValueError("应为文字，实际是 true/false；如要写“是/否”，请加引号")
    if isinstance(value, (int, float, dt.date)):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("应为一行文字（不是列表或映射）")
    value = value.strip()
    bad = _FORBIDDEN.search(value)
    if bad:
        if bad.group() in "\n\r":
            raise ValueError("应为一行文字，不能换行；请把内容写在一行")
        raise ValueError(f"含有不可见的控制字符或私用区字符（U+{ord(bad.group()):04X}）；请删除后重新输入")
    return value


def _nonempty(value):
    value = _text(value)
    if not value:
        raise ValueError("不能为空")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Name = Annotated[str, BeforeValidator(_nonempty)]


class _Model(BaseModel):
    # Writers may add fields of their own; templates can use them.
    model_config = ConfigDict(extra="allow")


class Unit(_Model):
    name: Name
    short_name: Name
    parent: Name
    region: Text | None = None
    level: Text | None = None

    @field_validator("level")
    @classmethod
    def _known_level(cls, level, info):
        levels = (info.context or {}).get("levels", ())
        if level is not None and level not in levels:
            raise ValueError(f"层级应为 {'、'.join(levels)} 之一")
        return level


class Contact(_Model):
    name: Name
    phone: Name


class Member(_Model):
    role: Name
    name: Name
    post: Name


class Span(_Model):
    start: dt.date
    end: dt.date
    tasks: list[Text] = Field(default_factory=list)

    @field_validator("end")
    @classmethod
    def _ordered(cls, end, info):
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"结束日期 {end.year}年{end.month}月{end.day}日 早于开始日期 "
                             f"{start.year}年{start.month}月{start.day}日")
        return end


class Phase(Span):
    phase: Name
    results: list[Text] = Field(default_factory=list)  # what was done (reports, summaries)


class Office(_Model):
    name: Name
    director: Text | None = None


class Election(_Model):
    """The five statutory steps of a 村/社区 election, each optional (missing → a blank)."""
    committee: Span | None = None  # 成立选举委员会
    registration: Span | None = None  # 选民登记
    nomination: Span | None = None  # 候选人提名与资格审查
    voting: Span | None = None  # 投票选举
    handover: Span | None = None  # 交接与建章立制


class Issue(_Model):
    """The 印发通知 wrapper and 版记 of a plan (optional)."""
    notice: bool = True
    cc: list[Text] = Field(default_factory=list)  # 抄送
    issuer: Text | None = None  # 印发机关 (default: the level's office)
    date: dt.date | None = None  # 印发日期 (default: the document's date)


class UnitData(_Model):
    unit: Unit
    year: int
    date: dt.date | None = None  # 成文日期; default per template type
    topic: Text | None = None
    contact: Contact
    leading_group: list[Member] = Field(min_length=1)
    office: Office | None = None
    timeline: list[Phase] = Field(min_length=1)
    basics: Text | None = None  # 基本情况
    achievements: list[Text] = Field(default_factory=list)  # 主要成效 (reports, summaries)
    problems: list[Text] = Field(default_factory=list)  # 存在的问题
    next_steps: list[Text] = Field(default_factory=list)  # 下一步打算
    suggestions: list[Text] = Field(default_factory=list)  # 对策建议 (调研报告)
    request: list[Text] = Field(default_factory=list)  # 请示事项
    reason: Text | None = None  # 请示缘由
    attachments: list[Text] = Field(default_factory=list)  # 附件说明
    election: Election | None = None
    issue: Issue | None = None
    words: dict[str, Text] = Field(default_factory=dict)  # level words this unit says differently

    @field_validator("year", mode="before")
    @classmethod
    def _plausible_year(cls, year):
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year.strip())
        if isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2100:
            raise ValueError("年份应为四位数，如 2027")
        return year


class Requirement(BaseModel):
    title: str
    text: str


class Phrases(_Model):
    guiding_thought: str
    people_centred: str
    requirements: list[Requirement] = Field(min_length=1)
    closing_report: str


UNIT_FIX = ("参照 data/unit.yml 的写法修改这一项（日期写成 2027-03-01，列表每项以 - 开头，"
            "以数字、true/false 开头的文字请加引号）。")


def load_unit(path: Path, levels: tuple[str, ...]) -> UnitData:
    """A unit's data file, validated; `levels`: the unit levels there are (data/levels.yml)."""
    return load_model(path, UnitData, UNIT_FIX, context={"levels": levels})


def load_phrases(path: Path) -> Phrases:
    return load_model(path, Phrases, UNIT_FIX)


def check_unit(data: UnitData, path: Path, levels: tuple[str, ...]) -> list[str]:
    """What is allowed but probably not meant: each a warning in Chinese naming the key."""
    warnings = []
    if data.unit.level is None:
        warnings.append(f"{path}: unit.level 未填写，按“{DEFAULT_LEVEL}”处理；"
                        f"请写明层级（{'、'.join(levels)} 之一），用词才会与本单位相符。")
    if not data.topic:
        warnings.append(f"{path}: topic 未填写：标题和正文中的工作名称将留空待填；请写明是什么工作，如“安全生产”。")
    if not any(p.tasks for p in data.timeline):
        warnings.append(f"{path}: timeline 中各阶段都没有 tasks：各阶段的具体工作将留空待填。")
    years = {d.year for p in data.timeline for d in (p.start, p.end)}
    if data.year not in years:
        first = data.timeline[0].start
        warnings.append(f"{path}: year 是 {data.year}，但 timeline 的日期都在 {'、'.join(map(str, sorted(years)))} 年"
                        f"（如 {first.year}年{first.month}月{first.day}日）；请核对年份。")
    for before, after in zip(data.timeline, data.timeline[1:]):
        if after.start < before.start:
            warnings.append(f"{path}: timeline 中“{after.phase}”开始于“{before.phase}”之前；"
                            f"请按时间先后排列各阶段。")
    if data.election:
        steps = [(k, s) for k, s in data.election if s is not None]
        for (k1, s1), (k2, s2) in zip(steps, steps[1:]):
            if s2.start < s1.start:
                warnings.append(f"{path}: election.{k2} 开始于 election.{k1} 之前；请核对选举各步骤的日期。")
    return warnings


# ----------------------------------------------------------------------------- for the browser

MODELS = {m.__name__: m for m in (UnitData, Unit, Contact, Member, Phase, Office, Election, Span, Issue)}


def _kind(annotation, metadata) -> dict:
    import typing

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)][0]
        return _kind(inner, metadata)
    if typing.get_origin(annotation) is Annotated:
        return _kind(args[0], list(getattr(annotation, "__metadata__", [])) + list(metadata))
    if origin is list:
        item = _kind(args[0], [])
        return {"kind": "list", "item": item}
    if origin is dict:
        return {"kind": "dict"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"kind": "model", "model": annotation.__name__}
    if annotation is dt.date:
        return {"kind": "date"}
    if annotation is bool:
        return {"kind": "bool"}
    if annotation is int:
        return {"kind": "int"}
    nonempty = any(getattr(m, "func", None) is _nonempty for m in metadata)
    return {"kind": "text", "nonempty": nonempty}


def shape(levels: tuple[str, ...]) -> dict:
    """The unit data's models as data (field kinds, required or not, defaults), so the page
    fills in defaults and checks values from the same description the CLI validates with."""
    out = {}
    for name, model in MODELS.items():
        fields = {}
        for key, info in model.model_fields.items():
            field = _kind(info.annotation, info.metadata)
            field["required"] = info.is_required()
            if not info.is_required():
                default = info.get_default(call_default_factory=True)
                field["default"] = default if isinstance(default, (str, int, bool, list, dict, type(None))) else None
            if key == "leading_group" or key == "timeline":
                field["min"] = 1
            fields[key] = field
        out[name] = fields
    out["levels"] = list(levels)
    return out
