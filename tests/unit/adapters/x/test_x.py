"""X drafts: one post fitted to 280, or a thread when the content or account asks."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from crosspost.adapters.base import ContentKind, MediaRole, Platform
from crosspost.adapters.x.weighted import weighted_length
from crosspost.render import render_draft
from crosspost.render.text import words
from tests.unit.render.samples import BODY, LINK, SUMMARY, TITLE, X_LIMITS, content, nfd, stub_media

UTM = {"utm_source": "x", "utm_medium": "social"}
TAGS = "#XâyDựngĐảng #QuảngNam #ChiBộ #ĐạiHộiXIV"


def test_an_article_is_one_post_with_the_summary_cut_to_fit() -> None:
    draft = render_draft(Platform.X, content(), {"utm": UTM}, limits=X_LIMITS)
    (post,) = draft.parts
    assert draft.problems == ()
    assert weighted_length(post) <= 280
    title, summary, link, tags = post.split("\n\n")
    assert title == TITLE
    assert summary.endswith("…") and SUMMARY.startswith(summary[:-1])
    assert SUMMARY[len(summary) - 1] == " "  # cut at a word boundary
    assert link == f"{LINK}?utm_source=x&utm_medium=social"
    assert tags == TAGS
    # the next word of the summary would not have fitted
    longer = " ".join(words(SUMMARY)[: len(words(summary)) + 1]) + "…"
    assert weighted_length(post.replace(summary, longer)) > 280


def test_the_link_counts_23_whatever_its_length() -> None:
    long_link = LINK + "?" + "&".join(f"p{i}=gia-tri-{i}" for i in range(40))
    draft = render_draft(Platform.X, content(link=long_link), {}, limits=X_LIMITS)
    assert long_link in draft.text
    assert len(draft.text) > 280 >= weighted_length(draft.text)


def test_a_title_too_long_for_a_post_is_cut_and_the_link_kept() -> None:
    title = " ".join(["Nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng"] * 5)
    draft = render_draft(Platform.X, content(title=title), {}, limits=X_LIMITS)
    head, link = draft.text.split("\n\n")
    assert head.endswith("…") and title.startswith(head[:-1])
    assert link == LINK
    assert weighted_length(draft.text) <= 280
    assert draft.problems == ()


def test_hashtags_are_kept_in_order_while_they_fit() -> None:
    title = (
        "Hội nghị Tỉnh ủy Quảng Nam lần thứ 15 bàn giải pháp nâng cao chất lượng sinh hoạt "
        "chi bộ, siết chặt kỷ luật trong Đảng"
    )
    labels = (
        "Nâng cao chất lượng sinh hoạt chi bộ ở cơ sở",
        "Xây dựng chỉnh đốn Đảng và hệ thống chính trị trong sạch vững mạnh toàn diện",
        "Đại hội XIV",
        "Quảng Nam",
    )
    item = content(title=title, summary="", hashtags=labels)
    post = render_draft(Platform.X, item, {}, limits=X_LIMITS).text
    first, second, third = (
        "#NângCaoChấtLượngSinhHoạtChiBộỞCơSở",
        ("#XâyDựngChỉnhĐốnĐảngVàHệThốngChínhTrịTrongSạchVữngMạnhToànDiện"),
        "#ĐạiHộiXIV",
    )
    expected = f"{title}\n\n{LINK}\n\n{first} {second}"
    assert weighted_length(expected) <= 280 < weighted_length(f"{expected} {third}")
    assert post == expected


def test_auto_keeps_one_post_when_the_text_fits() -> None:
    item = content(summary="Tóm tắt ngắn về hội nghị.", hashtags=("chi bộ",))
    draft = render_draft(Platform.X, item, {"thread": "auto"}, limits=X_LIMITS)
    assert draft.parts == (f"{TITLE}\n\nTóm tắt ngắn về hội nghị.\n\n{LINK}\n\n#ChiBộ",)


def test_auto_makes_a_thread_of_the_whole_article_when_it_does_not_fit() -> None:
    draft = render_draft(
        Platform.X, content(), {"thread": "auto", "thread_numbering": True}, limits=X_LIMITS
    )
    total = len(draft.parts)
    assert total > 2 and draft.problems == ()
    assert draft.parts[0] == f"{TITLE}\n{LINK} 1/{total}"
    assert all(p.endswith(f" {i}/{total}") for i, p in enumerate(draft.parts, start=1))
    assert all(weighted_length(p) <= 280 for p in draft.parts)
    text = " ".join(p.rsplit(" ", 1)[0] for p in draft.parts)
    assert words(text) == words(f"{TITLE} {LINK} {SUMMARY} {BODY} {TAGS}")


def test_the_contents_thread_override_wins_over_the_account() -> None:
    item = content(overrides={"x": {"thread": "always"}})
    assert len(render_draft(Platform.X, item, {"thread": "never"}, limits=X_LIMITS).parts) > 1
    item = content(overrides={"x": {"thread": False}})
    assert len(render_draft(Platform.X, item, {"thread": "always"}, limits=X_LIMITS).parts) == 1


def test_an_unknown_thread_mode_is_a_problem() -> None:
    draft = render_draft(Platform.X, content(), {"thread": "sometimes"}, limits=X_LIMITS)
    assert draft.problems == (
        "x: thread in the account setting is 'sometimes', not one of never, auto, always",
    )


def test_an_editors_text_is_never_cut_but_reported() -> None:
    text = " ".join(["Đảng bộ tỉnh Quảng Nam quyết tâm thực hiện thắng lợi nghị quyết."] * 5)
    draft = render_draft(Platform.X, content(overrides={"x": {"text": text}}), {}, limits=X_LIMITS)
    assert draft.parts == (text,)
    assert draft.problems == (f"x: text is {weighted_length(text)} weighted characters, limit 280",)


def test_nfd_input_comes_out_nfc() -> None:
    item = content(title=nfd(TITLE), summary=nfd("Hội nghị lần thứ 15."), hashtags=(nfd("chi bộ"),))
    post = render_draft(Platform.X, item, {}, limits=X_LIMITS).text
    assert post == f"{TITLE}\n\nHội nghị lần thứ 15.\n\n{LINK}\n\n#ChiBộ"
    assert unicodedata.is_normalized("NFC", post)


def test_articles_carry_up_to_four_images(tmp_path: Path) -> None:
    images = [stub_media(tmp_path / f"anh-{i}.png", MediaRole.IMAGE) for i in range(5)]
    draft = render_draft(Platform.X, content(media=tuple(images)), {}, limits=X_LIMITS)
    assert draft.media == tuple(images[:4])
    assert draft.problems == ()


def test_a_video_item_without_its_video_is_a_problem() -> None:
    draft = render_draft(Platform.X, content(ContentKind.VIDEO), {}, limits=X_LIMITS)
    assert draft.problems == ("x: a video post needs a video file",)


def test_an_unset_thread_mode_means_one_post() -> None:
    draft = render_draft(Platform.X, content(), {"thread": None}, limits=X_LIMITS)
    assert len(draft.parts) == 1 and draft.problems == ()
