"""Split a long text into an X thread: every part valid, as few parts as the boundaries allow.

Parts are cut only between words (see `crosspost.render.text`), so a word, URL, hashtag or
mention is never broken. Each part ends, by preference, at a sentence end (or a line break),
then at a clause end (, ; : or a dash), then at any space: the greedy pass takes the furthest
boundary of the best kind that fits. Preferring a sentence end can leave a short part whose
neighbour would have taken it, so a merge pass then joins neighbours while their joined text
(with its numbering) fits: afterwards no two neighbouring parts would fit in one.

Numbering (" 1/n" at the end of each part) is counted in the part's length. Its width depends
on n, so parts are first cut with room for the widest number of 1, 2, 3… digits until the count
fits that width; the merge pass then uses the exact numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import partial
from itertools import accumulate

from crosspost.adapters.x.weighted import DEFAULT_CONFIG, WeightConfig, weighted_length
from crosspost.render.text import word_spans


class Boundary(IntEnum):
    """How good a place to cut; lower is better."""

    SENTENCE = 0
    CLAUSE = 1
    WORD = 2


_CLOSERS = "\"'”’»)]}›"
_SENTENCE_END = re.compile(r"[.!?…]$")
_CLAUSE_END = re.compile(r"[,;:–—]$")
_DASHES = frozenset({"-", "–", "—"})
# Abbreviations ending in a full stop that do not end a sentence ("TP. Hồ Chí Minh").
_ABBREVIATIONS = frozenset(
    {"tp.", "tx.", "tt.", "q.", "p.", "ts.", "ths.", "pgs.", "gs.", "bs.", "ks.", "ls.", "nxb."}
    | {"pgs.ts.", "gs.ts.", "mr.", "mrs.", "ms.", "dr.", "st.", "v.v.", "vd."}
)


def numbering(index: int, total: int) -> str:
    """The suffix of part `index` (1-based) of `total`; none for a single post."""
    return f" {index}/{total}" if total > 1 else ""


@dataclass(frozen=True)
class _Words:
    """The text's words with what the splitter needs to know about them."""

    text: str
    spans: list[tuple[int, int]]
    weights: list[int]  # each word alone
    gaps: list[int]  # the whitespace after word i (before word i+1)
    levels: list[Boundary]  # levels[b]: cutting before word b (1 <= b < len)

    def span_text(self, start: int, end: int) -> str:
        """Words start..end-1 with the text's own whitespace between them."""
        return self.text[self.spans[start][0] : self.spans[end - 1][1]]


def _level(gap: str, before: str, after: str) -> Boundary:
    if "\n" in gap:
        return Boundary.SENTENCE
    bare = before.rstrip(_CLOSERS) or before
    initial = len(bare) == 2 and bare[0].isalpha()  # "A." is a name's initial
    if _SENTENCE_END.search(bare) and bare.casefold() not in _ABBREVIATIONS and not initial:
        return Boundary.SENTENCE
    if _CLAUSE_END.search(bare) or after in _DASHES:
        return Boundary.CLAUSE
    return Boundary.WORD


def _analyse(text: str, config: WeightConfig) -> _Words:
    spans = word_spans(text)
    tokens = [text[s:e] for s, e in spans]
    weights = [weighted_length(t, config) for t in tokens]
    gaps = [
        weighted_length(text[spans[i][1] : spans[i + 1][0]], config) for i in range(len(spans) - 1)
    ]
    levels = [Boundary.WORD] + [
        _level(text[spans[b - 1][1] : spans[b][0]], tokens[b - 1], tokens[b])
        for b in range(1, len(spans))
    ]
    return _Words(text, spans, weights, gaps, levels)


class _Splitter:
    def __init__(self, text: str, config: WeightConfig) -> None:
        self.words = _analyse(text, config)
        self.config = config
        self.limit = config.max_weighted_length
        # running totals: words[:i] weigh word_sums[i], the gaps after them gap_sums[i]
        self.word_sums = list(accumulate(self.words.weights, initial=0))
        self.gap_sums = list(accumulate(self.words.gaps, initial=0))

    def weight(self, start: int, end: int, suffix: str) -> int:
        return weighted_length(self.words.span_text(start, end) + suffix, self.config)

    def fits(self, start: int, end: int, suffix: str) -> bool:
        """Exact, by twitter-text, unless the estimate is far over (parse_tweet is slow).

        Nothing twitter-text counts (URLs, emoji sequences) crosses whitespace, so the estimate
        equals the exact count; the margin of one URL only guards that reasoning. A cut that
        may fit is always measured exactly, so no part is ever over the limit.
        """
        suffix_weight = weighted_length(suffix, self.config) if suffix else 0
        margin = self.config.transformed_url_length
        if self.estimate(start, end, suffix_weight) > self.limit + margin:
            return False
        return self.weight(start, end, suffix) <= self.limit

    def estimate(self, start: int, end: int, suffix_weight: int) -> int:
        """The words' and gaps' own weights added up: cheap, and equal to the exact count."""
        words = self.word_sums[end] - self.word_sums[start]
        return words + self.gap_sums[end - 1] - self.gap_sums[start] + suffix_weight

    def greedy(self, suffix_for: Callable[[int], str]) -> list[tuple[int, int]]:
        """Cut parts left to right, each at the furthest best-kind boundary that fits."""
        n = len(self.words.spans)
        parts: list[tuple[int, int]] = []
        start = 0
        while start < n:
            suffix = suffix_for(len(parts) + 1)
            suffix_weight = weighted_length(suffix, self.config) if suffix else 0
            furthest = start
            while furthest < n and self.estimate(start, furthest + 1, suffix_weight) <= self.limit:
                furthest += 1
            end = self._choose(start, furthest, suffix)
            parts.append((start, end))
            start = end
        return parts

    def _choose(self, start: int, furthest: int, suffix: str) -> int:
        """The best boundary in (start, furthest] whose exact weight fits."""
        n = len(self.words.spans)
        while furthest > start:
            end = furthest
            if furthest < n:
                for level in (Boundary.SENTENCE, Boundary.CLAUSE):
                    best = [
                        b for b in range(start + 1, furthest + 1) if self.words.levels[b] <= level
                    ]
                    if best:
                        end = best[-1]
                        break
            if self.fits(start, end, suffix):
                return end
            furthest = end - 1  # the estimate was short: look again left of this cut
        return start + 1  # one word too long for any part: it stands alone (and is reported)

    def merge(self, parts: list[tuple[int, int]], numbered: bool) -> list[tuple[int, int]]:
        """Join neighbours while the joined part (with its number) fits."""
        merged = True
        while merged and len(parts) > 1:
            merged = False
            total = len(parts) - 1
            for k in range(len(parts) - 1):
                suffix = numbering(k + 1, total) if numbered else ""
                if self.fits(parts[k][0], parts[k + 1][1], suffix):
                    parts[k : k + 2] = [(parts[k][0], parts[k + 1][1])]
                    merged = True
                    break
        return parts


def split_thread(
    text: str, config: WeightConfig = DEFAULT_CONFIG, *, numbered: bool = False
) -> tuple[str, ...]:
    """`text` (NFC, tidied) as thread parts, numbered " i/n" when asked."""
    splitter = _Splitter(text, config)
    if not splitter.words.spans:
        return ()
    whole = (0, len(splitter.words.spans))
    if splitter.fits(*whole, ""):
        return (splitter.words.span_text(*whole),)
    if not numbered:
        parts = splitter.merge(splitter.greedy(lambda _i: ""), numbered=False)
    else:
        digits = 1
        while True:
            widest = 10**digits - 1
            parts = splitter.greedy(partial(numbering, total=widest))
            if len(parts) <= widest:
                break
            digits += 1
        parts = splitter.merge(parts, numbered=True)
    total = len(parts)
    return tuple(
        splitter.words.span_text(s, e) + (numbering(i, total) if numbered else "")
        for i, (s, e) in enumerate(parts, start=1)
    )
