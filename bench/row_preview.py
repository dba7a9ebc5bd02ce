"""Row 6, big input: `preview`'s rendering of a 100,000-character item on every platform (X in
each thread mode), in process, against a 1,000-character item in the same run: linear length
work keeps the ratio near the size ratio (100), not its square."""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchlib import Line, error_line, ms, verdict

from crosspost.adapters.base import ContentKind, ContentSnapshot, Platform
from crosspost.adapters.registry import adapter_class, rules_for

ROW = "6 big input"
TARGET_SECONDS = 1.0
SENTENCE = "Đại hội Đảng bộ tỉnh Nghệ An 🧑🏿‍🤝‍🧑🏻 https://tapchi.example.vn/a, lần thứ XX. "


@dataclass(frozen=True)
class Settings:
    chars: int = 100_000
    small: int = 1_000


def _item(chars: int) -> ContentSnapshot:
    text = (SENTENCE * (chars // len(SENTENCE) + 1))[:chars]
    return ContentSnapshot(1, ContentKind.ARTICLE, title=text, summary=text, body=text)


def _render_all(content: ContentSnapshot) -> float:
    """Seconds to render `content` for every platform, X once per thread mode."""
    started = time.perf_counter()
    for platform in Platform:
        limits = adapter_class(platform).limits
        modes = ("never", "auto", "always") if platform == Platform.X else ("never",)
        for mode in modes:
            rules_for(platform).render(content, {"thread": mode}, limits, ())
    return time.perf_counter() - started


def run(settings: Settings) -> list[Line]:
    measured = (
        f"render a {settings.chars:,}-character title, summary and body for facebook, "
        "youtube and x (never, auto, always)"
    )
    target = f"under {ms(TARGET_SECONDS)} per platform and mode"
    try:
        _render_all(_item(settings.small))  # warm: imports and compiled patterns
        small = _render_all(_item(settings.small))
        big = _render_all(_item(settings.chars))
    except Exception as exc:  # a bench line, not a traceback
        return [error_line(ROW, measured, target, f"{type(exc).__name__}: {exc}")]
    renders = 5
    per = big / renders
    ratio = big / small if small else float("nan")
    return [
        Line(
            ROW,
            measured,
            f"{ms(big)} for the {renders} renders ({ms(per)} each)",
            target,
            f"{settings.small:,} characters: {ms(small)}; ratio {ratio:,.0f}× for "
            f"{settings.chars // settings.small}× the text",
            verdict(per < TARGET_SECONDS),
        )
    ]


if __name__ == "__main__":
    for line in run(Settings()):
        print(line)
