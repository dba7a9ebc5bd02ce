"""Every approved item goes out exactly once and whole, judged by the sandbox's own records.

Long Vietnamese articles render as X threads of five parts or more on two X accounts (one
"always" a thread, one "auto" and numbered), with a Facebook post each; a few videos go to
YouTube. Real `crosspost worker` processes publish through the real adapters while the sandbox
injects 5xx, ambiguous (applied, answer lost), 429 and permanent faults, and are killed with
SIGKILL every 0.3-3 s; meanwhile posts are cancelled and published videos reposted. Then the
workers run to the end and `tests/support/ground_truth.py` compares every thread, id and
failure with what the platforms hold and what they were sent. SQLite with one worker process;
PostgreSQL with four at once.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crosspost import content as lifecycle
from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import load_config
from crosspost.content import NewContent
from crosspost.db.models import Post
from crosspost.demo import generate_media, start_sandbox, write_config
from crosspost.errors import StateError
from crosspost.media import MediaSpec
from crosspost.posts.drafts import draft_of
from crosspost.scheduling import cancel, schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import Running, run, start
from tests.conftest import Database
from tests.support.factories import OPEN_REVIEW
from tests.support.ground_truth import ENDED, PostRecord, judge, load_posts, refusal_problems

pytestmark = pytest.mark.acceptance

FAULTS = {"5xx": 0.05, "ambiguous": 0.05, "429": 0.01, "permanent": 0.01}
ARTICLES = 54  # due now, on Facebook and both X accounts
LATER = 6  # articles due in a minute, cancelled while the run goes
VIDEOS = 4  # YouTube only; the published ones are reposted mid-run
REPOSTS = 3
MIN_PARTS = 5
KILLS = 12
START_SECONDS = 3  # when the cancels come: some posts due now are being published
# The wait ends as soon as every post has ended; this only bounds a run that never would
# (on a slow, shared machine one SQLite worker needed more than 210 s).
DEADLINE_SECONDS = 480
X_ACCOUNTS = {
    "tapchi-x": {"thread": "always"},
    "tapchi-x2": {"thread": "auto", "thread_numbering": True},
}
WORKER = {
    "concurrency": 4,
    "lease_seconds": 5,
    "heartbeat_seconds": 1,
    "poll_seconds": 0.3,
    "reconcile_seconds": 1,
    "grace_seconds": 2,
}
RETRY = {"base_seconds": 0.2, "max_delay_seconds": 2, "max_attempts": 50}
# Killed claims count as started posts: lift X's default budget (25 per 15 minutes).
BUDGETS = {name: {"per_15_minutes": 0} for name in X_ACCOUNTS}

# Each sentence names its article and place, so no two parts anywhere read the same (X refuses
# a text its author already posted) and every part of a thread is its own.
SENTENCES = (
    "Ý {k} của bài {n}: chi bộ duy trì nền nếp sinh hoạt định kỳ, nội dung thiết thực.",
    "Ý {k} của bài {n}: đảng viên trẻ chủ động đề xuất việc làm cụ thể ở khu dân cư.",
    "Ý {k} của bài {n}: cấp ủy lắng nghe ý kiến nhân dân trước khi quyết định việc lớn.",
    "Ý {k} của bài {n}: kiểm tra, giám sát được tiến hành thường xuyên và công khai.",
    "Ý {k} của bài {n}: phong trào thi đua gắn với học tập và làm theo tấm gương của Bác.",
    "Ý {k} của bài {n}: cán bộ chủ chốt nêu gương, nói đi đôi với làm, làm đến nơi đến chốn.",
)
SENTENCES_PER_BODY = 14


def article(n: int, image: Path | None) -> NewContent:
    body = " ".join(
        SENTENCES[(n + k) % len(SENTENCES)].format(k=k, n=n) for k in range(1, SENTENCES_PER_BODY)
    )
    return NewContent(
        kind=ContentKind.ARTICLE,
        title=f"Bài {n}: nâng cao chất lượng sinh hoạt chi bộ ở cơ sở, kinh nghiệm từ Nghệ An",
        summary=(
            f"Bài {n} tổng kết năm năm đổi mới nội dung, phương thức sinh hoạt chi bộ: chi bộ "
            "kiểu mẫu tăng gấp đôi, đảng viên trẻ chủ động, nhân dân đồng tình ủng hộ."
        ),
        body=body,
        link=f"https://tapchi.example.vn/xay-dung-dang/bai-{n}",
        hashtags=["XâyDựngĐảng", f"BàiSố{n}"],  # the last part is only these: its own
        unit="NA",
        media=[MediaSpec(image, MediaRole.IMAGE)] if image else [],
    )


def video(n: int, media: dict[str, Path]) -> NewContent:
    return NewContent(
        kind=ContentKind.VIDEO,
        title=f"Phóng sự {n}: người bí thư chi bộ bản vùng cao",
        summary=f"Phóng sự {n}: hai mươi năm gắn bó với đồng bào Mông ở Hà Giang.",
        link=f"https://tapchi.example.vn/video/phong-su-{n}",
        hashtags=["HàGiang"],
        unit="NA",
        media=[
            MediaSpec(media["video"], MediaRole.VIDEO),
            MediaSpec(media["cover"], MediaRole.COVER),
        ],
    )


class Run:
    """The posts of the scenario and what was done to them while the workers ran."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db, self.path = db, path
        self.videos: list[int] = []  # content ids
        self.cancel_later: list[int] = []  # post ids due in a minute
        self.cancel_racing: list[int] = []  # post ids due now, cancelled if still waiting
        self.cancelled: list[int] = []
        self.reposted: list[int] = []  # content ids
        self.log: list[str] = []

    def schedule_all(self, media: dict[str, Path]) -> None:
        config = load_config(self.path)
        now = utcnow()
        with self.db.factory.begin() as session:
            for n in range(VIDEOS):
                item = self._add(session, video(n, media))
                schedule(session, config, item, now, actor="t", platforms=["youtube"])
                self.videos.append(item)
            for n in range(ARTICLES + LATER):
                item = self._add(session, article(n, media["cover"] if n % 5 == 0 else None))
                at = now + timedelta(seconds=60) if n >= ARTICLES else now
                posts = schedule(session, config, item, at, actor="t", platforms=["facebook", "x"])
                if n >= ARTICLES:
                    self.cancel_later += [p.id for p in posts]
                elif n >= ARTICLES - 2:
                    self.cancel_racing += [p.id for p in posts]

    @staticmethod
    def _add(session: Session, item: NewContent) -> int:
        added = lifecycle.add_content(session, item, "phong-vien", store=None)
        lifecycle.submit(session, added.id, "phong-vien")
        lifecycle.approve(session, added.id, "bien-tap-vien", approvers=OPEN_REVIEW)
        return added.id

    def states(self) -> dict[int, str]:
        with self.db.factory() as session:
            return dict(session.execute(select(Post.id, Post.state)).all())

    def cancel_some(self) -> None:
        """Two posts cancelled through the CLI, the rest through the scheduling API; a racing
        one already being published is refused, as it should be."""
        for post_id in self.cancel_later[:2]:
            result = run(self.path, "cancel", str(post_id), "--reason", "bài bị rút", check=False)
            self._note_cancel(post_id, result.returncode == 0, result.stderr.strip())
        for post_id in self.cancel_later[2:] + self.cancel_racing:
            try:
                with self.db.factory.begin() as session:
                    cancel(session, post_id, actor="t", reason="bài bị rút")
                self._note_cancel(post_id, True, "")
            except StateError as exc:
                self._note_cancel(post_id, False, str(exc))

    def _note_cancel(self, post_id: int, done: bool, why: str) -> None:
        if done:
            self.cancelled.append(post_id)
        else:
            self.log.append(f"cancel of post {post_id} refused: {why}")

    def repost_published(self) -> bool:
        """`crosspost repost` of each video whose YouTube post is published, once; True while
        more may come (an original still going, fewer than REPOSTS issued)."""
        with self.db.factory() as session:
            originals = dict(
                session.execute(
                    select(Post.content_id, Post.state).where(
                        Post.content_id.in_(self.videos), Post.reposted_from_id.is_(None)
                    )
                ).all()
            )
        ready = [c for c, s in sorted(originals.items()) if s == "published"]
        for content_id in [c for c in ready if c not in self.reposted][
            : REPOSTS - len(self.reposted)
        ]:
            run(
                self.path,
                *("repost", str(content_id), "--platform", "youtube", "--now"),
                *("--reason", "đăng lại theo yêu cầu của ban biên tập"),
            )
            self.reposted.append(content_id)
        going = any(s not in ENDED for s in originals.values())
        return len(self.reposted) < REPOSTS and going

    def meanwhile(self, stop: threading.Event) -> None:
        """What people do while the workers run: cancel a few posts a moment after the start,
        then repost videos as they are published."""
        try:
            stop.wait(START_SECONDS)
            self.cancel_some()
            while not stop.is_set() and self.repost_published():
                stop.wait(0.5)
        except Exception as exc:  # shown in the failure, not lost in a thread
            self.log.append(f"the test's own actions failed: {exc!r}")

    def x_parts(self) -> dict[int, int]:
        with self.db.factory() as session:
            rows = session.execute(select(Post.id, Post.draft).where(Post.platform == "x")).all()
        return {post_id: len(draft_of(document).parts) for post_id, document in rows}


def kill_and_restart(procs: list[Running], path: Path, rng: random.Random) -> None:
    """SIGKILL one of the workers every 0.3-3 s, KILLS times, starting another in its place."""
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.3, 3.0))
        victim = rng.randrange(len(procs))
        procs[victim].send_signal(signal.SIGKILL)
        procs[victim].wait(timeout=10)
        procs[victim] = start(path, "worker")


@pytest.mark.parametrize(("backend", "workers"), [("sqlite", 1), ("postgresql", 4)])
def test_every_item_goes_out_once_and_whole_under_sigkill(backend, workers, tmp_path):
    db = Database(backend, tmp_path)
    try:
        seed = int(os.environ.get("CROSSPOST_FAULT_SEED", "23"))
        with start_sandbox(seed=seed, faults=FAULTS, request_log_size=1_000_000) as sandbox:
            path = write_config(
                tmp_path,
                sandbox.url,
                database_url=db.url,
                worker=WORKER,
                retry=RETRY,
                budgets=BUDGETS,
                x_accounts=X_ACCOUNTS,
            )
            scenario = Run(db, path)
            # Given long articles (threads of 5+ parts on two X accounts, a Facebook post
            # each) and videos, all due now but a few due in a minute
            scenario.schedule_all(generate_media(tmp_path / "media"))
            parts = scenario.x_parts()
            assert len(scenario.states()) >= 150
            assert len(parts) == 2 * (ARTICLES + LATER)
            assert min(parts.values()) >= MIN_PARTS, parts

            # When workers are killed at random moments while posts are cancelled and
            # published videos reposted, and then run to the end
            procs = [start(path, "worker") for _ in range(workers)]
            stop = threading.Event()
            people = threading.Thread(target=scenario.meanwhile, args=(stop,), daemon=True)
            people.start()
            kill_and_restart(procs, path, random.Random(seed * 10 + workers))
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline:
                ended = all(s in ENDED for s in scenario.states().values())
                if ended and not people.is_alive():
                    break
                time.sleep(0.5)
            stop.set()
            people.join(timeout=60)
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            errors = [proc.communicate(timeout=60)[1] for proc in procs]

            # Then the sandbox's records show every item once and whole, every failure
            # explained by a fault the sandbox injected, and published content is not
            # scheduled again
            state = sandbox.state()
            requests = list(sandbox.app.request_log)
            with db.factory() as session:
                posts = load_posts(session)
            problems = judge(posts, state, requests)
            problems += refuse_again(path, posts)
            problems += scenario_problems(scenario, posts, requests, sandbox.app.faults.describe())
            summary = (
                f"{len(problems)} problems; posts {dict(Counter(p.state for p in posts))}, "
                f"faults {sandbox.app.faults.describe()['injected']}, {KILLS} SIGKILLs:"
            )
            failed = [
                f"failed: post {p.id} ({p.platform}): {p.last_error}"
                for p in posts
                if p.state == "failed"
            ]
            assert not problems, "\n".join(
                [summary, *problems, *failed, *scenario.log, errors[-1][-3000:]]
            )
    finally:
        db.drop()


def refuse_again(path: Path, posts: Sequence[PostRecord]) -> list[str]:
    """`crosspost schedule ID --at now` of an article out everywhere is refused, naming repost."""
    by_content: dict[int, set[str]] = {}
    for post in posts:
        if post.reposted_from is None:
            by_content.setdefault(post.content_id, set()).add(post.state)
    done = sorted(c for c, states in by_content.items() if states == {"published"})
    if not done:
        return ["no content is published on every account: nothing to schedule again"]
    result = run(path, "schedule", str(done[0]), "--at", "now", check=False)
    return refusal_problems(done[0], result.returncode, result.stdout + result.stderr)


def scenario_problems(
    scenario: Run,
    posts: Sequence[PostRecord],
    requests: Sequence[Mapping[str, Any]],
    faults: Mapping[str, Any],
) -> list[str]:
    """The run was the one described: faults of each kind met, posts cancelled and reposted,
    the request log complete, most posts out."""
    problems = []
    injected = faults["injected"]
    for kind in FAULTS:
        if not injected.get(kind):
            problems.append(f"no {kind} fault was injected ({injected})")
    if len(requests) >= 1_000_000:
        problems.append("the sandbox's request log overflowed: failures cannot be judged")
    if len(scenario.cancelled) < len(scenario.cancel_later):
        problems.append(f"cancelled {scenario.cancelled}, want all of {scenario.cancel_later}")
    if not scenario.reposted:
        problems.append("no video was published in time to be reposted")
    reposts = [p for p in posts if p.reposted_from is not None]
    if len(reposts) != len(scenario.reposted):
        problems.append(f"{len(reposts)} reposts in the database, {len(scenario.reposted)} issued")
    published = sum(1 for p in posts if p.state == "published")
    if published < len(posts) * 3 // 4:
        problems.append(f"only {published} of {len(posts)} posts published")
    cancelled = {p.id for p in posts if p.state == "cancelled"}
    if cancelled != set(scenario.cancelled):
        problems.append(
            f"cancelled in the database {sorted(cancelled)}, by the test {scenario.cancelled}"
        )
    return problems
