"""Approving and rejecting several items on SQLite and PostgreSQL: only the approvers of
units.toml may; a list is decided whole (one bad id and none change, every problem named);
each decision is in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crosspost import content as lifecycle
from crosspost.db.models import AuditEvent
from crosspost.errors import Problems, UserError
from tests.support.factories import OPEN_REVIEW, make_content
from tests.support.samples import APPROVER, every_row, sample_intake

pytestmark = pytest.mark.db


def submitted(db, count=3):
    with db.factory.begin() as session:
        return [make_content(session, state="submitted", title=f"Bài {n}").id for n in range(count)]


def decide(db, ids, actor, decision="approve", reason=None, approvers=None):
    with db.factory.begin() as session:
        items = lifecycle.decide(
            session,
            ids,
            actor,
            decision,
            approvers=approvers or sample_intake(),
            reason=reason,
        )
        return [(c.id, c.review_state) for c in items]


def audit_of(db, ids):
    with db.factory() as session:
        return session.execute(
            select(AuditEvent.content_id, AuditEvent.action, AuditEvent.actor, AuditEvent.detail)
            .where(AuditEvent.content_id.in_(ids), AuditEvent.action.in_(["approve", "reject"]))
            .order_by(AuditEvent.id)
        ).all()


def test_an_approver_approves_several_items_at_once(db):
    ids = submitted(db)
    assert decide(db, ids, APPROVER) == [(i, "approved") for i in ids]
    with db.factory() as session:
        assert {lifecycle.get_content(session, i).reviewed_by for i in ids} == {APPROVER}
    assert [(c, a, who) for c, a, who, _ in audit_of(db, ids)] == [
        (i, "approve", APPROVER) for i in ids
    ]


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_someone_not_listed_is_refused_and_nothing_changes(db, decision):
    ids = submitted(db)
    before = every_row(db)
    with pytest.raises(UserError) as caught:
        decide(db, ids, "phong-vien", decision, reason="thiếu nguồn")
    assert str(caught.value).startswith("'phong-vien' may not approve or reject: approvers are ")
    assert "add them to [review] approvers in" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert every_row(db) == before


def test_the_single_item_steps_check_the_approver_too(db):
    (item,) = submitted(db, 1)
    before = every_row(db)
    with db.factory.begin() as session, pytest.raises(UserError, match="may not approve"):
        lifecycle.approve(session, item, "phong-vien", approvers=sample_intake())
    with db.factory.begin() as session, pytest.raises(UserError, match="may not approve"):
        lifecycle.reject(session, item, "phong-vien", "lý do", approvers=sample_intake())
    assert every_row(db) == before


def test_one_wrong_id_leaves_every_item_as_it_was_and_each_problem_is_named(db):
    ids = submitted(db)
    with db.factory.begin() as session:
        draft = make_content(session, state="draft", title="Bản nháp").id
    before = every_row(db)
    with pytest.raises(Problems) as caught:
        decide(db, [ids[0], 999, draft, ids[1]], APPROVER)
    assert caught.value.summary == "nothing approved: 2 of 4 item(s) cannot be approved"
    assert caught.value.problems == [
        "content 999: no such item; see `crosspost content list`",
        f"content {draft} is draft; it must be submitted to become approved",
    ]
    assert every_row(db) == before


def test_rejecting_several_needs_a_reason_and_records_it(db):
    ids = submitted(db, 2)
    before = every_row(db)
    with pytest.raises(UserError, match="a rejection needs a reason"):
        decide(db, ids, APPROVER, "reject", reason="  ")
    assert every_row(db) == before
    assert decide(db, ids, APPROVER, "reject", reason="thiếu nguồn ảnh") == [
        (i, "rejected") for i in ids
    ]
    with db.factory() as session:
        assert {lifecycle.get_content(session, i).review_reason for i in ids} == {"thiếu nguồn ảnh"}
    assert [(c, a, d["reason"]) for c, a, _, d in audit_of(db, ids)] == [
        (i, "reject", "thiếu nguồn ảnh") for i in ids
    ]


def test_an_approved_item_can_still_be_rejected_but_not_approved_twice(db):
    ids = submitted(db, 2)
    decide(db, ids[:1], APPROVER)
    with pytest.raises(Problems, match=f"content {ids[0]} is approved"):
        decide(db, ids, APPROVER)
    assert decide(db, ids, APPROVER, "reject", reason="sai số liệu") == [
        (i, "rejected") for i in ids
    ]


def test_a_repeated_id_is_decided_once(db):
    ids = submitted(db, 1)
    assert decide(db, ids * 2, APPROVER) == [(ids[0], "approved")]
    assert len(audit_of(db, ids)) == 1


def test_without_a_units_file_anyone_may_review(db):
    ids = submitted(db, 2)
    assert decide(db, ids, "ai-cung-duoc", approvers=OPEN_REVIEW) == [(i, "approved") for i in ids]
