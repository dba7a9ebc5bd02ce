"""What the X adapter sends, as the sandbox received it, against the X API v2 OpenAPI spec.

`tests/data/x_openapi_subset.json` holds the operations the adapter uses, `$ref`s resolved,
extracted from xdevplatform's openapi.json (info.version 2.167) by `extract` below; when the
shared reference copy of the spec is present, a test re-extracts it and compares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.adapters.x import XAdapter
from tests.support.sandbox import media_file, sandbox_fixtures
from tests.support.x_helpers import XSandbox, oauth1_account, request_for

SUBSET_PATH = Path(__file__).parents[1] / "data" / "x_openapi_subset.json"
SPEC_PATH = Path(__file__).parents[3] / "shared" / "reference" / "x-api" / "openapi.json"
# (path, method, keep the success responses): every operation the adapter calls.
OPERATIONS = (
    ("/2/tweets", "post", True),
    ("/2/media/upload/initialize", "post", True),
    ("/2/media/upload/{id}/append", "post", True),
    ("/2/media/upload/{id}/finalize", "post", True),
    ("/2/media/upload", "get", True),
    ("/2/users/me", "get", False),
    ("/2/users/{id}/tweets", "get", False),
)
# Query names tweepy (and the live API) use that spec 2.167 renamed.
ALIASES = {"tweet.fields": "post.fields"}
# tweet.fields values X's live reference lists for GET /2/users/{id}/tweets that spec 2.167's
# post.fields enum dropped: https://docs.x.com/x-api/posts/user-posts-timeline-by-user-id
LIVE_FIELDS = {"referenced_tweets"}
SOURCE_NOTE = (
    "Extracted from xdevplatform/docs openapi.json (X API v2, info.version 2.167, snapshot "
    "2026-08-22) by tests/integration/test_x_openapi.py::extract: the operations crosspost's X "
    "adapter calls, parameters, request bodies and (for writes and media) success responses, "
    "every $ref resolved."
)


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """The subset of `spec` the adapter needs, with every `$ref` replaced by its target."""

    def resolve(node: Any, seen: tuple[str, ...] = ()) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                ref = node["$ref"]
                if ref in seen:  # a recursive schema: leave the reference
                    return {"$ref": ref}
                target: Any = spec
                for part in ref.removeprefix("#/").split("/"):
                    target = target[part]
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return resolve({**target, **rest}, (*seen, ref))
            return {k: resolve(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v, seen) for v in node]
        return node

    paths: dict[str, dict[str, Any]] = {}
    for path, method, with_responses in OPERATIONS:
        operation = spec["paths"][path][method]
        entry: dict[str, Any] = {
            "operationId": operation["operationId"],
            "parameters": resolve(operation.get("parameters", [])),
        }
        if "requestBody" in operation:
            entry["requestBody"] = resolve(operation["requestBody"])
        if with_responses:
            entry["responses"] = {
                code: resolve(answer)
                for code, answer in operation["responses"].items()
                if code.startswith("2")
            }
        paths.setdefault(path, {})[method] = entry
    return {"info": {k: spec["info"][k] for k in ("title", "version")}, "paths": paths}


@pytest.fixture(scope="module")
def subset() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SUBSET_PATH.read_text(encoding="utf-8"))
    return data


sandbox_server, sb = sandbox_fixtures(XSandbox)


@pytest.fixture(scope="module")
def received(
    sandbox_server: XSandbox, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    """The sandbox's request log after full publishes of every kind, and a reconciliation."""
    sb = sandbox_server
    sb.reset()
    folder = tmp_path_factory.mktemp("x-openapi")
    adapter = XAdapter(oauth1_account(sb.url, upload_chunk_bytes=1000))
    try:
        adapter.verify()
        images = (
            media_file(folder, "a.jpg", 1500, MediaRole.IMAGE),
            media_file(folder, "b.png", 800, MediaRole.COVER),
        )
        article = request_for(ContentKind.ARTICLE, "1/2 Bài viết", "2/2 Hết", media=images)
        adapter.publish(article)
        video = media_file(folder, "v.mp4", 2500, MediaRole.VIDEO)
        adapter.publish(request_for(ContentKind.VIDEO, "Video mới", media=(video,)))
        cover = media_file(folder, "cover.jpg", 600, MediaRole.COVER)
        podcast = "Podcast tập 3 https://radio.example.vn/3"
        adapter.publish(request_for(ContentKind.PODCAST, podcast, media=(cover,)))
        assert adapter.find_existing(article, article.scheduled_at) is not None
    finally:
        adapter.close()
    log = sb.requests()
    assert all(200 <= entry["status"] < 300 for entry in log), log
    return log


def operation_for(
    subset: dict[str, Any], method: str, path: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The subset's operation for a received request, and the path parameters in it."""
    for template, methods in subset["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        match = re.fullmatch(pattern, path)
        if match and method.lower() in methods:
            return methods[method.lower()], match.groupdict()
    raise AssertionError(f"{method} {path} is not an operation of the X API subset")


def validate(schema: dict[str, Any], value: Any) -> None:
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(value)


def test_the_subset_is_a_faithful_extract_of_the_spec(subset: dict[str, Any]) -> None:
    if not SPEC_PATH.exists():
        pytest.skip(f"the shared X API spec is not here ({SPEC_PATH}); the stored subset stands")
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert spec["info"]["version"] == "2.167"
    stored = {k: v for k, v in subset.items() if k != "x-source"}
    assert stored == extract(spec)
    assert subset["x-source"] == SOURCE_NOTE


def test_every_request_is_an_operation_of_the_spec(
    subset: dict[str, Any], received: list[dict[str, Any]]
) -> None:
    used = set()
    for entry in received:
        operation, _ = operation_for(subset, entry["method"], entry["path"])
        used.add(operation["operationId"])
    assert used == {subset["paths"][path][method]["operationId"] for path, method, _ in OPERATIONS}


def test_every_json_body_validates_against_its_request_schema(
    subset: dict[str, Any], received: list[dict[str, Any]]
) -> None:
    checked: dict[str, int] = {}
    for entry in received:
        operation, _ = operation_for(subset, entry["method"], entry["path"])
        if entry["content_type"] == "application/json":
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            validate(schema, entry["json"])
            checked[entry["action"]] = checked.get(entry["action"], 0) + 1
    # Two thread parts, the video post and the podcast post; one upload per file.
    assert checked == {"tweets.create": 4, "media.initialize": 4}


def test_appends_use_a_body_type_the_spec_declares(
    subset: dict[str, Any], received: list[dict[str, Any]]
) -> None:
    appends = [e for e in received if e["action"] == "media.append"]
    assert len(appends) == 2 + 1 + 3 + 1  # 1500, 800, 2500, 600 bytes in 1000-byte segments
    for entry in appends:
        operation, _ = operation_for(subset, "POST", entry["path"])
        assert entry["content_type"] in operation["requestBody"]["content"]
        assert (
            "segment_index"
            in operation["requestBody"]["content"][entry["content_type"]]["schema"]["properties"]
        )


def test_path_and_query_parameters_validate(
    subset: dict[str, Any], received: list[dict[str, Any]]
) -> None:
    for entry in received:
        operation, path_params = operation_for(subset, entry["method"], entry["path"])
        declared = {(p["in"], p["name"]): p for p in operation["parameters"]}
        for name, value in path_params.items():
            validate(declared[("path", name)]["schema"], value)
        for name, value in entry["query"].items():
            parameter = declared.get(("query", ALIASES.get(name, name)))
            assert parameter is not None, f"{entry['path']}: query {name} is not in the spec"
            if name == "tweet.fields":
                value = ",".join(f for f in value.split(",") if f not in LIVE_FIELDS)
            validate(parameter["schema"], _typed(parameter["schema"], value))
        for (place, name), parameter in declared.items():
            if place == "query" and parameter.get("required"):
                assert name in entry["query"], f"{entry['path']}: {name} is required"


def _typed(schema: dict[str, Any], raw: str) -> Any:
    """A query string value as the schema's type (form style: arrays are comma lists)."""
    if schema.get("type") == "array":
        return [_typed(schema.get("items", {}), item) for item in raw.split(",")]
    if schema.get("type") == "integer":
        return int(raw)
    return raw


def test_sandbox_answers_match_the_success_schemas(sb: XSandbox, subset: dict[str, Any]) -> None:

    def check(response: Any, path: str, method: str = "post") -> dict[str, Any]:
        responses = subset["paths"][path][method]["responses"]
        assert str(response.status_code) in responses, response.text
        schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
        body: dict[str, Any] = response.json()
        validate(schema, body)
        return body

    init = sb.call(
        "POST",
        "/2/media/upload/initialize",
        json={"media_type": "video/mp4", "total_bytes": 4, "media_category": "tweet_video"},
    )
    media_id = check(init, "/2/media/upload/initialize")["data"]["id"]
    append = sb.call(
        "POST",
        f"/2/media/upload/{media_id}/append",
        data={"segment_index": "0"},
        files={"media": ("blob", b"abcd", "application/octet-stream")},
    )
    check(append, "/2/media/upload/{id}/append")
    check(sb.call("POST", f"/2/media/upload/{media_id}/finalize"), "/2/media/upload/{id}/finalize")
    for _ in range(2):
        status = sb.call(
            "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
        )
        check(status, "/2/media/upload", "get")
    created = sb.call(
        "POST", "/2/tweets", json={"text": "schema", "media": {"media_ids": [media_id]}}
    )
    check(created, "/2/tweets")
