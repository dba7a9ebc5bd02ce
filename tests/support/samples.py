"""The sample submissions of config/samples with their media made once per test run (ffmpeg
takes a couple of seconds), copied into each test's own folder; the sample units.toml; and a
snapshot of every table, so "nothing changed" can be checked row by row."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from crosspost.intake.samples import make_sample_media
from crosspost.intake.units import Intake, parse_intake
from tests.conftest import ROOT, Database

SAMPLES = ROOT / "config" / "samples"
UNITS = ROOT / "config" / "units.toml"
NGHE_AN = "nghe-an-2026-11"
HA_TINH = "ha-tinh-2026-11.csv"
APPROVER = "bien-tap-vien"


@functools.cache
def _made() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="crosspost-samples-"))
    atexit.register(shutil.rmtree, folder, True)
    shutil.copytree(SAMPLES, folder / "samples", ignore=shutil.ignore_patterns("media"))
    make_sample_media(folder / "samples")
    return folder / "samples"


def copy_samples(into: Path) -> Path:
    """A private copy of the samples, media included; returns its folder."""
    target = into / "samples"
    shutil.copytree(_made(), target)
    return target


def sample_intake(folder: Path | None = None) -> Intake:
    """The sample units.toml (copied into `folder` when given, as a config's neighbour)."""
    path = UNITS
    if folder is not None:
        path = folder / "units.toml"
        shutil.copyfile(UNITS, path)
    return parse_intake(tomllib.loads(path.read_text(encoding="utf-8")), path)


def every_row(db: Database) -> dict[str, list[Any]]:
    """Every row of every table, so 'unchanged' means unchanged."""
    from crosspost.db.models import Base

    with db.engine.connect() as conn:
        return {t.name: list(conn.execute(t.select()).all()) for t in Base.metadata.sorted_tables}
