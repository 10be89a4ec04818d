"""Drafting: a writing template (templates/*.md) + a unit's data → the writer's own draft.

`unitdata` validates the unit's data, `templates` renders a template (Markdown, plain text, blocks),
`word_output` lays the blocks out as a GB/T 9704 Word file, and `compiled` compiles the templates
to JSON for drafting in the browser with the same wording.
"""
