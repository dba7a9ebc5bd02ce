"""The people of the web workspace: add, set a password, disable, list, and check a sign-in.

Every door (the `crosspost users` commands, the web's login) calls these functions, each change
in the audit trail. Passwords are kept only as argon2 hashes (argon2-cffi, imported when one is
hashed or checked, so commands that never touch a password do not pay for it); no function
here returns a hash to its caller's output (`user_json` has no such key).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost import audit
from crosspost.db.models import User
from crosspost.errors import NotFoundError, UserError
from crosspost.timeutil import iso_local, utcnow

if TYPE_CHECKING:
    from argon2 import PasswordHasher


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"  # approves and rejects
    PLANNER = "planner"  # schedules, cancels, retries
    VIEWER = "viewer"  # reads
    CONTRIBUTOR = "contributor"  # one unit's items only


USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte "password" is an attack, not a secret


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserError(f"--role {text!r} is not a role; use one of {allowed}") from None


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFoundError(f"no user named {name!r}; see `crosspost users list`")
    return user


def find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def add_user(
    session: Session,
    name: str,
    role: str,
    *,
    unit: str | None,
    actor: str,
    unit_codes: Collection[str],
) -> User:
    """A new user without a password yet (`set_password` gives one). A contributor is bound
    to one unit of units.toml (`unit_codes`); any other role has no unit."""
    name = name.strip()
    if not USER_NAME.fullmatch(name):
        raise UserError(
            f"user name {name!r} must be 1-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    parsed = parse_role(role)
    if parsed == Role.CONTRIBUTOR:
        if not unit:
            raise UserError("a contributor belongs to one unit; add --unit CODE (see units.toml)")
        if unit not in unit_codes:
            known = ", ".join(sorted(unit_codes)) or "none; add the unit to units.toml first"
            raise UserError(f"unknown unit {unit!r} for --unit; known units: {known}")
    elif unit:
        raise UserError(f"--unit is for contributors only; a {parsed} sees every unit")
    if find_user(session, name) is not None:
        raise UserError(f"user {name!r} exists already; see `crosspost users list`")
    user = User(
        name=name,
        role=parsed.value,
        unit=unit if parsed == Role.CONTRIBUTOR else None,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user_add", user=name, role=parsed.value, unit=user.unit)
    return user


def set_password(session: Session, name: str, password: str, *, actor: str) -> User:
    """Store the argon2 hash of `password`; sessions opened before now end."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    user = get_user(session, name)
    user.password_hash = _hasher().hash(password)
    user.password_changed_at = utcnow()
    audit.record(session, actor, "user_passwd", user=name)
    return user


def disable_user(session: Session, name: str, *, actor: str) -> User:
    """The user can no longer sign in, and open sessions end at their next request."""
    user = get_user(session, name)
    if user.disabled_at is not None:
        raise UserError(f"user {name!r} is disabled already")
    user.disabled_at = utcnow()
    audit.record(session, actor, "user_disable", user=name)
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.name)).all()


# A hash of a password nobody has: checking against it costs what a real check costs, so a
# name that does not exist cannot be told apart by timing.
_DUMMY: list[str] = []


def verify_login(session: Session, name: str, password: str) -> User | None:
    """The user `name` if `password` is theirs and the account is usable, else None (the
    caller says only "wrong name or password", whichever part was wrong)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    user = find_user(session, name.strip()) if len(password) <= MAX_PASSWORD else None
    stored = user.password_hash if user is not None else None
    if stored is None:
        if not _DUMMY:
            _DUMMY.append(hasher.hash("not a password anyone has"))
        stored, user = _DUMMY[0], None
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return user


def user_json(user: User, zone: ZoneInfo) -> dict[str, Any]:
    """A user for `--json` and pages: never the hash, only whether a password is set."""
    return {
        "name": user.name,
        "role": user.role,
        "unit": user.unit,
        "enabled": user.disabled_at is None,
        "has_password": user.password_hash is not None,
        "created_at": iso_local(user.created_at, zone),
        "created_by": user.created_by,
        "password_changed_at": iso_local(user.password_changed_at, zone),
        "disabled_at": iso_local(user.disabled_at, zone),
        "has_token": user.token_hash is not None,
        "token_created_at": iso_local(user.token_created_at, zone),
    }
