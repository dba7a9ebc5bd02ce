"""Bad input in a month's plan (issue 13, item 6): an item an account would refuse is listed
(a line each: item, account, problem) and planned around; `--apply` schedules exactly the
shown placements and never the refused item; once the item is fixed the next plan places it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crosspost.adapters.base import ContentKind
from tests.acceptance.cli import run, run_json
from tests.acceptance.test_month_cli import config_file  # noqa: F401 (the fixture)
from tests.support.monthly import add_item, next_month

pytestmark = pytest.mark.acceptance

VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096
REFUSED_KEYS = {"content_id", "title", "unit", "kind", "account", "problem"}
PLAN_KEYS = {
    "month",
    "fingerprint",
    "applied",
    "placements",
    "unplaced",
    "refused",
    "accounts",
    "spend",
}


def _remove(path: Path) -> None:
    path.unlink()


def _grow(path: Path) -> None:
    path.write_bytes(VIDEO_BYTES + b"\x00" * 10)


# (how the video is broken, what each refused line says)
BREAKS: list[tuple[Callable[[Path], None], str]] = [
    (_remove, "is missing; restore it or edit the content"),
    (_grow, "changed size since it was added"),
]


def given_a_month_with_a_broken_video(db, folder, month, spoil):
    """Two articles and a good video, and a video whose file `spoil` broke."""
    with db.factory.begin() as session:
        good = [add_item(session, folder, unit=u, period=month).id for u in ("ha-noi", "hue")]
        good.append(add_item(session, folder, unit="hue", period=month, kind=ContentKind.VIDEO).id)
        broken = add_item(session, folder, unit="ha-noi", period=month, kind=ContentKind.VIDEO)
        video = Path(broken.media[0].path)
    spoil(video)
    return good, broken.id, video


def shown(placements):
    return sorted((p["content_id"], p["account"], p["at"]) for p in placements)


@pytest.mark.parametrize(("spoil", "expected"), BREAKS, ids=["missing", "changed-size"])
def test_a_broken_item_is_listed_planned_around_and_placed_once_fixed(
    db,
    config_file,  # noqa: F811
    tmp_path,
    spoil,
    expected,
):
    month = str(next_month())
    good, broken, video = given_a_month_with_a_broken_video(db, tmp_path, month, spoil)

    # The plan lists the broken item once per account that takes videos, a line each
    table = run(config_file, "plan", "--month", month)
    lines = [line for line in table.stdout.splitlines() if line.startswith("refused ")]
    assert [line.split(":")[0] for line in lines] == [
        f"refused #{broken} channel",
        f"refused #{broken} page",
        f"refused #{broken} xacct",
    ]
    assert all(expected in line for line in lines)
    assert "1 item(s) planned around" in table.stdout
    assert table.stderr == ""

    plan = run_json(config_file, "plan", "--month", month)
    assert set(plan) == PLAN_KEYS
    assert [set(r) for r in plan["refused"]] == [REFUSED_KEYS] * 3
    assert {(r["content_id"], r["kind"], r["unit"]) for r in plan["refused"]} == {
        (broken, "video", "ha-noi")
    }
    assert {p["content_id"] for p in plan["placements"]} == set(good)

    # --apply schedules exactly the shown placements, at the shown times, and not the item
    assert f"--apply --expect {plan['fingerprint']}`" in table.stdout
    applied = run_json(
        config_file,
        *("plan", "--month", month, "--apply", "--expect", plan["fingerprint"]),
        *("--by", "ke-hoach"),
    )
    assert applied["applied"] is True and applied["fingerprint"] == plan["fingerprint"]
    assert shown(applied["placements"]) == shown(plan["placements"])
    assert applied["refused"] == plan["refused"]
    listed = run_json(config_file, "posts", "list")
    assert sorted((p["content_id"], p["account"], p["scheduled_at"]) for p in listed) == shown(
        plan["placements"]
    )
    assert broken not in {p["content_id"] for p in listed}

    # Once the file is right again, the next plan places it on its three accounts
    video.write_bytes(VIDEO_BYTES)
    again = run_json(config_file, "plan", "--month", month)
    assert again["refused"] == []
    assert {(p["content_id"], p["account"]) for p in again["placements"]} == {
        (broken, "channel"),
        (broken, "page"),
        (broken, "xacct"),
    }


def test_apply_with_a_stale_fingerprint_schedules_nothing(db, config_file, tmp_path):  # noqa: F811
    """The calendar shown is the calendar applied: an item approved after the plan was shown
    changes the fingerprint, and `--apply --expect` refuses in one line, scheduling nothing."""
    month = str(next_month())
    with db.factory.begin() as session:
        add_item(session, tmp_path, unit="ha-noi", period=month)
    shown_plan = run_json(config_file, "plan", "--month", month)
    with db.factory.begin() as session:
        add_item(session, tmp_path, unit="hue", period=month)

    stale = run(
        config_file,
        *("plan", "--month", month, "--apply", "--expect", shown_plan["fingerprint"]),
        check=False,
    )
    assert stale.returncode == 2 and "Traceback" not in stale.stderr
    lines = stale.stderr.strip().splitlines()
    assert len(lines) == 1 and "the plan changed since it was shown" in lines[0], stale.stderr
    assert run_json(config_file, "posts", "list") == []

    alone = run(config_file, "plan", "--month", month, "--expect", "abc", check=False)
    assert alone.returncode == 2 and "--expect goes with --apply" in alone.stderr

    fresh = run_json(config_file, "plan", "--month", month)
    assert fresh["fingerprint"] != shown_plan["fingerprint"]
    applied = run_json(
        config_file, "plan", "--month", month, "--apply", "--expect", fresh["fingerprint"]
    )
    assert len(applied["placements"]) == len(fresh["placements"]) > len(shown_plan["placements"])
