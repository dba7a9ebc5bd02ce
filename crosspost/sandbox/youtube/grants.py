"""What Google's authorisation server remembers: codes, access and refresh tokens, consents.

Codes and refresh tokens are kept by their fingerprints (SHA-256), never as issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crosspost.sandbox.tokens import ExpiringTokens, fingerprint

AUTH_CODE_TTL = 600  # seconds; a sandbox choice (Google documents no figure)


@dataclass(frozen=True)
class AuthCode:
    """What the consent page granted, kept until the code is exchanged (once) or expires."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    offline: bool  # a refresh token comes with the exchange
    challenge: str | None  # PKCE
    challenge_method: str


@dataclass
class Grants:
    """Shared by the consent page and the token endpoint; read and changed under the lock."""

    access_tokens: ExpiringTokens[str] = field(default_factory=ExpiringTokens)  # -> client_id
    tokens_issued: int = 0
    # The code's fingerprint -> its grant, until exchanged or expired.
    auth_codes: ExpiringTokens[AuthCode] = field(default_factory=ExpiringTokens)
    codes_issued: int = 0
    # A code's fingerprint -> the fingerprint of the refresh token it gave (None: none).
    redeemed: dict[str, str | None] = field(default_factory=dict)
    # The fingerprint of a granted refresh token -> its client_id.
    granted: dict[str, str] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)  # fingerprints of revoked refresh tokens
    consented: set[str] = field(default_factory=set)  # clients that have had offline access

    def reset(self) -> None:
        """Forget everything issued (the sandbox's reset: clients must sign in again)."""
        self.access_tokens.clear()
        self.auth_codes.clear()
        self.tokens_issued = self.codes_issued = 0
        self.redeemed.clear()
        self.granted.clear()
        self.revoked.clear()
        self.consented.clear()

    def revoke_refresh_token(self, token: str) -> None:
        self.revoked.add(fingerprint(token))

    def describe(self) -> dict[str, Any]:
        return {
            "codes_issued": self.codes_issued,
            "codes_pending": len(self.auth_codes),
            "refresh_tokens_granted": len(self.granted),
        }
