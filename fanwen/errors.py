"""One error type for everything a user can get wrong, so the CLI and the build can print it."""

from __future__ import annotations


class FanwenError(Exception):
    """A problem with the user's input: says where (file, line or key) and how to fix it."""

    def __init__(self, where: str, problem: str, fix: str):
        self.where = where
        self.problem = problem
        self.fix = fix
        super().__init__(f"{where}: {problem}\n  怎么办：{fix}")
