"""API tokens: one per user, for scripts that call `/api/v1` (`crosspost users token`).

A token is 32 random bytes, shown once when it is made; only its sha256 is stored, so the
database never holds a usable token. A new token replaces the old one; revoking leaves none.
A token is worth nothing once its user is disabled.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost import audit
from crosspost.db.models import User
from crosspost.errors import UserError
from crosspost.timeutil import utcnow
from crosspost.users import get_user

PREFIX = "cpt_"  # says what a leaked string is, so a secret scanner can find it
MAX_TOKEN = 128


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(session: Session, name: str, *, actor: str) -> tuple[User, str]:
    """A fresh token for `name` (the one before stops working); the caller shows it once."""
    user = get_user(session, name)
    if user.disabled_at is not None:
        raise UserError(f"user {name!r} is disabled; a token for them would be refused")
    token = PREFIX + secrets.token_urlsafe(32)
    replaced = user.token_hash is not None
    user.token_hash, user.token_created_at = token_hash(token), utcnow()
    audit.record(session, actor, "user_token", user=name, replaced=replaced)
    return user, token


def revoke_token(session: Session, name: str, *, actor: str) -> User:
    user = get_user(session, name)
    if user.token_hash is None:
        raise UserError(f"user {name!r} has no API token to revoke")
    user.token_hash, user.token_created_at = None, None
    audit.record(session, actor, "user_token_revoke", user=name)
    return user


def user_for_token(session: Session, token: str) -> User | None:
    """The enabled user whose token this is, or None (unknown, revoked or disabled)."""
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN:
        return None
    user = session.scalar(select(User).where(User.token_hash == token_hash(token)))
    if user is None or user.disabled_at is not None:
        return None
    return user
