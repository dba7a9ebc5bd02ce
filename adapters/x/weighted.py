"""X's weighted length, by twitter-text's own rules (`twitter_text.parse_tweet`).

Every length crosspost gives for X goes through `parse`, so the conformance suite that tests
this module tests what rendering and preview count. X counts code points of NFC text: a URL
weighs 23, an emoji 2, Latin, Vietnamese ơ ư đ and general punctuation 1, and everything else,
precomposed Vietnamese letters such as ạ ế ộ included, 2.

Two counters are asked and the larger length wins (`official`: the JS library X runs knows
older emoji, so 🧑🏿‍🤝‍🧑🏻 is 8 there and 2 in `twitter-text-parser`); a text is valid only if
both call it valid. Neither ever undercounts what X will count.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from crosspost.adapters.base import Limits


@dataclass(frozen=True)
class WeightConfig:
    """A twitter-text configuration (v2.json, v3.json…), hashable so results can be cached."""

    max_weighted_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    emoji_parsing_enabled: bool
    ranges: tuple[tuple[int, int, int], ...]

    def options(self) -> dict[str, Any]:
        """The dict `twitter_text.parse_tweet` takes as `options`."""
        return {
            "max_weighted_tweet_length": self.max_weighted_length,
            "scale": self.scale,
            "default_weight": self.default_weight,
            "transformed_url_length": self.transformed_url_length,
            "emoji_parsing_enabled": self.emoji_parsing_enabled,
            "ranges": [{"start": s, "end": e, "weight": w} for s, e, w in self.ranges],
        }

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> WeightConfig:
        """Read the `options` dict `parse_tweet` takes (the form of twitter-text's own config)."""
        return cls(
            max_weighted_length=int(options["max_weighted_tweet_length"]),
            scale=int(options["scale"]),
            default_weight=int(options["default_weight"]),
            transformed_url_length=int(options["transformed_url_length"]),
            emoji_parsing_enabled=bool(options.get("emoji_parsing_enabled", False)),
            ranges=tuple(
                (int(r["start"]), int(r["end"]), int(r["weight"])) for r in options["ranges"]
            ),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WeightConfig:
        """Read a twitter-text config file's JSON (camelCase keys, as in v2.json and v3.json)."""
        return cls.from_options(
            {
                "max_weighted_tweet_length": data["maxWeightedTweetLength"],
                "scale": data["scale"],
                "default_weight": data["defaultWeight"],
                "transformed_url_length": data["transformedURLLength"],
                "emoji_parsing_enabled": data.get("emojiParsingEnabled", False),
                "ranges": data["ranges"],
            }
        )

    @classmethod
    def for_limits(cls, limits: Limits | None) -> WeightConfig:
        """v3 rules with the post limit and URL weight an X adapter declares."""
        if limits is None:
            return DEFAULT_CONFIG
        return replace(
            DEFAULT_CONFIG,
            max_weighted_length=limits.text_max,
            transformed_url_length=limits.url_weight or DEFAULT_CONFIG.transformed_url_length,
        )


# twitter-text's v3 rules (280 weighted characters, a URL weighs 23). Written out rather than
# read from twitter_text.config, whose import loads the whole library (half a second) on every
# command; tests/unit/adapters/x/test_twitter_conformance.py checks it equals the suite's v3.json.
DEFAULT_CONFIG = WeightConfig(
    max_weighted_length=280,
    scale=100,
    default_weight=200,
    transformed_url_length=23,
    emoji_parsing_enabled=True,
    ranges=((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100)),
)


@dataclass(frozen=True)
class Measure:
    """What twitter-text says of one text (the fields of its ParsedResult)."""

    weighted_length: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    display_range_start: int
    display_range_end: int


@lru_cache(maxsize=8192)
def parse(text: str, config: WeightConfig = DEFAULT_CONFIG) -> Measure:
    """Measure `text` as X does; cached because the thread splitter asks about words again."""
    from twitter_text import parse_tweet  # heavy: loaded when X text is first measured

    from crosspost.adapters.x.official import js_weighted_length

    result = parse_tweet(text, config.options())
    python_length = int(result.weightedLength)
    length = max(python_length, js_weighted_length(unicodedata.normalize("NFC", text), config))
    valid = bool(result.valid) and 0 < length <= config.max_weighted_length
    return Measure(
        weighted_length=length,
        valid=valid,
        permillage=int(result.permillage)
        if length == python_length
        else (length * 1000) // config.max_weighted_length,
        valid_range_start=int(result.validRangeStart),
        valid_range_end=int(result.validRangeEnd),
        display_range_start=int(result.displayRangeStart),
        display_range_end=int(result.displayRangeEnd),
    )


def weighted_length(text: str, config: WeightConfig = DEFAULT_CONFIG) -> int:
    """X's weighted length of `text` (the number X compares with 280)."""
    return parse(text, config).weighted_length


def fits(text: str, config: WeightConfig = DEFAULT_CONFIG) -> bool:
    """Whether `text` fits, without measuring a text that cannot: every word and every
    whitespace character between words weighs at least 1 (no URL or emoji spans whitespace),
    so more than the limit of them is over it, whatever the words are."""
    if len(text) > config.max_weighted_length and _at_least(text) > config.max_weighted_length:
        return False
    return weighted_length(text, config) <= config.max_weighted_length


def _at_least(text: str) -> int:
    """A lower bound of the weighted length: words plus the whitespace between them."""
    stripped = text.strip()
    return len(stripped.split()) + sum(1 for ch in stripped if ch.isspace())
