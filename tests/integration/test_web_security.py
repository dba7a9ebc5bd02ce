"""The web's security from the outside: session rotation and cookie flags, login throttling
per account and per address, the CSP on every response, no secret on any page or error, and
sessions that end when their user is disabled or changes password."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crosspost.users import Role, disable_user, set_password
from crosspost.web.app import create_app
from crosspost.web.page import TEMPLATES
from crosspost.web.security import ACCOUNT_LIMIT, ADDRESS_LIMIT, COOKIE
from tests.support.web import PASSWORD, World, build_world, cheap_hasher, sign_in, user_name


@pytest.fixture
def world(tmp_path, sqlite_db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, sqlite_db, journal)


def _login(client, world: World, name: str, password: str, next_: str = "/"):
    data = {"name": name, "password": password, "csrf": world.csrf(client), "next": next_}
    return client.post("/login", data=data, follow_redirects=False)


def test_signing_in_starts_a_new_session_with_safe_cookie_flags(world):
    client = world.client()
    before = world.csrf(client) and client.cookies[COOKIE]
    done = _login(client, world, user_name(Role.EDITOR), PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback unless --behind-tls
    after = client.cookies[COOKIE]
    assert after != before and world.web().state.web.sessions.get(before) is None
    assert client.get("/").status_code == 200


def test_behind_tls_the_cookie_is_secure(world):
    world.app = create_app(world.config, factory=world.db.factory, secure_cookies=True)
    client = TestClient(world.app, base_url="https://testserver")  # as through the proxy
    done = _login(client, world, user_name(Role.VIEWER), PASSWORD)
    assert "Secure" in done.headers["set-cookie"]


def test_a_wrong_password_says_nothing_of_which_half_was_wrong(world):
    client = world.client()
    wrong_password = _login(client, world, user_name(Role.EDITOR), "not the password")
    no_such_user = _login(client, world, "nobody-here", PASSWORD)
    assert wrong_password.status_code == no_such_user.status_code == 401
    assert "Sai tên người dùng hoặc mật khẩu." in wrong_password.text
    assert wrong_password.text.count("Sai tên") == no_such_user.text.count("Sai tên") == 1


def test_an_account_is_throttled_after_its_failures_even_with_the_right_password(world):
    client = world.client()
    name = user_name(Role.EDITOR)
    for _ in range(ACCOUNT_LIMIT.failures):
        assert _login(client, world, name, "wrong password!").status_code == 401
    throttled = _login(client, world, name, PASSWORD)
    assert throttled.status_code == 429 and "thử lại sau 15 phút" in throttled.text
    # Another account from the same address is not yet held back.
    assert _login(client, world, user_name(Role.VIEWER), PASSWORD).status_code == 303


def test_an_address_is_throttled_across_names(world):
    client = world.client()
    for n in range(ADDRESS_LIMIT.failures):
        assert _login(client, world, f"guess-{n}", "wrong password!").status_code == 401
    assert _login(client, world, user_name(Role.VIEWER), PASSWORD).status_code == 429


def test_after_login_only_a_local_path_is_followed(world):
    for target, expected in [
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/queue", "/queue"),
    ]:
        client = world.client()
        done = _login(client, world, user_name(Role.VIEWER), PASSWORD, target)
        assert done.headers["location"] == expected


def test_every_response_carries_the_csp_and_no_template_needs_inline_code(world):
    client = world.client(Role.ADMIN)
    responses = [client.get(p) for p in ("/", "/queue", "/login", "/nowhere", "/static/style.css")]
    responses.append(client.post("/logout"))  # no CSRF: refused, with the headers too
    for response in responses:
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy
        assert response.headers["x-frame-options"] == "DENY"
    for template in Path(TEMPLATES).glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text and " style=" not in text and "<script>" not in text
        assert "http://" not in text and "https://" not in text  # nothing from elsewhere


def test_an_unexpected_error_is_a_friendly_page_and_its_text_stays_out_of_log_and_page(
    world, monkeypatch, caplog
):
    secret = "EAA" + "secret-token"  # built, so no source line in a traceback shows it

    def broken(*args, **kwargs):
        raise RuntimeError(f"page_access_token={secret}")

    monkeypatch.setattr("crosspost.web.pages.today.goes_out_today", broken)
    with caplog.at_level(logging.ERROR, logger="crosspost.web"):
        response = world.client(Role.VIEWER).get("/")
    assert response.status_code == 500
    assert "Có lỗi không mong đợi" in response.text
    assert "EAAsecret" not in response.text and "Traceback" not in response.text
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "RuntimeError" in logged and "EAAsecret" not in logged


def test_no_password_hash_on_any_page(world):
    client = world.client(Role.ADMIN)
    pages = ["/", "/queue", *(f"/posts/{p}" for p in world.posts.values()), "/posts/999999"]
    for path in pages:
        body = client.get(path).text
        assert "$argon2" not in body and PASSWORD not in body


def test_disabling_a_user_or_changing_its_password_ends_its_sessions(world):
    viewer = world.client(Role.VIEWER)
    planner = world.client(Role.PLANNER)
    with world.db.factory.begin() as session:
        disable_user(session, user_name(Role.VIEWER), actor="admin1")
        set_password(session, user_name(Role.PLANNER), "a brand new password", actor="admin1")
    for client in (viewer, planner):
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    relogin = world.client()
    assert _login(relogin, world, user_name(Role.VIEWER), PASSWORD).status_code == 401
    sign_in(relogin, user_name(Role.PLANNER), "a brand new password")


def test_a_contributor_starts_at_its_portal_and_cannot_open_today(world):
    client = world.client()
    done = _login(client, world, user_name(Role.CONTRIBUTOR), PASSWORD)
    assert done.headers["location"] == "/portal"
    today = client.get("/")
    assert today.status_code == 403 and "Bạn không có quyền dùng trang này." in today.text


def test_an_oversized_form_is_refused_unread(world):
    client = world.client(Role.EDITOR)
    data = {"csrf": world.csrf(client), "decision": "reject", "ids": "1", "reason": "x" * 300_000}
    refused = client.post("/queue/decide", data=data)
    assert refused.status_code == 413 and "Biểu mẫu quá lớn." in refused.text
    with world.db.factory() as session:
        from crosspost.content import get_content

        assert get_content(session, world.submitted["ha-noi"]).review_state == "submitted"


def test_a_broken_database_under_a_session_is_a_friendly_page_too(world, monkeypatch, caplog):
    client = world.client(Role.VIEWER)
    secret = "db-" + "secret"  # built, so no source line in a traceback shows it

    def down(*args, **kwargs):
        raise ConnectionError(f"password={secret} refused")

    monkeypatch.setattr("crosspost.web.routing._viewer", down)
    with caplog.at_level(logging.ERROR, logger="crosspost.web"):
        response = client.get("/")
    assert response.status_code == 500 and "Có lỗi không mong đợi" in response.text
    assert "db-secret" not in response.text
    assert "db-secret" not in "\n".join(r.getMessage() for r in caplog.records)
