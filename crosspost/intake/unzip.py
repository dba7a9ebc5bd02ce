"""Unpacking a unit's submission zip without trusting it: every entry is judged from the
archive's directory before a byte is written, and the bytes written are counted again.

Refused, one line each: an entry whose name leads out of the folder (`../`, an absolute path,
a drive, a backslash), a symlink, an encrypted entry, the same name twice, more entries than
`[uploads] max_zip_entries`, a total past `max_unpacked_bytes`, a file past `max_file_bytes`,
and an entry that unpacks to more than `max_zip_ratio` times its packed size (a zip bomb).
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from crosspost.config import UploadSettings

CHUNK = 1024 * 1024
RATIO_FLOOR = 1024 * 1024  # a small file may compress well; the ratio is judged past this
_DRIVE = re.compile(r"^[A-Za-z]:")


def entry_problem(info: zipfile.ZipInfo, limits: UploadSettings) -> str | None:
    """Why this one entry is refused, or None."""
    name = info.filename
    mode = info.external_attr >> 16
    if "\\" in name or "\x00" in name:
        return f"{name!r}: a name with a backslash or NUL; zip the folder again with / paths"
    parts = PurePosixPath(name).parts
    if name.startswith("/") or _DRIVE.match(name) or ".." in parts:
        return f"{name!r}: leads outside the submission folder; refused"
    if stat.S_ISLNK(mode):
        return f"{name!r}: a symbolic link; put the file itself in the zip"
    if info.flag_bits & 0x1:
        return f"{name!r}: encrypted; send the zip without a password"
    if info.is_dir():
        return None
    if info.file_size > limits.max_file_bytes:
        return (
            f"{name!r}: {info.file_size} bytes unpacked, past the cap of "
            f"{limits.max_file_bytes} per file"
        )
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(
        info.compress_size, 1
    ):
        return (
            f"{name!r}: unpacks to {info.file_size // max(info.compress_size, 1)} times its "
            f"packed size (past {limits.max_zip_ratio}); refused as a zip bomb"
        )
    return None


def zip_problems(archive: zipfile.ZipFile, limits: UploadSettings) -> list[str]:
    """Everything wrong with the archive's directory, one line each."""
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        return [f"{len(entries)} entries, past the cap of {limits.max_zip_entries}; send fewer"]
    problems = [p for info in entries if (p := entry_problem(info, limits))]
    seen: set[str] = set()
    for info in entries:
        key = info.filename.rstrip("/").casefold()
        if key in seen:
            problems.append(f"{info.filename!r}: appears twice in the zip; keep one")
        seen.add(key)
    total = sum(i.file_size for i in entries)
    if total > limits.max_unpacked_bytes:
        problems.append(
            f"unpacks to {total} bytes, past the cap of {limits.max_unpacked_bytes}; send less"
        )
    return problems


def unpack(source: Path, into: Path, limits: UploadSettings) -> list[str]:
    """Unpack `source` into the empty folder `into`, or the problems (then `into` may hold a
    part: the caller removes it). The names inside are kept (the manifest refers to them),
    each checked to stay under `into`."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        return ["not a readable zip archive; zip the submission folder again"]
    with archive:
        problems = zip_problems(archive, limits)
        if problems:
            return problems
        root = into.resolve()
        written = 0
        for info in archive.infolist():
            target = (root / info.filename).resolve()
            if not target.is_relative_to(root):  # checked above; kept as the last guard
                return [f"{info.filename!r}: leads outside the submission folder; refused"]
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                written += _copy_entry(archive, info, target, limits.max_unpacked_bytes - written)
            except ValueError as exc:
                return [f"{info.filename!r}: {exc}"]
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
                return [f"{info.filename!r}: damaged in the zip; zip the folder again"]
    return []


def _copy_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, room: int) -> int:
    """Copy one entry, counting its bytes: more than its header declared, or than the room
    left, stops the copy (a header can lie; the bytes cannot)."""
    allowed = min(info.file_size, room)
    count = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            count += len(chunk)
            if count > allowed:
                raise ValueError("unpacks to more than its header says; refused")
            out.write(chunk)
    return count
