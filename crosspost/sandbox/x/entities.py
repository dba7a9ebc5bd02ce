"""A post's text as X answers with it, and the URL entities that describe it.

X wraps every URL in t.co, HTML-escapes ``&``, ``<`` and ``>``, and ends the text of a post with
attached media with one more t.co link, to the media. Sources: "A URL at the end of Tweets
generated from attaching photos, a video, GIF ... will also not count towards the character
limit" (https://dev.twitter.com/overview/api/upcoming-changes-to-tweets); that URL is the media
entity's t.co `url`, display_url pic.twitter.com/… (https://developer.x.com/en/docs/tweets/
data-dictionary/overview/entities-object); v2 keeps it in `text` and lists it in
``entities.urls`` with the media's ``media_key`` (tweepy issue 1867,
https://github.com/tweepy/tweepy/issues/1867; the spec's PostEntities.urls items carry
start, end, url, expanded_url, display_url and media_key, x-api/openapi.json). The indices are
code points of the text as answered (UNVERIFIED whether X counts them before escaping).
"""

from __future__ import annotations

import hashlib
from typing import Any

import twitter_text

DISPLAY_MAX = 23  # characters of an expanded URL shown before the ellipsis (X's display_url)


def media_link(tweet_id: str) -> str:
    """The t.co link to a post's media (one for all its media, as the media entity's `url`)."""
    return "https://t.co/" + hashlib.sha1(f"media:{tweet_id}".encode()).hexdigest()[:10]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _display(url: str) -> str:
    bare = url.split("://", 1)[-1].removeprefix("www.")
    return bare if len(bare) <= DISPLAY_MAX else bare[: DISPLAY_MAX - 1] + "…"


def rendered(
    text: str, media: str | None = None, media_entity: dict[str, Any] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The answered text and its ``entities.urls``: each URL wrapped in t.co, and for a post
    with media its `media` link appended after a space, described by `media_entity` (its
    media_key and expanded_url)."""
    out: list[str] = []
    urls: list[dict[str, Any]] = []
    length, last = 0, 0
    for found in twitter_text.extract_urls_with_indices(text):
        start, end = found["indices"]
        before = _escape(text[last:start])
        original = str(found["url"])
        tco = "https://t.co/" + hashlib.sha1(original.encode("utf-8")).hexdigest()[:10]
        length += len(before)
        expanded = original if "://" in original else "http://" + original
        urls.append(
            {
                "start": length,
                "end": length + len(tco),
                "url": tco,
                "expanded_url": expanded,
                "display_url": _display(original),
            }
        )
        out.extend((before, tco))
        length += len(tco)
        last = end
    out.append(_escape(text[last:]))
    joined = "".join(out)
    if media is None:
        return joined, urls
    shown = f"{joined} {media}" if joined else media
    start = len(shown) - len(media)
    code = media.rsplit("/", 1)[-1]
    entity = {"start": start, "end": len(shown), "url": media, "display_url": f"pic.x.com/{code}"}
    urls.append({**entity, **(media_entity or {})})
    return shown, urls


def displayed_text(text: str, media: str | None = None) -> str:
    """The text as X shows it (see `rendered`)."""
    return rendered(text, media)[0]
