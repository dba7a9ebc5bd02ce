"""X API v2's failure answers: Problem objects (``title``, ``detail``, ``type``, ``status``).

Shapes follow the X API v2 OpenAPI spec (info.version 2.167); invalid requests also carry an
``errors`` array. Handlers raise them as a Refusal, the route wrapper answers with them.
"""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.errors import Refusal
from crosspost.sandbox.http import Request, Response

PROBLEM = "application/problem+json"
INVALID_REQUEST = "https://api.x.com/2/problems/invalid-request"
NOT_FOUND = "https://api.x.com/2/problems/resource-not-found"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}
    return Response.json(body, status=status, headers={"Content-Type": PROBLEM})


def invalid(message: str, parameter: str | None = None, value: Any = None) -> Refusal:
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: [] if value is None else [str(value)]}
    body = {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST,
        "status": 400,
    }
    return Refusal(Response.json(body, status=400, headers={"Content-Type": PROBLEM}))


def forbidden(detail: str) -> Refusal:
    return Refusal(problem(403, "Forbidden", detail))


def unauthorized() -> Response:
    return problem(401, "Unauthorized", "Unauthorized")


def too_many_requests() -> Response:
    return problem(
        429,
        "Too Many Requests",
        "Too Many Requests",
        errors=[{"code": 88, "message": "Rate limit exceeded"}],
    )


def not_found(resource_type: str, parameter: str, value: str) -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND,
    }


def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object body, or the refusal X gives for anything else."""
    if request.content_type != "application/json":
        raise invalid("The request body must be application/json.")
    try:
        body = request.json()
    except ValueError:
        raise invalid("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body
