"""Graph's throttling: the usage headers on every answer, and the codes it throttles with.

``X-App-Usage`` and ``X-Business-Use-Case-Usage`` report calls in the last hour as a percent of
the ``usage_call_budget`` knob, so pacing code has real input; a throttled answer reads 100.
"""

from __future__ import annotations

import json
from collections import deque

RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try "
    "again. For more info, please refer to "
    "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
}
RATE_LIMIT_CODES = tuple(RATE_LIMIT_MESSAGES)


class Usage:
    """The calls of the last hour, as Graph's usage headers report them."""

    def __init__(self) -> None:
        self.calls: deque[float] = deque()

    def count_call(self, now: float) -> None:
        self.calls.append(now)
        while self.calls and self.calls[0] < now - 3600:
            self.calls.popleft()

    def headers(
        self, page_id: str, budget: int, regain_minutes: int | None = None
    ) -> dict[str, str]:
        """Usage in percent of the budget; throttled (regain_minutes given) reads 100."""
        calls = len(self.calls)
        pct = 100 if regain_minutes is not None else min(100, calls * 100 // budget)
        app = {"call_count": pct, "total_time": pct // 2, "total_cputime": pct // 3}
        buc = {
            page_id: [
                {
                    "type": "pages",
                    "call_count": pct,
                    "total_time": pct // 2,
                    "total_cputime": pct // 3,
                    "estimated_time_to_regain_access": regain_minutes or 0,
                }
            ]
        }
        return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(buc)}
