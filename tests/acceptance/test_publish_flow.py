"""The whole flow through the real CLI: add → submit → approve → schedule on three accounts →
`crosspost worker` publishes each at its due time → `posts list --json` shows the receipts."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crosspost.demo import generate_media
from tests.acceptance.cli import run, run_json, start
from tests.conftest import memory_accounts_toml

pytestmark = pytest.mark.acceptance
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def config_file(tmp_path, db, journal):
    (tmp_path / "data").mkdir(exist_ok=True)  # the CLI refuses a data_dir that does not exist
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n'
        'timezone = "Asia/Ho_Chi_Minh"\n\n'
        "[worker]\npoll_seconds = 0.2\nreconcile_seconds = 1\ngrace_seconds = 5\n\n"
        + memory_accounts_toml(journal)
    )
    return path


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_scheduled_posts_are_published_at_their_time(config_file, journal, tmp_path):
    # A real video (content add judges media by its bytes): made by the ffmpeg imageio-ffmpeg ships
    video = generate_media(tmp_path / "media")["video"]
    added = run_json(
        config_file,
        "content",
        "add",
        "--kind",
        "video",
        "--title",
        "Phóng sự: Chi bộ kiểu mẫu ở vùng cao Hà Giang",
        "--summary",
        "Câu chuyện về những đảng viên trẻ bám bản.",
        "--link",
        "https://tapchi.example.vn/video/chi-bo-kieu-mau",
        "--hashtag",
        "XâyDựngĐảng",
        "--media",
        f"video={video}",
        "--by",
        "phong-vien",
    )
    content_id = str(added["id"])
    run(config_file, "content", "submit", content_id, "--by", "phong-vien")
    run(config_file, "content", "approve", content_id, "--by", "bien-tap-vien")

    worker = start(config_file, "worker", "--concurrency", "3")
    try:
        due = datetime.now(ZONE).replace(microsecond=0) + timedelta(seconds=10)
        run(config_file, "schedule", content_id, "--at", due.strftime("%Y-%m-%d %H:%M:%S"))
        published = wait_for(
            lambda: journal.exists() and len(journal.read_text().splitlines()) == 3, 30
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
    assert published, stderr
    assert worker.returncode == 0, stderr
    assert "stopped" in stderr

    posts = run_json(config_file, "posts", "list")
    assert sorted(p["platform"] for p in posts) == ["facebook", "x", "youtube"]
    for p in posts:
        assert p["state"] == "published"
        assert p["remote_id"] and p["remote_url"]
        assert p["attempts"] == 1
        assert p["audit"] == ["schedule"]
        detail = run_json(config_file, "posts", "show", str(p["id"]))
        first = datetime.fromisoformat(detail["attempt_log"][0]["started_at"])
        scheduled = datetime.fromisoformat(detail["scheduled_at"])
        assert scheduled == due
        # Correctness of the wake-up, with a generous bound (speed is measured in bench/).
        assert timedelta(0) <= first - scheduled < timedelta(seconds=1)
        assert detail["attempt_log"][0]["outcome"] == "published"
        assert detail["scheduled_at"].endswith("+07:00")
    published = [json.loads(line) for line in journal.read_text().splitlines()]
    assert len({e["post_id"] for e in published}) == 3


def test_worker_once_publishes_what_is_due_and_exits(config_file, journal):
    added = run_json(
        config_file,
        "content",
        "add",
        "--kind",
        "article",
        "--title",
        "Nghị quyết mới về công tác cán bộ",
        "--by",
        "a",
    )
    content_id = str(added["id"])
    run(config_file, "content", "submit", content_id)
    run(config_file, "content", "approve", content_id, "--by", "editor")
    run(
        config_file,
        "schedule",
        content_id,
        "--at",
        "now",
        "--platform",
        "facebook",
        "--platform",
        "x",
    )
    result = run(config_file, "worker", "--once")
    assert "published 2" in result.stdout
    assert {p["state"] for p in run_json(config_file, "posts", "list")} == {"published"}
