"""Synthetic libraries for the benchmarks: N documents made from the real pages.

Each synthetic document is a real page with a varied title (a place name and a number) and two
paragraphs from another page of the same theme appended, so sizes, headings and vocabulary stay
those of the real corpus while no two pages are identical.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PLACES = ["城关镇", "新华街道", "河西区", "东风村", "红旗社区", "青山乡", "柳林县", "南湖街道", "石桥村", "白沙镇",
          "长宁县", "杏花村", "江北区", "凤凰社区", "高坪乡", "临河镇"]


def read_page(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---\n", 4)
    return yaml.safe_load(text[4:end]), text[end + 5:]


def make_docs(pages: int, out: Path) -> int:
    """docs/ with `pages` synthetic documents made from the real ones (0: the real docs)."""
    src = ROOT / "docs"
    real = sorted(p for p in src.glob("examples/*/*.md") if p.name != "index.md")
    ignore = shutil.ignore_patterns(*(p.name for p in real)) if pages else None
    shutil.copytree(src, out, ignore=ignore)
    if not pages:
        return len(real)
    rng = random.Random(4)
    loaded = [(p, *read_page(p)) for p in real]
    by_theme: dict[str, list] = {}
    for item in loaded:
        by_theme.setdefault(item[1]["theme"], []).append(item)
    for i in range(pages):
        path, meta, body = loaded[i % len(loaded)]
        other = rng.choice(by_theme[meta["theme"]])
        extra = [b for b in other[2].split("\n\n") if b.strip() and not b.startswith("#")]
        added = rng.sample(extra, min(2, len(extra)))
        meta = {**meta, "title": f"{PLACES[i // len(loaded) % len(PLACES)]}{meta['title']}（{i // len(loaded) + 1}）",
                "source": f"{meta.get('source', '')} · 合成第 {i} 篇"}
        text = body.rstrip() + "\n\n" + "\n\n".join(added) + "\n"
        meta["chars"] = len(re.sub(r"\s", "", text))
        target = out / "examples" / meta["theme"] / f"{path.stem}-s{i:05d}.md"
        target.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + text,
                          encoding="utf-8")
    return pages


def make_project(engine: str, docs: Path, out: Path, link: bool = True) -> Path:
    """A project folder around `docs` with the real config; engine "stock" turns the n-gram
    search off (Material's lunr search instead). link=False moves docs/ into the project
    instead of linking it (`mkdocs serve` does not see edits made behind a symlink)."""
    project = out / f"project-{engine}"
    project.mkdir()
    for name in ("data", "overrides", "templates", "macros"):
        shutil.copytree(ROOT / name, project / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if engine == "stock":
        config, n = re.subn(r"(?m)^  - fanwen\s*$", "  - fanwen:\n      search: false", config)
        assert n == 1, "mkdocs.yml: `  - fanwen` not found"
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    if link:
        (project / "docs").symlink_to(docs)
    else:
        shutil.move(str(docs), project / "docs")
    return project
