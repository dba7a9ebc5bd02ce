"""What ``POST /_sandbox/config`` shows back of a platform's settings: never a secret itself."""

from __future__ import annotations

from typing import Any


def shown_settings(settings: dict[str, Any], secret: str) -> dict[str, Any]:
    """`settings` with `secret` replaced by ``<secret>_set``: whether it is configured."""
    shown = {k: v for k, v in settings.items() if k != secret}
    shown[f"{secret}_set"] = settings[secret] is not None
    return shown
