"""The units page and its CSV: the month per unit and kind from `crosspost report`'s core, the
links to what went out, and the download exactly `report --csv`'s text (formula-safe cells)."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import update

from crosspost.db.models import Content, Post
from crosspost.intake.month import Month
from crosspost.intake.report import build_report, report_csv
from crosspost.intake.units import load_intake
from crosspost.scheduling import get_post
from crosspost.timeutil import utcnow
from crosspost.users import Role
from tests.support.web import World, build_world, cheap_hasher

URL = "https://x.example/tapchi/status/1850000000000000001"


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def given_a_month(world: World) -> str:
    """The world's items sent for this month; Hà Nội's post published; one item from a unit
    code that a spreadsheet would run as a formula."""
    today = utcnow().astimezone(world.config.timezone)
    month = f"{today:%Y-%m}"
    with world.db.factory.begin() as session:
        session.execute(update(Content).values(period=month))
        hanoi = get_post(session, world.posts["ha-noi"])
        session.execute(
            update(Post)
            .where(Post.id == hanoi.id)
            .values(state="published", remote_id="1850000000000000001", remote_url=URL)
        )
        session.execute(
            update(Content)
            .where(Content.id == world.submitted["da-nang"])
            .values(unit='=HYPERLINK("http://evil")')
        )
    return month


def test_the_page_shows_each_unit_and_kind_with_links(world):
    month = given_a_month(world)
    page = world.client(Role.VIEWER).get(f"/units?month={month}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    row = text.split('id="unit-ha-noi"', 1)[1].split("</tr>", 1)[0]
    # article: received 2 (one waiting, one approved), approved 1, published 1, quota 3, missing 1
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[2:7] == ["2", "1", "1", "3", "1"]
    assert "Thành ủy Hà Nội" in row and "chưa đủ" in row
    assert f'<a href="{URL}" rel="noopener noreferrer">' in page.text
    assert '=HYPERLINK("http://evil")' in text  # shown as text, autoescaped
    assert f'href="/units.csv?month={month}"' in page.text


def test_the_csv_is_the_reports_csv_and_formula_safe(world):
    month = given_a_month(world)
    response = world.client(Role.PLANNER).get(f"/units.csv?month={month}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="units-{month}.csv"'
    with world.db.factory() as session:
        expected = report_csv(build_report(session, load_intake(world.config), Month.parse(month)))
    assert response.text == expected
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert any(r["unit"] == '\'=HYPERLINK("http://evil")' for r in rows)
    (hanoi,) = [r for r in rows if r["unit"] == "ha-noi" and r["kind"] == "article"]
    assert (hanoi["received"], hanoi["published"], hanoi["x"]) == ("2", "1", URL)


@pytest.mark.parametrize("path", ["/units?month=2026-13", "/units.csv?month=11/2026"])
def test_a_wrong_month_is_one_line(world, path):
    response = world.client(Role.ADMIN).get(path)
    assert response.status_code == 400
    assert "must be YYYY-MM, such as 2026-11" in html.unescape(response.text)


def test_a_contributor_does_not_see_the_units_report(world):
    client = world.client(Role.CONTRIBUTOR)
    assert client.get("/units").status_code == 403
    assert client.get("/units.csv").status_code == 403
