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

    def __init__(self, summary: str, problems: list[str], *, head: str = "") -> None:
        self.summary = summary
        self.problems = list(problems)
        # What the one line starts with when there is a single problem ("nothing imported from
        # F"): one problem is one line, not a count of one and then the problem.
        self.head = head
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The lines to print: the problem alone (after `head`) when it is the only one, else
        the summary and a line each."""
        if len(self.problems) == 1:
            return [f"{self.head}: {self.problems[0]}" if self.head else self.problems[0]]
        return [self.summary, *self.problems]

    def one_line(self) -> str:
        """Every problem on one line, for a caller that lists this refusal among others."""
        joined = "; ".join(self.problems)
        return f"{self.head}: {joined}" if self.head else joined
