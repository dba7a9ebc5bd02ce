"""Accounts: config → database rows, credentials → adapters.

Credentials never live in crosspost.toml (see crosspost.credentials for where they do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from crosspost import audit
from crosspost.adapters.base import AccountConfig, Adapter, PublishError
from crosspost.adapters.registry import adapter_class
from crosspost.config import Config
from crosspost.credentials import CredentialsError, SecretsFileStore, resolve_credentials
from crosspost.db.engine import transaction
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


def account_config(config: Config, name: str) -> AccountConfig:
    settings = config.account(name)
    return AccountConfig(
        name=name,
        platform=settings.platform,
        settings=settings.settings,
        credentials=resolve_credentials(settings, config.secrets_path),
        store=SecretsFileStore(config.secrets_path, name),
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


def rest_account(session: Session, account_id: int, until: datetime, reason: str) -> bool:
    """The platform asked the account to wait (rate limit, quota, usage near its cap): none of
    its posts is claimed before `until`. A longer rest already recorded is kept."""
    result = session.execute(
        update(Account)
        .where(
            Account.id == account_id,
            or_(Account.rest_until.is_(None), Account.rest_until < until),
        )
        .values(rest_until=until, rest_reason=reason)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def resume_account(session: Session, account_id: int) -> bool:
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.paused_at.is_not(None))
        .values(paused_at=None, paused_reason=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def account_problem(config: Config, name: str) -> str | None:
    """What stops the account as a whole before any post is tried: its secrets file cannot be
    used, or a credential its config names has no value. None when nothing is seen."""
    settings = config.account(name)
    try:
        values = resolve_credentials(settings, config.secrets_path)
    except CredentialsError as exc:
        return str(exc)
    missing = [key for key in settings.credentials if key not in values]
    if not missing:
        return None
    where = ", ".join(f"{key} ({_source(settings.credentials[key])})" for key in missing)
    return f"no value for {where}; run `crosspost auth {settings.platform.value} {name}` or set it"


def _source(ref: str) -> str:
    if ref.startswith("env:"):
        return f"environment variable {ref.removeprefix('env:')} is not set"
    return "not in the secrets file"


def pause_unusable_accounts(
    factory: sessionmaker[Session], config: Config, *, actor: str
) -> list[tuple[str, str]]:
    """Pause each enabled account whose credentials cannot be used (see `account_problem`),
    so none of its posts is claimed only to fail; (account, problem) for each such account,
    paused now or already. `accounts check` resumes it once fixed."""
    found = []
    with transaction(factory) as session:
        rows = sync_accounts(session, config)
        for name, settings in config.accounts.items():
            problem = account_problem(config, name) if settings.enabled else None
            if problem is None:
                continue
            if pause_account(session, rows[name].id, f"account paused: {problem}"):
                audit.record(session, actor, "pause", account=name, reason=problem)
            found.append((name, problem))
    return found


@dataclass(frozen=True)
class CheckResult:
    account: str
    platform: str
    ok: bool
    identity: str | None = None
    error: str | None = None
    resumed: bool = False
    warnings: tuple[str, ...] = ()


def check_accounts(
    factory: sessionmaker[Session], config: Config, names: Sequence[str] = (), *, actor: str
) -> list[CheckResult]:
    """Verify credentials against each platform; a paused account that passes is resumed.

    The platform calls happen outside any transaction; each resume is its own short one.
    """
    with transaction(factory) as session:
        rows = sync_accounts(session, config)
    chosen = list(names) or [a.name for a in config.accounts.values() if a.enabled]
    results = []
    for name in chosen:
        settings = config.account(name)
        try:
            adapter = build_adapter(config, name)
        except UserError as exc:
            results.append(CheckResult(name, settings.platform.value, False, error=str(exc)))
            continue
        warnings = tuple(adapter.notices())
        try:
            identity = adapter.verify()
        except PublishError as exc:
            results.append(
                CheckResult(
                    name, settings.platform.value, False, error=exc.message, warnings=warnings
                )
            )
            continue
        finally:
            adapter.close()
        with transaction(factory) as session:
            resumed = resume_account(session, rows[name].id)
            if resumed:
                audit.record(session, actor, "resume", account=name, identity=identity)
        results.append(
            CheckResult(name, settings.platform.value, True, identity, None, resumed, warnings)
        )
    return results


def paused_accounts(session: Session) -> list[Account]:
    """Accounts an authentication failure paused (`accounts check` resumes them), by name."""
    return list(
        session.scalars(
            select(Account).where(Account.paused_at.is_not(None)).order_by(Account.name)
        )
    )
