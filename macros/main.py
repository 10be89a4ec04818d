"""mkdocs-macros entry point: registers the functions that live in the fanwen package.

The library comes from the `fanwen` plugin, which reads it once per build (on_files, before any
page is rendered): the macros show what the plugin read, never a second reading of the disk."""

from pathlib import Path

from fanwen.mkdocs import macros


def define_env(env):
    docs_dir = env.conf["docs_dir"]
    root = Path(env.conf["config_file_path"]).parent

    def library():
        return env.conf.plugins["fanwen"].library

    def page_path() -> str:
        return env.page.file.src_uri

    @env.macro
    def examples(theme=None, type=None, level=None):
        return macros.examples(library(), page_path(), theme=theme, type=type, level=level)

    @env.macro
    def stats():
        return macros.stats(library(), page_path())

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
        return macros.section_examples(docs_dir, library(), page_path(), heading, type=type, n=n, topic=topic)

    @env.macro
    def outline(type):
        return macros.outline(docs_dir, library(), type)
