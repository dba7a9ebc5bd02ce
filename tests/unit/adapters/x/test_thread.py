"""Thread splitting: boundaries by preference, numbering counted, nothing broken."""

from __future__ import annotations

from crosspost.adapters.base import Platform
from crosspost.adapters.x.thread import split_thread
from crosspost.adapters.x.weighted import weighted_length
from crosspost.render import render_draft
from tests.unit.render.samples import LINK, X_LIMITS, content

SENTENCE_A = (
    "Sáng 12/3, Ban Chấp hành Đảng bộ tỉnh Quảng Nam tổ chức hội nghị lần thứ 15, khóa XXII "
    "để đánh giá kết quả công tác xây dựng Đảng."
)
SENTENCE_B = (
    "Đồng chí Bí thư Tỉnh ủy nhấn mạnh yêu cầu tiếp tục đổi mới phương thức lãnh đạo của Đảng, "
    "nâng cao năng lực cầm quyền và sức chiến đấu của tổ chức cơ sở đảng trong tình hình mới."
)


def test_text_that_fits_stays_one_post_without_numbering() -> None:
    assert split_thread("Hội nghị Tỉnh ủy lần thứ 15.", numbered=True) == (
        "Hội nghị Tỉnh ủy lần thứ 15.",
    )


def test_parts_end_at_sentence_ends_when_they_can() -> None:
    text = f"{SENTENCE_A} {SENTENCE_B} {SENTENCE_A}"
    # A (146) + B (204) is over 280, so is B + A: each sentence is a part of its own,
    # although "A + the first words of B" would fit.
    assert split_thread(text) == (SENTENCE_A, SENTENCE_B, SENTENCE_A)


def test_a_clause_end_is_preferred_to_a_plain_space() -> None:
    clauses = ", ".join(["các cấp ủy phải gương mẫu đi đầu trong học tập và làm theo"] * 8)
    parts = split_thread(clauses)
    assert len(parts) > 1
    assert all(p.endswith(",") for p in parts[:-1])


def test_urls_hashtags_and_mentions_are_never_cut() -> None:
    tokens = [LINK, "#XâyDựngĐảng", "@TapChiCongSan", "tổ chức cơ sở đảng"] * 12
    text = " ".join(tokens)
    parts = split_thread(text)
    assert len(parts) > 1
    pieces = " ".join(parts).split()
    assert pieces == text.split()
    assert all(weighted_length(p) <= 280 for p in parts)


def test_numbering_is_counted_in_every_part() -> None:
    text = " ".join([SENTENCE_A, SENTENCE_B] * 6)
    parts = split_thread(text, numbered=True)
    total = len(parts)
    assert total > 2
    for index, part in enumerate(parts, start=1):
        assert part.endswith(f" {index}/{total}")
        assert weighted_length(part) <= 280


def test_a_word_longer_than_a_post_stands_alone_and_is_reported() -> None:
    giant = "Đảng" * 70  # 350 weighted, no space to cut at
    item = content(overrides={"x": {"text": f"Mở đầu. {giant} Kết thúc.", "thread": "always"}})
    draft = render_draft(Platform.X, item, {}, limits=X_LIMITS)
    assert draft.parts == ("Mở đầu.", giant, "Kết thúc.")
    assert draft.problems == ("x: part 2 is 350 weighted characters, limit 280",)


def test_empty_text_has_no_parts() -> None:
    assert split_thread("") == ()
