"""The importer: raw sources → one clean Markdown page per document, plus a report.

The stages, in the order a source goes through them:
decode and clean characters (`text`), repair mojibake (`mojibake`) and scraper damage (`repair`,
`structure`), drop site furniture and find where documents start (`collection`, `split`), apply a
keeper's manifest (`manifest`), classify type, level and theme (`classify`), write the page
(`page`) and the report (`run`). Office files (`office/`) are read into the same blocks first.
`quality` measures the rules against a reading by hand.
"""
