"""What MkDocs and mkdocs-macros log, in the keeper's words: `fanwen build` prints their warnings
and errors this way, and `make serve` (mkdocs serve) its whole log. Messages are matched by their
English text (MkDocs 1.6 and ProperDocs word them alike); an unknown warning or error is shown
as it is, an unknown piece of information is left out (it is chatter about paths and plugins)."""

from __future__ import annotations

import logging
import re

import click

LABELS = {logging.DEBUG: "调试", logging.INFO: "提示", logging.WARNING: "警告", logging.ERROR: "错误",
          logging.CRITICAL: "错误"}

# mkdocs-macros puts the Python traceback of a failed page into its message.
_TRACEBACK = re.compile(r"```\s*Traceback \(most recent call last\):.*?```\s*", re.S)
_PAGE_ERROR = re.compile(r"Error building page '(?P<page>[^']+)':?\s*")
_MACRO_ERROR = re.compile(r"\[macros\] - ERROR # _Macro (?:Rendering|Syntax) Error_\s*_File_: `(?P<page>[^`]+)`\s*"
                          r"(?:_(?P<kind>\w+)_: (?P<message>.*)|_Line (?P<line>\d+) in Markdown file:_ \*\*(?P<syntax>.*?)\*\*.*)",
                          re.S)
# A link MkDocs could not follow (a warning: `strict` then stops the build).
_DOC = r"Doc file '(?P<doc>[^']+)' contains "
_MEAN = r"(?: Did you mean '(?P<mean>[^']+)'\?)?"
_LINKS = [
    (re.compile(_DOC + r"a link '(?P<link>[^']+)', but the target(?: '[^']+')? is not found among documentation files\."
                + _MEAN), "{doc} 里的链接 {link} 指向的页面不存在"),
    (re.compile(_DOC + r"an unrecognized relative link '(?P<link>[^']+)', it was left as is\." + _MEAN),
     "{doc} 里的链接 {link} 不是站内页面的写法（应写成相对于本页的 .md 文件路径）"),
    (re.compile(_DOC + r"an absolute link '(?P<link>[^']+)', it was left as is\." + _MEAN),
     "{doc} 里的链接 {link} 以 / 开头（站点放在子路径下或从共享盘打开时会失效；应写成相对于本页的 .md 文件路径）"),
    (re.compile(_DOC + r"a link '(?P<link>[^']+)', but (?:there is no such anchor on this page|the doc '[^']+' does not "
                       r"contain an anchor '[^']+')\..*", re.S), "{doc} 里的链接 {link} 指向的小节不存在"),
    (re.compile(_DOC + r"a link to '(?P<link>[^']+)' which is excluded from the built site\."),
     "{doc} 里的链接指向 {link}，它不在构建出的站点里"),
]
_UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined")
_NO_FILTER = re.compile(r"No filter named '(?P<name>[^']+)'\.?")

# `mkdocs serve`'s own news, in order of appearance.
_SERVE = [
    (re.compile(r"Building documentation\.*"), lambda m: "正在构建网站……"),
    (re.compile(r"Documentation built in (?P<s>[\d.]+) seconds"), lambda m: f"网站已构建（{m['s']} 秒）"),
    (re.compile(r"(?P<at>\[[\d:]+\] )?Serving on (?P<url>\S+)( and opening it in a browser)?"),
     lambda m: f"{m['at'] or ''}预览地址：{m['url']}（改动并保存文件后，打开的页面会自动更新；按 Ctrl+C 停止）"),
    (re.compile(r"(?P<at>\[[\d:]+\] )?Detected file changes"), lambda m: f"{m['at'] or ''}发现文件有改动"),
    (re.compile(r"(?P<at>\[[\d:]+\] )?An error happened during the rebuild\..*", re.S),
     lambda m: f"{m['at'] or ''}重新构建没有成功（原因见上面）：改好并保存后会再构建，在那之前页面保持原样。"),
]


# How MkDocs says it stopped a build (its `Abort`, printed after the errors that caused it).
_ABORTS = [
    (re.compile(r"Aborted with a BuildError!"), lambda m: "构建没有完成：出错的地方见上面。"),
    (re.compile(r"Aborted with (?P<n>\d+) warnings? in strict mode!"),
     lambda m: f"构建没有完成：有 {m['n']} 条警告，严格模式下按错误处理（见上面）。"),
    (re.compile(r"Aborted with a configuration error!"), lambda m: "构建没有开始：mkdocs.yml 的配置有错（见上面）。"),
    (re.compile(r"Aborted with (?P<n>\d+) configuration warnings in 'strict' mode!"),
     lambda m: f"构建没有开始：mkdocs.yml 的配置有 {m['n']} 条警告，严格模式下按错误处理（见上面）。"),
]


def abort_words(message: str) -> str:
    """MkDocs's reason for stopping a build, in the keeper's words (an unknown one as it is)."""
    for pattern, say in _ABORTS:
        if found := pattern.fullmatch(message.strip()):
            return say(found)
    return message


def chinese_aborts() -> None:
    """`mkdocs serve` prints MkDocs's `Abort` itself, outside logging: with `print` after a failed
    rebuild, through click when the first build fails. Both read the exception's text, so the
    text is given in Chinese (in the serve process only: the plugin calls this for `serve`)."""
    from mkdocs.exceptions import Abort

    if getattr(Abort, "_fanwen_chinese", False):
        return
    Abort.format_message = lambda self: abort_words(self.message)
    Abort.__str__ = lambda self: abort_words(self.message)
    Abort._fanwen_chinese = True


def chinese(record: logging.LogRecord) -> str | None:
    """The record's message for the keeper, or None when it is not worth showing."""
    message = _TRACEBACK.sub("", record.getMessage()).strip()
    if page := _PAGE_ERROR.fullmatch(message):
        return f"构建页面 {page['page']} 时出错："
    if macro := _MACRO_ERROR.fullmatch(message):
        detail = (macro["message"] or macro["syntax"]).strip()
        if undefined := _UNDEFINED.fullmatch(detail):
            detail = f"没有名为 {undefined['name']} 的变量或宏（{detail}）"
        elif no_filter := _NO_FILTER.fullmatch(detail):
            detail = f"没有名为 {no_filter['name']} 的过滤器（{detail}）"
        elif macro["syntax"]:
            detail = f"宏的写法有误（{detail}）"
        where = f"{macro['page']}（正文第 {macro['line']} 行）" if macro["line"] else macro["page"]
        return f"{where}：页面中的宏无法展开：{detail}"
    for pattern, words in _LINKS:
        if found := pattern.fullmatch(message):
            mean = found.groupdict().get("mean")
            return words.format(**found.groupdict()) + (f"（是不是 {mean}？）" if mean else "")
    for pattern, say in _SERVE:
        if found := pattern.fullmatch(message):
            return say(found)
    return message if record.levelno >= logging.WARNING else None


def label(record: logging.LogRecord) -> str:
    """错误 for a macro that cannot be rendered (mkdocs-macros warns, then stops the build)."""
    if record.levelno == logging.WARNING and _MACRO_ERROR.fullmatch(_TRACEBACK.sub("", record.getMessage()).strip()):
        return LABELS[logging.ERROR]
    return LABELS.get(record.levelno, record.levelname)


class ServeLog(logging.Formatter):
    """`mkdocs serve`'s terminal in Chinese: put on MkDocs's own handler by the plugin."""

    def format(self, record: logging.LogRecord) -> str:
        text, name = chinese(record) or "", label(record)
        prefix = f"{name}："
        if record.levelno >= logging.WARNING:
            prefix = click.style(prefix, fg="red" if name == LABELS[logging.ERROR] else "yellow")
        return prefix + text


class ServeFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return chinese(record) is not None
