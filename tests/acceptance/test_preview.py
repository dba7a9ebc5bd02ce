"""`crosspost preview --json` shows each platform's rendering with the agreed keys."""

from __future__ import annotations

import json

import pytest

from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import load_config
from crosspost.db.engine import make_engine, session_factory
from crosspost.db.migrate import ensure_schema
from crosspost.demo import write_config
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
