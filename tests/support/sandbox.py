"""What every platform's sandbox and adapter tests build the same way.

- `SandboxControl`: a running sandbox's control endpoints (``/_sandbox/...``) as one platform's
  tests see them; each platform's helpers subclass it with its name, its default knobs and its
  raw calls.
- `sandbox_fixtures`: the two fixtures a test module needs, `sandbox_server` (one sandbox for
  the module: starting a server and a client costs more than a test) and a per-test fixture that
  hands that sandbox over reset.
- `account_config`, `media_file`, `publish_request`, `closing_adapters`: accounts with test
  secrets, media files of deterministic bytes, publish requests, adapters closed after a test.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar

import httpx
import pytest

from crosspost.adapters.base import (
    AccountConfig,
    Adapter,
    Draft,
    MediaFile,
    MediaRole,
    Platform,
    PublishRequest,
    Secret,
)
from crosspost.sandbox import SandboxServer

C = TypeVar("C", bound="SandboxControl")
A = TypeVar("A", bound=Adapter)
P = ParamSpec("P")


class SandboxControl:
    """A running sandbox's control endpoints, seen from one platform's tests."""

    platform: ClassVar[str]  # the sandbox's name for the platform: "x", "youtube", "facebook"
    defaults: ClassVar[Mapping[str, Any]]  # the platform's knobs as a fresh sandbox has them

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def close(self) -> None:
        self.http.close()

    def reset(self) -> None:
        """Back to a fresh sandbox: no fault rules or rates, the default knobs, nothing created
        and an empty request log."""
        self.http.post("/_sandbox/faults", json={"clear_rules": True, "rates": {}})
        self.configure(**self.defaults)
        self.http.post("/_sandbox/reset").raise_for_status()

    def configure(self, **options: Any) -> dict[str, Any]:
        """Set this platform's knobs (``POST /_sandbox/config``); the settings now in force."""
        response = self.http.post("/_sandbox/config", json={self.platform: options})
        response.raise_for_status()
        result: dict[str, Any] = response.json()[self.platform]
        return result

    def fault(self, fault: str, action: str = "*", count: int = 1, retry_after: int = 2) -> None:
        """Inject `fault` on the next `count` requests to this platform's `action`."""
        rule = fault_rule(self.platform, fault, action, count, retry_after)
        self.http.post("/_sandbox/faults", json={"rules": [rule]}).raise_for_status()

    def state(self) -> dict[str, Any]:
        """Everything this platform holds, as ``GET /_sandbox/state`` shows it."""
        result: dict[str, Any] = self.server.state()[self.platform]
        return result

    def requests(self, action: str | None = None) -> list[dict[str, Any]]:
        """The request log's entries for this platform (for one action, if given)."""
        log: list[dict[str, Any]] = self.http.get("/_sandbox/requests").json()
        return [
            entry
            for entry in log
            if entry.get("platform") == self.platform and action in (None, entry["action"])
        ]


def fault_rule(
    platform: str, fault: str, action: str = "*", count: int = 1, retry_after: int = 2
) -> dict[str, Any]:
    """One scripted rule for ``POST /_sandbox/faults``."""
    return {
        "fault": fault,
        "platform": platform,
        "action": action,
        "count": count,
        "retry_after": retry_after,
    }


def sandbox_fixtures(control: type[C], name: str = "sb", **knobs: Any) -> tuple[Any, Any]:
    """The fixtures `sandbox_server` (module scope) and `name` (reset for each test, then given
    `knobs`), for a test module to bind: ``sandbox_server, sb = sandbox_fixtures(XSandbox)``."""

    @pytest.fixture(scope="module", name="sandbox_server")
    def module_sandbox() -> Iterator[C]:
        with SandboxServer(platforms=[control.platform]) as server:
            box = control(server)
            try:
                yield box
            finally:
                box.close()

    @pytest.fixture(name=name)
    def fresh_sandbox(sandbox_server: C) -> C:
        sandbox_server.reset()
        if knobs:
            sandbox_server.configure(**knobs)
        return sandbox_server

    return module_sandbox, fresh_sandbox


def account_config(
    platform: Platform, name: str, credentials: Mapping[str, str], settings: Mapping[str, Any]
) -> AccountConfig:
    """An account whose plain test credentials are wrapped as Secrets."""
    secrets = {key: Secret(value) for key, value in credentials.items()}
    return AccountConfig(name, platform, dict(settings), secrets)


def media_file(
    folder: Path, name: str, size: int, role: MediaRole, mime: str | None = None
) -> MediaFile:
    """A file of `size` bytes derived from its name (the sandbox counts and hashes, never
    decodes)."""
    data = random.Random(name).randbytes(size)
    path = folder / name
    path.write_bytes(data)
    return MediaFile(path, role, size, hashlib.sha256(data).hexdigest(), mime)


def publish_request(
    draft: Draft, scheduled_at: datetime | None = None, *, post_id: int = 1, attempt: int = 1
) -> PublishRequest:
    """An attempt to publish `draft`, due now unless `scheduled_at` says otherwise."""
    now = datetime.now(UTC)
    return PublishRequest(post_id, attempt, draft, scheduled_at or now, first_attempt_at=now)


@contextmanager
def closing_adapters(build: Callable[P, A]) -> Iterator[Callable[P, A]]:
    """`build`, remembering every adapter it makes and closing them all at the end."""
    made: list[A] = []

    def make(*args: P.args, **kwargs: P.kwargs) -> A:
        adapter = build(*args, **kwargs)
        made.append(adapter)
        return adapter

    try:
        yield make
    finally:
        for adapter in made:
            adapter.close()
