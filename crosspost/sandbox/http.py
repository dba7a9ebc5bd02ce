"""Request and response values for sandbox handlers, independent of the server underneath."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, BinaryIO
from urllib.parse import parse_qs

_UNPARSED = object()  # Request._json before the body is parsed (None is a parsed empty body)


class Request:
    """One incoming request. The body is read lazily, so uploads can stream in chunks."""

    def __init__(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Message,
        rfile: BinaryIO,
        content_length: int,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self._rfile = rfile
        self.content_length = content_length
        self._remaining = content_length
        self._body: bytes | None = None
        self._json: Any = _UNPARSED
        self.params: dict[str, str] = {}  # named groups of the matched route

    # -- query and headers ---------------------------------------------------------------
    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self) -> dict[str, str]:
        """The query string as one value per name (the first, where a name repeats)."""
        return {k: v[0] for k, v in self.query.items()}

    def header(self, name: str, default: str | None = None) -> str | None:
        value = self.headers.get(name)
        return value if value is not None else default

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def authorization(self) -> tuple[str, str]:
        """The Authorization header as (scheme as sent, credentials); ("", "") without one."""
        scheme, _, credentials = (self.header("Authorization") or "").strip().partition(" ")
        return scheme, credentials.strip()

    def token(self, *schemes: str) -> str | None:
        """The credentials of an Authorization header in one of `schemes` (any case), or None."""
        scheme, credentials = self.authorization()
        if scheme.lower() in (s.lower() for s in schemes):
            return credentials or None
        return None

    def bearer_token(self) -> str | None:
        return self.token("Bearer")

    # -- body ----------------------------------------------------------------------------
    def stream(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Yield the body in chunks without keeping it; each byte is yielded once."""
        if self._body is not None:
            yield self._body
            return
        while self._remaining > 0:
            data = self._rfile.read(min(chunk_size, self._remaining))
            if not data:
                break
            self._remaining -= len(data)
            yield data

    def body(self) -> bytes:
        if self._body is None:
            self._body = b"".join(self.stream())
        return self._body

    def drain(self) -> int:
        """Discard what a handler did not read, so the connection can be reused; the bytes
        discarded (they still crossed the wire: uploads count them)."""
        return sum(len(chunk) for chunk in self.stream())

    def json(self) -> Any:
        """The body parsed as JSON (None when empty), parsed once: the request log and the
        handler both ask. Raises ValueError when it is not JSON."""
        if self._json is _UNPARSED:
            raw = self.body()
            self._json = json.loads(raw) if raw else None
        return self._json

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body, or the query string when there is none."""
        if self.content_type == "application/x-www-form-urlencoded":
            parsed = parse_qs(self.body().decode("utf-8"), keep_blank_values=True)
            return {k: v[0] for k, v in parsed.items()}
        return self.args()

    def multipart(self) -> dict[str, MultipartField]:
        """A multipart/form-data body as named fields (small parts only: images, chunks)."""
        from python_multipart.multipart import parse_options_header

        from crosspost.sandbox.multipart import parse_multipart

        _, options = parse_options_header(self.header("Content-Type") or "")
        boundary = options.get(b"boundary")
        if not boundary:
            raise ValueError("multipart body without a boundary")
        return parse_multipart(self.stream(), boundary)


@dataclass
class MultipartField:
    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Apply the action, then drop the connection without answering ("ambiguous" outcome).
    drop: bool = False

    @classmethod
    def json(
        cls, obj: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        merged = {"Content-Type": "application/json; charset=UTF-8"}
        merged.update(headers or {})
        return cls(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), merged)

    @classmethod
    def text(
        cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8"
    ) -> Response:
        """A text answer: a plain-text error, a form-encoded token, an HTML page."""
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type})

    @classmethod
    def html(cls, markup: str, status: int = 200) -> Response:
        return cls.text(markup, status, "text/html; charset=utf-8")

    @classmethod
    def empty(cls, status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, b"", dict(headers or {}))
