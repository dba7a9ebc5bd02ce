"""The top-level `crosspost` group, whose commands are built only when one is run or its help is
shown: building all thirty from their signatures cost every command, `--help` included, some
20 ms. The list of commands only reads each one's docstring (or its group's help)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, ClassVar

import typer
import typer.main
from typer import _click  # the click typer vendors (0.29+)
from typer._click.utils import make_default_short_help
from typer.core import TyperGroup
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo

# command name → (module under crosspost.cli, attribute): a typer group or a command function
Table = Mapping[str, tuple[str, str]]


class _Commands(MutableMapping[str, _click.Command]):
    """The group's commands by name, each built (as `app.command` or `app.add_typer` would
    build it) the first time it is looked up, so that typer's name suggestions still see all."""

    def __init__(self, table: Table, markup: Any) -> None:
        self._table = table
        self._markup = markup
        self._built: dict[str, _click.Command] = {}

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self._built:
            target = load(self._table[name])  # KeyError for an unknown name, as a dict
            if isinstance(target, typer.Typer):
                self._built[name] = typer.main.get_group_from_info(
                    TyperInfo(target, name=name),
                    pretty_exceptions_short=True,
                    suggest_commands=True,
                    rich_markup_mode=self._markup,
                )
            else:
                self._built[name] = typer.main.get_command_from_info(
                    CommandInfo(name=name, callback=target),
                    pretty_exceptions_short=True,
                    rich_markup_mode=self._markup,
                )
        return self._built[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the command table is fixed")

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def load(entry: tuple[str, str]) -> Any:
    """The typer group or command function an entry of the table names."""
    module, attribute = entry
    return getattr(importlib.import_module(f"crosspost.cli.{module}"), attribute)


def summary(target: Any) -> str | None:
    """The help a command or group is listed with: what typer would give the built one."""
    if isinstance(target, typer.Typer):
        text = target.info.help
        return None if isinstance(text, DefaultPlaceholder) else text
    return inspect.getdoc(target)


class LazyGroup(TyperGroup):
    """A typer group over `table`: `typer.Typer(cls=...)` on a subclass that sets it."""

    table: ClassVar[Table] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.table, self.rich_markup_mode)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.table)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """Click's listing (as `get_short_help_str` shortens), from each command's summary."""
        names = list(self.table)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            text = summary(load(self.table[name]))
            rows.append((name, make_default_short_help(text, limit) if text else ""))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
