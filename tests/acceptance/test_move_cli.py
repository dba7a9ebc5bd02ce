"""`crosspost posts move ID --at TIME`: a scheduled post moves (its `--json` has the listing's
keys), the move is in its history under `--by`, and a refusal is one line that changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.acceptance.cli import run, run_json
from tests.acceptance.test_cli_output import approved_content, config_file, later, post_keys

pytestmark = pytest.mark.acceptance
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
__all__ = ["config_file"]  # the fixture, shared with the output tests


def in_days(days: int, clock: str) -> str:
    return f"{(datetime.now(ZONE) + timedelta(days=days)).date()} {clock}"


def test_a_planner_moves_a_scheduled_post_and_the_history_says_who(config_file):
    cid = approved_content(config_file)
    (post, *_) = run_json(config_file, "schedule", cid, "--at", later())
    target = in_days(3, "07:45")
    moved = run_json(
        config_file, "posts", "move", str(post["id"]), "--at", target, "--by", "ke-hoach"
    )
    assert set(moved) == post_keys(config_file)
    assert moved["id"] == post["id"] and moved["state"] == "scheduled"
    assert moved["scheduled_at"] == f"{target.replace(' ', 'T')}:00+07:00"
    assert moved["audit"][-1] == "move"
    shown = run_json(config_file, "posts", "show", str(post["id"]))
    (event,) = [e for e in shown["audit_log"] if e["action"] == "move"]
    assert event["actor"] == "ke-hoach"

    plain = run(config_file, "posts", "move", str(post["id"]), "--at", in_days(4, "08:00"))
    assert plain.stdout.strip() == f"post {post['id']} moved to {in_days(4, '08:00')}:00+07:00"


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ("2020-01-01 08:00", "is in the past"),
        ("2099-01-01 08:00", "days ahead"),
        ("sáng mai", "cannot read the time"),
    ],
)
def test_a_refused_move_is_one_line_and_changes_nothing(config_file, when, says):
    cid = approved_content(config_file)
    (post, *_) = run_json(config_file, "schedule", cid, "--at", later())
    result = run(config_file, "posts", "move", str(post["id"]), "--at", when, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert says in line
    (still,) = [p for p in run_json(config_file, "posts", "list") if p["id"] == post["id"]]
    assert still["scheduled_at"] == post["scheduled_at"] and "move" not in still["audit"]


def test_a_cancelled_post_is_not_moved(config_file):
    cid = approved_content(config_file)
    (post, *_) = run_json(config_file, "schedule", cid, "--at", later())
    run(config_file, "cancel", str(post["id"]))
    result = run(
        config_file, "posts", "move", str(post["id"]), "--at", in_days(2, "09:00"), check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: post {post['id']} is cancelled; only a scheduled post can be moved "
        f"(see `crosspost posts show {post['id']}`)"
    )
