"""The X API v2 sandbox: api (the routes), posts, media (chunked upload), oauth (the PIN flow)
and signatures (OAuth 1.0a), limits (rate windows), settings (the knobs), problems (errors)."""

from crosspost.sandbox.x.api import XApi
from crosspost.sandbox.x.media import MAX_SEGMENT_INDEX
from crosspost.sandbox.x.oauth import SIGNED_IN_USERNAME
from crosspost.sandbox.x.settings import DEFAULTS

API = XApi

__all__ = ["API", "DEFAULTS", "MAX_SEGMENT_INDEX", "SIGNED_IN_USERNAME", "XApi"]
