"""The audit trail: who did what to which item, when."""

from __future__ import annotations

import getpass
import os
from typing import Any

from sqlalchemy.orm import Session

from crosspost.db.models import AuditEvent
from crosspost.timeutil import utcnow


def current_actor(explicit: str | None = None) -> str:
    """`--by`, else $CROSSPOST_USER, else the login name."""
    if explicit and explicit.strip():
        return explicit.strip()
    env = os.environ.get("CROSSPOST_USER", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    content_id: int | None = None,
    post_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        content_id=content_id,
        post_id=post_id,
        detail=detail,
    )
    session.add(event)
    return event
