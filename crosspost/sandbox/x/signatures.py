"""OAuth 1.0a as X reads it: the Authorization header's parameters and HMAC-SHA1 signatures.

RFC 5849 is the source: the signature base string (3.4.1), HMAC-SHA1 (3.4.2) and the percent
encoding (3.6). X takes HMAC-SHA1 only; the other methods are recognised, then refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qsl, quote, unquote

from crosspost.sandbox.http import Request

OAUTH_PARAM = re.compile(r'\s*([A-Za-z_]+)="([^"]*)"\s*')
OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
)
OAUTH_METHODS = {"HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"}


def credential_key(scheme: str, rest: str) -> str | None:
    """A key for the user an Authorization header (scheme, credentials) names: the bearer
    token, or OAuth 1.0a's oauth_token."""
    if scheme.lower() == "bearer":
        return f"bearer:{rest}" if rest and " " not in rest and rest != "None" else None
    if scheme != "OAuth":
        return None
    header = _header_parameters(rest)
    if header is None or not oauth_complete(dict(header), with_token=True):
        return None
    return f"oauth1:{dict(header)['oauth_token']}"


def _header_parameters(credentials: str) -> list[tuple[str, str]] | None:
    """An OAuth 1.0a header's parameters, decoded, in order; None when it is malformed."""
    params: list[tuple[str, str]] = []
    for item in credentials.split(","):
        match = OAUTH_PARAM.fullmatch(item)
        if match is None:
            return None
        params.append((match[1], unquote(match[2])))
    return params


def oauth_complete(oauth: dict[str, str], *, with_token: bool) -> bool:
    """Whether the OAuth 1.0a parameters X requires are there and well formed."""
    required = (
        OAUTH_REQUIRED if with_token else tuple(k for k in OAUTH_REQUIRED if k != "oauth_token")
    )
    return (
        all(oauth.get(k) for k in required)
        and oauth["oauth_signature_method"] in OAUTH_METHODS
        and oauth["oauth_timestamp"].isdigit()
    )


def oauth_parameters(request: Request) -> list[tuple[str, str]] | None:
    """What an OAuth 1.0a signature covers: the query, the Authorization header (but realm) and
    a form body, decoded, oauth_signature included; None without a well-formed OAuth header."""
    scheme, credentials = request.authorization()
    header = _header_parameters(credentials) if scheme == "OAuth" else None
    if header is None:
        return None
    params = [(name, value) for name, values in request.query.items() for value in values]
    params += [(name, value) for name, value in header if name != "realm"]
    if request.content_type == "application/x-www-form-urlencoded":
        body = request.body().decode("utf-8", "replace")
        params += parse_qsl(body, keep_blank_values=True)
    return params


def signature_ok(
    request: Request, params: list[tuple[str, str]], consumer_secret: str, token_secret: str
) -> bool:
    """Whether oauth_signature is the request's HMAC-SHA1 with these secrets (RFC 5849 3.4)."""
    oauth = dict(params)
    if oauth.get("oauth_signature_method") != "HMAC-SHA1":  # the only method X accepts
        return False
    host = (request.header("Host") or "").lower().removesuffix(":80")
    signed = sorted((_percent(k), _percent(v)) for k, v in params if k != "oauth_signature")
    normalized = "&".join(f"{k}={v}" for k, v in signed)
    parts = (request.method.upper(), f"http://{host}{request.path}", normalized)
    base = "&".join(_percent(part) for part in parts)
    key = f"{_percent(consumer_secret)}&{_percent(token_secret)}"
    expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest())
    return hmac.compare_digest(expected, oauth.get("oauth_signature", "").encode("utf-8"))


def _percent(value: str) -> str:
    """RFC 5849 3.6 encoding: UTF-8, every byte but the unreserved characters escaped."""
    return quote(value, safe="~")
