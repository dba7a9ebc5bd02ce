"""What every command shares: the config, the database (migrated on first use), the console,
and one place that turns known errors into one line and an exit code."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, cached_property, wraps
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar, cast

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from crosspost.config import Config

P = ParamSpec("P")
R = TypeVar("R")


class _LazyConsole:
    """A rich Console made on first use: importing rich.console would cost every command,
    `crosspost --help` included, some 15 ms, and most commands print JSON or one line."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return getattr(self._console, name)


console = cast("Console", _LazyConsole(stderr=False))
err_console = cast("Console", _LazyConsole(stderr=True))


class Runtime:
    """Loaded lazily so `crosspost --help` imports nothing heavy."""

    config_path: str | None = None
    # Set by the one command that may make data_dir and the SQLite file (`db upgrade`): any
    # other command refuses them missing, since a mistyped path would start an empty database.
    creating: bool = False

    @cached_property
    def config(self) -> Config:
        from crosspost.config import ConfigProblems, load_config
        from crosspost.config_paths import missing_paths
        from crosspost.errors import ConfigError

        config = load_config(self.config_path)
        if not self.creating:
            problems = missing_paths(config)
            if len(problems) == 1:
                raise ConfigError(problems[0])
            if problems:
                raise ConfigProblems(f"{len(problems)} paths do not exist; fix them all:", problems)
        return config

    @cached_property
    def engine(self) -> Engine:
        from crosspost.db.engine import make_engine
        from crosspost.db.migrate import ensure_schema

        engine = make_engine(self.config.database_url)
        ensure_schema(engine)
        return engine

    @cached_property
    def factory(self) -> sessionmaker[Session]:
        import gc

        from crosspost.db.engine import session_factory

        factory = session_factory(self.engine)
        # What is loaded by now (SQLAlchemy, the models, the config) lives as long as the
        # command: left to the collector, every full collection walks it again, which cost a
        # listing of 20,000 posts a tenth of its time.
        gc.freeze()
        return factory

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        from crosspost.db.engine import transaction

        with transaction(self.factory) as session:
            yield session


runtime = Runtime()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def print_json_rows(rows: Iterator[Any]) -> None:
    """A JSON list written a row at a time: a long listing starts at once and is never held
    whole in memory; it reads back as the same list `print_json` would write (the same text)."""
    from itertools import chain

    out = sys.stdout
    first = next(rows, None)  # an error before the first row leaves stdout empty, not `[`
    out.write("[")
    empty = True
    for row in chain([first], rows) if first is not None else ():
        out.write(("\n  " if empty else ",\n  ") + indented_json(row, 1))
        empty = False
    out.write("]\n" if empty else "\n]\n")


@cache
def _flat(level: int) -> Callable[[Any], str]:
    """An encoder in C for the items of a list or dict at `level`, made once: json's own with
    an indent is all in Python, and `JSONEncoder.encode` builds its C encoder on every call."""
    from json import encoder as json_encoder

    separator = ",\n" + "  " * level
    make = getattr(json_encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without json's C part
        return json.JSONEncoder(ensure_ascii=False, separators=(separator, ": ")).encode
    # No circular check (a listing's rows are trees): a cached check's markers would outlive
    # an encoding that failed. `default` refuses what json cannot write, as json.dumps does.
    default = json.JSONEncoder().default
    encode = make(
        None, default, json_encoder.encode_basestring, None, ": ", separator, False, False, True
    )

    def flat(value: Any) -> str:
        if isinstance(value, str):
            return json_encoder.encode_basestring(value)
        return "".join(encode(value, 0))

    return flat


_CONTAINERS = (dict, list, tuple)
_quote = json.encoder.encode_basestring  # the C one, as json.dumps(ensure_ascii=False) uses
_SCALARS = frozenset({str, int, float, bool, type(None)})


def indented_json(value: Any, level: int = 0) -> str:
    """The text `json.dumps(value, ensure_ascii=False, indent=2)` gives `value` nested `level`
    deep, made faster: with an indent the json module encodes in Python, which was a fifth of
    `posts list --json`. Here one call of the C encoder writes the whole dict or list, each
    non-empty list or dict in it standing in as a marker string that is then replaced by its
    own indented text; when a marker's text is not found exactly once (a string that happens
    to hold it), the json module writes the value instead."""
    if not isinstance(value, _CONTAINERS) or not value:
        return _flat(level)(value)
    if isinstance(value, list) and all(item.__class__ is str for item in value):
        # the common nested value (a post's audit actions): no marker needed
        pad = "\n" + "  " * (level + 1)
        quoted = map(_quote, value)
        return f"[{pad}{(',' + pad).join(quoted)}\n{'  ' * level}]"
    is_dict = isinstance(value, dict)
    items = value.items() if isinstance(value, dict) else enumerate(value)
    nested = [
        (key, item)
        for key, item in items
        if item.__class__ not in _SCALARS and isinstance(item, _CONTAINERS) and item
    ]
    flat: Any = value
    if nested:
        flat = dict(value) if is_dict else list(value)
        for n, (key, _) in enumerate(nested):
            flat[key] = f"\0{n}"
    text = _flat(level + 1)(flat)
    for n, (_, item) in enumerate(nested):
        marker = f'"\\u0000{n}"'
        if text.count(marker) != 1:
            return json.dumps(value, ensure_ascii=False, indent=2).replace(
                "\n", "\n" + "  " * level
            )
        text = text.replace(marker, indented_json(item, level + 1))
    pad = "  " * (level + 1)
    return f"{text[0]}\n{pad}{text[1:-1]}\n{'  ' * level}{text[-1]}"


def fail(message: str, code: int = 2, *more: str) -> NoReturn:
    """Print `error: …` for the message and each further line, then exit with `code`."""
    from rich.markup import escape

    for line in (message, *more):
        err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    raise SystemExit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Known errors become one line each on stderr and a non-zero exit; nothing else is printed.
    A database error names the file or URL and the fix; anything unforeseen is one line too
    (the traceback only with CROSSPOST_TRACEBACK=1), never a traceback by surprise."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import DBAPIError
        from typer import Abort, Exit, _click  # typer's exits and aborts pass through

        from crosspost.errors import Problems, UserError

        try:
            return func(*args, **kwargs)
        except Problems as exc:
            first, *more = exc.lines()
            fail(first, exc.exit_code, *more)
        except UserError as exc:
            fail(str(exc), exc.exit_code)
        except DBAPIError as exc:
            from crosspost.db.engine import describe_database_error

            fail(describe_database_error(runtime.config.database_url, exc), 3)
        except (Exit, Abort, _click.ClickException):
            raise
        except OverflowError:  # an id or count beyond a 64-bit integer, refused by SQLite
            fail(
                f"a number on the command line is too large: ids and counts go up to "
                f"{2**63 - 1}; check the numbers you typed",
                2,
            )
        except Exception as exc:
            if os.environ.get("CROSSPOST_TRACEBACK"):
                raise
            fail(
                f"unexpected {type(exc).__name__}: {exc}; this is a bug in crosspost: please "
                f"report it with the command you ran (CROSSPOST_TRACEBACK=1 shows where)",
                70,
            )

    return wrapper
