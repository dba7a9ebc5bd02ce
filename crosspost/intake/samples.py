"""The media the sample submissions under `config/samples/` refer to, made on demand.

Media files are not committed (they would bloat the repository and say nothing): this reads
each sample submission, finds the files it names, and makes the missing ones with the ffmpeg
that imageio-ffmpeg ships — a short test-card video, a tone for audio, a plain colour for images.
The bytes depend only on the file's name, so making them again gives the same content hashes
and a re-import still recognises what it imported before.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from crosspost.adapters.base import MediaRole
from crosspost.errors import UserError
from crosspost.intake.submission import MANIFESTS, read_submission
from crosspost.items import parse_media
from crosspost.media import MediaSpec
from crosspost.render.ffmpeg import MediaError, run_ffmpeg

SAMPLES = Path("config/samples")
# Leave out anything that varies between runs (encoder version, creation time).
EXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact"]


def submissions_in(folder: Path) -> list[Path]:
    """`folder` itself when it is one submission, else every submission folder and CSV in it."""
    if folder.suffix.lower() == ".csv" or any((folder / m).is_file() for m in MANIFESTS):
        return [folder]
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder; give a folder of sample submissions")
    found = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() == ".csv" or any((p / m).is_file() for m in MANIFESTS)
    )
    if not found:
        raise UserError(f"{folder}: no submission folders or .csv files in it")
    return found


def referenced_media(folder: Path) -> list[MediaSpec]:
    """Every media file the submissions in `folder` name, once each."""
    specs: dict[Path, MediaSpec] = {}
    for path in submissions_in(folder):
        sub = read_submission(path)
        for raw in sub.items:
            found, _ = parse_media(raw.data.get("media", {}), sub.base)
            specs.update((s.path, s) for s in found)
    return list(specs.values())


def make_sample_media(folder: Path = SAMPLES, *, force: bool = False) -> list[Path]:
    """Write the sample media that is missing (all of it with `force`); the paths written."""
    written = []
    for spec in referenced_media(folder):
        if spec.path.exists() and not force:
            continue
        spec.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            run_ffmpeg(["-y", *_recipe(spec), *EXACT, str(spec.path)])
        except MediaError as exc:
            raise UserError(f"{spec.path}: could not make it: {exc}") from None
        written.append(spec.path)
    return written


def _recipe(spec: MediaSpec) -> list[str]:
    """ffmpeg inputs and codecs for a small file of the role, varied by the file's name."""
    seed = int(hashlib.sha256(spec.path.name.encode("utf-8")).hexdigest()[:6], 16)
    tone = f"sine=frequency={220 + seed % 440}"
    if spec.role == MediaRole.VIDEO:
        return [
            *("-f", "lavfi", "-i", "testsrc=size=640x360:rate=25"),
            *("-f", "lavfi", "-i", tone),
            *("-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-threads", "1"),
            *("-c:a", "aac", "-shortest"),
        ]
    if spec.role == MediaRole.AUDIO:
        return ["-f", "lavfi", "-i", f"{tone}:duration=3"]
    colour = f"0x{seed:06X}"
    return ["-f", "lavfi", "-i", f"color=c={colour}:s=1280x720", "-frames:v", "1"]
