"""What an adapter declares of `crosspost auth <platform> ACCOUNT`, for the CLI to build it.

The CLI knows no platform: each adapter's `auth_command` names the command's help, options
(environment variables, prompts, hidden secrets) and the flow to run, which lives in the
platform's package and is imported only when the command runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuthOption:
    """One option of `crosspost auth <platform>`: `--name` (underscores as dashes)."""

    name: str
    help: str | None = None
    envvar: str | None = None
    prompt: str | None = None  # asked for when neither the option nor `envvar` gives it
    hide_input: bool = False  # a secret: typed unseen
    type: type = str
    default: Any = None
    flag: str | None = None  # a boolean switch's own spelling, e.g. "--no-browser"


@dataclass(frozen=True)
class AuthCommand:
    """How `crosspost auth <platform> ACCOUNT` runs: its help, options and flow.

    `flow` ("package.module:function") is imported only when the command runs; it is called
    with the account's settings, the options' values and an `AuthPrompts`, and returns the
    credential values to store, keyed by the names the adapter reads.
    """

    help: str
    flow: str
    options: tuple[AuthOption, ...] = ()


class AuthPrompts(ABC):
    """What an authorisation flow may ask of the person running it."""

    @abstractmethod
    def show_address(self, intro: str, url: str) -> None:
        """Show `url` to open, after the line `intro`, whole and copyable."""

    @abstractmethod
    def ask(self, question: str) -> str:
        """Ask for a line of text (a PIN)."""
