"""`crosspost auth facebook` against the sandbox: a user token becomes a Page token that the real
adapter publishes with, and every refusal is one UserError line with no secret in it."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from crosspost.adapters.base import AuthenticationError, ContentKind, Draft, MediaRole, Platform
from crosspost.adapters.facebook import FacebookAdapter
from crosspost.adapters.facebook.auth import authorize
from crosspost.config import AccountSettings
from crosspost.errors import UserError
from tests.support.facebook_helpers import (
    APP_ID,
    APP_SECRET,
    PAGE_ID,
    PAGE_NAME,
    USER_TOKEN,
    VERSION,
    Sandbox,
    article,
)
from tests.support.sandbox import account_config, media_file, publish_request, sandbox_fixtures

sandbox_server, sb = sandbox_fixtures(Sandbox)


def settings_for(url: str, **settings: Any) -> AccountSettings:
    merged = {"page_id": PAGE_ID, "graph_version": VERSION, "base_url": url, "timeout_seconds": 5}
    merged.update(settings)
    return AccountSettings(
        name="fanpage",
        platform=Platform.FACEBOOK,
        adapter=None,
        enabled=True,
        settings=merged,
        credentials={"page_access_token": "secrets"},
    )


def run(account: AccountSettings, **given: str) -> dict[str, str]:
    args = {"app_id": APP_ID, "app_secret": APP_SECRET, "user_token": USER_TOKEN, **given}
    return authorize(account, **args)


def refusal(account: AccountSettings, **given: str) -> str:
    """The UserError's text, checked to carry no secret and no chained httpx exception."""
    with pytest.raises(UserError) as caught:
        run(account, **given)
    exc = caught.value
    text = str(exc)
    for secret in (APP_SECRET, USER_TOKEN, *given.values()):
        if len(secret) >= 8:
            assert secret not in text
    assert "EAAB" not in text  # every token the sandbox knows or makes starts so
    assert exc.__cause__ is None and exc.__context__ is None
    assert "\n" not in text
    return text


def adapter_with(url: str, token: str | dict[str, str]) -> FacebookAdapter:
    settings = {"page_id": PAGE_ID, "app_id": APP_ID, "graph_version": VERSION, "base_url": url}
    credentials = token if isinstance(token, dict) else {"page_access_token": token}
    return FacebookAdapter(account_config(Platform.FACEBOOK, "fanpage", credentials, settings))


def test_the_page_token_verifies_and_publishes(sb: Sandbox) -> None:
    # Only tokens the sandbox issued (and this unrelated one) pass the Page routes.
    sb.configure(tokens=["some-other-page-token"])
    credentials = run(settings_for(sb.url))
    assert set(credentials) == {"page_access_token", "user_access_token", "app_secret"}
    token = credentials["page_access_token"]
    assert token != USER_TOKEN
    assert sb.state()["page_tokens"] == [
        {"page_id": "102030405060708", "long_lived": True},
        {"page_id": PAGE_ID, "long_lived": True},
    ]
    adapter = adapter_with(sb.url, token)
    try:
        assert adapter.verify() == PAGE_NAME
        receipt = adapter.publish(publish_request(article("Chào buổi sáng từ crosspost")))
    finally:
        adapter.close()
    assert receipt.remote_id.startswith(f"{PAGE_ID}_")
    assert [p["message"] for p in sb.state()["posts"]] == ["Chào buổi sáng từ crosspost"]
    exchange = sb.requests("token_exchange")[0]["query"]
    assert exchange["grant_type"] == "fb_exchange_token"
    assert exchange["client_id"] == APP_ID


def test_the_user_token_itself_is_not_a_page_token(sb: Sandbox) -> None:
    """Why the exchange matters: /me with the user token is the user, so verify() refuses."""
    adapter = adapter_with(sb.url, USER_TOKEN)
    try:
        with pytest.raises(AuthenticationError, match="not Page"):
            adapter.verify()
    finally:
        adapter.close()


def test_the_page_is_found_on_a_later_page_of_results(sb: Sandbox) -> None:
    others = [{"id": str(200_000 + i), "name": f"Trang {i}"} for i in range(130)]
    sb.configure(other_pages=others)
    assert run(settings_for(sb.url))["page_access_token"]
    assert len(sb.requests("me_accounts")) == 2


def test_a_page_the_user_does_not_manage(sb: Sandbox) -> None:
    sb.configure(page_tasks=[])
    text = refusal(settings_for(sb.url))
    assert f"Page {PAGE_ID}" in text
    assert "Page 102030405060708 (Trang Phụ)" in text
    assert "page_id" in text


def test_a_role_that_cannot_publish(sb: Sandbox) -> None:
    sb.configure(page_tasks=["ANALYZE", "MODERATE"])
    text = refusal(settings_for(sb.url))
    assert "cannot publish" in text and "ANALYZE, MODERATE" in text


def test_an_expired_user_token(sb: Sandbox) -> None:
    sb.fault("expired", action="token_exchange")
    text = refusal(settings_for(sb.url))
    assert "expired" in text and "190/463" in text and "new user token" in text


def test_an_unknown_user_token_is_scrubbed_from_graphs_message(sb: Sandbox) -> None:
    # Graph answers "Malformed access token <the token>": the token must not come through.
    text = refusal(settings_for(sb.url), user_token="EAABnotAtokenTheSandboxKnows987654")
    assert "Malformed access token ***" in text and "code 190" in text


def test_a_wrong_app_secret(sb: Sandbox) -> None:
    text = refusal(settings_for(sb.url), app_secret="wrong-secret-0000000000")
    assert "app secret" in text and "Error validating client secret" in text


def test_a_wrong_app_id(sb: Sandbox) -> None:
    text = refusal(settings_for(sb.url), app_id="111111111111111")
    assert "app id" in text and "code 101" in text


def test_an_app_id_other_than_the_accounts(sb: Sandbox) -> None:
    text = refusal(settings_for(sb.url, app_id="222222222222222"))
    assert "222222222222222" in text and APP_ID in text
    assert sb.requests() == []


def test_a_page_token_given_as_the_user_token(sb: Sandbox) -> None:
    page_token = run(settings_for(sb.url))["page_access_token"]
    text = refusal(settings_for(sb.url), user_token=page_token)
    assert "user token" in text


def test_no_answer_from_graph() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = refusal(settings_for(f"http://127.0.0.1:{port}"))
    assert "no answer" in text and "base_url" in text


def test_a_missing_page_id_and_empty_values(sb: Sandbox) -> None:
    assert "page_id" in refusal(settings_for(sb.url, page_id=""))
    assert "app secret is empty" in refusal(settings_for(sb.url), app_secret=" ")
    assert sb.requests() == []


# -- issue 14: the user token kept, the full permission set, appsecret_proof ------------------
def test_the_long_lived_user_token_is_kept_and_uploads_the_video(sb: Sandbox, tmp_path) -> None:
    """The Resumable Upload API takes a User access token: the flow keeps the long-lived one
    (before, only the Page token was returned and the video upload sent the Page token)."""
    clip = media_file(tmp_path, "clip.mp4", 100_000, MediaRole.VIDEO, "video/mp4")
    draft = Draft(Platform.FACEBOOK, ContentKind.VIDEO, parts=("Phóng sự tối nay",), media=(clip,))
    credentials = run(settings_for(sb.url))
    user = credentials["user_access_token"]
    assert user.startswith("EAABsandboxLONG") and user != USER_TOKEN  # the long-lived one
    sb.configure(tokens=["some-other-page-token"])  # only issued tokens pass now
    adapter = adapter_with(sb.url, credentials)
    try:
        receipt = adapter.publish(publish_request(draft))
    finally:
        adapter.close()
    assert [v["id"] for v in sb.state()["videos"]] == [receipt.remote_id]
    for entry in sb.requests("upload_start") + sb.requests("upload_chunk"):
        assert entry["status"] == 200


def test_a_user_token_missing_a_permission_is_refused_naming_it(sb: Sandbox) -> None:
    sb.configure(granted_permissions=["pages_show_list", "pages_manage_posts"])
    text = refusal(settings_for(sb.url))
    assert "does not grant pages_read_engagement" in text
    assert "pages_show_list, pages_manage_posts, pages_read_engagement" in text


def test_the_flow_signs_its_calls_when_the_app_requires_the_secret(sb: Sandbox) -> None:
    """With "Require App Secret" on, /me/permissions and /me/accounts need appsecret_proof."""
    sb.configure(require_app_secret=True)
    credentials = run(settings_for(sb.url))
    assert credentials["page_access_token"].startswith("EAABsandboxPAGE")
    for action in ("me_permissions", "me_accounts"):
        (entry,) = sb.requests(action)
        assert entry["status"] == 200
        assert "appsecret_proof" in entry["query"]
