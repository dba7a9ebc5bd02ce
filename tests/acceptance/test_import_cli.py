"""A month's intake through the real CLI: import the sample folder and CSV → `content list
--status submitted --json` → a reporter may not approve, an editor approves them all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.acceptance.cli import run, run_json
from tests.support.samples import (
    APPROVER,
    HA_TINH,
    NGHE_AN,
    SAMPLES,
    copy_samples,
    sample_intake,
)

pytestmark = pytest.mark.acceptance


@pytest.fixture
def config_file(tmp_path, db):
    (tmp_path / "data").mkdir(exist_ok=True)  # the CLI refuses a data_dir that does not exist
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n'
        'timezone = "Asia/Ho_Chi_Minh"\n',
        encoding="utf-8",
    )
    sample_intake(tmp_path)  # units.toml beside the config
    return path


def test_import_list_and_approve(config_file, tmp_path):
    samples = copy_samples(tmp_path)
    imported = run_json(config_file, "import", str(samples / NGHE_AN), "--by", "thu-ky")
    assert imported["created"] == 6 and imported["already_imported"] == 0
    ids = [i["content_id"] for i in imported["items"]]
    dry = run_json(config_file, "import", str(samples / HA_TINH), "--dry-run")
    assert dry["dry_run"] is True and dry["would_create"] == 3

    listed = run_json(
        config_file, "content", "list", "--status", "submitted", "--unit", "nghe-an",
        "--period", "2026-11",
    )  # fmt: skip
    assert [c["id"] for c in listed] == ids
    assert {(c["status"], c["unit"], c["period"]) for c in listed} == {
        ("submitted", "nghe-an", "2026-11")
    }

    again = run(config_file, "import", str(samples / NGHE_AN))
    assert f"items[1]: already imported (content {ids[0]})" in again.stdout

    refused = run(
        config_file, "content", "approve", *map(str, ids), "--by", "phong-vien", check=False
    )
    assert refused.returncode == 2
    assert refused.stderr.count("error:") == 1 and "'phong-vien' may not approve" in refused.stderr

    wrong = run(
        config_file, "content", "approve", str(ids[0]), "999", "--by", APPROVER, check=False
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip().splitlines() == [
        "error: nothing approved: content 999: no such item; see `crosspost content list`"
    ]

    approved = run_json(config_file, "content", "approve", *map(str, ids), "--by", APPROVER)
    assert [(c["id"], c["status"], c["reviewed_by"]) for c in approved] == [
        (i, "approved", APPROVER) for i in ids
    ]
    assert run_json(config_file, "content", "list", "--status", "submitted") == []


def test_a_bad_submission_prints_every_problem_and_stores_nothing(config_file, tmp_path):
    samples = copy_samples(tmp_path)
    (samples / NGHE_AN / "media" / "dan-van-kheo.mp4").unlink()
    done = run(config_file, "import", str(samples / NGHE_AN), "--unit", "ha-tinh", check=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0] == (
        f"error: nothing imported from {samples / NGHE_AN / 'submission.toml'}: 2 problem(s)"
    )
    assert lines[1].startswith("error: unit: the manifest says 'nghe-an' but --unit says")
    assert lines[2].startswith("error: items[5].media.video: ")
    assert json.loads(run(config_file, "content", "list", "--json").stdout) == []


def test_samples_make_writes_only_the_missing_media(config_file, tmp_path):
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("media"))
    made = run_json(config_file, "samples", "make", str(samples))
    written = {Path(p).relative_to(samples).as_posix() for p in made["written"]}
    assert "nghe-an-2026-11/media/phong-su-bi-thu-chi-bo.mp4" in written
    assert "media/ha-tinh-2026-11/lam-duong.mp4" in written
    assert len(written) == 13
    assert run_json(config_file, "samples", "make", str(samples)) == {"written": []}
    imported = run_json(config_file, "import", str(samples / HA_TINH))
    assert imported["created"] == 3
