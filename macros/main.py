"""mkdocs-macros entry point: registers the functions that live in the fanwen package."""

from pathlib import Path

from fanwen.mkdocs import macros


def define_env(env):
    docs_dir = env.conf["docs_dir"]
    root = Path(env.conf["config_file_path"]).parent

    def page_path() -> str:
        return env.page.file.src_uri

    @env.macro
    def examples(theme=None, type=None, level=None):
        return macros.examples(docs_dir, page_path(), theme=theme, type=type, level=level)

    @env.macro
    def stats():
        return macros.stats(docs_dir, page_path())

    @env.macro
    def template(name, **overrides):
        return macros.template_html(root, name, **overrides)

    @env.macro
    def template_actions(name):
        return macros.template_actions(root, env.page.url, name)

    @env.macro
    def draft_panel(name=""):
        return macros.draft_panel(root, env.page.url, name)

    @env.macro
    def section_examples(heading, type=None, n=3, topic=None):
        return macros.section_examples(docs_dir, page_path(), heading, type=type, n=n, topic=topic)

    @env.macro
    def outline(type):
        return macros.outline(docs_dir, type)
