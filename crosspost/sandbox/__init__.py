"""The local platform sandbox: a stateful HTTP server that speaks the parts of the Graph API,
YouTube Data API v3 and X API v2 that crosspost's adapters use, with fault injection.

One package per platform (``x/``, ``youtube/``, ``facebook/``: its api, oauth and limits parts,
found by platforms.py), on one scaffold beside them: server (routing, faults, the request log),
api (what a platform gives the server), http, errors, faults, tokens, times, uploads, multipart
and settings.
"""

from crosspost.sandbox.server import SandboxServer

__all__ = ["SandboxServer"]
