"""The options of the `fanwen` plugin in mkdocs.yml (`- fanwen: {search: false}`)."""

from mkdocs.config import config_options
from mkdocs.config.base import Config


class FanwenConfig(Config):
    # Replace Material's lunr search with the n-gram index (false: stock search, as in bench/).
    search = config_options.Type(bool, default=True)
    # From this many documents in a build, a second process renders their Markdown while MkDocs
    # reads the other pages (fanwen/mkdocs/render_pool.py); 0: never.
    parallel_from = config_options.Type(int, default=300)
