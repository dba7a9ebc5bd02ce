"""The early answer every platform's handlers give: a refusal raised deep in validation.

A check several calls down from the handler raises a Refusal carrying the platform's own error
answer; the platform's route wrapper catches it and sends that answer, so no check has to
thread a Response back up through its callers.
"""

from __future__ import annotations

from crosspost.sandbox.http import Response


class Refusal(Exception):
    """A handler's answer in its platform's error shape, raised rather than returned."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response
