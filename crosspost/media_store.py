"""Media storage under `data_dir`: every file that enters (`content add`, `import`) is judged by
its bytes and the platforms' limits, then copied here under its sha256, and the copy is what
is stored and published, so changing or deleting the source later changes nothing.

A copy, not a hard link: a hard link shares the source's bytes, and a file rewritten in place
would change what was approved. Copies are read-only and named by content, so the same file
sent twice is kept once.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from crosspost.adapters.base import Limits, MediaFile, MediaRole
from crosspost.adapters.common import duration_problem, media_problems
from crosspost.adapters.registry import Platform, adapter_class
from crosspost.config import Config
from crosspost.errors import UserError
from crosspost.media import HASH_CHUNK, MediaSpec, guess_mime
from crosspost.media_probe import identify, role_problem


@dataclass(frozen=True)
class Target:
    """A platform a file may go to, with its effective limits (an account's settings on)."""

    platform: str
    display: str
    limits: Limits


@dataclass
class MediaStore:
    root: Path
    targets: Sequence[Target] = ()
    created: list[Path] = field(default_factory=list)  # copies this run made

    @classmethod
    def from_config(cls, config: Config) -> MediaStore:
        """The store under `data_dir/media`, judged against every enabled account's limits
        (each platform's declared limits when no account is configured)."""
        targets = [
            Target(a.platform, cls_.display_name, cls_.limits_for(a.settings))
            for a in config.accounts.values()
            if a.enabled
            for cls_ in [adapter_class(Platform(a.platform), a.adapter)]
        ]
        if not targets:
            return cls.for_platforms(config.data_dir / "media")
        return cls(config.data_dir / "media", _distinct(targets))

    @classmethod
    def for_platforms(cls, root: Path) -> MediaStore:
        """A store under `root` judged against each platform's declared limits (no accounts)."""
        targets = [
            Target(p.value, c.display_name, c.limits) for p in Platform for c in [adapter_class(p)]
        ]
        return cls(root, _distinct(targets))

    def problems(self, spec: MediaSpec) -> list[str]:
        """Why `spec` cannot enter: not a decodable file of its role, or one no platform takes.

        The size is checked first, from the file's metadata, so a huge file is refused without
        being read. A file that is missing or unreadable is the item's own problem
        (`crosspost.items.media_problem`), so nothing is said of it here."""
        try:
            size = spec.path.stat().st_size
        except OSError:
            return []
        too_big = self._refused_by_all(spec, guess_mime(spec.path), size, None, size_only=True)
        if too_big:
            return [too_big]
        wrong = role_problem(spec.path, spec.role)
        if wrong:
            return [wrong]
        found = identify(spec.path)
        refused = self._refused_by_all(spec, found.mime_type, size, found.duration)
        return [refused] if refused else []

    def _refused_by_all(
        self,
        spec: MediaSpec,
        mime: str | None,
        size: int,
        duration: float | None,
        *,
        size_only: bool = False,
    ) -> str | None:
        if spec.role == MediaRole.AUDIO or not self.targets:
            return None  # a podcast's sound goes out inside a video made from it
        if size_only:  # only the size is known yet: take any type, judge the bytes alone
            mime = mime or "application/octet-stream"
        media = MediaFile(spec.path, spec.role, size, "", mime)
        reasons = []
        for target in self.targets:
            limits = target.limits
            if size_only:
                limits = replace(limits, image_types=frozenset(), video_types=frozenset())
            found = media_problems(target.platform, target.display, media, mime, size, limits)
            longest = limits.video_max_seconds or float("inf")
            if not found and spec.role == MediaRole.VIDEO and duration and duration > longest:
                display = target.display
                found = [duration_problem(target.platform, display, media, duration, longest)]
            if not found:
                return None
            reasons.extend(found)
        return f"{spec.path.name}: no platform takes it: {'; '.join(reasons)}"

    def keep(self, spec: MediaSpec) -> MediaSpec:
        """`spec` copied into the store: the copy's path, its sha256 and its detected type.

        When `spec.sha256` is known (what was checked), a source that changed since is refused.
        """
        found = identify(spec.path)
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        handle, temp_name = tempfile.mkstemp(dir=incoming)
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out, spec.path.open("rb") as source:
                while chunk := source.read(HASH_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            if spec.sha256 and sha != spec.sha256:
                raise UserError(
                    f"{spec.path} changed while it was being added; nothing was added: try again"
                )
            final = self.root / sha[:2] / f"{sha}{_suffix(spec.path, found.mime_type)}"
            if final.exists():
                temp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                temp.chmod(0o444)
                os.replace(temp, final)
                self.created.append(final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return MediaSpec(final, spec.role, sha, found.mime_type)

    def discard_created(self) -> None:
        """Remove the copies this run made (its transaction did not commit)."""
        for path in self.created:
            path.unlink(missing_ok=True)
        self.created.clear()


def _suffix(path: Path, mime: str | None) -> str:
    """The source's own extension when it names the detected type, else the type's."""
    if mime is None or guess_mime(path) == mime:
        return path.suffix.lower()
    return mimetypes.guess_extension(mime) or ""


def _distinct(targets: list[Target]) -> list[Target]:
    seen: dict[tuple[str, Limits], Target] = {}
    for t in targets:
        seen.setdefault((t.platform, t.limits), t)
    return list(seen.values())
