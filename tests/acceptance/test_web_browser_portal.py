"""The units' portal in a real browser (chromium, Playwright) against a real `crosspost web`:
a contributor signs in and lands on its unit's portal, sees the month's quota and the link of
what went out, sends its submission as a zip with one bad file, reads the problem on the page
(nothing stored), fixes the file and sends it again. Screenshots under build/screenshots/."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import tomli_w

from tests.acceptance.cli import run_json
from tests.acceptance.test_web_browser import SHOTS, workspace  # noqa: F401  (the fixture)
from tests.support.browser import add_user, sign_in, watched_page
from tests.support.samples import copy_samples

pytestmark = pytest.mark.acceptance

CONTRIBUTOR, PASSWORD = "nghe-an-1", "mật khẩu của đơn vị Nghệ An"


def add_contributor(config_path: Path) -> None:
    add_user(config_path, CONTRIBUTOR, "contributor", PASSWORD, unit="nghe-an")


def submission_zip(path: Path, second_image: bytes, media: Path) -> Path:
    items = [
        {
            "kind": "article",
            "title": f"Nghệ An: bài gửi qua cổng số {n}",
            "summary": "Chi bộ khu dân cư chọn một việc cụ thể làm chủ đề sinh hoạt mỗi tháng.",
            "link": f"https://tapchi.example.vn/xay-dung-dang/nghe-an-cong-{n}",
            "media": {"image": f"media/anh-{n}.png"},
        }
        for n in (1, 2)
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("submission.toml", tomli_w.dumps({"items": items}))
        archive.writestr("media/anh-1.png", (media / "bai-1-anh.png").read_bytes())
        archive.writestr("media/anh-2.png", second_image)
    return path


def test_a_contributor_fixes_a_bad_file_in_its_submission(workspace, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    browser_path, base, config_path, ids = workspace
    add_contributor(config_path)
    media = copy_samples(tmp_path) / "nghe-an-2026-11" / "media"
    bad = submission_zip(tmp_path / "bad.zip", b"a note, not a picture", media)
    good = submission_zip(tmp_path / "good.zip", (media / "bai-2-anh.png").read_bytes(), media)
    before = run_json(config_path, "content", "list")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = watched_page(browser, problems)
        sign_in(page, base, CONTRIBUTOR, PASSWORD)
        expect(page).to_have_url(base + "/portal")
        expect(page.locator("h1")).to_contain_text("Tỉnh ủy Nghệ An")
        expect(page.locator("#quota-article")).to_contain_text("3")
        published = page.locator(f"#item-{ids['published']} a")
        expect(published).to_have_attribute("href", _remote_url(config_path, ids))
        page.screenshot(path=SHOTS / "portal-1.png", full_page=True)

        form = page.locator("#upload-submission form")
        form.locator("input[type=file]").set_input_files(str(bad))
        form.locator("button[type=submit]").click()
        expect(page.locator("#problems")).to_contain_text(
            "items[2].media.image: anh-2.png is text, not an image"
        )
        expect(page.locator("#problems li")).to_have_count(1)
        page.screenshot(path=SHOTS / "portal-2-problem.png", full_page=True)
        assert run_json(config_path, "content", "list") == before  # nothing stored

        form = page.locator("#upload-submission form")
        form.locator("input[type=file]").set_input_files(str(good))
        form.locator("button[type=submit]").click()
        expect(page.locator(".notice")).to_have_text("Đã nhận: 2 bài mới, 0 bài đã có từ trước.")
        expect(page.locator("#items")).to_contain_text("Nghệ An: bài gửi qua cổng số 2")
        expect(page.locator("#problems")).to_have_count(0)
        page.screenshot(path=SHOTS / "portal-3-after.png", full_page=True)
        browser.close()

    # The refused upload's page is a 400 on purpose; anything else (a CSP violation, a
    # script error) is a problem.
    refused = "Failed to load resource: the server responded with a status of 400"
    assert [m for m in problems if not m.startswith(refused)] == []
    added = [c for c in run_json(config_path, "content", "list") if c not in before]
    assert sorted(c["title"] for c in added) == [
        "Nghệ An: bài gửi qua cổng số 1",
        "Nghệ An: bài gửi qua cổng số 2",
    ]
    assert {(c["unit"], c["status"], c["created_by"]) for c in added} == {
        ("nghe-an", "submitted", CONTRIBUTOR)
    }


def _remote_url(config_path: Path, ids: dict[str, int]) -> str:
    url = run_json(config_path, "posts", "show", str(ids["post"]))["remote_url"]
    assert url, "the worker did not publish the post"
    return str(url)
