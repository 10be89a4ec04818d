"""`fanwen build` after an edit reuses the search index of the site it replaces
(fanwen/search/reuse.py): only the changed pages are indexed again, and search answers exactly
as from an index built from scratch — asked of the site's own search worker in chromium."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import ROOT, run, serve_folder, type_query
from fanwen.search import index as search
from fanwen.search import reuse

# --------------------------------------------------------------------------- the decision


def old_site(tmp_path: Path, pages) -> Path:
    """A site folder with a full index of `pages` ((location, title, html) each), as a build leaves it."""
    site = tmp_path / "old"
    site.mkdir()
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    index = search.BackgroundIndex()
    for page in pages:
        index.add_html(*page)
    index.write(site)
    return site


def pages(n: int):
    return [(f"p{i}/", f"第{i}篇", f"<p>第{i}篇正文，乡镇工作总结。</p>") for i in range(n)]


def plan_for(site: Path, now) -> reuse.Plan:
    found, reason = reuse.Reuse.open(site)
    assert found is not None, reason
    for page in now:
        found.add(*page)
    return found.decide()


def test_an_edit_an_addition_and_a_deletion_are_indexed_alone(tmp_path):
    site = old_site(tmp_path, pages(100))
    now = pages(100)
    now[10] = ("p10/", "第10篇", "<p>改过的正文。</p>")
    del now[50]
    now.insert(70, ("new/", "新增", "<p>新增的一篇。</p>"))  # between p70 and p71 of the old index
    plan = plan_for(site, now)
    assert plan.reuse
    assert [p.location for p in plan.changed] == ["p10/", "new/"]
    assert plan.replaced == [10, 50] and plan.deleted == 1
    # Each new page ranks where it stands in this build among the reused ones.
    assert 9 < plan.order[0] < 11 and 69 < plan.order[1] < 71
    assert "沿用上次的索引" in plan.note() and "删除的 1 页" in plan.note()
    assert plan_for(site, pages(100)).note() == "搜索索引：沿用上次的索引（页面没有改动）"


def test_many_changes_or_another_order_build_the_index_again(tmp_path):
    site = old_site(tmp_path, pages(400))
    changed = [(loc, title, html.replace("正文", "新正文")) if i % 10 == 0 else (loc, title, html)
               for i, (loc, title, html) in enumerate(pages(400))]
    plan = plan_for(site, changed)
    assert not plan.reuse and "5%" in plan.note() and "全部重建" in plan.note()
    assert not plan_for(site, pages(400)[:360]).reuse  # a tenth of the pages deleted
    assert plan_for(site, changed[:40] + pages(400)[40:]).reuse  # four pages: few, whatever the share
    swapped = pages(400)
    swapped[3], swapped[60] = swapped[60], swapped[3]
    assert not plan_for(site, swapped).reuse


def test_an_index_of_another_format_or_incomplete_is_not_reused(tmp_path, monkeypatch):
    site = old_site(tmp_path, pages(5))
    root = site / search.INDEX_DIR
    assert reuse.Reuse.open(site)[0] is not None
    assert reuse.Reuse.open(tmp_path / "nowhere")[1] == "没有上次构建的站点"
    # Another worker (or index.py, or OpenCC): another format.
    monkeypatch.setattr(search, "compact_worker", lambda: "// another worker\n")
    reuse.index_format.cache_clear()
    assert reuse.Reuse.open(site)[1] == "搜索索引的格式已更新"
    monkeypatch.undo()
    reuse.index_format.cache_clear()
    record = json.loads((root / reuse.RECORD).read_text(encoding="utf-8"))
    (root / reuse.RECORD).write_text(json.dumps({**record, "files": ["s/0-0.js"]}), encoding="utf-8")
    assert reuse.Reuse.open(site)[1] == "上次的搜索索引与记录不符"
    (root / reuse.RECORD).write_text(json.dumps(record), encoding="utf-8")
    shard = next((root / "s").glob("*.js"))
    shard.write_text(shard.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert reuse.Reuse.open(site)[1] == "上次的搜索索引文件有改动"
    shard.unlink()
    assert reuse.Reuse.open(site)[1] == "上次的搜索索引不完整"
    (root / reuse.RECORD).unlink()
    assert reuse.Reuse.open(site)[1] == "上次的站点里没有可沿用的搜索索引"


# --------------------------------------------------------------------------- fanwen build, in the browser

# Material's worker protocol (search-worker.js): SETUP → READY, QUERY → RESULT…, then the
# worker's own "fanwen-done". Each query's complete answer as [location, title, text].
WORKER_ANSWERS = r"""async queries => {
  const worker = new Worker("assets/fanwen/search-worker.js")
  let resolve, last = []
  worker.onmessage = ev => {
    const m = ev.data
    if (m.type === 1) resolve()
    else if (m.type === 3) last = m.data.items
    else if (m.type === "fanwen-done") resolve(last)
    else if (m.type === "fanwen-rows") resolve(m.rows)
  }
  const next = () => new Promise(r => { resolve = r })
  worker.postMessage({ type: 0, data: {} })
  await next()
  const answers = {}
  for (const query of queries) {
    last = []
    worker.postMessage({ type: 2, data: query })
    const items = (await next()).map(([item]) => item)
    // Results past the first ten are placeholders: their rows as the page asks for them.
    const gen = items.map(item => /data-fw-answer="(\d+)"/.exec(item.title)).find(Boolean)
    if (gen) {
      worker.postMessage({ type: "fanwen-rows", answer: Number(gen[1]), from: 0, to: items.length })
      for (const row of await next()) items[row.i] = row
    }
    answers[query] = items.map(item => [item.location, item.title, item.text])
  }
  worker.terminate()
  return answers
}"""


def worker_answers(browser, site: Path, queries: list[str]) -> dict:
    with serve_folder(site) as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base)
        answers = page.evaluate(WORKER_ANSWERS, queries)
        context.close()
    return answers


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("docs", "data", "overrides", "templates", "macros"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


def previous(built: Path, site: Path) -> Path:
    """`site` as the run's build of the project left it (the same pages as a build of the copy):
    the site a rebuild replaces, without building it once more here."""
    shutil.copytree(built, site, ignore=shutil.ignore_patterns(".git"))
    return site


def build(project: Path, site: Path, *options: str, fails: bool = False) -> str:
    result = run(["fanwen", "build", "--site-dir", str(site), *options], cwd=project)
    assert (result.returncode != 0) == fails, result.stderr
    return result.stdout + result.stderr


def index_files(site: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of the site's full index but the manifest: (inode, bytes)."""
    root = site / search.INDEX_DIR
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.read_bytes()) for p in root.rglob("*")
            if p.is_file() and p.name != "manifest.js" and "delta" not in p.relative_to(root).parts}


def body_paragraphs(text: str) -> list[str]:
    body = text[text.index("\n---\n", 4) + 5:]
    return [p for p in body.split("\n\n") if len(p.strip()) > 30 and not p.lstrip().startswith(("#", "<", "|", "-"))]


def phrase(paragraph: str) -> str:
    """Ten characters from the middle of a paragraph, without spaces or markup."""
    text = re.sub(r"[\s*_`>\[\]()#|]", "", paragraph)
    return text[len(text) // 2:len(text) // 2 + 10]


def test_a_rebuild_after_edits_reuses_the_index_and_answers_as_one_built_from_scratch(browser, built_site, tmp_path):
    project = make_project(tmp_path)
    docs = project / "docs"
    site = previous(built_site, tmp_path / "site")
    base = index_files(site)
    originals = {p: p.read_text(encoding="utf-8") for p in docs.glob("examples/*/*.md") if p.name != "index.md"}
    chosen = sorted((p for p in originals if len(body_paragraphs(originals[p])) >= 3), key=lambda p: p.as_posix())
    edited, deleted, copied = chosen[0], next(p for p in chosen if p.parent != chosen[0].parent), chosen[-1]

    # An edit (new title, a paragraph gone, one added), a document deleted, one added (a copy of
    # another, named to come first in its folder: equal results must keep the build's order).
    text = originals[edited]
    gone = body_paragraphs(text)[1]
    title = re.search(r"(?m)^title: (.+)$", text).group(1)
    added = copied.with_name("000-0000-added.md")
    copied_title = re.search(r"(?m)^title: (.+)$", originals[copied]).group(1)

    def make_the_edits():
        edited.write_text(text.replace(f"title: {title}", f"title: {title}（修订稿）", 1)
                          .replace(gone, "改后的段落辰巳午未。"), encoding="utf-8")
        deleted.unlink()
        added.write_text(originals[copied].replace(f"title: {copied_title}", "title: 新增的一篇范文", 1)
                         + "\n\n新增标记戊己庚辛。\n", encoding="utf-8")

    make_the_edits()
    out = build(project, site)
    assert "搜索索引：沿用上次的索引，只重新索引了改动和新增的" in out and "删除的 1 页" in out
    # The old index's files are the very same files (hard links, nothing copied or rewritten).
    assert index_files(site) == base
    assert (site / search.INDEX_DIR / "delta").is_dir()
    reused_site = tmp_path / "reused"
    shutil.copytree(site, reused_site)  # asked below, beside the same pages indexed from scratch

    # A build that fails after the index is written leaves the site as it was, index and all.
    before = {**index_files(site), "manifest": (0, (site / search.INDEX_DIR / "manifest.js").read_bytes())}
    broken = edited.with_name("000-0001-broken.md")
    broken.write_text(originals[copied].replace(f"title: {copied_title}", "title: 坏链接", 1)
                      + "\n\n[没有这一页](nowhere.md)\n", encoding="utf-8")
    build(project, site, fails=True)
    assert {**index_files(site), "manifest": (0, (site / search.INDEX_DIR / "manifest.js").read_bytes())} == before
    assert not list(tmp_path.glob("site.*-*"))

    # Everything as at first: the first index serves again, with no delta at all.
    broken.unlink()
    added.unlink()
    for path, original in originals.items():
        path.write_text(original, encoding="utf-8")
    assert "搜索索引：沿用上次的索引（页面没有改动）" in build(project, site)
    assert index_files(site) == base and not (site / search.INDEX_DIR / "delta").exists()
    assert "delta" not in search.read_manifest(site / search.INDEX_DIR)

    # The same edits again, and the whole index built again, as asked: a site indexed from
    # scratch, which the reusing build must answer exactly as.
    make_the_edits()
    assert "搜索索引：全部重建（按要求全部重建）" in build(project, site, "--rebuild-index")
    assert not (site / search.INDEX_DIR / "delta").exists()
    assert all(index_files(site).get(key, (None,))[0] != inode for key, (inode, _) in base.items())

    deleted_title = re.search(r"(?m)^title: (.+)$", originals[deleted]).group(1)
    location = lambda path: path.relative_to(docs).with_suffix("").as_posix() + "/"
    queries = ["辰巳午未", phrase(gone), "（修订稿）", title, deleted_title, phrase(body_paragraphs(originals[deleted])[0]),
               "戊己庚辛", "新增的一篇范文", copied_title, phrase(body_paragraphs(originals[copied])[1]),
               "工作", "选举", "換屆選舉", "村", "工作 方案", "文种:方案 总结", "层级:村 选举", "模板", "治理能力"]
    reused, fresh = worker_answers(browser, reused_site, queries), worker_answers(browser, site, queries)
    for query in queries:
        assert reused[query] == fresh[query], query
    found = lambda query: [loc for loc, _, _ in reused[query]]
    assert found("辰巳午未") == [location(edited)] and location(edited) not in found(phrase(gone))
    assert location(deleted) not in found(deleted_title)
    assert location(added) in found("戊己庚辛")  # (and the template pages that quote it)
    shared = found(phrase(body_paragraphs(originals[copied])[1]))
    assert location(added) in shared and location(copied) in shared


def test_many_edits_rebuild_the_whole_index_and_search_finds_them_all(browser, built_site, tmp_path):
    """Past the limit the build indexes every page after all (they were held until it knew)."""
    project = make_project(tmp_path)
    site = previous(built_site, tmp_path / "site")
    base = index_files(site)
    edited = sorted(p for p in (project / "docs").glob("examples/*/*.md") if p.name != "index.md")[::3]
    assert len(edited) > reuse.FEW
    for path in edited:
        path.write_text(path.read_text(encoding="utf-8") + "\n\n批量标记申酉戌亥。\n", encoding="utf-8")
    assert "搜索索引：全部重建（改动超过全部页面的 5%）" in build(project, site)
    assert not (site / search.INDEX_DIR / "delta").exists()
    assert not set(inode for inode, _ in index_files(site).values()) & set(inode for inode, _ in base.values())
    found = {loc for loc, _, _ in worker_answers(browser, site, ["申酉戌亥"])["申酉戌亥"]}
    assert {p.relative_to(project / "docs").with_suffix("").as_posix() + "/" for p in edited} <= found


def test_the_offline_copy_reuses_its_index_and_searches_the_edit(browser, offline_site, tmp_path):
    project = make_project(tmp_path)
    site = previous(offline_site, tmp_path / "离线版")
    base = index_files(site)
    page = sorted(p for p in (project / "docs").glob("examples/*/*.md") if p.name != "index.md")[5]
    page.write_text(page.read_text(encoding="utf-8") + "\n\n离线标记壬癸子丑。\n", encoding="utf-8")
    assert "沿用上次的索引" in build(project, site, "--offline")
    assert index_files(site) == base
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.goto((site / "index.html").as_uri())
    type_query(tab, "壬癸子丑", timeout=15_000)
    target = page.relative_to(project / "docs").with_suffix(".html").as_posix()
    with contextlib.suppress(PlaywrightTimeout):  # the answer is complete once it lists the page (else: below)
        tab.wait_for_function("""target => [...document.querySelectorAll("li.md-search-result__item a")]
            .some(a => new URL(a.href).pathname.endsWith(target))""", arg=target, timeout=15_000)
    hrefs = tab.locator("li.md-search-result__item a").evaluate_all("links => links.map(a => a.href)")
    assert [h for h in hrefs if urlparse(h).path.endswith(target)], hrefs  # (and template pages that quote it)
    assert all(h.startswith("file://") for h in hrefs)
    context.close()


def test_a_sub_path_build_reuses_its_index_and_searches_the_edit(browser, subpath_site, tmp_path):
    project = make_project(tmp_path)
    site = previous(subpath_site, tmp_path / "web" / "fanwen")  # built for this address
    env = {"SITE_URL": "http://127.0.0.1/fanwen/"}
    base = index_files(site)
    page = sorted(p for p in (project / "docs").glob("examples/*/*.md") if p.name != "index.md")[7]
    page.write_text(page.read_text(encoding="utf-8") + "\n\n子路径标记寅卯辰巳。\n", encoding="utf-8")
    result = run(["fanwen", "build", "--site-dir", str(site)], cwd=project, env=env)
    assert result.returncode == 0 and "沿用上次的索引" in result.stdout, result.stderr
    assert index_files(site) == base
    with serve_folder(site.parent) as root:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(root + "fanwen/")
        answers = tab.evaluate(WORKER_ANSWERS, ["寅卯辰巳"])
        context.close()
    assert page.relative_to(project / "docs").with_suffix("").as_posix() + "/" in [loc for loc, _, _ in answers["寅卯辰巳"]]


def test_the_record_is_small_and_says_nothing_but_fingerprints(built_site):
    """What the next build compares with ships with the site: names and sizes of the index's
    files and eight bytes per page."""
    record = json.loads((built_site / search.INDEX_DIR / reuse.RECORD).read_text(encoding="utf-8"))
    manifest = search.read_manifest(built_site / search.INDEX_DIR)
    assert len(base64.b64decode(record["pages"])) == reuse.FINGERPRINT * manifest["docs"]
    assert record["v"] == manifest["v"] and record["format"] == reuse.index_format()
    assert set(record) == {"format", "v", "docs", "files", "pages"}
