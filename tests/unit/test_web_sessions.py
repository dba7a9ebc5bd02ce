"""Sessions nobody signed in to are capped on their own: a flood of visitors opening the login
form drops the oldest visitors' sessions, never a signed-in user's."""

from __future__ import annotations

from crosspost.web import security
from crosspost.web.security import SessionStore


def test_a_flood_of_visitors_never_signs_anyone_out(monkeypatch):
    monkeypatch.setattr(security, "MAX_ANONYMOUS", 50)
    monkeypatch.setattr(security, "MAX_SESSIONS", 60)
    store = SessionStore()
    editor = store.sign_in(store.new(), 1, "bien-tap")
    first_visitor = store.new()
    for _ in range(1_000):
        store.new()
    assert store.get(editor.token) is editor  # still signed in
    assert store.get(first_visitor.token) is None  # the oldest visitors went first
    assert len(store.anonymous) == 50 and len(store.sessions) == 51


def test_signed_in_sessions_beyond_the_cap_go_oldest_first(monkeypatch):
    monkeypatch.setattr(security, "MAX_ANONYMOUS", 50)
    monkeypatch.setattr(security, "MAX_SESSIONS", 5)
    store = SessionStore()
    signed = [store.sign_in(None, n, f"user{n}") for n in range(6)]
    assert store.get(signed[0].token) is None
    assert all(store.get(s.token) is s for s in signed[1:])
    assert store.anonymous == {}
