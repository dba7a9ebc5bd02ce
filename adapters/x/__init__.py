"""X: the adapter (`adapter`), its client (`transport`, `errors`, `upload`), its rendering rules
(`render`, `weighted`, `thread`, `checks`, `templates/`), its auth flow and its preview."""

from crosspost.adapters.x.adapter import XAdapter

__all__ = ["XAdapter"]
