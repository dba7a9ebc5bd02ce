"""YouTube: the adapter (`adapter`), its client (`transport`, `errors`), its rendering rules
(`render`, `checks`, `templates/`), its auth flow and its preview."""

from crosspost.adapters.youtube.adapter import YouTubeAdapter

__all__ = ["YouTubeAdapter"]
