"""An in-memory adapter for the spine's tests: the twin of a platform that does exactly what
it is told. Published posts are also appended to a JSON-lines journal (setting `journal`), so a
test can see what a worker in another process published, and count duplicates.

Settings (all optional): `journal` (path), `fail_times` (raise RetryableError on the first N
attempts of each post), `fail_with` (retryable, rate_limited, auth, permanent, ambiguous),
`pace_seconds` (after each call, ask the account to rest that long, as usage headers would).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from crosspost.adapters.base import (
    Adapter,
    AmbiguousOutcomeError,
    AuthenticationError,
    ContentKind,
    Limits,
    Pacing,
    PermanentError,
    Platform,
    ProgressCallback,
    PublishRequest,
    RateLimitedError,
    Receipt,
    RetryableError,
    SettingSpec,
)

_lock = threading.Lock()
_attempts: dict[tuple[str, str, int], int] = {}


class MemoryAdapter(Adapter):
    platform: ClassVar[Platform] = Platform.X
    supported_kinds = frozenset(ContentKind)
    limits = Limits(text_max=5000, title_max=100, max_images=4, max_videos=1)
    settings_spec: ClassVar[dict[str, SettingSpec]] = {
        "journal": SettingSpec(str, "JSON-lines file of published posts"),
        "fail_times": SettingSpec(int, "fail the first N attempts of each post"),
        "fail_with": SettingSpec(str, "which error to raise"),
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
        key = (str(self._journal()), self.account.name, request.post_id)
        fail_times = int(self.account.settings.get("fail_times", 0))
        with _lock:
            _attempts[key] = _attempts.get(key, 0) + 1
            attempt = _attempts[key]
        if attempt <= fail_times:
            kind = self.account.settings.get("fail_with", "retryable")
            retry_at = datetime.now(UTC) + timedelta(seconds=1)
            raise {
                "retryable": RetryableError("sandbox says try later", http_status=503),
                "rate_limited": RateLimitedError("slow down", http_status=429, retry_at=retry_at),
                "auth": AuthenticationError("token expired", http_status=401),
                "permanent": PermanentError("content refused", http_status=400),
                "ambiguous": AmbiguousOutcomeError("connection dropped"),
            }[kind]
        remote_id = f"{self.account.name}-{request.post_id}-{time.time_ns()}"
        entry = {
            "account": self.account.name,
            "post_id": request.post_id,
            "remote_id": remote_id,
            "text": request.draft.text,
            "title": request.draft.title,
            "at": datetime.now(UTC).isoformat(),
        }
        path = self._journal()
        if path is not None:
            with _lock, path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if progress is not None:
            progress(1, 1)
        return Receipt(remote_id=remote_id, url=f"https://memory.example/{remote_id}")

    def find_existing(self, request: PublishRequest, since: datetime) -> Receipt | None:
        for entry in self._entries():
            if entry["account"] == self.account.name and entry["post_id"] == request.post_id:
                return Receipt(entry["remote_id"], f"https://memory.example/{entry['remote_id']}")
        return None

    def verify(self) -> str:
        return self.account.name


class MemoryFacebook(MemoryAdapter):
    platform = Platform.FACEBOOK


class MemoryYouTube(MemoryAdapter):
    platform = Platform.YOUTUBE
    supported_kinds = frozenset({ContentKind.VIDEO, ContentKind.PODCAST})


class MemoryX(MemoryAdapter):
    platform = Platform.X
