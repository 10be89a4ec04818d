"""Runs the project's commands (`fanwen`, `mkdocs`) for the tests, each in a process
of its own, forked from one that has already imported MkDocs, Material, the plugins and fanwen.

Why: the suite runs these commands about 130 times, and every fresh Python process spends about
0.3 s of CPU importing the same modules before it does anything; on two cores that was a sixth of
the suite's time. A forked child is still a separate process with its own working folder,
environment, standard streams, exit code and interpreter shutdown (atexit), so a test sees what a
user's terminal would. What differs is only what happens at import time, before the command reads
its arguments, and that the children of one zygote share its hash seed; the tests that are about
processes themselves (killing a build, the console script, `make serve`) start real processes.

Protocol (one JSON object per line): the test sends {"argv", "cwd", "env", "out", "err"}; the
zygote answers {"code": exit code, or minus the signal number}. One command at a time.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import sys
import traceback
from importlib.metadata import entry_points

# What the commands import before they do anything (a module not installed is skipped: it is
# then imported by the command itself, as it would be anyway).
PRELOAD = [
    "fanwen.cli", "fanwen.publish.build", "fanwen.importer.run", "fanwen.importer.office",
    "fanwen.drafting.templates", "fanwen.drafting.word_output", "fanwen.mkdocs.plugin",
    "mkdocs.__main__", "mkdocs.commands.build", "mkdocs_macros.plugin", "material.plugins.search.plugin",
    "material.plugins.tags.plugin", "material.plugins.privacy.plugin", "material.plugins.offline.plugin",
    "markdown.extensions.toc", "markdown.extensions.attr_list", "markdown.extensions.md_in_html",
    "markdown.extensions.tables", "markdown.extensions.admonition", "pymdownx.escapeall",
    "tqdm", "docx",
    # Imported on first use inside a build or an import: the search index (and numpy, 0.1 s of
    # every build), the rules' models, the compiled drafts, the folding tables, code highlighting.
    "numpy", "fanwen.search.index", "fanwen.schema", "fanwen.library.sections", "fanwen.drafting.compiled",
    "fanwen.importer.office.convert", "opencc", "pygments.lexers.python", "multiprocessing.popen_fork",
]


def entry(name: str):
    """The function a console script of this name calls."""
    for point in entry_points(group="console_scripts", name=name):
        return point.load()
    raise LookupError(f"no console script {name!r}")


def child(request: dict) -> int:
    """In the forked process: become the command, run it, and say how it ended."""
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    for fd, path in ((1, request["out"]), (2, request["err"])):  # first: any error below lands there
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    try:
        entry(os.path.basename(sys.argv[0]))()
        code = 0
    except SystemExit as exit:  # as the interpreter turns sys.exit() into an exit code
        if exit.code is None:
            code = 0
        elif isinstance(exit.code, int):
            code = exit.code
        else:
            print(exit.code, file=sys.stderr)
            code = 1
    except BaseException:  # an uncaught exception: the traceback a user would see, exit code 1
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # interpreter shutdown: multiprocessing joins its children, logging flushes
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def main() -> None:
    # A console script's folder comes first on its path, not this file's (tests/).
    sys.path[0] = os.path.dirname(sys.executable)
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    # What every build's search indexer works out first, always the same: the traditional →
    # simplified pairs (OpenCC over 27,000 characters) and their lookup array (0.15 s a build).
    try:
        import numpy

        from fanwen.search.index import _fold_lut
        _fold_lut(numpy)
    except ImportError:
        pass
    requests = os.fdopen(int(sys.argv[1]), "r", encoding="utf-8")
    answers = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8")
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                requests.close()
                answers.close()
                code = child(request)
            except BaseException:  # setting up the child failed (a missing folder): say why
                traceback.print_exc()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        answers.write(json.dumps({"code": code}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
