"""The OAuth 2.0 PKCE pieces on their own: verifier, S256 challenge (RFC 7636's own example),
state, the authorize URL, reading the pasted redirect, and how the token's end is stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from crosspost.adapters.base import AuthenticationError
from crosspost.adapters.x.oauth2 import (
    SCOPES,
    RedirectProblem,
    Tokens,
    TokenUnavailable,
    authorize_url,
    code_from,
    expiry_text,
    new_state,
    new_verifier,
    parse_expiry,
    s256_challenge,
)
from crosspost.adapters.x.oauth2_tokens import Pair

UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]+")


def test_the_s256_challenge_is_rfc_7636s_example() -> None:
    # RFC 7636, Appendix B: this verifier gives this challenge.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_verifier_is_128_unreserved_characters_and_never_repeats() -> None:
    verifiers = {new_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    for verifier in verifiers:
        assert len(verifier) == 128 and UNRESERVED.fullmatch(verifier)
        assert "=" not in s256_challenge(verifier)


def test_states_are_unguessable_and_differ() -> None:
    states = {new_state() for _ in range(50)}
    assert len(states) == 50 and all(len(s) >= 40 for s in states)


def test_the_authorize_url_asks_for_every_scope_crosspost_needs_with_s256() -> None:
    url = authorize_url(
        "https://api.twitter.com", "client-1", "http://127.0.0.1:8765/cb", "st", "ch"
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://x.com/i/oauth2/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "http://127.0.0.1:8765/cb",
        "scope": "tweet.read tweet.write users.read media.write offline.access",
        "state": "st",
        "code_challenge": "ch",
        "code_challenge_method": "S256",
    }
    assert set(query["scope"].split()) == set(SCOPES)


def test_the_authorize_page_of_another_api_root_is_on_that_host() -> None:
    url = authorize_url("http://127.0.0.1:9/", "c", "http://127.0.0.1/cb", "s", "x")
    assert url.startswith("http://127.0.0.1:9/i/oauth2/authorize?")


def test_the_code_is_read_from_the_redirect_or_taken_alone() -> None:
    assert code_from(" http://127.0.0.1:8765/callback?state=abc&code=THE-CODE \n", "abc") == (
        "THE-CODE"
    )
    assert code_from("?state=abc&code=C2", "abc") == "C2"
    assert code_from("Q29kZTE2", "abc") == "Q29kZTE2"


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("http://127.0.0.1/callback?state=other&code=C", "state is not the one"),
        ("http://127.0.0.1/callback?code=C", "state is not the one"),
        ("http://127.0.0.1/callback?state=abc", "no code"),
        ("http://127.0.0.1/callback?error=access_denied&state=abc", "declined"),
        ("   ", "nothing was pasted"),
    ],
)
def test_a_redirect_that_cannot_be_used_says_why(pasted: str, said: str) -> None:
    with pytest.raises(RedirectProblem, match=said):
        code_from(pasted, "abc")


def test_the_token_answer_gives_the_end_in_utc() -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    body = {
        "token_type": "bearer",
        "expires_in": 7200,
        "access_token": "AT",
        "scope": "tweet.read offline.access",
        "refresh_token": "RT",
    }
    tokens = Tokens.of(body, now)
    assert tokens.expires_at == now + timedelta(hours=2)
    assert tokens.refresh_token == "RT" and tokens.scopes == {"tweet.read", "offline.access"}
    assert Tokens.of({**body, "refresh_token": None}, now).refresh_token is None
    with pytest.raises(TokenUnavailable):
        Tokens.of({"error": "invalid_request"}, now)


def test_the_stored_expiry_is_iso_utc_and_reads_back() -> None:
    moment = datetime(2026, 12, 2, 12, 0, 5, 999, tzinfo=UTC)
    text = expiry_text(moment)
    assert text == "2026-12-02T12:00:05Z"
    assert parse_expiry(text) == moment.replace(microsecond=0)
    assert parse_expiry("2026-12-02T12:00:05") == moment.replace(microsecond=0)  # naive: UTC
    assert parse_expiry("not a time") is None and parse_expiry(None) is None


def test_a_pair_without_its_refresh_token_names_the_fix() -> None:
    with pytest.raises(AuthenticationError, match=r"crosspost auth x acct --oauth2"):
        Pair.of({"bearer_token": "AT"}, "acct")
    due = Pair.of({"bearer_token": "AT", "refresh_token": "RT"}, "acct")
    assert due.expires_at.year == 1970  # no expiry stored: due at once
