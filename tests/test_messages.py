"""What MkDocs and mkdocs-macros log reaches the keeper in Chinese (fanwen/mkdocs/messages.py):
`fanwen build` prints warnings and errors this way, `make serve` its whole log. (The build's
own refusals: tests/test_hardening.py; the serve terminal: tests/test_search.py.)"""

from __future__ import annotations

import logging

import pytest

from fanwen.mkdocs.messages import abort_words, chinese, label


def record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("mkdocs.structure.pages", level, __file__, 1, message, None, None)


@pytest.mark.parametrize("level, english, shown", [
    (logging.WARNING, "Doc file 'notice.md' contains a link 'nowhere.md', but the target 'nowhere.md' is not found "
                      "among documentation files. Did you mean 'now.md'?",
     "notice.md 里的链接 nowhere.md 指向的页面不存在（是不是 now.md？）"),
    (logging.WARNING, "Doc file 'notice.md' contains a link 'atlas.md#x', but the doc 'atlas.md' does not contain an "
                      "anchor '#x'.", "notice.md 里的链接 atlas.md#x 指向的小节不存在"),
    (logging.WARNING, "Doc file 'a.md' contains an absolute link '/b.md', it was left as is.",
     "a.md 里的链接 /b.md 以 / 开头（站点放在子路径下或从共享盘打开时会失效；应写成相对于本页的 .md 文件路径）"),
    (logging.ERROR, "Error building page 'notice.md':", "构建页面 notice.md 时出错："),
    (logging.INFO, "Building documentation...", "正在构建网站……"),
    (logging.INFO, "Documentation built in 2.31 seconds", "网站已构建（2.31 秒）"),
    (logging.INFO, "[01:14:23] Serving on http://127.0.0.1:8000/",
     "[01:14:23] 预览地址：http://127.0.0.1:8000/（改动并保存文件后，打开的页面会自动更新；按 Ctrl+C 停止）"),
    (logging.WARNING, "A warning MkDocs words in a way not listed", "A warning MkDocs words in a way not listed"),
    (logging.INFO, "[macros] - Includes directory: templates", None),
    (logging.INFO, "[01:14:23] Watching paths for changes: 'docs', 'mkdocs.yml'", None),
])
def test_mkdocs_messages_in_the_keepers_words(level, english, shown):
    assert chinese(record(level, english)) == shown


def test_a_macro_that_cannot_be_rendered_is_an_error_with_its_page_and_line():
    message = ("[macros] - ERROR # _Macro Syntax Error_\n\n_File_: `notice.md`\n\n_Line 3 in Markdown file:_ "
               "**No filter named 'nosuch'.**\n```markdown\n{{ unit_name | nosuch }}\n```")
    warned = record(logging.WARNING, message)
    assert label(warned) == "错误"
    assert chinese(warned) == "notice.md（正文第 3 行）：页面中的宏无法展开：没有名为 nosuch 的过滤器（No filter named 'nosuch'.）"


@pytest.mark.parametrize("english, shown", [
    ("Aborted with a BuildError!", "构建没有完成：出错的地方见上面。"),
    ("Aborted with 3 warnings in strict mode!", "构建没有完成：有 3 条警告，严格模式下按错误处理（见上面）。"),
    ("Aborted with 1 configuration warnings in 'strict' mode!",
     "构建没有开始：mkdocs.yml 的配置有 1 条警告，严格模式下按错误处理（见上面）。"),
    ("Aborted for a reason not listed", "Aborted for a reason not listed"),
])
def test_why_mkdocs_stopped_in_the_keepers_words(english, shown):
    assert abort_words(english) == shown
