"""Issue 14, Facebook: the Graph sandbox checks each endpoint's token type, permissions, expiry
and app secret proof as Meta documents them (docs/platform-facts.md, Facebook), and the adapter
uses the token each call needs, signs its calls, names a missing permission, and pauses (never
fails or leaves unknown) when the account, not the post, is the problem."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from crosspost.adapters.base import (
    AuthenticationError,
    ContentKind,
    Draft,
    MediaRole,
    Platform,
)
from crosspost.adapters.facebook import FacebookAdapter
from crosspost.adapters.facebook.versions import version_notice
from tests.support.facebook_helpers import (
    APP_ID,
    APP_SECRET,
    PAGE_ID,
    TOKEN,
    USER_TOKEN,
    Sandbox,
    account,
    article,
)
from tests.support.sandbox import closing_adapters, media_file, publish_request, sandbox_fixtures

sandbox_server, sandbox = sandbox_fixtures(Sandbox, name="sandbox")
PAGE = {"Authorization": f"Bearer {TOKEN}"}
USER = {"Authorization": f"OAuth {USER_TOKEN}"}
UPLOAD = {"file_name": "a.mp4", "file_length": "10", "file_type": "video/mp4"}
NO_READ = ["pages_show_list", "pages_manage_posts"]
ALL = ["pages_show_list", "pages_manage_posts", "pages_read_engagement"]


def error_of(response: httpx.Response) -> tuple[int, int | None]:
    error = response.json()["error"]
    return int(error["code"]), error.get("error_subcode")


@pytest.fixture
def make(sandbox: Sandbox) -> Iterator[Any]:
    def build(credentials: dict[str, str] | None = None, **settings: Any) -> FacebookAdapter:
        return FacebookAdapter(account(sandbox.url, credentials, **settings))

    with closing_adapters(build) as made:
        yield made


def video(tmp_path: Path) -> Draft:
    clip = media_file(tmp_path, "clip.mp4", 100_000, MediaRole.VIDEO, "video/mp4")
    return Draft(Platform.FACEBOOK, ContentKind.VIDEO, parts=("Phóng sự",), media=(clip,))


# -- the sandbox: token type, permissions, expiry, proof ------------------------------------
def test_page_edges_need_a_page_token(sandbox: Sandbox) -> None:
    """Pages API error codes: 190/2069032 "A Page access token is required for this call"."""
    for response in (
        sandbox.http.post(sandbox.api(f"{PAGE_ID}/feed"), headers=USER, data={"message": "x"}),
        sandbox.http.post(
            sandbox.api(f"{PAGE_ID}/photos"), headers=USER, data={"url": "https://e.vn/a.jpg"}
        ),
        sandbox.http.post(
            sandbox.api(f"{PAGE_ID}/videos"), headers=USER, data={"file_url": "https://e.vn/v"}
        ),
        sandbox.http.get(sandbox.api(f"{PAGE_ID}/feed"), headers=USER),
        sandbox.http.get(sandbox.api(f"{PAGE_ID}/videos"), headers=USER),
    ):
        assert error_of(response) == (190, 2069032)
    state = sandbox.state()
    assert state["posts"] == [] and state["photos"] == [] and state["videos"] == []


def test_the_resumable_upload_api_needs_the_user_token(sandbox: Sandbox) -> None:
    """Upload a file: "A User access token"; the Page token is refused, the user's is taken."""
    url = sandbox.api(f"{APP_ID}/uploads")
    assert error_of(sandbox.http.post(url, headers=PAGE, params=UPLOAD)) == (100, 33)
    assert sandbox.http.post(url, headers=USER, params=UPLOAD).status_code == 200


def test_each_endpoint_checks_its_permissions(sandbox: Sandbox) -> None:
    sandbox.configure(granted_permissions=NO_READ)
    read = sandbox.http.get(sandbox.api(f"{PAGE_ID}/feed"), headers=PAGE)
    assert (read.status_code, error_of(read)) == (403, (10, None))
    assert "pages_read_engagement" in read.json()["error"]["message"]
    post = sandbox.http.post(sandbox.api(f"{PAGE_ID}/feed"), headers=PAGE, data={"message": "x"})
    assert error_of(post) == (200, None)
    assert "pages_read_engagement and pages_manage_posts" in post.json()["error"]["message"]
    videos = sandbox.http.get(sandbox.api(f"{PAGE_ID}/videos"), headers=PAGE)
    assert (videos.status_code, error_of(videos)) == (403, (10, None))
    assert sandbox.state()["posts"] == []


@pytest.mark.parametrize(
    "missing", ["pages_show_list", "pages_read_engagement", "pages_manage_posts"]
)
def test_a_page_video_needs_show_list_read_engagement_and_manage_posts(
    sandbox: Sandbox, missing: str
) -> None:
    """Video API, Publishing on Pages: the three permissions, each refused alone (code 200)."""
    sandbox.configure(granted_permissions=[p for p in ALL if p != missing])
    url = sandbox.api(f"{PAGE_ID}/videos")
    refused = sandbox.http.post(url, headers=PAGE, data={"file_url": "https://e.vn/v.mp4"})
    assert error_of(refused) == (200, None)
    assert sandbox.state()["videos"] == []
    sandbox.configure(granted_permissions=ALL)
    taken = sandbox.http.post(url, headers=PAGE, data={"file_url": "https://e.vn/v.mp4"})
    assert taken.status_code == 200, taken.text


def test_me_accounts_lists_no_pages_without_pages_show_list(sandbox: Sandbox) -> None:
    url = sandbox.api("me/accounts")
    assert [p["id"] for p in sandbox.http.get(url, headers=USER).json()["data"]] != []
    sandbox.configure(granted_permissions=["pages_manage_posts", "pages_read_engagement"])
    assert sandbox.http.get(url, headers=USER).json()["data"] == []


def long_lived_user_token(sandbox: Sandbox) -> tuple[dict[str, Any], dict[str, str]]:
    """The user token exchanged for a long-lived one: Graph's answer, and its OAuth header."""
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": APP_ID,
        "client_secret": APP_SECRET,
        "fb_exchange_token": USER_TOKEN,
    }
    body = sandbox.http.get(sandbox.api("oauth/access_token"), params=params).json()
    return body, {"Authorization": f"OAuth {body['access_token']}"}


def test_a_long_lived_user_token_expires_on_the_token_clock(sandbox: Sandbox) -> None:
    body, long_lived = long_lived_user_token(sandbox)
    url = sandbox.api(f"{APP_ID}/uploads")
    assert sandbox.http.post(url, headers=long_lived, params=UPLOAD).status_code == 200
    sandbox.configure(clock_offset_seconds=body["expires_in"] + 1)
    late = sandbox.http.post(url, headers=long_lived, params=UPLOAD)
    assert error_of(late) == (190, 463)
    assert "Session has expired" in late.json()["error"]["message"]


def test_one_sandbox_clock_ages_graph_and_x_tokens_alike(sandbox: Sandbox) -> None:
    """`clock_offset_seconds` is the shared clock (`/_sandbox/clock`), not a clock of its own:
    moving either one expires a long-lived token, and the knob shows the shared offset."""
    body, long_lived = long_lived_user_token(sandbox)
    url = sandbox.api(f"{APP_ID}/uploads")
    moved = sandbox.http.post("/_sandbox/clock", json={"advance": body["expires_in"] + 1})
    assert moved.status_code == 200
    assert error_of(sandbox.http.post(url, headers=long_lived, params=UPLOAD)) == (190, 463)
    assert sandbox.configure()["clock_offset_seconds"] == body["expires_in"] + 1
    sandbox.configure(clock_offset_seconds=body["expires_in"] + 10)
    assert sandbox.http.get("/_sandbox/clock").json()["offset"] == body["expires_in"] + 10
    back = sandbox.http.post("/_sandbox/config", json={"facebook": {"clock_offset_seconds": 0}})
    assert back.status_code == 400 and "forward only" in back.text


def test_require_app_secret_checks_appsecret_proof(sandbox: Sandbox) -> None:
    sandbox.configure(require_app_secret=True)
    url = sandbox.api("me")
    missing = sandbox.http.get(url, headers=PAGE).json()["error"]
    assert (missing["code"], missing["type"]) == (100, "GraphMethodException")
    assert missing["message"] == "API calls from the server require an appsecret_proof argument"
    wrong = sandbox.http.get(url, headers=PAGE, params={"appsecret_proof": "0" * 64})
    assert (
        wrong.json()["error"]["message"] == "Invalid appsecret_proof provided in the API argument"
    )
    proof = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
    assert sandbox.http.get(url, headers=PAGE, params={"appsecret_proof": proof}).is_success


def test_debug_token_and_me_permissions_say_what_a_token_is(sandbox: Sandbox) -> None:
    sandbox.configure(granted_permissions=NO_READ)
    page = sandbox.http.get(
        sandbox.api("debug_token"), headers=USER, params={"input_token": TOKEN}
    ).json()["data"]
    assert (page["type"], page["is_valid"], page["profile_id"]) == ("PAGE", True, PAGE_ID)
    assert sorted(page["scopes"]) == sorted(NO_READ)
    permissions = sandbox.http.get(sandbox.api("me/permissions"), headers=USER).json()["data"]
    assert {"permission": "pages_read_engagement", "status": "declined"} in permissions
    refused = sandbox.http.get(sandbox.api("me/permissions"), headers=PAGE)
    assert error_of(refused) == (100, None)


# -- the adapter -----------------------------------------------------------------------------
def test_a_video_uploads_with_the_user_token_and_publishes_with_the_page_token(
    sandbox: Sandbox, make: Any, tmp_path: Path
) -> None:
    receipt = make().publish(publish_request(video(tmp_path)))
    assert [v["id"] for v in sandbox.state()["videos"]] == [receipt.remote_id]
    for action in ("upload_start", "upload_chunk"):
        assert {e["status"] for e in sandbox.requests(action)} == {200}


def test_an_account_without_a_user_token_pauses_with_one_line_and_sends_nothing(
    sandbox: Sandbox, make: Any, tmp_path: Path
) -> None:
    adapter = make({"page_access_token": TOKEN})
    with pytest.raises(AuthenticationError) as caught:
        adapter.publish(publish_request(video(tmp_path)))
    text = caught.value.message
    assert "run `crosspost auth facebook fanpage` again" in text and "\n" not in text
    assert sandbox.requests("upload_start") == []
    assert any("user_access_token" in n for n in adapter.notices())


def test_every_call_carries_appsecret_proof_when_an_app_secret_is_stored(
    sandbox: Sandbox, make: Any, tmp_path: Path
) -> None:
    sandbox.configure(require_app_secret=True)
    credentials = {"page_access_token": TOKEN, "user_access_token": USER_TOKEN}
    adapter = make({**credentials, "app_secret": APP_SECRET})
    adapter.publish(publish_request(article("Tin sáng")))
    adapter.publish(publish_request(video(tmp_path)))
    assert adapter.verify()
    assert len(sandbox.state()["posts"]) == 2
    for entry in sandbox.requests():
        assert entry["status"] == 200, entry


def test_accounts_check_names_a_missing_permission(sandbox: Sandbox, make: Any) -> None:
    sandbox.configure(granted_permissions=NO_READ)
    with pytest.raises(AuthenticationError) as caught:
        make().verify()
    text = caught.value.message
    assert "page_access_token lacks pages_read_engagement" in text
    assert "reconciliation" in text and "\n" not in text


def test_accounts_check_names_a_wrong_token_type(sandbox: Sandbox, make: Any) -> None:
    """A Page token stored as the user token (the upload would be refused)."""
    with pytest.raises(AuthenticationError) as caught:
        make({"page_access_token": TOKEN, "user_access_token": TOKEN}).verify()
    assert "user_access_token is a PAGE access token, not a User access token" in str(
        caught.value.message
    )


def test_a_permission_refused_on_reconciliation_pauses_the_account(
    sandbox: Sandbox, make: Any
) -> None:
    """Before, the refusal was a PermanentError: the reconciler leaves the post unknown and
    asks again for ever; now it is the account's problem, named."""
    sandbox.configure(granted_permissions=NO_READ)
    since = datetime.now(UTC) - timedelta(minutes=5)
    with pytest.raises(AuthenticationError) as caught:
        make().find_existing(publish_request(article("Tin sáng")), since)
    assert "needs pages_read_engagement" in caught.value.message
    assert caught.value.platform_code == "10"


# -- the Graph version table ----------------------------------------------------------------
def test_a_version_within_90_days_of_its_end_warns(make: Any) -> None:
    assert version_notice("v21.0", date(2026, 12, 2)) == (
        "facebook: Graph API v21.0 expires on 2027-01-21 (in 50 days): set graph_version to a "
        "newer version before then"
    )
    assert "expired on 2026-09-24" in str(version_notice("v20.0", date(2026, 12, 2)))
    assert version_notice("v25.0", date(2026, 12, 2)) is None
    assert version_notice("v26.0", date(2026, 12, 2), "2027-02-01") is not None
    old = make(graph_version="v20.0")
    assert any("v20.0 expired" in n for n in old.notices())


def test_a_proof_sent_is_checked_even_when_the_app_does_not_require_one(
    sandbox: Sandbox,
) -> None:
    url = sandbox.api("me")
    assert sandbox.http.get(url, headers=PAGE).is_success  # not required: none is fine
    wrong = sandbox.http.get(url, headers=PAGE, params={"appsecret_proof": "0" * 64}).json()
    assert (wrong["error"]["code"], wrong["error"]["message"]) == (
        100,
        "Invalid appsecret_proof provided in the API argument",
    )


def test_a_wrong_app_secret_pauses_the_account_in_one_line_and_publishes_nothing(
    sandbox: Sandbox, make: Any
) -> None:
    credentials = {"page_access_token": TOKEN, "user_access_token": USER_TOKEN}
    adapter = make({**credentials, "app_secret": "not-this-apps-secret"})
    with pytest.raises(AuthenticationError) as caught:
        adapter.publish(publish_request(article("Tin sáng")))
    text = caught.value.message
    assert "Invalid appsecret_proof" in text and "app_secret in the secrets file" in text
    assert "not-this-apps-secret" not in text and "\n" not in text
    assert sandbox.state()["posts"] == []
