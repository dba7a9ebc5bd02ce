"""X: one post fitted to 280 weighted characters, or a thread.

Thread mode comes from the content (`overrides["x"]["thread"]`) or the account
(`settings["thread"]`), default "never":

- never: one post; the template's text is fitted (see `crosspost.render.fitting`);
- auto: one post when the template's text fits as it is, otherwise as "always";
- always: the template rendered with `thread = true` (the defaults add the body), split into
  parts (see `crosspost.render.thread`), numbered " i/n" when `settings["thread_numbering"]`.

An override text (`overrides["x"]["text"]`) replaces the template: it is split in a thread but
never cut, since an editor wrote it; if it does not fit a single post, that is a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.render.fields import Fields, build_fields, override_text, overrides_for
from crosspost.render.fitting import fit
from crosspost.render.templates import PlatformTemplate, load_template
from crosspost.render.thread import split_thread
from crosspost.render.weighted import WeightConfig, fits, parse

THREAD_MODES = ("never", "auto", "always")


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


def part_problems(parts: tuple[str, ...], config: WeightConfig) -> list[str]:
    """Why X would refuse any of the parts."""
    if not parts:
        return ["x: text is empty"]
    problems = []
    for index, part in enumerate(parts, start=1):
        label = "text" if len(parts) == 1 else f"part {index}"
        measured = parse(part, config)
        if measured.weighted_length > config.max_weighted_length:
            problems.append(
                f"x: {label} is {measured.weighted_length}/{config.max_weighted_length} "
                "after fitting"
            )
        elif not measured.valid:
            problems.append(f"x: {label} contains characters X does not accept")
    return problems


def render_x(content: ContentSnapshot, settings: Mapping[str, Any], limits: Limits) -> Draft:
    """The X draft's parts and their problems (media are added by `render_draft`)."""
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
        problems=(*problems, *part_problems(parts, config)),
    )
