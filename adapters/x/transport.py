"""How the X adapter talks HTTP: the `requests` session tweepy is given, and its bearer auth.

Kept apart from `crosspost.adapters.x` so that importing the adapter (config validation does,
on every command) loads neither `requests` nor tweepy: the adapter imports this module when it
builds its client.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.auth import AuthBase

TWEEPY_HOST = "https://api.twitter.com"  # what tweepy 4.17's BaseClient.request builds on


class HostSession(requests.Session):
    """tweepy's session, moving tweepy's hard-coded host to `base_url` and adding a timeout.

    The URL is rewritten before the request is prepared, not in a transport adapter at send time,
    because OAuth 1.0a signs the URL: the signature must cover the URL actually requested.
    """

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        url = request.url
        if isinstance(url, str) and url.startswith(TWEEPY_HOST + "/"):
            request.url = self.base_url + url[len(TWEEPY_HOST) :]
        return super().prepare_request(request)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class BearerAuth(AuthBase):
    """OAuth 2.0 user context: the token in the Authorization header, never in a repr."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth('***')"
