"""A stored draft reads back as the very draft that was checked and approved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosspost.adapters.base import ContentKind, Draft, MediaFile, MediaRole, Platform
from crosspost.posts.drafts import (
    draft_from_json,
    draft_hash,
    draft_of,
    draft_to_json,
    stored_document,
)

THREAD = Draft(
    Platform.X,
    ContentKind.PODCAST,
    parts=(
        "Phần 1/2: Hội nghị Ban Chấp hành",
        "Phần 2/2: https://tapchi.example.vn/a #XâyDựngĐảng",
    ),
    title="Tiêu đề",
    description="Mô tả",
    tags=("Đảng", "tỉnh ủy"),
    link="https://tapchi.example.vn/a",
    media=(
        MediaFile(Path("/m/anh-bia.png"), MediaRole.COVER, 1024, "a" * 64, "image/png"),
        MediaFile(Path("/cache/podcast.mp4"), MediaRole.VIDEO, 4096, "b" * 64, "video/mp4"),
    ),
    options={"privacy": "public", "made_for_kids": False},
)


def test_a_draft_survives_the_round_trip_through_json_text():
    text = json.dumps(draft_to_json(THREAD), ensure_ascii=False)
    assert draft_from_json(json.loads(text)) == THREAD


def test_the_stored_document_names_the_draft_by_its_hash_and_keeps_its_source():
    source = {"template": "/t/x/podcast.j2", "template_sha256": "c" * 64, "settings_sha256": "d"}
    document = json.loads(json.dumps(stored_document(THREAD, source)))
    assert draft_of(document) == THREAD
    assert document["sha256"] == draft_hash(THREAD)
    assert document["source"] == source


def test_another_text_is_another_hash():
    from dataclasses import replace

    assert draft_hash(replace(THREAD, parts=("khác",))) != draft_hash(THREAD)


def test_a_document_of_an_unknown_format_is_refused():
    document = stored_document(THREAD, {})
    with pytest.raises(ValueError, match="format"):
        draft_of({**document, "format": 99})
