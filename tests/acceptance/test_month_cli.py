"""`crosspost report` and `crosspost plan` through the real CLI: the month's report as JSON, CSV
and a table; the plan shown, then applied; a bad month refused in one line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from crosspost.adapters.base import ContentKind
from tests.acceptance.cli import run, run_json
from tests.conftest import memory_accounts_toml
from tests.support.monthly import add_item, next_month, write_units

pytestmark = pytest.mark.acceptance


@pytest.fixture
def config_file(tmp_path, db, journal):
    (tmp_path / "data").mkdir(exist_ok=True)  # the CLI refuses a data_dir that does not exist
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n'
        'timezone = "Asia/Ho_Chi_Minh"\n\n'
        '[windows.facebook]\nslots_per_day = 2\nhours = ["08:00-20:00"]\nmin_gap_minutes = 120\n\n'
        + memory_accounts_toml(journal)
    )
    write_units(tmp_path)
    return path


def test_report_of_a_month(db, config_file, tmp_path):
    with db.factory.begin() as session:
        for kind in ("article",) * 3 + ("video",) * 2 + ("podcast",):
            add_item(session, tmp_path, unit="ha-noi", period="2026-11", kind=ContentKind(kind))
        add_item(session, tmp_path, unit="hai-phong", period="2026-11", state="submitted")

    data = run_json(config_file, "report", "--month", "2026-11")
    assert [(u["unit"], u["status"]) for u in data["units"]] == [
        ("da-nang", "missing"),
        ("ha-noi", "complete"),
        ("hai-phong", "partial"),
    ]
    assert data["units"][2]["kinds"]["article"] == {
        "received": 1,
        "approved": 0,
        "published": 0,
        "quota": 3,
        "missing": 2,
        "links": {"facebook": [], "youtube": [], "x": []},
    }
    assert data["totals"]["all"]["missing"] == 6 + 0 + 4

    rows = list(
        csv.DictReader(
            io.StringIO(run(config_file, "report", "--month", "2026-11", "--csv").stdout)
        )
    )
    assert len(rows) == 9 and rows[3]["unit"] == "ha-noi" and rows[3]["received"] == "3"

    table = run(config_file, "report", "--month", "2026-11").stdout
    assert "Thành ủy Hà Nội" in table and "complete" in table and "3/3" in table
    narrow = run(config_file, "report", "--month", "2026-11", COLUMNS="80").stdout
    assert max(map(len, narrow.splitlines())) <= 80 and "…" not in narrow
    for unit in ("da-nang", "ha-noi", "hai-phong"):  # codes and statuses whole, never cut
        assert any(
            unit in line and status in line
            for line in narrow.splitlines()
            for status in ("missing", "complete", "partial")
        ), narrow

    bad = run(config_file, "report", "--month", "2026-13", check=False)
    assert bad.returncode != 0
    assert [line for line in bad.stderr.splitlines() if line.strip()] == [
        "error: month '2026-13' must be YYYY-MM, such as 2026-11"
    ]


def test_plan_then_apply(db, config_file, tmp_path):
    month = str(next_month())
    with db.factory.begin() as session:
        ids = [add_item(session, tmp_path, unit=u, period=month).id for u in ("ha-noi", "hue")]
        ids.append(
            add_item(session, tmp_path, unit="ha-noi", period=month, kind=ContentKind.VIDEO).id
        )

    shown = run(config_file, "plan", "--month", month).stdout
    assert f"Plan for {month}" in shown and "--apply --expect " in shown
    assert run_json(config_file, "posts", "list") == []

    applied = json.loads(
        run(config_file, "plan", "--month", month, "--apply", "--json", "--by", "ke-hoach").stdout
    )
    assert applied["applied"] is True and applied["unplaced"] == []
    assert len(applied["placements"]) == 3 + 3 + 1  # page and X take all; the channel the video
    assert {p["content_id"] for p in applied["placements"]} == set(ids)
    listed = {p["id"]: p for p in run_json(config_file, "posts", "list")}
    for placement in applied["placements"]:
        post = listed[placement["post_id"]]
        assert (post["account"], post["scheduled_at"]) == (placement["account"], placement["at"])
        assert post["state"] == "scheduled" and post["created_by"] == "ke-hoach"
    on_page = sorted(p["at"] for p in applied["placements"] if p["account"] == "page")
    assert all(at[11:16] in ("11:00", "17:00") for at in on_page)  # two slots in 08:00-20:00

    again = run_json(config_file, "plan", "--month", month)
    assert again["placements"] == [] and again["applied"] is False


def test_plan_sums_the_expected_spend_beside_the_cap_and_names_what_it_defers(
    db, config_file, tmp_path
):
    # Given X priced per post (a URL dearer) with a monthly cap, and four articles next month
    with config_file.open("a") as toml:
        toml.write(
            "\n[accounts.xacct.cost]\nper_post = 0.015\nper_post_with_url = 0.2\n"
            'monthly_cap = 0.5\nmonth_zone = "Asia/Ho_Chi_Minh"\n'
        )
    month = str(next_month())
    with db.factory.begin() as session:
        for unit in ("ha-noi", "hue", "da-nang", "ha-noi"):
            add_item(session, tmp_path, unit=unit, period=month)

    # When the month is planned
    data = run_json(config_file, "plan", "--month", month)

    # Then each X placement carries its expected cost; unpriced accounts carry none
    on_x = [p for p in data["placements"] if p["account"] == "xacct"]
    assert len(on_x) == 4 and all(p["cost"] == "0.200" for p in on_x)  # each holds its link
    assert all(p["cost"] is None for p in data["placements"] if p["account"] != "xacct")
    # ... the month's spend is summed beside the cap, and what would pass it is named
    (spend,) = data["spend"]
    assert spend == {
        "account": "xacct",
        "month": month,
        "month_zone": "Asia/Ho_Chi_Minh",
        "currency": "USD",
        "spent": "0.000",
        "scheduled": "0.000",
        "planned": "0.800",
        "total": "0.800",
        "cap": "0.500",
        "over_cap": [
            {"content_id": p["content_id"], "title": p["title"], "at": p["at"], "cost": "0.200"}
            for p in sorted(on_x, key=lambda p: p["at"])[2:]  # two fit in $0.50, not three
        ],
    }
    shown = run(config_file, "plan", "--month", month).stdout
    assert f"xacct spend {month} (Asia/Ho_Chi_Minh): $0.800 of a $0.500 cap" in shown
    assert shown.count("would wait for the next billing month") == 2

    # Once applied, the posts count as scheduled spend in the next plan's sums
    run(config_file, "plan", "--month", month, "--apply", "--json")
    again = run_json(config_file, "plan", "--month", month)
    assert again["placements"] == []
    assert [(s["scheduled"], s["planned"], s["over_cap"]) for s in again["spend"]] == [
        ("0.800", "0.000", [])
    ]
