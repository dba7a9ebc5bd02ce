"""Row 7, web pages: the server time of Today, the calendar (this month, every account, as a
planner: each scheduled post with its move form) and the approval queue (20 items with their
drafts) on a database of 10,000 posts, against the same pages on 100 posts in the same run.

Server time is measured inside the app (an ASGI wrapper from the request's arrival to the
last byte of its answer), the request sent in-process by Starlette's TestClient: no network,
no browser, the figure is what the server spends. Median and p95 over the timed requests."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchlib import (
    ACCOUNTS,
    TABLES,
    BenchDatabase,
    Line,
    error_line,
    log,
    ms,
    percentile,
    pg_available,
    verdict,
    write_config,
)
from sqlalchemy import insert
from starlette.types import ASGIApp, Receive, Scope, Send

from crosspost.accounts import sync_accounts
from crosspost.config import load_config
from crosspost.db.engine import transaction
from crosspost.timeutil import utcnow
from crosspost.users import Role, add_user, set_password

ROW = "7 web pages"
TARGET_SECONDS = 0.050
PAGES = {"Today": "/", "Calendar": "/calendar", "queue": "/queue"}
PLANNER, PASSWORD = "ke-hoach", "mật khẩu đo thử"
SPAN = timedelta(days=730)  # the posts' times: two years, the last month still to come
AHEAD = timedelta(days=30)
BATCH = 2_000


@dataclass
class Settings:
    posts: int = 10_000
    baseline_posts: int = 100
    submitted: int = 20
    runs: int = 40
    backends: list[str] = field(default_factory=lambda: ["sqlite", "postgresql"])


class Timed:
    """The app, with the time of each request kept (arrival to the answer's last byte)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.times.append(time.perf_counter() - started)


def _state(n: int, future: bool) -> str:
    if future:
        return "scheduled"
    if n % 40 == 0:
        return "failed"
    if n % 50 == 0:
        return "cancelled"
    if n % 400 == 1:
        return "retry_wait"
    return "published"


def fill(db: BenchDatabase, config_path: Path, total: int, submitted: int) -> None:
    """`total` posts (two per article, one per account) over two years, the last month still
    to come; a few failed, cancelled or waiting; and `submitted` items waiting for review."""
    config = load_config(config_path)
    now = utcnow()
    start = now + AHEAD - SPAN
    with transaction(db.factory) as session:
        rows = sync_accounts(session, config)
        account_ids = [rows[ACCOUNTS["facebook"]].id, rows[ACCOUNTS["x"]].id]
        add_user(session, PLANNER, Role.PLANNER, unit=None, actor="bench", unit_codes=())
        set_password(session, PLANNER, PASSWORD, actor="bench")
    platforms = ["facebook", "x"]
    articles = total // 2
    with db.engine.begin() as conn:
        for first in range(1, total + 1, BATCH):
            contents: list[dict[str, Any]] = []
            posts: list[dict[str, Any]] = []
            for n in range(first, min(first + BATCH, total + 1)):
                content_id = (n + 1) // 2
                at = start + SPAN * (n / total)
                if n % 2:
                    contents.append(_content(content_id, at, "approved"))
                future = at > now
                state = _state(n, future)
                published = state == "published"
                posts.append(
                    {
                        "id": n,
                        "content_id": content_id,
                        "account_id": account_ids[n % 2],
                        "platform": platforms[n % 2],
                        "scheduled_at": at,
                        "next_attempt_at": at if state in ("scheduled", "retry_wait") else None,
                        "state": state,
                        "attempt_count": 0 if future else 1,
                        "remote_id": f"{10**15 + n}" if published else None,
                        "remote_url": f"https://x.com/bench/status/{n}" if published else None,
                        "remote_extra_ids": [],
                        "last_error": "HTTP 400: bench" if state == "failed" else None,
                        "created_by": "bench",
                        "created_at": at - timedelta(days=1),
                        "updated_at": at,
                        "published_at": at if published else None,
                    }
                )
            conn.execute(insert(TABLES["content"]), contents)
            conn.execute(insert(TABLES["post"]), posts)
        waiting = [
            _content(articles + k + 1, now - timedelta(hours=k), "submitted")
            for k in range(submitted)
        ]
        if waiting:
            conn.execute(insert(TABLES["content"]), waiting)
    db.fix_sequences()
    db.vacuum_analyze()


def _content(content_id: int, at: Any, state: str) -> dict[str, Any]:
    return {
        "id": content_id,
        "kind": "article",
        "title": f"Bài số {content_id}: hội nghị cán bộ chủ chốt tỉnh",
        "summary": "Tỉnh ủy tổ chức hội nghị sơ kết công tác xây dựng Đảng sáu tháng đầu năm.",
        "body": "",
        "link": f"https://tapchi.example.vn/bai/{content_id}",
        "hashtags": ["XâyDựngĐảng"],
        "overrides": {},
        "language": "vi",
        "unit": ("ha-noi", "da-nang", "nghe-an")[content_id % 3],
        "review_state": state,
        "created_by": "bench",
        "created_at": at,
        "submitted_by": "bench" if state != "draft" else None,
        "submitted_at": at,
    }


def measure(backend: str, posts: int, settings: Settings) -> dict[str, list[float]]:
    """Each page's server times on a fresh database of `posts` posts."""
    from fastapi.testclient import TestClient

    from crosspost.web.app import create_app, settle_memory

    with tempfile.TemporaryDirectory(prefix="crosspost-bench-") as tmp:
        folder = Path(tmp)
        with BenchDatabase(backend, folder) as db:
            config_path = write_config(folder, "http://127.0.0.1:9", db.url, concurrency=1)
            began = time.perf_counter()
            fill(db, config_path, posts, settings.submitted)
            log(f"web: {posts:,} posts on {db.label} in {time.perf_counter() - began:.1f} s")
            timed = Timed(create_app(load_config(config_path), factory=db.factory))
            settle_memory()  # as `crosspost web` does before it serves
            times: dict[str, list[float]] = {}
            with TestClient(timed) as client:  # type: ignore[arg-type]
                _sign_in(client)
                for name, path in PAGES.items():
                    for _ in range(3):  # warm: templates compiled, caches filled
                        page = _get(client, path)
                    shown = re.search(r'data-count="(\d+)"', page)
                    if shown:  # the calendar says how many posts it placed
                        times["calendar posts"] = [float(shown.group(1))]
                    timed.times.clear()
                    for _ in range(settings.runs):
                        _get(client, path)
                    times[name] = list(timed.times)
            return times


def _get(client: Any, path: str) -> str:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return str(response.text)


def _sign_in(client: Any) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("the login page has no CSRF token")
    done = client.post(
        "/login",
        data={"name": PLANNER, "password": PASSWORD, "csrf": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    if done.status_code != 303:
        raise RuntimeError(f"sign-in answered {done.status_code}")


def lines_for(backend: str, settings: Settings) -> list[Line]:
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    target = f"median and p95 ≤ {ms(TARGET_SECONDS)}"

    def measured(name: str) -> str:
        return (
            f"{name}: server time of GET {PAGES[name]} as a planner, {settings.posts:,} posts, "
            f"{label}, {settings.runs} requests"
        )

    if backend == "postgresql" and (why := pg_available()):
        return [error_line(ROW, measured(name), target, why) for name in PAGES]
    try:
        big = measure(backend, settings.posts, settings)
        small = measure(backend, settings.baseline_posts, settings)
    except Exception as exc:  # a bench line, not a traceback
        return [
            error_line(ROW, measured(name), target, f"{type(exc).__name__}: {exc}")
            for name in PAGES
        ]
    found = []
    for name in PAGES:
        median, p95 = statistics.median(big[name]), percentile(big[name], 95)
        base = statistics.median(small[name])
        shown = ""
        if name == "Calendar" and "calendar posts" in big:
            shown = f" ({big['calendar posts'][0]:,.0f} posts on this month's calendar)"
        log(f"web: {name} on {label}: median {ms(median)}, p95 {ms(p95)}")
        found.append(
            Line(
                ROW,
                measured(name),
                f"median {ms(median)}, p95 {ms(p95)}{shown}",
                target,
                f"{settings.baseline_posts:,} posts: median {ms(base)}; ratio "
                f"{median / base:.1f}× for {settings.posts // settings.baseline_posts}× the posts",
                verdict(median <= TARGET_SECONDS and p95 <= TARGET_SECONDS),
            )
        )
    return found


def run(settings: Settings) -> list[Line]:
    return [line for backend in settings.backends for line in lines_for(backend, settings)]


if __name__ == "__main__":
    for line in run(Settings()):
        print(line)
