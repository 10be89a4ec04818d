"""A unit's data (data/unit.yml or a writer's own file) and shared phrases, validated.

A wrong type, a missing key or a YAML syntax error fails with the file, the key path, the
line and what was expected; never a half-filled template.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .data import load_yaml
from .errors import FanwenError


class _Model(BaseModel):
    # Writers may add fields of their own; templates can use them.
    model_config = ConfigDict(extra="allow")


class Unit(_Model):
    name: str
    short_name: str
    parent: str
    region: str | None = None


class Contact(_Model):
    name: str
    phone: str


class Member(_Model):
    role: str
    name: str
    post: str


class Phase(_Model):
    phase: str
    start: dt.date
    end: dt.date
    tasks: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"结束日期 {self.end} 早于开始日期 {self.start}")
        return self


class Office(_Model):
    name: str
    director: str | None = None


class UnitData(_Model):
    unit: Unit
    year: int
    topic: str | None = None
    contact: Contact
    leading_group: list[Member] = Field(min_length=1)
    office: Office | None = None
    timeline: list[Phase] = Field(min_length=1)

    @field_validator("year")
    @classmethod
    def _plausible_year(cls, year: int) -> int:
        if not 1949 <= year <= 2100:
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


_EXPECTED = {
    "missing": "缺少必填项",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "date_type": "应为日期（如 2027-03-01）",
    "date_from_datetime_parsing": "应为日期（如 2027-03-01）",
    "date_parsing": "应为日期（如 2027-03-01）",
    "list_type": "应为列表（每项以 - 开头）",
    "model_type": "应为映射（键: 值）",
    "dict_type": "应为映射（键: 值）",
    "too_short": "至少要有一项",
}


def _key_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _line_of(text: str, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at `loc` (or of its nearest existing parent)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


def _validate(path: Path, model: type[BaseModel]):
    raw = load_yaml(path)
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        line = _line_of(path.read_text(encoding="utf-8"), loc)
        expected = _EXPECTED.get(first["type"], first["msg"])
        got = "" if first["type"] == "missing" else f"，实际是 {first.get('input')!r}"
        more = f"（另有 {error.error_count() - 1} 处问题）" if error.error_count() > 1 else ""
        raise FanwenError(f"{path}:{line or 1}: {_key_path(loc)}", f"`{_key_path(loc)}` {expected}{got}{more}",
                          "参照 data/unit.yml 的写法修改这一项（日期写成 2027-03-01，列表每项以 - 开头）。") from None


def load_unit(path: Path) -> UnitData:
    return _validate(path, UnitData)


def load_phrases(path: Path) -> Phrases:
    return _validate(path, Phrases)
