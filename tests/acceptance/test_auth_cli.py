"""`crosspost auth …` through the real CLI against the sandbox: the credentials are stored in the
secrets file (0600), never printed, and the account is verified (and resumed) afterwards."""

from __future__ import annotations

import stat
import threading

import httpx
import pytest

from crosspost.credentials import read_secrets_file
from crosspost.demo import YOUTUBE_CLIENT, start_sandbox, write_config
from tests.acceptance.cli import run, start_piped
from tests.support.facebook_helpers import APP_SECRET, USER_TOKEN

pytestmark = pytest.mark.acceptance


@pytest.fixture
def sandbox():
    with start_sandbox() as server:
        yield server


def printed_url(process) -> str:
    """The address the command asks the person to open (its first line starting http)."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("http"):
            return line.strip()
    raise AssertionError("the command printed no address to open")


def test_auth_facebook_stores_the_page_token(sandbox, tmp_path):
    path = write_config(tmp_path, sandbox.url)
    run(path, "db", "upgrade")  # a new install starts here: no other command makes the database
    secrets = tmp_path / "secrets.toml"
    before = read_secrets_file(secrets)["tapchi-facebook"]["page_access_token"]
    result = run(
        path,
        "auth",
        "facebook",
        "tapchi-facebook",
        CROSSPOST_FACEBOOK_APP_SECRET=APP_SECRET,
        CROSSPOST_FACEBOOK_USER_TOKEN=USER_TOKEN,
    )
    stored = read_secrets_file(secrets)["tapchi-facebook"]["page_access_token"]
    assert stored != before
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert "ok tapchi-facebook works as" in result.stdout
    for secret in (stored, APP_SECRET, USER_TOKEN):
        assert secret not in result.stdout + result.stderr


def test_auth_facebook_with_a_bad_secret_is_one_line_and_stores_nothing(sandbox, tmp_path):
    path = write_config(tmp_path, sandbox.url)
    run(path, "db", "upgrade")  # a new install starts here: no other command makes the database
    secrets = tmp_path / "secrets.toml"
    before = secrets.read_text()
    result = run(
        path,
        "auth",
        "facebook",
        "tapchi-facebook",
        check=False,
        CROSSPOST_FACEBOOK_APP_SECRET="wrong-secret",
        CROSSPOST_FACEBOOK_USER_TOKEN=USER_TOKEN,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "wrong-secret" not in result.stderr and USER_TOKEN not in result.stderr
    assert secrets.read_text() == before


def test_auth_youtube_consent_in_the_browser_stores_a_working_refresh_token(sandbox, tmp_path):
    path = write_config(tmp_path, sandbox.url)
    run(path, "db", "upgrade")  # a new install starts here: no other command makes the database
    process = start_piped(
        path,
        "auth",
        "youtube",
        "tapchi-youtube",
        "--no-browser",
        CROSSPOST_YOUTUBE_CLIENT_ID=YOUTUBE_CLIENT[0],
        CROSSPOST_YOUTUBE_CLIENT_SECRET=YOUTUBE_CLIENT[1],
    )
    url = printed_url(process)
    # The person at the keyboard opens it and consents; the sandbox redirects to crosspost.
    browser = threading.Thread(target=lambda: httpx.get(url, follow_redirects=True, timeout=30))
    browser.start()
    out, err = process.communicate(timeout=60)
    browser.join(timeout=30)
    assert process.returncode == 0, err
    assert "ok tapchi-youtube works as" in out
    stored = read_secrets_file(tmp_path / "secrets.toml")["tapchi-youtube"]
    assert stored["refresh_token"] != "1//demo-refresh-token"
    assert stored["refresh_token"] not in out + err
    assert YOUTUBE_CLIENT[1] not in out + err


def test_auth_x_pin_flow_stores_a_working_access_token(sandbox, tmp_path):
    import re

    path = write_config(tmp_path, sandbox.url)
    run(path, "db", "upgrade")  # a new install starts here: no other command makes the database
    process = start_piped(
        path,
        "auth",
        "x",
        "tapchi-x",
        CROSSPOST_X_CONSUMER_KEY="demo-consumer-key",
        CROSSPOST_X_CONSUMER_SECRET="demo-consumer-secret",
    )
    url = printed_url(process)
    page = httpx.get(url, timeout=30).text  # the person opens it and reads the PIN
    pin = re.search(r"<code>\s*(\d+)\s*</code>", page)
    assert pin, page
    out, err = process.communicate(input=pin.group(1) + "\n", timeout=60)
    assert process.returncode == 0, err
    assert "ok tapchi-x works as" in out
    stored = read_secrets_file(tmp_path / "secrets.toml")["tapchi-x"]
    assert stored["access_token"] != "1234-demo-access-token"
    for secret in (stored["access_token"], stored["access_token_secret"], "demo-consumer-secret"):
        assert secret not in out + err
