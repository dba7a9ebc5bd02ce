"""A worker warms each adapter up before its first claim: libraries, templates and the client
are loaded, and no request leaves (the address below answers nothing)."""

from __future__ import annotations

import socket

import pytest

from crosspost.adapters.facebook import FacebookAdapter
from crosspost.adapters.x import XAdapter
from crosspost.adapters.youtube import YouTubeAdapter
from tests.support import facebook_helpers, youtube_helpers
from tests.support.x_helpers import oauth1_account


@pytest.fixture
def silent_url():
    """A listening socket that never accepts: any request would hang, so none may be made."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.mark.parametrize(
    "build",
    [
        lambda url: FacebookAdapter(facebook_helpers.account(url)),
        lambda url: XAdapter(oauth1_account(url)),
        lambda url: YouTubeAdapter(youtube_helpers.account(url)),
    ],
    ids=["facebook", "x", "youtube"],
)
def test_warm_up_builds_the_client_without_a_request(build, silent_url):
    adapter = build(silent_url)
    try:
        adapter.warm_up()
        assert adapter._client is not None
    finally:
        adapter.close()
