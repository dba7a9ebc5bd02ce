"""What a platform package gives the sandbox (as its ``API``): its routes, its error shapes,
its state."""

from __future__ import annotations

import itertools
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.times import SandboxClock

Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    action: str  # a stable name, used by fault rules and the request log
    faultable: bool = True  # random and scripted faults apply to it

    @classmethod
    def make(
        cls, method: str, path_regex: str, handler: Handler, action: str, faultable: bool = True
    ) -> Route:
        return cls(method.upper(), re.compile(f"^{path_regex}$"), handler, action, faultable)


class SandboxContext:
    """Shared by every platform: one lock for state, ids, the clock and the base URL."""

    def __init__(self, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.base_url = ""
        self.clock = SandboxClock()
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def snowflake(self) -> str:
        """A large numeric id string, like X and Facebook use."""
        return str(1_860_000_000_000_000_000 + self.next_id())

    def now(self) -> float:
        """The platforms' time: the wall clock, moved on by `/_sandbox/clock` (token expiries)."""
        return self.clock.now()


class PlatformAPI(ABC):
    """One platform's part of the sandbox."""

    name: str  # its package's name: "x", "youtube", "facebook"

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def routes(self) -> list[Route]:
        """Every route this platform serves."""

    @abstractmethod
    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        """The platform's own answer for an injected 5xx, 429, expired token or permanent error."""

    @abstractmethod
    def snapshot(self) -> dict[str, Any]:
        """Everything created so far, as JSON-ready data, for GET /_sandbox/state."""

    @abstractmethod
    def reset(self) -> None:
        """Forget everything created."""

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """Apply ``POST /_sandbox/config`` options for this platform; return the settings now.

        Platforms override it for their knobs (quota sizes, enforced rate limits, processing
        delays). Unknown keys must raise ValueError naming the key and what is allowed.
        """
        if options:
            raise ValueError(f"{self.name} sandbox takes no options (got {sorted(options)})")
        return {}
