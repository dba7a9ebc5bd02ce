"""Media files attached to content: hashed once when added, checked again before use."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crosspost.adapters.base import MediaFile, MediaRole
from crosspost.errors import UserError

HASH_CHUNK = 1 << 20
# Files up to this size are hashed again before each publish (a fraction of a second); larger
# ones (long videos) are checked by size, as hashing them would slow every attempt.
CHEAP_HASH_BYTES = 64 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class MediaSpec:
    path: Path
    role: MediaRole
    # Known when the caller already hashed the file (an import does, for its content hash),
    # so a large video is read once rather than twice.
    sha256: str | None = field(default=None, compare=False)
    # The type its bytes show (`crosspost.media_probe`), once the media store has judged it.
    mime_type: str | None = field(default=None, compare=False)


def parse_media_arg(text: str, base: Path | None = None) -> MediaSpec:
    """`ROLE=PATH` (role one of video, audio, cover, image), relative to `base` if given."""
    role_text, sep, path_text = text.partition("=")
    roles = ", ".join(r.value for r in MediaRole)
    if not sep or not path_text:
        raise UserError(f"media {text!r} must be ROLE=PATH with ROLE one of {roles}")
    try:
        role = MediaRole(role_text.strip())
    except ValueError:
        raise UserError(f"media role {role_text!r} is not one of {roles}") from None
    path = Path(path_text.strip()).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return MediaSpec(path.resolve(), role)


def guess_mime(path: Path) -> str | None:
    return mimetypes.guess_type(path.name)[0]


def missing_media(paths_and_sizes: list[tuple[str, int]]) -> list[str]:
    """Problems for files that are gone or changed size since they were added."""
    problems = []
    for path_text, size in paths_and_sizes:
        path = Path(path_text)
        if not path.is_file():
            problems.append(f"media file {path} is missing; restore it or edit the content")
        elif path.stat().st_size != size:
            problems.append(
                f"media file {path} changed size since it was added "
                f"({size} → {path.stat().st_size} bytes); add the content again"
            )
    return problems


def changed_media(media: Sequence[MediaFile]) -> list[str]:
    """Problems for a stored draft's files that are gone or differ from what was approved:
    another size, or (for a file small enough to hash again cheaply) another sha256."""
    problems = missing_media([(str(m.path), m.size) for m in media])
    if problems:
        return problems
    for m in media:
        if m.size <= CHEAP_HASH_BYTES and sha256_file(m.path) != m.sha256:
            problems.append(
                f"media file {m.path} changed since the post was scheduled (sha256 differs); "
                "restore it, or `crosspost posts redraft` the post"
            )
    return problems
