"""What a build keeps in the cache folder (fanwen/cache.py) between runs: compiled Jinja templates,
the sample downloads of every writing template and the browser's drafting bundle. What comes back
from the folder must be what would be made now: an edited template or unit file is made again,
a damaged entry is made again, a folder that cannot be written only costs time."""

from __future__ import annotations

import io
import zipfile

import jinja2
import pytest

from conftest import ROOT, copy_project


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("FANWEN_CACHE_DIR", str(folder))
    return folder


def test_a_remembered_answer_is_the_computed_one_and_damage_costs_only_time(cache_folder, tmp_path, monkeypatch):
    from fanwen import cache

    calls = []

    def make(value: bytes):
        def compute():
            calls.append(value)
            return value
        return compute

    assert cache.remembered("t", "a", make(b"first")) == b"first"
    assert cache.remembered("t", "a", make(b"other")) == b"first" and calls == [b"first"]
    assert cache.remembered("t", "b", make(b"second")) == b"second"  # another key: made
    for entry in cache_folder.glob("t-*.bin"):
        entry.write_bytes(entry.read_bytes()[:-1] + b"!")  # damaged: made again, then kept again
    assert cache.remembered("t", "a", make(b"again")) == b"again"
    assert cache.remembered("t", "a", make(b"unused")) == b"again"

    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("FANWEN_CACHE_DIR", str(blocked / "cache"))  # cannot be made: not used
    assert cache.remembered("t", "a", make(b"fresh")) == b"fresh"
    monkeypatch.setenv("FANWEN_CACHE_DIR", "")  # turned off
    assert cache.remembered("t", "a", make(b"off")) == b"off"


def test_compiled_templates_follow_the_template_text(cache_folder, tmp_path):
    from fanwen.cache import CompiledTemplates

    folder = tmp_path / "templates"
    folder.mkdir()
    page = folder / "page.html"

    def render() -> str:  # a new process each time: a new environment and an empty memory
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=CompiledTemplates("test"))
        return env.get_template("page.html").render(name="甲镇")

    page.write_text("{{ name }}的方案", encoding="utf-8")
    assert render() == "甲镇的方案"
    assert len(list(cache_folder.glob("jinja-test-*.bin"))) == 1
    assert render() == "甲镇的方案"  # from the folder
    page.write_text("{{ name }}的总结", encoding="utf-8")
    assert render() == "甲镇的总结"  # the same name, another text: compiled again
    for entry in cache_folder.glob("jinja-test-*.bin"):
        entry.write_bytes(b"not bytecode")
    assert render() == "甲镇的总结"


def test_sample_downloads_and_drafting_bundle_follow_templates_and_unit_data(cache_folder, tmp_path):
    """Made in a copy of the project and read back from the folder, they are what a build with no
    cache makes; after an edit of the unit data or a template, they show the edit."""
    from fanwen.drafting import compiled
    from fanwen.drafting.templates import list_templates
    from fanwen.mkdocs import pages

    root = copy_project(tmp_path)
    template = next(t for t in list_templates(root) if t.slug == "work-plan")

    def downloads() -> dict[str, bytes]:  # as a new build process: nothing in memory
        pages._downloads.clear()
        compiled._data_script.cache_clear()
        made = pages.template_downloads(root, template, pages.sources_stamp(root))
        return {**made, "bundle": compiled.data_script(root)}

    def word_text(files: dict[str, bytes]) -> str:
        with zipfile.ZipFile(io.BytesIO(files["moban/downloads/work-plan.docx"])) as z:
            return z.read("word/document.xml").decode("utf-8")

    uncached = {**pages.template_downloads(root, template), "bundle": compiled.data_script(root)}
    first = downloads()
    assert first.keys() == uncached.keys()
    assert len(list(cache_folder.glob("downloads-*.bin"))) == 1 and list(cache_folder.glob("draft-data-*.bin"))
    again = downloads()
    assert again == first  # read back: the same bytes
    assert again["moban/downloads/work-plan.md"] == uncached["moban/downloads/work-plan.md"]
    assert word_text(again) == word_text(uncached) and again["bundle"] == uncached["bundle"]

    unit = root / "data" / "unit.yml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("topic: 农村人居环境整治", "topic: 秸秆禁烧"),
                    encoding="utf-8")
    edited = downloads()
    assert "秸秆禁烧" in edited["moban/downloads/work-plan.md"].decode("utf-8") and "秸秆禁烧" in word_text(edited)

    plan = root / "templates" / "work-plan.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("## 二、工作目标", "## 二、预期成效"), encoding="utf-8")
    edited = downloads()
    assert "预期成效" in edited["moban/downloads/work-plan.md"].decode("utf-8")
    assert "预期成效" in edited["bundle"].decode("utf-8") and "预期成效" not in first["bundle"].decode("utf-8")
    assert ROOT != root
