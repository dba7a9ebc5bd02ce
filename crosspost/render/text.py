"""Text helpers every platform shares: NFC, tidying, word spans, word-boundary cuts, hashtags.

Vietnamese writes one syllable per space-separated word, so the space is the only safe place to
cut: a word, URL, hashtag or mention never holds a breaking space. No-break spaces (U+00A0,
U+2007, U+202F) are kept inside words, as their writer asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

ELLIPSIS = "…"
# A "word": a run of anything but breaking whitespace.
_WORD = re.compile(r"(?:[^\s]|[\u00a0\u2007\u202f])+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_SPACES = re.compile(r"\s+")
# Punctuation that reads badly just before an ellipsis.
_CUT_TRAILING = ",;:.–—-"


def nfc(text: str | None) -> str:
    """NFC with Unix newlines: how every incoming string is taken."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def tidy(text: str) -> str:
    """Clean template output: NFC, no trailing spaces, at most one blank line in a row."""
    text = _TRAILING_SPACE.sub("\n", nfc(text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def one_line(text: str) -> str:
    """A title: NFC, whitespace runs (newlines included) made single spaces."""
    return _SPACES.sub(" ", nfc(text)).strip()


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word, in order."""
    return [m.span() for m in _WORD.finditer(text)]


def words(text: str) -> list[str]:
    return [m.group(0) for m in _WORD.finditer(text)]


def cut_words(text: str, count: int) -> str:
    """The first `count` words of `text`, original spacing kept, ending in an ellipsis.

    Trailing commas, colons and full stops are dropped first ("tỉnh ủy, …" reads "tỉnh ủy…").
    """
    return word_cutter(text)(count)


def word_cutter(text: str) -> Callable[[int], str]:
    """`cut_words` for one text asked many times: its words are found once, not per call."""
    spans = word_spans(text)

    def cut(count: int) -> str:
        if count >= len(spans):
            return text
        if count <= 0:
            return ""
        head = text[: spans[count - 1][1]]
        trimmed = head.rstrip(_CUT_TRAILING)
        return (trimmed or head) + ELLIPSIS

    return cut


def word_count(text: str) -> int:
    return len(word_spans(text))


def as_hashtag(label: str) -> str | None:
    """`label` as a hashtag X, Facebook and YouTube all link: "xây dựng Đảng" → "#XâyDựngĐảng".

    Words of a spaced label are capitalised and joined; anything but letters, digits, marks and
    "_" is dropped. None when nothing usable is left or the tag has no letter (a numeric tag is
    not linked).
    """
    parts = [p for p in re.split(r"[^\w]+", nfc(label).lstrip("#")) if p]
    if not parts:
        return None
    body = parts[0] if len(parts) == 1 else "".join(p[:1].upper() + p[1:] for p in parts)
    if not any(ch.isalpha() for ch in body):
        return None
    return "#" + body


def hashtags(labels: Iterable[str]) -> tuple[str, ...]:
    """Hashtags for `labels`, in order, without case-insensitive duplicates."""
    seen: set[str] = set()
    result: list[str] = []
    for label in labels:
        tag = as_hashtag(label)
        if tag is not None and tag.casefold() not in seen:
            seen.add(tag.casefold())
            result.append(tag)
    return tuple(result)
