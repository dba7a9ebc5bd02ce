"""Which adapter class serves which platform, loaded lazily so start-up stays fast.

An account may name its own class with ``adapter = "package.module:Class"`` in config (used by
the test suite's in-memory adapter, and by anyone adding a platform variant).
"""

from __future__ import annotations

import importlib

from crosspost.adapters.base import Adapter, Platform

BUILTIN_ADAPTERS: dict[Platform, str] = {
    Platform.FACEBOOK: "crosspost.adapters.facebook:FacebookAdapter",
    Platform.YOUTUBE: "crosspost.adapters.youtube:YouTubeAdapter",
    Platform.X: "crosspost.adapters.x:XAdapter",
}


class AdapterLoadError(Exception):
    pass


def adapter_class(platform: Platform, override: str | None = None) -> type[Adapter]:
    """The adapter class for a platform, or the class an account's config names."""
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
