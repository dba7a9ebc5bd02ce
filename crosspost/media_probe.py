"""What a media file really is, from its bytes and not its name: the type from its first bytes
(magic numbers), and for anything ffmpeg can open its streams, codecs, duration and pixel size.

A unit's folder comes from outside the journal, so a text file named `.mp4` or a photo named
`.mp4` must be caught where it enters (`content add`, `import`), not at a platform. Probing runs
once per file state (`crosspost.render.filestate`), so checking an item twice costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from crosspost.adapters.base import MediaRole
from crosspost.media import guess_mime
from crosspost.render.ffmpeg import decodes, parse_probe, playlist_format, read_header
from crosspost.render.filestate import FileState, by_state
from crosspost.render.media import mime_from_bytes

HEAD_BYTES = 4096
# "Stream #0:0[0x1](und): Video: h264 (High) …" → ("Video", "h264", rest of the line)
_STREAM = re.compile(r"^\s*Stream #\d+:\d+\S*: (Video|Audio): (\w+)(.*)$", re.MULTILINE)
_INPUT = re.compile(r"^Input #0, ([^,\s]+(?:,[^,\s]+)*), from", re.MULTILINE)
# No platform takes a picture this large (X: 8192×8192; Facebook and YouTube far less), and
# decoding one would hold gigabytes: such a file is refused before it is decoded.
MAX_IMAGE_PIXELS = 8192 * 8192
# Codecs and demuxers of still pictures: a "video" stream of these is one image, not a film.
STILL_CODECS = frozenset({"mjpeg", "png", "bmp", "gif", "webp", "tiff", "jpeg2000", "jpegls"})
FAMILY = {
    MediaRole.VIDEO: "video",
    MediaRole.AUDIO: "audio",
    MediaRole.COVER: "image",
    MediaRole.IMAGE: "image",
}


@dataclass(frozen=True)
class Identified:
    """A file as its bytes show it; `family` is image, audio, video or None (none of them)."""

    family: str | None
    mime_type: str | None
    what: str  # in words, for a refusal: "text", "an image (image/jpeg)", "audio (aac)"
    video_codec: str | None = None
    audio_codec: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None


def _describe_unknown(head: bytes) -> str:
    if not head:
        return "empty"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not merely a character cut at the end of the head
                return "data of no media type ffmpeg can read"
        return "text"
    return "data of no media type ffmpeg can read"


def _identify(path: Path) -> Identified:
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    by_name = guess_mime(path)
    magic = mime_from_bytes(head[:16], by_name)
    header = read_header(path) if head else ""
    if playlist := playlist_format(header):
        what = f"a playlist ({playlist}) that names other files"
        return Identified(None, None, what)
    probed = parse_probe(header)
    streams = _STREAM.findall(header)
    films = [c for kind, c, rest in streams if kind == "Video" and _moving(c, rest)]
    sounds = [c for kind, c, _ in streams if kind == "Audio"]
    stills = [c for kind, c, rest in streams if kind == "Video" and not _moving(c, rest)]
    width, height = probed.width, probed.height
    if magic is not None and magic.startswith("image/"):
        if width and height and width * height > MAX_IMAGE_PIXELS:
            size = f"{width}×{height}"
            return Identified(None, magic, f"an image of {size} pixels, too large to take")
        if not stills or not decodes(path):
            return Identified(None, magic, f"a damaged image ({magic}) that cannot be decoded")
        return Identified("image", magic, f"an image ({magic})", width=width, height=height)
    if films:
        mime = magic if magic and magic.startswith("video/") else _by_name(by_name, "video")
        what = f"a video ({films[0]}{', ' + sounds[0] if sounds else ''})"
        return Identified(
            "video",
            mime,
            what,
            films[0],
            sounds[0] if sounds else None,
            probed.duration,
            width,
            height,
        )
    if sounds:
        mime = _audio_mime(magic, by_name)
        return Identified("audio", mime, f"audio ({sounds[0]})", None, sounds[0], probed.duration)
    if magic is not None:
        return Identified(None, magic, f"{magic} that ffmpeg cannot decode")
    return Identified(None, None, _describe_unknown(head))


def _moving(codec: str, rest: str) -> bool:
    return codec not in STILL_CODECS and "(attached pic)" not in rest


def _by_name(by_name: str | None, family: str) -> str | None:
    return by_name if by_name and by_name.startswith(f"{family}/") else None


def _audio_mime(magic: str | None, by_name: str | None) -> str | None:
    if magic and magic.startswith("audio/"):
        return magic
    if magic == "video/mp4":  # an MP4 holding sound only is an M4A
        return "audio/mp4"
    return _by_name(by_name, "audio") or magic


_identified = by_state(_identify)


def identify(path: Path) -> Identified:
    """What `path` holds; raises OSError when it cannot be read."""
    return _identified(FileState.of(path))


def role_problem(path: Path, role: MediaRole) -> str | None:
    """Why `path` is not a decodable file of `role` (video, audio, or an image), or None."""
    try:
        found = identify(path)
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror or exc}); check the file"
    family = FAMILY[role]
    if found.family == family:
        return None
    if family == "image" and found.mime_type and found.mime_type.startswith("image/"):
        return f"{path.name} is {found.what}; send the {role} again, whole and at most 8192×8192"
    return f"{path.name} is {found.what}, not {_an(family)}; send the {role} file itself"


def _an(family: str) -> str:
    return {"image": "an image", "audio": "audio", "video": "a video"}[family]
