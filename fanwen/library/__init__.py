"""The library: the imported pages under docs/examples/ read back as data.

`catalog` reads every page's front matter into typed entries (the contract between the importer,
which writes pages, and the site, which lists them); `sections` groups the documents' sections
into parts (the atlas and the section examples of templates); `related` finds similar documents.
"""
