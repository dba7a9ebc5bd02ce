"""An in-memory adapter for the spine's tests: the twin of a platform that does exactly what
it is told. Published posts are also appended to a JSON-lines journal (setting `journal`), so a
test can see what a worker in another process published, and count duplicates.

Settings (all optional): `journal` (path), `fail_times` (fail the first N attempts of each
post, or of `verify`), `fail_with` (what goes wrong, below), `fail_at` (the step it goes wrong
at: "create", the creating call (a thread's first part), by default; "part:N", part N of a
thread; "upload", a media file's upload before it; or "verify"), `retry_after_seconds` (the
wait a rate limit names, 1 by default), `credential` (the name of a credential the twin
needs, as a platform needs its token), `pace_seconds` (after each call, ask the account to
rest that long, as usage headers would), `inconclusive` (find_existing sees candidates but no
proof).

`fail_with` names either the error to raise (retryable, rate_limited, auth, permanent,
ambiguous) or what the platform did, which the twin classifies as the real adapters do, by
whether the step creates the post: `server_error` (a 5xx: ambiguous on the creating call,
retryable before it) and `lost_answer` (the step was carried out and its answer lost: the post
is written to the journal, then ambiguous; before the creating call, retryable).

`find_existing` reads the journal as a platform's timeline: the account's copy of this post
(the post id is the twin's marker) created since `since`, held by no other post, whose title
and parts equal the draft's in NFC, each part a reply to the one before (a thread found up to
a part is `complete=False`: the post resumes after it).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from crosspost.adapters.base import (
    Adapter,
    AmbiguousOutcomeError,
    AuthenticationError,
    ContentKind,
    Draft,
    InconclusiveError,
    Limits,
    Pacing,
    PermanentError,
    Platform,
    ProgressCallback,
    PublishError,
    PublishRequest,
    RateLimitedError,
    Receipt,
    RetryableError,
    SettingSpec,
    StepKind,
    StepReceipt,
    no_answer,
    unsettled_error,
)
from crosspost.adapters.common import nfc

_lock = threading.Lock()
_attempts: dict[tuple[str, str, int | str], int] = {}


class MemoryAdapter(Adapter):
    platform: ClassVar[Platform] = Platform.X
    display_name = "Memory"
    supported_kinds = frozenset(ContentKind)
    limits = Limits(text_max=5000, title_max=100, max_images=4, max_videos=1)
    settings_spec: ClassVar[dict[str, SettingSpec]] = {
        "journal": SettingSpec(str, "JSON-lines file of published posts"),
        "fail_times": SettingSpec(int, "fail the first N attempts of each post"),
        "fail_with": SettingSpec(str, "which error to raise, or what the platform did"),
        "fail_at": SettingSpec(str, "the step that fails: create, upload or verify"),
        "retry_after_seconds": SettingSpec((int, float), "the wait a rate limit names"),
        "credential": SettingSpec(str, "a credential the twin needs (its token's name)"),
        "inconclusive": SettingSpec(bool, "find_existing sees two alike copies and no proof"),
        "pace_seconds": SettingSpec(
            (int, float), "after each publish, ask the account to rest this long (usage figures)"
        ),
    }

    def pacing(self) -> Pacing | None:
        seconds = self.account.settings.get("pace_seconds")
        if not seconds:
            return None
        return Pacing(datetime.now(UTC) + timedelta(seconds=seconds), "usage near the cap")

    def _journal(self) -> Path | None:
        value = self.account.settings.get("journal")
        return Path(value) if value else None

    def _entries(self) -> list[dict[str, Any]]:
        path = self._journal()
        if path is None or not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def _publish(self, request: PublishRequest, progress: ProgressCallback | None) -> Receipt:
        """Each part (a thread's, or the one post) is made and confirmed in turn; parts an
        earlier attempt confirmed are skipped, as a real adapter resumes."""
        self._token()
        failing = self._failing(request.post_id)
        parts = request.draft.parts or ("",)
        steps: list[StepReceipt] = []
        previous: str | None = None
        for number, text in enumerate(parts, start=1):
            done = request.done_id(StepKind.PART, number)
            if done is not None:
                steps.append(StepReceipt(StepKind.PART, number, done, _url(done)))
                previous = done
                continue
            if number == 1:
                for _ in request.draft.media:
                    self._step("upload", failing, request)
            part = Part(number, text, previous)
            self._step("create" if number == 1 else f"part:{number}", failing, request, part)
            entry = self._write(request, part)
            step = StepReceipt(StepKind.PART, number, entry["remote_id"], _url(entry["remote_id"]))
            request.confirm(step)
            steps.append(step)
            previous = entry["remote_id"]
        if progress is not None:
            progress(1, 1)
        return _receipt(steps, complete=True)

    def draft_problems(self, draft: Draft, limits: Limits) -> list[str]:
        """The twin's own rule: its text limit (the base class adds the kind check)."""
        length = len(nfc(draft.text))
        if length > limits.text_max:
            return [f"memory: text is {length} characters, limit {limits.text_max}"]
        return []

    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        """The chain of this post's parts after the confirmed ones: each made since `since`,
        with the part's text, a reply to the part before, and held by no other post."""
        self._token()
        if self.account.settings.get("inconclusive"):
            raise InconclusiveError("memory: two alike copies and no marker: which is this post's?")
        floor = since if since.tzinfo else since.replace(tzinfo=UTC)  # naive means UTC
        draft = request.draft
        parts = draft.parts or ("",)
        entries = [
            e
            for e in self._entries()
            if e["account"] == self.account.name
            and e["post_id"] == request.post_id
            and datetime.fromisoformat(e["at"]) >= floor
            and e["remote_id"] not in request.exclude_ids
            and nfc(e["title"]) == nfc(draft.title)
        ]
        steps = [s for s in request.done if s.kind is StepKind.PART]
        previous = steps[-1].remote_id if steps else None
        found = False
        for number in range(len(steps) + 1, len(parts) + 1):
            match = next(
                (
                    e
                    for e in entries
                    if e.get("number", 1) == number
                    and nfc(e["text"]) == nfc(parts[number - 1])
                    and e.get("reply_to") == previous
                ),
                None,
            )
            if match is None:
                break
            previous = match["remote_id"]
            steps.append(StepReceipt(StepKind.PART, number, previous, _url(previous)))
            found = True
        if not found:
            return None
        return _receipt(steps, complete=len(steps) == len(parts))

    def verify(self) -> str:
        self._token()
        self._step("verify", self._failing("verify"), None)
        return self.account.name

    # -- the twin's steps -----------------------------------------------------------------
    def _token(self) -> None:
        """Ask for the credential the account is set to need, as a client library would."""
        name = self.account.settings.get("credential")
        if name:
            self.account.credential(str(name))

    def _failing(self, key: int | str) -> bool:
        """Whether this attempt (of the post, or of `verify`) is one of the first `fail_times`."""
        counter = (str(self._journal()), self.account.name, key)
        with _lock:
            _attempts[counter] = _attempts.get(counter, 0) + 1
            attempt = _attempts[counter]
        return attempt <= int(self.account.settings.get("fail_times", 0))

    def _step(
        self,
        step: str,
        failing: bool,
        request: PublishRequest | None,
        part: Part | None = None,
    ) -> None:
        """Carry out `step` (nothing to do in memory), unless it is the one set to fail."""
        if not failing or step != self.account.settings.get("fail_at", "create"):
            return
        kind = self.account.settings.get("fail_with", "retryable")
        creating = part is not None
        if kind == "lost_answer":
            if creating and request is not None:
                self._write(request, part)  # carried out; only the answer is lost
            raise no_answer(
                f"memory {step}", "connection dropped", creating=creating, note="the post may exist"
            )
        error = self._error(kind, step, creating)
        if part is not None and part.number > 1:
            error.step = (StepKind.PART, part.number)
        raise error

    def _error(self, kind: str, step: str, creating: bool) -> PublishError:
        wait = float(self.account.settings.get("retry_after_seconds", 1))
        if kind == "server_error":
            return unsettled_error(
                f"memory {step}: HTTP 503 server error",
                creating=creating,
                note="the post may exist",
                http_status=503,
            )
        retry_at = datetime.now(UTC) + timedelta(seconds=wait)
        errors: dict[str, PublishError] = {
            "retryable": RetryableError("sandbox says try later", http_status=503),
            "rate_limited": RateLimitedError("slow down", http_status=429, retry_at=retry_at),
            "auth": AuthenticationError("token expired", http_status=401),
            "permanent": PermanentError("content refused", http_status=400),
            "ambiguous": AmbiguousOutcomeError("connection dropped"),
        }
        return errors[kind]

    def _write(self, request: PublishRequest, part: Part | None = None) -> dict[str, Any]:
        part = part or Part(1, request.draft.text, None)
        remote_id = f"{self.account.name}-{request.post_id}-{time.time_ns()}"
        entry = {
            "account": self.account.name,
            "post_id": request.post_id,
            "remote_id": remote_id,
            "text": part.text,
            "number": part.number,
            "reply_to": part.reply_to,
            "title": request.draft.title,
            "at": datetime.now(UTC).isoformat(),
        }
        path = self._journal()
        if path is not None:
            with _lock, path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry


@dataclass(frozen=True)
class Part:
    """One post of a thread as the twin makes it: its number, text and the post it replies to."""

    number: int
    text: str
    reply_to: str | None


def _receipt(steps: list[StepReceipt], *, complete: bool) -> Receipt:
    first = steps[0].remote_id
    return Receipt(
        remote_id=first,
        url=_url(first),
        extra_ids=tuple(s.remote_id for s in steps[1:]),
        steps=tuple(steps),
        complete=complete,
    )


def _url(remote_id: str) -> str:
    return f"https://memory.example/{remote_id}"


class MemoryFacebook(MemoryAdapter):
    platform = Platform.FACEBOOK


class MemoryYouTube(MemoryAdapter):
    platform = Platform.YOUTUBE
    supported_kinds = frozenset({ContentKind.VIDEO, ContentKind.PODCAST})


class MemoryX(MemoryAdapter):
    platform = Platform.X
