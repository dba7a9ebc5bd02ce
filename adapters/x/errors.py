"""How X's failures become the base error classes, and its credentials stay out of logs.

X answers with a status, its own code (v1.1 `errors[].code` or a Problem's `type`) and a
reason; a lost answer is ambiguous only while creating a post, since then the post may exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

from crosspost.adapters.base import (
    AuthenticationError,
    DuplicateContentError,
    PermanentError,
    PublishError,
    RateLimitedError,
    no_answer,
    unsettled_error,
)
from crosspost.adapters.common import retry_at_epoch

# What `crosspost auth x --oauth2` asks for (oauth2.py's SCOPES; kept here so that reading an
# error needs no OAuth module).
OAUTH2_SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")

if TYPE_CHECKING:
    import requests

# Stages of a publish: a 5xx or lost answer means "maybe created" only when creating a post.
CREATE, MEDIA, READ = "create post", "media upload", "read"


class Redactor(logging.Filter):
    """oauthlib and requests-oauthlib log the consumer key and token at DEBUG: mask them."""

    LOGGERS = ("requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849", "tweepy.client")

    def __init__(self) -> None:
        super().__init__()
        self.values: set[str] = set()
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            if value:
                once = quote(value, safe="~")  # as in the header; twice in the base string
                self.values.update({value, once, quote(once, safe="~")})

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hits = [v for v in self.values if v in message]
        if hits:
            for value in sorted(hits, key=len, reverse=True):
                message = message.replace(value, "***")
            record.msg, record.args = message, None
        return True


REDACTOR = Redactor()


def http_error(
    response: requests.Response, stage: str, scrub: Callable[[str], str], account: str
) -> PublishError:
    """X's answer as the taxonomy: status, X's code and X's own reason (`scrub`bed of the
    account's credentials) on the exception."""
    status = response.status_code
    reason, code = reason_of(response)
    reason = scrub(reason)
    message = f"x {stage}: HTTP {status}: {reason}"
    if status == 429:
        reset_at = retry_at_epoch(response.headers.get("x-rate-limit-reset"))
        return RateLimitedError(message, http_status=status, platform_code=code, retry_at=reset_at)
    if status == 401:
        return AuthenticationError(message, http_status=status, platform_code=code)
    if status == 403 and _scope_refusal(response):
        # The account's grant, not the post, is at fault: pause it until it is authorised again
        # (failing the post would fail every later one the same way).
        return AuthenticationError(
            f"{message}: the OAuth 2.0 token lacks a scope this call needs (crosspost asks for "
            f"{' '.join(OAUTH2_SCOPES)}); run `crosspost auth x {account} --oauth2`",
            http_status=status,
            platform_code=code,
        )
    if status == 403 and "duplicate content" in reason.lower():
        return DuplicateContentError(message, http_status=status, platform_code=code)
    if 400 <= status < 500:
        return PermanentError(message, http_status=status, platform_code=code)
    creating = stage == CREATE
    return unsettled_error(message, creating=creating, http_status=status, platform_code=code)


def _scope_refusal(response: requests.Response) -> bool:
    """X's answer to an OAuth 2.0 user token without the scope the endpoint's `security` lists:
    403 with the bare Problem {"title": "Forbidden", "detail": "Forbidden", "type":
    "about:blank"} (plhery/node-twitter-api-v2 issue 265), no `errors`, no reason of its own
    (duplicate content and reply refusals say why)."""
    sent = str(response.request.headers.get("Authorization", "")) if response.request else ""
    if not sent.startswith("Bearer "):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("detail") == "Forbidden"
        and body.get("type") == "about:blank"
        and not body.get("errors")
    )


def reason_of(response: requests.Response) -> tuple[str, str | None]:
    """X's message and code: `errors[].message`/`code` (v1.1 style) or the Problem's detail."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or "no reason given", None
    if not isinstance(body, dict):
        return response.reason or "no reason given", None
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    messages = [str(e["message"]) for e in errors if e.get("message")]
    codes = [str(e["code"]) for e in errors if "code" in e]
    problem = str(body.get("type") or "")
    code = codes[0] if codes else (problem.rsplit("/", 1)[-1] if "/problems/" in problem else None)
    detail = str(body.get("detail") or body.get("title") or response.reason or "")
    return "; ".join(messages) if messages else detail, code


def transport_error(exc: requests.RequestException, stage: str) -> PublishError:
    """No answer: nothing was sent if we never connected; otherwise a post may exist."""
    import requests
    import urllib3

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    never_connected = isinstance(exc, requests.ConnectTimeout) or isinstance(
        reason, urllib3.exceptions.NewConnectionError
    )
    return no_answer(
        f"x {stage}",
        type(exc).__name__,
        creating=stage == CREATE,
        connected=not never_connected,
        note="the post may exist",
    )
