"""The canonical link, tagged per platform with the account's UTM parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit


def add_utm(link: str, utm: Mapping[str, Any] | None) -> str:
    """`link` with `utm` added to its query.

    Existing parameters are kept exactly as written (their encoding included); a parameter the
    account sets (utm_source…) replaces one of the same name, so a link never carries two.
    """
    if not utm:
        return link
    parts = urlsplit(link)
    new = {str(k): str(v) for k, v in utm.items() if v is not None and str(v) != ""}
    if not new:
        return link
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.partition("=")[0]) not in new
    ]
    query = "&".join([*kept, urlencode(new)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
