"""Saved web pages (.html, .htm, .mht) → blocks, with trafilatura (Apache-2.0).

trafilatura finds the article body of a page and leaves out navigation, breadcrumbs, related
links, comments and footers; its XML output keeps headings, paragraphs, lists and tables, which
become blocks. The text then gets the same cleaning as a scraped collection (boilerplate rules
included, see fanwen.office.model). What trafilatura leaves out never reaches the importer, so
the report's character accounting starts from the extracted body (said in the file's notes).
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from fanwen.errors import FanwenError
from fanwen.importer.office.model import Block, Extracted


def _html_of(path: Path) -> bytes | str:
    data = path.read_bytes()
    if path.suffix.lower() not in (".mht", ".mhtml"):
        return data
    # A web archive is a MIME message: the page is its first text/html part.
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    raise FanwenError(str(path), "网页存档（.mht）中没有网页正文部分（text/html）",
                      "用浏览器打开它，另存为“网页，仅 HTML”（.html）后再导入。")


def _text(element) -> str:
    """An element's text with <lb/> as a line break."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


_SITE_SUFFIX = re.compile(r"\s*(?:_|\s[-–|]\s|｜).*$")


def _page_title(html: bytes | str) -> str | None:
    """The page's title when the article body has no <h1> of its own: trafilatura's metadata
    (og:title, the headline, else <title>), without a site name after `_`, ` - ` or ` | `."""
    from trafilatura import extract_metadata

    try:
        text = html.decode("utf-8") if isinstance(html, bytes) else html
    except UnicodeDecodeError:
        return None  # a legacy-encoded page: the text rules find the title in the body
    try:
        title = extract_metadata(text, extensive=False).title
    except Exception:  # metadata is a nicety: never a reason to lose the page
        return None
    title = _SITE_SUFFIX.sub("", title or "").strip()
    return title if 4 <= len(title) <= 60 else None


def read_web(path: Path) -> Extracted:
    import trafilatura
    from lxml import etree

    html = _html_of(path)
    try:
        xml = trafilatura.extract(html, output_format="xml", include_tables=True, include_formatting=False,
                                  include_comments=False, include_images=False, include_links=False,
                                  favor_recall=True)
    except Exception as error:  # a damaged page can fail deep inside the parser
        raise FanwenError(str(path), f"网页无法解析（{type(error).__name__}）",
                          "用浏览器打开确认能正常显示，再“另存为”完整网页后导入。") from None
    if not xml:
        raise FanwenError(str(path), "网页中没有找到正文（可能是目录页、空白页，或正文由脚本加载）",
                          "在浏览器中打开文章本身的页面再另存为；或复制正文另存为 .txt 后导入。")
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    blocks: list[Block] = []
    for element in (main if main is not None else root):
        if element.tag == "head":
            rend = element.get("rend", "h2")
            level = int(rend[1]) if rend[:1] == "h" and rend[1:].isdigit() else 2
            text = _text(element).replace("\n", "")
            if level == 1 and not blocks:
                blocks.append(Block("title", text))
            else:
                blocks.append(Block("heading", text, level=max(1, min(level - 1, 3))))
        elif element.tag == "list":
            blocks.extend(Block("bullet", _text(item).strip()) for item in element.iter("item"))
        elif element.tag == "table":
            rows = [[_text(cell).replace("\n", " ").strip() for cell in row.iter("cell")] for row in element.iter("row")]
            if rows:
                blocks.append(Block("table", rows=rows))
        else:
            blocks.extend(Block("para", line) for line in _text(element).split("\n") if line.strip())
    if not any(block.kind == "title" for block in blocks[:1]):
        title = _page_title(html)
        if title and not (blocks and blocks[0].text.strip() == title):
            blocks.insert(0, Block("title", title))
    return Extracted("网页", blocks, ["网页正文由 trafilatura 提取：导航、页头页脚、相关链接等不在正文中，字数核对从正文算起"])
