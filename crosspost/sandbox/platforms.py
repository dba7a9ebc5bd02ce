"""The platforms the sandbox serves: every package under ``crosspost.sandbox`` is one.

A platform package exports ``API``, its PlatformAPI class, named as the package is. Packages are
found by listing this folder, without importing them, and only the ones served are imported: a
sandbox for one platform does not load the others, and adding a platform is adding a package.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from crosspost.sandbox.api import PlatformAPI, SandboxContext

_HERE = str(Path(__file__).parent)


def platform_names() -> list[str]:
    """Every platform the sandbox can serve, by name, sorted."""
    return sorted(module.name for module in pkgutil.iter_modules([_HERE]) if module.ispkg)


def load_platform(name: str, ctx: SandboxContext) -> PlatformAPI:
    """Import the platform package `name` and make its API on `ctx`."""
    known = platform_names()
    if name not in known:
        raise ValueError(f"the sandbox has no platform {name!r} (it has {', '.join(known)})")
    module = importlib.import_module(f"{__package__}.{name}")
    api = getattr(module, "API", None)
    if not (isinstance(api, type) and issubclass(api, PlatformAPI)) or api.name != name:
        raise TypeError(f"{module.__name__}.API must be the PlatformAPI subclass named {name!r}")
    return api(ctx)
