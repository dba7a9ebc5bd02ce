"""Every route of the web's route table, tried as every role and as nobody: allowed where the
table says so, refused everywhere else; a POST without its CSRF token refused for everyone; a
contributor never sees another unit's items or posts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from httpx import Response

from crosspost.users import Role
from crosspost.web.routing import ROUTES, Route
from tests.support.web import World, build_world, cheap_hasher

# What each route is sent (its path filled in from the world, its form fields): a route added
# to the table without an entry here fails `test_every_route_has_its_inputs`.
Inputs = Callable[[World], tuple[str, dict[str, Any]]]
INPUTS: dict[tuple[str, str], Inputs] = {
    ("GET", "/login"): lambda w: ("/login", {}),
    ("POST", "/login"): lambda w: ("/login", {"name": "nobody", "password": "wrong password"}),
    ("POST", "/logout"): lambda w: ("/logout", {}),
    ("POST", "/language"): lambda w: ("/language", {"language": "en", "next": "/queue"}),
    ("GET", "/"): lambda w: ("/", {}),
    ("GET", "/queue"): lambda w: ("/queue", {}),
    ("GET", "/media/{media_id}"): lambda w: ("/media/999999", {}),
    ("POST", "/queue/decide"): lambda w: ("/queue/decide", {"decision": "approve", "ids": "0"}),
    ("GET", "/posts/{post_id}"): lambda w: (f"/posts/{w.posts['ha-noi']}", {}),
    ("POST", "/posts/{post_id}/cancel"): lambda w: (f"/posts/{w.posts['ha-noi']}/cancel", {}),
    ("POST", "/posts/{post_id}/retry"): lambda w: (f"/posts/{w.posts['ha-noi']}/retry", {}),
    ("POST", "/posts/{post_id}/move"): lambda w: (
        f"/posts/{w.posts['ha-noi']}/move",
        {"at": _tomorrow_local(w), "next": "/calendar"},
    ),
    ("POST", "/posts/{post_id}/repost"): lambda w: (
        f"/posts/{w.posts['ha-noi']}/repost",
        {"reason": "thử quyền", "at": _tomorrow_local(w)},
    ),
    ("GET", "/calendar"): lambda w: ("/calendar?view=week", {}),
    ("GET", "/plan"): lambda w: ("/plan", {}),
    ("POST", "/plan/apply"): lambda w: ("/plan/apply", {"expect": "000000000000"}),
    ("GET", "/units"): lambda w: ("/units", {}),
    ("GET", "/units.csv"): lambda w: ("/units.csv", {}),
    ("GET", "/portal"): lambda w: ("/portal", {}),
    ("POST", "/portal/item"): lambda w: ("/portal/item", {"kind": "article", "title": ""}),
    ("POST", "/portal/submission"): lambda w: ("/portal/submission", {}),
    ("GET", "/api/v1/posts"): lambda w: ("/api/v1/posts", {}),
    ("GET", "/api/v1/posts/{post_id}"): lambda w: (f"/api/v1/posts/{w.posts['ha-noi']}", {}),
    ("POST", "/api/v1/posts/{post_id}/cancel"): lambda w: (
        f"/api/v1/posts/{w.posts['ha-noi']}/cancel",
        {"reason": "thử quyền"},
    ),
    ("POST", "/api/v1/posts/{post_id}/retry"): lambda w: (
        f"/api/v1/posts/{w.posts['ha-noi']}/retry",
        {},
    ),
    ("GET", "/api/v1/queue"): lambda w: ("/api/v1/queue", {}),
    ("POST", "/api/v1/queue/decide"): lambda w: (
        "/api/v1/queue/decide",
        {"decision": "approve", "ids": [999_999]},
    ),
    ("GET", "/api/v1/today"): lambda w: ("/api/v1/today", {}),
}
WHO: list[Role | None] = [None, *Role]


def _tomorrow_local(world: World) -> str:
    """Tomorrow at 10:00 in the world's zone, as a datetime-local field sends it."""
    from datetime import timedelta

    from crosspost.timeutil import utcnow

    day = (utcnow().astimezone(world.config.timezone) + timedelta(days=1)).date()
    return f"{day}T10:00"


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def _allowed(route: Route, role: Role | None) -> bool:
    return route.roles is None or (role is not None and role in route.roles)


def _call(world: World, who: Role | None, route: Route, path: str, form: dict[str, Any]):
    if route.api:  # a script with the role's token, never a cookie
        api = world.api(who)
        if route.method == "GET":
            return api.get(path)
        return api.post(path, json=form)
    client = world.client(who)
    if route.method == "GET":
        return client.get(path, follow_redirects=False)
    data = {**form, "csrf": world.csrf(client)}
    return client.post(path, data=data, follow_redirects=False)


def _refused(response: Response) -> bool:
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code in (401, 403)  # the API: no token, or not the role
    # Refused by sign-in: sent to the login form with where it wanted to go.
    to_login = response.status_code == 303 and response.headers["location"].startswith(
        "/login?next="
    )
    return response.status_code == 403 or to_login


def test_every_route_has_its_inputs():
    assert sorted(INPUTS) == sorted((r.method, r.path) for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_each_role_is_allowed_or_refused_as_the_table_says(world, route):
    seen = {}
    for who in WHO:
        path, form = INPUTS[(route.method, route.path)](world)
        response = _call(world, who, route, path, form)
        seen[who.value if who else "nobody"] = not _refused(response)
        assert response.status_code < 500, response.text
    expected = {(w.value if w else "nobody"): _allowed(route, w) for w in WHO}
    assert seen == expected


PAGE_POSTS = [r for r in ROUTES if r.method == "POST" and not r.api]
API_POSTS = [r for r in ROUTES if r.method == "POST" and r.api]


@pytest.mark.parametrize("route", PAGE_POSTS, ids=lambda r: r.path)
def test_a_post_without_its_csrf_token_is_refused_for_everyone(world, route):
    for who in WHO:
        client = world.client(who)
        path, form = INPUTS[(route.method, route.path)](world)
        for token in (None, "forged-token"):
            data = form if token is None else {**form, "csrf": token}
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (who, token, response.status_code)
    with world.db.factory() as session:  # nothing changed: the post is still scheduled
        from crosspost.scheduling import get_post

        assert get_post(session, world.posts["ha-noi"]).state == "scheduled"


@pytest.mark.parametrize("route", API_POSTS, ids=lambda r: r.path)
def test_a_signed_in_browser_cookie_never_authenticates_an_api_post(world, route):
    """CSRF safety: the API reads a bearer token only, so a page elsewhere that makes a
    signed-in browser post to it gets 401, whatever the form or the CSRF token it carries."""
    client = world.client(Role.ADMIN)
    path, form = INPUTS[(route.method, route.path)](world)
    for sent in (
        {"json": form},
        {"data": {**form, "csrf": world.csrf(client)}},
    ):
        response = client.post(path, **sent)  # type: ignore[arg-type]
        assert response.status_code == 401, response.text
        assert list(response.json()) == ["error"]
    with world.db.factory() as session:
        from crosspost.scheduling import get_post

        assert get_post(session, world.posts["ha-noi"]).state == "scheduled"


def test_a_contributor_sees_its_own_unit_only(world):
    client = world.client(Role.CONTRIBUTOR)
    queue = client.get("/queue")
    assert queue.status_code == 200
    assert "Bài chờ duyệt ha-noi" in queue.text and "da-nang" not in queue.text
    assert 'name="ids"' not in queue.text  # read-only: no approve or reject for a contributor
    assert client.get(f"/posts/{world.posts['ha-noi']}").status_code == 200
    other = client.get(f"/posts/{world.posts['da-nang']}")
    assert other.status_code == 404 and "Bài đã duyệt da-nang" not in other.text
    editor = world.client(Role.EDITOR).get("/queue").text
    assert "Bài chờ duyệt ha-noi" in editor and "Bài chờ duyệt da-nang" in editor


def test_the_app_serves_the_route_table_and_the_static_files_only(world):
    from starlette.routing import Mount
    from starlette.routing import Route as StarletteRoute

    served = set()
    for r in world.web().routes:
        if isinstance(r, Mount):
            assert r.path == "/static"
            continue
        assert isinstance(r, StarletteRoute)
        served |= {(m, r.path) for m in (r.methods or ()) if m != "HEAD"}
    assert served == {(r.method, r.path) for r in ROUTES}
    anonymous = world.client()
    assert anonymous.get("/static/style.css").status_code == 200
    assert anonymous.get("/static/../crosspost.toml").status_code == 404
    assert anonymous.get("/static/%2e%2e/%2e%2e/units.toml").status_code == 404
    assert (
        anonymous.get("/docs").status_code == 404
        and anonymous.get("/openapi.json").status_code == 404
    )
