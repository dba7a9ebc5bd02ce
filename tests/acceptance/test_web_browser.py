"""The web workspace in a real browser: Debian's chromium driven by Playwright against a real
`crosspost web` process, on a demo-like database whose accounts point at the sandbox.

An editor signs in, sees the queue with each platform's drafts, approves one item and rejects
another with a reason, and opens a post the worker published. A planner drags a scheduled post
onto another day of the calendar (it keeps its time of day), then opens the month plan and the
units report. Screenshots of each page are kept
under build/screenshots/ for people to look at. Without chromium the test fails in one line
(CROSSPOST_TEST_BROWSER=skip leaves it out on purpose)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from crosspost import content as lifecycle
from crosspost.adapters.base import ContentKind
from crosspost.config import load_config
from crosspost.content import NewContent
from crosspost.demo import start_sandbox, write_config
from crosspost.intake.units import load_intake
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import ROOT, run, run_json
from tests.support.browser import add_user, served_web, sign_in, watched_page

pytestmark = pytest.mark.acceptance

SHOTS = ROOT / "build" / "screenshots"
EDITOR, PASSWORD = "bien-tap", "mật khẩu của biên tập viên"
PLANNER, PLANNER_PASSWORD = "ke-hoach", "mật khẩu của kế hoạch viên"
UNITS = """
[review]
approvers = ["bien-tap"]

[units.nghe-an]
name = "Tỉnh ủy Nghệ An"
"""


def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CROSSPOST_TEST_BROWSER") == "skip":
        pytest.skip("CROSSPOST_TEST_BROWSER=skip: the browser test left out on purpose")
    pytest.fail(
        "chromium not found on PATH: apt-get install -y chromium "
        "(or set CROSSPOST_TEST_BROWSER=skip)",
        pytrace=False,
    )


def _item(n: int, title: str) -> NewContent:
    return NewContent(
        kind=ContentKind.ARTICLE,
        title=title,
        summary="Tỉnh ủy Nghệ An tổng kết 5 năm đổi mới nội dung, phương thức sinh hoạt chi bộ.",
        link=f"https://tapchi.example.vn/xay-dung-dang/bai-{n}",
        hashtags=["XâyDựngĐảng", "ChiBộ"],
        unit="nghe-an",
    )


def given_a_month_in_progress(config_path: Path) -> dict[str, int]:
    """Two submitted articles waiting for review, and one published by the worker."""
    config = load_config(config_path)
    intake = load_intake(config)
    from crosspost.db.engine import make_engine, session_factory, transaction

    factory = session_factory(make_engine(config.database_url))
    ids: dict[str, int] = {}
    with transaction(factory) as session:
        for key, title in [
            ("approve", "Nâng cao chất lượng sinh hoạt chi bộ ở cơ sở"),
            ("reject", "Đảng viên trẻ với phong trào chuyển đổi số"),
            ("published", "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15"),
        ]:
            added = lifecycle.add_content(session, _item(len(ids), title), "thu-ky", store=None)
            lifecycle.submit(session, added.id, "thu-ky")
            ids[key] = added.id
        lifecycle.approve(session, ids["published"], EDITOR, approvers=intake)
        posts = schedule(
            session, config, ids["published"], utcnow(), actor="ke-hoach", platforms=["facebook"]
        )
        ids["post"] = posts[0].id
    run(config_path, "worker", "--once")
    return ids


@pytest.fixture
def workspace(tmp_path):
    browser_path = chromium()
    with start_sandbox(seed=5) as sandbox:
        config_path = write_config(tmp_path, sandbox.url)
        (tmp_path / "units.toml").write_text(UNITS, encoding="utf-8")
        run(config_path, "db", "upgrade")
        ids = given_a_month_in_progress(config_path)
        add_user(config_path, EDITOR, "editor", PASSWORD)
        add_user(config_path, PLANNER, "planner", PLANNER_PASSWORD)
        with served_web(config_path) as base:
            yield browser_path, base, config_path, ids


def test_an_editor_reviews_the_queue_and_opens_a_published_post(workspace):
    from playwright.sync_api import expect, sync_playwright

    browser_path, base, config_path, ids = workspace
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = watched_page(browser, problems)

        page.goto(base + "/queue")
        expect(page).to_have_url(base + "/login?next=/queue")
        page.fill("input[name=name]", EDITOR)
        page.fill("input[name=password]", PASSWORD)
        page.screenshot(path=SHOTS / "1-login.png", full_page=True)
        page.click("form.login button[type=submit]")

        expect(page).to_have_url(base + "/queue")
        first = page.locator(f"#item-{ids['approve']}")
        expect(first.locator(".platform-x .part")).to_contain_text("Nâng cao chất lượng")
        expect(first.locator(".platform-x .count").first).to_contain_text("/280")
        expect(first.locator(".platform-facebook")).to_contain_text("sinh hoạt chi bộ")
        expect(page.locator(f"#item-{ids['reject']}")).to_be_visible()
        page.screenshot(path=SHOTS / "2-queue.png", full_page=True)

        first.locator("input[name=ids]").check()
        page.click("button[value=approve]")
        expect(page.locator(".notice")).to_have_text(f"Đã duyệt: {ids['approve']}.")
        page.locator(f"#item-{ids['reject']} input[name=ids]").check()
        page.fill("input[name=reason]", "ảnh chưa rõ nguồn")
        page.click("button[value=reject]")
        expect(page.locator(".notice")).to_have_text(f"Đã từ chối: {ids['reject']}.")
        page.screenshot(path=SHOTS / "3-queue-after.png", full_page=True)

        page.click("header nav a[href='/']")
        expect(page.locator("#today")).to_contain_text("published")
        page.screenshot(path=SHOTS / "4-today.png", full_page=True)

        page.click(f"#today a[href='/posts/{ids['post']}']")
        expect(page.locator("h1")).to_contain_text(f"#{ids['post']}")
        expect(page.locator("h1 .state")).to_have_text("published")
        expect(page.locator(".facts a")).to_have_attribute("href", _remote_url(config_path, ids))
        expect(page.locator("#history")).to_contain_text("ke-hoach")
        page.screenshot(path=SHOTS / "5-post.png", full_page=True)
        browser.close()

    assert problems == []  # no CSP violation, no script error on any page
    listed = {c["id"]: c for c in run_json(config_path, "content", "list")}
    assert (listed[ids["approve"]]["status"], listed[ids["approve"]]["reviewed_by"]) == (
        "approved",
        EDITOR,
    )
    assert listed[ids["reject"]]["review_reason"] == "ảnh chưa rõ nguồn"
    assert listed[ids["reject"]]["reviewed_by"] == EDITOR


def _remote_url(config_path: Path, ids: dict[str, int]) -> str:
    url = run_json(config_path, "posts", "show", str(ids["post"]))["remote_url"]
    assert url, "the worker did not publish the post"
    return str(url)


def test_a_planner_drags_a_post_to_another_day_and_opens_plan_and_units(workspace):
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from playwright.sync_api import expect, sync_playwright

    browser_path, base, config_path, ids = workspace
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    run(config_path, "content", "approve", str(ids["approve"]), "--by", EDITOR)
    day = datetime.now(zone).date() + timedelta(days=2)
    (post,) = run_json(
        config_path, "schedule", str(ids["approve"]), "--at", f"{day} 09:30", "--platform", "x"
    )
    # Onto the next day of the same week (the day before, when the post's day is a Sunday).
    target: date = day + timedelta(days=1) if day.weekday() < 6 else day - timedelta(days=1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = watched_page(browser, problems, 1400, 1000)
        sign_in(page, base, PLANNER, PLANNER_PASSWORD, start="/calendar")
        expect(page.locator("table.calendar.view-month")).to_be_visible()
        page.click("a.view-week")  # this week; then the post's own week
        expect(page.locator("table.calendar.view-week")).to_be_visible()
        page.goto(base + f"/calendar?view=week&week={day}")
        card = page.locator(f"#cal-post-{post['id']}")
        expect(page.locator(f'td[data-day="{day}"] #cal-post-{post["id"]}')).to_be_visible()
        expect(card).to_have_class("cal-post state-scheduled")
        expect(card.locator(".clock")).to_have_text("09:30")
        page.screenshot(path=SHOTS / "6-calendar.png", full_page=True)

        card.drag_to(page.locator(f'td[data-day="{target}"]'))
        expect(page.locator(".notice")).to_have_text(f"Đã dời lịch bài đăng #{post['id']}.")
        moved = page.locator(f'td[data-day="{target}"] #cal-post-{post["id"]}')
        expect(moved.locator(".clock")).to_have_text("09:30")
        page.screenshot(path=SHOTS / "7-calendar-moved.png", full_page=True)

        page.click("header nav a[href='/plan']")
        expect(page.locator("h1 .fingerprint")).to_have_text(re.compile(r"^[0-9a-f]{12}$"))
        expect(page.locator("#unplaced")).to_be_visible()
        page.screenshot(path=SHOTS / "8-plan.png", full_page=True)

        page.click("header nav a[href='/units']")
        expect(page.locator("#unit-nghe-an")).to_contain_text("Tỉnh ủy Nghệ An")
        expect(page.locator("a.csv")).to_have_attribute(
            "href", re.compile(r"^/units\.csv\?month=\d{4}-\d{2}$")
        )
        page.screenshot(path=SHOTS / "9-units.png", full_page=True)
        browser.close()

    assert problems == []  # no CSP violation, no script error on any page
    shown = run_json(config_path, "posts", "show", str(post["id"]))
    assert shown["scheduled_at"] == f"{target}T09:30:00+07:00"
    (event,) = [e for e in shown["audit_log"] if e["action"] == "move"]
    assert event["actor"] == PLANNER
