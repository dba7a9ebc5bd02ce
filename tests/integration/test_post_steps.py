"""Per-step receipts in the post store, on SQLite and PostgreSQL: each part of a thread is
recorded the moment it is confirmed, a failed or lost part resumes after the confirmed ones
(never posting one twice), a post is published only when every part is, a refusal for good
ends it failed partway with its first links kept, and ids other posts hold are never a copy.

Judged by the twin's journal (what the "platform" holds), not by the database alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from crosspost.adapters.base import ContentKind, Draft, Platform, StepKind, StepReceipt
from crosspost.db.models import Post, PostStep
from crosspost.posts.drafts import stored_document
from crosspost.posts.steps import confirmed_steps, ids_held_by_others, summarise
from crosspost.timeutil import utcnow
from tests.integration.test_worker import journal_entries, with_settings
from tests.integration.test_worker_faults import run_until_ended
from tests.support.factories import make_content, schedule_now

PARTS = (
    "Phần 1: Đại hội chi bộ nhiệm kỳ mới đã thành công tốt đẹp.",
    "Phần 2: Các đảng viên thảo luận về công tác xây dựng Đảng.",
    "Phần 3: Nghị quyết được thông qua với sự đồng thuận cao.",
    "Phần 4: Chi bộ đặt mục tiêu cho năm tới.",
)


def held_retry(config):
    """The retry of a refused part waits a minute, so `run_once` (which loops while work is
    due) cannot take it on a slow machine before the test looks at `retry_wait`."""
    return replace(config, retry=replace(config.retry, base_seconds=60, max_delay_seconds=60))


def given_thread(db, config, parts: tuple[str, ...] = PARTS) -> int:
    """A post on the X twin whose stored draft is a thread of `parts`."""
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, config, item.id, platforms=["x"])
        draft = Draft(platform=Platform.X, kind=ContentKind.ARTICLE, parts=parts)
        document = stored_document(draft, {"template": "test"})
        session.execute(update(Post).where(Post.id == post_id).values(draft=document))
    return post_id


def chain(journal, post_id: int) -> list[tuple[int, str, str | None]]:
    """(number, remote id, replies to) of every part the twin holds for the post, in order."""
    entries = [e for e in journal_entries(journal) if e["post_id"] == post_id]
    return [(e["number"], e["remote_id"], e["reply_to"]) for e in entries]


def assert_whole_thread(journal, db, post_id: int) -> None:
    """Every part exactly once, in order, each a reply to the one before, each stored."""
    held = chain(journal, post_id)
    assert [n for n, _, _ in held] == list(range(1, len(PARTS) + 1))
    for (_, _, reply_to), (_, previous, _) in zip(held[1:], held, strict=False):
        assert reply_to == previous
    assert held[0][2] is None
    with db.factory() as session:
        stored = confirmed_steps(session, post_id)
        row = session.get(Post, post_id)
    assert [(s.number, s.remote_id) for s in stored] == [(n, i) for n, i, _ in held]
    assert row.remote_id == held[0][1]
    assert list(row.remote_extra_ids) == [i for _, i, _ in held[1:]]


def test_a_retryable_failure_on_a_part_resumes_after_the_confirmed_parts(
    db, memory_config, journal
):
    config = with_settings(memory_config, fail_times=1, fail_at="part:3", fail_with="retryable")
    post_id = given_thread(db, config)
    row = run_until_ended(db, config, post_id)
    assert row.state == "published"
    assert_whole_thread(journal, db, post_id)
    # The attempt that got parts 1 and 2 out was not charged: it moved the thread on
    assert row.attempt_count == 1


def test_a_lost_answer_on_a_part_is_found_and_the_thread_resumes(db, memory_config, journal):
    config = with_settings(memory_config, fail_times=1, fail_at="part:2", fail_with="lost_answer")
    post_id = given_thread(db, config)
    row = run_until_ended(db, config, post_id)
    assert row.state == "published"
    assert_whole_thread(journal, db, post_id)
    with db.factory() as session:
        messages = [a.message or "" for a in session.get(Post, post_id).attempts]
    assert any("found parts 1–2 on the platform" in m for m in messages), messages


def test_a_part_refused_for_good_fails_the_post_partway_with_its_first_links(
    db, memory_config, journal
):
    config = with_settings(memory_config, fail_times=1, fail_at="part:3", fail_with="permanent")
    post_id = given_thread(db, config)
    row = run_until_ended(db, config, post_id)
    assert row.state == "failed"
    held = chain(journal, post_id)
    assert [n for n, _, _ in held] == [1, 2]
    assert row.remote_id == held[0][1] and row.remote_url.endswith(held[0][1])
    assert row.last_error.startswith("failed partway (parts 1–2 out, first at https://")
    assert "content refused" in row.last_error
    with db.factory() as session:
        refused = session.scalars(
            select(PostStep).where(PostStep.post_id == post_id, PostStep.state == "refused")
        ).all()
    assert [(r.kind, r.number, r.message) for r in refused] == [("part", 3, "content refused")]


def test_a_step_is_recorded_only_under_the_workers_lease(db, memory_config):
    from crosspost.posts.claims import claim_due
    from crosspost.posts.states import LostLease
    from crosspost.posts.steps import record_step

    post_id = given_thread(db, memory_config)
    (claim,) = claim_due(db.factory, "w1", 1, timedelta(seconds=30))
    step = StepReceipt(StepKind.PART, 1, "r-1", "https://memory.example/r-1")
    record_step(db.factory, claim, step, lease_seconds=1)
    record_step(db.factory, claim, step, lease_seconds=1)  # the same receipt twice: one row
    with db.factory.begin() as session:
        assert confirmed_steps(session, post_id) == (step,)
        session.execute(update(Post).where(Post.id == post_id).values(lease_owner="w2"))
    try:
        record_step(db.factory, claim, StepReceipt(StepKind.PART, 2, "r-2"), lease_seconds=1)
    except LostLease:
        pass
    else:
        raise AssertionError("a step was recorded without the lease")
    with db.factory() as session:
        assert [s.number for s in confirmed_steps(session, post_id)] == [1]


def test_ids_other_posts_hold_are_given_to_the_adapter_to_exclude(db, memory_config):
    first = given_thread(db, memory_config)
    row = run_until_ended(db, memory_config, first)
    assert row.state == "published"
    with db.factory.begin() as session:
        item = make_content(session, title="Bài khác")
        (second,) = schedule_now(session, memory_config, item.id, platforms=["x"])
        account_id = session.get(Post, second).account_id
        held = ids_held_by_others(session, second, account_id, utcnow())
        mine = ids_held_by_others(session, first, account_id, utcnow())
        parts = confirmed_steps(session, first)
    assert {p.remote_id for p in parts} <= held
    assert not {p.remote_id for p in parts} & mine


def test_steps_in_words():
    def part(n: int) -> StepReceipt:
        return StepReceipt(StepKind.PART, n, str(n))

    assert summarise([part(2), part(1), part(3)]) == "parts 1–3"
    assert summarise([part(1)]) == "part 1"
    assert summarise([part(1), part(3)]) == "parts 1, 3"
    video = StepReceipt(StepKind.VIDEO, 1, "v")
    thumb = StepReceipt(StepKind.THUMBNAIL, 1, "v")
    assert summarise([thumb, video]) == "video, thumbnail"
    assert summarise([]) == "nothing"


def test_listings_show_how_far_a_thread_got_and_what_comes_next(db, memory_config):
    from zoneinfo import ZoneInfo

    from crosspost.cli.views import row_json
    from crosspost.listing import list_posts
    from crosspost.posts.claims import claim_due
    from crosspost.posts.steps import record_step

    post_id = given_thread(db, memory_config)
    (claim,) = claim_due(db.factory, "w1", 1, timedelta(seconds=30))
    for number in (1, 2):
        step = StepReceipt(StepKind.PART, number, f"r-{number}")
        record_step(db.factory, claim, step, lease_seconds=1)
    with db.factory() as session:
        (row,) = list_posts(session)
        data = row_json(row, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert data["progress"] == {
        "summary": "2/4 parts out, next part 3/4",
        "parts_done": 2,
        "parts_total": 4,
        "next_step": "part 3/4",
        "refused": None,
        "steps": [
            {"kind": "part", "number": 1, "remote_id": "r-1"},
            {"kind": "part", "number": 2, "remote_id": "r-2"},
        ],
    }
    assert data["id"] == post_id


def test_a_post_failed_partway_lists_what_is_out_and_what_was_refused(db, memory_config, journal):
    from zoneinfo import ZoneInfo

    from crosspost.cli.views import row_json
    from crosspost.listing import list_posts

    config = with_settings(memory_config, fail_times=1, fail_at="part:3", fail_with="permanent")
    post_id = given_thread(db, config)
    assert run_until_ended(db, config, post_id).state == "failed"
    with db.factory() as session:
        (row,) = list_posts(session)
        data = row_json(row, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert data["progress"]["summary"] == "2/4 parts out, part 3 refused"
    assert data["remote_id"] == chain(journal, post_id)[0][1]


def test_a_redraft_of_a_thread_partly_out_is_refused_changing_nothing(db, memory_config):
    import pytest

    from crosspost.errors import StateError
    from crosspost.scheduling import redraft

    config = held_retry(
        with_settings(memory_config, fail_times=1, fail_at="part:3", fail_with="retryable")
    )
    post_id = given_thread(db, config)
    from crosspost.worker.dispatcher import Worker

    Worker(config, db.factory, concurrency=1).run_once()
    with db.factory() as session:
        row = session.get(Post, post_id)
        assert row.state == "retry_wait"
        before = dict(row.draft)
    with db.factory.begin() as session, pytest.raises(StateError, match="parts 1–2 out already"):
        redraft(session, config, post_id, actor="ops", reason="sửa")
    with db.factory() as session:
        assert session.get(Post, post_id).draft == before


def test_a_thread_partly_out_is_not_cancelled_but_one_with_nothing_out_is(db, memory_config):
    import pytest

    from crosspost.errors import StateError
    from crosspost.scheduling import cancel
    from crosspost.worker.dispatcher import Worker

    config = held_retry(
        with_settings(memory_config, fail_times=1, fail_at="part:3", fail_with="retryable")
    )
    post_id = given_thread(db, config)
    Worker(config, db.factory, concurrency=1).run_once()
    with db.factory.begin() as session, pytest.raises(StateError, match="parts 1–2 already out"):
        cancel(session, post_id, actor="ops")
    with db.factory() as session:
        assert session.get(Post, post_id).state == "retry_wait"
    untouched = given_thread(db, config, parts=("Một bài chưa đăng.",))
    with db.factory.begin() as session:
        assert cancel(session, untouched, actor="ops").state == "cancelled"


def test_evidence_that_is_not_conclusive_leaves_the_post_unknown_saying_so(
    db, memory_config, journal
):
    from crosspost.worker.dispatcher import Worker

    config = with_settings(memory_config, fail_times=1, fail_with="lost_answer", inconclusive=True)
    post_id = given_thread(db, config)
    for _ in range(3):  # the publish, then reconciliations that cannot decide
        Worker(config, db.factory, concurrency=1).run_once()
    with db.factory() as session:
        row = session.get(Post, post_id)
    assert row.state == "unknown"
    assert row.last_error.startswith("not conclusive, left unknown (check on the platform): ")
    assert "two alike copies" in row.last_error
    assert row.remote_id is None
    assert len(chain(journal, post_id)) == 1  # nothing was sent again on a guess


def test_a_post_failed_partway_and_retried_by_hand_finishes_each_part_once(
    db, memory_config, journal
):
    from crosspost.scheduling import retry

    config = with_settings(memory_config, fail_times=1, fail_at="part:3", fail_with="permanent")
    post_id = given_thread(db, config)
    assert run_until_ended(db, config, post_id).state == "failed"
    with db.factory.begin() as session:  # the operator fixed the cause and sends it again
        retry(session, post_id, actor="ops")
    row = run_until_ended(db, config, post_id)
    assert row.state == "published"
    assert_whole_thread(journal, db, post_id)  # part 3, refused once, is now confirmed
    with db.factory() as session:
        states = session.scalars(select(PostStep.state).where(PostStep.post_id == post_id))
        assert set(states) == {"confirmed"}
