"""Type, level, theme and (when a document has none) title, from rules in data/."""

from __future__ import annotations

import re

from fanwen.data import load_rules, load_themes
from fanwen.importer.text import TOP, SECOND



def _score(rules: dict, title: str, headings: list[str], body: str, weights: dict) -> float:
    score = 0.0
    for word, weight in (rules.get("title") or {}).items():
        if word in title:
            score += weights["title_weight"] * weight
    for word, weight in (rules.get("headings") or {}).items():
        score += weights["heading_weight"] * weight * sum(word in h for h in headings)
    for word, weight in (rules.get("text") or {}).items():
        score += weight * body.count(word)
    return score


def _best(table: dict, title: str, headings: list[str], body: str, default: str = "其他") -> str:
    rules = load_rules("classify.yml")
    scores = {name: _score(r or {}, title, headings, body, rules) for name, r in table.items()}
    best = max(scores, key=lambda k: (scores[k], -list(table).index(k)))
    return best if scores[best] > 0 else default


def detect_type(title: str, headings: list[str], body: str) -> str:
    """方案 / 报告 / 汇报 / 总结 / 讲话 / 其他, from the title first, then headings and text."""
    return _best(load_rules("classify.yml")["types"], title, headings, body)


def detect_level(title: str, body: str) -> str:
    """村 / 乡镇 / 街道 / 县 / 市 / 省, or 其他 when nothing says which."""
    return _best(load_rules("classify.yml")["levels"], title, [], body)


def theme_scores(title: str, body: str) -> dict[str, float]:
    weight = load_rules("classify.yml")["title_weight"]
    scores = {}
    for theme in load_themes():
        scores[theme["slug"]] = sum(w * (body.count(k) + weight * title.count(k)) for k, w in theme["keywords"].items())
    return scores


def detect_theme(title: str, body: str) -> str:
    """The slug of the theme whose keywords weigh most in this document."""
    scores = theme_scores(title, body)
    return max(scores, key=lambda slug: scores[slug])


def top_keyword(theme_slug: str, body: str) -> str | None:
    theme = next(t for t in load_themes() if t["slug"] == theme_slug)
    counts = {k: body.count(k) * w for k, w in theme["keywords"].items() if body.count(k)}
    return max(counts, key=counts.get) if counts else None


# A document's subject, said in its first sentences: "为进一步做好村委会换届选举工作，…"
_SUBJECT = re.compile(
    r"(?:为(?:了)?|关于|根据|按照|围绕)(?:进一步|切实|全面|深入|认真|扎实)?"
    r"(?:做好|推进|加强|推动|开展|落实|贯彻落实|强化|抓好|完成|了解|规范|提升)"
    r"(?:全[县市区镇乡]|我[县市区镇乡街村]|本[县市区镇乡村])?"
    r"(?P<subject>[^，,。；;、“”《》()（）]{2,18}?)(?:工作|活动|建设|的)")
_UNIT_PREFIX = re.compile(r"^(?:全[县市区镇乡]|我[县市区镇乡街村]|本[县市区镇乡村]|xx|××)")


def derive_title(level: str, doc_type: str, theme_slug: str, lines: list[str]) -> str:
    """A title for a document that has none: level + subject + kind of document.

    The subject comes from the opening sentences ("为做好村级财务检查工作" → 村级财务检查),
    else from the first top-level heading's theme keyword; never a bare number.
    """
    rules = load_rules("classify.yml")
    suffix = (rules.get("title_suffix") or {}).get(doc_type, "材料")
    subject = None
    for line in lines[:3]:
        match = _SUBJECT.search(line)
        if match:
            subject = _UNIT_PREFIX.sub("", match.group("subject"))
            break
    if not subject:
        subject = top_keyword(theme_slug, "\n".join(lines)) or next(
            t["name"] for t in load_themes() if t["slug"] == theme_slug).split("与")[0]
    prefix = (rules.get("title_level_word") or {}).get(level, "")
    # The level goes into a made-up title only when the text speaks of itself at that level
    # (我县, 全镇 …): a plan that merely cites 省纪委 is not a province's plan.
    own = (rules.get("title_level_self") or {}).get(level)
    text = "\n".join(lines)
    if own is not None and not any(word in text for word in own):
        prefix = ""
    if subject.startswith(prefix):
        prefix = ""
    if subject.endswith("工作") and suffix.startswith("工作"):
        suffix = suffix[2:]
    return f"{prefix}{subject}{suffix}"


def headings_of(lines: list[str]) -> list[str]:
    """The top- and second-level numbered lines of a document."""
    return [line for line in lines if TOP.match(line) or SECOND.match(line)]
