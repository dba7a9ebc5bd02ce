"""X's weighted length as official twitter-text 3.1.0 (JavaScript) counts it, ported line for line.

`twitter-text-parser` (Python) knows newer emoji than the JS library X runs: it weighs the
whole of 🧑🏿‍🤝‍🧑🏻 as one emoji (2), where the JS library's pattern (twemoji-parser 11.0.2,
`twemoji.PATTERN`) sees 🧑🏿, ZWJ, 🤝, ZWJ, 🧑🏻 (2+1+2+1+2 = 8). `weighted.parse` takes the
larger of the two, so crosspost never promises a fit X would refuse.

JS strings are UTF-16, so the walk is over code units as `parseTweet.js` does it: an emoji
match weighs `defaultWeight`, a URL `transformedURLLength`, a surrogate pair the weight of
its low surrogate (so every astral character not in an emoji weighs the default), anything
else its range's weight. One pass over the text and one regex scan: linear in its length.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from typing import TYPE_CHECKING

from crosspost.adapters.x.twemoji import PATTERN

if TYPE_CHECKING:
    from crosspost.adapters.x.weighted import WeightConfig

_NATIVE_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"


def utf16_units(text: str) -> str:
    """`text` as JavaScript sees it: one str character per UTF-16 code unit (surrogates apart)."""
    if text.isascii() or max(text) < "\U00010000":
        return text
    data = text.encode(_NATIVE_UTF16, "surrogatepass")  # native order, for the "H" cast
    return "".join(map(chr, memoryview(data).cast("H")))


def _url_spans(text: str) -> dict[int, int]:
    """URL start → end, in UTF-16 units, from the same URL extraction the Python library uses
    (its indices are code points; X's JS finds the same URLs)."""
    from twitter_text.extract_urls import extract_urls_with_indices

    urls = extract_urls_with_indices(text)
    if not urls:
        return {}
    astral = [i for i, ch in enumerate(text) if ch >= "\U00010000"]

    def unit(index: int) -> int:  # code point index → UTF-16 index
        return index + bisect_right(astral, index - 1)

    return {unit(u["indices"][0]): unit(u["indices"][1]) for u in urls}


def _weight(code: int, config: WeightConfig) -> int:
    for start, end, weight in config.ranges:
        if start <= code <= end:
            return weight
    return config.default_weight


def js_weighted_length(text: str, config: WeightConfig) -> int:
    """The `weightedLength` official twitter-text (JS) gives NFC `text` under `config`."""
    units = utf16_units(text)
    urls = _url_spans(text)
    emoji = (
        {m.start(): m.end() for m in PATTERN.finditer(units)}
        if config.emoji_parsing_enabled
        else {}
    )
    total = 0
    index, length = 0, len(units)
    while index < length:
        if index in urls:
            total += config.transformed_url_length * config.scale
            index = urls[index]
            continue
        if index in emoji:
            total += config.default_weight
            index = emoji[index]
            continue
        code = ord(units[index])
        if 0xD800 <= code <= 0xDBFF and index + 1 < length:
            following = ord(units[index + 1])
            if 0xDC00 <= following <= 0xDFFF:
                index += 1
                code = following  # JS weighs charAt(index) after the step: the low surrogate
        total += _weight(code, config)
        index += 1
    return total // config.scale
