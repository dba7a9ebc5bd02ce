"""`/api/v1` over real HTTP on a real database: a token's life (made, used, replaced, revoked,
refused for a disabled user, kept only as its sha256), the pages' roles and unit rule, the
actions through the same core as the CLI, and every error as `{"error": "one line"}`."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from crosspost.cli.views import row_json
from crosspost.content import get_content
from crosspost.db.models import AuditEvent, User
from crosspost.errors import UserError
from crosspost.listing import PostFilter, iter_posts
from crosspost.scheduling import get_post
from crosspost.tokens import new_token, revoke_token
from crosspost.users import Role, disable_user
from tests.support.samples import every_row
from tests.support.web import World, build_world, cheap_hasher


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def _error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and "\n" not in body["error"]
    return str(body["error"])


def test_posts_have_the_keys_of_posts_list_json(world):
    listed = world.api(Role.VIEWER).get("/api/v1/posts")
    assert listed.status_code == 200
    with world.db.factory() as session:
        expected = [row_json(r, world.config.timezone) for r in iter_posts(session, PostFilter())]
    assert listed.json() == expected and len(expected) == 2
    one = world.api(Role.VIEWER).get(f"/api/v1/posts/{world.posts['ha-noi']}").json()
    assert one["id"] == world.posts["ha-noi"] and one["content"]["unit"] == "ha-noi"
    assert {"attempt_log", "audit_log", "draft"} <= set(one)
    assert one["scheduled_at"].endswith("+07:00")
    limited = world.api(Role.VIEWER).get("/api/v1/posts?limit=1&status=scheduled").json()
    assert [p["id"] for p in limited] == [expected[0]["id"]]
    assert "limit='0' must be a whole number" in _error(
        world.api(Role.VIEWER).get("/api/v1/posts?limit=0"), 400
    )
    assert "--state 'nope'" in _error(world.api(Role.VIEWER).get("/api/v1/posts?status=nope"), 400)
    assert "no post with id 999999" in _error(
        world.api(Role.ADMIN).get("/api/v1/posts/999999"), 404
    )


def test_a_contributor_reads_its_own_unit_only(world):
    api = world.api(Role.CONTRIBUTOR)
    assert [p["id"] for p in api.get("/api/v1/posts").json()] == [world.posts["ha-noi"]]
    assert api.get(f"/api/v1/posts/{world.posts['ha-noi']}").status_code == 200
    other = api.get(f"/api/v1/posts/{world.posts['da-nang']}")
    assert "da-nang" not in other.text
    _error(other, 404)
    assert [i["unit"] for i in api.get("/api/v1/queue").json()] == ["ha-noi"]
    assert "may not use /api/v1/today" in _error(api.get("/api/v1/today"), 403)
    staff_queue = world.api(Role.EDITOR).get("/api/v1/queue").json()
    assert sorted(i["unit"] for i in staff_queue) == ["da-nang", "ha-noi"]


def test_a_token_lives_until_replaced_revoked_or_its_user_disabled(world):
    api = world.api(Role.PLANNER)
    assert api.get("/api/v1/today").status_code == 200
    with world.db.factory.begin() as session:
        _user, fresh = new_token(session, "planner1", actor="admin1")
    refused = world.api(token=world.tokens[Role.PLANNER]).get("/api/v1/today")
    assert "unknown, revoked" in _error(refused, 401)
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert world.api(token=fresh).get("/api/v1/today").status_code == 200
    with world.db.factory.begin() as session:
        revoke_token(session, "planner1", actor="admin1")
    _error(world.api(token=fresh).get("/api/v1/today"), 401)
    viewer = world.api(Role.VIEWER)
    assert viewer.get("/api/v1/today").status_code == 200
    with world.db.factory.begin() as session:
        disable_user(session, "viewer1", actor="admin1")
    _error(viewer.get("/api/v1/today"), 401)
    for header in ("", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer cpt_not-a-real-token"):
        client = world.api()
        if header:
            client.headers["Authorization"] = header
        _error(client.get("/api/v1/posts"), 401)


def test_the_database_holds_only_each_tokens_sha256(world):
    rows = repr(every_row(world.db))
    with world.db.factory() as session:
        users = {u.name: u for u in session.scalars(select(User)).all()}
    for role, token in world.tokens.items():
        assert token not in rows
        assert users[f"{role.value}1"].token_hash == hashlib.sha256(token.encode()).hexdigest()
    with world.db.factory.begin() as session:
        disable_user(session, "viewer1", actor="admin1")
    with world.db.factory.begin() as session, pytest.raises(UserError, match="is disabled"):
        new_token(session, "viewer1", actor="admin1")


def test_a_planner_cancels_and_retries_through_the_post_store(world):
    api = world.api(Role.PLANNER)
    post_id = world.posts["ha-noi"]
    retried = api.post(f"/api/v1/posts/{post_id}/retry")
    assert "scheduled" in _error(retried, 409)
    done = api.post(f"/api/v1/posts/{post_id}/cancel", json={"reason": "trùng lịch"})
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    with world.db.factory() as session:
        assert get_post(session, post_id).state == "cancelled"
        actors = session.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.post_id == post_id, AuditEvent.action == "cancel"
            )
        ).all()
    assert actors == ["planner1"]
    assert "a editor may not use" in _error(
        world.api(Role.EDITOR).post(f"/api/v1/posts/{world.posts['da-nang']}/cancel"), 403
    )


def test_an_editor_decides_all_or_none_and_bad_bodies_are_one_line(world):
    api = world.api(Role.EDITOR)
    first, second = world.submitted["ha-noi"], world.submitted["da-nang"]
    before = every_row(world.db)
    none = api.post("/api/v1/queue/decide", json={"decision": "approve", "ids": [first, 999_999]})
    assert "content 999999: no such item" in _error(none, 409)
    assert '"decision"' in _error(api.post("/api/v1/queue/decide", json={"ids": [1]}), 400)
    bad_ids = api.post("/api/v1/queue/decide", json={"decision": "approve", "ids": "1,2"})
    assert '"ids"' in _error(bad_ids, 400)
    form = api.post(
        "/api/v1/queue/decide",
        content=b"decision=approve",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "application/json" in _error(form, 415)
    broken = api.post(
        "/api/v1/queue/decide", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert "not valid JSON" in _error(broken, 400)
    deep = api.post(
        "/api/v1/queue/decide",
        content=b"[" * 30_000 + b"]" * 30_000,
        headers={"Content-Type": "application/json"},
    )
    assert "nested too deeply" in _error(deep, 400)
    assert every_row(world.db) == before
    done = api.post(
        "/api/v1/queue/decide",
        json={"decision": "reject", "ids": [first, second], "reason": "thiếu nguồn"},
    )
    assert done.json() == {"decision": "reject", "ids": [first, second]}
    with world.db.factory() as session:
        assert get_content(session, first).review_state == "rejected"
        assert get_content(session, second).reviewed_by == "editor1"


def test_today_has_the_pages_sections(world):
    data = world.api(Role.ADMIN).get("/api/v1/today").json()
    assert set(data) == {"now", "today", "held", "tomorrow", "failed", "waiting", "paused"}
    assert data["now"].endswith("+07:00")
    # Two hours from now: today, or tomorrow when the tests run late in the evening.
    soon = {p["id"] for p in data["today"] + data["tomorrow"]}
    assert soon == set(world.posts.values())
