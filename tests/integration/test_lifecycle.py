"""Content review moves draft → submitted → approved | rejected, guarded and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crosspost import content as lifecycle
from crosspost.db.models import AuditEvent
from crosspost.errors import StateError, UserError
from tests.support.factories import OPEN_REVIEW, make_content


def test_review_path_is_recorded_in_the_audit_trail(db):
    # Given a draft
    with db.factory.begin() as session:
        item = make_content(session, state="draft")
        # When it is submitted and approved
        lifecycle.submit(session, item.id, "lan")
        lifecycle.approve(session, item.id, "editor-minh", approvers=OPEN_REVIEW)
    # Then it is approved by the editor and every step is in the audit trail
    with db.factory() as session:
        content = lifecycle.get_content(session, item.id)
        assert content.review_state == "approved"
        assert content.reviewed_by == "editor-minh"
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.content_id == item.id)
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["add", "submit", "approve"]


@pytest.mark.parametrize(
    ("state", "action"),
    [("draft", "approve"), ("approved", "approve"), ("rejected", "approve"), ("draft", "reject")],
)
def test_review_refuses_moves_from_the_wrong_state(db, state, action):
    with db.factory.begin() as session:
        item = make_content(session, state=state)
    with db.factory.begin() as session, pytest.raises(StateError, match=f"content {item.id} is"):
        if action == "approve":
            lifecycle.approve(session, item.id, "editor", approvers=OPEN_REVIEW)
        else:
            lifecycle.reject(session, item.id, "editor", "lý do", approvers=OPEN_REVIEW)


def test_reject_needs_a_reason(db):
    with db.factory.begin() as session:
        item = make_content(session, state="submitted")
    with db.factory.begin() as session, pytest.raises(UserError, match="needs a reason"):
        lifecycle.reject(session, item.id, "editor", "  ", approvers=OPEN_REVIEW)


def test_text_is_stored_nfc(db):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Đảng bộ tỉnh Nghệ An")
    with db.factory.begin() as session:
        item = make_content(session, state="draft", title=decomposed)
    with db.factory() as session:
        assert lifecycle.get_content(session, item.id).title == "Đảng bộ tỉnh Nghệ An"
