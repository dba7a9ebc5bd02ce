"""Output fit for a terminal: every command that changes something answers `--json` with the
listings' keys, `--version` works, show commands print values, and `posts list` at 80 columns
keeps ids, states and times whole."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crosspost import __version__
from crosspost.config import load_config
from crosspost.db.engine import make_engine, session_factory
from crosspost.db.migrate import ensure_schema
from tests.acceptance.cli import run, run_json
from tests.conftest import memory_accounts_toml
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def config_file(tmp_path, db, journal):
    (tmp_path / "data").mkdir(exist_ok=True)
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n'
        'timezone = "Asia/Ho_Chi_Minh"\n\n' + memory_accounts_toml(journal)
    )
    engine = make_engine(load_config(path).database_url)
    ensure_schema(engine)
    engine.dispose()
    return path


def approved_content(path) -> str:
    engine = make_engine(load_config(path).database_url)
    with session_factory(engine).begin() as session:
        content_id = str(make_content(session).id)
    engine.dispose()
    return content_id


def later(hours: int = 3) -> str:
    return (datetime.now(ZONE) + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def post_keys(path) -> set[str]:
    (listed, *_) = run_json(path, "posts", "list")
    return set(listed)


def test_version():
    result = run(ROOT_CONFIG, "--version")
    assert result.stdout.strip() == f"crosspost {__version__}"
    assert result.stderr == ""


ROOT_CONFIG = Path("/nonexistent/crosspost.toml")  # --version reads no config


def test_content_commands_answer_json_with_the_listing_keys(config_file):
    added = run_json(
        config_file,
        "content",
        "add",
        "--kind",
        "article",
        "--title",
        "Bài viết mới",
        "--link",
        "https://tapchi.example.vn/bai-viet",
    )
    (listed,) = run_json(config_file, "content", "list")
    assert set(listed) <= set(added) and added["id"] == listed["id"]
    cid = str(added["id"])
    (submitted,) = run_json(config_file, "content", "submit", cid)
    assert set(submitted) == set(listed) and submitted["status"] == "submitted"
    table = run(config_file, "content", "list", COLUMNS="80").stdout
    assert "submitted" in table and "created (+07:00)" in table and "…" not in table


def test_post_commands_answer_json_with_the_listing_keys(config_file):
    cid = approved_content(config_file)
    scheduled = run_json(config_file, "schedule", cid, "--at", later())
    assert len(scheduled) >= 2
    keys = post_keys(config_file)
    assert all(set(p) == keys for p in scheduled)
    assert all(
        p["state"] == "scheduled" and p["scheduled_at"].endswith("+07:00") for p in scheduled
    )

    first, second = (str(p["id"]) for p in scheduled[:2])
    cancelled = run_json(config_file, "cancel", first, second, "--reason", "trùng lịch")
    assert [p["id"] for p in cancelled] == [int(first), int(second)]
    assert all(set(p) == keys and p["state"] == "cancelled" for p in cancelled)

    platform = scheduled[0]["platform"]
    reposted = run_json(
        config_file, "repost", cid, "--platform", platform, "--reason", "đăng lại", "--at", later(5)
    )
    assert all(set(p) == keys and p["platform"] == platform for p in reposted)


def test_cancel_of_several_is_all_or_none(config_file):
    cid = approved_content(config_file)
    (one, *_) = run_json(config_file, "schedule", cid, "--at", later())
    result = run(config_file, "cancel", str(one["id"]), "999999", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    (still,) = [p for p in run_json(config_file, "posts", "list") if p["id"] == one["id"]]
    assert still["state"] == "scheduled"
    # several refused: every one of them is named, not only the first
    both = run(config_file, "retry", "999998", str(one["id"]), "999999", check=False)
    assert both.returncode == 2
    assert both.stderr.splitlines() == [
        "error: nothing queued again: 3 of 3 post(s) refused",
        "error: no post with id 999998; see `crosspost posts list`",
        f"error: post {one['id']} is scheduled; only failed or retry_wait posts can be retried",
        "error: no post with id 999999; see `crosspost posts list`",
    ]


def test_posts_list_at_80_columns_keeps_ids_states_and_times_whole(config_file):
    for _ in range(3):
        run(config_file, "schedule", approved_content(config_file), "--at", later())
    rows = run_json(config_file, "posts", "list")
    table = run(config_file, "posts", "list", COLUMNS="80").stdout
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in table and "scheduled (+07:00)" in table
    for r in rows:
        scheduled = datetime.fromisoformat(r["scheduled_at"]).strftime("%Y-%m-%d %H:%M")
        assert any(
            f" {r['id']} " in f" {line} " and r["state"] in line and scheduled in line
            for line in lines
        ), table


def test_show_prints_values_not_python_reprs(config_file):
    cid = approved_content(config_file)
    (post, *_) = run_json(config_file, "schedule", cid, "--at", later())
    shown = run(config_file, "posts", "show", str(post["id"])).stdout
    content = run(config_file, "content", "show", cid).stdout
    for text in (shown, content):
        assert "None" not in text and "['" not in text and "{'" not in text and "[]" not in text
    assert "+07:00" in shown and "scheduled" in shown
