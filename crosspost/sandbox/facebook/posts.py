"""The Page's feed in Graph: posts (status, link, with attached photos, scheduled), photos,
and the reads reconciliation uses (the feed, the videos edge, any object by id)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.facebook.access import PUBLISH, READ
from crosspost.sandbox.facebook.errors import GraphError, missing_object
from crosspost.sandbox.facebook.oauth import GraphTokens
from crosspost.sandbox.facebook.params import (
    fields,
    graph_params,
    graph_time,
    paged,
    parse_time,
    truthy,
)
from crosspost.sandbox.facebook.state import Page
from crosspost.sandbox.http import Request, Response


class PagePosts:
    """Handlers for the Page's feed, photos and object reads."""

    def __init__(self, ctx: SandboxContext, page: Page, tokens: GraphTokens) -> None:
        self.ctx = ctx
        self.page = page
        self.tokens = tokens

    def create_post(self, request: Request) -> Response:
        params, _ = self.tokens.page_edge(request, "post", PUBLISH)
        message = params.get("message") or None
        link = params.get("link") or None
        media_ids = self._attached_media(params)
        if not (message or link or media_ids):
            raise GraphError("(#100) Missing message or attachment", 100)
        published = truthy(params.get("published"), True)
        scheduled = self._scheduled_time(params, published)
        with self.ctx.lock:
            for post in self.page.posts:
                if post["kind"] in ("status", "link") and (post["message"], post["link"]) == (
                    message,
                    link,
                ):
                    raise GraphError("(#506) Duplicate status message", 506)
            photos = {p["id"]: p for p in self.page.photos}
            for media_id in media_ids:
                photo = photos.get(media_id)
                if photo is None or photo["published"] or photo["attached_to"]:
                    raise GraphError(
                        f"(#100) attached_media: {media_id} is not an unpublished photo of "
                        "this Page",
                        100,
                    )
            post = self.page.new_post(
                "link" if link else "status",
                message,
                link,
                attached_media=media_ids,
                published=published and scheduled is None,
                scheduled_publish_time=scheduled,
            )
            for media_id in media_ids:
                photos[media_id]["attached_to"] = post["id"]
        return Response.json({"id": post["id"]})

    @staticmethod
    def _attached_media(params: dict[str, str]) -> list[str]:
        """`attached_media=[{"media_fbid": …}]` or `attached_media[0]={"media_fbid": …}`."""
        raw: list[Any] = []
        try:
            if params.get("attached_media"):
                value = json.loads(params["attached_media"])
                raw.extend(value if isinstance(value, list) else [value])
            indexed = sorted(
                (int(k[len("attached_media[") : -1]), v)
                for k, v in params.items()
                if k.startswith("attached_media[") and k.endswith("]")
            )
            raw.extend(json.loads(v) for _, v in indexed)
            ids = [str(item["media_fbid"]) for item in raw]
        except (ValueError, TypeError, KeyError):
            raise GraphError(
                '(#100) param attached_media must be a list of {"media_fbid": id}', 100
            ) from None
        return ids

    def _scheduled_time(self, params: dict[str, str], published: bool) -> int | None:
        raw = params.get("scheduled_publish_time")
        if not raw:
            return None
        if published:
            raise GraphError(
                "(#100) You cannot specify a scheduled publish time on a published post", 100
            )
        when = parse_time(raw)
        assert when is not None
        now = self.ctx.now()
        if not now + 600 <= when <= now + 30 * 86400:
            raise GraphError(
                "(#100) The specified scheduled publish time is invalid: it must be between "
                "10 minutes and 30 days from now",
                100,
            )
        return int(when)

    def upload_photo(self, request: Request) -> Response:
        params, files = self.tokens.page_edge(request, "post", PUBLISH)
        source = files.get("source")
        url = params.get("url")
        if source is None and not url:
            raise GraphError("(#324) Requires upload file", 324)
        published = truthy(params.get("published"), True)
        caption = params.get("caption") or params.get("message") or None
        with self.ctx.lock:
            now = self.ctx.now()
            photo: dict[str, Any] = {
                "id": str(self.ctx.next_id() + 700_000_000_000_000),
                "post_id": None,
                "caption": caption,
                "published": published,
                "url": url,
                "bytes_received": len(source) if source is not None else 0,
                "sha256": hashlib.sha256(source).hexdigest() if source is not None else None,
                "attached_to": None,
                "created_ts": now,
                "created_time": graph_time(now),
            }
            self.page.photos.append(photo)
            if not published:
                return Response.json({"id": photo["id"]})
            post = self.page.new_post("photo", caption, None, attached_media=[photo["id"]])
            photo["post_id"] = post["id"]
        return Response.json({"id": photo["id"], "post_id": post["id"]})

    # Both reads give `created_time` when `fields` asks for it: "The time the post was initially
    # published" (developers.facebook.com/docs/graph-api/reference/post) and "The time the video
    # was initially published" (.../reference/video), both as Graph writes times (graph_time).
    # Reconciliation takes a copy created before the first attempt as not this post's.
    def read_feed(self, request: Request) -> Response:
        def published() -> list[dict[str, Any]]:
            return [p for p in self.page.posts if p["published"]]

        return self._read_edge(request, published, ("id", "message", "created_time"))

    def read_videos(self, request: Request) -> Response:
        return self._read_edge(
            request, lambda: self.page.videos, ("id", "description", "updated_time")
        )

    def read_reels(self, request: Request) -> Response:
        """GET /{page-id}/video_reels: the Page's published reels (Video nodes)."""

        def published() -> list[dict[str, Any]]:
            return [r for r in self.page.reels if r["published"]]

        return self._read_edge(request, published, ("id", "description", "updated_time"))

    def _read_edge(
        self,
        request: Request,
        items: Callable[[], list[dict[str, Any]]],
        default: tuple[str, ...],
    ) -> Response:
        """A Page edge: `items()` (read under the lock) windowed, with the fields asked for."""
        params, _ = self.tokens.page_edge(request, "get", READ)
        with self.ctx.lock:
            body = self._window(items(), params, request.path)
            body["data"] = [fields(i, params, default) for i in body["data"]]
        return Response.json(body)

    def read_object(self, request: Request) -> Response:
        params, _ = graph_params(request)
        self.tokens.check(request, params)
        node = request.params["node"]
        with self.ctx.lock:
            if node == self.page.id:
                page = {"id": node, "name": self.page.config["page_name"]}
                return Response.json(fields(page, params, ("id", "name")))
            for obj in (*self.page.posts, *self.page.photos, *self.page.videos, *self.page.reels):
                if obj["id"] == node:
                    return Response.json(fields(obj, params, ("id", "created_time")))
        raise missing_object(node, "get")

    def _window(
        self, items: list[dict[str, Any]], params: dict[str, str], path: str
    ) -> dict[str, Any]:
        """Newest first, filtered by since/until (an edge in `edges_ignoring_since` takes no
        `since`), paged by limit and an `after` cursor."""
        since, until = parse_time(params.get("since")), parse_time(params.get("until"))
        if path.rstrip("/").rsplit("/", 1)[-1] in self.page.config["edges_ignoring_since"]:
            since = None
        chosen = [
            i
            for i in sorted(items, key=lambda i: i["created_ts"], reverse=True)
            if (since is None or i["created_ts"] >= since)
            and (until is None or i["created_ts"] <= until)
        ]
        return paged(chosen, params, f"{self.ctx.base_url}{path}")
