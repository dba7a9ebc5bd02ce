"""What every platform's upload keeps of the bytes it receives: their count and their SHA-256.

Uploads are counted and hashed as they arrive, never held, so the sandbox's memory stays at one
chunk while a test can still check that exactly the file's bytes arrived, each once. Chunked
uploads (X's segments, YouTube's resumable sessions, Graph's Resumable Upload API) share one
session shape: an id, the bytes held so far (the offset the next chunk starts at), the chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Received:
    """The bytes an upload has kept so far."""

    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256, repr=False)

    def add(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)

    def absorb(self, chunks: Iterable[bytes], skip: int = 0) -> int:
        """Keep the bytes of `chunks` but the first `skip` (held already: a resent chunk).

        Returns how many bytes arrived, kept or not."""
        arrived = 0
        for data in chunks:
            arrived += len(data)
            if skip >= len(data):
                skip -= len(data)
                continue
            self.add(data[skip:])
            skip = 0
        return arrived

    @property
    def sha256(self) -> str:
        """The hex digest of what is kept so far (more may arrive: the running hash goes on)."""
        return str(self.digest.copy().hexdigest())


def received(chunks: Iterable[bytes]) -> Received:
    """All of `chunks`, counted and hashed (a whole body: a photo, a thumbnail)."""
    kept = Received()
    kept.absorb(chunks)
    return kept


@dataclass(kw_only=True)
class UploadSession:
    """One chunked upload on the server's side; platforms add what their protocol tracks."""

    id: str
    body: Received = field(default_factory=Received)
    chunks: int = 0  # chunks (segments) that arrived

    @property
    def received(self) -> int:
        """The bytes the server holds: the offset where the next chunk must start."""
        return self.body.size
