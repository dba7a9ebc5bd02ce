"""Reading a unit's monthly submission as it arrives: a folder with a manifest
(`submission.toml` or `submission.yaml`) or a spreadsheet saved as CSV, media beside it.

Only the shape is read here — which rows and keys there are, and where each sits in the file,
so every later problem can name the spot (`items[2].media.video`, `row 3, video`). Judging the
items is `importing`'s job.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosspost.adapters.base import MediaRole
from crosspost.errors import UserError
from crosspost.items import read_table_file

MANIFESTS = ("submission.toml", "submission.yaml", "submission.yml")
MANIFEST_KEYS = frozenset({"unit", "period", "items"})
MEDIA_COLUMNS = frozenset(r.value for r in MediaRole)
TEXT_COLUMNS = frozenset(
    {"kind", "title", "summary", "body", "link", "hashtags", "unit", "period", "language"}
)
CSV_COLUMNS = TEXT_COLUMNS | MEDIA_COLUMNS
REQUIRED_COLUMNS = ("kind", "title")


@dataclass(frozen=True)
class RawItem:
    """One item's fields as written, and where it sits in its file."""

    where: str  # "items[2]" (counted from 1) or "row 3" (the spreadsheet's row; 1 is the header)
    data: dict[str, Any]
    from_csv: bool = False

    def at(self, key: str) -> str:
        """Where a field of this item is: `items[2].media.video`, or `row 3, video` in a CSV,
        whose media sit in columns named after their role."""
        if not self.from_csv:
            return f"{self.where}.{key}"
        return f"{self.where}, {key.removeprefix('media.')}"


@dataclass
class Submission:
    source: Path  # the manifest or the CSV
    base: Path  # media paths are relative to this folder
    unit: str | None = None  # set once for every item (a manifest's top)
    period: str | None = None
    items: list[RawItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file itself, located


def read_submission(path: Path) -> Submission:
    """A submission folder (or its manifest) or a CSV file; one line if it cannot be read."""
    if path.is_dir():
        found = [path / name for name in MANIFESTS if (path / name).is_file()]
        if not found:
            raise UserError(f"{path}: no {' or '.join(MANIFESTS[:2])} in this folder; add one")
        if len(found) > 1:
            names = " and ".join(p.name for p in found)
            raise UserError(f"{path}: both {names}; keep one manifest")
        return read_manifest(found[0])
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    if path.name in MANIFESTS:
        return read_manifest(path)
    raise UserError(f"{path}: not a submission; give a folder with submission.toml or a .csv file")


def read_manifest(path: Path) -> Submission:
    data = read_table_file(path)
    sub = Submission(source=path, base=path.parent)
    allowed = ", ".join(sorted(MANIFEST_KEYS))
    sub.problems += [
        f"{key}: unknown key; allowed here: {allowed}" for key in data if key not in MANIFEST_KEYS
    ]
    for key in ("unit", "period"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            sub.problems.append(f'{key}: {value!r} must be text in quotes, e.g. {key} = "…"')
    sub.unit = _text_or_none(data.get("unit"))
    sub.period = _text_or_none(data.get("period"))
    items = data.get("items")
    if not isinstance(items, list) or not items:
        sub.problems.append("items: missing or empty; list the items as [[items]] tables")
        return sub
    for n, entry in enumerate(items, start=1):
        if isinstance(entry, dict):
            sub.items.append(RawItem(f"items[{n}]", dict(entry)))
        else:
            sub.problems.append(f"items[{n}]: must be a table of fields (kind, title, …)")
    return sub


def read_csv(path: Path) -> Submission:
    """One item per row; empty cells are left out, media columns become the item's media."""
    sub = Submission(source=path, base=path.parent)
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets often start with a BOM
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; save it as 'CSV UTF-8'") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror})") from None
    try:  # strict: a quote opened and never closed is an error, not the rest of the file
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as exc:
        raise UserError(f"{path}: {_csv_problem(exc, text)}") from None
    if not rows:
        raise UserError(f"{path}: empty; the first row names the columns (kind, title, …)")
    header = [h.strip().lower() for h in rows[0]]
    if len(header) == 1 and ";" in header[0]:
        raise UserError(f"{path}: columns are separated by ';'; save it with commas")
    allowed = ", ".join(sorted(CSV_COLUMNS))
    for name in header:
        if name not in CSV_COLUMNS:
            sub.problems.append(f"column {name!r}: unknown; allowed: {allowed}")
        elif header.count(name) > 1:
            sub.problems.append(f"column {name!r}: appears twice; keep one")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:  # rows cannot be read without them; an unknown column is only left out
        sub.problems.append(f"columns {', '.join(missing)}: missing; add them to the first row")
        return sub
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            sub.problems.append(f"row {number}: more cells than columns; check the commas")
            continue
        values = {
            h: c.strip()
            for h, c in zip(header, cells, strict=False)
            if c.strip() and h in CSV_COLUMNS
        }
        media = {k: values.pop(k) for k in list(values) if k in MEDIA_COLUMNS}
        sub.items.append(RawItem(f"row {number}", {**values, "media": media}, from_csv=True))
    if not sub.items and not sub.problems:
        sub.problems.append("no rows: add one row per item under the column names")
    return sub


def _text_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _csv_problem(exc: csv.Error, text: str) -> str:
    """csv's error as the line it stopped at and the fix."""
    reason = str(exc)
    if "field limit" in reason:
        return (
            f"a cell is longer than {csv.field_size_limit()} characters (often a quote opened "
            "and never closed); check the quotes, or shorten the cell"
        )
    if "unexpected end of data" in reason:
        opened = _unclosed_quote_line(text)
        return f'a quote opened on line {opened} is never closed; close it ("…") or remove it'
    return f"not a CSV file the importer can read ({reason}); save it as 'CSV UTF-8'"


def _unclosed_quote_line(text: str) -> int:
    """The line where the quoted cell that runs to the end of the file starts."""
    line, quoted, start = 1, False, 1
    for ch in text:
        if ch == '"':
            quoted = not quoted
            if quoted:
                start = line
        elif ch == "\n":
            line += 1
    return start
