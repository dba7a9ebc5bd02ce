"""`crosspost db …`: schema migrations."""

from __future__ import annotations

import typer

from crosspost.cli.runtime import console, handle_errors, runtime

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command("upgrade")
@handle_errors
def upgrade() -> None:
    """Create the database (and data_dir) or apply every pending migration."""
    from crosspost.db.engine import make_engine
    from crosspost.db.migrate import upgrade as run_upgrade

    runtime.creating = True
    runtime.config.data_dir.mkdir(parents=True, exist_ok=True)
    revision = run_upgrade(make_engine(runtime.config.database_url))
    console.print(f"database at revision {revision}")


@app.command("current")
@handle_errors
def current() -> None:
    """Show the schema revision of the database."""
    from crosspost.db.engine import make_engine
    from crosspost.db.migrate import current_revision, head_revision

    engine = make_engine(runtime.config.database_url)
    console.print(f"current {current_revision(engine)}, newest {head_revision(engine)}")
