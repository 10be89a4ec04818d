"""Measure the importer's rules against a careful reading by hand (articles.json format):
split-point precision and recall, and type/level/theme agreement, per file."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

TYPE_MAP = {"调研": "报告", "other": "其他"}
THEME_MAP = {"T1": "dangjian", "T2": "renda", "T3": "zhili", "T4": "xiangcun", "T5": "jingji",
             "T6": "huanjing", "T7": "anquan", "T8": "guihua", "T9": "minsheng"}


def reference_units(path: Path) -> dict[str, list[dict]]:
    """Per file: the documents a careful reader sees (composite units split into parts)."""
    units = defaultdict(list)
    for unit in json.loads(path.read_text(encoding="utf-8")):
        for part in unit["parts"] or [unit]:
            units[unit["file"]].append({**unit, "start_line": part["start_line"], "end_line": part["end_line"],
                                        "title": part["title"]})
    return units


def _fold(title: str) -> str:
    """Titles compare without spacing and with ASCII/full-width punctuation folded."""
    return re.sub(r"[\s,，:：、\"“”]", "", title)


def measure(report: dict, reference: dict, tolerance: int) -> list[dict]:
    rows = []
    for source in report["sources"]:
        ref = reference.get(source["file"])
        if not ref:
            continue
        predicted = [(d["start_line"], d) for d in source["documents"]]
        predicted += [(d["start_line"], None) for d in source["duplicates"]]
        pred_starts = sorted(s for s, _ in predicted)
        ref_starts = sorted(u["start_line"] for u in ref)

        def near(a, pool):
            return any(abs(a - b) <= tolerance for b in pool)

        tp_p = sum(near(s, ref_starts) for s in pred_starts)
        tp_r = sum(near(s, pred_starts) for s in ref_starts)
        agree = {"title": [0, 0], "type": [0, 0], "level": [0, 0], "theme": [0, 0]}
        for start, doc in predicted:
            if doc is None:
                continue
            match = next((u for u in ref if abs(u["start_line"] - start) <= tolerance), None)
            if not match or match["duplicate_of"]:
                continue
            agree["title"][0] += _fold(doc["title"]) == _fold(match["title"])
            agree["title"][1] += 1
            for key, want in (("type", TYPE_MAP.get(match["type"], match["type"])), ("level", match["level"]),
                              ("theme", THEME_MAP[match["theme"].split()[0]])):
                agree[key][0] += doc[key] == want
                agree[key][1] += 1
        rows.append({"file": source["file"][:3], "ref": len(ref_starts), "pred": len(pred_starts),
                     "precision": tp_p / len(pred_starts), "recall": tp_r / len(ref_starts),
                     **{k: f"{a}/{n}" for k, (a, n) in agree.items()}})
    return rows
