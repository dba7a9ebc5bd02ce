"""The sandbox's request log, as the benchmark reads it: when each request arrived (before the
added latency), form bodies as well as JSON ones, and a size chosen by whoever starts it."""

from __future__ import annotations

import httpx

from crosspost.sandbox import SandboxServer

FEED = "/v26.0/109876543210987/feed"  # the sandbox's default Page
TOKEN = {"Authorization": "Bearer EAAtest-page-token"}


def test_the_log_says_when_a_request_arrived_before_the_added_latency() -> None:
    with SandboxServer(latency_ms=80) as sandbox, httpx.Client(base_url=sandbox.url) as http:
        sent = http.post(FEED, data={"message": "Tin mới", "link": "https://a.vn/1"}, headers=TOKEN)
        assert sent.status_code == 200, sent.text
        (entry,) = http.get("/_sandbox/requests").json()
    assert entry["action"] == "create_post"
    assert entry["at"] - entry["received_at"] >= 0.075
    assert entry["form"] == {"message": "Tin mới", "link": "https://a.vn/1"}
    assert "json" not in entry


def test_json_bodies_are_logged_and_the_log_keeps_the_size_it_was_given() -> None:
    with (
        SandboxServer(request_log_size=3) as sandbox,
        httpx.Client(base_url=sandbox.url) as http,
    ):
        for n in range(5):
            http.post(FEED, json={"message": f"Tin số {n}"}, headers=TOKEN)
        log = http.get("/_sandbox/requests").json()
    assert [e["json"]["message"] for e in log] == ["Tin số 2", "Tin số 3", "Tin số 4"]
    assert all(e["at"] >= e["received_at"] for e in log)
