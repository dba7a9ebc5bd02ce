"""The workspace's words: English has every Vietnamese key, with the same `{fields}`, so a page
switched to English never fails or shows a stray Vietnamese label."""

from __future__ import annotations

import string

from crosspost.web.texts import VI, t
from crosspost.web.texts_en import EN


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_has_every_key_with_the_same_fields():
    assert set(EN) == set(VI)
    for key, text in EN.items():
        assert fields(text) == fields(VI[key]), key


def test_the_language_is_chosen_and_vietnamese_is_the_default():
    assert t("calendar.moved", "en", id=7) == "Post #7 moved."
    assert t("calendar.moved", id=7) == "Đã dời lịch bài đăng #7."
    assert t("queue.title", "en") == "Approval queue"
    assert t("queue.title", "fr") == VI["queue.title"]  # an unknown language: Vietnamese
