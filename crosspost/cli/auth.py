"""`crosspost auth <platform> ACCOUNT`: get credentials from the platform and store them.

There is one command per platform in the registry whose adapter declares an `AuthCommand` (its
help, options, environment variables and prompts, and the flow to run); the commands are built
when `crosspost auth` is used, so other commands never load them. Secrets are asked for with
hidden prompts (or read from the environment), never taken as plain arguments, which shells
keep in their history. The result goes to the secrets file and the account is then checked
against its platform (which resumes it if it was paused).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer import _click  # the click typer vendors (0.29+): its groups' own types
from typer.core import TyperGroup

from crosspost.cli.runtime import console, err_console, fail, handle_errors, runtime

if TYPE_CHECKING:
    from crosspost.adapters.auth import AuthCommand, AuthOption
    from crosspost.adapters.registry import Platform
    from crosspost.config import AccountSettings

AccountArg = Annotated[str, typer.Argument(help="The account's name in crosspost.toml")]


def _declared() -> dict[str, tuple[Platform, AuthCommand]]:
    """The platforms whose adapters declare an authorisation command, by command name."""
    from crosspost.adapters.registry import Platform, adapter_class

    found = {}
    for platform in Platform:
        command = adapter_class(platform).auth_command
        if command is not None:
            found[str(platform)] = (platform, command)
    return found


class _AuthGroup(TyperGroup):
    """Lists and builds the platforms' commands from the registry, on demand."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(_declared())

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        declared = _declared().get(cmd_name)
        if declared is None:
            return None
        platform, command = declared
        single = typer.Typer(add_completion=False, rich_markup_mode=self.rich_markup_mode)
        single.command(cmd_name, help=command.help)(_command_function(platform, command))
        return typer.main.get_command(single)


app = typer.Typer(
    cls=_AuthGroup, no_args_is_help=True, help="Authorise crosspost on each platform."
)


def _parameter(option: AuthOption) -> inspect.Parameter:
    """The typer parameter `option` declares: prompted, from its variable, or defaulted."""
    names = [option.flag] if option.flag else []
    info = typer.Option(
        *names,
        envvar=option.envvar,
        prompt=option.prompt or False,
        hide_input=option.hide_input,
        help=option.help,
    )
    kind: Any = option.type
    if option.prompt is None and option.default is None:
        kind = kind | None
    default = inspect.Parameter.empty if option.prompt else option.default
    return inspect.Parameter(
        option.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[kind, info],
    )


def _command_function(platform: Platform, command: AuthCommand) -> Callable[..., None]:
    """A function typer reads as the command: ACCOUNT, then the declared options."""

    def authorise(account: str, **options: Any) -> None:
        settings = _account_of(account, platform)
        module_name, _, function_name = command.flow.partition(":")
        flow = getattr(importlib.import_module(module_name), function_name)
        values = flow(settings, options, _Prompts())
        _finish(account, str(platform), values)

    account_parameter = inspect.Parameter(
        "account", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=AccountArg
    )
    parameters = [account_parameter, *(_parameter(o) for o in command.options)]
    signature = inspect.Signature(parameters)
    authorise.__signature__ = signature  # type: ignore[attr-defined]
    authorise.__annotations__ = {p.name: p.annotation for p in parameters}
    authorise.__doc__ = command.help
    wrapped: Callable[..., None] = handle_errors(authorise)
    wrapped.__signature__ = signature  # type: ignore[attr-defined]
    return wrapped


class _Prompts:
    """What a flow may ask of the person at the terminal (`AuthPrompts`)."""

    def show_address(self, intro: str, url: str) -> None:
        """An address on a line of its own, unwrapped, so it can be copied whole."""
        console.print(intro)
        console.print(url, soft_wrap=True, highlight=False, markup=False)

    def ask(self, question: str) -> str:
        return str(typer.prompt(question))

    def ask_secret(self, question: str) -> str:
        return str(typer.prompt(question, hide_input=True))


def _finish(account_name: str, platform: str, values: Mapping[str, str]) -> None:
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


def _account_of(account_name: str, platform: Platform) -> AccountSettings:
    from crosspost.errors import UserError

    account = runtime.config.account(account_name)
    if account.platform != platform:
        raise UserError(f"account {account_name!r} is a {account.platform} account, not {platform}")
    return account
