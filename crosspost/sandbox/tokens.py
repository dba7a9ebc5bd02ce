"""Tokens the platforms issue: reproducible texts, what is kept of them, and their lifetimes.

Every token, code and id a platform makes is derived from the sandbox's seed and a counter, so
a run under one seed gives the same values again. Secrets a client will present later are kept
by their SHA-256 (their fingerprint), never as given, like a real authorisation server would.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Generic, TypeVar

Grant = TypeVar("Grant")


def seeded_hex(material: str, length: int, algorithm: str = "sha256") -> str:
    """`length` hex digits derived from `material` (the seed, a kind and a counter)."""
    return hashlib.new(algorithm, material.encode("utf-8")).hexdigest()[:length]


def seeded_b64url(material: str, length: int) -> str:
    """`length` characters of base64url (YouTube's and Graph's id alphabet) from `material`."""
    digest = hashlib.sha256(material.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:length]


def fingerprint(secret: str) -> str:
    """What the sandbox keeps of a secret it issued: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass
class Issued(Generic[Grant]):
    grant: Grant  # what the token stands for: a user, a client's consent, nothing at all
    issued_at: float
    lifetime: float | None  # seconds, fixed when issued; None: decided when checked


class ExpiringTokens(Generic[Grant]):
    """Tokens issued for a while: each is live until its lifetime ends, then is gone, as if
    it had never been issued (what a platform answers for both is the same)."""

    def __init__(self) -> None:
        self._issued: dict[str, Issued[Grant]] = {}

    def issue(self, token: str, grant: Grant, now: float, lifetime: float | None = None) -> None:
        self._issued[token] = Issued(grant, now, lifetime)

    def live(self, token: str, now: float, lifetime: float | None = None) -> Grant | None:
        """The token's grant while it lives; `lifetime` is its life as configured now, for
        tokens issued without one."""
        issued = self._issued.get(token)
        if issued is None:
            return None
        life = issued.lifetime if issued.lifetime is not None else lifetime
        if life is not None and now >= issued.issued_at + life:
            del self._issued[token]
            return None
        return issued.grant

    def take(self, token: str, now: float) -> Grant | None:
        """A single-use token's grant, used up whether it was still live or not."""
        issued = self._issued.pop(token, None)
        if issued is None:
            return None
        lifetime = issued.lifetime
        if lifetime is not None and now >= issued.issued_at + lifetime:
            return None
        return issued.grant

    def revoke(self, token: str) -> None:
        self._issued.pop(token, None)

    def __contains__(self, token: object) -> bool:
        return token in self._issued

    def __len__(self) -> int:
        return len(self._issued)

    def clear(self) -> None:
        self._issued.clear()
