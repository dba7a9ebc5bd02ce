"""Templates: defaults for every platform and kind, resolution order, overrides, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosspost.adapters.base import ContentKind, Platform
from crosspost.adapters.registry import templates_dir
from crosspost.render import render_draft
from crosspost.render.fields import build_fields
from crosspost.render.templates import load_template, template_dirs

from .samples import LIMITS, LINK, TITLE, X_LIMITS, content

ROOT = Path(__file__).resolve().parents[3]
COMBINATIONS = [(p, k) for p in Platform for k in ContentKind]


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(("platform", "kind"), COMBINATIONS, ids=lambda v: str(v))
def test_every_default_template_renders_sample_content(
    platform: Platform, kind: ContentKind
) -> None:
    template = load_template(platform, kind, {})
    fields = build_fields(content(kind), platform, {})
    if platform == Platform.YOUTUBE:
        assert template.render(fields, block="title").startswith(TITLE)
        assert LINK in template.render(fields, block="description")
    else:
        assert TITLE in template.render(fields)
        assert TITLE in template.render(fields, thread=True)


def test_the_project_copy_holds_every_packaged_default() -> None:
    project = ROOT / "config" / "templates"
    names = [f"{p}/{k}.j2" for p, k in COMBINATIONS]
    assert all((templates_dir(p) / f"{k}.j2").is_file() for p, k in COMBINATIONS)
    assert all((project / n).is_file() for n in names)


def test_the_project_copy_is_used_when_present(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _write(tmp_path, "config/templates/x/article.j2", "Dự án: {{ content.title }}")
    monkeypatch.chdir(tmp_path)
    draft = render_draft(Platform.X, content(), {}, limits=X_LIMITS)
    assert draft.text == f"Dự án: {TITLE}"
    # a kind the project does not override falls back to the packaged default
    assert load_template(Platform.X, ContentKind.VIDEO, {}).template.filename == str(
        templates_dir(Platform.X) / "video.j2"
    )


def test_packaged_defaults_are_used_without_a_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert template_dirs({}) == ()
    template = load_template(Platform.X, ContentKind.ARTICLE, {}).template
    assert template.filename == str(templates_dir(Platform.X) / "article.j2")


def test_an_accounts_template_dir_is_checked_first(tmp_path: Path) -> None:
    account = _write(tmp_path, "x/article.j2", "{{ content.title }} — đọc tại {{ content.link }}")
    settings = {"template_dir": str(account)}
    draft = render_draft(Platform.X, content(), settings, limits=X_LIMITS)
    assert draft.text == f"{TITLE} — đọc tại {LINK}"
    video = render_draft(Platform.X, content(ContentKind.VIDEO), settings, limits=X_LIMITS)
    assert video.text.startswith(f"{TITLE}\n\n")  # the default video template


def test_templates_see_the_thread_flag(tmp_path: Path) -> None:
    text = "{{ content.title }}{% if thread %} (chuỗi bài){% endif %}"
    account = _write(tmp_path, "x/article.j2", text)
    settings = {"template_dir": str(account), "thread": "always"}
    assert render_draft(Platform.X, content(), settings, limits=X_LIMITS).text == (
        f"{TITLE} (chuỗi bài)"
    )


def test_overrides_win_over_templates() -> None:
    item = content(
        overrides={
            "x": {"title": "Tiêu đề riêng cho X", "hashtags": ["Đảng bộ Quảng Nam"]},
            "facebook": {"text": "Bài viết riêng cho Facebook."},
        }
    )
    x = render_draft(Platform.X, item, {}, limits=X_LIMITS)
    assert x.text.startswith("Tiêu đề riêng cho X\n\n")
    assert x.text.endswith("\n\n#ĐảngBộQuảngNam")
    facebook = render_draft(Platform.FACEBOOK, item, {}, limits=LIMITS[Platform.FACEBOOK])
    assert facebook.text == "Bài viết riêng cho Facebook."
    assert facebook.link == LINK


def test_a_broken_template_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    account = _write(tmp_path, "x/article.j2", "{{ content.title }\n")
    draft = render_draft(Platform.X, content(), {"template_dir": str(account)}, limits=X_LIMITS)
    assert draft.parts == ()
    assert len(draft.problems) == 1
    assert draft.problems[0].startswith("x: template x/article.j2 cannot be loaded")


def test_an_unknown_field_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    account = _write(tmp_path, "facebook/article.j2", "{{ content.tieu_de }}")
    settings = {"template_dir": str(account)}
    draft = render_draft(Platform.FACEBOOK, content(), settings, limits=LIMITS[Platform.FACEBOOK])
    assert len(draft.problems) == 1
    assert draft.problems[0].startswith("facebook: template facebook/article.j2 failed:")
    assert "tieu_de" in draft.problems[0]


def test_a_youtube_template_without_a_title_block_is_a_problem(tmp_path: Path) -> None:
    account = _write(tmp_path, "youtube/article.j2", "{% block description %}x{% endblock %}")
    settings = {"template_dir": str(account)}
    draft = render_draft(Platform.YOUTUBE, content(), settings, limits=LIMITS[Platform.YOUTUBE])
    assert draft.problems == ("youtube: template youtube/article.j2 has no title block",)


def test_rendering_is_deterministic() -> None:
    for platform, limits in LIMITS.items():
        first = render_draft(platform, content(), {"thread": "auto"}, limits=limits)
        assert render_draft(platform, content(), {"thread": "auto"}, limits=limits) == first
