"""`crosspost posts show` shows the stored draft; `crosspost posts redraft` replaces it, audited,
and only for a post that has not gone out."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crosspost.config import load_config
from crosspost.db.engine import make_engine, session_factory
from crosspost.db.migrate import ensure_schema
from tests.acceptance.cli import run, run_json
from tests.conftest import memory_accounts_toml
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_posts_show_and_redraft(tmp_path, db, journal):
    folder = tmp_path / "templates"
    (folder / "x").mkdir(parents=True)
    template = folder / "x" / "article.j2"
    template.write_text("BẢN ĐÃ DUYỆT {{ content.title }}", encoding="utf-8")
    (tmp_path / "data").mkdir(exist_ok=True)  # the CLI refuses a data_dir that does not exist
    path = tmp_path / "crosspost.toml"
    path.write_text(
        f'[crosspost]\ndatabase_url = "{db.url}"\ndata_dir = "{tmp_path / "data"}"\n\n'
        + memory_accounts_toml(journal).replace(
            'platform = "x"\n', f'platform = "x"\ntemplate_dir = "{folder}"\n'
        )
    )
    engine = make_engine(load_config(path).database_url)
    ensure_schema(engine)
    with session_factory(engine).begin() as session:
        content_id = str(make_content(session).id)
    engine.dispose()
    at = (datetime.now(ZONE) + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    run(path, "schedule", content_id, "--at", at, "--platform", "x")
    (listed,) = run_json(path, "posts", "list")
    post_id = str(listed["id"])

    shown = run_json(path, "posts", "show", post_id)
    assert shown["draft"]["draft"]["parts"][0].startswith("BẢN ĐÃ DUYỆT ")
    assert shown["draft"]["source"]["template"] == str(template)
    text = run(path, "posts", "show", post_id).stdout
    assert "BẢN ĐÃ DUYỆT" in text and "part 1" in text

    template.write_text("BẢN MỚI {{ content.title }}", encoding="utf-8")
    redrafted = run_json(
        path, "posts", "redraft", post_id, "--by", "bien-tap-vien", "--reason", "mẫu mới"
    )
    assert redrafted["draft"]["draft"]["parts"][0].startswith("BẢN MỚI ")
    shown = run_json(path, "posts", "show", post_id)
    assert shown["draft"]["sha256"] == redrafted["draft"]["sha256"]
    (event,) = [e for e in shown["audit_log"] if e["action"] == "redraft"]
    assert event["actor"] == "bien-tap-vien"

    run(path, "cancel", post_id)
    refused = run(path, "posts", "redraft", post_id, "--reason", "x", check=False)
    assert refused.returncode != 0
    assert "is cancelled; only scheduled or retry_wait posts can be redrafted" in refused.stderr
