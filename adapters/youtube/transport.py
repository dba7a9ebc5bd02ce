"""How the YouTube adapter talks HTTP: googleapiclient over an authorised httplib2 connection.

Kept apart from the adapter so that importing it (config validation does, on every command)
loads none of googleapiclient, google-auth or httplib2: the adapter imports this module when
it builds its client or reads an error.
"""

from __future__ import annotations

import http.client
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import httplib2  # type: ignore[import-untyped]
from google.auth.exceptions import TransportError
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp  # type: ignore[import-untyped]
from googleapiclient.discovery import build_from_document
from googleapiclient.http import MediaFileUpload


@lru_cache(maxsize=8)
def discovery_document(base_url: str) -> str:
    """The packaged youtube.v3 discovery document with every root moved to `base_url`.

    `client_options.api_endpoint` alone moves API calls but leaves media uploads on https
    and Google's host; googleapiclient builds upload URLs from `rootUrl`, so moving the roots
    in the document moves both.
    """
    source = resources.files("googleapiclient").joinpath(
        "discovery_cache/documents/youtube.v3.json"
    )
    document = json.loads(source.read_text(encoding="utf-8"))
    root = base_url.rstrip("/") + "/"
    document["rootUrl"] = document["mtlsRootUrl"] = root
    document["baseUrl"] = root + document.get("servicePath", "")
    return json.dumps(document)


# A dropped or timed-out connection, from httplib2, the socket or google-auth's refresh.
TRANSPORT_ERRORS = (httplib2.HttpLib2Error, http.client.HTTPException, OSError, TransportError)


class ChunkFileUpload(MediaFileUpload):  # type: ignore[misc]
    """Sends each chunk as bytes instead of a slice of the open file.

    httplib2 silently re-sends a request once when the connection drops before an answer, and
    AuthorizedHttp re-sends after refreshing a token: a file slice is used up by then and would
    go out empty under the same Content-Length (the server then waits for the timeout). Bytes
    re-send whole; memory stays at one chunk.
    """

    def has_stream(self) -> bool:
        return False


class TokenAnswerHttp(httplib2.Http):  # type: ignore[misc]
    """An httplib2 connection that keeps the status and headers of the token endpoint's last
    answer: google-auth's RefreshError carries neither, and a 429 or 5xx from the endpoint is
    a wait, not a revoked grant (google-auth marks those `retryable`)."""

    def __init__(self, token_uri: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.token_uri = token_uri
        self.last_token_answer: dict[str, str] = {}

    def _conn_request(
        self, conn: Any, request_uri: str, method: str, body: Any, headers: Any
    ) -> Any:
        """httplib2 sends a request again, silently, when the connection drops before the
        status line (its `_conn_request` retries a BadStatusLine on the first try, whatever the
        method). For an API write (POST under /youtube/v3/: playlistItems.insert) that would
        make it twice (the sandbox's records showed two playlist items), so there the drop is
        raised instead, as a connection that was made and gave no answer (ambiguous)."""
        if method != "POST" or not request_uri.startswith("/youtube/v3/"):
            return super()._conn_request(conn, request_uri, method, body, headers)
        original = conn.getresponse

        def once() -> Any:
            try:
                return original()
            except http.client.BadStatusLine as exc:  # RemoteDisconnected is one
                raise ConnectionAbortedError(f"no answer to the write ({exc!r})") from exc

        conn.getresponse = once
        try:
            return super()._conn_request(conn, request_uri, method, body, headers)
        finally:
            conn.getresponse = original

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        response, content = super().request(uri, *args, **kwargs)
        if uri == self.token_uri:
            self.last_token_answer = {k.lower(): str(v) for k, v in dict(response).items()}
        return response, content


def build_client(
    document: str,
    *,
    token: str | None,
    refresh_token: str,
    token_uri: str,
    client_id: str,
    client_secret: str,
    timeout: float,
) -> tuple[Any, Any]:
    """(the googleapiclient Resource built from `document`, the raw httplib2 connection under
    it, which `close` releases). The access token is refreshed through `token_uri` as needed."""
    credentials = Credentials(  # type: ignore[no-untyped-call]
        token=token,
        refresh_token=refresh_token,
        token_uri=token_uri,
        client_id=client_id,
        client_secret=client_secret,
    )
    raw = TokenAnswerHttp(token_uri, timeout)
    raw.redirect_codes = raw.redirect_codes - {308}  # 308 means "resume incomplete"
    authed = AuthorizedHttp(credentials, http=raw)
    return build_from_document(document, http=authed), raw
