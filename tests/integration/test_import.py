"""Importing a month's submission on SQLite and PostgreSQL: the sample folder and CSV become
submitted content with an audit event each; a bad submission changes nothing and lists every
problem; importing again creates nothing; a dry run writes nothing."""

from __future__ import annotations

import csv
import shutil
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from crosspost.content import list_content
from crosspost.db.models import AuditEvent, Content
from crosspost.errors import Problems
from crosspost.intake.importing import import_submission
from crosspost.media_store import MediaStore
from tests.support.samples import HA_TINH, NGHE_AN, copy_samples, every_row, sample_intake

pytestmark = pytest.mark.db

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
IMPORTER = "thu-ky-toa-soan"


def run_import(db, path, **options):
    """The import as the CLI runs it: files judged by their bytes and copied into a store."""
    options.setdefault("store", MediaStore.for_platforms(path.parent / "kho-media"))
    with db.factory.begin() as session:
        return import_submission(
            session, path, intake=sample_intake(), zone=ZONE, actor=IMPORTER, **options
        )


def test_a_submission_folder_becomes_submitted_content(db, tmp_path):
    samples = copy_samples(tmp_path)
    result = run_import(db, samples / NGHE_AN)
    assert result.count("created") == 6 and not result.dry_run
    assert [i.where for i in result.items] == [f"items[{n}]" for n in range(1, 7)]
    with db.factory() as session:
        rows = session.scalars(select(Content).order_by(Content.id)).all()
        assert [c.id for c in rows] == [i.content_id for i in result.items]
        assert [c.kind for c in rows] == ["article"] * 3 + ["video"] * 2 + ["podcast"]
        assert {(c.review_state, c.unit, c.period) for c in rows} == {
            ("submitted", "nghe-an", "2026-11")
        }
        assert {(c.created_by, c.submitted_by) for c in rows} == {(IMPORTER, IMPORTER)}
        assert all(c.submitted_at is not None for c in rows)
        assert [c.content_hash for c in rows] == [i.content_hash for i in result.items]
        assert all(unicodedata.is_normalized("NFC", c.title + c.summary + c.body) for c in rows)
        assert rows[0].hashtags == ["#XâyDựngĐảng", "#ChiBộ", "#NghệAn"]
        video = rows[3]
        assert [(m.role, m.mime_type) for m in video.media] == [
            ("video", "video/mp4"),
            ("cover", "image/png"),
        ]
        # what is kept is the store's copy of the unit's file, named by its bytes
        sent = samples / NGHE_AN / "media/phong-su-bi-thu-chi-bo.mp4"
        kept = Path(video.media[0].path)
        assert kept.is_relative_to(samples / "kho-media") and kept.read_bytes() == sent.read_bytes()
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.content_id, e.actor) for e in events] == [
        ("import", c.id, IMPORTER) for c in rows
    ]
    assert events[3].detail["where"] == "items[4]"
    assert events[3].detail["source"] == str(samples / NGHE_AN / "submission.toml")
    assert events[3].detail["unit"] == "nghe-an" and events[3].detail["period"] == "2026-11"


def test_a_csv_becomes_submitted_content_listed_by_unit_and_month(db, tmp_path):
    samples = copy_samples(tmp_path)
    result = run_import(db, samples / HA_TINH)
    assert [(i.where, i.kind, i.status) for i in result.items] == [
        ("row 2", "article", "created"),
        ("row 3", "article", "created"),
        ("row 4", "video", "created"),
    ]
    run_import(db, samples / NGHE_AN)
    with db.factory() as session:
        ha_tinh = list_content(session, status="submitted", unit="ha-tinh", period="2026-11")
        assert [c.id for c in ha_tinh] == [i.content_id for i in result.items]
        assert "\n\n" in ha_tinh[0].body  # the cell's paragraphs survive
        assert list_content(session, unit="ha-tinh", period="2026-10") == []
        assert len(list_content(session, status="submitted")) == 9


def test_a_bad_submission_lists_every_problem_and_changes_nothing(db, tmp_path):
    samples = copy_samples(tmp_path)
    run_import(db, samples / HA_TINH)  # something already there, to see it stays as it was
    folder = samples / NGHE_AN
    manifest = folder / "submission.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace('kind = "podcast"', 'kind = "radio"', 1)
    text = text.replace("https://tapchi.example.vn/video/dan-van-kheo", "tapchi/dan-van-kheo")
    manifest.write_text(text, encoding="utf-8")
    (folder / "media/phong-su-bi-thu-chi-bo.mp4").unlink()
    before = every_row(db)
    with pytest.raises(Problems) as caught:
        run_import(db, folder, period="2026-13")
    assert caught.value.problems[0] == (
        "period: the manifest says '2026-11' but --period says '2026-13'; "
        "drop --period or fix the manifest"
    )
    assert [p.split(": ")[0] for p in caught.value.problems[1:]] == [
        "items[4].media.video",
        "items[5].link",
        "items[6].kind",
    ]
    assert every_row(db) == before


def test_importing_again_creates_nothing(db, tmp_path):
    samples = copy_samples(tmp_path)
    first = run_import(db, samples / NGHE_AN)
    before = every_row(db)
    again = run_import(db, samples / NGHE_AN)
    assert [i.status for i in again.items] == ["already_imported"] * 6
    assert [i.content_id for i in again.items] == [i.content_id for i in first.items]
    assert every_row(db) == before


def test_a_copy_of_the_submission_elsewhere_is_still_recognised(db, tmp_path):
    samples = copy_samples(tmp_path)
    first = run_import(db, samples / NGHE_AN)
    moved = shutil.copytree(samples / NGHE_AN, tmp_path / "hop-thu" / "nghe-an-thang-11")
    shutil.move(moved / "media", moved / "tep")
    manifest = moved / "submission.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"media/', '"tep/'), encoding="utf-8"
    )
    again = run_import(db, moved)
    assert [i.content_id for i in again.items] == [i.content_id for i in first.items]
    assert again.count("already_imported") == 6


def test_only_new_items_of_a_grown_submission_are_created(db, tmp_path):
    samples = copy_samples(tmp_path)
    full_csv = samples / HA_TINH
    with full_csv.open(encoding="utf-8", newline="") as handle:
        header, first, *_rest = list(csv.reader(handle))
    partial = samples / "ha-tinh-dot-1.csv"
    with partial.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, first])
    assert run_import(db, partial).count("created") == 1
    full = run_import(db, full_csv)
    assert [i.status for i in full.items] == ["already_imported", "created", "created"]


def test_a_dry_run_reports_what_it_would_create_and_writes_nothing(db, tmp_path):
    samples = copy_samples(tmp_path)
    run_import(db, samples / HA_TINH)
    before = every_row(db)
    result = run_import(db, samples / NGHE_AN, dry_run=True)
    assert result.dry_run and result.count("would_create") == 6
    assert {i.content_id for i in result.items} == {None}
    assert every_row(db) == before
    again = run_import(db, samples / HA_TINH, dry_run=True)
    assert again.count("already_imported") == 3
