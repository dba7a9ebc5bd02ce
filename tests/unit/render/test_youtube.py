"""YouTube drafts: title, description, tags and hashtags within YouTube's limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crosspost.adapters.base import ContentKind, Draft, MediaFile, MediaRole, Platform
from crosspost.adapters.youtube.checks import tags_length
from crosspost.render import render_draft
from crosspost.render.text import words

from .samples import LINK, PARAGRAPHS, SUMMARY, YOUTUBE_LIMITS, content, stub_media, stub_podcast


def _video(tmp_path: Path) -> tuple[MediaFile, ...]:
    return (stub_media(tmp_path / "hoi-nghi.mp4", MediaRole.VIDEO),)


def render(tmp_path: Path, **fields: Any) -> Draft:
    item = content(ContentKind.VIDEO, media=_video(tmp_path), **fields)
    return render_draft(Platform.YOUTUBE, item, {}, limits=YOUTUBE_LIMITS)


def test_a_video_fits_youtube_without_problems(tmp_path: Path) -> None:
    draft = render(tmp_path)
    assert draft.problems == ()
    assert draft.title == "Tỉnh ủy Quảng Nam nâng cao chất lượng sinh hoạt chi bộ ở cơ sở"
    assert draft.description.startswith(SUMMARY + "\n\n" + PARAGRAPHS[0])
    assert f"Đọc thêm: {LINK}\nThực hiện: Ban Xây dựng Đảng" in draft.description
    assert draft.tags == ("xây dựng Đảng", "Quảng Nam", "chi bộ", "Đại hội XIV")


def test_a_long_title_is_cut_at_a_word_boundary_within_100_characters(tmp_path: Path) -> None:
    title = (
        "Hội nghị lần thứ 15 Ban Chấp hành Đảng bộ tỉnh Quảng Nam khóa XXII đánh giá kết quả "
        "công tác xây dựng, chỉnh đốn Đảng và hệ thống chính trị năm 2024"
    )
    cut = render(tmp_path, title=title).title
    assert len(cut) <= 100 and cut.endswith("…")
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "
    assert len(" ".join(words(title)[: len(words(cut)) + 1]) + "…") > 100


def test_a_podcast_title_keeps_the_templates_suffix_when_cut(tmp_path: Path) -> None:
    title = " ".join(["Câu chuyện xây dựng Đảng ở cơ sở"] * 4)
    media = (
        stub_media(tmp_path / "tap-1.m4a", MediaRole.AUDIO),
        stub_media(tmp_path / "bia.png", MediaRole.COVER),
        *_video(tmp_path),
    )
    item = content(ContentKind.PODCAST, title=title, media=media)
    draft = render_draft(Platform.YOUTUBE, item, {}, limits=YOUTUBE_LIMITS)
    assert draft.problems == ()
    assert draft.title.endswith("… | Podcast") and len(draft.title) <= 100
    assert draft.media == (media[2], media[1])  # the video, then the cover as thumbnail


def test_a_long_description_is_cut_to_5000_bytes_keeping_link_and_hashtags(
    tmp_path: Path,
) -> None:
    body = "\n\n".join(PARAGRAPHS * 12)  # about 15,000 bytes of Vietnamese
    description = render(tmp_path, body=body).description
    size = len(description.encode("utf-8"))
    assert 4800 < size <= 5000
    assert description.startswith(SUMMARY)
    assert "…\n\nĐọc thêm: " + LINK in description
    assert description.endswith("#XâyDựngĐảng #QuảngNam #ChiBộ")


def test_angle_brackets_become_single_guillemets(tmp_path: Path) -> None:
    draft = render(
        tmp_path,
        title="Nghị quyết <mới> về công tác cán bộ",
        summary="So sánh: tỷ lệ > 95% và < 5%.",
        hashtags=("<chi bộ>",),
    )
    assert draft.title == "Nghị quyết ‹mới› về công tác cán bộ"
    assert "So sánh: tỷ lệ › 95% và ‹ 5%." in draft.description
    assert draft.tags == ("‹chi bộ›",)
    assert not any("<" in s or ">" in s for s in (draft.title, draft.description, *draft.tags))


def test_only_the_first_three_hashtags_go_on_the_descriptions_last_line(tmp_path: Path) -> None:
    description = render(tmp_path).description
    assert description.splitlines()[-1] == "#XâyDựngĐảng #QuảngNam #ChiBộ"
    assert "#ĐạiHộiXIV" not in description


def test_tags_are_counted_as_youtube_counts_them() -> None:
    assert tags_length(["Foo-Baz"]) == 7
    assert tags_length(["Foo Baz"]) == 9  # counted as if quoted
    assert tags_length(["chi bộ", "Đảng", "Quảng Nam"]) == 8 + 4 + 11 + 2


def test_tags_are_kept_in_order_while_they_fit_in_500(tmp_path: Path) -> None:
    labels = tuple(f"nghị quyết Trung ương số {n}" for n in range(40))  # 28 or 29 each
    tags = render(tmp_path, hashtags=labels).tags
    assert tags == labels[: len(tags)]
    assert tags_length(tags) <= 500 < tags_length(labels[: len(tags) + 1])


def test_overrides_replace_the_template_and_are_never_cut(tmp_path: Path) -> None:
    long_title = "Tiêu đề do biên tập viên viết " * 5
    draft = render(
        tmp_path,
        overrides={
            "youtube": {
                "title": long_title,
                "description": "Mô tả riêng cho YouTube.",
                "tags": ["công tác cán bộ", "Trung ương"],
            }
        },
    )
    assert draft.title == long_title.strip()
    assert draft.description == "Mô tả riêng cho YouTube."
    assert draft.tags == ("công tác cán bộ", "Trung ương")
    assert draft.problems == (f"youtube: title is {len(long_title.strip())} characters, limit 100",)


def test_an_empty_title_and_oversized_tags_are_problems(tmp_path: Path) -> None:
    tags = [f"chuyên đề học tập và làm theo tư tưởng Hồ Chí Minh {n}" for n in range(12)]
    draft = render(tmp_path, title="   ", overrides={"youtube": {"tags": tags}})
    assert draft.problems == (
        "youtube: a video needs a title",
        f"youtube: tags are {tags_length(tags)} characters as YouTube counts them, limit 500",
    )


def test_a_podcast_without_its_rendered_video_is_a_problem(tmp_path: Path) -> None:
    item = content(ContentKind.PODCAST, media=stub_podcast(tmp_path))
    draft = render_draft(Platform.YOUTUBE, item, {}, limits=YOUTUBE_LIMITS)
    assert draft.problems == (
        "youtube: the podcast's video has not been rendered (render the podcast to video first)",
    )


def test_an_override_set_to_nothing_falls_back_on_the_template(tmp_path: Path) -> None:
    draft = render(tmp_path, overrides={"youtube": {"title": None, "description": "Mô tả."}})
    assert draft.title == "Tỉnh ủy Quảng Nam nâng cao chất lượng sinh hoạt chi bộ ở cơ sở"
    assert draft.description == "Mô tả."
    assert draft.problems == ()
