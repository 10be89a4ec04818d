"""Rules for the parts of an office document that are not model text: data/office.yml."""

from __future__ import annotations

import re
from pathlib import Path

from fanwen.importer.collection import Removal
from fanwen.data import cached_data_file, data_dir, load_yaml
from fanwen.errors import FanwenError

ACTIONS = {"drop": "删除", "keep": "保留"}
WHERES = ("start", "end", "anywhere")


def load_office_rules() -> dict:
    return cached_data_file(data_dir() / "office.yml", _parse)


def _parse(path: Path) -> dict:
    raw = load_yaml(path)
    fix = "参照仓库中的 data/office.yml 恢复其结构。"
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise FanwenError(str(path), "应为映射，并有 `rules:` 列表", fix)
    edge = raw.get("edge_lines", 8)
    if not isinstance(edge, int) or isinstance(edge, bool) or not 1 <= edge <= 50:
        raise FanwenError(f"{path}: edge_lines", f"`edge_lines` 应为 1 到 50 的整数，实际是 {edge!r}", "写成如 `edge_lines: 8`。")
    parts = raw.get("page_parts") or {}
    if not isinstance(parts, dict) or any(v not in ACTIONS for v in parts.values()):
        raise FanwenError(f"{path}: page_parts", "`page_parts` 的每一项应为 drop 或 keep", "写成如 `页眉: drop`。")
    rules = []
    for i, item in enumerate(raw["rules"]):
        where = f"{path}: rules[{i}]"
        if not isinstance(item, dict) or set(item) - {"name", "action", "where", "patterns"}:
            raise FanwenError(where, "每条规则只能有 name、action、where、patterns 四个键", fix)
        if not isinstance(item.get("name"), str) or not item["name"]:
            raise FanwenError(f"{where}.name", "缺少规则名 `name`", "写上这部分的名称，如 `name: 版记`。")
        if item.get("action") not in ACTIONS:
            raise FanwenError(f"{where}.action", f"`action` 应为 drop 或 keep，实际是 {item.get('action')!r}", "改成 drop 或 keep。")
        if item.get("where", "anywhere") not in WHERES:
            raise FanwenError(f"{where}.where", f"`where` 应为 {'、'.join(WHERES)} 之一", "改成 start、end 或 anywhere。")
        patterns = item.get("patterns")
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
            raise FanwenError(f"{where}.patterns", "`patterns` 应为非空的正则表达式列表", "每行写一个用引号括起的正则表达式。")
        compiled = []
        for j, pattern in enumerate(patterns):
            try:
                compiled.append(re.compile(pattern))
            except re.error as error:
                raise FanwenError(f"{where}.patterns[{j}]", f"正则表达式有误：{error}", "改正这个表达式（用单引号括起，反斜杠不要加倍）。") from None
        rules.append({"name": item["name"], "action": item["action"], "where": item.get("where", "anywhere"),
                      "patterns": compiled})
    return {"edge_lines": edge, "page_parts": parts, "rules": rules}


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
