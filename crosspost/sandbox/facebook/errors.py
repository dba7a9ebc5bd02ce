"""Graph API errors: ``{"error": {"message", "type", "code", "error_subcode", "is_transient",
"fbtrace_id"}}``, with ``WWW-Authenticate`` on token errors (104, 190) as Graph sends it.

Handlers raise a GraphError; the route wrapper answers it, adding the usage headers and a trace
id of the moment it answers (so, unlike the other platforms' refusals, it is not a ready answer).
"""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.http import Response

REFUSAL_MESSAGES = {
    100: "(#100) Invalid parameter",
    10: "(#10) Application does not have permission for this action",
    200: "(#200) Permissions error",
    368: "The action attempted has been deemed abusive or is otherwise disallowed",
}


class GraphError(Exception):
    """A Graph error answer, raised inside handlers and turned into the error body."""

    def __init__(
        self,
        message: str,
        code: int,
        *,
        status: int = 400,
        subcode: int | None = None,
        transient: bool = False,
        error_type: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.subcode = subcode
        self.transient = transient
        self.error_type = error_type


def missing_object(node: str, method: str) -> GraphError:
    return GraphError(
        f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        100,
        subcode=33,
        error_type="GraphMethodException",
    )


def error_response(err: GraphError, trace_id: str, headers: dict[str, str]) -> Response:
    """`err` as Graph answers it, on `headers` (the usage headers of the moment)."""
    body: dict[str, Any] = {
        "message": err.message,
        "type": err.error_type,
        "code": err.code,
        "is_transient": err.transient,
        "fbtrace_id": trace_id,
    }
    if err.subcode is not None:
        body["error_subcode"] = err.subcode
    if err.code in (104, 190):
        headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{err.message}"'
    return Response.json({"error": body}, status=err.status, headers=headers)
