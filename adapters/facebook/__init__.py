"""Facebook Pages: the adapter (`adapter`), Graph's errors (`errors`), the rendering rules
(`render`, `checks`, `templates/`), the auth flow and the preview."""

from crosspost.adapters.facebook.adapter import FacebookAdapter

__all__ = ["FacebookAdapter"]
