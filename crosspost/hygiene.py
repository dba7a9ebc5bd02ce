"""Characters that must not reach a platform, and hashtags every platform links, judged at intake.

Submissions come from outside the journal. Control characters (ESC, BEL: terminal tricks),
bidi overrides and isolates (U+202E makes "gpj.exe" read "exe.jpg"), BOMs and zero-width
characters (invisible differences between texts that look the same) are refused, not removed:
the text the editors approve is then exactly the text that is published, and the sender is
told which character and where, to fix the source. A ZWJ inside an emoji sequence (👁️‍🗨️,
🧑🏿‍🤝‍🧑🏻) and variation selectors are part of the emoji and kept. Text is judged in its
stored (NFC) form, so NFD input is never a problem here.

Pure: no I/O, no database; `crosspost.items` calls it for every item, whichever door it came by.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

ZWJ = "\u200d"

# C0 controls have no Unicode name; these are their standard (ISO 6429) names.
_C0_NAMES = [
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "BELL",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
]

# Refused everywhere: C0 (but tab and newline), DEL, C1, bidi embeddings/overrides/isolates,
# zero-width space/non-joiner/joiner, word joiner, BOM (zero-width no-break space).
_REFUSED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_WHY = {
    "control": "a control character; remove it (terminals act on it)",
    "bidi": "a bidi control; remove it (it changes the order the text is read in)",
    "invisible": "an invisible character; remove it (delete and retype the word around it)",
}


def char_name(ch: str) -> str:
    """ "U+202E RIGHT-TO-LEFT OVERRIDE": the code point and its name (controls' too)."""
    code = ord(ch)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DELETE"
    elif 0x80 <= code <= 0x9F:
        name = "C1 CONTROL"
    elif 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        name = "NONCHARACTER"
    else:
        name = unicodedata.name(ch, "UNNAMED")
    return f"U+{code:04X} {name}" + (" (BOM)" if code == 0xFEFF else "")


def _kind(ch: str) -> str:
    code = ord(ch)
    if code < 0xA0:
        return "control"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "bidi"
    return "invisible"


# Extended_Pictographic, in the ranges that hold it (Unicode emoji-data.txt), and the
# characters that may follow a pictograph inside one emoji: VS16, skin tones, keycap, tags.
_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x2194, 0x21AA), (0x231A, 0x23FF),
    (0x24C2, 0x24C2), (0x25AA, 0x25FE), (0x2600, 0x27BF), (0x2934, 0x2935),
    (0x2B05, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3299),
    (0x1F000, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip
_COMPONENT = re.compile("[\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]*")


def _pictographic(ch: str) -> bool:
    code = ord(ch)
    return any(start <= code <= end for start, end in _PICTOGRAPHIC)


def _emoji_joiners(text: str) -> set[int]:
    """Indices of the ZWJs that join two emoji (👁️‍🗨️, 🧑🏿‍🤝‍🧑🏻, ❤️‍🔥), which are kept:
    a pictograph (with its selectors and skin tone) before, a pictograph after."""
    inside: set[int] = set()
    start = text.find(ZWJ)
    while start != -1:
        before = start
        while before > 0 and _COMPONENT.fullmatch(text[before - 1]):
            before -= 1
        after = text[start + 1 : start + 2]
        if before > 0 and _pictographic(text[before - 1]) and after and _pictographic(after):
            inside.add(start)
        start = text.find(ZWJ, start + 1)
    return inside


def where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}" if "\n" in text else f"character {column}"


def bad_characters(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) of every refused character in NFC `text`, in order."""
    kept = _emoji_joiners(text)
    for match in _REFUSED.finditer(text):
        if match.start() not in kept:
            yield match.start(), match.group()


def text_problems(text: str) -> list[str]:
    """One line per distinct refused character: its name, first place and how often."""
    found: dict[str, list[int]] = {}
    for index, ch in bad_characters(text):
        found.setdefault(ch, []).append(index)
    problems = []
    for ch, places in found.items():
        more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
        problems.append(
            f"contains {char_name(ch)} at {where(text, places[0])}{more}: {_WHY[_kind(ch)]}"
        )
    return problems


@dataclass(frozen=True)
class HashtagRule:
    """What one platform links as a hashtag and how many it takes (data on its render RULES)."""

    platform: str
    max_length: int | None = None  # characters after the '#'
    max_count: int | None = None  # more than this and the platform drops them all
    source: str = ""


def _linkable(ch: str) -> bool:
    """A character every platform keeps inside a hashtag: letter, digit, mark or "_"."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def hashtag_problems(tags: Iterable[str], rules: Iterable[HashtagRule]) -> list[str]:
    """Why a tag would not link as written, on any platform; NFC `tags` as stored."""
    tags = list(tags)
    problems = []
    for n, tag in enumerate(tags, start=1):
        body = tag.strip().removeprefix("#")
        where = f"hashtags[{n}] {tag.strip()!r}"
        if _REFUSED.search(body):
            continue  # its characters are reported as such (`text_problems`)
        if not body:
            problems.append(f"{where} is empty; remove it or write the tag")
        elif not all(_linkable(c) for c in body):
            odd = next((c for c in body if not _linkable(c)), " ")
            what = "a space" if odd.isspace() else repr(odd)
            problems.append(
                f"{where} holds {what}: a hashtag is one word of letters, digits and _; "
                f"write it as {_suggest(body)} or give each tag as its own list item"
            )
        elif not any(c.isalpha() for c in body):
            problems.append(f"{where} has no letter, so no platform links it; add a word")
        else:
            problems += [
                f"{where} is {len(body)} characters; {r.platform} links at most {r.max_length}"
                for r in rules
                if r.max_length is not None and len(body) > r.max_length
            ]
    problems += [
        f"hashtags: {len(tags)} given; {r.platform} ignores every hashtag past {r.max_count} "
        f"({r.source}); keep at most {r.max_count}"
        for r in rules
        if r.max_count is not None and len(tags) > r.max_count
    ]
    return problems


def _suggest(body: str) -> str:
    """ "có dấu cách" → #CóDấuCách; "a,b" → #a and #b."""
    parts = [p for p in re.split(r"[^\w]+", body) if p]
    if len(parts) > 1 and "," in body:
        return " and ".join(f"#{p}" for p in parts)
    return "#" + "".join(p[:1].upper() + p[1:] for p in parts) if parts else "#Word"


def field_problems(fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, problem) for every refused character in each named NFC text."""
    return [(key, problem) for key, text in fields.items() for problem in text_problems(text)]


def clean_note(text: str, option: str) -> str:
    """A reason or note typed by the team, NFC and stripped: the audit trail and every listing
    print it, so a terminal escape or a right-to-left override in it is refused, not stored."""
    from crosspost.errors import UserError

    note = unicodedata.normalize("NFC", text.strip())
    problems = text_problems(note)
    if problems:
        raise UserError(f"{option} {problems[0]}")
    return note
