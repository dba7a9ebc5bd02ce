"""The judge of a publishing run: what the sandbox holds, against what the database says.

A run is judged by the platforms' own records (`SandboxServer.state()` and its request log),
never by what the worker believes: every approved item goes out exactly once and whole. Each
function returns a list of problems, one line each, so a failing assertion names them all at
once instead of the first. `load_posts` reads the database into plain records; everything else
is pure, so the judge itself is tested on small hand-made states.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, undefer

from crosspost.db.models import Attempt, Post
from crosspost.posts.drafts import draft_of

Problems = list[str]
ENDED = ("published", "failed", "cancelled")
SLACK = 1.0  # seconds around an attempt in which a fault it met may have been logged


@dataclass(frozen=True)
class Step:
    kind: str
    number: int
    remote_id: str | None
    state: str = "confirmed"


@dataclass(frozen=True)
class LastAttempt:
    """The post's last attempt that ended (its outcome set), times as epoch seconds."""

    outcome: str
    message: str | None
    started_at: float
    ended_at: float | None


@dataclass(frozen=True)
class PostRecord:
    """One post as the database holds it, with its stored draft's texts."""

    id: int
    content_id: int
    account: str
    platform: str
    state: str
    remote_id: str | None = None
    extra_ids: tuple[str, ...] = ()
    last_error: str | None = None
    reposted_from: int | None = None
    parts: tuple[str, ...] = ()
    title: str | None = None
    has_media: bool = False
    steps: tuple[Step, ...] = ()
    last_attempt: LastAttempt | None = None

    @property
    def held_ids(self) -> set[str]:
        """Every remote id the post holds: its remote id, extra ids and steps' ids."""
        ids = {self.remote_id, *self.extra_ids, *(s.remote_id for s in self.steps)}
        return {i for i in ids if i}

    @property
    def part_steps(self) -> list[Step]:
        return sorted((s for s in self.steps if s.kind == "part"), key=lambda s: s.number)

    @property
    def texts(self) -> set[str]:
        """What a request for this post carries: its parts and title, NFC."""
        return {nfc(t) for t in (*self.parts, self.title) if t}


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def load_posts(session: Session) -> list[PostRecord]:
    """Every post with its stored draft, steps and last ended attempt."""
    posts = session.scalars(
        select(Post)
        .options(undefer(Post.draft), selectinload(Post.steps), selectinload(Post.account))
        .order_by(Post.id)
    ).all()
    last: dict[int, Attempt] = {}
    for attempt in session.scalars(
        select(Attempt).where(Attempt.outcome.is_not(None)).order_by(Attempt.id)
    ):
        last[attempt.post_id] = attempt
    records = []
    for post in posts:
        draft = draft_of(post.draft) if post.draft else None
        attempt = last.get(post.id)
        records.append(
            PostRecord(
                id=post.id,
                content_id=post.content_id,
                account=post.account.name,
                platform=post.platform,
                state=post.state,
                remote_id=post.remote_id,
                extra_ids=tuple(post.remote_extra_ids or ()),
                last_error=post.last_error,
                reposted_from=post.reposted_from_id,
                parts=draft.parts if draft else (),
                title=draft.title if draft else None,
                has_media=bool(draft and draft.media),
                steps=tuple(Step(s.kind, s.number, s.remote_id, s.state) for s in post.steps),
                last_attempt=LastAttempt(
                    str(attempt.outcome),
                    attempt.message,
                    attempt.started_at.timestamp(),
                    attempt.ended_at.timestamp() if attempt.ended_at else None,
                )
                if attempt
                else None,
            )
        )
    return records


# -- what the sandbox holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    """One thing made on a platform: held by a post when the post holds any of its `ids`."""

    platform: str
    ids: tuple[str, ...]
    owner: str  # the X author, the Facebook Page, the YouTube channel
    text: str  # what a doubled copy would repeat: post text, message and link, title

    def describe(self) -> str:
        return f"{self.platform} {self.ids[0]} ({self.text[:50]!r})"


def remotes(state: Mapping[str, Any]) -> list[Remote]:
    """Everything public the sandbox holds: posts on X, Page posts and videos, YouTube videos.
    (Unattached media uploads and unpublished photos are not public and not listed.)"""
    found = [
        Remote("x", (t["id"],), str(t.get("author_id")), t["text"])
        for t in state.get("x", {}).get("tweets", [])
    ]
    facebook = state.get("facebook", {})
    page = str(facebook.get("page", {}).get("id"))
    videos = {v["id"]: v for v in facebook.get("videos", [])}
    for post in facebook.get("posts", []):
        attached = tuple(str(m) for m in post.get("attached_media") or ())
        if post.get("kind") == "video":
            video = next((videos[m] for m in attached if m in videos), {})
            text = f"video: {video.get('title') or post.get('message') or ''}"
        else:
            text = f"{post.get('message') or ''} | {post.get('link') or ''}"
        found.append(Remote("facebook", (str(post["id"]), *attached), page, text))
    youtube = state.get("youtube", {})
    channel = str(youtube.get("channel", {}).get("id"))
    found += [Remote("youtube", (v["id"],), channel, v["title"]) for v in youtube.get("videos", [])]
    return found


def remote_ids(state: Mapping[str, Any], platform: str) -> set[str]:
    return {i for r in remotes(state) if r.platform == platform for i in r.ids}


def exact(text: str) -> str:
    """A text as the sandbox records it: exactly as posted, in NFC (its state keeps the text it
    received, before the t.co links, escaping and media link it shows). The judge compares
    that, not the adapter's own reduction, so a bug there cannot hide here."""
    return unicodedata.normalize("NFC", text)


# -- the checks --------------------------------------------------------------------------------


def thread_problems(posts: Sequence[PostRecord], state: Mapping[str, Any]) -> Problems:
    """Every published X post has each part of its stored draft on X once, in order, each a
    reply to the one before, its text the part's, its id stored as a confirmed part step (part
    1's is the post's remote id); a failed one with parts out says why; none other has any."""
    tweets = {t["id"]: t for t in state.get("x", {}).get("tweets", [])}
    by_text: dict[tuple[str, str], int] = defaultdict(int)
    for tweet in tweets.values():
        by_text[(str(tweet.get("author_id")), exact(tweet["text"]))] += 1
    problems: Problems = []
    for post in posts:
        if post.platform != "x":
            continue
        steps = [s for s in post.part_steps if s.state == "confirmed" and s.remote_id]
        out = [s for s in steps if s.remote_id in tweets] or (
            [Step("part", 1, post.remote_id)] if post.remote_id in tweets else []
        )
        if post.state == "published":
            problems += _whole_thread(post, tweets, by_text)
        elif out and post.state == "failed":
            if not (post.last_error or "").strip():
                problems.append(
                    f"post {post.id}: failed with {len(out)} of {len(post.parts)} parts on X "
                    "and no reason in last_error"
                )
            # Every confirmed step, not only those found on X: a recorded id X lacks is a lie.
            problems += _chain(
                post, [s.remote_id or "" for s in steps] or [out[0].remote_id or ""], tweets
            )
        elif out:
            problems.append(
                f"post {post.id}: {post.state} with {len(out)} of {len(post.parts)} parts on X "
                "(a thread cut short, not failed with a reason)"
            )
    return problems


def _whole_thread(
    post: PostRecord, tweets: Mapping[str, Any], by_text: Mapping[tuple[str, str], int]
) -> Problems:
    want = list(range(1, len(post.parts) + 1))
    steps = post.part_steps
    numbers = [s.number for s in steps]
    if not post.parts:
        return [f"post {post.id}: published on X with no stored draft parts"]
    problems: Problems = []
    if numbers != want or any(s.state != "confirmed" or not s.remote_id for s in steps):
        first = tweets.get(post.remote_id or "")
        author = str(first.get("author_id")) if first else None
        on_x = sum(
            1
            for n, part in enumerate(post.parts, start=1)
            if by_text.get((str(author), exact(part)), 0)
        )
        problems.append(
            f"post {post.id}: part steps {[(s.number, s.state, s.remote_id) for s in steps]}, "
            f"want parts {want[0]}..{want[-1]} confirmed with ids ({on_x} of {len(want)} "
            "parts' texts are on X by its author)"
        )
        return problems
    ids = [s.remote_id or "" for s in steps]
    if post.remote_id != ids[0]:
        problems.append(f"post {post.id}: remote id {post.remote_id}, part 1 is {ids[0]}")
    problems += _chain(post, ids, tweets)
    for number, (part, tweet_id) in enumerate(zip(post.parts, ids, strict=True), start=1):
        tweet = tweets.get(tweet_id)
        if tweet is None:
            continue  # _chain reported it
        copies = by_text[(str(tweet.get("author_id")), exact(part))]
        if copies != 1:
            problems.append(f"post {post.id}: part {number} is on X {copies} times")
    return problems


def _chain(post: PostRecord, ids: Sequence[str], tweets: Mapping[str, Any]) -> Problems:
    """Parts 1..len(ids) of the post: on X, texts equal, each a reply to the one before, one
    author."""
    problems: Problems = []
    authors = set()
    for number, tweet_id in enumerate(ids, start=1):
        tweet = tweets.get(tweet_id)
        if tweet is None:
            problems.append(f"post {post.id}: part {number} ({tweet_id}) is not on X")
            continue
        authors.add(tweet.get("author_id"))
        if number > len(post.parts):
            problems.append(f"post {post.id}: part {number} is more than its {len(post.parts)}")
            continue
        if exact(tweet["text"]) != exact(post.parts[number - 1]):
            problems.append(
                f"post {post.id}: part {number} ({tweet_id}) reads {tweet['text'][:60]!r}, "
                f"the draft {post.parts[number - 1][:60]!r}"
            )
        parent = ids[number - 2] if number > 1 else None
        if tweet.get("in_reply_to") != parent:
            problems.append(
                f"post {post.id}: part {number} ({tweet_id}) replies to "
                f"{tweet.get('in_reply_to')}, not {parent or 'nothing'}"
            )
    if len(authors) > 1:
        problems.append(f"post {post.id}: its parts have {len(authors)} authors")
    return problems


def playlist_problems(state: Mapping[str, Any]) -> Problems:
    """No YouTube playlist holds a video twice (an insert sent again after a lost answer)."""
    problems: Problems = []
    playlists = state.get("youtube", {}).get("playlists", {})
    for playlist_id, playlist in playlists.items():
        items = list(playlist.get("video_ids", []))
        for video_id in sorted({v for v in items if items.count(v) > 1}):
            times = items.count(video_id)
            problems.append(f"youtube playlist {playlist_id}: video {video_id} in it {times} times")
    return problems


def author_problems(posts: Sequence[PostRecord], state: Mapping[str, Any]) -> Problems:
    """Each X account's posts have one author, and no two accounts share one."""
    tweets = {t["id"]: t for t in state.get("x", {}).get("tweets", [])}
    authors: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        if post.platform == "x":
            authors[post.account] |= {
                str(tweets[i].get("author_id")) for i in post.held_ids if i in tweets
            }
    problems = [
        f"account {name}: its posts have authors {sorted(found)}"
        for name, found in sorted(authors.items())
        if len(found) > 1
    ]
    owners: dict[str, list[str]] = defaultdict(list)
    for name, found in sorted(authors.items()):
        for author in found:
            owners[author].append(name)
    problems += [f"X author {a} posts for {names}" for a, names in owners.items() if len(names) > 1]
    return problems


def unheld_problems(posts: Sequence[PostRecord], state: Mapping[str, Any]) -> Problems:
    """Nothing on a platform that no post holds (a receipt lost: made, never recorded)."""
    held = set().union(*(p.held_ids for p in posts)) if posts else set()
    return [
        f"{r.describe()} is held by no post (a lost receipt)"
        for r in remotes(state)
        if not held.intersection(r.ids)
    ]


def shared_id_problems(posts: Iterable[PostRecord]) -> Problems:
    """No remote id held by two posts (remote_id, remote_extra_ids, post_step ids)."""
    holders: dict[str, list[int]] = defaultdict(list)
    for post in posts:
        for remote_id in post.held_ids:
            holders[remote_id].append(post.id)
    return [
        f"remote id {remote_id} is held by posts {ids}"
        for remote_id, ids in sorted(holders.items())
        if len(ids) > 1
    ]


def duplicate_problems(posts: Sequence[PostRecord], state: Mapping[str, Any]) -> Problems:
    """No text twice on one X author, Page or channel (as `crosspost.demo.duplicates`, but per
    owner, since two X accounts may post the same article), unless each copy is a different
    post of one content and account, all after the first reposts."""
    by_id = {i: p for p in posts for i in p.held_ids}
    groups: dict[tuple[str, str, str], list[Remote]] = defaultdict(list)
    for remote in remotes(state):
        groups[(remote.platform, remote.owner, nfc(remote.text))].append(remote)
    problems: Problems = []
    for (platform, _owner, text), copies in sorted(groups.items()):
        if len(copies) < 2 or not text.strip(" |"):
            continue
        holders = [next((by_id[i] for i in r.ids if i in by_id), None) for r in copies]
        held = [h for h in holders if h is not None]
        ids = {h.id for h in held}
        reposts = (
            len(held) == len(copies) == len(ids)
            and len({(h.content_id, h.account) for h in held}) == 1
            and all(h.reposted_from is not None for h in held if h.id != min(ids))
        )
        if not reposts:
            problems.append(
                f"{platform}: {text[:60]!r} is there {len(copies)} times "
                f"(ids {[r.ids[0] for r in copies]}, held by posts "
                f"{[h.id if h else None for h in holders]})"
            )
    return problems


def lost_problems(posts: Sequence[PostRecord], state: Mapping[str, Any]) -> Problems:
    """Every post not cancelled ended published or failed; every published one is there."""
    problems: Problems = []
    present = {p: remote_ids(state, p) for p in ("x", "facebook", "youtube")}
    for post in posts:
        if post.state not in ENDED:
            problems.append(f"post {post.id} ({post.platform}): still {post.state}")
        elif post.state == "published" and post.remote_id not in present.get(post.platform, ()):
            problems.append(
                f"post {post.id}: published as {post.remote_id}, which {post.platform} "
                "does not have"
            )
    return problems


def repost_problems(posts: Sequence[PostRecord], state: Mapping[str, Any]) -> Problems:
    """A published repost is a copy of its own: its remote id exists and is none of the
    earlier posts' of that content and account (nor its `reposted_from`'s)."""
    problems: Problems = []
    for repost in posts:
        if repost.reposted_from is None or repost.state != "published":
            continue
        if repost.remote_id not in remote_ids(state, repost.platform):
            problems.append(f"repost {repost.id}: remote id {repost.remote_id} does not exist")
        for earlier in posts:
            same = earlier.content_id == repost.content_id and earlier.account == repost.account
            if earlier.id == repost.reposted_from or (same and earlier.id < repost.id):
                shared = repost.held_ids & earlier.held_ids
                if shared:
                    problems.append(
                        f"repost {repost.id} matched to its original {earlier.id} "
                        f"(shares {sorted(shared)})"
                    )
    return problems


def _named(entry: Mapping[str, Any]) -> set[str]:
    """The post texts a logged request carries (X text, Facebook message or title, YouTube
    title): empty for requests that name no post (media uploads, thumbnails, tokens)."""
    names: set[str] = set()
    body = entry.get("json")
    if isinstance(body, dict):
        names |= {nfc(body.get("text")), nfc((body.get("snippet") or {}).get("title"))}
    form = entry.get("form")
    if isinstance(form, dict):
        names |= {nfc(form.get("message")), nfc(form.get("title"))}
    return {n for n in names if n}


def failure_problems(
    posts: Sequence[PostRecord], requests: Sequence[Mapping[str, Any]]
) -> Problems:
    """Each failed post's last attempt ended `permanent`, and one permanent fault the sandbox
    injected answers for it: on its platform, during that attempt, naming it if the request
    names a post at all. One fault explains one failure."""
    faults = [e for e in requests if e.get("fault") == "permanent"]
    problems: Problems = []
    candidates: dict[int, list[int]] = {}
    for post in posts:
        if post.state != "failed":
            continue
        last = post.last_attempt
        if last is None or last.outcome != "permanent":
            outcome = f"{last.outcome}: {last.message}" if last else "no attempt"
            problems.append(
                f"post {post.id} failed ({post.last_error}); its last attempt was {outcome}, "
                "not a permanent refusal"
            )
            continue
        end = (last.ended_at or last.started_at) + SLACK
        candidates[post.id] = [
            n
            for n, e in enumerate(faults)
            if e.get("platform") == post.platform
            and last.started_at - SLACK <= float(e.get("received_at", 0)) <= end
            and (not _named(e) or _named(e) & post.texts)
        ]
    used: set[int] = set()
    errors = {p.id: p.last_error for p in posts}
    for post_id, found in sorted(candidates.items(), key=lambda item: len(item[1])):
        free = next((n for n in found if n not in used), None)
        if free is None:
            problems.append(
                f"post {post_id} failed ({errors[post_id]}) but no permanent fault was injected "
                "for it during its last attempt"
            )
        else:
            used.add(free)
    return problems


def refusal_problems(content_id: int, returncode: int, output: str) -> Problems:
    """`crosspost schedule` of published content exits non-zero with one line naming repost."""
    lines = [line for line in output.splitlines() if line.strip()]
    if returncode != 0 and len(lines) == 1 and "repost" in lines[0]:
        return []
    return [
        f"schedule of published content {content_id} exited {returncode} with "
        f"{len(lines)} lines, want non-zero and one line naming repost: {output.strip()[:300]!r}"
    ]


def judge(
    posts: Sequence[PostRecord], state: Mapping[str, Any], requests: Sequence[Mapping[str, Any]]
) -> Problems:
    """Every check above, on one run's records."""
    return [
        *lost_problems(posts, state),
        *thread_problems(posts, state),
        *author_problems(posts, state),
        *playlist_problems(state),
        *unheld_problems(posts, state),
        *shared_id_problems(posts),
        *duplicate_problems(posts, state),
        *repost_problems(posts, state),
        *failure_problems(posts, requests),
    ]
