"""`crosspost users add|passwd|disable|token|list`: the people of the web workspace and their
API tokens."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crosspost.cli.runtime import console, err_console, handle_errors, print_json, runtime

if TYPE_CHECKING:
    from crosspost.db.models import User

app = typer.Typer(no_args_is_help=True, help="Add the people of the web workspace and their roles.")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who does it (default $CROSSPOST_USER)")]


def _json(user: User) -> dict[str, Any]:
    from crosspost.users import user_json

    return user_json(user, runtime.config.timezone)


@app.command("add")
@handle_errors
def add(
    name: str,
    role: Annotated[
        str, typer.Option("--role", help="admin, editor, planner, viewer or contributor")
    ],
    unit: Annotated[
        str | None, typer.Option("--unit", help="A contributor's unit (units.toml)")
    ] = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user (no password yet: `crosspost users passwd NAME` sets it)."""
    from crosspost.audit import current_actor
    from crosspost.intake.units import load_intake
    from crosspost.users import add_user

    intake = load_intake(runtime.config)
    with runtime.transaction() as session:
        user = add_user(
            session, name, role, unit=unit, actor=current_actor(by), unit_codes=list(intake.units)
        )
        data = _json(user)
    if as_json:
        print_json(data)
        return
    unit_text = f" of unit {data['unit']}" if data["unit"] else ""
    console.print(
        f"added user {data['name']} ({data['role']}{unit_text}); "
        f"set a password: crosspost users passwd {data['name']}",
        highlight=False,
    )


def _read_password(from_stdin: bool) -> str:
    """One line from stdin (for scripts), or asked twice without echo (for a person)."""
    from crosspost.errors import UserError

    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise UserError("--password-stdin read nothing; pipe the password as one line")
        return password
    if not sys.stdin.isatty():
        raise UserError("no terminal to ask for the password; pass it with --password-stdin")
    return str(typer.prompt("new password", hide_input=True, confirmation_prompt=True))


@app.command("passwd")
@handle_errors
def passwd(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password as one line of stdin")
    ] = False,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password (asked without echo); their open sessions end."""
    from crosspost.audit import current_actor
    from crosspost.users import get_user, set_password

    with runtime.factory() as session:
        get_user(session, name)  # an unknown name is refused before a password is asked
    password = _read_password(password_stdin)
    with runtime.transaction() as session:
        data = _json(set_password(session, name, password, actor=current_actor(by)))
    if as_json:
        print_json(data)
        return
    console.print(f"password set for {name}", highlight=False)


@app.command("disable")
@handle_errors
def disable(name: str, by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Stop a user from signing in; their open sessions end at the next request."""
    from crosspost.audit import current_actor
    from crosspost.users import disable_user

    with runtime.transaction() as session:
        data = _json(disable_user(session, name, actor=current_actor(by)))
    if as_json:
        print_json(data)
        return
    console.print(f"user {name} disabled", highlight=False)


@app.command("token")
@handle_errors
def token(
    name: str,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Revoke the user's token; make no new one")
    ] = False,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a new API token for /api/v1 (printed once, never again; the old one stops)."""
    from crosspost.audit import current_actor
    from crosspost.tokens import new_token, revoke_token

    with runtime.transaction() as session:
        if revoke:
            data = _json(revoke_token(session, name, actor=current_actor(by)))
            secret = None
        else:
            user, secret = new_token(session, name, actor=current_actor(by))
            data = _json(user)
    if as_json:
        print_json(data if secret is None else {**data, "token": secret})
    elif secret is None:
        console.print(f"API token of {name} revoked", highlight=False)
    else:
        console.print(secret, highlight=False, soft_wrap=True)
        err_console.print(
            f"API token for {name}: shown once, keep it now; send it as "
            "'Authorization: Bearer TOKEN'",
            highlight=False,
        )


@app.command("list")
@handle_errors
def list_(as_json: JsonOpt = False) -> None:
    """Every user with their role, unit and whether they may sign in (never a password)."""
    from crosspost.cli.views import table_of, when
    from crosspost.users import list_users

    with runtime.factory() as session:
        rows = [_json(u) for u in list_users(session)]
    if as_json:
        print_json(rows)
        return
    cells = [
        [
            r["name"],
            r["role"],
            r["unit"] or "",
            "yes" if r["enabled"] else "no",
            "yes" if r["has_password"] else "no",
            when(r["created_at"]),
        ]
        for r in rows
    ]
    headers = ["name", "role", "unit", "enabled", "password", "created"]
    console.print(table_of(headers, cells, keep={"name", "role", "enabled"}))
