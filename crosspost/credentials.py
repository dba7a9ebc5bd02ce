"""Where credentials live: never in crosspost.toml. Each is `env:VARIABLE` or `secrets`, the
latter a table per account in `<data_dir>/secrets.toml`, readable by its owner only (crosspost
refuses a group- or world-readable file, and writes it with mode 0600, atomically).

Every write holds an exclusive flock on `secrets.toml.lock` beside it: workers rotating an
OAuth 2.0 refresh token (`SecretsFileStore`) and `crosspost auth` storing a new one take turns,
each reading the file again under the lock, so no write is lost and no spent token comes back.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import tomli_w

from crosspost.adapters.auth import CredentialStore
from crosspost.adapters.base import Secret
from crosspost.config import AccountSettings
from crosspost.errors import UserError


class CredentialsError(UserError):
    """The secrets file cannot be used (wrong mode, unreadable, not TOML, a value that is not
    a string): a problem of the whole account, which pauses it, never fails its posts."""


def read_secrets_file(path: Path, account: str | None = None) -> dict[str, dict[str, str]]:
    """Every account's table. A file others may read, or that is not TOML, is refused whole;
    a value that is not a string is refused in `account`'s table only (every table when none
    is named), so one mistyped secret pauses its own account, not all of them."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot be read ({exc.strerror}); check the file") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"{path} is readable by group or others (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        reason = exc.args[0] if exc.args else "parse error"
        raise CredentialsError(f"{path}: not valid TOML ({reason})") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise CredentialsError(f"{path}: cannot be read ({reason}); check the file") from None
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for name, table in tables.items():
        if account is not None and name != account:
            continue
        for key, value in table.items():
            if not isinstance(value, str):
                # The value is not shown: a mistyped secret is still a secret.
                raise CredentialsError(
                    f"{path}: [{name}] {key}: must be a string, not "
                    f"{type(value).__name__}: quote it"
                )
    return tables


LOCK_TIMEOUT = 60.0  # longer than a token refresh another process may be making under it
LOCK_POLL = 0.02


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def secrets_locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock of the secrets file `path` (its `.lock` file, mode 0600): one
    holder at a time across processes, and across threads (each call opens its own file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CredentialsError(
                        f"{lock_path(path)}: still locked after {timeout:.0f} s; is another "
                        f"crosspost stuck? try again"
                    ) from None
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class SecretsFileStore(CredentialStore):
    """One account's table in the secrets file, as an adapter reads and rotates it."""

    def __init__(self, path: Path, account: str) -> None:
        self.path = path
        self.account = account

    def __repr__(self) -> str:
        return f"SecretsFileStore({str(self.path)!r}, {self.account!r})"

    def locked(self) -> AbstractContextManager[None]:
        return secrets_locked(self.path)

    def read(self) -> dict[str, str]:
        return dict(read_secrets_file(self.path, self.account).get(self.account, {}))

    def write(self, values: Mapping[str, str]) -> None:
        _merge_into_file(self.path, self.account, values)


def store_secrets(path: Path, account: str, values: Mapping[str, str]) -> None:
    """Merge `values` into the account's table under the file's lock; the file is replaced
    whole, mode 0600."""
    with secrets_locked(path):
        _merge_into_file(path, account, values)


def _merge_into_file(path: Path, account: str, values: Mapping[str, str]) -> None:
    """Read the file again, merge, and replace it atomically (the caller holds the lock)."""
    data = read_secrets_file(path, account)  # another table's mistake is kept as it was
    data.setdefault(account, {}).update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secrets-", suffix=".toml")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# crosspost credentials: keep this file private (mode 600)\n")
            handle.write(tomli_w.dumps(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def resolve_credentials(account: AccountSettings, secrets_path: Path) -> dict[str, Secret]:
    """Credential values for an account; a missing one is simply absent (the adapter says so)."""
    values: dict[str, Secret] = {}
    file_values: Mapping[str, str] | None = None
    for key, ref in account.credentials.items():
        if ref.startswith("env:"):
            value = os.environ.get(ref.removeprefix("env:"))
        else:
            if file_values is None:
                file_values = read_secrets_file(secrets_path, account.name).get(account.name, {})
            value = file_values.get(key)
        if value:
            values[key] = Secret(value)
    return values


def credential_status(account: AccountSettings, secrets_path: Path) -> dict[str, bool]:
    """Which configured credentials have a value (names only: values are never shown)."""
    present = resolve_credentials(account, secrets_path)
    return {key: key in present for key in account.credentials}


def save_credentials(
    account: AccountSettings, secrets_path: Path, values: Mapping[str, str]
) -> list[str]:
    """Store what an authorisation flow returned; return advice for config that won't read it.

    Values always go to the secrets file (mode 0600). A credential the account's config takes
    from an environment variable, or does not list at all, gets a line saying what to change.
    """
    store_secrets(secrets_path, account.name, values)
    advice = []
    for key in values:
        ref = account.credentials.get(key)
        table = f"[accounts.{account.name}.credentials]"
        if ref is None:
            advice.append(f'{table} has no {key}; add {key} = "secrets" to use the stored value')
        elif ref != "secrets":
            advice.append(
                f'{table} {key} reads {ref}; change it to "secrets" to use the stored value'
            )
    return advice
