"""One content item before it is stored: its fields, how it is read from a file or a table
row, every problem it has (all of them at once, each naming its field), and its identity hash.

Shared by `crosspost content add` and the monthly import, so an item is judged the same way
whichever door it comes in by.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crosspost.adapters.base import ContentKind, MediaRole, Platform
from crosspost.errors import Problems, UserError
from crosspost.intake.month import Month
from crosspost.media import MediaSpec, guess_mime, sha256_file
from crosspost.render.text import nfc

ITEM_KEYS = frozenset(
    {
        "kind",
        "title",
        "summary",
        "body",
        "link",
        "hashtags",
        "unit",
        "period",
        "language",
        "media",
        "overrides",
    }
)
# The file a kind cannot go out without.
REQUIRED_MEDIA: Mapping[ContentKind, MediaRole] = {
    ContentKind.VIDEO: MediaRole.VIDEO,
    ContentKind.PODCAST: MediaRole.AUDIO,
}
# The MIME family a role's file must have, when its extension says (an unknown extension is
# left to the media checks at scheduling time).
ROLE_FAMILY: Mapping[MediaRole, str] = {
    MediaRole.VIDEO: "video",
    MediaRole.AUDIO: "audio",
    MediaRole.COVER: "image",
    MediaRole.IMAGE: "image",
}
# Roles an item has one file of (images may be several: X takes up to four).
SINGLE_ROLES = (MediaRole.VIDEO, MediaRole.AUDIO, MediaRole.COVER)
# BCP 47's common shape (language, then region or script), within the 16 characters stored.
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}")
TEXT_KEYS = ("kind", "title", "summary", "body", "link", "unit", "period", "language")
ROLES = ", ".join(r.value for r in MediaRole)
KINDS = ", ".join(k.value for k in ContentKind)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an item: the field at fault and what to do about it."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass
class NewContent:
    kind: ContentKind
    title: str
    summary: str = ""
    body: str = ""
    link: str | None = None
    hashtags: list[str] = field(default_factory=list)
    unit: str | None = None
    period: str | None = None
    language: str = "vi"
    media: list[MediaSpec] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def problems(self) -> list[Problem]:
        """Everything that keeps this item from being stored, each naming its field."""
        found: list[Problem] = []
        if not self.title.strip():
            found.append(Problem("title", "is required; give the item a title"))
        if self.link is not None and not is_web_link(self.link):
            found.append(
                Problem("link", f"{self.link!r} must be a full http:// or https:// address")
            )
        platforms = {p.value for p in Platform}
        for platform in self.overrides:
            if platform not in platforms:
                allowed = ", ".join(sorted(platforms))
                found.append(Problem(f"overrides.{platform}", f"not a platform; one of {allowed}"))
        for spec in self.media:
            problem = media_problem(spec)
            if problem:
                found.append(Problem(f"media.{spec.role}", problem))
        if len(self.language) > 16 or not LANGUAGE_TAG.fullmatch(self.language):
            found.append(
                Problem(
                    "language", f"{self.language[:40]!r} is not a language tag like vi or en-US"
                )
            )
        if self.period is not None:
            try:
                Month.parse(self.period)
            except UserError as exc:
                found.append(Problem("period", str(exc)))
        for role in SINGLE_ROLES:
            count = sum(1 for m in self.media if m.role == role)
            if count > 1:
                found.append(
                    Problem(f"media.{role}", f"{count} files given; an item takes one {role}")
                )
        found += text_hygiene(self)
        required = REQUIRED_MEDIA.get(self.kind)
        if required is not None and required not in {m.role for m in self.media}:
            found.append(
                Problem(f"media.{required}", f"a {self.kind} needs {_an(required)} file; add one")
            )
        return found

    def validate(self, extra: Sequence[str] = ()) -> None:
        """Problems naming everything wrong (the item's own and the caller's `extra`), or
        nothing."""
        found = [*map(str, self.problems()), *extra]
        if found:
            raise Problems(
                f"the {self.kind} was not added ({len(found)} problem(s))",
                found,
                head=f"the {self.kind} was not added",
            )


def text_hygiene(item: NewContent) -> list[Problem]:
    """Refused characters in every text field and hashtags no platform would link as written
    (`crosspost.hygiene`), judged on the NFC text that would be stored."""
    from crosspost.adapters.registry import rules_for
    from crosspost.hygiene import field_problems, hashtag_problems

    texts = {"title": item.title, "summary": item.summary, "body": item.body}
    texts |= {"link": item.link or "", "unit": item.unit or ""}
    texts |= {f"hashtags[{n}]": t for n, t in enumerate(item.hashtags, start=1)}
    for platform, values in item.overrides.items():
        texts |= {f"overrides.{platform}.{k}": v for k, v in values.items() if isinstance(v, str)}
    found = [
        Problem(key, problem)
        for key, problem in field_problems({k: nfc(v) for k, v in texts.items()})
    ]
    rules = [r for p in Platform if (r := rules_for(p).hashtag_rule) is not None]
    tags = [nfc(t) for t in item.hashtags if t.strip()]
    return found + [Problem("hashtags", p) for p in hashtag_problems(tags, rules)]


def _an(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def is_web_link(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text.strip()


def media_problem(spec: MediaSpec) -> str | None:
    """Why a media file cannot be used as it stands, or None."""
    path = spec.path
    if not path.exists():
        return f"{path} does not exist; check the file name and folder"
    if not path.is_file():
        return f"{path} is a folder, not a file; name the file itself"
    if not os.access(path, os.R_OK):
        return f"{path} cannot be read; check its permissions"
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror}); check the file"
    if empty:
        return f"{path} is empty; send the file again"
    mime = guess_mime(path)
    family = ROLE_FAMILY[spec.role]
    if mime is not None and mime.split("/")[0] != family:
        return f"{path.name} is {mime}, not {family}; is it in the right column or role?"
    return None


def parse_item(
    data: Mapping[str, Any],
    base: Path,
    *,
    allowed: frozenset[str] = ITEM_KEYS,
    confine: bool = False,
    tags_as_text: bool = False,
) -> tuple[NewContent | None, list[Problem]]:
    """An item from a table of fields (media relative to `base`), with every problem found.

    The item is None only when its kind cannot be read; its own problems (`NewContent.problems`)
    are among those returned, so one pass names everything to fix. A value of the wrong type is
    a problem, never converted. With `confine` (a unit's submission) every media file must lie
    inside `base`; `tags_as_text` takes hashtags as one space-separated cell (a spreadsheet's).
    """
    found = [
        Problem(str(key), f"unknown key; allowed: {', '.join(sorted(allowed))}")
        for key in data
        if key not in allowed
    ]
    found += [
        Problem(key, f"{_shown(data[key])} is {_toml_type(data[key])}; write it as text in quotes")
        for key in TEXT_KEYS
        if data.get(key) is not None and not isinstance(data[key], str)
    ]
    kind: ContentKind | None = None
    raw_kind = data.get("kind", "")
    try:
        kind = ContentKind(raw_kind.strip().lower() if isinstance(raw_kind, str) else "")
    except ValueError:
        if isinstance(raw_kind, str):
            found.append(Problem("kind", f"{raw_kind!r} must be one of {KINDS}"))
    media, media_found = parse_media(data.get("media", {}), base, confine=confine)
    found += media_found
    hashtags = data.get("hashtags", [])
    if isinstance(hashtags, str) and tags_as_text:
        hashtags = hashtags.replace(",", " ").split()
    if not isinstance(hashtags, list) or not all(isinstance(h, str) for h in hashtags):
        found.append(
            Problem(
                "hashtags",
                f"{_shown(hashtags)} is {_toml_type(hashtags)}; write a list of text, "
                'e.g. hashtags = ["XâyDựngĐảng", "ChiBộ"]',
            )
        )
        hashtags = []
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict) or not all(isinstance(o, dict) for o in overrides.values()):
        found.append(Problem("overrides", "must be a table of platform = {field = value}"))
        overrides = {}
    link = _text(data.get("link")).strip()
    item = NewContent(
        kind=kind or ContentKind.ARTICLE,  # a stand-in, so the other fields are still checked
        title=_text(data.get("title")),
        summary=_text(data.get("summary")),
        body=_text(data.get("body")),
        link=link or None,
        hashtags=list(hashtags),
        unit=_text(data.get("unit")) or None,
        period=_text(data.get("period")) or None,
        language=_text(data.get("language")) or "vi",
        media=media,
        overrides=dict(overrides),
    )
    wrong_type = {p.key for p in found}  # a title of 5 is not also "required"
    found += [p for p in item.problems() if p.key not in wrong_type]
    return (item if kind is not None else None), found


def _text(value: object) -> str:
    """A text field's value; one of another type counts as absent (its problem is found)."""
    return value if isinstance(value, str) else ""


def _shown(value: object, limit: int = 60) -> str:
    """A value as it would be written in the manifest (TOML), not as Python prints it."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, list):
        text = "[" + ", ".join(_shown(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{k} = {_shown(v, limit)}" for k, v in value.items()) + " }"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _toml_type(value: object) -> str:
    """What a value is, in the words a manifest's writer knows."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, date | time):
        return "a date or time"
    return f"a {type(value).__name__}"


def parse_media(
    value: object, base: Path, *, confine: bool = False
) -> tuple[list[MediaSpec], list[Problem]]:
    """`{role = "path"}` or a list of "role=path" / `{role, path}` entries, relative to `base`;
    with `confine`, a path that leads outside `base` (`..`, absolute, a symlink out) is a
    problem."""
    pairs: list[tuple[str, object, str]] = []  # role, path, key for problems
    if value is None:
        return [], []
    if isinstance(value, dict):
        pairs = [(str(role), path, f"media.{role}") for role, path in value.items()]
    elif isinstance(value, list):
        for n, entry in enumerate(value, start=1):
            if isinstance(entry, dict):
                pairs.append((str(entry.get("role")), entry.get("path"), f"media[{n}]"))
            else:
                role_text, _, path_text = str(entry).partition("=")
                pairs.append((role_text, path_text, f"media[{n}]"))
    else:
        return [], [Problem("media", f"must be a table of role = file (roles: {ROLES})")]
    specs: list[MediaSpec] = []
    found: list[Problem] = []
    inside = base.resolve()
    for role_name, path, key in pairs:
        try:
            role = MediaRole(role_name.strip())
        except ValueError:
            found.append(Problem(key, f"role {role_name!r} is not one of {ROLES}"))
            continue
        if not isinstance(path, str) or not path.strip():
            found.append(Problem(key, "needs a file name (relative to the submission)"))
            continue
        written = Path(path.strip())
        full = (base / (written if confine else written.expanduser())).resolve()
        if confine and (written.is_absolute() or not full.is_relative_to(inside)):
            found.append(
                Problem(
                    key,
                    f"{path.strip()!r} is outside the submission folder; put the file in "
                    "the folder and name it relative to it",
                )
            )
            continue
        specs.append(MediaSpec(full, role))
    return specs, found


def item_from_mapping(data: Mapping[str, Any], *, source: str, base: Path) -> NewContent:
    """An item from a table of fields, or every problem it has, each prefixed by `source`."""
    item, found = parse_item(data, base)
    if item is None or found:
        raise Problems(
            f"{source}: the item was not added ({len(found)} problem(s))",
            [f"{source}: {p}" for p in found],
            head="the item was not added",
        )
    return item


def load_item_file(path: Path) -> NewContent:
    """Read one content item from a .toml, .yaml/.yml or .json file (media relative to it)."""
    data = read_table_file(path)
    return item_from_mapping(data, source=str(path), base=path.parent)


def read_table_file(path: Path) -> dict[str, Any]:
    """A .toml, .yaml/.yml or .json file holding one table, or one line saying what is wrong."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise UserError(f"{path}: use a .toml, .yaml or .json file")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UserError(f"{path}: not valid YAML{where}: {exc.problem or exc.context}") from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise UserError(f"{path}: cannot parse: {first}") from None
    except RecursionError:
        raise UserError(
            f"{path}: nested too deeply to be an item; keep one table of fields"
        ) from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a table of fields at the top")
    return data


def normalise_hashtag(tag: str) -> str:
    tag = nfc(tag.strip())
    return tag if tag.startswith("#") else f"#{tag}"


def stored_fields(item: NewContent) -> dict[str, Any]:
    """The item's fields exactly as they are stored: NFC, trimmed, hashtags with their '#'."""
    return {
        "kind": item.kind.value,
        "title": nfc(item.title.strip()),
        "summary": nfc(item.summary.strip()),
        "body": nfc(item.body.strip()),
        "link": item.link.strip() if item.link else None,
        "hashtags": [normalise_hashtag(t) for t in item.hashtags if t.strip()],
        "unit": item.unit,
        "period": item.period,
        "language": item.language,
        "overrides": {
            p: {k: nfc(v) if isinstance(v, str) else v for k, v in o.items()}
            for p, o in item.overrides.items()
        },
    }


def with_hashes(item: NewContent) -> NewContent:
    """The same item with every media file's sha256 known (each file read once)."""
    item.media = [
        m if m.sha256 else MediaSpec(m.path, m.role, sha256_file(m.path)) for m in item.media
    ]
    return item


def content_hash(item: NewContent) -> str:
    """What makes two submissions the same item: its stored fields (unit and period among
    them) and the bytes of its media, so a re-import is recognised whatever the file names."""
    media = sorted((m.role.value, m.sha256 or sha256_file(m.path)) for m in item.media)
    identity = {**stored_fields(item), "media": media}
    text = json.dumps(identity, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
