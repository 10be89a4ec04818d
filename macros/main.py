"""mkdocs-macros entry point: registers the functions that live in the fanwen package."""

from fanwen import macros


def define_env(env):
    docs_dir = env.conf["docs_dir"]

    def current_page() -> str:
        return env.page.file.src_uri

    @env.macro
    def examples(theme=None, type=None, level=None):
        return macros.examples(docs_dir, current_page(), theme=theme, type=type, level=level)

    @env.macro
    def stats():
        return macros.stats(docs_dir, current_page())
