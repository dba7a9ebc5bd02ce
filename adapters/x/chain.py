"""A thread as a chain of parts: which parts earlier attempts confirmed, and what on a timeline
proves a further part is this post's.

Publishing resumes after the confirmed parts and reconciliation continues the chain from them,
so both start from `done_parts`. A timeline post is taken as part i only on proof: its text is
part i's (as X rewrites texts), it is new since the attempt, not another post's copy, and it
replies to part i-1 (part 1 replies to nothing).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crosspost.adapters.base import (
    InconclusiveError,
    PermanentError,
    PublishError,
    PublishRequest,
    StepKind,
    StepReceipt,
)
from crosspost.adapters.common import nfc

# X ends the text of a post with attached media with one t.co link to the media (it does not
# count towards the length): https://dev.twitter.com/overview/api/upcoming-changes-to-tweets
# ("A URL at the end of Tweets generated from attaching photos, a video, GIF ..."), the media
# entity's `url` in https://developer.x.com/en/docs/tweets/data-dictionary/overview/entities-object
MEDIA_LINK = re.compile(r"\s*https://t\.co/[A-Za-z0-9]+\s*\Z")


def comparable(text: str) -> str:
    """Text reduced to what survives X: NFC, URLs (t.co) masked, spaces folded. X's own text
    has its HTML entities undone first (`Seen.of`), never the draft's: a part that says
    `&amp;` literally must match X's `&amp;amp;`."""
    import twitter_text

    text = nfc(text)
    out: list[str] = []
    last = 0
    for found in twitter_text.extract_urls_with_indices(text):
        start, end = found["indices"]
        out.extend((text[last:start], "<url>"))
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


@dataclass(frozen=True)
class Seen:
    """One own post as the timeline showed it, reduced to what proof needs."""

    id: int
    text: str  # comparable(), without the media link X appends
    created_at: datetime | None
    replied_to: str | None

    @classmethod
    def of(cls, tweet: Any) -> Seen:
        """From tweepy's Tweet, read with tweet_fields created_at, referenced_tweets and
        attachments."""
        text = str(tweet.text)
        attachments = tweet.attachments or {}
        if isinstance(attachments, dict) and attachments.get("media_keys"):
            text = MEDIA_LINK.sub("", text)
        replied = next(
            (str(r.id) for r in tweet.referenced_tweets or [] if r.type == "replied_to"), None
        )
        return cls(int(tweet.id), comparable(html.unescape(text)), tweet.created_at, replied)


def done_parts(request: PublishRequest, total: int) -> list[StepReceipt]:
    """The parts earlier attempts confirmed, in order; they must be parts 1..k of the draft's
    `total`, each once, or the post's record is not a thread this draft can resume."""
    done = sorted((s for s in request.done if s.kind == StepKind.PART), key=lambda s: s.number)
    numbers = [s.number for s in done]
    if numbers != list(range(1, len(done) + 1)) or len(done) > total:
        raise PermanentError(
            f"x: the confirmed thread parts {numbers} are not parts 1 to {len(done)} of a "
            f"{total}-part thread: cannot tell where to resume"
        )
    return done


def at_part(exc: PublishError, number: int, total: int) -> PublishError:
    """`exc` (its class unchanged) about part `number` of a thread of `total` parts."""
    if total > 1:
        exc.message = f"x: thread part {number}/{total}: {exc.message}"
        exc.args = (exc.message,)
        exc.step = (StepKind.PART, number)
    return exc


def next_part(
    timeline: Iterable[Seen],
    text: str,
    number: int,
    total: int,
    previous: str | None,
    start: datetime,
    exclude: frozenset[str],
) -> Seen | None:
    """The one post proven to be part `number` (text `text`) after part `previous` (None for
    part 1), or None; InconclusiveError when several would be."""
    wanted = comparable(text)
    after = int(previous) if previous else 0
    found = [
        seen
        for seen in timeline
        if seen.id > after
        and seen.created_at is not None
        and seen.created_at >= start
        and str(seen.id) not in exclude
        and seen.text == wanted
        and seen.replied_to == previous
    ]
    if len(found) > 1:
        what = f"thread part {number}/{total}" if total > 1 else "the post"
        raise InconclusiveError(
            f"x: {what}: several posts match it "
            f"({', '.join(str(s.id) for s in found)}): cannot tell which is this post's"
        )
    return found[0] if found else None
