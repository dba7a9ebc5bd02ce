"""How items look in `--json` output (stable keys) and in tables; times in the configured zone.

Presentation only: when a post goes out and why it waits are the core's (posts/waiting.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crosspost.db.models import Attempt, AuditEvent, Content
from crosspost.listing import AnyPostRow
from crosspost.posts.steps import StepProgress
from crosspost.posts.waiting import goes_out_at, lease_holder, waiting_reason
from crosspost.timeutil import iso_local

if TYPE_CHECKING:
    from rich.table import Table


def content_json(content: Content, zone: ZoneInfo, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": content.id,
        "kind": content.kind,
        "title": content.title,
        "status": content.review_state,
        "unit": content.unit,
        "period": content.period,
        "created_by": content.created_by,
        "created_at": iso_local(content.created_at, zone),
        "reviewed_by": content.reviewed_by,
        "reviewed_at": iso_local(content.reviewed_at, zone),
        "review_reason": content.review_reason,
    }
    if full:
        data.update(
            summary=content.summary,
            body=content.body,
            link=content.link,
            hashtags=list(content.hashtags),
            language=content.language,
            overrides=dict(content.overrides),
            media=[
                {
                    "role": m.role,
                    "path": m.path,
                    "size": m.size,
                    "sha256": m.sha256,
                    "mime_type": m.mime_type,
                }
                for m in content.media
            ],
        )
    return data


def row_json(row: AnyPostRow, zone: ZoneInfo) -> dict[str, Any]:
    post = row.post
    return {
        "id": post.id,
        "content_id": post.content_id,
        "account": row.account_name,
        "platform": post.platform,
        "state": post.state,
        "scheduled_at": iso_local(post.scheduled_at, zone),
        "next_attempt_at": iso_local(post.next_attempt_at, zone),
        "goes_out_at": iso_local(goes_out_at(row), zone),
        "waiting_for": waiting_reason(row, zone),
        "lease_owner": post.lease_owner,
        "lease_expires_at": iso_local(post.lease_expires_at, zone),
        "lease_holder": lease_holder(row),
        "progress": progress_json(row.progress),
        "attempts": row.attempts,
        "charged_attempts": post.attempt_count,
        "remote_id": post.remote_id,
        "remote_url": post.remote_url,
        "remote_extra_ids": list(post.remote_extra_ids),
        "last_error": post.last_error,
        "published_at": iso_local(post.published_at, zone),
        "reposted_from": post.reposted_from_id,
        "reason": post.reason,
        "created_by": post.created_by,
        "audit": list(row.audit),
    }


def progress_json(progress: StepProgress | None) -> dict[str, Any] | None:
    """A publish of several steps part way: what is out, what is next, what was refused."""
    if progress is None:
        return None
    return {
        "summary": progress.words(),
        "parts_done": progress.parts_done,
        "parts_total": progress.parts_total,
        "next_step": progress.next_step,
        "refused": progress.refused,
        "steps": [
            {"kind": s.kind.value, "number": s.number, "remote_id": s.remote_id}
            for s in progress.done
        ],
    }


def attempt_json(attempt: Attempt, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "worker": attempt.worker,
        "started_at": iso_local(attempt.started_at, zone),
        "ended_at": iso_local(attempt.ended_at, zone),
        "outcome": attempt.outcome or "in_flight",
        "error_class": attempt.error_class,
        "http_status": attempt.http_status,
        "platform_code": attempt.platform_code,
        "message": attempt.message,
        "remote_id": attempt.remote_id,
        "remote_url": attempt.remote_url,
    }


def audit_json(event: AuditEvent, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "at": iso_local(event.at, zone),
        "actor": event.actor,
        "action": event.action,
        "content_id": event.content_id,
        "post_id": event.post_id,
        "detail": dict(event.detail),
    }


def short(text: str | None, width: int = 48) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def when(iso: str | None, *, seconds: bool = False, zone: ZoneInfo | None = None) -> str:
    """A time for text output: the zone's wall clock with its offset ("2027-11-07 01:30+07:00")."""
    if not iso:
        return ""
    from datetime import datetime

    try:
        value = datetime.fromisoformat(iso).replace(microsecond=0)
    except ValueError:
        return iso  # not a time after all: shown as it is
    if zone is not None and value.tzinfo is not None:
        value = value.astimezone(zone)
    clock = value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    offset = value.isoformat()[19:]  # "+07:00", or "" for a naive time
    return clock + offset


def plain(value: Any, key: str = "", zone: ZoneInfo | None = None) -> str:
    """A value as a person reads it: no Python reprs, no quotes, `-` for nothing."""
    if value is None or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and (key == "at" or key.endswith("_at")):
        return when(value, seconds=True, zone=zone)
    if isinstance(value, list):
        return ", ".join(plain(v, zone=zone) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={plain(v, str(k), zone)}" for k, v in value.items())
    return str(value)


# Columns that are never cut: a cut id, state or time is a wrong one.
WHOLE = {
    *("id", "content", "state", "tries", "kind", "status", "period", "scheduled", "goes out"),
    *("account", "platform", "enabled", "unit"),
}


def table_of(
    headers: list[str], rows: list[list[str]], *, keep: set[str], title: str | None = None
) -> Table:
    """A table that fits the terminal (80 columns too) and a pipe: ids, states and times are
    never cut, long text wraps, URLs fold; a column empty in every row is left out, not shown
    blank. Columns in `keep` stay even when empty."""
    from rich import box
    from rich.table import Table

    shown = [i for i, h in enumerate(headers) if h in keep or any(r[i] for r in rows)]
    headers = _offset_in_header(headers, rows)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=title)
    for i in shown:
        name = headers[i]
        if any(name.startswith(whole) for whole in WHOLE):
            table.add_column(name, no_wrap=True)
        else:  # wraps at words; a URL or id longer than the column folds, never is cut
            table.add_column(name, overflow="fold", min_width=min(len(name), 12))
    for r in rows:
        table.add_row(*(r[i] for i in shown))
    return table


def _offset_in_header(headers: list[str], rows: list[list[str]]) -> list[str]:
    """When every time shares one offset, the header says it once and the cells drop it."""
    timed = [i for i, h in enumerate(headers) if h in ("scheduled", "goes out", "created")]
    values = [r[i] for r in rows for i in timed if r[i]]
    offsets = {v[16:] for v in values}
    if len(offsets) != 1 or not next(iter(offsets)):
        return headers
    (offset,) = offsets
    for r in rows:
        for i in timed:
            r[i] = r[i][:16]
    return [f"{h} ({offset})" if i in timed else h for i, h in enumerate(headers)]
