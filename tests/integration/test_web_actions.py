"""What the web's forms do, judged by the database: approve and reject through the same core as
`crosspost content approve/reject` (all or none, the signed-in user as the audit actor, the
approvers of units.toml as the rule), cancel and retry through the post store, and the Today
page's sections."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from crosspost.accounts import pause_account
from crosspost.content import get_content
from crosspost.db.models import Account, AuditEvent
from crosspost.scheduling import get_post
from crosspost.users import Role, add_user, set_password
from tests.support.web import PASSWORD, World, build_world, cheap_hasher, sign_in


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def _decide(world: World, client, decision: str, ids: list[int], reason: str = ""):
    data = {"csrf": world.csrf(client), "decision": decision, "ids": [str(i) for i in ids]}
    if reason:
        data["reason"] = reason
    return client.post("/queue/decide", data=data, follow_redirects=False)


def _review(world: World, content_id: int) -> tuple[str, str | None, str | None]:
    with world.db.factory() as session:
        c = get_content(session, content_id)
        return c.review_state, c.reviewed_by, c.review_reason


def test_an_editor_approves_one_and_rejects_another_with_a_reason(world):
    client = world.client(Role.EDITOR)
    first, second = world.submitted["ha-noi"], world.submitted["da-nang"]
    approved = _decide(world, client, "approve", [first])
    assert (
        approved.status_code == 303 and approved.headers["location"] == f"/queue?approved={first}"
    )
    assert f"Đã duyệt: {first}." in client.get(approved.headers["location"]).text
    rejected = _decide(world, client, "reject", [second], "thiếu nguồn ảnh")
    assert rejected.status_code == 303
    assert _review(world, first) == ("approved", "editor1", None)
    assert _review(world, second) == ("rejected", "editor1", "thiếu nguồn ảnh")
    with world.db.factory() as session:
        actions = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.content_id).where(
                AuditEvent.action.in_(("approve", "reject"))
            )
        ).all()
    assert sorted(actions) == sorted(
        [("editor1", "approve", first), ("editor1", "reject", second)]
        + [("editor1", "approve", c) for c in _approved_in_world(world)]
    )
    queue = client.get("/queue").text
    assert "Bài chờ duyệt" not in queue and "Không có bài nào chờ duyệt." in queue


def _approved_in_world(world: World) -> list[int]:
    """The items build_world approved as editor1 (the ones its posts were scheduled from)."""
    with world.db.factory() as session:
        return [get_post(session, p).content_id for p in world.posts.values()]


def test_many_at_once_are_all_or_none(world):
    client = world.client(Role.ADMIN)
    ids = [world.submitted["ha-noi"], world.submitted["da-nang"], 999_999]
    refused = _decide(world, client, "approve", ids)
    assert refused.status_code == 409
    assert "content 999999: no such item" in refused.text
    assert _review(world, ids[0])[0] == _review(world, ids[1])[0] == "submitted"
    assert _decide(world, client, "approve", ids[:2]).status_code == 303
    assert _review(world, ids[0])[0] == _review(world, ids[1])[0] == "approved"


def test_a_rejection_needs_its_reason(world):
    client = world.client(Role.EDITOR)
    refused = _decide(world, client, "reject", [world.submitted["ha-noi"]])
    assert refused.status_code == 400 and "a rejection needs a reason" in refused.text
    assert _review(world, world.submitted["ha-noi"])[0] == "submitted"


def test_an_editor_who_is_not_an_approver_in_units_toml_is_refused(world):
    with world.db.factory.begin() as session:
        add_user(session, "editor2", "editor", unit=None, actor="admin1", unit_codes=[])
        set_password(session, "editor2", PASSWORD, actor="admin1")
    client = world.client()
    sign_in(client, "editor2", PASSWORD)
    refused = _decide(world, client, "approve", [world.submitted["ha-noi"]])
    assert refused.status_code == 400
    assert (
        "&#39;editor2&#39; may not approve or reject: approvers are admin1, editor1" in refused.text
    )
    assert _review(world, world.submitted["ha-noi"])[0] == "submitted"


def test_a_planner_cancels_a_post_and_a_retry_of_it_is_refused_on_the_page(world):
    client = world.client(Role.PLANNER)
    post_id = world.posts["ha-noi"]
    page = client.get(f"/posts/{post_id}").text
    assert "Bài đã duyệt ha-noi" in page and "Phần" not in page  # the stored draft, not a preview
    assert "Bản đăng đã lưu" in page and "Bài đã duyệt ha-noi\n" in page
    cancelled = client.post(
        f"/posts/{post_id}/cancel",
        data={"csrf": world.csrf(client), "reason": "trùng lịch"},
        follow_redirects=True,
    )
    assert cancelled.status_code == 200 and "Đã huỷ bài đăng." in cancelled.text
    assert "planner1" in cancelled.text and "reason=trùng lịch" in cancelled.text
    with world.db.factory() as session:
        assert get_post(session, post_id).state == "cancelled"
    retried = client.post(f"/posts/{post_id}/retry", data={"csrf": world.csrf(client)})
    assert retried.status_code == 409
    assert "only failed or retry_wait posts can be retried" in retried.text


def test_today_shows_what_goes_out_and_the_paused_accounts(world):
    with world.db.factory.begin() as session:
        account = session.scalar(select(Account).where(Account.name == "xacct"))
        pause_account(session, account.id, "account paused: token expired")
    page = world.client(Role.VIEWER).get("/").text
    for post_id in world.posts.values():
        assert f'href="/posts/{post_id}"' in page
    assert "xacct" in page and "token expired" in page
    assert "crosspost accounts check xacct" in page
    assert "+07:00" in page  # times in the configured zone, with its offset


def test_the_queue_shows_a_videos_youtube_title_and_description_with_their_counts(world, tmp_path):
    from crosspost import content as lifecycle
    from crosspost.adapters.base import ContentKind, MediaRole
    from crosspost.content import NewContent
    from crosspost.media import MediaSpec
    from tests.support.monthly import media_for

    ((role, path),) = media_for(ContentKind.VIDEO, tmp_path, "phong-su")
    item = NewContent(
        kind=ContentKind.VIDEO,
        title="Phóng sự: Người bí thư chi bộ bản Pà Vi",
        summary="Hành trình 20 năm gắn bó với đồng bào Mông ở Hà Giang.",
        hashtags=["HàGiang"],
        unit="ha-noi",
        media=[MediaSpec(path, MediaRole(role))],
    )
    with world.db.factory.begin() as session:
        video = lifecycle.add_content(session, item, "tester", store=None)
        lifecycle.submit(session, video.id, "tester")
    page = world.client(Role.EDITOR).get("/queue").text
    section = page[page.index(f'id="item-{video.id}"') :]
    section = section[section.index("platform-youtube") :]
    description = "Hành trình 20 năm gắn bó với đồng bào Mông ở Hà Giang."
    assert "Phóng sự: Người bí thư chi bộ bản Pà Vi" in section and description in section
    assert f"{len(item.title)}/100 ký tự" in section  # the title in characters
    counted = re.search(
        r'Mô tả <span class="count">(\d+)[^<]* byte</span></dt>\s*<dd><pre '
        r'class="text">([^<]*)</pre>',
        section,
    )
    assert counted, section
    shown = html.unescape(counted.group(2))
    assert int(counted.group(1)) == len(shown.encode("utf-8")) > len(shown)  # bytes, not chars


def test_a_planner_reposts_a_published_post_with_its_reason(world):
    from sqlalchemy import update

    from crosspost.db.models import Post

    post_id = world.posts["ha-noi"]
    with world.db.factory.begin() as session:  # given: it went out
        session.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(state="published", remote_id="1", remote_url="https://x.example/1")
        )
    planner = world.client(Role.PLANNER)
    page = planner.get(f"/posts/{post_id}").text
    assert f'action="/posts/{post_id}/repost"' in page
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    refused = planner.post(f"/posts/{post_id}/repost", data={"csrf": token.group(1), "reason": " "})
    assert refused.status_code == 400 and "đăng lại cần có lý do" in html.unescape(refused.text)
    done = planner.post(
        f"/posts/{post_id}/repost",
        data={"csrf": token.group(1), "reason": "sửa lỗi chính tả", "at": ""},
        follow_redirects=False,
    )
    assert done.status_code == 303
    new_id = int(done.headers["location"].split("/posts/")[1].split("?")[0])
    with world.db.factory() as session:
        fresh = session.get(Post, new_id)
        assert fresh is not None
        assert (fresh.reposted_from_id, fresh.reason, fresh.state) == (
            post_id,
            "sửa lỗi chính tả",
            "scheduled",
        )
        actors = [e.actor for e in session.scalars(select(AuditEvent)) if e.post_id == new_id]
    assert "planner1" in actors
    shown = planner.get(done.headers["location"]).text
    assert "Đã hẹn giờ đăng lại" in html.unescape(shown)
