"""Facebook drafts: the Page post's message within its limit and the link preview."""

from __future__ import annotations

from pathlib import Path

from crosspost.adapters.base import ContentKind, MediaRole, Platform
from crosspost.render import render_draft

from .samples import FACEBOOK_LIMITS, LINK, SUMMARY, TITLE, content, stub_media, stub_podcast

UTM = {"utm_source": "facebook", "utm_medium": "social"}
TAGS = "#XâyDựngĐảng #QuảngNam #ChiBộ #ĐạiHộiXIV"


def test_an_article_is_a_message_with_the_tagged_link_as_its_preview() -> None:
    draft = render_draft(Platform.FACEBOOK, content(), {"utm": UTM}, limits=FACEBOOK_LIMITS)
    assert draft.text == f"{TITLE}\n\n{SUMMARY}\n\n{TAGS}"
    assert draft.link == f"{LINK}?utm_source=facebook&utm_medium=social"
    assert draft.problems == ()


def test_a_message_over_63206_characters_is_cut_at_a_word_boundary() -> None:
    summary = " ".join(["Đảng bộ tỉnh tập trung lãnh đạo phát triển kinh tế - xã hội."] * 1200)
    draft = render_draft(Platform.FACEBOOK, content(summary=summary), {}, limits=FACEBOOK_LIMITS)
    assert 63_000 < len(draft.text) <= 63_206
    head, cut, tags = draft.text.split("\n\n")
    assert head == TITLE and tags == TAGS
    assert cut.endswith("…") and summary[len(cut) - 1] == " "
    assert draft.problems == ()


def test_an_editors_message_over_the_limit_is_reported_not_cut() -> None:
    text = "Thông báo. " * 6000
    item = content(overrides={"facebook": {"text": text}})
    draft = render_draft(Platform.FACEBOOK, item, {}, limits=FACEBOOK_LIMITS)
    assert draft.text == text.strip()
    assert draft.problems == (f"facebook: message is {len(text.strip())} characters, limit 63206",)


def test_a_video_post_writes_the_link_and_carries_a_title(tmp_path: Path) -> None:
    video = stub_media(tmp_path / "phong-su.mp4", MediaRole.VIDEO)
    item = content(ContentKind.VIDEO, media=(video,))
    draft = render_draft(Platform.FACEBOOK, item, {"utm": UTM}, limits=FACEBOOK_LIMITS)
    assert draft.link is None
    assert draft.title == TITLE
    assert f"Đọc thêm: {LINK}?utm_source=facebook&utm_medium=social" in draft.text
    assert [m.role for m in draft.media] == [MediaRole.VIDEO]
    assert draft.problems == ()


def test_a_podcast_without_video_is_a_feed_post_with_cover_and_link(tmp_path: Path) -> None:
    media = stub_podcast(tmp_path)
    item = content(ContentKind.PODCAST, media=media)
    draft = render_draft(Platform.FACEBOOK, item, {}, limits=FACEBOOK_LIMITS)
    assert draft.link == LINK
    assert draft.media == (media[1],)
    assert draft.text.startswith(f"🎧 {TITLE}")
    assert draft.problems == ()


def test_a_post_with_nothing_to_say_is_a_problem() -> None:
    item = content(title="", summary="", body="", link=None, hashtags=())
    draft = render_draft(Platform.FACEBOOK, item, {}, limits=FACEBOOK_LIMITS)
    assert draft.parts == ()
    assert draft.problems == ("facebook: the post has neither a message nor a link",)
