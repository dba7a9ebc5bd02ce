"""`crosspost accounts list|check`: the configured accounts and whether their credentials work."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from crosspost.cli.runtime import console, fail, handle_errors, print_json, runtime

app = typer.Typer(no_args_is_help=True, help="Accounts and their credentials.")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]


@app.command("list")
@handle_errors
def list_(as_json: JsonOpt = False) -> None:
    """Configured accounts, whether each is paused, and which credentials have a value; an
    account whose secrets cannot be read is listed with the problem, not left out."""
    from crosspost.accounts import sync_accounts
    from crosspost.cli.views import table_of
    from crosspost.credentials import CredentialsError, credential_status
    from crosspost.timeutil import iso_local

    config = runtime.config
    with runtime.transaction() as session:
        rows = sync_accounts(session, config)
    data: list[dict[str, Any]] = []
    for a in config.accounts.values():
        try:
            status, problem = credential_status(a, config.secrets_path), None
        except CredentialsError as exc:
            status, problem = {}, str(exc)
        data.append(
            {
                "name": a.name,
                "platform": a.platform.value,
                "enabled": a.enabled,
                "paused_at": iso_local(rows[a.name].paused_at, config.timezone),
                "paused_reason": rows[a.name].paused_reason,
                "credentials": status,
                "credentials_problem": problem,
            }
        )
    if as_json:
        print_json(data)
        return
    cells = [
        [
            r["name"],
            r["platform"],
            "yes" if r["enabled"] else "no",
            r["paused_reason"] or "",
            r["credentials_problem"]
            or ", ".join(f"{k}{'' if ok else ' (missing)'}" for k, ok in r["credentials"].items()),
        ]
        for r in data
    ]
    headers = ["account", "platform", "enabled", "paused", "credentials"]
    console.print(table_of(headers, cells, keep={"account", "platform", "enabled"}))


@app.command("check")
@handle_errors
def check(
    account: Annotated[
        list[str] | None, typer.Argument(help="Accounts (default: all enabled)")
    ] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify each account against its platform; a paused account that passes is resumed."""
    from crosspost.accounts import check_accounts
    from crosspost.audit import current_actor

    results = check_accounts(
        runtime.factory, runtime.config, account or [], actor=current_actor(by)
    )
    if as_json:
        print_json([asdict(r) for r in results])
    else:
        for r in results:
            for warning in r.warnings:
                console.print(f"[yellow]warning[/] {r.account}: {warning}", highlight=False)
            if r.ok:
                resumed = " (resumed)" if r.resumed else ""
                console.print(f"[green]ok[/] {r.account} ({r.platform}): {r.identity}{resumed}")
            else:
                console.print(f"[red]failed[/] {r.account} ({r.platform}): {r.error}")
    failed = [r.account for r in results if not r.ok]
    if failed:
        fail(f"{len(failed)} account(s) failed the check: {', '.join(failed)}", 1)
