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
    """Configured accounts, whether each is paused, and which credentials have a value."""
    from rich.table import Table

    from crosspost.accounts import sync_accounts
    from crosspost.credentials import credential_status
    from crosspost.timeutil import iso_local

    config = runtime.config
    with runtime.transaction() as session:
        rows = sync_accounts(session, config)
    data: list[dict[str, Any]] = [
        {
            "name": a.name,
            "platform": a.platform.value,
            "enabled": a.enabled,
            "paused_at": iso_local(rows[a.name].paused_at, config.timezone),
            "paused_reason": rows[a.name].paused_reason,
            "credentials": credential_status(a, config.secrets_path),
        }
        for a in config.accounts.values()
    ]
    if as_json:
        print_json(data)
        return
    table = Table("account", "platform", "enabled", "paused", "credentials")
    for r in data:
        creds = ", ".join(f"{k}{'' if ok else ' (missing)'}" for k, ok in r["credentials"].items())
        table.add_row(
            r["name"],
            r["platform"],
            "yes" if r["enabled"] else "no",
            r["paused_reason"] or "",
            creds,
        )
    console.print(table)


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
            if r.ok:
                resumed = " (resumed)" if r.resumed else ""
                console.print(f"[green]ok[/] {r.account} ({r.platform}): {r.identity}{resumed}")
            else:
                console.print(f"[red]failed[/] {r.account} ({r.platform}): {r.error}")
    failed = [r.account for r in results if not r.ok]
    if failed:
        fail(f"{len(failed)} account(s) failed the check: {', '.join(failed)}", 1)
