"""What was approved is what goes out: the worker publishes the draft stored at scheduling,
never a fresh rendering (issue 12, A) — on SQLite and PostgreSQL, judged by what the platform
received (the in-memory twin's journal, and the sandbox over HTTP with the real adapters)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace

import pytest
from sqlalchemy import select, update

from crosspost.adapters.base import MediaRole
from crosspost.db.models import AuditEvent, Post
from crosspost.errors import StateError, UserError
from crosspost.scheduling import redraft
from crosspost.worker.dispatcher import Worker
from tests.support.factories import make_content, schedule_now

OLD = "BẢN ĐÃ DUYỆT {{ content.title }}\n\n{{ content.link }}"
NEW = "BẢN MỚI {{ content.title }}\n\n{{ content.link }}"


def write_template(folder, text):
    path = folder / "x" / "article.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    path.write_text(text, encoding="utf-8")
    if existed:  # a later mtime, so Jinja's loader sees the change at once
        stamp = time.time() + 10
        os.utime(path, (stamp, stamp))
    return path


def with_template_dir(config, folder, account="xacct"):
    accounts = dict(config.accounts)
    acct = accounts[account]
    accounts[account] = replace(acct, settings={**acct.settings, "template_dir": str(folder)})
    return replace(config, accounts=accounts)


def published_texts(journal):
    if not journal.exists():
        return []
    return [json.loads(line)["text"] for line in journal.read_text().splitlines()]


def audit_actions(db, post_id):
    with db.factory() as session:
        return session.scalars(
            select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.id)
        ).all()


def test_a_template_changed_after_scheduling_does_not_change_what_is_published(
    db, memory_config, journal, tmp_path
):
    folder = tmp_path / "templates"
    write_template(folder, OLD)
    config = with_template_dir(memory_config, folder)
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, config, item.id, platforms=["x"])
    write_template(folder, NEW)
    Worker(config, db.factory).run_once()
    with db.factory() as session:
        post = session.get_one(Post, post_id)
        assert post.state == "published"
        stored = post.draft
    (text,) = published_texts(journal)
    assert text.startswith("BẢN ĐÃ DUYỆT ")
    assert stored["draft"]["parts"] == [text]
    assert stored["source"]["template"] == str(folder / "x" / "article.j2")
    assert len(stored["source"]["template_sha256"]) == 64


def test_redraft_stores_the_new_rendering_audited_and_that_is_published(
    db, memory_config, journal, tmp_path
):
    folder = tmp_path / "templates"
    write_template(folder, OLD)
    config = with_template_dir(memory_config, folder)
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, config, item.id, delay=3600, platforms=["x"])
        old_hash = session.get_one(Post, post_id).draft["sha256"]
    write_template(folder, NEW)
    with db.factory.begin() as session:
        redraft(session, config, post_id, actor="bien-tap-vien", reason="mẫu mới")
    with db.factory.begin() as session:
        session.execute(
            update(Post).where(Post.id == post_id).values(next_attempt_at=Post.created_at)
        )
    Worker(config, db.factory).run_once()
    (text,) = published_texts(journal)
    assert text.startswith("BẢN MỚI ")
    (event,) = [e for e in audit_actions(db, post_id) if e.action == "redraft"]
    assert event.actor == "bien-tap-vien"
    assert event.detail["old_draft_sha256"] == old_hash
    assert event.detail["new_draft_sha256"] not in (None, old_hash)
    assert event.detail["reason"] == "mẫu mới"


def test_redraft_is_refused_for_a_post_that_is_not_waiting(db, memory_config, journal):
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, memory_config, item.id, platforms=["x"])
    Worker(memory_config, db.factory).run_once()
    with db.factory.begin() as session, pytest.raises(StateError, match="is published; only"):
        redraft(session, memory_config, post_id, actor="ops", reason="sửa")


def test_a_redraft_with_problems_is_refused_changing_nothing(db, memory_config, tmp_path):
    folder = tmp_path / "templates"
    write_template(folder, OLD)
    config = with_template_dir(memory_config, folder)
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, config, item.id, delay=3600, platforms=["x"])
        before = session.get_one(Post, post_id).draft
    write_template(folder, "{{ content.nothing_here }}")
    with db.factory.begin() as session, pytest.raises(UserError, match="cannot be redrafted"):
        redraft(session, config, post_id, actor="ops", reason="sửa")
    with db.factory() as session:
        assert session.get_one(Post, post_id).draft == before
    assert [e.action for e in audit_actions(db, post_id)] == ["schedule"]


def test_a_media_file_changed_after_scheduling_fails_the_post_naming_it(
    db, memory_config, journal, tmp_path
):
    cover = tmp_path / "anh-bia.png"
    cover.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 512)
    with db.factory.begin() as session:
        item = make_content(session, media=[(MediaRole.COVER, cover)])
        (post_id,) = schedule_now(session, memory_config, item.id, platforms=["facebook"])
    cover.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x01" * 512)  # same size, other bytes
    Worker(memory_config, db.factory).run_once()
    with db.factory() as session:
        post = session.get_one(Post, post_id)
    assert post.state == "failed"
    assert str(cover) in post.last_error and "changed" in post.last_error
    assert published_texts(journal) == []


def test_a_post_from_before_stored_drafts_is_drafted_once_at_its_claim(
    db, memory_config, journal, caplog
):
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, memory_config, item.id, platforms=["x"])
        session.execute(update(Post).where(Post.id == post_id).values(draft=None))
    with caplog.at_level("INFO", logger="crosspost.worker"):
        Worker(memory_config, db.factory).run_once()
    with db.factory() as session:
        post = session.get_one(Post, post_id)
        assert post.state == "published"
        stored = post.draft
    assert stored is not None and stored["draft"]["parts"] == published_texts(journal)
    assert any("no stored draft" in r.getMessage() for r in caplog.records)
    (event,) = [e for e in audit_actions(db, post_id) if e.action == "draft_stored"]
    assert event.detail["new_draft_sha256"] == stored["sha256"]


@pytest.fixture
def sandbox_setup(tmp_path, db):
    from crosspost.config import load_config
    from crosspost.db.engine import make_engine, session_factory
    from crosspost.db.migrate import ensure_schema
    from crosspost.demo import start_sandbox, write_config

    with start_sandbox() as server:
        (tmp_path / "demo").mkdir()
        path = write_config(tmp_path / "demo", server.url, database_url=db.url)
        engine = make_engine(load_config(path).database_url)
        ensure_schema(engine)
        yield server, load_config(path), session_factory(engine)
        engine.dispose()


def test_the_sandbox_receives_the_approved_draft_then_the_redrafted_one(sandbox_setup, tmp_path):
    server, config, factory = sandbox_setup
    folder = tmp_path / "templates"
    write_template(folder, OLD)
    config = with_template_dir(config, folder, account="tapchi-x")
    with factory.begin() as session:
        first = make_content(session, title="Bài một: hội nghị sơ kết")
        second = make_content(session, title="Bài hai: học tập và làm theo")
        (now_id,) = schedule_now(session, config, first.id, accounts=["tapchi-x"])
        (later_id,) = schedule_now(session, config, second.id, delay=3600, accounts=["tapchi-x"])
    write_template(folder, NEW)
    Worker(config, factory).run_once()
    (tweet,) = server.state()["x"]["tweets"]
    assert tweet["text"].startswith("BẢN ĐÃ DUYỆT Bài một")

    with factory.begin() as session:
        redraft(session, config, later_id, actor="bien-tap-vien", reason="mẫu mới")
        session.execute(
            update(Post).where(Post.id == later_id).values(next_attempt_at=Post.created_at)
        )
    Worker(config, factory).run_once()
    texts = [t["text"] for t in server.state()["x"]["tweets"]]
    assert len(texts) == 2
    assert [t for t in texts if t.startswith("BẢN MỚI ")] == [t for t in texts if "Bài hai" in t]
    assert any(t.startswith("BẢN MỚI Bài hai") for t in texts)
    with factory() as session:
        states = session.scalars(select(Post.state).where(Post.id.in_([now_id, later_id]))).all()
    assert sorted(states) == ["published", "published"]
