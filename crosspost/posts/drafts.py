"""A post's stored draft: the checked draft approved at scheduling, as JSON on `post.draft`.

Publishing and reconciliation send and compare this, never a fresh rendering, so a template or
config change after scheduling cannot change what goes out; only `redraft` (audited) replaces
it. `source` records where it came from (template path and hash, account settings hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from crosspost import audit
from crosspost.adapters.base import ContentKind, Draft, MediaFile, MediaRole, Platform
from crosspost.db.models import Post, PostState, PostStep, StepState
from crosspost.posts.claims import Claim
from crosspost.posts.moves import rowcount

FORMAT = 1


def draft_to_json(draft: Draft) -> dict[str, Any]:
    """The draft as plain JSON values (problems are not stored: a stored draft has none)."""
    return {
        "platform": draft.platform.value,
        "kind": draft.kind.value,
        "parts": list(draft.parts),
        "title": draft.title,
        "description": draft.description,
        "tags": list(draft.tags),
        "link": draft.link,
        "media": [
            {
                "role": m.role.value,
                "path": str(m.path),
                "size": m.size,
                "sha256": m.sha256,
                "mime_type": m.mime_type,
            }
            for m in draft.media
        ],
        "options": dict(draft.options),
    }


def draft_from_json(data: Mapping[str, Any]) -> Draft:
    """The `Draft` `draft_to_json` stored."""
    return Draft(
        platform=Platform(data["platform"]),
        kind=ContentKind(data["kind"]),
        parts=tuple(data["parts"]),
        title=data["title"],
        description=data["description"],
        tags=tuple(data["tags"]),
        link=data["link"],
        media=tuple(
            MediaFile(
                path=Path(m["path"]),
                role=MediaRole(m["role"]),
                size=int(m["size"]),
                sha256=m["sha256"],
                mime_type=m["mime_type"],
            )
            for m in data["media"]
        ),
        options=dict(data["options"]),
    )


def draft_hash(draft: Draft) -> str:
    """sha256 of the draft's canonical JSON: what the audit trail names a draft by."""
    text = json.dumps(draft_to_json(draft), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_document(draft: Draft, source: Mapping[str, Any]) -> dict[str, Any]:
    """What `post.draft` holds: the draft, its hash and where it came from."""
    return {
        "format": FORMAT,
        "sha256": draft_hash(draft),
        "draft": draft_to_json(draft),
        "source": dict(source),
    }


def draft_of(document: Mapping[str, Any]) -> Draft:
    """The draft inside a stored document."""
    if document.get("format") != FORMAT:
        raise ValueError(f"stored draft has format {document.get('format')!r}, not {FORMAT}")
    return draft_from_json(document["draft"])


def read_stored(session: Session, post_id: int) -> dict[str, Any] | None:
    """The post's stored document (one column read), None for a post from before drafts."""
    return session.scalar(select(Post.draft).where(Post.id == post_id))


def store_draft(
    session: Session, post_id: int, document: Mapping[str, Any], states: Sequence[PostState]
) -> bool:
    """Replace the post's stored draft if it is still in one of `states` (a worker may claim
    it meanwhile) and no step of it is out yet (a resumed post must not mix two drafts); False
    if not. Both are checked in the one statement. The caller audits the change."""
    nothing_out = ~exists(
        select(PostStep.id).where(
            PostStep.post_id == post_id, PostStep.state == StepState.CONFIRMED.value
        )
    )
    result = session.execute(
        update(Post)
        .where(Post.id == post_id, Post.state.in_([s.value for s in states]), nothing_out)
        .values(draft=dict(document))
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def store_legacy_draft(
    session: Session, claim: Claim, document: Mapping[str, Any], *, actor: str
) -> bool:
    """Store the draft a worker made at the first claim of a post scheduled before drafts were
    stored (migration 0004), once: only while this claim holds the lease and none is stored."""
    result = session.execute(
        update(Post)
        .where(Post.id == claim.post_id, Post.lease_owner == claim.owner, Post.draft.is_(None))
        .values(draft=dict(document))
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        return False
    audit.record(
        session,
        actor,
        "draft_stored",
        content_id=claim.content_id,
        post_id=claim.post_id,
        reason="scheduled before stored drafts; drafted once at its first claim",
        new_draft_sha256=document["sha256"],
    )
    return True
