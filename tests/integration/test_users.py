"""Users of the web workspace in the core: roles, a contributor's unit, argon2 hashes that no
listing shows, and sign-in checks that say nothing about which half was wrong."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from crosspost.db.models import AuditEvent
from crosspost.errors import UserError
from crosspost.users import (
    add_user,
    disable_user,
    list_users,
    set_password,
    user_json,
    verify_login,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ["ha-noi", "da-nang"]


def test_a_user_signs_in_with_its_password_only(db):
    with db.factory.begin() as session:
        add_user(session, "bien-tap", "editor", unit=None, actor="admin", unit_codes=UNITS)
        assert verify_login(session, "bien-tap", "anything at all") is None  # no password yet
        set_password(session, "bien-tap", "mật khẩu đủ dài", actor="admin")
    with db.factory.begin() as session:
        assert verify_login(session, "bien-tap", "mật khẩu đủ dài").name == "bien-tap"
        assert verify_login(session, "bien-tap", "mật khẩu sai rồi") is None
        assert verify_login(session, "nobody", "mật khẩu đủ dài") is None
        stored = list_users(session)[0].password_hash
        assert stored.startswith("$argon2id$") and "mật" not in stored
        actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)]
        assert actions == ["user_add", "user_passwd"]


def test_a_disabled_user_cannot_sign_in(db):
    with db.factory.begin() as session:
        add_user(session, "viewer1", "viewer", unit=None, actor="admin", unit_codes=UNITS)
        set_password(session, "viewer1", "a long enough one", actor="admin")
        disable_user(session, "viewer1", actor="admin")
        assert verify_login(session, "viewer1", "a long enough one") is None
        with pytest.raises(UserError, match="disabled already"):
            disable_user(session, "viewer1", actor="admin")


def test_listing_keys_are_stable_and_never_hold_the_hash(db):
    with db.factory.begin() as session:
        add_user(session, "c1", "contributor", unit="ha-noi", actor="admin", unit_codes=UNITS)
        set_password(session, "c1", "a long enough one", actor="admin")
        data = user_json(list_users(session)[0], ZONE)
    assert list(data) == [
        "name",
        "role",
        "unit",
        "enabled",
        "has_password",
        "created_at",
        "created_by",
        "password_changed_at",
        "disabled_at",
        "has_token",
        "token_created_at",
    ]
    assert data["unit"] == "ha-noi" and data["has_password"] is True
    assert "argon2" not in repr(data)
    assert data["created_at"].endswith("+07:00")


@pytest.mark.parametrize(
    ("name", "role", "unit", "message"),
    [
        ("c2", "contributor", None, "a contributor belongs to one unit; add --unit CODE"),
        ("c2", "contributor", "hue", "unknown unit 'hue' for --unit; known units: da-nang, ha-noi"),
        ("e2", "editor", "ha-noi", "--unit is for contributors only"),
        ("e2", "boss", None, "--role 'boss' is not a role; use one of admin, editor"),
        ("Bad Name", "viewer", None, "user name 'Bad Name' must be 1-64 lowercase"),
    ],
)
def test_bad_users_are_refused_in_one_line(sqlite_db, name, role, unit, message):
    with sqlite_db.factory.begin() as session, pytest.raises(UserError) as caught:
        add_user(session, name, role, unit=unit, actor="admin", unit_codes=UNITS)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_name_is_taken_once_and_a_short_password_is_refused(sqlite_db):
    with sqlite_db.factory.begin() as session:
        add_user(session, "p1", "planner", unit=None, actor="admin", unit_codes=UNITS)
        with pytest.raises(UserError, match="exists already"):
            add_user(session, "p1", "viewer", unit=None, actor="admin", unit_codes=UNITS)
        with pytest.raises(UserError, match="at least 10 characters"):
            set_password(session, "p1", "short", actor="admin")
