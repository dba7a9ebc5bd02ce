"""twitter-text's conformance suite (release 3.1.0), weighted-length sections, run through the
function crosspost measures X posts with (`crosspost.adapters.x.weighted.parse`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from crosspost.adapters.x.weighted import DEFAULT_CONFIG, Measure, WeightConfig, parse

DATA = Path(__file__).resolve().parents[3] / "data" / "twitter-text"
FIELDS = {
    "weightedLength": "weighted_length",
    "valid": "valid",
    "permillage": "permillage",
    "displayRangeStart": "display_range_start",
    "displayRangeEnd": "display_range_end",
    "validRangeStart": "valid_range_start",
    "validRangeEnd": "valid_range_end",
}


def _config(name: str) -> WeightConfig:
    return WeightConfig.from_json(json.loads((DATA / name).read_text(encoding="utf-8")))


def _cases(section: str) -> list[Any]:
    suite = yaml.safe_load((DATA / "validate.yml").read_text(encoding="utf-8"))
    cases = suite["tests"][section]
    return [pytest.param(c["text"], c["expected"], id=c["description"]) for c in cases]


def _check(measure: Measure, expected: dict[str, Any]) -> None:
    got = {key: getattr(measure, attr) for key, attr in FIELDS.items() if key in expected}
    assert got == expected


@pytest.mark.parametrize(("text", "expected"), _cases("WeightedTweetsCounterTest"))
def test_weighted_tweets_v2(text: str, expected: dict[str, Any]) -> None:
    _check(parse(text, _config("v2.json")), expected)


@pytest.mark.parametrize(
    ("text", "expected"), _cases("WeightedTweetsWithDiscountedEmojiCounterTest")
)
def test_weighted_tweets_with_discounted_emoji_v3(text: str, expected: dict[str, Any]) -> None:
    _check(parse(text, _config("v3.json")), expected)


@pytest.mark.parametrize(("text", "expected"), _cases("UnicodeDirectionalMarkerCounterTest"))
def test_unicode_directional_markers_default_config(text: str, expected: dict[str, Any]) -> None:
    _check(parse(text), expected)


def test_the_default_config_is_v3() -> None:
    assert _config("v3.json") == DEFAULT_CONFIG


def test_the_sections_are_all_there() -> None:
    counts = {
        s: len(_cases(s))
        for s in (
            "WeightedTweetsCounterTest",
            "WeightedTweetsWithDiscountedEmojiCounterTest",
            "UnicodeDirectionalMarkerCounterTest",
        )
    }
    assert counts == {
        "WeightedTweetsCounterTest": 20,
        "WeightedTweetsWithDiscountedEmojiCounterTest": 22,
        "UnicodeDirectionalMarkerCounterTest": 2,
    }
