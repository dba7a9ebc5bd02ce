"""An expired token pauses the account (no attempts burned) until `accounts check` passes; and
known secret values never appear in logs, stdout, stderr or --json output."""

from __future__ import annotations

import json

import httpx
import pytest

from crosspost.config import load_config
from crosspost.credentials import read_secrets_file
from crosspost.demo import YOUTUBE_CLIENT, generate_media, start_sandbox, write_config
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import run
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance


@pytest.fixture
def sandbox():
    with start_sandbox() as server:
        yield server


def faults(sandbox, payload):
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=payload).raise_for_status()


def test_expired_token_pauses_the_account_until_it_is_fixed(db, sandbox, tmp_path):
    path = write_config(tmp_path, sandbox.url, database_url=db.url)
    with db.factory.begin() as session:
        item = make_content(session)
        schedule(session, load_config(path), item.id, utcnow(), actor="t", platforms=["x"])
    # Given X refuses the token on every call
    faults(sandbox, {"rules": [{"fault": "expired", "platform": "x", "count": 1000}]})
    run(path, "worker", "--once")
    (post,) = json.loads(run(path, "posts", "list", "--json").stdout)
    assert post["state"] == "retry_wait"
    assert post["charged_attempts"] == 0
    assert post["waiting_for"].startswith("account paused")
    # Nothing is attempted while the account is paused
    run(path, "worker", "--once")
    assert json.loads(run(path, "posts", "list", "--json").stdout)[0]["attempts"] == 1
    # The check fails while the token is still refused
    assert run(path, "accounts", "check", "tapchi-x", check=False).returncode == 1
    # When the token works again, the check resumes the account and the post goes out
    faults(sandbox, {"clear_rules": True})
    assert "(resumed)" in run(path, "accounts", "check", "tapchi-x").stdout
    run(path, "worker", "--once")
    (post,) = json.loads(run(path, "posts", "list", "--json").stdout)
    assert post["state"] == "published"
    assert post["attempts"] == 2
    assert post["charged_attempts"] == 1


def test_no_secret_value_in_any_output(sqlite_db, sandbox, tmp_path):
    db = sqlite_db
    path = write_config(tmp_path, sandbox.url, database_url=db.url)
    media = generate_media(tmp_path / "media")
    outputs = []
    with db.factory.begin() as session:
        from crosspost.adapters.base import ContentKind, MediaRole

        item = make_content(
            session,
            kind=ContentKind.VIDEO,
            media=[(MediaRole.VIDEO, media["video"]), (MediaRole.COVER, media["cover"])],
        )
        content_id = str(item.id)
    # Faults make the adapters report errors too, whose text must be clean as well
    faults(sandbox, {"rules": [{"fault": "5xx", "count": 2}, {"fault": "429", "count": 1}]})
    for args in (
        ("schedule", content_id, "--at", "now"),
        ("worker", "--once", "--verbose"),
        ("worker", "--once", "--verbose"),
        ("posts", "list", "--json"),
        ("posts", "show", "1", "--json"),
        ("accounts", "list", "--json"),
        ("accounts", "check", "--json"),
        ("preview", content_id, "--json"),
    ):
        result = run(path, *args, check=False)
        outputs.append(result.stdout + result.stderr)
    everything = "\n".join(outputs)
    assert "published" in everything  # the run did its job
    secrets = read_secrets_file(tmp_path / "secrets.toml")
    values = [v for table in secrets.values() for v in table.values()] + [YOUTUBE_CLIENT[1]]
    leaked = [v for v in values if v in everything]
    assert leaked == []
