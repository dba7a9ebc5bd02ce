"""The workspace is Vietnamese by default and English on request: the switch in the header
keeps the choice for the browser's session, through signing in, on every page and error."""

from __future__ import annotations

import pytest

from crosspost.users import Role
from tests.support.web import PASSWORD, World, build_world, cheap_hasher, csrf_of, user_name


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def switch(client, language: str, back_to: str) -> None:
    page = client.get(back_to)
    done = client.post(
        "/language",
        data={"language": language, "next": back_to, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == back_to


def test_english_is_chosen_before_signing_in_and_kept_after(world):
    client = world.client()
    first = client.get("/login")
    assert '<html lang="vi">' in first.text and "Đăng nhập" in first.text
    switch(client, "en", "/login")
    login = client.get("/login")
    assert '<html lang="en">' in login.text and "Sign in" in login.text
    done = client.post(
        "/login",
        data={
            "name": user_name(Role.EDITOR),
            "password": PASSWORD,
            "csrf": csrf_of(login.text),
            "next": "/queue",
        },
        follow_redirects=True,
    )
    assert done.url.path == "/queue"
    assert "Approval queue" in done.text and "Chờ duyệt" not in done.text
    today = client.get("/")
    assert "Going out today" in today.text and "Đăng trong hôm nay" not in today.text
    missing = client.get("/posts/999999")  # errors speak the session's language too
    assert missing.status_code == 404 and "This page does not exist." in missing.text
    switch(client, "vi", "/")
    assert "Đăng trong hôm nay" in client.get("/").text


def test_an_unknown_language_is_refused_and_changes_nothing(world):
    client = world.client(Role.PLANNER)
    page = client.get("/")
    refused = client.post(
        "/language", data={"language": "fr", "next": "/", "csrf": csrf_of(page.text)}
    )
    assert refused.status_code == 400
    assert "Đăng trong hôm nay" in client.get("/").text
    # and a switch with no CSRF token is refused like any other form
    assert client.post("/language", data={"language": "en"}).status_code == 403
