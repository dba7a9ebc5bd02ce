"""Errors a person can act on: each carries one line naming the problem and the fix."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or state the operator can fix; the CLI prints it as one line and exits 2."""

    exit_code = 2


class ConfigError(UserError):
    """The configuration file is wrong: the message names the file, the key and what is allowed."""


class NotFoundError(UserError):
    """A content item, post or account that does not exist."""


class StateError(UserError):
    """An action the item's state does not allow (approve a draft, cancel a published post)."""


class Problems(UserError):
    """Every problem found at once, so one correction fixes them all; the CLI prints a line each.

    Raised before anything is written: a caller that gets it has changed nothing.
    """

    def __init__(self, summary: str, problems: list[str]) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__("\n".join([summary, *self.problems]))
