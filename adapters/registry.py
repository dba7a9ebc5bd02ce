"""The one list of platforms: each member of `Platform` and the package that serves it.

Adding a platform is a member here plus its package `crosspost.adapters.<name>`, nothing else.
The package holds everything the platform knows: its `__init__` exports the adapter class;
`render.RULES` (a `PlatformRules`) is its part of rendering; `preview.PREVIEW` (a
`PlatformPreview`) its part of `crosspost preview`; `templates/<kind>.j2` its default templates.
Packages are imported lazily so start-up stays fast.

An account may name its own class with ``adapter = "package.module:Class"`` in config (used by
the test suite's in-memory adapter, and by anyone adding a platform variant).
"""

from __future__ import annotations

import enum
import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from crosspost.adapters.base import Adapter, ContentSnapshot, Draft, Limits, MediaFile
    from crosspost.hygiene import HashtagRule


class Platform(enum.StrEnum):
    FACEBOOK = "facebook"
    YOUTUBE = "youtube"
    X = "x"


# The package of each platform and the adapter class its `__init__` exports.
BUILTIN_ADAPTERS: dict[Platform, str] = {
    Platform.FACEBOOK: "crosspost.adapters.facebook:FacebookAdapter",
    Platform.YOUTUBE: "crosspost.adapters.youtube:YouTubeAdapter",
    Platform.X: "crosspost.adapters.x:XAdapter",
}


class PlatformRules(ABC):
    """A platform's part of rendering (`crosspost.render.render_draft`); each platform package
    subclasses it as `render.RULES`."""

    # What the platform links as hashtags (checked at intake, crosspost.hygiene); None: no
    # limit beyond the shape every platform shares.
    hashtag_rule: HashtagRule | None = None

    @abstractmethod
    def media_for(self, content: ContentSnapshot, limits: Limits) -> tuple[MediaFile, ...]:
        """The files the draft uploads, in upload order."""

    def missing_media(self, content: ContentSnapshot) -> list[str]:
        """Files this platform needs beyond what the content's kind needs everywhere (none
        unless the platform says otherwise)."""
        return []

    @abstractmethod
    def render(
        self,
        content: ContentSnapshot,
        settings: Mapping[str, Any],
        limits: Limits,
        media: tuple[MediaFile, ...],
    ) -> Draft:
        """The draft's text (and title, tags, link) with the problems found making it fit."""


class PlatformPreview(Protocol):
    """A platform's part of `crosspost preview`: its JSON section and what the table shows."""

    def section(self, draft: Draft, limits: Limits) -> dict[str, Any]:
        """The draft's text, each counted as the platform counts it beside its limit."""
        ...

    def rows(self, section: Mapping[str, Any]) -> list[Any]:
        """The section as rich renderables, for the panel `crosspost preview` prints."""
        ...


class AdapterLoadError(Exception):
    pass


def adapter_class(platform: Platform, override: str | None = None) -> type[Adapter]:
    """The adapter class for a platform, or the class an account's config names."""
    from crosspost.adapters.base import Adapter

    spec = override or BUILTIN_ADAPTERS[platform]
    module_name, sep, class_name = spec.partition(":")
    if not sep:
        raise AdapterLoadError(f"adapter {spec!r} must look like 'package.module:Class'")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except (ImportError, AttributeError) as exc:
        raise AdapterLoadError(f"cannot load adapter {spec!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise AdapterLoadError(f"adapter {spec!r} is not a crosspost Adapter subclass")
    if cls.platform != platform:
        raise AdapterLoadError(f"adapter {spec!r} serves {cls.platform}, not {platform}")
    return cls


def builtin_classes() -> list[type[Adapter]]:
    """Every platform's own adapter class, in the order of `Platform`."""
    return [adapter_class(platform) for platform in Platform]


def package_name(platform: Platform) -> str:
    return BUILTIN_ADAPTERS[platform].partition(":")[0]


@cache
def templates_dir(platform: Platform) -> Path:
    """The default templates the platform's package ships (`<kind>.j2`)."""
    package = importlib.import_module(package_name(platform))
    return Path(str(package.__file__)).resolve().parent / "templates"


@cache
def rules_for(platform: Platform) -> PlatformRules:
    """The platform's rendering rules (its package's `render.RULES`)."""
    module = importlib.import_module(f"{package_name(platform)}.render")
    return cast("PlatformRules", module.RULES)


@cache
def preview_for(platform: Platform) -> PlatformPreview:
    """The platform's preview measurements (its package's `preview.PREVIEW`)."""
    module = importlib.import_module(f"{package_name(platform)}.preview")
    return cast("PlatformPreview", module.PREVIEW)
