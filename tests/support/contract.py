"""The harness of the adapter contract suite: what a platform's row declares, and the stand a
contract case runs it on.

A `Row` is data: how to build the platform's adapter on a base URL, its sample draft, which
sandbox action is the creating call and which calls come before it (each with the draft whose
publish reaches it), how to read what the platform holds (ground truth: a case asserts on the
sandbox's own state and request log, not only on the exception), its identity, its secrets,
the drafts it refuses, and what its errors carry beyond their class (`expect`). Cases a row
cannot run are named in `not_applicable` with the reason; known adapter bugs in `bugs`.

A `Stand` is one platform for one test: the sandbox over HTTP (`SandboxStand`, faults through
``POST /_sandbox/faults``, timeouts through a `StallProxy`) or the in-memory twin (`TwinStand`,
faults through its settings, ground truth from its journal).
"""

from __future__ import annotations

import itertools
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import Adapter, Draft, PublishError, PublishRequest
from tests.support.sandbox import SandboxControl, publish_request
from tests.support.stall_proxy import StallProxy

DraftMaker = Callable[[Path, str], Draft]  # (a folder for its media files, the text) -> draft
# (API base URL, auth base URL, settings, credentials) -> adapter
Builder = Callable[[str, str, Mapping[str, Any], Mapping[str, str]], Adapter]
State = Mapping[str, Any]  # what one platform holds, as GET /_sandbox/state shows it


@dataclass(frozen=True)
class Call:
    """One call a publish makes: its sandbox action, and the draft and settings reaching it."""

    action: str
    draft: DraftMaker
    settings: Mapping[str, Any] = field(default_factory=dict)
    count: int = 1  # how many faults in a row it takes (a client that retries on its own)


@dataclass(frozen=True)
class Expect:
    """What an error carries beyond its class, where the platform says it."""

    http_status: int | None = None
    platform_code: str | None = None
    message: str | None = None  # a regular expression the message must contain

    def check(self, error: PublishError) -> None:
        if self.http_status is not None:
            assert error.http_status == self.http_status, error
        if self.platform_code is not None:
            assert error.platform_code == self.platform_code, error
        if self.message is not None:
            assert re.search(self.message, error.message), error.message


@dataclass(frozen=True)
class Refusal:
    """A draft the platform would refuse, and the words the refusal names it by."""

    draft: Callable[[Path], Draft]
    message: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RateLimit:
    """The wait a 429 fault names (`retry_after`), and the wait the platform's header gives
    for it (`wait`, seconds, give or take `tolerance`)."""

    retry_after: int
    wait: float
    tolerance: float


@dataclass(frozen=True)
class Row:
    """One adapter in the contract's table, as data (module docstring: the fields' roles)."""

    name: str
    sandbox: type[SandboxControl] | None  # None: the in-memory twin
    build: Builder
    text: str  # the sample draft's text (the field find_existing compares)
    draft: DraftMaker  # the sample draft
    creating: Call
    before: tuple[Call, ...]  # calls before anything exists
    expired: tuple[Call, ...]  # where an expired token is refused
    identity_action: str  # the call verify makes
    credentials: Mapping[str, str]
    created: Callable[[State], list[dict[str, Any]]]  # the objects a publish makes
    id_of: Callable[[dict[str, Any]], str]  # an object's remote id
    text_of: Callable[[dict[str, Any]], str]  # an object's compared text
    url_of: Callable[[State, dict[str, Any]], str]  # the receipt URL of an object
    identity: Callable[[State], str]  # what verify returns
    missing: tuple[Mapping[str, str], str]  # credentials lacking one, and its name
    refusals: tuple[Refusal, ...]
    rate_limit: RateLimit
    secrets: tuple[str, ...]  # values no message, repr, URL or log may show
    alternate_credentials: tuple[Mapping[str, str], ...] = ()  # other ways to sign in
    revoke: Mapping[str, Any] | None = None  # sandbox knobs that revoke the credential
    revoked_at: str | None = None  # the call that then refuses it
    lost_answer: tuple[str, ...] = ("ambiguous",)  # faults on the creating call that lose it
    refusing: Call | None = None  # where the platform refuses content (default: creating)
    expect: Mapping[str, Expect] = field(default_factory=dict)  # "case" or "case:action"
    credential_actions: tuple[str, ...] = ()  # calls whose body carries the secrets (OAuth)
    token_action: str | None = None  # the call that gets an access token: nothing goes first
    debug_evidence: str | None = None  # logged at DEBUG on any run (so logs were seen)
    not_chained: tuple[type[BaseException], ...] = ()  # never a cause (their reprs hold headers)
    not_applicable: Mapping[str, str] = field(default_factory=dict)  # case -> why
    bugs: Mapping[str, str] = field(default_factory=dict)  # "case[:action]" -> the bug
    # A call whose 429 names its wait differently from the row's (action -> RateLimit).
    rate_limit_for: Mapping[str, RateLimit] = field(default_factory=dict)

    def expectation(self, case: str, action: str | None = None) -> Expect:
        return self.expect.get(f"{case}:{action}") or self.expect.get(case) or Expect()

    def rate_limit_of(self, action: str) -> RateLimit:
        return self.rate_limit_for.get(action, self.rate_limit)

    def all_credentials(self) -> tuple[Mapping[str, str], ...]:
        return (self.credentials, *self.alternate_credentials)


class Stand(ABC):
    """One platform for one test: adapters on it, its faults and what it holds."""

    def __init__(self, row: Row, folder: Path) -> None:
        self.row = row
        self.folder = folder
        self._post_ids = itertools.count(1)
        self._made: list[Adapter] = []

    def request(self, draft: Draft) -> PublishRequest:
        """A request to publish `draft` as a post of its own (the twin counts per post)."""
        return publish_request(draft, post_id=next(self._post_ids))

    def adapter(
        self,
        call: Call | None = None,
        *,
        url: str | None = None,
        auth_url: str | None = None,
        credentials: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> Adapter:
        """An adapter on this stand (or `url`), set as `call` needs, closed after the test."""
        merged = {**(call.settings if call else {}), **settings}
        chosen = self.row.credentials if credentials is None else credentials
        adapter = self._build(url, auth_url, merged, chosen)
        self._made.append(adapter)
        return adapter

    def close(self) -> None:
        for adapter in self._made:
            adapter.close()

    @abstractmethod
    def _build(
        self,
        url: str | None,
        auth_url: str | None,
        settings: dict[str, Any],
        credentials: Mapping[str, str],
    ) -> Adapter:
        """The row's adapter on `url` (default: the stand) with `settings`, `credentials`."""

    @abstractmethod
    def fault(
        self, kind: str, call: Call, *, count: int | None = None, retry_after: int = 2
    ) -> None:
        """Make `call` fail with the sandbox's fault `kind` (5xx, 429, expired, ...)."""

    def created(self) -> list[dict[str, Any]]:
        """The objects the platform holds (ground truth)."""
        return self.row.created(self.state())

    @abstractmethod
    def state(self) -> State:
        """What the platform holds now."""

    def received(self) -> list[dict[str, Any]] | None:
        """Every request the platform received (None: the twin has no wire)."""
        return None

    @abstractmethod
    def configure(self, **knobs: Any) -> None:
        """Set the platform's sandbox knobs."""


class SandboxStand(Stand):
    def __init__(self, row: Row, folder: Path, control: SandboxControl) -> None:
        super().__init__(row, folder)
        self.control = control
        self.url = control.url
        control.reset()

    def _build(
        self,
        url: str | None,
        auth_url: str | None,
        settings: dict[str, Any],
        credentials: Mapping[str, str],
    ) -> Adapter:
        return self.row.build(url or self.url, auth_url or url or self.url, settings, credentials)

    def fault(
        self, kind: str, call: Call, *, count: int | None = None, retry_after: int = 2
    ) -> None:
        self.control.fault(kind, call.action, count or call.count, retry_after)

    def state(self) -> State:
        return self.control.state()

    def received(self) -> list[dict[str, Any]]:
        return self.control.requests()

    def configure(self, **knobs: Any) -> None:
        self.control.configure(**knobs)

    def proxy(self) -> StallProxy:
        """A proxy in front of this sandbox that can keep back one call's answer."""
        return StallProxy(self.url)


# The sandbox's fault kinds as the twin's settings (`fail_with`).
TWIN_FAULTS = {
    "5xx": "server_error",
    "429": "rate_limited",
    "expired": "auth",
    "permanent": "permanent",
    "ambiguous": "lost_answer",
}


class TwinStand(Stand):
    """The in-memory twin: a fault is the next adapter's settings, its journal the truth."""

    def __init__(self, row: Row, folder: Path) -> None:
        super().__init__(row, folder)
        self.journal = folder / "journal.jsonl"
        self._pending: dict[str, Any] = {}

    def _build(
        self,
        url: str | None,
        auth_url: str | None,
        settings: dict[str, Any],
        credentials: Mapping[str, str],
    ) -> Adapter:
        merged = {"journal": str(self.journal), **settings, **self._pending}
        self._pending = {}
        return self.row.build("", "", merged, credentials)

    def fault(
        self, kind: str, call: Call, *, count: int | None = None, retry_after: int = 2
    ) -> None:
        """Set for the next adapter made, as the sandbox's rule is for the next requests."""
        self._pending = {
            "fail_with": TWIN_FAULTS[kind],
            "fail_at": call.action,
            "fail_times": count or call.count,
            "retry_after_seconds": retry_after,
        }

    def state(self) -> State:
        if not self.journal.exists():
            return {"posts": []}
        lines = self.journal.read_text(encoding="utf-8").splitlines()
        return {"posts": [json.loads(line) for line in lines if line.strip()]}

    def configure(self, **knobs: Any) -> None:
        raise AssertionError("the twin has no sandbox knobs")


def skip_unless_applicable(
    row: Row, case: str, request: pytest.FixtureRequest, action: str | None = None
) -> None:
    """Skip, with the row's reason, a case the row says cannot apply; mark a known bug xfail."""
    if case in row.not_applicable:
        pytest.skip(f"{row.name}: {row.not_applicable[case]}")
    bug = row.bugs.get(f"{case}:{action}") or row.bugs.get(case)
    if bug:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{row.name}: {bug}"))


def naive_utc(moment: datetime) -> datetime:
    """`moment` as a naive UTC datetime (what a database column gives back)."""
    return moment.astimezone(UTC).replace(tzinfo=None)
