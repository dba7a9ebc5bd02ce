"""The local platform sandbox: a stateful HTTP server that speaks the parts of the Graph API,
YouTube Data API v3 and X API v2 that crosspost's adapters use, with fault injection."""

from crosspost.sandbox.server import SandboxServer

__all__ = ["SandboxServer"]
