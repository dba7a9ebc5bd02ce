"""`make demo`: the whole job against the built-in sandbox, on SQLite, in a few seconds.

Starts the sandbox on a free port with a low fault rate, writes a config and a 0600 secrets
file that point three accounts at it, generates media with ffmpeg (a short video, a cover image,
podcast audio), adds an article, a video and a podcast written in Vietnamese, approves them,
schedules them a few seconds ahead on every platform that takes them, runs the worker until
every post has ended, prints what happened and checks it against the sandbox's own records.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import tomli_w
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crosspost import content as lifecycle
from crosspost.accounts import sync_accounts
from crosspost.adapters.base import ContentKind, MediaRole, ProgressCallback
from crosspost.config import Config, load_config
from crosspost.content import NewContent
from crosspost.db.engine import make_engine, session_factory, transaction
from crosspost.db.migrate import ensure_schema
from crosspost.db.models import Post
from crosspost.intake.units import load_intake
from crosspost.media import MediaSpec
from crosspost.media_store import MediaStore
from crosspost.render.ffmpeg import run_ffmpeg
from crosspost.sandbox import SandboxServer
from crosspost.sandbox.facebook import DEFAULT_CONFIG as FACEBOOK_DEFAULTS
from crosspost.scheduling import schedule
from crosspost.timeutil import format_local, utcnow
from crosspost.worker.dispatcher import Worker

Factory = sessionmaker[Session]

DEMO_DIR = Path("var/demo")
LEAD_SECONDS = 5
DEADLINE_SECONDS = 150
FAULTS = {"5xx": 0.02, "429": 0.02, "ambiguous": 0.02}
YOUTUBE_CLIENT = ("demo-client.apps.googleusercontent.com", "demo-client-secret")
# The sandbox's configured user token: Facebook videos upload with a User access token.
FACEBOOK_USER_TOKEN = str(FACEBOOK_DEFAULTS["user_tokens"][0])

ITEMS = [
    (
        ContentKind.ARTICLE,
        "Nâng cao chất lượng sinh hoạt chi bộ ở cơ sở",
        "Tỉnh ủy Nghệ An tổng kết 5 năm đổi mới nội dung, phương thức sinh hoạt chi bộ: "
        "chi bộ kiểu mẫu tăng gấp đôi, đảng viên trẻ chủ động đề xuất việc làm cụ thể.",
        ["XâyDựngĐảng", "ChiBộ"],
    ),
    (
        ContentKind.VIDEO,
        "Phóng sự: Người bí thư chi bộ bản Pà Vi",
        "Hành trình 20 năm gắn bó với đồng bào Mông ở Hà Giang của một bí thư chi bộ.",
        ["HàGiang", "XâyDựngĐảng"],
    ),
    (
        ContentKind.PODCAST,
        "Podcast: Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Trao đổi với giảng viên Học viện Chính trị về những tấm gương bình dị ở cơ sở.",
        ["HọcTậpVàLàmTheoBác"],
    ),
]


def start_sandbox(**options: Any) -> SandboxServer:
    """A running sandbox that knows the OAuth client `write_config` gives the YouTube account."""
    sandbox = SandboxServer(**options).start()
    sandbox.app.platforms["youtube"].configure(
        {"client_id": YOUTUBE_CLIENT[0], "client_secret": YOUTUBE_CLIENT[1]}
    )
    return sandbox


def generate_media(folder: Path) -> dict[str, Path]:
    """Media made at run time with the ffmpeg that imageio-ffmpeg ships (nothing committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    video, cover, audio = folder / "phong-su.mp4", folder / "anh-bia.png", folder / "podcast.m4a"
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ]
    )
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=0xB22222:s=1280x720", "-frames:v", "1", str(cover)])
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=220:duration=4", "-c:a", "aac", str(audio)])
    return {"video": video, "cover": cover, "audio": audio}


X_CREDENTIALS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def x_credentials(n: int) -> dict[str, str]:
    """The secrets of the n-th X account (0: the demo's one); each access token its own."""
    token = "1234-demo-access-token" + (f"-{n + 1}" if n else "")
    secret = "demo-access-token-secret" + (f"-{n + 1}" if n else "")
    values = ("demo-consumer-key", "demo-consumer-secret", token, secret)
    return dict(zip(X_CREDENTIALS, values, strict=True))


DEMO_WORKER = {"concurrency": 4, "poll_seconds": 0.5, "reconcile_seconds": 2}
DEMO_RETRY = {"base_seconds": 1, "max_delay_seconds": 5, "max_attempts": 8}


def write_config(
    folder: Path,
    sandbox_url: str,
    *,
    worker: Mapping[str, float] = DEMO_WORKER,
    retry: Mapping[str, float] = DEMO_RETRY,
    database_url: str | None = None,
    budgets: Mapping[str, Mapping[str, int]] | None = None,
    x_accounts: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """A config with three accounts on the sandbox and a 0600 secrets file (tests reuse it).

    `budgets` sets an account's [accounts.NAME.budget] table (0 lifts a default window).
    `x_accounts` (name -> extra settings, e.g. thread) replaces the one X account, tapchi-x:
    each gets its own access token, so the sandbox sees a user of its own."""
    config = folder / "crosspost.toml"
    database = f'database_url = "{database_url}"\n' if database_url else ""
    budget_tables = tomli_w.dumps(
        {"accounts": {name: {"budget": dict(table)} for name, table in (budgets or {}).items()}}
    )
    x_names = dict(x_accounts or {"tapchi-x": {}})
    x_tables = tomli_w.dumps(
        {
            "accounts": {
                name: {
                    "platform": "x",
                    "base_url": sandbox_url,
                    "upload_chunk_bytes": 262144,
                    **dict(settings),
                    "credentials": {key: "secrets" for key in X_CREDENTIALS},
                }
                for name, settings in x_names.items()
            }
        }
    )
    x_secrets = tomli_w.dumps({name: x_credentials(n) for n, name in enumerate(x_names)})
    config.write_text(
        f"""# Written by `make demo`: three accounts on the local sandbox at {sandbox_url}.
[crosspost]
timezone = "Asia/Ho_Chi_Minh"
data_dir = "."
{database}
{tomli_w.dumps({"worker": dict(worker), "retry": dict(retry)})}

[accounts.tapchi-facebook]
platform = "facebook"
page_id = "109876543210987"
app_id = "987654321098765"
base_url = "{sandbox_url}"
upload_chunk_bytes = 262144
[accounts.tapchi-facebook.credentials]
page_access_token = "secrets"
user_access_token = "secrets"

[accounts.tapchi-youtube]
platform = "youtube"
base_url = "{sandbox_url}"
token_uri = "{sandbox_url}/token"
privacy = "public"
chunk_bytes = 262144
[accounts.tapchi-youtube.credentials]
client_id = "secrets"
client_secret = "secrets"
refresh_token = "secrets"

{x_tables}
{budget_tables}""",
        encoding="utf-8",
    )
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f"""[tapchi-facebook]
page_access_token = "EAAdemo-page-token"
user_access_token = "{FACEBOOK_USER_TOKEN}"

[tapchi-youtube]
client_id = "{YOUTUBE_CLIENT[0]}"
client_secret = "{YOUTUBE_CLIENT[1]}"
refresh_token = "1//demo-refresh-token"

{x_secrets}""",
        encoding="utf-8",
    )
    os.chmod(secrets, 0o600)
    return config


def add_items(config: Config, factory: Factory, media: dict[str, Path]) -> list[int]:
    ids: list[int] = []
    intake = load_intake(config)  # none beside the demo's config: review is open
    store = MediaStore.from_config(config)  # the demo's media are judged as a unit's would be
    with transaction(factory) as session:
        sync_accounts(session, config)
        for kind, title, summary, tags in ITEMS:
            files = {
                ContentKind.ARTICLE: [MediaSpec(media["cover"], MediaRole.IMAGE)],
                ContentKind.VIDEO: [
                    MediaSpec(media["video"], MediaRole.VIDEO),
                    MediaSpec(media["cover"], MediaRole.COVER),
                ],
                ContentKind.PODCAST: [
                    MediaSpec(media["audio"], MediaRole.AUDIO),
                    MediaSpec(media["cover"], MediaRole.COVER),
                ],
            }[kind]
            item = NewContent(
                kind=kind,
                title=title,
                summary=summary,
                link=f"https://tapchi.example.vn/xay-dung-dang/{kind.value}-{len(ids) + 1}",
                hashtags=tags,
                unit="NA",
                media=files,
            )
            added = lifecycle.add_content(
                session, item, "phong-vien-demo", store=store, units=intake
            )
            lifecycle.submit(session, added.id, "phong-vien-demo")
            lifecycle.approve(session, added.id, "bien-tap-vien-demo", approvers=intake)
            ids.append(added.id)
    return ids


def schedule_items(config: Config, factory: Factory, content_ids: list[int]) -> list[int]:
    at = utcnow() + timedelta(seconds=LEAD_SECONDS)
    post_ids = []
    with transaction(factory) as session:
        for content_id, (kind, *_rest) in zip(content_ids, ITEMS, strict=True):
            platforms = ["facebook", "x"] if kind == ContentKind.ARTICLE else []
            posts = schedule(session, config, content_id, at, actor="demo", platforms=platforms)
            post_ids += [p.id for p in posts]
    return post_ids


def upload_progress(progress: Progress) -> Callable[[int], ProgressCallback | None]:
    tasks: dict[int, TaskID] = {}
    lock = threading.Lock()

    def for_post(post_id: int) -> ProgressCallback:
        def update(sent: int, total: int) -> None:
            with lock:
                if post_id not in tasks:
                    tasks[post_id] = progress.add_task(f"post {post_id}", total=total)
                progress.update(tasks[post_id], completed=sent, total=total)

        return update

    return for_post


def main() -> int:
    console = Console(width=max(Console().width, 150))
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir(parents=True)
    with start_sandbox(seed=7, faults=FAULTS) as sandbox:
        console.print(f"sandbox on {sandbox.url} (faults: {FAULTS})")
        media = generate_media(DEMO_DIR / "media")
        config = load_config(write_config(DEMO_DIR, sandbox.url))
        engine = make_engine(config.database_url)
        ensure_schema(engine)
        factory = session_factory(engine)
        content_ids = add_items(config, factory, media)
        post_ids = schedule_items(config, factory, content_ids)
        console.print(
            f"scheduled {len(post_ids)} posts of {len(content_ids)} items for "
            f"{format_local(utcnow() + timedelta(seconds=LEAD_SECONDS), config.timezone)} "
            f"({config.timezone.key})"
        )
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            worker = Worker(config, factory, progress=upload_progress(progress))
            stop = threading.Event()
            runner = threading.Thread(target=worker.run, args=(stop,), daemon=True)
            runner.start()
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline and not all_ended(factory, post_ids):
                time.sleep(0.5)
            stop.set()
            runner.join(timeout=60)
        ok = report(console, factory, post_ids, sandbox.state())
        faults = sandbox.app.faults.describe()["injected"]
        console.print(f"faults injected by the sandbox: {faults or 'none'}")
    return 0 if ok else 1


def all_ended(factory: Factory, post_ids: list[int]) -> bool:
    with factory() as session:
        states = session.scalars(select(Post.state).where(Post.id.in_(post_ids))).all()
    return all(s in ("published", "failed", "cancelled") for s in states)


def report(console: Console, factory: Factory, post_ids: list[int], state: dict[str, Any]) -> bool:
    table = Table()
    for header, width in (
        ("post", 4),
        ("content", 28),
        ("platform", 8),
        ("state", 9),
        ("remote id", 24),
        ("URL", 44),
        ("attempts", 8),
    ):
        # one line per post: only content, remote id and URL may be shortened
        shrink = header in ("content", "remote id", "URL")
        table.add_column(
            header,
            no_wrap=True,
            overflow="ellipsis",
            max_width=width if shrink else None,
            min_width=None if shrink else width,
        )
    ok = True
    with factory() as session:
        for post_id in post_ids:
            post = session.get_one(Post, post_id)
            table.add_row(
                str(post.id),
                post.content.title[:28],
                post.platform,
                post.state,
                post.remote_id or "-",
                post.remote_url or post.last_error or "-",
                str(len(post.attempts)),
            )
            ok = ok and post.state == "published"
    console.print(table)
    doubles = duplicates(state)
    if doubles:
        console.print(f"[red]published twice: {doubles}[/]")
    if not ok:
        console.print("[red]not every post was published[/]")
    return ok and not doubles


def duplicates(state: dict[str, Any]) -> list[str]:
    """Texts or titles the sandbox received more than once: a doubled post."""
    seen = [
        *(f"facebook post: {p['message']}" for p in state["facebook"]["posts"] if p["message"]),
        *(f"facebook video: {v['title']}" for v in state["facebook"]["videos"]),
        *(f"youtube: {v['title']}" for v in state["youtube"]["videos"]),
        *(f"x: {t['text']}" for t in state["x"]["tweets"]),
    ]
    return sorted({s for s in seen if seen.count(s) > 1})


if __name__ == "__main__":
    sys.exit(main())
