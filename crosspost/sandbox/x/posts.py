"""X API v2's posts in the sandbox: creating them, and the reads reconciliation uses.

Shapes follow the X API v2 OpenAPI spec (info.version 2.167): successes are ``{"data": ...}``.
Where the live API and the spec disagree on a name (the spec renamed
``tweet.fields``/``edit_history_tweet_ids`` to ``post.fields``/``edit_history_post_ids``) the
sandbox accepts or sends both, since tweepy speaks the live names.

Like X, the answers wrap every URL in t.co, HTML-escape ``&``, ``<`` and ``>`` in post text
and end the text of a post with attached media with one more t.co link, to the media (see
entities.py), so a client that compares texts must normalise them; ``tweet.fields=entities``
lists those links in ``entities.urls``, the media link with its ``media_key``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import twitter_text

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.times import parse_iso, utc_text
from crosspost.sandbox.x.entities import displayed_text, media_link, rendered
from crosspost.sandbox.x.problems import forbidden, invalid, json_object, not_found
from crosspost.sandbox.x.state import DIGITS, Tweet, User, XState

TEXT_MAX = 280
# CreatePostsRequest's properties (additionalProperties: false); the sandbox acts on three.
TWEET_KEYS = {"text", "media", "reply"}
TWEET_KEYS_UNSUPPORTED = {
    "card_uri",
    "community_id",
    "direct_message_deep_link",
    "edit_options",
    "for_super_followers_only",
    "geo",
    "made_with_ai",
    "nullcast",
    "paid_partnership",
    "poll",
    "quote_tweet_id",
    "reply_settings",
    "share_with_followers",
}
# The live tweet.fields (https://docs.x.com/x-api/posts/user-posts-timeline-by-user-id lists
# attachments, created_at, referenced_tweets, ...) and the spec's names for the renamed ones.
TWEET_FIELDS = {
    "attachments",
    "author_id",
    "conversation_id",
    "created_at",
    "entities",
    "edit_history_tweet_ids",
    "edit_history_post_ids",
    "id",
    "in_reply_to_user_id",
    "lang",
    "referenced_tweets",
    "referenced_posts",
    "text",
}

DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)
REPLY_MISSING = "You attempted to reply to a Tweet that is deleted or not visible to you."
REPLY_REFUSED = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)


def iso(ts: float) -> str:
    """X's time stamps: RFC 3339 in UTC, to the millisecond."""
    return utc_text(ts, "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_time(name: str, raw: str | None) -> float | None:
    if raw is None:
        return None
    moment = parse_iso(raw)
    if moment is None:
        raise invalid(f"Invalid '{name}': not an RFC 3339 date-time", name, raw)
    if moment.tzinfo is None:
        raise invalid(f"Invalid '{name}': the time zone is missing", name, raw)
    return moment.timestamp()


class XPosts:
    """``POST /2/tweets``, ``GET /2/tweets/:id``, ``GET /2/users/me`` and a user's timeline."""

    def __init__(self, ctx: SandboxContext, state: XState) -> None:
        self.ctx = ctx
        self.state = state

    def create_tweet(self, request: Request, user: User) -> Response:
        body = json_object(request)
        unsupported = sorted(set(body) & TWEET_KEYS_UNSUPPORTED)
        unknown = sorted(set(body) - TWEET_KEYS - TWEET_KEYS_UNSUPPORTED)
        if unknown:
            raise invalid(f"[{unknown[0]}] is not a field of a post request", unknown[0])
        if unsupported:
            raise invalid(f"The sandbox does not implement [{unsupported[0]}]", unsupported[0])
        raw_text = body.get("text", "")
        if not isinstance(raw_text, str):
            raise invalid("text must be a string", "text")
        text = unicodedata.normalize("NFC", raw_text)
        media_ids = _media_ids(body.get("media"))
        reply_to = _reply_to(body.get("reply"))
        if not text.strip() and not media_ids:
            raise invalid("Post text or media is required.", "text")
        parsed = twitter_text.parse_tweet(text)
        if parsed.weightedLength > TEXT_MAX:
            raise invalid(TOO_LONG, "text")
        if text and not parsed.valid:
            raise invalid("The text contains characters a post cannot carry.", "text")
        with self.ctx.lock:
            keys = self._check_media(media_ids, user)
            parent = self.state.tweets.get(reply_to) if reply_to else None
            if reply_to and parent is None:
                raise forbidden(REPLY_MISSING)
            if reply_to and self.state.settings["refuse_replies"]:
                raise forbidden(REPLY_REFUSED)
            if text and (user.id, text) in self.state.texts:
                raise forbidden(DUPLICATE)
            tweet_id = self.ctx.snowflake()
            tweet = Tweet(
                id=tweet_id,
                text=text,
                author_id=user.id,
                created_at=self.ctx.now(),
                media_ids=media_ids,
                media_keys=keys,
                in_reply_to=reply_to,
                in_reply_to_user_id=parent.author_id if parent else None,
                conversation_id=parent.conversation_id if parent else tweet_id,
                media_link=media_link(tweet_id) if media_ids else None,
            )
            self.state.tweets[tweet_id] = tweet
            self.state.texts.add((user.id, text))
        data = {
            "id": tweet_id,
            "text": displayed_text(text, tweet.media_link),
            "edit_history_tweet_ids": [tweet_id],
            "edit_history_post_ids": [tweet_id],
        }
        return Response.json({"data": data}, status=201)

    def _check_media(self, media_ids: list[str], user: User) -> list[str]:
        kinds: list[str] = []
        keys: list[str] = []
        for media_id in media_ids:
            media = self.state.media.get(media_id)
            if media is None or media.owner_id != user.id:
                raise invalid("Your media IDs are invalid.", "media.media_ids", media_id)
            if media.state != "succeeded":
                raise invalid(
                    f"Your media IDs are invalid: {media_id} is {media.state}, not processed.",
                    "media.media_ids",
                    media_id,
                )
            kinds.append(media.kind)
            keys.append(media.media_key)
        if len(kinds) > 1 and any(k != "image" for k in kinds):
            raise invalid(
                "Your media IDs are invalid: a post takes up to 4 images, or 1 GIF, or 1 video.",
                "media.media_ids",
            )
        return keys

    def get_tweet(self, request: Request, user: User) -> Response:
        tweet_id = request.params["id"]
        fields = _tweet_fields(request)
        if not DIGITS.fullmatch(tweet_id):
            raise invalid(f"The `id` query parameter value [{tweet_id}] is not valid", "id")
        with self.ctx.lock:
            tweet = self.state.tweets.get(tweet_id)
            if tweet is None:
                return Response.json({"errors": [not_found("tweet", "id", tweet_id)]})
            return Response.json({"data": self._render(tweet, fields)})

    def users_me(self, request: Request, user: User) -> Response:
        return Response.json(
            {"data": {"id": user.id, "name": user.name, "username": user.username}}
        )

    def timeline(self, request: Request, user: User) -> Response:
        user_id = request.params["id"]
        fields = _tweet_fields(request)
        max_results = _int_arg(request, "max_results", 10, 5, 100)
        start = _parse_time("start_time", request.arg("start_time"))
        end = _parse_time("end_time", request.arg("end_time"))
        since_id, until_id = request.arg("since_id"), request.arg("until_id")
        token = request.arg("pagination_token")
        with self.ctx.lock:
            if user_id not in {u.id for u in self.state.users.values()}:
                return Response.json({"errors": [not_found("user", "id", user_id)]})
            tweets = sorted(
                (
                    t
                    for t in self.state.tweets.values()
                    if t.author_id == user_id
                    and (start is None or t.created_at >= start)
                    and (end is None or t.created_at < end)
                    and (since_id is None or int(t.id) > int(since_id))
                    and (until_id is None or int(t.id) < int(until_id))
                ),
                key=lambda t: int(t.id),
                reverse=True,
            )
            offset = 0
            if token is not None:
                ids = [t.id for t in tweets]
                if not token.startswith("p") or token[1:] not in ids:
                    raise invalid("The pagination_token is not valid", "pagination_token", token)
                offset = ids.index(token[1:])
            page = tweets[offset : offset + max_results]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
            if offset + max_results < len(tweets):
                meta["next_token"] = "p" + tweets[offset + max_results].id
            body: dict[str, Any] = {"meta": meta}
            if page:
                body["data"] = [self._render(t, fields) for t in page]
        return Response.json(body)

    def _render(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        """The post as X answers a read of it (call under the lock)."""
        data = _render_tweet(tweet, fields)
        if "entities" in fields:
            media_entity = None
            if tweet.media_link and tweet.media_keys:
                authors = [u for u in self.state.users.values() if u.id == tweet.author_id]
                name = authors[0].username if authors else "i"
                kind = "photo" if tweet.media_keys[0].startswith("3_") else "video"
                media_entity = {
                    "media_key": tweet.media_keys[0],
                    "expanded_url": f"https://x.com/{name}/status/{tweet.id}/{kind}/1",
                }
            _, urls = rendered(tweet.text, tweet.media_link, media_entity)
            if urls:
                data["entities"] = {"urls": urls}
        return data


def _media_ids(media: Any) -> list[str]:
    if media is None:
        return []
    ids = media.get("media_ids") if isinstance(media, dict) else None
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= 4
        or not all(isinstance(i, str) and DIGITS.fullmatch(i) for i in ids)
    ):
        raise invalid("media.media_ids must list 1 to 4 numeric id strings", "media.media_ids")
    return list(ids)


def _reply_to(reply: Any) -> str | None:
    if reply is None:
        return None
    target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    if not isinstance(target, str) or not DIGITS.fullmatch(target):
        raise invalid("reply.in_reply_to_tweet_id must be a numeric id string", "reply")
    return target


def _int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.arg(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid(
            f"The `{name}` query parameter value [{raw}] is not between {low} and {high}",
            name,
            raw,
        )
    return int(raw)


def _tweet_fields(request: Request) -> set[str]:
    """`tweet.fields` (live API, tweepy) or `post.fields` (the spec's 2.167 name)."""
    raw = request.arg("tweet.fields") or request.arg("post.fields") or ""
    fields = {f for f in raw.split(",") if f}
    unknown = sorted(fields - TWEET_FIELDS)
    if unknown:
        raise invalid(f"The tweet.fields value [{unknown[0]}] is not one of the allowed values")
    return fields


def _render_tweet(tweet: Tweet, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tweet.id,
        "text": displayed_text(tweet.text, tweet.media_link),
        "edit_history_tweet_ids": [tweet.id],
    }
    if "created_at" in fields:
        data["created_at"] = iso(tweet.created_at)
    if "author_id" in fields:
        data["author_id"] = tweet.author_id
    if "conversation_id" in fields:
        data["conversation_id"] = tweet.conversation_id
    if "in_reply_to_user_id" in fields and tweet.in_reply_to_user_id:
        data["in_reply_to_user_id"] = tweet.in_reply_to_user_id
    if "attachments" in fields and tweet.media_keys:
        data["attachments"] = {"media_keys": list(tweet.media_keys)}
    if fields & {"referenced_tweets", "referenced_posts"} and tweet.in_reply_to:
        refs = [{"type": "replied_to", "id": tweet.in_reply_to}]
        data["referenced_tweets"] = refs
        data["referenced_posts"] = refs
    return data
