"""Bad input: one clear line naming the problem and the fix, a non-zero exit, nothing changed."""

from __future__ import annotations

import pytest

from crosspost.adapters.base import ContentKind, MediaRole
from tests.acceptance.cli import run
from tests.conftest import memory_accounts_toml
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance


@pytest.fixture
def config_file(tmp_path, db, journal):
    (tmp_path / "data").mkdir(exist_ok=True)  # the CLI refuses a data_dir that does not exist
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n\n'
        + memory_accounts_toml(journal)
    )
    return path


def add_item(db, *, state="approved", media=None):
    """Given: an item in a review state (set up through the core, to keep the test fast)."""
    kind = ContentKind.VIDEO if media else ContentKind.ARTICLE
    with db.factory.begin() as session:
        item = make_content(
            session, state=state, kind=kind, media=[(MediaRole.VIDEO, media)] if media else None
        )
        return str(item.id)


def state_of(db):
    """Every row of every table, so 'unchanged' means unchanged."""
    from crosspost.db.models import Base

    with db.engine.connect() as conn:
        return {t.name: conn.execute(t.select()).all() for t in Base.metadata.sorted_tables}


def assert_refused(db, config_file, args, expected):
    before = state_of(db)
    result = run(config_file, *args, check=False)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert state_of(db) == before


def test_unapproved_content(db, config_file):
    content_id = add_item(db, state="submitted")
    assert_refused(db, config_file, ["schedule", content_id, "--at", "now"], "not approved")


def test_rejected_content(db, config_file):
    content_id = add_item(db, state="rejected")
    assert_refused(
        db, config_file, ["schedule", content_id, "--at", "now"], "is rejected, not approved"
    )


def test_unknown_platform(db, config_file):
    content_id = add_item(db)
    assert_refused(
        db,
        config_file,
        ["schedule", content_id, "--at", "now", "--platform", "tiktok"],
        "unknown platform 'tiktok'; use one of facebook, youtube, x",
    )


@pytest.mark.parametrize("when", ["2026-13-45 08:00", "mai sáng", "08:00"])
def test_invalid_time(db, config_file, when):
    content_id = add_item(db)
    assert_refused(db, config_file, ["schedule", content_id, "--at", when], "cannot read the time")


def test_past_time(db, config_file):
    content_id = add_item(db)
    assert_refused(
        db, config_file, ["schedule", content_id, "--at", "2020-01-01 08:00"], "is in the past"
    )


def test_missing_media_file(db, config_file, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00" * 1024)
    content_id = add_item(db, media=video)
    video.unlink()
    assert_refused(db, config_file, ["schedule", content_id, "--at", "now"], "is missing")


def test_unknown_content(db, config_file):
    assert_refused(db, config_file, ["schedule", "999", "--at", "now"], "no content with id 999")


def test_bad_config_names_file_and_key(tmp_path):
    path = tmp_path / "crosspost.toml"
    path.write_text("[worker]\nconcurrency = 0\n")
    result = run(path, "posts", "list", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}: [worker] concurrency: 0 must be an integer from 1 to 256"
    )
