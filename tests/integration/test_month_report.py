"""The monthly report on SQLite and PostgreSQL: a complete, a partial and a missing unit, content
from a unit off the list and with no unit, links to what the worker published; as JSON and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from crosspost.adapters.base import ContentKind
from crosspost.intake.month import Month
from crosspost.intake.report import CSV_COLUMNS, build_report, report_csv, report_json
from crosspost.intake.units import load_intake
from crosspost.scheduling import cancel
from crosspost.worker.dispatcher import Worker
from tests.support.factories import schedule_now
from tests.support.monthly import add_item, config_dir, write_units

pytestmark = pytest.mark.db

NOVEMBER = "2026-11"
ARTICLE, VIDEO, PODCAST = ContentKind.ARTICLE, ContentKind.VIDEO, ContentKind.PODCAST


@pytest.fixture
def month_of_intake(db, memory_config, tmp_path):
    """Given: units.toml beside the config; Hà Nội sent everything (one article and one video
    published, one post cancelled), Hải Phòng part, Đà Nẵng nothing; Huế is not a listed unit;
    one video came with no unit; Hà Nội's October item belongs to another month."""
    write_units(config_dir(memory_config))
    with db.factory.begin() as session:
        hanoi = [add_item(session, tmp_path, unit="ha-noi", period=NOVEMBER) for _ in range(3)]
        hanoi += [
            add_item(session, tmp_path, unit="ha-noi", period=NOVEMBER, kind=k)
            for k in (VIDEO, VIDEO, PODCAST)
        ]
        add_item(session, tmp_path, unit="ha-noi", period="2026-10")
        add_item(session, tmp_path, unit="hai-phong", period=NOVEMBER)
        add_item(session, tmp_path, unit="hai-phong", period=NOVEMBER, state="rejected")
        add_item(
            session, tmp_path, unit="hai-phong", period=NOVEMBER, kind=VIDEO, state="submitted"
        )
        add_item(session, tmp_path, unit="hue", period=NOVEMBER)
        add_item(session, tmp_path, unit=None, period=NOVEMBER, kind=VIDEO, state="draft")
        published = schedule_now(session, memory_config, hanoi[0].id, platforms=["facebook", "x"])
        published += schedule_now(session, memory_config, hanoi[3].id, platforms=["youtube"])
        (later,) = schedule_now(
            session, memory_config, hanoi[1].id, delay=3600, platforms=["facebook"]
        )
        cancel(session, later, actor="tester")
    Worker(memory_config, db.factory).run_once()
    with db.factory() as session:
        return build_report(session, load_intake(memory_config), Month.parse(NOVEMBER))


def numbers(received, approved, published, quota, missing):
    return dict(
        received=received, approved=approved, published=published, quota=quota, missing=missing
    )


def test_json_counts_each_unit_and_kind_against_its_quota(month_of_intake):
    data = report_json(month_of_intake)
    assert data["month"] == NOVEMBER
    units = {u["unit"]: u for u in data["units"]}
    assert list(units) == ["da-nang", "ha-noi", "hai-phong", "hue", None]
    assert {code: u["status"] for code, u in units.items()} == {
        "da-nang": "missing",
        "ha-noi": "complete",
        "hai-phong": "partial",
        "hue": "unknown",
        None: "unknown",
    }
    hanoi = units["ha-noi"]
    assert hanoi["name"] == "Thành ủy Hà Nội" and hanoi["known"] is True
    article = hanoi["kinds"]["article"]
    assert {k: v for k, v in article.items() if k != "links"} == numbers(3, 3, 1, 3, 0)
    assert [len(article["links"][p]) for p in ("facebook", "youtube", "x")] == [1, 0, 1]
    assert all(
        link["url"].startswith("https://memory.example/page-")
        for link in article["links"]["facebook"]
    )
    assert article["links"]["x"][0]["content_id"] == article["links"]["facebook"][0]["content_id"]
    assert len(hanoi["kinds"]["video"]["links"]["youtube"]) == 1
    assert hanoi["total"] == numbers(6, 6, 2, 6, 0)
    haiphong = units["hai-phong"]
    assert {k: v for k, v in haiphong["kinds"]["article"].items() if k != "links"} == numbers(
        2, 1, 0, 3, 1
    )
    assert haiphong["kinds"]["podcast"]["quota"] == 0  # its units.toml override
    assert haiphong["total"] == numbers(3, 1, 0, 5, 2)
    assert units["da-nang"]["total"] == numbers(0, 0, 0, 6, 6)
    assert units["hue"]["name"] is None and units["hue"]["known"] is False
    assert units["hue"]["total"] == numbers(1, 1, 0, 0, 0)
    assert units[None]["kinds"]["video"]["received"] == 1
    assert data["totals"]["all"] == numbers(11, 8, 2, 17, 8)
    assert data["totals"]["video"] == numbers(4, 2, 1, 6, 3)
    assert data["statuses"] == {"complete": 1, "partial": 1, "missing": 1, "unknown": 2}


def test_csv_has_one_row_per_unit_and_kind(month_of_intake):
    rows = list(csv.DictReader(io.StringIO(report_csv(month_of_intake))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 5 * 3
    by_key = {(r["unit"], r["kind"]): r for r in rows}
    hanoi = by_key[("ha-noi", "article")]
    assert hanoi["status"] == "complete" and hanoi["name"] == "Thành ủy Hà Nội"
    assert [hanoi[k] for k in ("received", "approved", "published", "quota", "missing")] == [
        "3",
        "3",
        "1",
        "3",
        "0",
    ]
    assert hanoi["facebook"].startswith("https://memory.example/page-")
    assert hanoi["x"].startswith("https://memory.example/xacct-") and hanoi["youtube"] == ""
    assert by_key[("hai-phong", "video")]["missing"] == "1"
    assert by_key[("da-nang", "podcast")]["status"] == "missing"
    assert by_key[("", "video")]["status"] == "unknown"
    assert {r["month"] for r in rows} == {NOVEMBER}


def test_a_month_with_nothing_lists_every_unit_as_missing(db, memory_config):
    write_units(config_dir(memory_config))
    with db.factory() as session:
        data = report_json(build_report(session, load_intake(memory_config), Month(2027, 1)))
    assert [(u["unit"], u["status"]) for u in data["units"]] == [
        ("da-nang", "missing"),
        ("ha-noi", "missing"),
        ("hai-phong", "missing"),
    ]
    assert data["totals"]["all"]["missing"] == 6 + 6 + 5
