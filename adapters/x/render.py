"""X: one post fitted to 280 weighted characters, or a thread.

Thread mode comes from the content (`overrides["x"]["thread"]`) or the account
(`settings["thread"]`), default "never":

- never: one post; the template's text is fitted (see `crosspost.render.fitting`);
- auto: one post when the template's text fits as it is, otherwise as "always";
- always: the template rendered with `thread = true` (the defaults add the body), split into
  parts (see `thread`), numbered " i/n" when `settings["thread_numbering"]`.

An override text (`overrides["x"]["text"]`) replaces the template: it is split in a thread but
never cut, since an editor wrote it; if it does not fit a single post, that is a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crosspost.adapters.base import (
    ContentKind,
    ContentSnapshot,
    Draft,
    Limits,
    MediaFile,
    MediaRole,
    Platform,
)
from crosspost.adapters.registry import PlatformRules
from crosspost.adapters.x.adapter import THREAD_MODES
from crosspost.adapters.x.checks import text_problems
from crosspost.adapters.x.thread import split_thread
from crosspost.adapters.x.weighted import WeightConfig, fits
from crosspost.render.fields import Fields, build_fields, override_text, overrides_for
from crosspost.render.fitting import fit
from crosspost.render.selection import pictures
from crosspost.render.templates import PlatformTemplate, load_template


def thread_mode(content: ContentSnapshot, settings: Mapping[str, Any]) -> tuple[str, str | None]:
    """The thread mode, and a problem when the value given is not one of THREAD_MODES."""
    override = overrides_for(content, Platform.X).get("thread")
    value = override if override is not None else (settings.get("thread") or "never")
    if isinstance(value, bool):  # a content override may say true / false
        value = "always" if value else "never"
    if value in THREAD_MODES:
        return str(value), None
    source = "the content's x override" if override is not None else "the account setting"
    return "never", f"x: thread in {source} is {value!r}, not one of {', '.join(THREAD_MODES)}"


def _template_parts(
    mode: str, template: PlatformTemplate, fields: Fields, config: WeightConfig, numbered: bool
) -> tuple[str, ...]:
    """The template's text fitted in one post (never), or as a thread (always, or auto when
    the one-post text does not fit as it is)."""
    if mode == "never":
        post = fit(template.render, fields, lambda t: fits(t, config))
        return (post,) if post else ()
    if mode == "auto":
        post = template.render(fields)
        if fits(post, config):
            return (post,) if post else ()
    return split_thread(template.render(fields, thread=True), config, numbered=numbered)


def _override_parts(mode: str, text: str, config: WeightConfig, numbered: bool) -> tuple[str, ...]:
    """An editor's text as it is (never, or auto when it fits), else split; never cut."""
    if mode == "never" or (mode == "auto" and fits(text, config)):
        return (text,) if text else ()
    return split_thread(text, config, numbered=numbered)


def render_x(content: ContentSnapshot, settings: Mapping[str, Any], limits: Limits) -> Draft:
    """The X draft's parts and the problems of its text (media are added by `render_draft`)."""
    config = WeightConfig.for_limits(limits)
    mode, problem = thread_mode(content, settings)
    numbered = bool(settings.get("thread_numbering", False))
    override = override_text(content, Platform.X, "text")
    if override is not None:
        parts = _override_parts(mode, override.strip(), config, numbered)
    else:
        template = load_template(Platform.X, content.kind, settings)
        fields = build_fields(content, Platform.X, settings)
        parts = _template_parts(mode, template, fields, config, numbered)
    problems = [problem] if problem else []
    return Draft(
        Platform.X,
        content.kind,
        parts=parts,
        problems=(*problems, *text_problems(parts, config)),
    )


class XRules(PlatformRules):
    """X's part of `crosspost.render.render_draft`: which files go, and the text."""

    def media_for(self, content: ContentSnapshot, limits: Limits) -> tuple[MediaFile, ...]:
        """An article's pictures; a video's video; a podcast's cover (X takes no audio)."""
        if content.kind == ContentKind.VIDEO:
            video = content.media_with_role(MediaRole.VIDEO)
            return (video,) if video else ()
        roles = (MediaRole.COVER,) if content.kind == ContentKind.PODCAST else None
        return pictures(content, limits, roles)

    def render(
        self,
        content: ContentSnapshot,
        settings: Mapping[str, Any],
        limits: Limits,
        media: tuple[MediaFile, ...],
    ) -> Draft:
        return render_x(content, settings, limits)


RULES = XRules()
