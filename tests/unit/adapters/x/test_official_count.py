"""The port of official twitter-text's (JS) count, and `parse` taking the larger of the two.

js_emoji_counts.json holds what twitter-text 3.1.0 under node counts for crosspost's own
multi-person ZWJ and skin-tone cases and for every emoji sequence where `twitter-text-parser`
counts otherwise (made by js_emoji_counts.js beside it).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from twitter_text import parse_tweet

from crosspost.adapters.x.official import js_weighted_length, utf16_units
from crosspost.adapters.x.weighted import DEFAULT_CONFIG, WeightConfig, parse

DATA = Path(__file__).resolve().parents[3] / "data" / "twitter-text"
JS_CASES = json.loads((DATA / "js_emoji_counts.json").read_text(encoding="utf-8"))["cases"]


def _js(text: str, config: WeightConfig = DEFAULT_CONFIG) -> int:
    return js_weighted_length(unicodedata.normalize("NFC", text), config)


@pytest.mark.parametrize("case", JS_CASES, ids=lambda c: c["text"][:20])
def test_the_port_counts_what_official_twitter_text_counts(case: dict[str, Any]) -> None:
    assert _js(case["text"]) == case["weightedLength"]


@pytest.mark.parametrize("case", JS_CASES, ids=lambda c: c["text"][:20])
def test_parse_never_counts_less_than_either_library(case: dict[str, Any]) -> None:
    measure = parse(case["text"])
    python = parse_tweet(case["text"], DEFAULT_CONFIG.options())
    assert measure.weighted_length == max(case["weightedLength"], int(python.weightedLength))
    assert measure.valid == (case["valid"] and bool(python.valid))


def test_multi_person_and_skin_tone_sequences_count_as_x_counts_them() -> None:
    assert parse("🧑🏿‍🤝‍🧑🏻").weighted_length == 8  # 🧑🏿 2, ZWJ 1, 🤝 2, ZWJ 1, 🧑🏻 2
    assert parse("👁️‍🗨️").weighted_length == 5
    assert parse("👨‍👩‍👧‍👦").weighted_length == 2  # known to both: one emoji


def test_a_post_that_fits_for_python_but_not_for_x_is_invalid() -> None:
    text = "x" * 273 + "🧑🏿‍🤝‍🧑🏻"
    assert int(parse_tweet(text, DEFAULT_CONFIG.options()).weightedLength) == 275
    measure = parse(text)
    assert measure.weighted_length == 281
    assert not measure.valid


def _conformance(section: str) -> list[Any]:
    suite = yaml.safe_load((DATA / "validate.yml").read_text(encoding="utf-8"))
    return [
        pytest.param(c["text"], c["expected"]["weightedLength"], id=c["description"])
        for c in suite["tests"][section]
    ]


@pytest.mark.parametrize(
    ("text", "expected"), _conformance("WeightedTweetsWithDiscountedEmojiCounterTest")
)
def test_the_port_passes_the_v3_conformance_counts(text: str, expected: int) -> None:
    v3 = WeightConfig.from_json(json.loads((DATA / "v3.json").read_text(encoding="utf-8")))
    assert _js(text, v3) == expected


def test_utf16_units_split_astral_characters_into_surrogates() -> None:
    assert utf16_units("aạ") == "aạ"
    assert [hex(ord(u)) for u in utf16_units("😷")] == ["0xd83d", "0xde37"]


def test_characters_x_refuses_are_named_with_their_place() -> None:
    from crosspost.adapters.x.checks import text_problems

    assert text_problems(["Tin \ufeff mới\ufffe", "ok"], DEFAULT_CONFIG) == [
        "x: part 1 contains characters X does not accept: U+FEFF ZERO WIDTH NO-BREAK SPACE "
        "(BOM) at character 5, U+FFFE NONCHARACTER at character 10; remove them"
    ]
