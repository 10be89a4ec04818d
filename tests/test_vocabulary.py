"""Document types and levels are data (data/classify.yml), defined once: a keeper who adds a type
gets it everywhere the site groups, filters or counts documents — the theme page, 按主题浏览,
按类型与层级 and the search facets — not on some pages and silently missing from others."""

from __future__ import annotations

import json
import re

from conftest import copy_project, run

PAGE = "docs/examples/jingji/000-153e3eec68b796a2-03.md"  # an imported document page


def test_a_new_type_in_classify_yml_shows_on_every_page_that_groups_by_type(tmp_path):
    project = copy_project(tmp_path)
    rules = project / "data" / "classify.yml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("\nlevels:\n", "\n  通知:\n    title: {通知: 3}\n\nlevels:\n", 1), encoding="utf-8")
    page = project / PAGE
    source = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"(?m)^type: .*$", "type: 通知", source, count=1), encoding="utf-8")
    site = tmp_path / "site"
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=project)
    assert result.returncode == 0, result.stderr

    theme = (site / "examples" / "jingji" / "index.html").read_text(encoding="utf-8")
    assert 'id="通知"' in theme  # its own group (and table-of-contents entry) on the theme page
    start = theme.index('id="通知"')
    end = theme.find("<h2", start + 1)
    group = theme[start:end if end > 0 else len(theme)]
    assert group.count('class="fw-tag">通知<') == 1 and "000-153e3eec68b796a2-03/" in group

    overview = (site / "examples" / "index.html").read_text(encoding="utf-8")
    assert '<option value="通知">通知（1）</option>' in overview
    tags = (site / "tags" / "index.html").read_text(encoding="utf-8")
    assert "?type=通知" in tags and "1 篇" in tags[tags.index("?type=通知"):]
    facets = re.search(r'<script type="application/json" id="fw-facets">(.*?)</script>', theme).group(1)
    assert "通知" in json.loads(facets)["文种"]


def test_a_page_with_a_type_that_classify_yml_does_not_define_is_refused(tmp_path):
    project = copy_project(tmp_path)
    page = project / PAGE
    page.write_text(re.sub(r"(?m)^type: .*$", "type: 通知", page.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    result = run(["mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=project)
    assert result.returncode != 0
    assert "通知" in result.stderr and "不在可用的取值中" in result.stderr and "方案" in result.stderr
