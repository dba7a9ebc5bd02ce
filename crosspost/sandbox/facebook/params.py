"""How Graph reads a request: parameters from the query, a form or a multipart body, the access
token, ``fields``, booleans, times, and ``limit``/``after`` cursor paging; and how it writes times.
"""

from __future__ import annotations

import base64
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox.facebook.errors import GraphError
from crosspost.sandbox.http import Request
from crosspost.sandbox.times import parse_iso, utc_text


def graph_time(ts: float) -> str:
    return utc_text(ts, "%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str | None) -> float | None:
    """Graph's `since`/`until`: a Unix timestamp or an ISO 8601 time."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = parse_iso(value)
    if parsed is None:
        raise GraphError(f"(#100) Invalid time for since/until: {value!r}", 100)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("false", "0", "no")


def graph_params(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """Query, urlencoded and multipart fields (Graph takes all three); file parts apart."""
    params = request.args()
    files: dict[str, bytes] = {}
    if request.content_type == "multipart/form-data":
        try:
            parts = request.multipart()
        except ValueError as exc:
            raise GraphError(f"(#100) Malformed multipart body: {exc}", 100) from None
        for name, part in parts.items():
            if part.filename is not None:
                files[name] = part.data
            else:
                params[name] = part.text
    elif request.content_type == "application/x-www-form-urlencoded":
        params.update(request.form())
    return params, files


def access_token(request: Request, params: dict[str, str]) -> str | None:
    """The token as Graph takes it: an `access_token` parameter, or a Bearer or OAuth header."""
    return params.get("access_token") or request.token("Bearer", "OAuth")


def fields(obj: dict[str, Any], params: dict[str, str], default: tuple[str, ...]) -> dict[str, Any]:
    """`obj` with the `fields` asked for (`default` when none are), id always, nulls left out."""
    wanted = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
    names = wanted or list(default)
    if "id" not in names:
        names.insert(0, "id")
    return {k: obj[k] for k in names if obj.get(k) is not None}


def paged(items: list[dict[str, Any]], params: dict[str, str], url: str) -> dict[str, Any]:
    """`items` windowed by `limit` (1-100, default 25) and an `after` cursor, as
    ``{"data", "paging": {"cursors", "next"}}``; `url` is the edge's, for the next page."""
    try:
        limit = min(100, max(1, int(params.get("limit") or 25)))
        start = int(base64.b64decode(params["after"]).decode()) if params.get("after") else 0
    except ValueError:
        raise GraphError("(#100) Invalid limit or after cursor", 100) from None
    page = items[start : start + limit]
    body: dict[str, Any] = {"data": page}
    if page:
        cursors = {
            "before": base64.b64encode(str(start).encode()).decode(),
            "after": base64.b64encode(str(start + len(page)).encode()).decode(),
        }
        body["paging"] = {"cursors": cursors}
        if start + limit < len(items):
            query = urlencode({**params, "after": cursors["after"]})
            body["paging"]["next"] = f"{url}?{query}"
    return body
