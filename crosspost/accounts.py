"""Accounts: config → database rows, credentials → adapters.

Credentials never live in crosspost.toml: each is `env:VARIABLE` or `secrets`, the latter read
from `<data_dir>/secrets.toml` (one table per account), which must be readable by its owner only.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crosspost.adapters.base import AccountConfig, Adapter, Secret
from crosspost.adapters.registry import adapter_class
from crosspost.config import AccountSettings, Config
from crosspost.db.models import Account
from crosspost.errors import UserError
from crosspost.timeutil import utcnow


def sync_accounts(session: Session, config: Config) -> dict[str, Account]:
    """Make the account table match config (settings refreshed; none deleted, posts need them).

    Several processes may do this at once (a worker starting while someone schedules), so new
    rows go in with INSERT … ON CONFLICT DO NOTHING rather than a check-then-insert.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for name, settings in config.accounts.items():
        session.execute(
            insert(Account)
            .values(
                name=name,
                platform=settings.platform.value,
                settings=dict(settings.settings),
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["name"])
        )
    rows = {a.name: a for a in session.scalars(select(Account))}
    for name, settings in config.accounts.items():
        row = rows[name]
        if row.platform != settings.platform.value:
            raise UserError(
                f"account {name!r} was {row.platform} and is now {settings.platform} in "
                f"config; give the new account a new name"
            )
        if row.settings != dict(settings.settings):
            row.settings = dict(settings.settings)
    session.flush()
    return rows


def read_secrets_file(path: Path) -> Mapping[str, Mapping[str, str]]:
    if not path.exists():
        return {}
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UserError(
            f"{path} is readable by group or others (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        reason = exc.args[0] if exc.args else "parse error"
        raise UserError(f"{path}: not valid TOML ({reason})") from None
    return {
        k: {ck: str(cv) for ck, cv in v.items()} for k, v in data.items() if isinstance(v, dict)
    }


def resolve_credentials(account: AccountSettings, secrets_path: Path) -> dict[str, Secret]:
    """Credential values for an account; a missing one is simply absent (the adapter says so)."""
    values: dict[str, Secret] = {}
    file_values: Mapping[str, str] | None = None
    for key, ref in account.credentials.items():
        if ref.startswith("env:"):
            value = os.environ.get(ref.removeprefix("env:"))
        else:
            if file_values is None:
                file_values = read_secrets_file(secrets_path).get(account.name, {})
            value = file_values.get(key)
        if value:
            values[key] = Secret(value)
    return values


def account_config(config: Config, name: str) -> AccountConfig:
    settings = config.account(name)
    return AccountConfig(
        name=name,
        platform=settings.platform,
        settings=settings.settings,
        credentials=resolve_credentials(settings, config.secrets_path),
    )


def build_adapter(config: Config, name: str) -> Adapter:
    settings = config.account(name)
    cls = adapter_class(settings.platform, settings.adapter)
    return cls(account_config(config, name))


def pause_account(session: Session, account_id: int, reason: str) -> bool:
    """Pause after an authentication failure; True if this call paused it."""
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.paused_at.is_(None))
        .values(paused_at=utcnow(), paused_reason=reason)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def resume_account(session: Session, account_id: int) -> bool:
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.paused_at.is_not(None))
        .values(paused_at=None, paused_reason=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
