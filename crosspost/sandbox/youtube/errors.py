"""Google's error shape for the YouTube Data API, and the refusals the sandbox's checks raise.

``{"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}``, the
shape google-api-python-client's HttpError reads its reason from.
"""

from __future__ import annotations

from crosspost.sandbox.errors import Refusal
from crosspost.sandbox.http import Response

_STATUS_TEXT = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}


class ApiError(Refusal):
    """A refusal in Google's shape; handlers raise it, the route wrapper answers with it."""

    def __init__(
        self, status: int, reason: str, message: str, domain: str = "global", **headers: str
    ) -> None:
        error = {"domain": domain, "reason": reason, "message": message}
        body = {
            "error": {
                "code": status,
                "message": message,
                "errors": [error],
                "status": _STATUS_TEXT.get(status, "UNKNOWN"),
            }
        }
        fields = {k.replace("_", "-"): v for k, v in headers.items()}
        super().__init__(Response.json(body, status=status, headers=fields))


def metadata_error(reason: str, message: str) -> ApiError:
    return ApiError(400, reason, message, "youtube.video")


def auth_error() -> ApiError:
    return ApiError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        WWW_Authenticate='Bearer realm="https://accounts.google.com/"',
    )
