"""Uploads from the units' portal: one item from a form, or a whole submission (a zip of the
folder, or a CSV), each staged under `data_dir/uploads/<random>/` and then imported by
`import_submission`, the same all-or-nothing checks as `crosspost import`.

Nothing a unit sends chooses a path: the staging folder's name is random, an item's file is
saved as `media` plus a plain extension, a zip's names are checked by `unzip`, and media end
up in the MediaStore under their sha256. Every problem comes back at once (Problems, the
staging folder's path taken out of each line); when there is one, nothing is stored.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

import tomli_w
from sqlalchemy.orm import Session, sessionmaker

from crosspost.config import Config
from crosspost.db.engine import transaction
from crosspost.errors import Problems, UserError
from crosspost.intake.importing import ImportResult, import_submission
from crosspost.intake.submission import MANIFESTS
from crosspost.intake.units import load_intake
from crosspost.intake.unzip import unpack
from crosspost.media_store import MediaStore

CHUNK = 1024 * 1024
ROLE_OF_KIND = {"video": "video", "podcast": "audio", "article": "image"}
ITEM_FIELDS = ("kind", "title", "summary", "body", "link")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class Incoming:
    """A file as the browser sent it: its name is only shown, never used as a path."""

    filename: str
    file: BinaryIO

    @property
    def shown(self) -> str:
        name = PurePath(self.filename.replace("\\", "/")).name
        return name[:120] or "(no name)"


def upload_item(
    factory: sessionmaker[Session],
    config: Config,
    fields: Mapping[str, str],
    media: Incoming | None,
    *,
    unit: str,
    actor: str,
) -> ImportResult:
    """One item from the portal's form (kind, title, summary, body, link, hashtags, a file)."""
    with _Staging(config) as folder:
        item: dict[str, object] = {k: fields[k] for k in ITEM_FIELDS if fields.get(k, "").strip()}
        tags = fields.get("hashtags", "").replace(",", " ").split()
        if tags:
            item["hashtags"] = tags
        names: dict[str, str] = {}
        if media is not None:
            saved = _save(media, folder, "media" + _suffix(media.filename), config)
            role = ROLE_OF_KIND.get(fields.get("kind", "").strip().lower(), "image")
            item["media"] = {role: saved.name}
            names[saved.name] = media.shown  # problems name the file as the unit sent it
        (folder / "submission.toml").write_text(tomli_w.dumps({"items": [item]}), "utf-8")
        return _import(factory, config, folder, folder, unit=unit, actor=actor, names=names)


def upload_submission(
    factory: sessionmaker[Session],
    config: Config,
    upload: Incoming,
    *,
    unit: str,
    actor: str,
) -> ImportResult:
    """A submission folder as a zip, or a CSV: judged by its bytes, not its name."""
    with _Staging(config) as folder:
        saved = _save(upload, folder, "upload", config)
        with saved.open("rb") as handle:
            head = handle.read(4096)
        if head.startswith(ZIP_MAGIC):
            unpacked = folder / "submission"
            unpacked.mkdir()
            problems = unpack(saved, unpacked, config.uploads)
            if problems:
                raise _refused(upload.shown, problems)
            source = _find_submission(unpacked, upload.shown)
        elif head and b"\x00" not in head and _text(head):
            source = saved.rename(folder / "submission.csv")
        else:
            raise _refused(
                upload.shown,
                [f"{upload.shown}: neither a zip of the submission folder nor a CSV file"],
            )
        return _import(factory, config, source, folder, unit=unit, actor=actor, shown=upload.shown)


def _import(
    factory: sessionmaker[Session],
    config: Config,
    source: Path,
    folder: Path,
    *,
    unit: str,
    actor: str,
    shown: str = "",
    names: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import what was staged; problems come back cleaned of the staging path (and, for the
    form, of its one item's `items[1].` and the generated file name)."""
    store = MediaStore.from_config(config)
    intake = load_intake(config)
    try:
        with transaction(factory) as session:
            return import_submission(
                session,
                source,
                intake=intake,
                zone=config.timezone,
                actor=actor,
                unit=unit,
                store=store,
            )
    except Problems as exc:
        store.discard_created()
        lines = [_clean(line, folder, names) for line in exc.problems]
        raise _refused(shown, lines) from None
    except UserError as exc:
        store.discard_created()
        raise _refused(shown, [_clean(str(exc), folder, names)]) from None
    except BaseException:
        store.discard_created()
        raise


class _Staging:
    """A fresh folder under data_dir/uploads with a random name, removed on the way out."""

    def __init__(self, config: Config) -> None:
        self.path = config.data_dir / "uploads" / secrets.token_hex(16)

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path.mkdir(mode=0o700)
        return self.path

    def __exit__(self, *_: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _save(incoming: Incoming, folder: Path, name: str, config: Config) -> Path:
    """Copy the upload to `folder/name`, refused past `[uploads] max_file_bytes`."""
    cap = config.uploads.max_file_bytes
    target = folder / name
    count = 0
    incoming.file.seek(0)
    with target.open("xb") as out:
        while chunk := incoming.file.read(CHUNK):
            count += len(chunk)
            if count > cap:
                raise _refused(
                    incoming.shown,
                    [f"{incoming.shown}: more than {cap} bytes, the cap per file; send less"],
                )
            out.write(chunk)
    return target


def _find_submission(root: Path, shown: str) -> Path:
    """The manifest's folder at the zip's top (or in its one top folder), or its one CSV."""
    tops = [p for p in root.iterdir() if p.name != "__MACOSX"]
    for folder in [root, *([tops[0]] if len(tops) == 1 and tops[0].is_dir() else [])]:
        if any((folder / m).is_file() for m in MANIFESTS):
            return folder
        csvs = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"]
        if len(csvs) == 1:
            return csvs[0]
    raise _refused(shown, ["no submission.toml (or one .csv) at the top of the zip; add it"])


def _suffix(filename: str) -> str:
    suffix = PurePath(filename.replace("\\", "/")).suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""


def _text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # a character cut at the end of the head is fine
    return True


def _clean(line: str, folder: Path, names: Mapping[str, str] | None) -> str:
    """A problem without the server's staging path: names relative to what was sent (a
    form's one item by its field alone: `title: …`, not `items[1].title: …`)."""
    for base in dict.fromkeys((str(folder), str(folder.resolve()))):
        for prefix in (f"{base}/submission/", f"{base}/"):
            line = line.replace(prefix, "")
        line = line.replace(base, "upload")
    if names is not None:
        line = line.removeprefix("items[1].")
        for generated, sent in names.items():
            line = line.replace(generated, sent)
    return line


def _refused(shown: str, problems: list[str]) -> Problems:
    """Refused with every line; `shown` is the file sent ("" for the item form)."""
    what = f" from {shown}" if shown else ""
    return Problems(
        f"nothing stored{what}: {len(problems)} problem(s)",
        problems,
        head=f"nothing stored{what}",
    )
