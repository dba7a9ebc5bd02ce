"""The workspace's words: every English text has its Vietnamese key with the same `{fields}`,
and a key English lacks falls back to Vietnamese rather than failing a page."""

from __future__ import annotations

import string

from crosspost.web.texts import EN_PLANNING, VI, t


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_english_text_matches_its_vietnamese_one():
    assert set(EN_PLANNING) <= set(VI)
    for key, text in EN_PLANNING.items():
        assert fields(text) == fields(VI[key]), key


def test_english_is_chosen_and_falls_back_to_vietnamese():
    assert t("calendar.moved", "en", id=7) == "Post #7 moved."
    assert t("calendar.moved", id=7) == "Đã dời lịch bài đăng #7."
    assert t("queue.title", "en") == VI["queue.title"]
