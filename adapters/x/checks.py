"""What X refuses in a finished draft, worded once: rendering lists these as the draft's
problems, and the adapter checks a stored draft against them again before anything is sent.

Text is measured by twitter-text's rules (`weighted`) against the account's limits; the first
post carries up to 4 images, or 1 GIF, or 1 video, never a mix.
"""

from __future__ import annotations

from collections.abc import Sequence

from crosspost.adapters.base import ContentKind, Draft, Limits, MediaFile
from crosspost.adapters.common import media_problems, nfc, no_video_file
from crosspost.adapters.x.upload import attachments_for, category, media_type
from crosspost.adapters.x.weighted import WeightConfig, parse


def draft_problems(draft: Draft, limits: Limits) -> list[str]:
    """Every reason X would refuse `draft` under `limits`."""
    attachments = attachments_for(draft.media)
    return [
        *text_problems(draft.parts, WeightConfig.for_limits(limits)),
        *mix_problems(draft.kind, attachments, limits),
        *(p for media in attachments for p in declared_media_problems(media, limits)),
    ]


def text_problems(parts: Sequence[str], config: WeightConfig) -> list[str]:
    """Why X would refuse any of the parts (a single post's is called "text")."""
    if not parts:
        return ["x: text is empty"]
    problems = []
    for index, part in enumerate(parts, start=1):
        label = "text" if len(parts) == 1 else f"part {index}"
        measured = parse(nfc(part), config)
        if not part.strip():
            problems.append(f"x: {label} is empty")
        elif measured.weighted_length > config.max_weighted_length:
            problems.append(
                f"x: {label} is {measured.weighted_length} weighted characters, "
                f"limit {config.max_weighted_length}"
            )
        elif not measured.valid:
            problems.append(f"x: {label} {_refused_characters(nfc(part))}")
    return problems


def _refused_characters(text: str) -> str:
    """Which characters twitter-text refuses (U+FFFE, U+FEFF, U+FFFF) and where, as one phrase."""
    from crosspost.hygiene import char_name, where

    found = [(i, ch) for i, ch in enumerate(text) if ch in X_INVALID]
    if not found:
        return "is not a text X accepts"
    shown = ", ".join(f"{char_name(ch)} at {where(text, i)}" for i, ch in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return f"contains characters X does not accept: {shown}{more}; remove them"


# twitter-text's invalid characters (its regexp/invalid_chars: `\uFFFE\uFEFF\uFFFF`).
X_INVALID = frozenset("\ufffe\ufeff\uffff")


def mix_problems(kind: ContentKind, attachments: list[MediaFile], limits: Limits) -> list[str]:
    """X takes up to 4 images, or 1 GIF, or 1 video per post, never a mix."""
    kinds = [category(media_type(m)) for m in attachments]
    problems = []
    if kind == ContentKind.VIDEO and "tweet_video" not in kinds:
        problems.append(no_video_file("x"))
    if len(kinds) > 1 and any(k != "tweet_image" for k in kinds):
        problems.append("x: a post takes up to 4 images, or 1 GIF, or 1 video, not a mix")
    elif len(kinds) > limits.max_images:
        problems.append(f"x: {len(kinds)} images, X takes at most {limits.max_images}")
    return problems


def declared_media_problems(media: MediaFile, limits: Limits) -> list[str]:
    """The file's recorded type and size against X's (and the account's) limits."""
    return media_problems("x", "X", media, media_type(media), media.size, limits)
