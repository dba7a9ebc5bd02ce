"""Properties of X threads on random Vietnamese text with emoji, URLs, hashtags, mentions and
NFD input, rendered through `render_draft` as the scheduler does."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost.adapters.base import Platform
from crosspost.adapters.x.thread import numbering
from crosspost.adapters.x.weighted import parse, weighted_length
from crosspost.render import render_draft
from crosspost.render.text import words
from tests.unit.render.samples import X_LIMITS, content

PHRASES = (
    "Đảng bộ tỉnh ủy Ban Chấp hành Trung ương xây dựng chỉnh đốn cán đảng viên nghị quyết hội",
    "lần thứ khóa nhiệm kỳ phát triển kinh tế xã Quảng Nam Hà Nội Thừa Thiên Huế đổi mới",
    "phương thức lãnh đạo cơ sở chi nâng cao năng lực chiến đấu Bí thư Thường trực Ủy viên",
    "Bộ Chính trị kỷ luật cương giám sát kiểm tra học tập làm theo tư tưởng đạo đức phong cách",
    "Hồ Chí Minh 2025 15 XIV TP. ngày 2/9",
)
SYLLABLES = tuple(word for phrase in PHRASES for word in phrase.split(" "))
URLS = (
    "https://www.tapchicongsan.org.vn/web/guest/xay-dung-dang/-/2018/912345/bai-viet.aspx",
    "https://tapchicongsan.org.vn/?utm_source=x&utm_medium=social",
    "tapchicongsan.org.vn",
    "http://dangcongsan.vn/tu-tuong-van-hoa/bai-1.html",
)
HASHTAGS = ("#XâyDựngĐảng", "#ĐạiHộiXIV", "#QuảngNam", "#chi_bộ")
MENTIONS = ("@TapChiCongSan", "@BaoNhanDan", "@vtv24")
EMOJI = ("🇻🇳", "👨‍👩‍👧‍👦", "🎉", "✊🏽", "❤️", "📌")
PUNCTUATION = ("", "", "", ",", ".", ";", ":", "!", "?", "…", "”")
SEPARATORS = (" ",) * 12 + ("\n", "\n\n", " – ")

word = st.builds(lambda w, p: w + p, st.sampled_from(SYLLABLES), st.sampled_from(PUNCTUATION))
token = st.one_of(
    word,
    word,
    word,
    st.sampled_from(URLS),
    st.sampled_from(HASHTAGS),
    st.sampled_from(MENTIONS),
    st.sampled_from(EMOJI),
)


@st.composite
def vietnamese_text(draw: st.DrawFn) -> str:
    # Draw the length first: hypothesis keeps free-sized lists short, and a thread needs
    # more than one post's worth of words.
    size = draw(st.integers(min_value=1, max_value=220))
    tokens = draw(st.lists(token, min_size=size, max_size=size))
    gaps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(tokens), max_size=len(tokens)))
    text = "".join(t + g for t, g in zip(tokens, gaps, strict=True)).strip()
    return unicodedata.normalize("NFD", text) if draw(st.booleans()) else text


_NUMBER = re.compile(r" (\d+)/(\d+)$")


def _unnumbered(parts: tuple[str, ...], numbered: bool) -> list[str]:
    if not numbered or len(parts) == 1:
        return list(parts)
    total = len(parts)
    bare = []
    for index, part in enumerate(parts, start=1):
        assert part.endswith(numbering(index, total))
        bare.append(part[: -len(numbering(index, total))])
    return bare


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=vietnamese_text(), numbered=st.booleans(), mode=st.sampled_from(["auto", "always"]))
def test_thread_parts_are_valid_complete_in_order_and_greedy(
    text: str, numbered: bool, mode: str
) -> None:
    item = content(overrides={"x": {"text": text, "thread": mode}})
    draft = render_draft(Platform.X, item, {"thread_numbering": numbered}, limits=X_LIMITS)
    source = unicodedata.normalize("NFC", text).strip()

    # every part is valid
    assert draft.parts
    assert draft.problems == ()
    for part in draft.parts:
        assert parse(part).valid, part
        assert weighted_length(part) <= 280
        assert unicodedata.is_normalized("NFC", part)

    # the words come out complete and in order
    bare = _unnumbered(draft.parts, numbered)
    assert [w for part in bare for w in words(part)] == words(source)

    # no two neighbouring parts would fit in one (with the numbering one part fewer gives)
    spans = []
    position = 0
    for part in bare:
        start = source.index(part, position)
        position = start + len(part)
        spans.append((start, position))
    fewer = len(bare) - 1
    for k in range(len(bare) - 1):
        joined = source[spans[k][0] : spans[k + 1][1]]
        suffix = numbering(k + 1, fewer) if numbered else ""
        assert weighted_length(joined + suffix) > 280, (bare[k], bare[k + 1])
