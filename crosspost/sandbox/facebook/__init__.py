"""The Graph API sandbox (a Facebook Page): api (the routes), posts (feed, photos, reads),
uploads (the Resumable Upload API, videos), oauth (tokens), limits (usage headers), params
(how Graph reads a request), state (the Page), settings (the knobs), errors."""

from crosspost.sandbox.facebook.api import FacebookApi
from crosspost.sandbox.facebook.settings import DEFAULT_CONFIG

API = FacebookApi

__all__ = ["API", "DEFAULT_CONFIG", "FacebookApi"]
