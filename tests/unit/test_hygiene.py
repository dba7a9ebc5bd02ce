"""Which characters intake refuses, how each is named and placed, and which hashtags link."""

from __future__ import annotations

import unicodedata

import pytest

from crosspost.hygiene import (
    HashtagRule,
    bad_characters,
    char_name,
    hashtag_problems,
    text_problems,
)


@pytest.mark.parametrize(
    ("ch", "name"),
    [
        ("\x1b", "U+001B ESCAPE"),
        ("\x07", "U+0007 BELL"),
        ("\x00", "U+0000 NULL"),
        ("\x7f", "U+007F DELETE"),
        ("\x9b", "U+009B C1 CONTROL"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u2060", "U+2060 WORD JOINER"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE (BOM)"),
    ],
)
def test_each_refused_character_is_named(ch, name):
    assert char_name(ch) == name
    assert list(bad_characters(f"a{ch}b")) == [(1, ch)]


@pytest.mark.parametrize(
    "text",
    [
        "👁️‍🗨️",
        "🧑🏿‍🤝‍🧑🏻",
        "👩🏻‍🤝‍👨🏿",
        "👨‍👩‍👧‍👦",
        "🏳️‍🌈",
        "❤️‍🔥",
        "☺︎ ☺️",  # text and emoji variation selectors
        "một\thai\nba",
        "Nghệ\u00a0An",  # a no-break space is the writer's choice
    ],
)
def test_emoji_sequences_tabs_newlines_and_selectors_pass(text):
    assert text_problems(text) == []


def test_nfd_is_judged_in_its_stored_nfc_form_and_is_no_problem():
    nfd = unicodedata.normalize("NFD", "Đại hội Đảng bộ tỉnh Nghệ An")
    assert text_problems(unicodedata.normalize("NFC", nfd)) == []


def test_a_zwj_outside_an_emoji_sequence_is_refused_even_next_to_one():
    assert [i for i, _ in bad_characters("😷\u200da")] == [1]
    assert [i for i, _ in bad_characters("a\u200d😷")] == [1]
    assert [i for i, _ in bad_characters("🧑🏿‍🤝‍🧑🏻\u200d")] == [7]


def test_one_line_per_character_with_its_first_place_and_count():
    assert text_problems("dòng\u200b một\nhai \u200b\u202e") == [
        "contains U+200B ZERO WIDTH SPACE at line 1, column 5 (and 1 more): an invisible "
        "character; remove it (delete and retype the word around it)",
        "contains U+202E RIGHT-TO-LEFT OVERRIDE at line 2, column 6: a bidi control; remove it "
        "(it changes the order the text is read in)",
    ]


YOUTUBE = HashtagRule("youtube", max_count=3, source="YouTube Help")


def test_linkable_hashtags_pass():
    assert hashtag_problems(["#XâyDựngĐảng", "NghệAn", "Đại_hội_XIV"], [YOUTUBE]) == []


def test_hashtags_that_would_not_link_say_how_to_write_them():
    assert hashtag_problems(["#có dấu cách", "a,b", "#", "2026", "x-y"], []) == [
        "hashtags[1] '#có dấu cách' holds a space: a hashtag is one word of letters, digits "
        "and _; write it as #CóDấuCách or give each tag as its own list item",
        "hashtags[2] 'a,b' holds ',': a hashtag is one word of letters, digits and _; write it "
        "as #a and #b or give each tag as its own list item",
        "hashtags[3] '#' is empty; remove it or write the tag",
        "hashtags[4] '2026' has no letter, so no platform links it; add a word",
        "hashtags[5] 'x-y' holds '-': a hashtag is one word of letters, digits and _; write it "
        "as #XY or give each tag as its own list item",
    ]


def test_platform_rules_are_data():
    short = HashtagRule("x", max_length=5)
    assert hashtag_problems(["Sáu_chữ", "a", "b", "c"], [short, YOUTUBE]) == [
        "hashtags[1] 'Sáu_chữ' is 7 characters; x links at most 5",
        "hashtags: 4 given; youtube ignores every hashtag past 3 (YouTube Help); keep at most 3",
    ]


def test_every_emoji_sequence_the_libraries_disagree_on_passes():
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "twitter-text" / "js_emoji_counts.json"
    cases = json.loads(data.read_text(encoding="utf-8"))["cases"]
    sequences = [c["text"] for c in cases if c["text"] not in {"a\u200db"} and c["text"].strip()]
    assert len(sequences) > 700
    assert [s for s in sequences if text_problems(s)] == []
