"""The content lifecycle: add, submit, approve, reject — each step recorded in the audit trail.

Review states move draft → submitted → approved | rejected; a rejected item can be submitted
again after editing. Every text is stored NFC-normalised.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from crosspost import audit
from crosspost.adapters.base import ContentKind, ContentSnapshot, MediaFile, MediaRole, Platform
from crosspost.db.models import Content, MediaFileRow, ReviewState
from crosspost.errors import NotFoundError, StateError, UserError
from crosspost.media import MediaSpec, guess_mime, parse_media_arg, sha256_file
from crosspost.render.text import nfc
from crosspost.timeutil import utcnow

ITEM_KEYS = {
    "kind",
    "title",
    "summary",
    "body",
    "link",
    "hashtags",
    "unit",
    "period",
    "language",
    "media",
    "overrides",
}


@dataclass
class NewContent:
    kind: ContentKind
    title: str
    summary: str = ""
    body: str = ""
    link: str | None = None
    hashtags: list[str] = field(default_factory=list)
    unit: str | None = None
    period: str | None = None
    language: str = "vi"
    media: list[MediaSpec] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def validate(self) -> None:
        if not self.title.strip():
            raise UserError("content needs a title; pass --title")
        if self.link is not None and not self.link.startswith(("http://", "https://")):
            raise UserError(f"link {self.link!r} must start with http:// or https://")
        for platform in self.overrides:
            if platform not in {p.value for p in Platform}:
                allowed = ", ".join(p.value for p in Platform)
                raise UserError(f"override for unknown platform {platform!r}; one of {allowed}")
        for spec in self.media:
            if not spec.path.is_file():
                raise UserError(f"media file {spec.path} does not exist; check the path")
        required = {ContentKind.VIDEO: [MediaRole.VIDEO], ContentKind.PODCAST: [MediaRole.AUDIO]}
        roles = {m.role for m in self.media}
        for role in required.get(self.kind, []):
            if role not in roles:
                raise UserError(f"a {self.kind} needs a {role} file; add --media {role}=PATH")


def load_item_file(path: Path) -> NewContent:
    """Read one content item from a .toml, .yaml/.yml or .json file (media relative to it)."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise UserError(f"{path}: use a .toml, .yaml or .json file")
    except (tomllib.TOMLDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise UserError(f"{path}: cannot parse: {first}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a table of item fields")
    return item_from_mapping(data, source=str(path), base=path.parent)


def item_from_mapping(data: Mapping[str, Any], *, source: str, base: Path) -> NewContent:
    for key in data:
        if key not in ITEM_KEYS:
            raise UserError(
                f"{source}: unknown key {key!r}; allowed: {', '.join(sorted(ITEM_KEYS))}"
            )
    kinds = ", ".join(k.value for k in ContentKind)
    try:
        kind = ContentKind(str(data.get("kind", "")))
    except ValueError:
        raise UserError(f"{source}: kind {data.get('kind')!r} must be one of {kinds}") from None
    media_value = data.get("media", [])
    media: list[MediaSpec] = []
    if isinstance(media_value, dict):
        media = [parse_media_arg(f"{role}={p}", base) for role, p in media_value.items()]
    elif isinstance(media_value, list):
        for entry in media_value:
            if isinstance(entry, dict):
                media.append(parse_media_arg(f"{entry.get('role')}={entry.get('path')}", base))
            else:
                media.append(parse_media_arg(str(entry), base))
    hashtags = data.get("hashtags", [])
    if isinstance(hashtags, str):
        hashtags = hashtags.split()
    return NewContent(
        kind=kind,
        title=str(data.get("title", "")),
        summary=str(data.get("summary", "")),
        body=str(data.get("body", "")),
        link=data.get("link"),
        hashtags=[str(h) for h in hashtags],
        unit=data.get("unit"),
        period=data.get("period"),
        language=str(data.get("language", "vi")),
        media=media,
        overrides=dict(data.get("overrides", {})),
    )


def normalise_hashtag(tag: str) -> str:
    tag = nfc(tag.strip())
    return tag if tag.startswith("#") else f"#{tag}"


def add_content(session: Session, item: NewContent, actor: str) -> Content:
    item.validate()
    content = Content(
        kind=item.kind.value,
        title=nfc(item.title.strip()),
        summary=nfc(item.summary.strip()),
        body=nfc(item.body.strip()),
        link=item.link,
        hashtags=[normalise_hashtag(t) for t in item.hashtags if t.strip()],
        unit=item.unit,
        period=item.period,
        language=item.language,
        overrides={
            p: {k: nfc(v) if isinstance(v, str) else v for k, v in o.items()}
            for p, o in item.overrides.items()
        },
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
                sha256=sha256_file(spec.path),
                mime_type=guess_mime(spec.path),
            )
        )
    session.add(content)
    session.flush()
    audit.record(session, actor, "add", content_id=content.id, kind=content.kind)
    return content


def get_content(session: Session, content_id: int) -> Content:
    content = session.scalar(
        select(Content).where(Content.id == content_id).options(selectinload(Content.media))
    )
    if content is None:
        raise NotFoundError(f"no content with id {content_id}; see `crosspost content list`")
    return content


def list_content(
    session: Session, *, status: str | None = None, kind: str | None = None
) -> Sequence[Content]:
    query = select(Content).order_by(Content.id)
    if status:
        if status not in {s.value for s in ReviewState}:
            allowed = ", ".join(s.value for s in ReviewState)
            raise UserError(f"--status {status!r} is not one of {allowed}")
        query = query.where(Content.review_state == status)
    if kind:
        query = query.where(Content.kind == kind)
    return session.scalars(query).all()


def _move(
    session: Session,
    content: Content,
    expected: Sequence[ReviewState],
    new: ReviewState,
    values: Mapping[str, Any],
) -> None:
    """A guarded review-state change: it only happens from an expected state."""
    if content.review_state not in expected:
        wanted = " or ".join(s.value for s in expected)
        raise StateError(
            f"content {content.id} is {content.review_state}; it must be {wanted} to become {new}"
        )
    result = session.execute(
        update(Content)
        .where(Content.id == content.id, Content.review_state == content.review_state)
        .values(review_state=new.value, **values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StateError(f"content {content.id} changed while you worked; try again")


def submit(session: Session, content_id: int, actor: str) -> Content:
    content = get_content(session, content_id)
    _move(
        session,
        content,
        [ReviewState.DRAFT, ReviewState.REJECTED],
        ReviewState.SUBMITTED,
        {"submitted_by": actor, "submitted_at": utcnow()},
    )
    audit.record(session, actor, "submit", content_id=content.id)
    return content


def approve(session: Session, content_id: int, actor: str) -> Content:
    content = get_content(session, content_id)
    _move(
        session,
        content,
        [ReviewState.SUBMITTED],
        ReviewState.APPROVED,
        {"reviewed_by": actor, "reviewed_at": utcnow(), "review_reason": None},
    )
    audit.record(session, actor, "approve", content_id=content.id)
    return content


def reject(session: Session, content_id: int, actor: str, reason: str) -> Content:
    if not reason.strip():
        raise UserError("a rejection needs a reason; pass --reason TEXT")
    content = get_content(session, content_id)
    _move(
        session,
        content,
        [ReviewState.SUBMITTED, ReviewState.APPROVED],
        ReviewState.REJECTED,
        {"reviewed_by": actor, "reviewed_at": utcnow(), "review_reason": nfc(reason.strip())},
    )
    audit.record(session, actor, "reject", content_id=content.id, reason=reason.strip())
    return content


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
