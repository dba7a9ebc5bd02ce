"""`crosspost auth youtube|x|facebook ACCOUNT`: get credentials from the platform and store them.

Secrets are asked for with hidden prompts (or read from the environment), never taken as plain
arguments, which shells keep in their history. The result goes to the secrets file and the
account is then checked against its platform (which resumes it if it was paused).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer

from crosspost.cli.runtime import console, err_console, fail, handle_errors, runtime

if TYPE_CHECKING:
    from crosspost.config import AccountSettings

app = typer.Typer(no_args_is_help=True, help="Authorise crosspost on each platform.")

AccountArg = Annotated[str, typer.Argument(help="The account's name in crosspost.toml")]


def _finish(account_name: str, platform: str, values: dict[str, str]) -> None:
    """Store the credentials, say what config must change, and verify the account."""
    from crosspost.accounts import check_accounts
    from crosspost.audit import current_actor
    from crosspost.credentials import save_credentials

    config = runtime.config
    account = config.account(account_name)
    for line in save_credentials(account, config.secrets_path, values):
        err_console.print(f"[yellow]note:[/] {line}", highlight=False)
    console.print(f"stored {', '.join(sorted(values))} for {account_name} in {config.secrets_path}")
    (result,) = check_accounts(runtime.factory, config, [account_name], actor=current_actor(None))
    if not result.ok:
        fail(f"{account_name} ({platform}) still fails its check: {result.error}", 1)
    resumed = " and resumed" if result.resumed else ""
    console.print(f"[green]ok[/] {account_name} works as {result.identity}{resumed}")


def _account_of(account_name: str, platform: str) -> AccountSettings:
    from crosspost.errors import UserError

    account = runtime.config.account(account_name)
    if account.platform != platform:
        raise UserError(f"account {account_name!r} is a {account.platform} account, not {platform}")
    return account


def _show_address(intro: str, url: str) -> None:
    """An address on a line of its own, unwrapped, so it can be copied whole."""
    console.print(intro)
    console.print(url, soft_wrap=True, highlight=False, markup=False)


@app.command("youtube")
@handle_errors
def youtube(
    account: AccountArg,
    client_id: Annotated[
        str, typer.Option(envvar="CROSSPOST_YOUTUBE_CLIENT_ID", prompt="OAuth client id")
    ],
    client_secret: Annotated[
        str,
        typer.Option(
            envvar="CROSSPOST_YOUTUBE_CLIENT_SECRET", prompt="OAuth client secret", hide_input=True
        ),
    ],
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the consent URL instead of opening it")
    ] = False,
    port: Annotated[int, typer.Option(help="Local port for Google's redirect (0: any)")] = 0,
) -> None:
    """Installed-app OAuth: consent in a browser, store the refresh token."""
    from crosspost.auth.youtube import authorize

    settings = _account_of(account, "youtube")
    values = authorize(
        settings,
        client_id=client_id,
        client_secret=client_secret,
        open_browser=not no_browser,
        port=port,
        show_url=partial(_show_address, "Open this address to let crosspost post to YouTube:"),
    )
    _finish(account, "youtube", values)


@app.command("facebook")
@handle_errors
def facebook(
    account: AccountArg,
    app_secret: Annotated[
        str,
        typer.Option(envvar="CROSSPOST_FACEBOOK_APP_SECRET", prompt="App secret", hide_input=True),
    ],
    user_token: Annotated[
        str,
        typer.Option(
            envvar="CROSSPOST_FACEBOOK_USER_TOKEN",
            prompt="User access token (with pages_manage_posts)",
            hide_input=True,
        ),
    ],
    app_id: Annotated[
        str | None, typer.Option(help="Defaults to the account's app_id setting")
    ] = None,
) -> None:
    """Exchange a user token for a long-lived one and store the Page's token."""
    from crosspost.auth.facebook import authorize
    from crosspost.errors import UserError

    settings = _account_of(account, "facebook")
    chosen_app = app_id or settings.settings.get("app_id")
    if not chosen_app:
        raise UserError(f"give --app-id, or set app_id in [accounts.{account}]")
    values = authorize(
        settings, app_id=str(chosen_app), app_secret=app_secret, user_token=user_token
    )
    _finish(account, "facebook", values)


@app.command("x")
@handle_errors
def x(
    account: AccountArg,
    consumer_key: Annotated[
        str, typer.Option(envvar="CROSSPOST_X_CONSUMER_KEY", prompt="API key (consumer key)")
    ],
    consumer_secret: Annotated[
        str,
        typer.Option(
            envvar="CROSSPOST_X_CONSUMER_SECRET", prompt="API key secret", hide_input=True
        ),
    ],
) -> None:
    """OAuth 1.0a PIN flow: authorise in a browser, type the PIN, store the access token."""
    from crosspost.auth.x import authorize_pin

    settings = _account_of(account, "x")

    def ask_pin(url: str) -> str:
        _show_address("Open this address, authorise crosspost, then type the PIN X shows:", url)
        return str(typer.prompt("PIN"))

    values = authorize_pin(
        settings, consumer_key=consumer_key, consumer_secret=consumer_secret, ask_pin=ask_pin
    )
    _finish(account, "x", values)
