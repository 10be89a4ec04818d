"""The MkDocs glue, kept in one place: the `fanwen` plugin (`plugin`, its options in `config`),
the pages it generates (`overview`) and the functions mkdocs-macros registers (`macros`).
Everything else in the package works without MkDocs."""
