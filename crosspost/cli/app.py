"""The `crosspost` command: one typer group per file, imported lazily by each command."""

from __future__ import annotations

from typing import Annotated

import typer

from crosspost.cli import (
    accounts,
    auth,
    content,
    db,
    intake,
    plan,
    posts,
    previewing,
    publishing,
    report,
    sandbox,
    users,
    web,
    worker,
)
from crosspost.cli.runtime import runtime

app = typer.Typer(
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


app.add_typer(content.app, name="content")
app.add_typer(posts.app, name="posts")
app.add_typer(db.app, name="db")
app.add_typer(accounts.app, name="accounts")
app.add_typer(auth.app, name="auth")
app.add_typer(users.app, name="users")
app.add_typer(intake.samples_app, name="samples")
app.command("import")(intake.import_)
app.command("schedule")(publishing.schedule)
app.command("cancel")(publishing.cancel)
app.command("retry")(publishing.retry)
app.command("repost")(publishing.repost)
app.command("preview")(previewing.preview)
app.command("worker")(worker.worker)
app.command("sandbox")(sandbox.sandbox)
app.command("report")(report.report)
app.command("plan")(plan.plan)
app.command("web")(web.web)


def main() -> None:
    app()
