"""Text in and out of the site's Markdown, written once: every stage that puts untrusted text
into a page (the importer, the generated pages, the macros) escapes it here, and every stage
that reads an imported page back as text (cards, excerpts, section examples) unescapes it here."""

from __future__ import annotations

import re

# Characters that Markdown or the enabled extensions would read as markup. Imported text is
# not ours: every one of them is escaped so that it shows exactly as written.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~^=+!:&$-])")
# Markup in an imported page is the importer's own (placeholders, garbled spans): the text's
# own `<` is always escaped (`\<`), so an unescaped tag cannot come from the document.
_OWN_TAG = re.compile(r"(?<!\\)<[^>]+>")
_ESCAPED = re.compile(r"\\(.)")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax (pymdownx.escapeall makes any escape valid)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def plain_text(markdown: str) -> str:
    """A paragraph of an imported page → its text: the importer's tags and bold removed,
    escapes undone (the inverse of `escape_markdown` on what the importer wrote)."""
    text = _OWN_TAG.sub("", markdown).replace("**", "")
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text
