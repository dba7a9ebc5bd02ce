"""The content lifecycle: add, submit, approve, reject — each step recorded in the audit trail.

Review states move draft → submitted → approved | rejected; a rejected item can be submitted
again after editing. Every text is stored NFC-normalised. What an item is before it is stored
(its fields, problems and identity hash) lives in `crosspost.items`.

Approving and rejecting ask an `Approvers` policy first (the `[review] approvers` of
units.toml, see `crosspost.intake.units`), so no door into the core skips the check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from crosspost import audit
from crosspost.adapters.base import ContentKind, ContentSnapshot, MediaFile, MediaRole
from crosspost.db.models import Content, MediaFileRow, ReviewState
from crosspost.errors import NotFoundError, Problems, StateError, UserError
from crosspost.hygiene import clean_note
from crosspost.intake.month import Month
from crosspost.items import NewContent as NewContent
from crosspost.items import item_from_mapping as item_from_mapping
from crosspost.items import load_item_file as load_item_file
from crosspost.items import stored_fields
from crosspost.media import guess_mime, sha256_file
from crosspost.timeutil import utcnow

if TYPE_CHECKING:
    from crosspost.media_store import MediaStore

Decision = Literal["approve", "reject"]


class UnitCheck(Protocol):
    """The units an item may name (units.toml): why `code` is not one, or None."""

    def unit_problem(self, code: str) -> str | None: ...


class Approvers(Protocol):
    """Who may approve or reject: raises a UserError naming the fix for anyone else."""

    def check_approver(self, who: str) -> None: ...


def _new_row(
    item: NewContent, actor: str, store: MediaStore | None, units: UnitCheck | None
) -> Content:
    """The row for `item`, or Problems: the item's own, an unknown unit, media that are not
    what their role says or that no platform takes. With a `store`, the media are copies kept
    there (made only once everything passed)."""
    extra = (
        [f"unit: {p}" for p in [units.unit_problem(item.unit)] if p] if units and item.unit else []
    )
    if store is not None:
        extra += [f"media.{m.role}: {p}" for m in item.media for p in store.problems(m)]
    item.validate(extra)
    if store is not None:
        item.media = [store.keep(m) for m in item.media]
    content = Content(
        **stored_fields(item),
        review_state=ReviewState.DRAFT,
        created_by=actor,
        created_at=utcnow(),
    )
    for spec in item.media:
        content.media.append(
            MediaFileRow(
                role=spec.role.value,
                path=str(spec.path.resolve()),
                size=spec.path.stat().st_size,
                sha256=spec.sha256 or sha256_file(spec.path),
                mime_type=spec.mime_type or guess_mime(spec.path),
            )
        )
    return content


def add_content(
    session: Session,
    item: NewContent,
    actor: str,
    *,
    store: MediaStore | None,
    units: UnitCheck | None = None,
) -> Content:
    """A new draft, or every problem the item has (and nothing stored). `store` has no
    default: every door a person uses (`content add`, the demo, the web) must pass the media
    store, which judges files by their bytes; only tests with hand-made bytes pass None."""
    content = _new_row(item, actor, store, units)
    session.add(content)
    session.flush()
    audit.record(session, actor, "add", content_id=content.id, kind=content.kind)
    return content


def add_submitted(
    session: Session,
    item: NewContent,
    actor: str,
    *,
    content_hash: str,
    store: MediaStore | None,
    **detail: Any,
) -> Content:
    """An item that arrives already submitted for review (a unit's monthly import), carrying
    its identity hash so the same item is never stored twice; audited as `import`."""
    content = _new_row(item, actor, store, None)
    now = utcnow()
    content.review_state = ReviewState.SUBMITTED
    content.submitted_by, content.submitted_at = actor, now
    content.content_hash = content_hash
    session.add(content)
    session.flush()
    audit.record(
        session,
        actor,
        "import",
        content_id=content.id,
        kind=content.kind,
        unit=content.unit,
        period=content.period,
        **detail,
    )
    return content


def get_content(session: Session, content_id: int) -> Content:
    content = session.scalar(
        select(Content).where(Content.id == content_id).options(selectinload(Content.media))
    )
    if content is None:
        raise NotFoundError(f"no content with id {content_id}; see `crosspost content list`")
    return content


def list_content(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    unit: str | None = None,
    period: str | None = None,
) -> Sequence[Content]:
    query = select(Content).order_by(Content.id)
    if status:
        if status not in {s.value for s in ReviewState}:
            allowed = ", ".join(s.value for s in ReviewState)
            raise UserError(f"--status {status!r} is not one of {allowed}")
        query = query.where(Content.review_state == status)
    if kind:
        if kind not in {k.value for k in ContentKind}:
            allowed = ", ".join(k.value for k in ContentKind)
            raise UserError(f"--kind {kind!r} is not one of {allowed}")
        query = query.where(Content.kind == kind)
    if unit:
        query = query.where(Content.unit == unit)
    if period:
        query = query.where(Content.period == str(Month.parse(period)))
    return session.scalars(query).all()


# Where each review step may start from, and where it leads.
STEPS: Mapping[str, tuple[tuple[ReviewState, ...], ReviewState]] = {
    "submit": ((ReviewState.DRAFT, ReviewState.REJECTED), ReviewState.SUBMITTED),
    "approve": ((ReviewState.SUBMITTED,), ReviewState.APPROVED),
    "reject": ((ReviewState.SUBMITTED, ReviewState.APPROVED), ReviewState.REJECTED),
}


def _state_problem(content: Content, step: str) -> str | None:
    expected, new = STEPS[step]
    if content.review_state in expected:
        return None
    wanted = " or ".join(s.value for s in expected)
    return f"content {content.id} is {content.review_state}; it must be {wanted} to become {new}"


def _move(session: Session, content: Content, step: str, values: Mapping[str, Any]) -> None:
    """A guarded review-state change: it only happens from an expected state."""
    problem = _state_problem(content, step)
    if problem:
        raise StateError(problem)
    result = session.execute(
        update(Content)
        .where(Content.id == content.id, Content.review_state == content.review_state)
        .values(review_state=STEPS[step][1].value, **values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StateError(f"content {content.id} changed while you worked; try again")


def submit(session: Session, content_id: int, actor: str) -> Content:
    content = get_content(session, content_id)
    _move(session, content, "submit", {"submitted_by": actor, "submitted_at": utcnow()})
    audit.record(session, actor, "submit", content_id=content.id)
    return content


def approve(session: Session, content_id: int, actor: str, *, approvers: Approvers) -> Content:
    approvers.check_approver(actor)
    content = get_content(session, content_id)
    values = {"reviewed_by": actor, "reviewed_at": utcnow(), "review_reason": None}
    _move(session, content, "approve", values)
    audit.record(session, actor, "approve", content_id=content.id)
    return content


def reject(
    session: Session, content_id: int, actor: str, reason: str, *, approvers: Approvers
) -> Content:
    approvers.check_approver(actor)
    reason = clean_note(reason, "--reason")
    if not reason:
        raise UserError("a rejection needs a reason; pass --reason TEXT")
    content = get_content(session, content_id)
    values = {"reviewed_by": actor, "reviewed_at": utcnow(), "review_reason": reason}
    _move(session, content, "reject", values)
    audit.record(session, actor, "reject", content_id=content.id, reason=reason)
    return content


def decide(
    session: Session,
    content_ids: Sequence[int],
    actor: str,
    decision: Decision,
    *,
    approvers: Approvers,
    reason: str | None = None,
) -> list[Content]:
    """Approve or reject several items: all of them, or none and every reason why.

    Who decides is checked first; then every id is looked at before any changes, so one wrong
    id in a list of ten leaves all ten as they were.
    """
    approvers.check_approver(actor)
    if decision == "reject" and not (reason or "").strip():
        raise UserError("a rejection needs a reason; pass --reason TEXT")
    if reason is not None:
        reason = clean_note(reason, "--reason")
    ids = list(dict.fromkeys(content_ids))
    if not ids:
        raise UserError(f"give the id of at least one item to {decision}")
    found = {c.id: c for c in session.scalars(select(Content).where(Content.id.in_(ids)))}
    problems = []
    for content_id in ids:
        content = found.get(content_id)
        if content is None:
            problems.append(f"content {content_id}: no such item; see `crosspost content list`")
        elif problem := _state_problem(content, decision):
            problems.append(problem)
    if problems:
        verb = "approved" if decision == "approve" else "rejected"
        summary = f"nothing {verb}: {len(problems)} of {len(ids)} item(s) cannot be {verb}"
        raise Problems(summary, problems, head=f"nothing {verb}")
    if decision == "approve":
        return [approve(session, i, actor, approvers=approvers) for i in ids]
    return [reject(session, i, actor, reason or "", approvers=approvers) for i in ids]


def snapshot(content: Content) -> ContentSnapshot:
    """The database row as the plain value adapters and rendering see."""
    return ContentSnapshot(
        content_id=content.id,
        kind=ContentKind(content.kind),
        title=content.title,
        summary=content.summary,
        body=content.body,
        link=content.link,
        hashtags=tuple(content.hashtags),
        media=tuple(
            MediaFile(
                path=Path(m.path),
                role=MediaRole(m.role),
                size=m.size,
                sha256=m.sha256,
                mime_type=m.mime_type,
            )
            for m in content.media
        ),
        language=content.language,
        unit=content.unit,
        overrides=content.overrides,
    )
