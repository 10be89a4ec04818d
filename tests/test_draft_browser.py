"""起草 in the browser (issue 13): the 本单位信息 form fills every template page with the
writer's own unit, and what the page gives is what `fanwen draft` gives for the same file."""

from __future__ import annotations

import contextlib
import functools
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, WATCH, run
from fanwen.data import parse_yaml
from fanwen.drafting.templates import list_templates

pytestmark = pytest.mark.browser
FIXTURES_DIR = ROOT / "tests" / "fixtures"

# A 乡镇, a 村 and a 县直部门, each with the parts reports and summaries need.
UNITS = {"乡镇": "unit-town.yml", "村": "unit-village.yml", "县直部门": "unit-bureau.yml"}
SLUGS = [t.slug for t in list_templates(ROOT)]
ROWS = {"leading_group": ("role", "name", "post"), "timeline": ("phase", "start", "end", "tasks", "results")}


@functools.cache
def _drafted(slug: str, data: Path, suffix: str) -> bytes | None:
    """`fanwen draft` run in this process (click's test runner, from the project folder as
    `run` does), once per template, data file and format: the same command, without a
    process start for each of the ninety drafts the page is compared with."""
    from click.testing import CliRunner

    from fanwen.cli import main

    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(ROOT):
        out = Path(tmp) / f"{slug}{suffix}"
        result = CliRunner().invoke(main, ["draft", slug, "--data", str(data), "--out", str(out)])
        return out.read_bytes() if result.exit_code == 0 else None


def cli(slug: str, data: Path, suffix: str) -> str | None:
    """`fanwen draft` for the same data file: the text, or None when it refuses the template."""
    drafted = _drafted(slug, data, suffix)
    return None if drafted is None else drafted.decode("utf-8")


def cli_docx(slug: str, data: Path, path: Path) -> Path:
    """The .docx `fanwen draft` writes for the same data file, at `path`."""
    drafted = _drafted(slug, data, ".docx")
    assert drafted is not None, slug
    path.write_bytes(drafted)
    return path


def read_in(page, data_path: Path) -> None:
    """Load a unit data file with 从文件读入, as a colleague's shared file is loaded (cheaper
    than typing it in: for the tests whose subject is not the typing)."""
    page.locator("input.fw-file").set_input_files(str(data_path))
    page.locator(".fw-status", has_text="已从文件").wait_for()


# Typed in, field by field, by the per-level comparison (乡镇) and by the reload test (村): the
# 乡镇 file has every kind of field (text, lines, the level list, rows added with 添加) and every
# key the 村 file has. The 县直部门 file is read in, and the keys only it has are typed over it.
TYPED = {"乡镇"}


def shown(value) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def fill_form(page, data: dict) -> None:
    """Type a unit data file into the form, as a writer would: field by field, rows added with
    the 添加 buttons."""
    def fill(path, value):
        page.locator(f'[data-fw-path="{path}"]').fill(shown(value))

    for group in page.locator("details.fw-group").all():  # open the optional parts
        group.evaluate("d => d.open = true")
    for key, value in data.items():
        if key in ROWS:
            adder = page.locator(f'[data-fw-rows="{key}"] .fw-add')
            for i, row in enumerate(value):
                if i > 0:
                    adder.click()
                for col in ROWS[key]:
                    if col in row:
                        fill(f"{key}[{i}].{col}", row[col])
        elif key == "unit":
            for k, v in value.items():
                if k == "level":
                    page.locator('[data-fw-path="unit.level"]').select_option(v)
                else:
                    fill(f"unit.{k}", v)
        elif key in ("contact", "office"):
            for k, v in value.items():
                fill(f"{key}.{k}", v)
        elif key == "election":
            for step, span in value.items():
                for k in ("start", "end"):
                    fill(f"election.{step}.{k}", span[k])
        else:
            fill(key, value)


def document_xml(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def open_page(browser, url, clipboard=True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True,
                                  permissions=["clipboard-read", "clipboard-write"] if clipboard else [])
    page = context.new_page()
    # Playwright's clock: time runs as usual, and `copied_text` moves it on past the 2 s that
    # 已复制 stays, instead of waiting them out (thirty copies a run).
    page.clock.install()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH)
    page.goto(url)
    return context, page, errors


def copied_text(page) -> str:
    page.get_by_role("button", name="复制全文").click()
    page.get_by_role("button", name="已复制").wait_for()
    text = page.evaluate("navigator.clipboard.readText()")
    page.clock.run_for(2000)  # the label comes back after 2 s
    page.get_by_role("button", name="复制全文").wait_for(timeout=1000)
    return text


@pytest.mark.parametrize("level", list(UNITS))
def test_every_template_is_the_clis_draft_for_the_same_data(browser, site_url, tmp_path, level, screenshots):
    """For this unit, typed into the form (乡镇) or read in from its file (村, 县直部门), every
    template's draft in the browser is the CLI's: the copied text, the downloaded Markdown and
    the Word body (or both refuse the template).

    All ten drafts come from the page's own drafting code in one call (`FwDraft.drafts`, the
    function each template page runs on load); then a third of the template pages, a different
    third for each level, and every page that refuses this level are opened and their buttons
    used, so each template page is clicked through in every run."""
    data_path = FIXTURES_DIR / UNITS[level]
    data = parse_yaml(data_path.read_text(encoding="utf-8"))
    context, page, errors = open_page(browser, site_url + "moban/danwei/")
    if level in TYPED:
        fill_form(page, data)
    else:  # the same values from the file: 从文件读入 gives every template the CLI's draft too
        read_in(page, data_path)
        town = parse_yaml((FIXTURES_DIR / UNITS["乡镇"]).read_text(encoding="utf-8"))
        fill_form(page, {key: value for key, value in data.items() if key not in town})  # typed nowhere else
    page.screenshot(path=screenshots / f"draft-form-{level}-1280.png", full_page=True)
    drafts = page.evaluate("slugs => FwDraft.drafts(slugs)", SLUGS)
    results = {}
    for slug in SLUGS:
        expected_txt = cli(slug, data_path, ".txt")
        if expected_txt is None:  # the CLI refuses it for this level: so does the page, saying why
            assert "不适用于" in drafts[slug]["error"], slug
            results[slug] = "不适用（同 CLI）"
            continue
        assert drafts[slug]["text"] == expected_txt, slug
        assert drafts[slug]["markdown"] == cli(slug, data_path, ".md"), slug
        assert drafts[slug]["documentXml"] == document_xml(cli_docx(slug, data_path, tmp_path / f"{slug}.docx")), slug
        results[slug] = "相同（文本、Markdown、Word 正文）"
    clicked = set(SLUGS[list(UNITS).index(level)::len(UNITS)]) | {s for s in SLUGS if "error" in drafts[s]}
    for slug in (s for s in SLUGS if s in clicked):  # the values carry over to every template page
        page.goto(site_url + f"moban/{slug}/")
        if "error" in drafts[slug]:
            assert "不适用于" in page.locator(".fw-paper").inner_text()
            assert not page.get_by_role("link", name="下载 Word").is_visible()  # never the sample instead
            results[slug] += "；页面已打开"
            continue
        assert page.locator(".fw-paper--mine").count() == 1
        assert copied_text(page) == drafts[slug]["text"], slug
        with page.expect_download() as info:
            page.get_by_role("link", name="下载 Markdown").click()
        md = info.value
        title = drafts[slug]["text"].split("\n", 1)[0]
        assert md.suggested_filename == title[:60] + ".md", md.suggested_filename
        assert Path(md.path()).read_text(encoding="utf-8") == drafts[slug]["markdown"], slug
        # 下载 Word: the CLI's paragraphs exactly (word/document.xml), its page and styles.
        with page.expect_download() as info:
            page.get_by_role("link", name="下载 Word").click()
        word = info.value
        assert word.suggested_filename == title[:60] + ".docx"
        docx = tmp_path / f"{slug}-browser.docx"
        word.save_as(docx)
        assert document_xml(docx) == drafts[slug]["documentXml"], slug
        results[slug] += "；页面已打开，复制、下载均已点过"
    page.goto(site_url + "moban/work-plan/")
    page.screenshot(path=screenshots / f"draft-work-plan-{level}-1280.png", full_page=False)
    assert page.evaluate("window.__csp") == [] and errors == []
    (screenshots / f"draft-compare-{level}.txt").write_text(
        "\n".join(f"{slug}\t{r}" for slug, r in results.items()) + "\n", encoding="utf-8")
    context.close()


def test_values_survive_reload_and_the_file_round_trips(browser, site_url, tmp_path):
    data_path = FIXTURES_DIR / "unit-village.yml"
    data = parse_yaml(data_path.read_text(encoding="utf-8"))
    context, page, errors = open_page(browser, site_url + "moban/work-plan/")
    fill_form(page, data)
    text = copied_text(page)
    page.reload()
    assert page.locator('[data-fw-path="unit.name"]').input_value() == data["unit"]["name"]
    assert copied_text(page) == text
    page.locator("details.fw-unit > summary").click()  # the form folds away once it holds a unit
    # 保存为文件: a YAML file `fanwen draft --data` reads, giving the same draft.
    with page.expect_download() as info:
        page.get_by_role("button", name="保存为文件").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "本单位信息-石桥村.yml"
    assert cli("work-plan", saved, ".txt") == text
    # 清空 (asked twice): the fields are empty and the page shows the sample again.
    page.get_by_role("button", name="清空", exact=True).click()
    page.get_by_role("button", name="确定清空？再点一次").click()
    assert page.locator('[data-fw-path="unit.name"]').input_value() == ""
    assert page.locator(".fw-paper--mine").count() == 0 and "××镇" in page.locator(".fw-paper").inner_text()
    page.reload()
    assert page.locator('[data-fw-path="unit.name"]').input_value() == ""
    # 从文件读入 brings it all back.
    page.locator("input.fw-file").set_input_files(str(saved))
    page.locator(".fw-status", has_text="已从文件").wait_for()
    assert page.locator('[data-fw-path="timeline[2].phase"]').input_value() == "长效管护"
    assert copied_text(page) == text
    assert errors == []
    context.close()


def test_bad_values_are_shown_by_their_field_and_the_draft_still_renders(browser, site_url, screenshots):
    context, page, errors = open_page(browser, site_url + "moban/work-plan/", clipboard=False)
    read_in(page, FIXTURES_DIR / "unit-town.yml")

    def msg(path):
        return page.locator(f'.fw-msg[data-fw-msg="{path}"]').inner_text()

    page.locator('[data-fw-path="timeline[0].start"]').fill("2027-13-01")
    assert "不存在" in msg("timeline[0].start")
    page.locator('[data-fw-path="timeline[0].start"]').fill("三月一日")
    assert "应为日期" in msg("timeline[0].start")
    page.locator('[data-fw-path="timeline[0].start"]').fill("2027-03-01")
    page.locator('[data-fw-path="timeline[0].end"]').fill("2027-02-01")
    assert "早于开始日期" in msg("timeline[0].end")
    page.locator('[data-fw-path="timeline[0].end"]').fill("2027-03-15")
    page.locator('[data-fw-path="timeline[1].start"]').fill("2027-02-20")
    assert "请按时间先后排列" in msg("timeline[1].start")
    page.locator('[data-fw-path="timeline[1].start"]').fill("2027-03-16")
    page.locator('[data-fw-path="year"]').fill("2026")
    assert "请核对年份" in msg("year")
    page.locator('[data-fw-path="year"]').fill("2027")
    page.locator('[data-fw-path="unit.parent"]').fill("")
    assert msg("unit.parent") == "不能为空"
    assert "【待填写：上级机关】" in page.locator(".fw-paper").inner_text()  # the draft renders, marked
    page.locator('[data-fw-path="unit.parent"]').fill("云溪县人民政府")
    assert msg("unit.parent") == "" and page.locator("[aria-invalid]").count() == 0
    # A typed <script> is text: shown as written, never run.
    page.locator('[data-fw-path="unit.short_name"]').fill('<script>window.__ran=1</script><img src=x>')
    title = page.locator(".fw-paper .fw-doc-title")
    assert "<script>window.__ran=1</script>" in title.inner_text()
    assert page.locator(".fw-paper script, .fw-paper img").count() == 0
    assert page.evaluate("window.__ran") is None
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "draft-form-390.png", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == [] and page.evaluate("window.__csp") == []
    context.close()


def page_counts(tmp_path: Path, *docx: Path) -> list[int]:
    """Pages of each Word file in LibreOffice (one soffice run converts them all)."""
    import re
    import subprocess

    out = tmp_path / "pdf"
    out.mkdir(exist_ok=True)
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, docx)],
                   capture_output=True, text=True, timeout=180)
    counts = []
    for path in docx:
        info = subprocess.run(["pdfinfo", str(out / (path.stem + ".pdf"))], capture_output=True, text=True).stdout
        counts.append(int(re.search(r"Pages:\s+(\d+)", info).group(1)))
    return counts


def test_word_made_in_the_page_passes_the_clis_checks(browser, site_url, tmp_path):
    """The CLI's own GB/T 9704 checks (tests/test_templates.py) over the .docx the page made,
    and the same page count as the CLI's in LibreOffice."""
    import test_templates as checks

    data_path = FIXTURES_DIR / "unit-town.yml"
    context, page, errors = open_page(browser, site_url + "moban/danwei/", clipboard=False)
    fill_form(page, parse_yaml(data_path.read_text(encoding="utf-8")))
    page.goto(site_url + "moban/work-plan/")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    docx = tmp_path / "青禾镇安全生产工作方案.docx"
    info.value.save_as(docx)
    for check in (checks.test_docx_page_layout, checks.test_docx_fonts_and_sizes,
                  checks.test_docx_page_numbers_and_fallback_fonts, checks.test_docx_heading_styles_show_the_outline,
                  checks.test_docx_language_and_properties):
        check(docx)
    cli_docx = tmp_path / "cli" / "草稿.docx"
    cli_docx.parent.mkdir()
    assert run(["fanwen", "draft", "work-plan", "--data", str(data_path), "--out", str(cli_docx)]).returncode == 0
    browser_pages, cli_pages = page_counts(tmp_path, docx, cli_docx)
    assert browser_pages == cli_pages >= 2
    assert errors == []
    context.close()


def fill_download_and_compare(browser, start_url, template_url, tmp_path, watch_requests_under: str):
    """Fill the form for the 村, then on a template page: the copied text, the .md and the
    .docx are the CLI's; no CSP violation, no console error, no request elsewhere."""
    data_path = FIXTURES_DIR / "unit-village.yml"
    context, page, errors = open_page(browser, start_url, clipboard=False)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(watch_requests_under)
            and not r.url.startswith(("blob:", "data:")) else None)
    fill_form(page, parse_yaml(data_path.read_text(encoding="utf-8")))
    page.goto(template_url)
    assert page.locator(".fw-copy").get_attribute("data-copy") == cli("election-plan", data_path, ".txt")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Markdown").click()
    assert Path(info.value.path()).read_text(encoding="utf-8") == cli("election-plan", data_path, ".md")
    assert info.value.suggested_filename == "石桥村2027年村“两委”换届选举工作方案.md"
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    assert info.value.suggested_filename == "石桥村2027年村“两委”换届选举工作方案.docx"
    browser_docx = tmp_path / "browser.docx"
    info.value.save_as(browser_docx)
    assert document_xml(browser_docx) == document_xml(cli_docx("election-plan", data_path, tmp_path / "cli.docx"))
    assert page.evaluate("window.__csp") == [], page.evaluate("window.__csp")
    assert errors == [] and outside == [], (errors, outside)
    return context, page


def test_drafts_under_nginx_with_the_strict_csp_at_a_sub_path(browser, subpath_nginx, tmp_path):
    base = subpath_nginx  # deploy/nginx.conf, the site built for /fanwen/ (conftest.py)
    context, page = fill_download_and_compare(browser, base + "moban/danwei/", base + "moban/election-plan/",
                                              tmp_path, base)
    context.close()


def test_drafts_from_the_offline_copy_over_file_urls(browser, offline_site, tmp_path, screenshots):
    site = offline_site  # `fanwen build --offline` (conftest.py)
    home = (site / "index.html").as_uri()
    context, page, errors = open_page(browser, home, clipboard=False)
    page.get_by_role("link", name="填本单位信息").first.click()  # reachable from the home page
    page.locator("[data-fw-path='unit.name']").wait_for()
    assert page.url.endswith("moban/danwei.html")
    context.close()
    context, page = fill_download_and_compare(browser, (site / "moban/danwei.html").as_uri(),
                                              (site / "moban/election-plan.html").as_uri(), tmp_path, "file://")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".fw-paper .fw-doc-title").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "draft-template-390.png", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def _plain(value):
    """A template context as JSON-like data (dates as 2027-03-01), to compare with the page's."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("fixture", ["unit-town.yml", "unit-village.yml", "unit-bureau.yml", "unit-qinghe.yml",
                                     "unit-community.yml"])
def test_derived_values_are_the_clis(page, site_url, fixture):
    """leader, deputies, members, plan_date, report_date, done, upcoming, election, lv: the
    page's port of templating.context gives what Python gives."""
    from fanwen.drafting.templates import load_context

    expected, _ = load_context(FIXTURES_DIR / fixture, ROOT)
    page.goto(site_url + "moban/work-plan/")
    got = page.evaluate("""text => {
        const data = FwCore.normalize(jsyaml.load(text, {schema: jsyaml.CORE_SCHEMA}), FW_DRAFT.shape).data;
        return JSON.parse(JSON.stringify(FwCore.context(data, FW_DRAFT)));
    }""", (FIXTURES_DIR / fixture).read_text(encoding="utf-8"))
    assert got == _plain(expected)


def test_a_template_outside_the_subset_fails_the_build(tmp_path):
    from fanwen.drafting.compiled import Unsupported, compile_file
    from fanwen.drafting.templates import templates_dir

    shutil_copy = __import__("shutil").copytree
    shutil_copy(ROOT / "templates", tmp_path / "templates")
    shutil_copy(ROOT / "data", tmp_path / "data")
    bad = tmp_path / "templates" / "work-plan.md"
    bad.write_text(bad.read_text(encoding="utf-8") + "\n{{ unit.name.upper() }}\n", encoding="utf-8")
    with pytest.raises(Unsupported) as error:
        compile_file(bad, tmp_path)
    assert "work-plan.md:" in str(error.value) and "浏览器不支持" in str(error.value)
    assert templates_dir(tmp_path) == tmp_path / "templates"


def test_leading_group_rows_reorder_and_remove_and_phases_add(page, site_url):
    page.goto(site_url + "moban/danwei/")
    read_in(page, FIXTURES_DIR / "unit-town.yml")
    group = page.locator('[data-fw-rows="leading_group"] .fw-row')
    assert group.count() == 5
    group.nth(2).get_by_role("button", name="上移").click()  # 黄志强 before 赵文华
    group.nth(4).get_by_role("button", name="删除").click()  # 徐丽 leaves
    names = [m["name"] for m in page.evaluate("FwDraft.state().leading_group")]
    assert names == ["陈立新", "黄志强", "赵文华", "吴静"]
    assert page.locator('[data-fw-path="leading_group[1].name"]').input_value() == "黄志强"
    page.locator('[data-fw-rows="timeline"] .fw-add').click()
    page.locator('[data-fw-path="timeline[3].phase"]').fill("总结验收")
    page.locator('[data-fw-path="timeline[3].start"]').fill("2027-12-01")
    page.locator('[data-fw-path="timeline[3].end"]').fill("2027-12-31")
    assert [p["phase"] for p in page.evaluate("FwDraft.state().timeline")][-1] == "总结验收"
    page.locator('[data-fw-rows="timeline"] .fw-row').nth(3).get_by_role("button", name="删除").click()
    assert len(page.evaluate("FwDraft.state().timeline")) == 3
    # A fresh page of another template sees the same rows.
    page.goto(site_url + "moban/work-summary/")
    assert [m["name"] for m in page.evaluate("FwDraft.state().leading_group")] == names
