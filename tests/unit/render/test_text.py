"""NFC, tidying, word-boundary cuts and hashtags."""

from __future__ import annotations

import unicodedata

from crosspost.render.text import as_hashtag, cut_words, hashtags, nfc, one_line, tidy, words

from .samples import nfd


def test_nfc_normalises_and_unifies_newlines() -> None:
    text = nfc(nfd("Nghị quyết Trung ương 4\r\nkhóa XII"))
    assert text == "Nghị quyết Trung ương 4\nkhóa XII"
    assert unicodedata.is_normalized("NFC", text)


def test_tidy_drops_trailing_spaces_and_extra_blank_lines() -> None:
    assert tidy("  Tiêu đề  \n\n\n\nTóm tắt \n") == "Tiêu đề\n\nTóm tắt"


def test_one_line_collapses_whitespace() -> None:
    assert one_line("Đại hội\nĐảng bộ   tỉnh") == "Đại hội Đảng bộ tỉnh"


def test_cut_words_keeps_whole_words_and_drops_punctuation_before_the_ellipsis() -> None:
    text = "Hội nghị Tỉnh ủy, đánh giá công tác năm 2024."
    assert cut_words(text, 3) == "Hội nghị Tỉnh…"
    assert cut_words(text, 4) == "Hội nghị Tỉnh ủy…"
    assert cut_words(text, 99) == text
    assert cut_words(text, 0) == ""


def test_a_no_break_space_keeps_its_words_together() -> None:
    assert words("TP.\u00a0Hồ Chí Minh") == ["TP.\u00a0Hồ", "Chí", "Minh"]


def test_labels_become_hashtags_that_platforms_link() -> None:
    assert as_hashtag("xây dựng Đảng") == "#XâyDựngĐảng"
    assert as_hashtag("#ĐạiHộiXIV") == "#ĐạiHộiXIV"
    assert as_hashtag("COVID-19") == "#COVID19"
    assert as_hashtag(nfd("Quảng Nam")) == "#QuảngNam"
    assert as_hashtag("2025") is None
    assert as_hashtag("  #  ") is None


def test_hashtags_drop_duplicates_ignoring_case() -> None:
    labels = ["Quảng Nam", "#QuảngNam", "#quảngnam", "chi bộ"]
    assert hashtags(labels) == ("#QuảngNam", "#ChiBộ")
