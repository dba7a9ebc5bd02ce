"""`posts list` in pages and ranges, and `posts today` (issue 16, item 4): keyset pages that
neither skip nor repeat a post, time bounds in the configured zone, the JSON a stream of the
same list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tests.acceptance.cli import run, run_json
from tests.acceptance.test_cli_output import (
    ZONE,
    approved_content,
    config_file,  # noqa: F401 (the fixture)
)

pytestmark = pytest.mark.acceptance


def scheduled(config, at: str) -> list[int]:
    return [p["id"] for p in run_json(config, "schedule", approved_content(config), "--at", at)]


def test_pages_ranges_and_today(config_file):  # noqa: F811
    soon = [*scheduled(config_file, "now"), *scheduled(config_file, "now")]
    later_day = (datetime.now(ZONE) + timedelta(days=2)).date()
    # the day's first and last half hour in the zone: a day taken in UTC (07:00 to 07:00
    # here) would put the first in the day before and the 00:10 after it in this day
    later = [
        *scheduled(config_file, f"{later_day} 00:30"),
        *scheduled(config_file, f"{later_day} 23:30"),
    ]
    after_it = scheduled(config_file, f"{later_day + timedelta(days=1)} 00:10")
    everything = run_json(config_file, "posts", "list")
    assert [p["id"] for p in everything] == sorted(soon + later + after_it)

    # Keyset pages: each page says where the next starts; together they are the listing
    first = run(config_file, "posts", "list", "--limit", "4", "--json")
    page1 = [p["id"] for p in json.loads(first.stdout)]
    assert page1 == sorted(soon + later + after_it)[:4]
    assert f"add --after {page1[-1]} for the next page" in first.stderr
    rest = run(config_file, "posts", "list", "--after", str(page1[-1]), "--limit", "10", "--json")
    page2 = [p["id"] for p in json.loads(rest.stdout)]
    assert page1 + page2 == [p["id"] for p in everything] and rest.stderr == ""

    # Ranges in the zone: a date alone is the whole day, --until includes it
    day = ("--since", str(later_day), "--until", str(later_day))
    assert [p["id"] for p in run_json(config_file, "posts", "list", *day)] == later
    since = run_json(config_file, "posts", "list", "--since", str(later_day))
    assert [p["id"] for p in since] == later + after_it
    until = run_json(config_file, "posts", "list", "--until", str(later_day - timedelta(days=1)))
    assert [p["id"] for p in until] == soon
    assert run_json(config_file, "posts", "list", "--state", "scheduled") == everything

    # Today: what goes out before midnight, not the day after tomorrow
    today = run_json(config_file, "posts", "today")
    assert sorted(p["id"] for p in today) == soon

    swapped = run(
        config_file,
        *("posts", "list", "--since", str(later_day), "--until", str(later_day - timedelta(1))),
        check=False,
    )
    assert swapped.returncode == 2 and "Traceback" not in swapped.stderr
    assert swapped.stderr.strip().splitlines() == [
        "error: --since must be before --until; swap them or widen the range"
    ]
    bad = run(config_file, "posts", "list", "--since", "yesterday", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert bad.stderr.startswith("error: --since: cannot read the time 'yesterday'")

    # A bad filter with --json: one line, and nothing on stdout (not a lone `[`)
    wrong = run(config_file, "posts", "list", "--json", "--state", "bogus", check=False)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("error: --state 'bogus' is not one of ")
    last = run(config_file, "posts", "list", "--until", "9999-12-31", check=False)
    assert last.returncode == 2 and len(last.stderr.strip().splitlines()) == 1
    assert "leave --until out" in last.stderr and "bug" not in last.stderr


def test_today_leaves_out_a_paused_accounts_posts_and_names_them(config_file):  # noqa: F811
    from sqlalchemy import update

    from crosspost.config import load_config
    from crosspost.db.engine import make_engine, session_factory
    from crosspost.db.models import Account

    going = scheduled(config_file, "now")
    posts = {p["id"]: p for p in run_json(config_file, "posts", "list")}
    paused_account = posts[going[0]]["account"]
    engine = make_engine(load_config(config_file).database_url)
    with session_factory(engine).begin() as session:
        session.execute(
            update(Account)
            .where(Account.name == paused_account)
            .values(paused_reason="token revoked; run `crosspost auth`")
        )
    engine.dispose()
    held = sorted(i for i in going if posts[i]["account"] == paused_account)
    today = run(config_file, "posts", "today", "--json")
    listed = [p["id"] for p in json.loads(today.stdout)]
    assert listed == sorted(set(going) - set(held))
    assert "not going out until their account is fixed: " + ", ".join(f"#{i}" for i in held) in (
        today.stderr
    )


def test_a_filter_naming_nothing_that_exists_is_one_line_not_an_empty_list(config_file):  # noqa: F811
    """A typo in --platform, --kind or --unit used to list nothing with exit 0."""
    (config_file.parent / "units.toml").write_text(
        '[units.nghe-an]\nname = "Tỉnh ủy Nghệ An"\n', encoding="utf-8"
    )
    cases = {
        ("posts", "list", "--platform", "tiktok"): "error: --platform 'tiktok' is not one of "
        "facebook, x, youtube",
        ("content", "list", "--kind", "poem"): "error: --kind 'poem' is not one of ",
        ("content", "list", "--unit", "nghe-ann"): "error: --unit 'nghe-ann' is not a unit of "
        "units.toml; known units: nghe-an",
    }
    for args, line in cases.items():
        done = run(config_file, *args, "--json", check=False)
        assert done.returncode == 2 and done.stdout == "", done.stderr
        assert done.stderr.startswith(line) and len(done.stderr.splitlines()) == 1, done.stderr
    # a known unit with nothing this month is an empty list, not an error
    assert run_json(config_file, "content", "list", "--unit", "nghe-an") == []
