"""Rules for the parts of an office document that are not model text: data/office.yml."""

from __future__ import annotations

import re
from pathlib import Path

from fanwen.importer.collection import Removal
from fanwen.data import cached_data_file, data_dir, load_rules

ACTIONS = {"drop": "删除", "keep": "保留"}


def load_office_rules() -> dict:
    """data/office.yml, checked on load (fanwen/schema.py), with its patterns compiled."""
    return cached_data_file(data_dir() / "office.yml", _compiled)


def _compiled(path: Path) -> dict:
    raw = load_rules("office.yml")
    return {**raw, "rules": [{**rule, "patterns": [re.compile(p) for p in rule["patterns"]]} for rule in raw["rules"]]}


def part_action(part: str) -> str:
    """drop or keep, for a page part the reader found (页眉, 页脚)."""
    return load_office_rules()["page_parts"].get(part, "drop")


def apply_part_rules(collection) -> None:
    """Find 页码, 版记, 版头标记, 落款… in the cleaned lines; drop or keep them as the rules say.

    `end` rules look at the last lines only, and only at a run of matching lines reaching the
    end (a 抄送 line in the middle of a report is text), so the scan goes backwards and stops at
    the first line no end rule claims.
    """
    rules = load_office_rules()
    edge = rules["edge_lines"]
    # Footnotes are printed after the body: the end of the document is the end of the body.
    lines = [line for line in collection.lines
             if getattr(collection.kinds.get(line.no), "kind", "para") not in ("footnote", "table")]
    decided: dict[int, dict] = {}

    def match(text: str, where: str):
        return next((r for r in rules["rules"] if r["where"] == where and any(p.search(text) for p in r["patterns"])), None)

    for i, line in enumerate(lines):
        rule = match(line.text, "anywhere")
        if rule:
            decided[i] = rule
    for i in range(min(edge, len(lines))):
        if i in decided:
            continue
        rule = match(lines[i].text, "start")
        if not rule:
            break
        decided[i] = rule
    for i in range(len(lines) - 1, max(-1, len(lines) - 1 - edge), -1):
        if i in decided:
            continue
        rule = match(lines[i].text, "end")
        if not rule:
            break
        decided[i] = rule
    by_no = {lines[i].no: rule for i, rule in decided.items()}
    keep = []
    for line in collection.lines:
        rule = by_no.get(line.no)
        if rule:
            collection.recognised.append({"line": line.no, "part": rule["name"], "action": ACTIONS[rule["action"]],
                                          "text": line.text})
        if rule and rule["action"] == "drop":
            collection.removed.append(Removal(line.no, line.text, rule["name"]))
        else:
            keep.append(line)
    collection.lines = keep


def starts_document(text: str) -> bool:
    """False for a line that a `start` drop rule removes (masthead, copy number): the reader
    then does not take it for the title."""
    return not any(r["action"] == "drop" and r["where"] == "start" and any(p.search(text) for p in r["patterns"])
                   for r in load_office_rules()["rules"])
