"""A small world for the web tests: a config on the in-memory adapters, a units.toml with two
units and their approvers, one user of each role (a contributor of ha-noi), submitted items
from both units and a scheduled post of each; and a TestClient signed in as any of them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crosspost import content as lifecycle
from crosspost.adapters.base import ContentKind
from crosspost.config import Config, parse_config
from crosspost.content import NewContent
from crosspost.intake.units import load_intake
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from crosspost.tokens import new_token
from crosspost.users import Role, add_user, set_password
from crosspost.web.app import create_app
from tests.conftest import Database, memory_accounts_toml

PASSWORD = "mật khẩu thử nghiệm"
UNITS_TOML = """
[review]
approvers = ["admin1", "editor1"]

[units.ha-noi]
name = "Thành ủy Hà Nội"

[units.da-nang]
name = "Thành ủy Đà Nẵng"
"""
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def user_name(role: Role) -> str:
    return f"{role.value}1"


@dataclass
class World:
    config: Config
    db: Database
    submitted: dict[str, int] = field(default_factory=dict)  # unit -> submitted content id
    posts: dict[str, int] = field(default_factory=dict)  # unit -> a scheduled post id
    tokens: dict[Role, str] = field(default_factory=dict)  # each user's API token
    app: FastAPI | None = None

    def web(self) -> FastAPI:
        if self.app is None:
            self.app = create_app(self.config, factory=self.db.factory)
        return self.app

    def client(self, role: Role | None = None) -> TestClient:
        """A browser-like client: anonymous, or signed in as the user of `role`."""
        client = TestClient(self.web(), raise_server_exceptions=False)
        if role is not None:
            sign_in(client, user_name(role), PASSWORD)
        return client

    def api(self, role: Role | None = None, token: str | None = None) -> TestClient:
        """A script's client for /api/v1: the role's bearer token (or `token`), no cookie."""
        client = TestClient(self.web(), raise_server_exceptions=False)
        chosen = token if token is not None else self.tokens.get(role) if role else None
        if chosen is not None:
            client.headers["Authorization"] = f"Bearer {chosen}"
        return client

    def csrf(self, client: TestClient) -> str:
        """The CSRF token of the client's session (an anonymous client opens one first)."""
        if "crosspost_session" not in client.cookies:
            client.get("/login")
        session = self.web().state.web.sessions.get(client.cookies["crosspost_session"])
        assert session is not None, "the client's session has ended"
        return str(session.csrf)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str) -> None:
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def _item(unit: str, title: str, slug: str, kind: ContentKind = ContentKind.ARTICLE) -> NewContent:
    return NewContent(
        kind=kind,
        title=title,
        summary="Hội nghị tổng kết công tác xây dựng Đảng năm 2026 của " + unit + ".",
        link=f"https://tapchi.example.vn/xay-dung-dang/{unit}-{slug}",
        hashtags=["XâyDựngĐảng"],
        unit=unit,
    )


def cheap_hasher() -> PasswordHasher:
    """Argon2 at its cheapest: the tests check what is hashed and when, not argon2's cost."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def build_world(tmp_path: Path, db: Database, journal: Path) -> World:
    (tmp_path / "data").mkdir(exist_ok=True)
    text = (
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n'
        'timezone = "Asia/Ho_Chi_Minh"\n\n' + memory_accounts_toml(journal)
    )
    path = tmp_path / "crosspost.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "units.toml").write_text(UNITS_TOML, encoding="utf-8")
    config = parse_config(tomllib.loads(text), path)
    world = World(config, db)
    intake = load_intake(config)
    with db.factory.begin() as session:
        for role in Role:
            unit = "ha-noi" if role == Role.CONTRIBUTOR else None
            name = user_name(role)
            add_user(session, name, role, unit=unit, actor="tester", unit_codes=list(intake.units))
            set_password(session, name, PASSWORD, actor="tester")
            world.tokens[role] = new_token(session, name, actor="tester")[1]
        at = utcnow() + timedelta(hours=2)
        for unit in ("ha-noi", "da-nang"):
            waiting = lifecycle.add_content(
                session, _item(unit, f"Bài chờ duyệt {unit}", "cho-duyet"), "tester", store=None
            )
            lifecycle.submit(session, waiting.id, "tester")
            world.submitted[unit] = waiting.id
            ready = lifecycle.add_content(
                session, _item(unit, f"Bài đã duyệt {unit}", "da-duyet"), "tester", store=None
            )
            lifecycle.submit(session, ready.id, "tester")
            lifecycle.approve(session, ready.id, "editor1", approvers=intake)
            posts = schedule(session, config, ready.id, at, actor="tester", platforms=["x"])
            world.posts[unit] = posts[0].id
    return world
