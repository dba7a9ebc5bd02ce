"""What an adapter declares of `crosspost auth <platform> ACCOUNT`, for the CLI to build it.

The CLI knows no platform: each adapter's `auth_command` names the command's help, options
(environment variables, prompts, hidden secrets) and the flow to run, which lives in the
platform's package and is imported only when the command runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractContextManager
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

    def ask_secret(self, question: str) -> str:
        """Ask for a secret, typed unseen where the terminal allows (a plain `ask` here)."""
        return self.ask(question)


class CredentialStore(ABC):
    """Where an account's credentials live, for adapters whose platform rotates them (an
    OAuth 2.0 refresh token is single-use): read the values now in force and write a new set,
    under a lock every process of the host shares, so two workers never both spend the same
    refresh token or write over each other's pair."""

    @abstractmethod
    def locked(self) -> AbstractContextManager[None]:
        """Hold the exclusive lock (across processes and threads) while the block runs."""

    @abstractmethod
    def read(self) -> dict[str, str]:
        """The account's stored values as they are now (read again, never cached)."""

    @abstractmethod
    def write(self, values: Mapping[str, str]) -> None:
        """Merge `values` into the account's stored ones, atomically; call under `locked`."""
