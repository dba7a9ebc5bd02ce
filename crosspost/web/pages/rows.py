"""Posts read for a page with the keys `posts list --json` uses (cli/views.row_json)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from crosspost.cli.views import row_json
from crosspost.listing import PostFilter, iter_posts
from crosspost.web.page import WebState


def collector(state: WebState) -> Callable[[PostFilter], Iterator[dict[str, Any]]]:
    """A `collect(where)` like the CLI's, on the web's database."""
    zone = state.config.timezone

    def collect(where: PostFilter) -> Iterator[dict[str, Any]]:
        with state.factory() as session:
            for row in iter_posts(session, where):
                yield row_json(row, zone)

    return collect
