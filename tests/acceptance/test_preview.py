"""`crosspost preview --json` shows each platform's rendering with the agreed keys."""

from __future__ import annotations

import json

import pytest

from crosspost import content as lifecycle
from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import load_config
from crosspost.db.engine import make_engine, session_factory
from crosspost.db.migrate import ensure_schema
from crosspost.demo import write_config
from crosspost.items import NewContent
from tests.acceptance.cli import run
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance


def test_preview_json_has_every_platforms_rendering(tmp_path):
    # Given a video item and the three real adapters (preview calls no platform)
    path = write_config(tmp_path, "http://127.0.0.1:9")
    engine = make_engine(load_config(path).database_url)
    ensure_schema(engine)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048)
    with session_factory(engine).begin() as session:
        item = make_content(session, kind=ContentKind.VIDEO, media=[(MediaRole.VIDEO, video)])
        content_id = str(item.id)
    # When the team previews it
    doc = json.loads(run(path, "preview", content_id, "--json").stdout)
    # Then each platform's text is there, counted against its limit
    post = doc["x"]["posts"][0]
    assert post["text"] and 0 < post["weighted_length"] <= 280
    assert doc["youtube"]["title"].startswith("Hội nghị Ban Chấp hành")
    assert isinstance(doc["youtube"]["description"], str)
    assert isinstance(doc["youtube"]["tags"], list)
    assert "Hội nghị" in doc["facebook"]["message"]
    assert "link" in doc["facebook"]
    assert isinstance(doc["problems"], list)


def test_preview_of_one_platform_only(tmp_path):
    path = write_config(tmp_path, "http://127.0.0.1:9")
    engine = make_engine(load_config(path).database_url)
    ensure_schema(engine)
    with session_factory(engine).begin() as session:
        content_id = str(make_content(session).id)
    doc = json.loads(run(path, "preview", content_id, "--platform", "x", "--json").stdout)
    assert "x" in doc and "youtube" not in doc and "facebook" not in doc


def test_preview_prices_each_x_part_and_json_carries_it(tmp_path):
    # Given a long article on two X accounts: one post with the reported default prices, and
    # a thread on an account whose prices are overridden (nothing is billed by preview)
    accounts = {
        "tapchi-x": {},
        "tapchi-x2": {"thread": "always", "cost": {"per_post": 0.01, "per_post_with_url": 0.25}},
    }
    path = write_config(tmp_path, "http://127.0.0.1:9", x_accounts=accounts)
    engine = make_engine(load_config(path).database_url)
    ensure_schema(engine)
    body = " ".join(f"Ý {k}: chi bộ sinh hoạt nền nếp, đảng viên nêu gương." for k in range(20))
    item = NewContent(
        kind=ContentKind.ARTICLE,
        title="Nâng cao chất lượng sinh hoạt chi bộ",
        summary="Tổng kết năm năm đổi mới sinh hoạt chi bộ.",
        body=body,
        link="https://tapchi.example.vn/xay-dung-dang/chi-bo",
    )
    with session_factory(engine).begin() as session:
        content = lifecycle.add_content(session, item, "tester", store=None)
        content_id = str(content.id)
    # When each account's preview is asked for as JSON
    one = json.loads(run(path, "preview", content_id, "--account", "tapchi-x", "--json").stdout)
    thread = json.loads(run(path, "preview", content_id, "--account", "tapchi-x2", "--json").stdout)
    # Then the single post pays the URL rate (it holds the article's link) ...
    assert one["x"]["cost"] == {
        "currency": "USD",
        "total": "0.200",
        "posts": 1,
        "with_url": 1,
        "parts": [{"part": 1, "with_url": True, "price": "0.200"}],
    }
    # ... and the thread's parts are priced one by one, the link's part at the URL rate
    cost, posts = thread["x"]["cost"], thread["x"]["posts"]
    assert len(posts) > 1 and cost["posts"] == len(posts)
    linked = ["https://" in p["text"] or "tapchi.example.vn" in p["text"] for p in posts]
    assert [p["with_url"] for p in cost["parts"]] == linked and any(linked)
    assert [p["price"] for p in cost["parts"]] == ["0.250" if u else "0.010" for u in linked]
    assert cost["total"] == f"{0.25 * sum(linked) + 0.01 * (len(posts) - sum(linked)):.3f}"
    # Platforms not billed per post say so with a null cost; the table shows the price
    everything = json.loads(run(path, "preview", content_id, "--json").stdout)
    assert everything["facebook"]["cost"] is None and everything["x"]["cost"]["total"] == "0.200"
    table = run(path, "preview", content_id, "--account", "tapchi-x2").stdout
    assert f"expected cost ${cost['total']} ({len(posts)} posts:" in table
