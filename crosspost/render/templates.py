"""Jinja2 templates `<platform>/<kind>.j2`: where the team words each platform's post.

Resolution, file by file (the first directory holding `<platform>/<kind>.j2` wins):

1. the account's `template_dir` setting (a relative path is taken from the working directory);
2. the project's `config/templates`, under the working directory, when it exists;
3. the defaults the platform's adapter package ships in its `templates/<kind>.j2` (always
   present; `crosspost.adapters.registry.templates_dir`).

`config/templates` ships as a copy of the packaged defaults for the team to edit; an account
that only changes X articles needs only `x/article.j2` in its `template_dir`.

A template sees `content` (a `Fields`: title, summary, body, link, hashtags, unit, kind),
`platform`, and `thread` (true when X renders a thread). X and Facebook use the whole output;
YouTube renders the blocks `title` and `description` of its template separately. Output is
then tidied (NFC, blank lines collapsed) and fitted by the platform's renderer. Templates run
sandboxed, and an unknown variable is an error, not an empty string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from crosspost.adapters.base import ContentKind, Platform
from crosspost.adapters.registry import templates_dir
from crosspost.render.fields import Fields
from crosspost.render.text import tidy

PROJECT_TEMPLATES = Path("config") / "templates"


class TemplateProblem(Exception):
    """A template is missing or fails: reported as a draft problem, never raised further."""


def template_dirs(settings: Mapping[str, Any]) -> tuple[Path, ...]:
    """The directories of `<platform>/<kind>.j2` searched before the defaults, account first."""
    dirs: list[Path] = []
    account = settings.get("template_dir")
    if account:
        dirs.append(Path(str(account)).expanduser().resolve())
    project = PROJECT_TEMPLATES.resolve()
    if project.is_dir():
        dirs.append(project)
    return tuple(dict.fromkeys(dirs))


@lru_cache(maxsize=32)
def _environment(dirs: tuple[Path, ...], platform: Platform) -> ImmutableSandboxedEnvironment:
    defaults = FileSystemLoader(str(templates_dir(platform)), encoding="utf-8")
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(
            [
                FileSystemLoader([str(d) for d in dirs], encoding="utf-8"),
                PrefixLoader({str(platform): defaults}),
            ]
        ),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@dataclass(frozen=True)
class PlatformTemplate:
    """One platform's template for one kind of content."""

    name: str
    template: Template
    platform: Platform

    def render(self, fields: Fields, *, block: str | None = None, thread: bool = False) -> str:
        """The tidied output of the whole template, or of one of its blocks."""
        variables = {"content": fields, "platform": str(self.platform), "thread": thread}
        try:
            if block is None:
                return tidy(self.template.render(variables))
            render_block = self.template.blocks.get(block)
            if render_block is None:
                raise TemplateProblem(f"{self.platform}: template {self.name} has no {block} block")
            context = self.template.new_context(variables)
            return tidy("".join(render_block(context)))
        except TemplateError as exc:
            raise TemplateProblem(f"{self.platform}: template {self.name} failed: {exc}") from None


def load_template(
    platform: Platform, kind: ContentKind, settings: Mapping[str, Any]
) -> PlatformTemplate:
    name = f"{platform}/{kind}.j2"
    dirs = template_dirs(settings)
    try:
        template = _environment(dirs, platform).get_template(name)
    except TemplateError as exc:
        searched = ", ".join(str(d) for d in (*dirs, templates_dir(platform)))
        raise TemplateProblem(
            f"{platform}: template {name} cannot be loaded from {searched}: {exc}"
        ) from None
    return PlatformTemplate(name, template, platform)
