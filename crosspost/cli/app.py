"""The `crosspost` command: one typer group per file, imported lazily by each command."""

from __future__ import annotations

from typing import Annotated, ClassVar

import typer

from crosspost.cli.lazy import LazyGroup, Table
from crosspost.cli.runtime import runtime


class _Commands(LazyGroup):
    """Every command, in the order `crosspost --help` lists them: commands, then groups."""

    table: ClassVar[Table] = {
        "import": ("intake", "import_"),
        "schedule": ("publishing", "schedule"),
        "cancel": ("publishing", "cancel"),
        "retry": ("publishing", "retry"),
        "repost": ("publishing", "repost"),
        "preview": ("previewing", "preview"),
        "worker": ("worker", "worker"),
        "sandbox": ("sandbox", "sandbox"),
        "report": ("report", "report"),
        "plan": ("plan", "plan"),
        "web": ("web", "web"),
        "content": ("content", "app"),
        "posts": ("posts", "app"),
        "db": ("db", "app"),
        "accounts": ("accounts", "app"),
        "auth": ("auth", "app"),
        "users": ("users", "app"),
        "samples": ("intake", "samples_app"),
    }


# Click's plain help: typer's boxed rich help imports rich, markdown-it and pygments first, which
# alone took longer than all of `import typer`.
app = typer.Typer(
    cls=_Commands,
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=True,
    help="Publish approved content to each configured platform, on time, exactly once.",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    """`crosspost --version`: the installed package's version, then exit."""
    if value:
        from crosspost import __version__

        typer.echo(f"crosspost {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="CROSSPOST_CONFIG",
            help="Config file (default: config/crosspost.toml)",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    runtime.config_path = config


def _click_errors() -> tuple[type[Exception], type[Exception], type[Exception] | None]:
    """(ClickException, UsageError, NoArgsIsHelpError) of the click typer runs on: newer typer
    releases carry their own copy of click, older ones use click itself."""
    import sys

    mro = typer.BadParameter.__mro__
    usage = mro[1]
    click_exception = next(c for c in mro if c.__name__ == "ClickException")
    no_args = getattr(sys.modules[usage.__module__], "NoArgsIsHelpError", None)
    return click_exception, usage, no_args


def main() -> None:
    """Run a command; a usage error (unknown option, bad value) is one line, not a boxed panel."""
    import sys

    for n, arg in enumerate(sys.argv[1:], start=1):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):  # bytes the locale could not decode
            raw = arg.encode("utf-8", "surrogateescape")
            print(
                f"error: argument {n} is not UTF-8 text ({raw[:40]!r}); type it again, or set "
                "a UTF-8 locale (e.g. LANG=C.UTF-8)",
                file=sys.stderr,
            )
            sys.exit(2)
    click_exception, usage_error, no_args_is_help = _click_errors()
    try:
        result = app(prog_name="crosspost", standalone_mode=False)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except click_exception as exc:
        code = int(getattr(exc, "exit_code", 2))
        if no_args_is_help is not None and isinstance(exc, no_args_is_help):
            exc.show()  # type: ignore[attr-defined]  # the help, as `--help` shows it
            sys.exit(code)
        message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if isinstance(exc, usage_error) and ctx else ""
        print(f"error: {message}{hint}", file=sys.stderr)
        sys.exit(code)
    sys.exit(result if isinstance(result, int) else 0)
