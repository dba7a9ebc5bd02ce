"""A unit's month from end to end in a real browser (chromium, Playwright), against a real
`crosspost web` process, the platform sandbox and a worker:

a contributor sends the month's submission (3 articles, 2 videos, 1 podcast) as a zip with one
bad file, reads the problem, fixes it and sends it again; an editor approves all but one and
rejects that one with a reason; a planner applies the month plan and drags a post to another
day; the posts are brought forward and the worker publishes them; the units page shows the unit
complete with the links of what went out. The sandbox's own records are the ground truth.
Screenshots under build/screenshots/month-*.png."""

from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crosspost.demo import duplicates, start_sandbox, write_config
from crosspost.intake.samples import make_sample_media
from tests.acceptance.cli import ROOT, run, run_json, start
from tests.acceptance.test_web_browser import SHOTS, chromium
from tests.support.browser import add_user, served_web, sign_in, watched_page

pytestmark = pytest.mark.acceptance

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLE = ROOT / "config" / "samples" / "nghe-an-2026-11"
EDITOR, PLANNER, CONTRIBUTOR = "bien-tap", "ke-hoach", "nghe-an-1"
PASSWORDS = {
    EDITOR: "mật khẩu của biên tập viên",
    PLANNER: "mật khẩu của kế hoạch viên",
    CONTRIBUTOR: "mật khẩu của đơn vị Nghệ An",
}
UNITS = """
[review]
approvers = ["bien-tap"]

[units.nghe-an]
name = "Tỉnh ủy Nghệ An"
"""
REJECTED_REASON = "ảnh bìa chưa rõ nguồn"


def this_month() -> str:
    from crosspost.timeutil import utcnow

    return utcnow().astimezone(ZONE).strftime("%Y-%m")


def this_day() -> str:
    from crosspost.timeutil import utcnow

    return utcnow().astimezone(ZONE).strftime("%Y-%m-%d")


def month_submission(folder: Path) -> Path:
    """The sample submission, sent for this month, with its media made."""
    shutil.copytree(SAMPLE, folder)
    manifest = folder / "submission.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('period = "2026-11"', f'period = "{this_month()}"'))
    make_sample_media(folder)
    return folder


def zipped(folder: Path, to: Path, *, broken: str | None = None) -> Path:
    """The folder as a zip; `broken` (a media path) replaced by a few bytes of text."""
    with zipfile.ZipFile(to, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                data = b"not a recording" if name == broken else path.read_bytes()
                archive.writestr(name, data)
    return to


@pytest.fixture
def month_workspace(tmp_path):
    browser_path = chromium()
    with start_sandbox(seed=11) as sandbox:
        config_path = write_config(tmp_path, sandbox.url)
        (tmp_path / "units.toml").write_text(UNITS, encoding="utf-8")
        run(config_path, "db", "upgrade")
        add_user(config_path, CONTRIBUTOR, "contributor", PASSWORDS[CONTRIBUTOR], unit="nghe-an")
        add_user(config_path, EDITOR, "editor", PASSWORDS[EDITOR])
        add_user(config_path, PLANNER, "planner", PASSWORDS[PLANNER])
        with served_web(config_path) as base:
            yield browser_path, base, config_path, sandbox


def drag_target(day: date, today: date) -> date | None:
    """Another day of the same calendar week, after today (the drag keeps the time of day)."""
    for other in (day + timedelta(days=1), day - timedelta(days=1)):
        if other.isocalendar()[:2] == day.isocalendar()[:2] and other > today:
            return other
    return None


def test_a_units_month_from_submission_to_the_report(month_workspace, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    browser_path, base, config_path, sandbox = month_workspace
    folder = month_submission(tmp_path / "nghe-an")
    bad = zipped(folder, tmp_path / "bad.zip", broken="media/podcast-neu-guong.m4a")
    good = zipped(folder, tmp_path / "good.zip")
    assert "media/podcast-neu-guong.m4a" in zipfile.ZipFile(bad).namelist(), "the sample changed"
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])

        # The contributor: one bad file refuses the whole submission, listed on the page
        page = watched_page(browser, problems, 1400, 1000)
        sign_in(page, base, CONTRIBUTOR, PASSWORDS[CONTRIBUTOR])
        expect(page).to_have_url(base + "/portal")
        form = page.locator("#upload-submission form")
        form.locator("input[type=file]").set_input_files(str(bad))
        form.locator("button[type=submit]").click()
        expect(page.locator("#problems li")).to_have_count(1)
        expect(page.locator("#problems li")).to_have_text(
            "items[6].media.audio: podcast-neu-guong.m4a is text, not audio; "
            "send the audio file itself"
        )
        page.screenshot(path=SHOTS / "month-1-problem.png", full_page=True)
        assert run_json(config_path, "content", "list") == []  # nothing stored
        form = page.locator("#upload-submission form")
        form.locator("input[type=file]").set_input_files(str(good))
        form.locator("button[type=submit]").click()
        expect(page.locator(".notice")).to_have_text("Đã nhận: 6 bài mới, 0 bài đã có từ trước.")
        page.screenshot(path=SHOTS / "month-2-sent.png", full_page=True)
        items = run_json(config_path, "content", "list")
        assert sorted(c["kind"] for c in items) == ["article"] * 3 + ["podcast"] + ["video"] * 2
        rejected = next(c for c in items if c["kind"] == "article")

        # The editor: all but one approved, that one rejected with its reason
        page = watched_page(browser, problems, 1400, 1000)
        sign_in(page, base, EDITOR, PASSWORDS[EDITOR])
        page.goto(base + "/queue")
        # each item's media with the browser's own players (served under the CSP, no error)
        expect(page.locator("article.item video")).to_have_count(2)
        expect(page.locator("article.item audio")).to_have_count(1)
        first_image = page.locator("article.item .media img").first
        expect(first_image).to_be_visible()
        assert first_image.evaluate("img => img.naturalWidth") > 0  # it loaded and decoded
        page.screenshot(path=SHOTS / "month-3-queue.png", full_page=True)
        for c in items:
            if c["id"] != rejected["id"]:
                page.locator(f"#item-{c['id']} input[name=ids]").check()
        page.click("button[value=approve]")
        expect(page.locator(".notice")).to_contain_text("Đã duyệt:")
        page.locator(f"#item-{rejected['id']} input[name=ids]").check()
        page.fill("input[name=reason]", REJECTED_REASON)
        page.click("button[value=reject]")
        expect(page.locator(".notice")).to_have_text(f"Đã từ chối: {rejected['id']}.")
        page.screenshot(path=SHOTS / "month-3-reviewed-after.png", full_page=True)

        # The planner: the month plan applied as shown, then a post dragged to another day
        page = watched_page(browser, problems, 1400, 1000)
        sign_in(page, base, PLANNER, PASSWORDS[PLANNER])
        page.goto(base + f"/plan?month={this_month()}")
        expect(page.locator("h1 .fingerprint")).to_have_text(re.compile(r"^[0-9a-f]{12}$"))
        page.screenshot(path=SHOTS / "month-4-plan.png", full_page=True)
        page.click("form.apply button[type=submit]")
        expect(page.locator(".notice")).to_contain_text("theo kế hoạch")
        scheduled = run_json(config_path, "posts", "list", "--state", "scheduled")
        assert {p["content_id"] for p in scheduled} <= {c["id"] for c in items}
        assert rejected["id"] not in {p["content_id"] for p in scheduled}
        today = date.fromisoformat(this_day())
        movable = [
            (p, target)
            for p in scheduled
            if (target := drag_target(date.fromisoformat(p["scheduled_at"][:10]), today))
        ]
        assert movable, f"no planned post has another day of its week ahead: {scheduled}"
        post, target = movable[0]
        day = post["scheduled_at"][:10]
        page.goto(base + f"/calendar?view=week&week={day}")
        card = page.locator(f"#cal-post-{post['id']}")
        card.drag_to(page.locator(f'td[data-day="{target}"]'))
        expect(page.locator(".notice")).to_have_text(f"Đã dời lịch bài đăng #{post['id']}.")
        page.screenshot(path=SHOTS / "month-5-moved.png", full_page=True)
        shown = run_json(config_path, "posts", "show", str(post["id"]))
        assert shown["scheduled_at"] == f"{target}{post['scheduled_at'][10:]}"

        # The plan spreads the month over days to come: an operator brings each post forward
        # (the CLI's twin of the move), and the worker publishes them
        for p in scheduled:
            run(config_path, "posts", "move", str(p["id"]), "--at", "now", "--by", PLANNER)
        worker = start(config_path, "worker")
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                states = {p["state"] for p in run_json(config_path, "posts", "list")}
                if states <= {"published", "failed", "cancelled"}:
                    break
                time.sleep(1)
        finally:
            worker.process.terminate()
            worker.wait(timeout=60)
        published = run_json(config_path, "posts", "list", "--state", "published")
        assert len(published) == len(scheduled), run_json(config_path, "posts", "list")

        # The units page: the unit complete, with the link of every post that went out
        page.goto(base + f"/units?month={this_month()}")
        row = page.locator("#unit-nghe-an")
        expect(row).to_have_class(re.compile(r"\bstatus-complete\b"))
        links = page.locator("#links a")
        expect(links).to_have_count(len(published))
        page.screenshot(path=SHOTS / "month-6-units.png", full_page=True)
        shown_links = sorted(
            links.nth(i).get_attribute("href") or "" for i in range(len(published))
        )
        browser.close()

    assert problems == [] or all("status of 400" in m for m in problems), problems
    # Ground truth: the sandbox holds each published post once, at the URL the page links
    assert sorted(p["remote_url"] for p in published) == shown_links
    state = sandbox.state()
    assert duplicates(state) == []
    held = json.dumps(state)
    assert [p["remote_id"] for p in published if f'"{p["remote_id"]}"' not in held] == []
    decided = {c["id"]: c for c in run_json(config_path, "content", "list")}
    assert decided[rejected["id"]]["status"] == "rejected"
    assert decided[rejected["id"]]["review_reason"] == REJECTED_REASON
    assert {c["status"] for i, c in decided.items() if i != rejected["id"]} == {"approved"}
