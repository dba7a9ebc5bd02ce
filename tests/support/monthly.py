"""Builders for the report and plan tests: a units.toml, content a unit sent for a month, and
the month after today (every slot in it still ahead)."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import Config
from crosspost.db.models import Content
from crosspost.intake.month import Month
from crosspost.timeutil import utcnow
from tests.support.factories import make_content

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_serial = count(1)

UNITS_TOML = """
[defaults.quotas]
article = 3
video = 2
podcast = 1

[review]
approvers = ["editor", "bien-tap-vien"]

[units.da-nang]
name = "Thành ủy Đà Nẵng"

[units.ha-noi]
name = "Thành ủy Hà Nội"
contact = "banbientap@hanoi.example.vn"

[units.hai-phong]
name = "Thành ủy Hải Phòng"
quotas = { podcast = 0 }
"""


def write_units(folder: Path, text: str = UNITS_TOML) -> Path:
    """units.toml beside the config file, where `load_intake` looks for it."""
    path = folder / "units.toml"
    path.write_text(text, encoding="utf-8")
    return path


def media_for(kind: ContentKind, folder: Path, name: str) -> list[tuple[MediaRole, Path]] | None:
    """The file a video or podcast needs (a few bytes: enough for the checks and the memory
    adapter)."""
    if kind == ContentKind.ARTICLE:
        return None
    role, suffix = (
        (MediaRole.VIDEO, "mp4") if kind == ContentKind.VIDEO else (MediaRole.AUDIO, "mp3")
    )
    path = folder / f"{name}.{suffix}"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096)
    return [(role, path)]


def add_item(
    session: Session,
    folder: Path,
    *,
    unit: str | None,
    period: str,
    kind: ContentKind = ContentKind.ARTICLE,
    state: str = "approved",
) -> Content:
    """Content `unit` sent for `period`, in a review state (each with its own title)."""
    name = f"{unit or 'none'}-{period}-{kind}-{next(_serial)}"
    content = make_content(
        session,
        state=state,
        kind=kind,
        media=media_for(kind, folder, name),
        title=f"Tin {kind} của {unit or 'không rõ đơn vị'} kỳ {period}: {name}",
    )
    content.unit = unit
    content.period = period
    session.flush()
    return content


def next_month(now: datetime | None = None) -> Month:
    """The month after today's in Vietnam."""
    today = (now or utcnow()).astimezone(ZONE)
    return Month(today.year, today.month).next()


def config_dir(config: Config) -> Path:
    assert config.path is not None
    return config.path.parent
